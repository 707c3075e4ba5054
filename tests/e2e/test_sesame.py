"""A new staff member without a personal address activates with the letter's sésame."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from smtp_mailbox import code_in, text_of
from test_activation import choose_password

EXPORT = """Matricule;Nom;Prénom;Date de naissance;Catégorie;Composante / Service;Mail personnel
2026102;Le Goff;Marie;27/06/1991;BIATSS;Bibliothèque universitaire;
"""


def test_import_letter_sesame_and_recovery_address(page: Page, server, mailbox, tmp_path):
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="cp1252")
    assert "Nouveaux" in server.wizard("import-staff", str(export))
    letters = tmp_path / "courriers.pdf"
    server.wizard("sesame", "--all", "--letters", str(letters))

    (letter,) = PdfReader(letters).pages
    text = letter.extract_text()
    login = re.search(r"Identifiant\s*:?\s*(\S+)", text).group(1)
    sesame = re.search(r"Sésame\s*:?\s*([A-Z0-9]{5} [A-Z0-9]{5})", text).group(1)

    page.goto(server.url)
    page.get_by_role("link", name="activer mon compte avec mon sésame").click()
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Sésame (code provisoire)").fill("AAAAA BBBBB")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("alert")).to_contain_text("Identifiant ou sésame incorrect")
    page.get_by_label("Sésame (code provisoire)").fill(sesame)
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Charte informatique")
    page.get_by_label("J'ai lu la charte et je m'engage à la respecter").check()
    page.get_by_role("button", name="Suivant").click()
    page.get_by_label("Oui, je figure dans l'annuaire public").check()
    page.get_by_role("button", name="Suivant").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Adresse de secours")
    page.get_by_label("Adresse électronique personnelle").fill("marie@perso.example")
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vérifiez votre adresse de secours")
    message = mailbox.wait_for("marie@perso.example", "Confirmez votre adresse de secours")
    page.get_by_label("Code reçu par courriel").fill(code_in(message))
    page.get_by_role("button", name="Valider le code").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Messagerie")
    page.get_by_label("Rediriger mes messages vers une autre adresse").check()
    expect(page.get_by_label("Adresse de redirection")).to_have_value("marie@perso.example")
    page.get_by_role("button", name="Suivant").click()  # already verified: no second check
    expect(page.get_by_text("Étape 5 sur 6")).to_be_visible()
    choose_password(page)
    # The done page counts the same six steps and lists every choice, the recovery
    # address included; so does the notice.
    expect(page.get_by_text("Étape 6 sur 6")).to_be_visible()
    summary = page.locator("dl.summary")
    expect(summary).to_contain_text("Adresse de secours")
    expect(summary.locator("dt", has_text="Adresse de secours").locator("+ dd")).to_have_text(
        "marie@perso.example (vérifiée)")
    notice = text_of(mailbox.wait_for("marie@perso.example", "Votre compte a été activé"))
    assert "Adresse de secours\u00a0: marie@perso.example" in notice
