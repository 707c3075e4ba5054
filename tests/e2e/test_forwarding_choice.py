"""The forwarding choice is explicit: an address typed without choosing to forward is not
dropped silently, with JavaScript on or off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_activation import begin, charter_and_directory, invited

AMBIGUOUS = "Vous avez saisi une adresse de redirection sans choisir de rediriger vos messages"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_address_typed_without_choosing_to_forward_is_refused(
        new_context, server, mailbox, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    _, link = invited(server, mailbox)
    begin(page, link)
    charter_and_directory(page)
    # The choice is a pair of radio buttons, « no forwarding » chosen at first.
    expect(page.get_by_role("radio", name="Ne pas rediriger")).to_be_checked()
    expect(page.get_by_role("radio", name="Rediriger mes messages vers une autre adresse")
           ).not_to_be_checked()
    page.get_by_label("Adresse de redirection").fill("camille@ailleurs.example")
    page.get_by_role("button", name="Suivant").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Messagerie")
    expect(page.get_by_role("alert")).to_contain_text(AMBIGUOUS)
    # The answer made explicit, it goes on.
    page.get_by_role("radio", name="Rediriger mes messages vers une autre adresse").check()
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vérifiez votre adresse de redirection")


def test_no_forwarding_chosen_with_the_offered_address_goes_on(page, server, mailbox):
    _, link = invited(server, mailbox)
    begin(page, link)
    charter_and_directory(page)
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe")
