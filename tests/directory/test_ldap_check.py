"""`wizard directory check`: what is wrong, in French (against a real slapd)."""

import pytest
from harness import TEST_CONFIG
from slapd_server import ldap_config

from wizard import create_app


def check(make_app_for, **overrides):
    app = make_app_for(**overrides)
    result = app.test_cli_runner().invoke(args=["directory", "check"])
    return result.exit_code, result.output


@pytest.fixture
def make_app_for(tmp_path, isolated_configuration, clock, slapd):
    def build(**overrides):
        return create_app({**TEST_CONFIG, "DATABASE": str(tmp_path / "check.sqlite3"),
                           "CLOCK": clock, **ldap_config(slapd, **overrides)})
    return build


def test_a_good_configuration(make_app_for, slapd):
    slapd.add_person("jdupont")
    code, output = check(make_app_for)
    assert code == 1, output  # the connection is not encrypted: said, and a failure
    assert f"✓ Connecté à {slapd.url}" in output
    assert f"✓ Base « {slapd.base} » trouvée." in output
    assert f"✓ Une entrée lue\u00a0: uid=jdupont,{slapd.people}." in output
    assert "✓ Schéma\u00a0: les attributs écrits par Sésame existent." in output
    assert "✓ Modification de mot de passe (RFC 3062) disponible." in output
    assert "✓ Politique de mots de passe (ppolicy) annoncée." in output
    assert "✗ Connexion non chiffrée" in output


def test_a_wrong_password(make_app_for, slapd):
    code, output = check(make_app_for, LDAP_BIND_PASSWORD="not the password")
    assert code == 1
    assert (f"✗ Connexion refusée pour le compte de service « {slapd.service_dn} »\u00a0: "
            "mot de passe erroné") in output


def test_a_password_file(make_app_for, slapd, tmp_path):
    secret = tmp_path / "bind-password"
    secret.write_text(slapd.service_password + "\n")
    slapd.add_person("jdupont")
    code, output = check(make_app_for, LDAP_BIND_PASSWORD="", LDAP_BIND_PASSWORD_FILE=str(secret))
    assert "✓ Connecté à" in output


def test_a_wrong_base(make_app_for):
    code, output = check(make_app_for, LDAP_BASE_DN="dc=ailleurs,dc=fr",
                         LDAP_PEOPLE_DN="")
    assert code == 1
    assert ("✗ Base introuvable\u00a0: « dc=ailleurs,dc=fr » n'existe pas dans l'annuaire"
            in output)


def test_tls_required_but_refused(make_app_for):
    code, output = check(make_app_for, LDAP_STARTTLS=True)
    assert code == 1
    assert "✗ TLS refusé\u00a0: l'annuaire n'accepte pas StartTLS" in output
    assert "Connecté" not in output  # nothing sent in clear, not even the bind


def test_a_directory_down(make_app_for, slapd):
    slapd.stop()
    code, output = check(make_app_for)
    assert code == 1
    assert f"✗ Annuaire injoignable à {slapd.url}" in output


def test_missing_attributes_are_named(make_app_for, slapd):
    slapd.add_person("jdupont")
    code, output = check(make_app_for, LDAP_ATTRIBUTES={"forward_to": "qmailForward"})
    assert "✗ Absent du schéma de l'annuaire\u00a0: qmailForward." in output




def test_hr_import_says_who_lacks_an_entry(app, slapd, tmp_path):
    slapd.add_person("jndiaye", matricule="2026001")  # found by login
    export = tmp_path / "rh.csv"
    export.write_text("Matricule;Nom;Prénom;Mail personnel\n"
                      "2026001;N'Diaye;Jean-Éric;je.ndiaye@exemple.net\n"
                      "2026002;Le Goff;Marie;\n", encoding="utf-8")
    runner = app.test_cli_runner()
    for extra in (["--dry-run"], []):
        result = runner.invoke(args=["import-staff", str(export), "--check-directory", *extra])
        assert result.exit_code == 0, result.output
        assert "Annuaire\u00a0: 1 personne sans entrée" in result.output
        assert "ligne 3\u00a0: Marie Le Goff, matricule 2026002, identifiant mlegoff" \
            in result.output
        assert "jndiaye" not in result.output.split("Annuaire")[-1]
    slapd.add_person("mlegoff")
    result = runner.invoke(args=["import-staff", str(export), "--check-directory"])
    assert "Annuaire\u00a0: chaque personne du fichier a son entrée." in result.output
