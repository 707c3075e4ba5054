"""Activation writes to the institution's LDAP directory (a real slapd): the password by
RFC 3062 under the directory's ppolicy, the choices through the queue, both ways of working
(entries provisioned by the IdM, entries created by Sésame)."""

from datetime import timedelta

import pytest
from harness import OTHER_ADDRESS, Visitor, code_in, errors, mails, main_text, now, rows

from wizard import passwords
from wizard.clock import to_iso
from wizard.web.services import apply_directory_queue

pytestmark = pytest.mark.dates

PASSWORD = "Cheval agrafe pile 42 lune"


def sync(app, database):
    """The mail worker's directory pass."""
    with app.app_context():
        return apply_directory_queue(database, app)


def dn_of(slapd, login):
    return f"uid={login},{slapd.people}"


def test_provisioned_entry_found_by_login_gets_the_password_and_the_choices(
        app, slapd, staff, visitor, database):
    slapd.add_person("jdupont")
    person = visitor.reach(staff, "mot-de-passe")
    response = visitor.choose_password(PASSWORD)
    assert response.headers["Location"] == "/etapes/termine", main_text(response)
    assert slapd.whoami(dn_of(slapd, "jdupont"), PASSWORD).returncode == 0
    assert sync(app, database).applied == 1
    entry = slapd.entry("jdupont")
    assert entry["supannListeRouge"] == ["TRUE"]  # « non » on the directory step
    assert entry["supannMailPerso"] == ["jean.dupont@exemple.org"]
    assert entry["sesameActive"] == ["TRUE"]
    assert entry["sesameCharte"][0].startswith("2026-09:")
    assert "mailForwardingAddress" not in entry
    assert entry["userPassword"][0].startswith("{ARGON2}")  # hashed by slapd itself
    # No copy of the password, nor of a hash, in the wizard's own database.
    assert rows(database, "SELECT * FROM accounts") == []
    assert rows(database, "SELECT status FROM people WHERE id = ?",
                [person.id]) == [{"status": "active"}]
    assert len(mails(database, "activated")) == 1


def test_forwarding_and_keep_copy_are_written(app, slapd, staff, visitor, database):
    slapd.add_person("jdupont")
    visitor.reach(staff, "verification")
    (mail,) = [m for m in mails(database) if m["to_addr"] == OTHER_ADDRESS]
    visitor.type_code(code_in(mail["body_text"]))
    visitor.choose_password(PASSWORD)
    sync(app, database)
    entry = slapd.entry("jdupont")
    assert entry["mailForwardingAddress"] == [OTHER_ADDRESS]
    assert entry["mailKeepCopy"] == ["TRUE"]


@pytest.mark.app_config(LDAP_FIND_BY="supannRefId")
def test_provisioned_entry_found_by_supann_ref_id(app, slapd, staff, visitor, database):
    # The IdM named the entry after something else than the login: the matricule finds it.
    slapd.add_person("p12345", ref_id="{SIHAM}12345")
    person = staff.add()
    database.execute("UPDATE people SET matricule = '12345' WHERE id = ?", [person.id])
    visitor.begin(staff.link(person))
    visitor.through_charter()
    visitor.through_directory("oui")
    visitor.through_mail()
    assert visitor.choose_password(PASSWORD).headers["Location"] == "/etapes/termine"
    assert slapd.whoami(dn_of(slapd, "p12345"), PASSWORD).returncode == 0


@pytest.mark.app_config(LDAP_FIND_BY="supannEmpId")
def test_provisioned_entry_found_by_supann_emp_id(app, slapd, staff, visitor, database):
    slapd.add_person("agent42", matricule="42")
    person = staff.add()
    database.execute("UPDATE people SET matricule = '42' WHERE id = ?", [person.id])
    visitor.begin(staff.link(person))
    visitor.through_charter()
    visitor.through_directory("oui")
    visitor.through_mail()
    assert visitor.choose_password(PASSWORD).headers["Location"] == "/etapes/termine"
    assert slapd.whoami(dn_of(slapd, "agent42"), PASSWORD).returncode == 0
    sync(app, database)
    assert slapd.entry("agent42")["supannListeRouge"] == ["FALSE"]


@pytest.mark.app_config(LDAP_ENTRIES="created")
def test_entry_created_at_activation(app, slapd, staff, visitor, database):
    person = staff.add()
    database.execute("UPDATE people SET matricule = '777' WHERE id = ?", [person.id])
    visitor.begin(staff.link(person))
    visitor.through_charter()
    visitor.through_directory("non")
    visitor.through_mail()
    assert visitor.choose_password(PASSWORD).headers["Location"] == "/etapes/termine"
    entry = slapd.entry("jdupont")
    assert set(entry["objectClass"]) >= {"inetOrgPerson", "eduPerson", "supannPerson"}
    assert entry["cn"] == ["Jean Dupont"] and entry["sn"] == ["Dupont"]
    assert entry["givenName"] == ["Jean"] and entry["displayName"] == ["Jean Dupont"]
    assert entry["mail"] == ["jean.dupont@univ-test.fr"]
    assert entry["eduPersonPrincipalName"] == ["jdupont@univ-test.fr"]
    assert entry["supannAliasLogin"] == ["jdupont"]
    assert entry["supannEmpId"] == ["777"] and entry["supannRefId"] == ["{SIHAM}777"]
    assert entry["supannListeRouge"] == ["TRUE"]
    assert entry["supannMailPerso"] == ["jean.dupont@exemple.org"]
    assert slapd.whoami(dn_of(slapd, "jdupont"), PASSWORD).returncode == 0


def test_provisioned_mode_without_an_entry_changes_nothing(app, slapd, staff, visitor,
                                                           database):
    person = visitor.reach(staff, "mot-de-passe")
    response = visitor.choose_password(PASSWORD)
    assert response.status_code == 422
    assert "L'annuaire de l'établissement ne répond pas" in " ".join(errors(response))
    assert rows(database, "SELECT status FROM people WHERE id = ?",
                [person.id]) == [{"status": "pending"}]


def test_password_in_the_directory_history_is_refused_in_french_and_english(
        app, slapd, staff, visitor, database):
    # The IdM gave the entry a first password; choosing it again is refused by ppolicy.
    dn = slapd.add_person("jdupont")
    admin = slapd.admin()
    admin.passwd_s(dn, None, PASSWORD)
    admin.unbind_s()
    person = visitor.reach(staff, "mot-de-passe")
    response = visitor.choose_password(PASSWORD)
    assert response.status_code == 422
    assert ("L'annuaire de l'établissement refuse ce mot de passe : il a déjà été "
            "utilisé pour ce compte.") in " ".join(errors(response))
    assert rows(database, "SELECT status FROM people WHERE id = ?",
                [person.id]) == [{"status": "pending"}]
    assert rows(database, "SELECT * FROM directory_writes") == []
    english = Visitor(visitor.client)
    visitor.client.set_cookie("sesame_langue", "en")  # the switcher's cookie
    response = english.choose_password(PASSWORD)
    assert "has already been used for this account" in " ".join(errors(response))
    # Another password goes through, the other answers kept.
    other = "Tortue violette sous 7 parapluies"
    assert visitor.choose_password(other).headers["Location"] == "/etapes/termine"
    assert slapd.whoami(dn, other).returncode == 0


def test_password_too_short_for_the_directory(app, slapd, staff, visitor):
    slapd.add_person("jdupont")
    admin = slapd.admin()
    admin.modify_s("cn=default,ou=policies," + slapd.base,
                   [(2, "pwdMinLength", [b"40"])])  # MOD_REPLACE
    admin.unbind_s()
    visitor.reach(staff, "mot-de-passe")
    response = visitor.choose_password(PASSWORD)
    assert "il est trop court pour sa politique" in " ".join(errors(response))


def test_directory_down_at_the_password_step_then_back(app, slapd, staff, visitor, database):
    slapd.add_person("jdupont")
    person = visitor.reach(staff, "mot-de-passe")
    before = rows(database, "SELECT * FROM tokens WHERE person_id = ?", [person.id])
    slapd.stop()
    response = visitor.choose_password(PASSWORD)
    assert response.status_code == 422
    text = " ".join(errors(response))
    assert "L'annuaire de l'établissement ne répond pas pour le moment" in text
    assert "01 23 45 67 89" in text  # the helpdesk's contacts
    assert rows(database, "SELECT * FROM tokens WHERE person_id = ?", [person.id]) == before
    assert rows(database, "SELECT status FROM people WHERE id = ?",
                [person.id]) == [{"status": "pending"}]
    assert mails(database, "activated") == []
    slapd.start()
    assert visitor.choose_password(PASSWORD).headers["Location"] == "/etapes/termine"
    assert slapd.whoami(dn_of(slapd, "jdupont"), PASSWORD).returncode == 0


@pytest.mark.app_config(LDAP_PASSWORD_METHOD="argon2", ARGON2_TIME_COST=1,
                        ARGON2_MEMORY_KIB=1024, ARGON2_PARALLELISM=1)
def test_argon2_option_writes_the_wizard_hash(app, slapd, staff, visitor):
    slapd.add_person("jdupont")
    visitor.reach(staff, "mot-de-passe")
    assert visitor.choose_password(PASSWORD).headers["Location"] == "/etapes/termine"
    assert slapd.entry("jdupont")["userPassword"][0].startswith("{ARGON2}$argon2id$")
    assert slapd.whoami(dn_of(slapd, "jdupont"), PASSWORD).returncode == 0
    assert slapd.whoami(dn_of(slapd, "jdupont"), "wrong one").returncode != 0


def test_the_sesame_path_writes_the_verified_recovery_address(app, slapd, staff, visitor,
                                                              database):
    sesame = "K7PX4MWQ9R"
    person = staff.add(first="Paul", last="Martin", personal=None)
    database.execute(
        "UPDATE people SET sesame_hash = ?, sesame_expires_at = ? WHERE id = ?",
        [passwords.hasher(time_cost=1, memory_kib=8, parallelism=1).hash(sesame),
         to_iso(now() + timedelta(days=30)), person.id])
    slapd.add_person(person.login, sn="Martin", given="Paul")
    visitor.post("/sesame", {"login": person.login, "sesame": sesame})
    visitor.through_charter()
    visitor.through_directory("oui")
    visitor.post("/etapes/adresse-de-secours", {"address": "paul@perso.example"})
    (message,) = mails(database, "verification_recovery")
    visitor.post("/etapes/adresse-de-secours/verification/code",
                 {"code": code_in(message["body_text"])},
                 form_url="/etapes/adresse-de-secours/verification")
    visitor.through_mail()
    assert visitor.choose_password(PASSWORD).headers["Location"] == "/etapes/termine"
    sync(app, database)
    entry = slapd.entry(person.login)
    assert entry["supannMailPerso"] == ["paul@perso.example"]
    assert entry["supannListeRouge"] == ["FALSE"]
    assert slapd.whoami(dn_of(slapd, person.login), PASSWORD).returncode == 0
