"""The throw-away slapd the directory tests run against: SupAnn schema, argon2, ppolicy."""

from slapd_server import IN_HISTORY, MIN_LENGTH


def test_the_test_directory_has_supann_argon2_and_a_password_policy(slapd):
    dn = slapd.add_person("jdupont", matricule="12345", ref_id="{SIHAM}12345",
                          supannListeRouge="TRUE")
    entry = slapd.entry("jdupont")
    assert entry["supannEmpId"] == ["12345"] and entry["supannRefId"] == ["{SIHAM}12345"]
    admin = slapd.admin()
    policy = admin.search_s("cn=default,ou=policies," + slapd.base, 0)[0][1]
    admin.unbind_s()
    assert policy["pwdMinLength"] == [str(MIN_LENGTH).encode()]
    assert policy["pwdInHistory"] == [str(IN_HISTORY).encode()]
    assert slapd.whoami(dn, "anything").returncode != 0  # no password yet
