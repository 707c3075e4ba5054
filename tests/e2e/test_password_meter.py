"""The live meter says whether the password will be accepted, and starts over after a
refusal."""

from __future__ import annotations

from playwright.sync_api import expect
from test_activation import begin, charter_and_directory, invited


def test_the_meter_agrees_with_the_rules_and_starts_over_after_a_refusal(page, server,
                                                                        mailbox):
    _, link = invited(server, mailbox)
    begin(page, link)
    charter_and_directory(page)
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe")

    meter = page.locator("#force")
    page.get_by_label("Nouveau mot de passe").fill("Tr0ub4dor&3")
    page.get_by_label("Confirmation du mot de passe").press_sequentially("Tr0ub4dor&3",
                                                                          delay=10)
    expect(meter).to_contain_text("La confirmation est identique : respecté")
    expect(meter).to_contain_text("Ce mot de passe sera refusé")
    fill = meter.locator(".strength-bar-fill")
    assert fill.evaluate("e => getComputedStyle(e).width") != fill.evaluate(
        "e => getComputedStyle(e.parentElement).width"), "a full bar for a refused password"

    page.get_by_role("button", name="Activer mon compte").click()
    expect(page.get_by_role("alert")).to_contain_text("ne respecte pas toutes les règles")
    expect(page.get_by_label("Nouveau mot de passe")).to_have_value("")
    expect(page.get_by_label("Confirmation du mot de passe")).to_have_value("")
    # Both fields are empty again: so is the checklist's ✔.
    expect(meter.locator(".check-ok", has_text="Au moins 12 caractères")).to_have_count(0)
    expect(meter.locator(".check-ok", has_text="La confirmation est identique")).to_have_count(0)
    expect(page.locator(".refused-password")).to_contain_text("Au moins 12 caractères")

    page.get_by_label("Nouveau mot de passe").fill("Cheval agrafe pile 42 lune")
    page.get_by_label("Confirmation du mot de passe").press_sequentially(
        "Cheval agrafe pile 42 lune", delay=10)
    expect(meter).to_contain_text("Ce mot de passe sera accepté")
