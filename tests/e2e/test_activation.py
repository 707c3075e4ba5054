"""A new staff member activates their account from the mailed link, in a real browser."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect
from smtp_mailbox import code_in, link_in, text_of

PASSPHRASE = "Cheval agrafe pile 42 lune"
ACTIVATION = "Activez votre compte"
VERIFICATION = "Confirmez votre adresse"
ACTIVATED = "Votre compte a été activé"


def invited(server, mailbox, first="Camille", last="Lefèvre",
            personal="camille.lefevre@exemple.org") -> tuple[str, str]:
    """An operator registers and invites a person; return (login, link from the mail)."""
    login = server.add_person(first, last, personal)
    server.wizard("invite", login)
    message = mailbox.wait_for(personal, ACTIVATION)
    return login, link_in(message, "/activation/")


def begin(page: Page, link: str) -> None:
    page.goto(link)
    page.get_by_role("button", name="Commencer l'activation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Charte informatique")


def charter_and_directory(page: Page) -> None:
    page.get_by_label("J'ai lu la charte et je m'engage à la respecter").check()
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire")
    page.get_by_label("Non, je m'inscris sur liste rouge").check()
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messagerie")


def choose_password(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe")
    page.get_by_label("Nouveau mot de passe").fill(PASSPHRASE)
    page.get_by_label("Confirmation du mot de passe").fill(PASSPHRASE)
    page.get_by_role("button", name="Activer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre compte est activé")


def test_happy_path_from_the_mailed_link(page: Page, server, mailbox):
    login, link = invited(server, mailbox)
    message = mailbox.wait_for("camille.lefevre@exemple.org", ACTIVATION)
    assert re.search(r"valable jusqu'au \w+ \d+\s\w+ 20\d\d à 23\sh\s59", text_of(message))

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue, Camille Lefèvre")
    begin(page, link)
    progress = page.get_by_role("navigation", name="Étapes de l'activation")
    expect(progress.locator("[aria-current=step]")).to_contain_text("Charte")

    # No answer to the directory question is an error, not a silent default.
    page.get_by_label("J'ai lu la charte et je m'engage à la respecter").check()
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire")
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("alert")).to_contain_text("Indiquez si vous souhaitez figurer")
    page.get_by_label("Non, je m'inscris sur liste rouge").check()
    page.get_by_role("button", name="Suivant").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Messagerie")
    expect(page.get_by_text("camille.lefevre@univ-test.fr")).to_be_visible()
    expect(page.get_by_label("Conserver une copie dans ma boîte universitaire")).to_be_checked()
    page.get_by_role("button", name="Suivant").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe")
    # Typed key by key, as a person does: each keystroke is an input event for htmx.
    page.get_by_label("Nouveau mot de passe").press_sequentially("soleil", delay=30)
    expect(page.locator("#force")).to_contain_text(re.compile(r"Robustesse\s*:\s*(très )?faible"))
    page.get_by_label("Nouveau mot de passe").fill(PASSPHRASE)
    page.get_by_label("Confirmation du mot de passe").press_sequentially(PASSPHRASE, delay=10)
    expect(page.locator("#force")).to_contain_text("La confirmation est identique : respecté")
    page.get_by_role("button", name="Activer mon compte").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre compte est activé")
    expect(page.get_by_text(login, exact=True)).to_be_visible()
    notice = mailbox.wait_for("camille.lefevre@exemple.org", ACTIVATED)
    assert login in text_of(notice)

    # After completion every step leads to the done page, and the link is spent.
    page.goto(f"{server.url}/etapes/charte")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre compte est activé")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien a déjà servi")


def test_forwarding_verified_from_another_device(page: Page, browser, server, mailbox):
    _, link = invited(server, mailbox)
    begin(page, link)
    charter_and_directory(page)
    page.get_by_label("Rediriger mes messages vers une autre adresse").check()
    page.get_by_label("Adresse de redirection").fill("camille@ailleurs.example")
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vérifiez votre adresse de redirection")

    message = mailbox.wait_for("camille@ailleurs.example", VERIFICATION)
    phone = browser.new_context(locale="fr-FR")
    try:
        other = phone.new_page()
        other.goto(link_in(message, "/verification/"))
        other.get_by_role("button", name="Confirmer cette adresse").click()
        expect(other.get_by_role("heading", level=1)).to_have_text("Adresse confirmée")
    finally:
        phone.close()

    # The waiting page polls and moves on by itself.
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe", timeout=15_000)
    choose_password(page)
    expect(page.get_by_text("Vers camille@ailleurs.example, avec copie")).to_be_visible()


def test_forwarding_verified_with_the_code_after_a_resend(page: Page, server, mailbox):
    _, link = invited(server, mailbox)
    begin(page, link)
    charter_and_directory(page)
    page.get_by_label("Rediriger mes messages vers une autre adresse").check()
    page.get_by_label("Adresse de redirection").fill("camille@ailleurs.example")
    page.get_by_label("Conserver une copie dans ma boîte universitaire").uncheck()
    page.get_by_role("button", name="Suivant").click()
    first = mailbox.wait_for("camille@ailleurs.example", VERIFICATION)

    page.get_by_role("button", name="Renvoyer le courriel").click()
    expect(page.get_by_role("status").first).to_contain_text("Un nouveau courriel a été envoyé")
    second = mailbox.wait_for("camille@ailleurs.example", VERIFICATION, after=1)

    if code_in(first) != code_in(second):
        page.get_by_label("Code reçu par courriel").fill(code_in(first))
        page.get_by_role("button", name="Valider le code").click()
        expect(page.get_by_role("alert")).to_contain_text("Ce code ne correspond pas")
    page.get_by_label("Code reçu par courriel").fill(code_in(second))
    page.get_by_role("button", name="Valider le code").click()
    choose_password(page)
    expect(page.get_by_text("Vers camille@ailleurs.example, sans copie")).to_be_visible()


def test_resume_on_another_device_with_the_same_link(page: Page, browser, server, mailbox):
    _, link = invited(server, mailbox)
    begin(page, link)
    charter_and_directory(page)
    page.context.close()

    desktop = browser.new_context(locale="fr-FR")
    try:
        again = desktop.new_page()
        again.goto(link)
        again.get_by_role("button", name="Commencer l'activation").click()
        expect(again.get_by_role("heading", level=1)).to_have_text("Messagerie")
        # Finished steps stay reachable; a later one is not.
        again.get_by_role("link", name=re.compile("Charte")).click()
        charter_box = again.get_by_label("J'ai lu la charte et je m'engage à la respecter")
        expect(charter_box).to_be_checked()
        again.goto(f"{server.url}/etapes/mot-de-passe")
        expect(again.get_by_role("heading", level=1)).to_have_text("Messagerie")
    finally:
        desktop.close()


def test_expired_link_then_first_login_then_finish(page: Page, server, mailbox):
    login = server.add_person("Marie", "Le Goff", "marie.legoff@exemple.fr")
    # An operator's link that is already past its lifetime.
    server.wizard("invite", login, extra_env={"WIZARD_LINK_VALID_DAYS": "-1"})
    expired = link_in(mailbox.wait_for("marie.legoff@exemple.fr", ACTIVATION), "/activation/")

    page.goto(expired)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien a expiré")
    page.get_by_role("link", name="Recevoir un nouveau lien").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1ère connexion")
    page.get_by_label("Adresse personnelle, adresse universitaire ou identifiant").fill(
        "marie.le-goff@univ-test.fr")
    page.get_by_role("button", name="Recevoir un nouveau lien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande enregistrée")

    fresh = link_in(mailbox.wait_for("marie.legoff@exemple.fr", ACTIVATION, after=1),
                    "/activation/")
    assert fresh != expired
    begin(page, fresh)
    charter_and_directory(page)
    page.get_by_role("button", name="Suivant").click()
    choose_password(page)


def test_old_link_refused_once_the_new_one_is_opened(page: Page, server, mailbox):
    login, old = invited(server, mailbox)
    time.sleep(1.1)  # past the (test-sized) cooldown between two mails
    page.goto(f"{server.url}/premiere-connexion")
    page.get_by_label("Adresse personnelle, adresse universitaire ou identifiant").fill(login)
    page.get_by_role("button", name="Recevoir un nouveau lien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande enregistrée")
    fresh = link_in(mailbox.wait_for("camille.lefevre@exemple.org", ACTIVATION, after=1),
                    "/activation/")
    assert fresh != old

    # Asking (which anyone can do with a login) leaves the earlier link working; opening
    # the new one retires it.
    page.goto(old)
    expect(page.get_by_role("button", name="Commencer l'activation")).to_be_visible()
    begin(page, fresh)
    page.goto(old)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien a été remplacé")


def test_first_login_answers_the_same_for_an_unknown_identifier(page: Page, server, mailbox):
    page.goto(f"{server.url}/premiere-connexion")
    page.get_by_label("Adresse personnelle, adresse universitaire ou identifiant").fill("personne")
    page.get_by_role("button", name="Recevoir un nouveau lien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande enregistrée")
    assert mailbox.messages == []


def test_a_link_pasted_with_a_trailing_bracket_and_dot_opens(page: Page, server, mailbox):
    _, link = invited(server, mailbox)
    begin(page, f"{link}).")
    expect(page).to_have_url(f"{server.url}/etapes/charte")
