"""The directory over TLS (a slapd with a test CA's certificate): StartTLS and LDAPS with
WIZARD_LDAP_CA_FILE, a certificate the CA file does not vouch for refused."""

import pytest
from harness import TEST_CONFIG, People, Visitor
from slapd_server import Slapd, ldap_config, require_slapd

from wizard import create_app
from wizard.db import connect

PASSWORD = "Cheval agrafe pile 42 lune"


@pytest.fixture
def tls_slapd(tmp_path):
    require_slapd()
    server = Slapd(tmp_path / "tls-slapd", tls=True).start()
    yield server
    server.stop()


@pytest.fixture
def build(tmp_path, isolated_configuration, clock, tls_slapd):
    def app_with(**overrides):
        return create_app({**TEST_CONFIG, "DATABASE": str(tmp_path / "tls.sqlite3"),
                           "CLOCK": clock, **ldap_config(tls_slapd, **overrides)})
    return app_with


def check(app):
    result = app.test_cli_runner().invoke(args=["directory", "check"])
    return result.exit_code, result.output


def test_starttls_with_the_ca_file(build, tls_slapd):
    tls_slapd.add_person("jdupont")
    code, output = check(build(LDAP_STARTTLS=True, LDAP_CA_FILE=tls_slapd.ca_file))
    assert code == 0, output
    assert "✓ StartTLS accepté\u00a0: la connexion est chiffrée." in output
    assert "non chiffrée" not in output


def test_ldaps_with_the_ca_file(build, tls_slapd):
    tls_slapd.add_person("jdupont")
    code, output = check(build(LDAP_URL=tls_slapd.ldaps_url, LDAP_CA_FILE=tls_slapd.ca_file))
    assert code == 0, output


def test_a_certificate_the_ca_file_does_not_vouch_for(build, tls_slapd, tmp_path):
    code, output = check(build(LDAP_STARTTLS=True))  # the system's CAs: not our test CA
    assert code == 1
    assert "✗ TLS refusé" in output
    code, output = check(build(LDAP_URL=tls_slapd.ldaps_url))
    assert code == 1
    assert "✗ TLS refusé ou annuaire injoignable" in output


def test_an_activation_over_ldaps(build, tls_slapd):
    app = build(LDAP_URL=tls_slapd.ldaps_url, LDAP_CA_FILE=tls_slapd.ca_file)
    dn = tls_slapd.add_person("jdupont")
    database = connect(app.config["DATABASE"])
    try:
        visitor = Visitor(app.test_client())
        visitor.reach(People(app, database), "mot-de-passe")
        assert visitor.choose_password(PASSWORD).headers["Location"] == "/etapes/termine"
    finally:
        database.close()
    assert tls_slapd.whoami(dn, PASSWORD).returncode == 0
