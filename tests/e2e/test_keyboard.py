"""The whole wizard with the keyboard alone (Tab, Shift+Tab, Enter, Space, and typing), and
focus where a screen-reader user needs it after each page change: the new step's heading,
or the error summary when a form is refused."""

from __future__ import annotations

import pytest
from a11y import focused
from playwright.sync_api import Page, expect
from test_activation import PASSPHRASE, invited


@pytest.fixture
def server_environment():
    """A password hash as slow as a busy server's (about half a second): the submission is
    still in flight when the strength meter's last request comes."""
    return {"WIZARD_ARGON2_TIME_COST": "8", "WIZARD_ARGON2_MEMORY_KIB": "65536"}


def tab_to(page: Page, wanted: str, *, backwards: bool = False, limit: int = 40) -> None:
    """Press Tab (or Shift+Tab) until the focus is on `wanted` (`tag|name` prefix)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if now.startswith(wanted):
            return
        seen.append(now)
    raise AssertionError(f"{wanted!r} never got the focus; went through {seen}")


def expect_focus(page: Page, wanted: str) -> None:
    """The focus is on `wanted` (`tag|name` prefix), once the page has settled."""
    page.wait_for_function(
        """(wanted) => {
            const el = document.activeElement;
            if (!el) return false;
            const name = (el.labels && el.labels.length ? el.labels[0].innerText
                          : el.innerText || "").trim();
            return `${el.tagName.toLowerCase()}|${name}`.startsWith(wanted);
        }""", arg=wanted, timeout=5_000)


def focus_is_visible(page: Page) -> bool:
    """The focused element draws an outline or a ring."""
    return page.evaluate("""() => {
        const style = getComputedStyle(document.activeElement);
        return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
            || style.boxShadow !== "none";
    }""")


def test_the_whole_wizard_with_the_keyboard_alone(page: Page, server, mailbox):
    _, link = invited(server, mailbox)
    page.goto(link)
    tab_to(page, "a|Aller au contenu")
    assert focus_is_visible(page)
    tab_to(page, "button|Commencer l'activation")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Charte informatique")
    expect_focus(page, "h1|Charte informatique")
    # Refused: focus on the summary, whose link leads to the field.
    tab_to(page, "button|Suivant")
    page.keyboard.press("Enter")
    expect_focus(page, "div|")
    assert "error-summary" in page.evaluate("document.activeElement.className")
    tab_to(page, "a|Cochez la case")
    page.keyboard.press("Enter")
    expect_focus(page, "input|J'ai lu la charte")
    page.keyboard.press("Space")
    expect(page.get_by_label("J'ai lu la charte et je m'engage à la respecter")).to_be_checked()
    tab_to(page, "button|Suivant")
    page.keyboard.press("Enter")

    expect_focus(page, "h1|Annuaire")
    # Tab enters the radio group on its first answer; Space chooses it.
    tab_to(page, "button|Suivant")
    tab_to(page, "input|Oui, je figure dans l'annuaire public", backwards=True)
    page.keyboard.press("Space")
    expect(page.get_by_label("Oui, je figure dans l'annuaire public")).to_be_checked()
    tab_to(page, "button|Suivant")
    page.keyboard.press("Enter")

    expect_focus(page, "h1|Messagerie")
    tab_to(page, "button|Suivant")
    page.keyboard.press("Enter")

    expect_focus(page, "h1|Mot de passe")
    tab_to(page, "input|Nouveau mot de passe")
    page.keyboard.type(PASSPHRASE)
    expect(page.locator("#force")).to_contain_text("Robustesse")
    # The live meter never takes the focus away from the field being typed in.
    expect_focus(page, "input|Nouveau mot de passe")
    tab_to(page, "button|Afficher les mots de passe")
    page.keyboard.press("Space")
    expect(page.get_by_label("Nouveau mot de passe")).to_have_attribute("type", "text")
    tab_to(page, "input|Confirmation du mot de passe", backwards=True)
    page.keyboard.type(PASSPHRASE)
    # Enter straight away, as people do: the meter's request still to come (300 ms after
    # the last key) must not cancel the submission; it queues behind it.
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre compte est activé")
    expect_focus(page, "h1|Votre compte est activé")
    # The done page's progress links are reachable, then the FAQ-like help in the footer.
    tab_to(page, "a|assistance@univ-demo.fr")
