"""Filters and DNs built from HR's data are escaped (ASVS 1.2.6): a matricule or a login
holding LDAP syntax finds nothing and creates nothing unexpected."""

from datetime import UTC, datetime

import pytest
from slapd_server import ldap_config

from wizard.directory import AccountRecord
from wizard.directory.ldap import LdapDirectory, settings_from_config


def directory_for(slapd, **overrides):
    from wizard.config import DEFAULTS
    return LdapDirectory(None, settings_from_config({**DEFAULTS, "MAIL_DOMAIN": "univ-test.fr",
                                                     **ldap_config(slapd, **overrides)}))


@pytest.mark.parametrize("find_by", ["login", "supannEmpId", "supannRefId"])
@pytest.mark.parametrize("hostile", ["*", "*)(uid=*", "jdupont)(|(uid=*", "\\2a", "x\x00"])
def test_ldap_syntax_in_hr_data_matches_nothing(slapd, find_by, hostile):
    slapd.add_person("jdupont", matricule="12345", ref_id="{SIHAM}12345")
    directory = directory_for(slapd, LDAP_FIND_BY=find_by)
    try:
        assert directory.find(hostile, hostile) is None
    finally:
        directory.close()


def test_a_created_entry_s_dn_is_escaped(slapd):
    directory = directory_for(slapd, LDAP_ENTRIES="created",
                              LDAP_OBJECT_CLASSES=["inetOrgPerson", "eduPerson",
                                                   "supannPerson"])
    record = AccountRecord(person_id=1, login="a,ou=services", email="a@univ-test.fr",
                           listed=True, forward_to=None, keep_copy=None, password_hash="",
                           first_name="A", last_name="B",
                           password="Cheval agrafe pile 42 lune")
    directory.write_account(record, datetime.now(UTC))
    admin = slapd.admin()
    try:
        found = admin.search_s(slapd.base, 2, "(uid=a,ou=services)", ["1.1"])
    finally:
        admin.unbind_s()
    assert [dn for dn, _ in found] == [f"uid=a\\2Cou\\3Dservices,{slapd.people}"]
