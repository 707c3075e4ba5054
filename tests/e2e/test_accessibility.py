"""axe-core on every page and every state of the wizard, on a phone-sized screen (320 px:
the width WCAG's reflow criterion asks for, also what 1280 px at 400 % zoom gives) and on
a desktop one. Zero violations, and never a horizontal scroll bar."""

from __future__ import annotations

import re

from a11y import assert_accessible
from playwright.sync_api import expect
from pypdf import PdfReader
from smtp_mailbox import code_in, link_in
from test_activation import ACTIVATION, PASSPHRASE, VERIFICATION, invited

PHONE = {"width": 320, "height": 640}


def heading(page):
    return page.get_by_role("heading", level=1)


def test_every_state_of_the_link_path_on_a_phone(new_context, server, mailbox):
    context = new_context(viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(server.url)
        for summary in page.locator("summary").all():  # the FAQ, opened
            summary.click()
        assert_accessible(page, "start page, FAQ open")

        page.get_by_role("link", name=re.compile("1ère connexion.*nouveau lien")).click()
        page.get_by_role("button", name="Recevoir un nouveau lien").click()
        expect(page.get_by_role("alert")).to_be_visible()
        assert_accessible(page, "1ère connexion, error shown")
        page.get_by_label(
            "Adresse personnelle, adresse universitaire ou identifiant").fill("personne")
        page.get_by_role("button", name="Recevoir un nouveau lien").click()
        expect(heading(page)).to_have_text("Demande enregistrée")
        assert_accessible(page, "1ère connexion, request recorded")

        page.goto(f"{server.url}/activation/inconnu")
        assert_accessible(page, "unknown link")
        page.goto(f"{server.url}/nulle-part")
        assert_accessible(page, "404")
        page.goto(f"{server.url}/etapes/charte")
        expect(heading(page)).to_have_text("Ouvrez d'abord votre lien d'activation")
        assert_accessible(page, "no session")

        _, link = invited(server, mailbox)
        page.goto(link)
        assert_accessible(page, "activation link")
        page.get_by_role("button", name="Commencer l'activation").click()
        expect(heading(page)).to_have_text("Charte informatique")
        assert_accessible(page, "charter")
        page.get_by_role("button", name="Suivant").click()
        expect(page.get_by_role("alert")).to_be_visible()
        assert_accessible(page, "charter, error shown")
        page.get_by_label("J'ai lu la charte et je m'engage à la respecter").check()
        page.get_by_role("button", name="Suivant").click()

        expect(heading(page)).to_have_text("Annuaire")
        page.get_by_role("button", name="Suivant").click()
        expect(page.get_by_role("alert")).to_be_visible()
        assert_accessible(page, "directory, error shown")
        page.get_by_label("Non, je m'inscris sur liste rouge").check()
        page.get_by_role("button", name="Suivant").click()

        expect(heading(page)).to_have_text("Messagerie")
        assert_accessible(page, "mail")
        page.get_by_label("Rediriger mes messages vers une autre adresse").check()
        page.get_by_label("Adresse de redirection").fill("pas une adresse")
        page.get_by_role("button", name="Suivant").click()
        expect(page.get_by_role("alert")).to_be_visible()
        assert_accessible(page, "mail, error shown")
        page.get_by_label("Adresse de redirection").fill("camille@ailleurs.example")
        page.get_by_role("button", name="Suivant").click()

        expect(heading(page)).to_have_text("Vérifiez votre adresse de redirection")
        assert_accessible(page, "verification waiting")
        page.get_by_label("Code reçu par courriel").fill("000000")
        page.get_by_role("button", name="Valider le code").click()
        expect(page.get_by_role("alert")).to_be_visible()
        assert_accessible(page, "verification, wrong code")
        page.get_by_role("button", name="Renvoyer le courriel").click()
        expect(page.locator(".notices")).to_contain_text("Un nouveau courriel a été envoyé")
        assert_accessible(page, "verification, mail sent again")

        message = mailbox.wait_for("camille@ailleurs.example", VERIFICATION, after=1)
        other = context.new_page()
        other.goto(link_in(message, "/verification/"))
        assert_accessible(other, "verification link")
        other.get_by_role("button", name="Confirmer cette adresse").click()
        expect(heading(other)).to_have_text("Adresse confirmée")
        assert_accessible(other, "address verified")
        other.close()

        expect(heading(page)).to_have_text("Mot de passe", timeout=15_000)
        assert_accessible(page, "password")
        page.get_by_label("Nouveau mot de passe").press_sequentially("soleil", delay=20)
        expect(page.locator("#force")).to_contain_text("Robustesse")
        assert_accessible(page, "password, strength feedback shown")
        page.get_by_label("Nouveau mot de passe").fill(PASSPHRASE)
        page.get_by_label("Confirmation du mot de passe").fill("autre chose")
        page.get_by_role("button", name="Activer mon compte").click()
        expect(page.get_by_role("alert")).to_be_visible()
        assert_accessible(page, "password, refused")
        page.get_by_label("Nouveau mot de passe").fill(PASSPHRASE)
        page.get_by_label("Confirmation du mot de passe").fill(PASSPHRASE)
        page.get_by_role("button", name="Activer mon compte").click()

        expect(heading(page)).to_have_text("Votre compte est activé")
        assert_accessible(page, "done")
        page.goto(link)
        expect(heading(page)).to_have_text("Ce lien a déjà servi")
        assert_accessible(page, "link already used")
    finally:
        context.close()


def test_expired_link_sesame_path_and_errors_on_a_desktop(page, server, mailbox, tmp_path):
    login = server.add_person("Marie", "Le Goff", "marie.legoff@exemple.fr")
    server.wizard("invite", login, extra_env={"WIZARD_LINK_VALID_DAYS": "-1"})
    expired = link_in(mailbox.wait_for("marie.legoff@exemple.fr", ACTIVATION), "/activation/")
    page.goto(expired)
    expect(heading(page)).to_have_text("Ce lien a expiré")
    assert_accessible(page, "expired link")
    page.goto(f"{server.url}/verification/inconnu")
    assert_accessible(page, "unknown verification link")

    # The sésame path: a person without a personal address, and their letter.
    out = server.wizard("add-person", "--first-name", "Yann", "--last-name", "Kerbrat")
    sesame_login = out.split()[0]
    letters = tmp_path / "courriers.pdf"
    server.wizard("sesame", sesame_login, "--letters", str(letters))
    text = PdfReader(letters).pages[0].extract_text()
    sesame = re.search(r"Sésame\s*:?\s*([A-Z0-9]{5} [A-Z0-9]{5})", text).group(1)

    page.goto(f"{server.url}/sesame")
    assert_accessible(page, "sésame page")
    page.get_by_label("Identifiant").fill(sesame_login)
    page.get_by_label("Sésame (code provisoire)").fill("AAAAA BBBBB")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("alert")).to_contain_text("Identifiant ou sésame incorrect")
    assert_accessible(page, "sésame refused")
    page.get_by_label("Identifiant").fill(sesame_login)
    page.get_by_label("Sésame (code provisoire)").fill(sesame)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("J'ai lu la charte et je m'engage à la respecter").check()
    page.get_by_role("button", name="Suivant").click()
    page.get_by_label("Oui, je figure dans l'annuaire public").check()
    page.get_by_role("button", name="Suivant").click()

    expect(heading(page)).to_have_text("Adresse de secours")
    assert_accessible(page, "recovery address")
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "recovery address, error shown")
    page.get_by_label("Adresse électronique personnelle").fill("yann@perso.example")
    page.get_by_role("button", name="Suivant").click()
    expect(heading(page)).to_have_text("Vérifiez votre adresse de secours")
    assert_accessible(page, "recovery verification waiting")
    message = mailbox.wait_for("yann@perso.example", "Confirmez votre adresse de secours")
    page.get_by_label("Code reçu par courriel").fill(code_in(message))
    page.get_by_role("button", name="Valider le code").click()
    expect(heading(page)).to_have_text("Messagerie")
    assert_accessible(page, "mail, sésame path")
