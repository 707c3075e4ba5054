"""No console error through the wizard with htmx: swaps must not write `style` attributes
the Content-Security-Policy forbids."""

from __future__ import annotations

from playwright.sync_api import expect
from test_activation import begin, charter_and_directory, choose_password, invited


def test_no_console_error_through_the_wizard(page, server, mailbox):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    _, link = invited(server, mailbox)
    begin(page, link)
    charter_and_directory(page)
    page.get_by_role("radio", name="Rediriger mes messages vers une autre adresse").check()
    page.get_by_label("Adresse de redirection").fill("camille@ailleurs.example")
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vérifiez votre adresse de redirection")
    page.wait_for_timeout(3500)  # one poll of the waiting page
    page.get_by_role("button", name="Renvoyer le courriel").click()
    expect(page.locator(".notices")).to_contain_text("Un nouveau courriel")
    page.get_by_role("button", name="Renoncer à la redirection").click()
    page.get_by_label("Nouveau mot de passe").press_sequentially("soleil", delay=20)
    expect(page.locator("#force")).to_contain_text("Robustesse")
    choose_password(page)
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is activated")
    assert errors == []


def test_the_cards_breathe_and_the_help_card_is_as_wide_as_the_page(page, server):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(server.url)
    main = page.locator("main")
    padding = main.evaluate("e => [getComputedStyle(e).paddingTop, getComputedStyle(e)"
                            ".paddingBottom].map(parseFloat)")
    assert min(padding) >= 16, padding
    contact = page.locator(".contact").bounding_box()
    assert abs(contact["width"] - main.bounding_box()["width"]) < 2
    # The hours never break inside « 8 h 30 ».
    hours = page.locator(".contact").inner_text()
    assert "8\u00a0h\u00a030" in hours
