"""With the institution's LDAP directory (a real slapd): a person activates in a real
browser, then binds to the directory with the new password; the directory's refusals and
outages are said on the password step, and the same person finishes once it is back."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import Page, expect
from slapd_server import Slapd, require_slapd
from test_activation import PASSPHRASE, begin, charter_and_directory, invited

OTHER = "Tortue violette sous 7 parapluies"


@pytest.fixture
def slapd(tmp_path):
    require_slapd()
    server = Slapd(tmp_path / "slapd").start()
    yield server
    server.stop()


@pytest.fixture
def server_environment(slapd):
    return {
        "WIZARD_DIRECTORY": "ldap", "WIZARD_LDAP_URL": slapd.url,
        "WIZARD_LDAP_BIND_DN": slapd.service_dn,
        "WIZARD_LDAP_BIND_PASSWORD": slapd.service_password,
        "WIZARD_LDAP_BASE_DN": slapd.base, "WIZARD_LDAP_PEOPLE_DN": slapd.people,
        "WIZARD_LDAP_TIMEOUT": "2",
        "WIZARD_LDAP_ATTRIBUTES": json.dumps({"keep_copy": "mailKeepCopy",
                                              "charter": "sesameCharte",
                                              "activated": "sesameActive"}),
    }


def password_step(page: Page, password: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe")
    page.get_by_label("Nouveau mot de passe").fill(password)
    page.get_by_label("Confirmation du mot de passe").fill(password)
    page.get_by_role("button", name="Activer mon compte").click()


def reach_password(page: Page, server, mailbox) -> str:
    login, link = invited(server, mailbox)
    begin(page, link)
    charter_and_directory(page)
    page.get_by_role("button", name="Suivant").click()  # mail: no forwarding
    return login


def entry_when(slapd: Slapd, login: str, attribute: str, timeout: float = 10) -> dict:
    """The entry once the mail worker's pass applied the queued choices."""
    deadline = time.monotonic() + timeout
    while True:
        entry = slapd.entry(login) or {}
        if attribute in entry or time.monotonic() > deadline:
            return entry
        time.sleep(0.1)


def test_activation_lands_in_the_directory_and_the_person_can_bind(page: Page, server,
                                                                    mailbox, slapd):
    dn = slapd.add_person("clefevre", sn="Lefèvre", given="Camille")
    reach_password(page, server, mailbox)
    password_step(page, PASSPHRASE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre compte est activé")
    bound = slapd.whoami(dn, PASSPHRASE)
    assert bound.returncode == 0 and bound.stdout.strip() == f"dn:{dn}", bound.stderr
    entry = entry_when(slapd, "clefevre", "sesameActive")
    assert entry["supannListeRouge"] == ["TRUE"]  # « Non, je m'inscris sur liste rouge »
    assert entry["supannMailPerso"] == ["camille.lefevre@exemple.org"]
    assert entry["sesameActive"] == ["TRUE"]
    assert entry["sesameCharte"][0].startswith("2026-09:")
    assert "mailForwardingAddress" not in entry
    assert "Écritures en attente" in server.wizard("status", "clefevre")


def test_a_password_in_the_directory_history_is_refused_in_french(page: Page, server,
                                                                  mailbox, slapd):
    dn = slapd.add_person("clefevre", sn="Lefèvre", given="Camille")
    admin = slapd.admin()
    admin.passwd_s(dn, None, PASSPHRASE)  # the IdM's first password
    admin.unbind_s()
    reach_password(page, server, mailbox)
    password_step(page, PASSPHRASE)
    expect(page.get_by_role("alert")).to_contain_text(
        "L'annuaire de l'établissement refuse ce mot de passe\u00a0: il a déjà été utilisé "
        "pour ce compte.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe")
    password_step(page, OTHER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre compte est activé")
    assert slapd.whoami(dn, OTHER).returncode == 0


def test_directory_down_at_the_password_step_then_back(page: Page, server, mailbox, slapd):
    dn = slapd.add_person("clefevre", sn="Lefèvre", given="Camille")
    reach_password(page, server, mailbox)
    slapd.stop()
    password_step(page, PASSPHRASE)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("L'annuaire de l'établissement ne répond pas pour le moment")
    expect(alert).to_contain_text("Réessayez dans quelques minutes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe")
    assert "en attente d'activation" in server.wizard("status", "clefevre")
    slapd.start()
    password_step(page, PASSPHRASE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre compte est activé")
    assert slapd.whoami(dn, PASSPHRASE).returncode == 0
