"""The Active Directory password write (unicodePwd over LDAPS, userAccountControl),
against a real Samba AD DC provisioned for the module (about 20 s)."""

from datetime import UTC, datetime

import pytest
from samba_ad import ADMIN_DN, ADMIN_PASSWORD, BASE, USERS, SambaAD, require_samba

from wizard.directory import AccountRecord, PasswordRefused
from wizard.directory.ldap import LdapDirectory, LdapSettings

PASSWORD = "Cheval agrafe pile 42 lune"


@pytest.fixture(scope="module")
def samba(tmp_path_factory):
    require_samba()
    server = SambaAD(tmp_path_factory.mktemp("samba-ad")).start()
    yield server
    server.stop()


@pytest.fixture
def directory(samba):
    settings = LdapSettings(
        url=samba.url, bind_dn=ADMIN_DN, bind_password=ADMIN_PASSWORD, base_dn=BASE,
        people_dn=USERS, ca_file=str(samba.ca_file), login_attribute="sAMAccountName",
        password_method="active_directory",
        attributes={"liste_rouge": "none", "forward_to": "none", "recovery": "otherMailbox"})
    found = LdapDirectory(None, settings)
    yield found
    found.close()


def record(login, password):
    return AccountRecord(person_id=1, login=login, email=f"{login}@univ-test.fr",
                         listed=True, forward_to=None, keep_copy=None, password_hash="",
                         password=password)


def test_the_password_is_written_and_the_account_enabled(samba, directory):
    samba.add_disabled_user("jdupont")
    assert not samba.binds("jdupont", PASSWORD)
    directory.write_account(record("jdupont", PASSWORD), datetime.now(UTC))
    assert samba.binds("jdupont", PASSWORD)
    directory.apply("jdupont", None, {"recovery": "jean@exemple.org"}, datetime.now(UTC))


def test_the_domain_policy_refusal_is_a_reason(samba, directory):
    samba.add_disabled_user("mlegoff")
    with pytest.raises(PasswordRefused) as refused:
        directory.write_account(record("mlegoff", "court"), datetime.now(UTC))
    assert refused.value.reason == "too_short"


def test_a_departed_person_is_disabled(samba, directory):
    samba.add_disabled_user("apaul")
    directory.write_account(record("apaul", PASSWORD), datetime.now(UTC))
    assert samba.binds("apaul", PASSWORD)
    directory.apply("apaul", None, {"locked": True}, datetime.now(UTC))
    assert not samba.binds("apaul", PASSWORD)


def test_check_over_ldaps(samba, directory):
    samba.add_disabled_user("echeck")
    lines = directory.check()
    assert all(ok for ok, _ in lines), lines
    assert any("Une entrée lue" in line for _, line in lines)
