"""The whole wizard with JavaScript turned off: plain forms, POST then 303, the language
switcher as a link, the waiting page with a refresh link instead of polling."""

from __future__ import annotations

from playwright.sync_api import expect
from smtp_mailbox import link_in
from test_activation import PASSPHRASE, VERIFICATION, invited


def test_the_whole_wizard_without_javascript(new_context, server, mailbox):
    context = new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    heading = page.get_by_role("heading", level=1)
    _, link = invited(server, mailbox)

    page.goto(link)
    page.get_by_role("link", name="English").click()
    expect(heading).to_have_text("Welcome, Camille Lefèvre")
    page.get_by_role("link", name="Français").click()
    expect(heading).to_have_text("Bienvenue, Camille Lefèvre")
    page.get_by_role("button", name="Commencer l'activation").click()

    expect(heading).to_have_text("Charte informatique")
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("alert")).to_contain_text("Cochez la case pour accepter la charte")
    page.get_by_label("J'ai lu la charte et je m'engage à la respecter").check()
    page.get_by_role("button", name="Suivant").click()

    expect(heading).to_have_text("Annuaire")
    page.get_by_label("Non, je m'inscris sur liste rouge").check()
    page.get_by_role("button", name="Suivant").click()

    expect(heading).to_have_text("Messagerie")
    page.get_by_label("Rediriger mes messages vers une autre adresse").check()
    page.get_by_label("Adresse de redirection").fill("camille@ailleurs.example")
    page.get_by_role("button", name="Suivant").click()

    expect(heading).to_have_text("Vérifiez votre adresse de redirection")
    message = mailbox.wait_for("camille@ailleurs.example", VERIFICATION)
    other = context.new_page()
    other.goto(link_in(message, "/verification/"))
    other.get_by_role("button", name="Confirmer cette adresse").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Adresse confirmée")
    other.close()
    # No polling without JavaScript: the page says how to move on.
    page.get_by_role("link", name="J'ai ouvert le lien, actualiser la page").click()

    expect(heading).to_have_text("Mot de passe")
    # No live meter and no show-password button without JavaScript; the server says it all.
    expect(page.get_by_role("button", name="Afficher les mots de passe")).to_be_hidden()
    page.get_by_label("Nouveau mot de passe").fill("soleil")
    page.get_by_label("Confirmation du mot de passe").fill("soleil")
    page.get_by_role("button", name="Activer mon compte").click()
    expect(page.get_by_role("alert")).to_contain_text("ne respecte pas toutes les règles")
    expect(page.locator(".refused-password")).to_contain_text(
        "Au moins 12 caractères : non respecté")
    page.get_by_label("Nouveau mot de passe").fill(PASSPHRASE)
    page.get_by_label("Confirmation du mot de passe").fill(PASSPHRASE)
    page.get_by_role("button", name="Activer mon compte").click()

    expect(heading).to_have_text("Votre compte est activé")
    expect(page.get_by_text("Vers camille@ailleurs.example, avec copie")).to_be_visible()
    # The print button needs a script: without one, it is not offered.
    expect(page.get_by_role("button", name="Imprimer ce récapitulatif")).to_be_hidden()
    mailbox.wait_for("camille.lefevre@exemple.org", "Votre compte a été activé")
