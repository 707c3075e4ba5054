"""Two browsers on the same link: the first to finish activates; the other is told so."""

from __future__ import annotations

import sqlite3

from argon2 import PasswordHasher
from playwright.sync_api import expect
from test_activation import (
    PASSPHRASE,
    begin,
    charter_and_directory,
    choose_password,
    invited,
)

OTHER_PASSPHRASE = "Tortue violon sable 77 nuage"


def test_the_second_browser_is_told_the_account_was_activated_elsewhere(
        page, new_context, server, mailbox):
    login, link = invited(server, mailbox)
    begin(page, link)
    charter_and_directory(page)
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe")

    other = new_context().new_page()
    other.goto(link)
    other.get_by_role("button", name="Commencer l'activation").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Mot de passe")

    choose_password(page)  # browser A finishes first
    expect(page.get_by_role("alert")).to_have_count(0)

    other.get_by_label("Nouveau mot de passe").fill(OTHER_PASSPHRASE)
    other.get_by_label("Confirmation du mot de passe").fill(OTHER_PASSPHRASE)
    other.get_by_role("button", name="Activer mon compte").click()
    expect(other.get_by_role("alert")).to_contain_text(
        "Votre compte avait déjà été activé depuis une autre fenêtre ou un autre appareil")
    expect(other.get_by_role("alert")).to_contain_text("votre mot de passe reste celui choisi")
    expect(other.get_by_role("alert")).to_contain_text("Si ce n'était pas vous")
    expect(other.get_by_text("le mot de passe que vous venez de choisir")).to_have_count(0)

    # Only A's password is stored.
    with sqlite3.connect(server.env["WIZARD_DATABASE"]) as db:
        (stored,) = db.execute("SELECT password_hash FROM accounts WHERE login = ?",
                               [login]).fetchone()
    assert PasswordHasher().verify(stored, PASSPHRASE)
