"""A throw-away OpenLDAP server for the directory tests: Debian's slapd as an ordinary
process on a free port, with its own cn=config (mdb, the argon2 module, the ppolicy overlay
with a default policy, the SupAnn test schema in tests/directory/supann-test.ldif).

Imported by name (`from slapd_server import Slapd`), like harness.py: the directory tests
and the browser tests both use it. `Slapd.available()` says why it cannot run here; the
fixtures fail instead of skipping when SESAME_REQUIRE_LDAP=1 (CI).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from tls_material import TlsFiles, make_certificate

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMAS = Path("/etc/ldap/schema")
SUPANN_TEST_SCHEMA = Path(__file__).resolve().parent / "directory" / "supann-test.ldif"

BASE = "dc=univ-test,dc=fr"
PEOPLE = f"ou=people,{BASE}"
ADMIN_DN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "admin-secret"
SERVICE_DN = f"cn=sesame,ou=services,{BASE}"
SERVICE_PASSWORD = "service-secret"
POLICY_DN = f"cn=default,ou=policies,{BASE}"
MIN_LENGTH = 12
IN_HISTORY = 5


def unavailable_reason() -> str | None:
    """Why the directory tests cannot run here, or None."""
    if not Path(SLAPD).exists():
        return f"slapd not found at {SLAPD} (apt-get install slapd ldap-utils)"
    if shutil.which("ldapwhoami") is None:
        return "ldapwhoami not found (apt-get install ldap-utils)"
    try:
        import ldap  # noqa: F401
    except ImportError:
        return ("python-ldap is not installed (apt-get install libldap2-dev libsasl2-dev, "
                "then pip install -e '.[ldap]')")
    return None


def require_slapd() -> None:
    """Skip (locally) or fail (SESAME_REQUIRE_LDAP=1, CI) when slapd cannot run here."""
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get("SESAME_REQUIRE_LDAP") == "1":
        pytest.fail(f"SESAME_REQUIRE_LDAP=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config_ldif(folder: Path, tls: TlsFiles | None) -> str:
    tls_lines = "" if tls is None else (
        f"olcTLSCACertificateFile: {tls.ca}\nolcTLSCertificateFile: {tls.certificate}\n"
        f"olcTLSCertificateKeyFile: {tls.key}\n")
    includes = "\n".join(f"include: file://{path}" for path in (
        SCHEMAS / "core.ldif", SCHEMAS / "cosine.ldif", SCHEMAS / "inetorgperson.ldif",
        SUPANN_TEST_SCHEMA))
    return f"""\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {folder}/slapd.pid
olcArgsFile: {folder}/slapd.args
{tls_lines}
dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: argon2
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

{includes}

dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend
olcPasswordHash: {{ARGON2}}

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcAccess: {{0}}to * by * none

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcDbDirectory: {folder}/data
olcSuffix: {BASE}
olcRootDN: {ADMIN_DN}
olcRootPW: {ADMIN_PASSWORD}
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: supannEmpId eq
olcDbIndex: supannRefId eq
olcAccess: {{0}}to attrs=userPassword by dn.exact="{SERVICE_DN}" write by self write
  by anonymous auth by * none
olcAccess: {{1}}to * by dn.exact="{SERVICE_DN}" manage by self read by users read
  by * none

dn: olcOverlay={{0}}ppolicy,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {{0}}ppolicy
olcPPolicyDefault: {POLICY_DN}
olcPPolicyUseLockout: TRUE
"""


BASE_ENTRIES = f"""\
dn: {BASE}
objectClass: dcObject
objectClass: organization
dc: univ-test
o: Universite de test

dn: {PEOPLE}
objectClass: organizationalUnit
ou: people

dn: ou=services,{BASE}
objectClass: organizationalUnit
ou: services

dn: ou=policies,{BASE}
objectClass: organizationalUnit
ou: policies

dn: {SERVICE_DN}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: sesame
userPassword: {SERVICE_PASSWORD}

dn: {POLICY_DN}
objectClass: organizationalRole
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdMinLength: {MIN_LENGTH}
pwdCheckQuality: 1
pwdInHistory: {IN_HISTORY}
pwdLockout: TRUE
pwdMaxFailure: 5
"""


class Slapd:
    """One slapd on a free port, its configuration and data under `folder`. With `tls`, it
    also offers StartTLS there and LDAPS on `ldaps_url`, with a certificate of a test CA
    (`ca_file`)."""

    def __init__(self, folder: Path, *, tls: bool = False):
        self.folder = Path(folder)
        self.port = _free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        self.tls = make_certificate(self.folder / "tls") if tls else None
        self.ca_file = str(self.tls.ca) if self.tls else ""
        self.ldaps_port = _free_port() if tls else None
        self.ldaps_url = f"ldaps://127.0.0.1:{self.ldaps_port}" if tls else ""
        self.base, self.people = BASE, PEOPLE
        self.service_dn, self.service_password = SERVICE_DN, SERVICE_PASSWORD
        self._process: subprocess.Popen | None = None
        self._configure()

    def _configure(self) -> None:
        (self.folder / "slapd.d").mkdir(parents=True, exist_ok=True)
        (self.folder / "data").mkdir()
        config = self.folder / "config.ldif"
        config.write_text(_config_ldif(self.folder, self.tls))
        entries = self.folder / "base.ldif"
        entries.write_text(BASE_ENTRIES)
        for number, ldif in (("0", config), ("1", entries)):
            subprocess.run([SLAPADD, "-n", number, "-F", str(self.folder / "slapd.d"),
                            "-l", str(ldif)], check=True, capture_output=True)

    def start(self) -> Slapd:
        """Start serving on `url` (the same port and data after a stop)."""
        if self._process is not None:
            return self
        listen = self.url + "/" + (f" {self.ldaps_url}/" if self.ldaps_url else "")
        with open(self.folder / "slapd.log", "ab") as log:
            self._process = subprocess.Popen(
                [SLAPD, "-d", "0", "-F", str(self.folder / "slapd.d"), "-h", listen],
                stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError("slapd stopped: " + (self.folder / "slapd.log").read_text())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("slapd did not start")

    @property
    def pid(self) -> int:
        """The running slapd's process id."""
        assert self._process is not None
        return self._process.pid

    def stop(self) -> None:
        """Stop serving (SIGTERM; the data stays)."""
        if self._process is None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    # Arranging and asserting, as the directory's administrator.

    def admin(self):
        """A python-ldap connection bound as the directory's root."""
        import ldap
        connection = ldap.initialize(self.url)
        connection.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        return connection

    def add_person(self, login: str, *, sn="Dupont", given="Jean", matricule=None,
                   ref_id=None, **extra) -> str:
        """A provisioned entry (as an IdM would create it, without a password)."""
        import ldap.modlist
        dn = f"uid={login},{self.people}"
        attributes: dict[str, list[bytes]] = {
            "objectClass": [b"inetOrgPerson", b"eduPerson", b"supannPerson",
                            b"sesameAccount"],
            "uid": [login.encode()], "cn": [f"{given} {sn}".encode()],
            "sn": [sn.encode()], "givenName": [given.encode()],
        }
        if matricule:
            attributes["supannEmpId"] = [matricule.encode()]
        if ref_id:
            attributes["supannRefId"] = [ref_id.encode()]
        for name, value in extra.items():
            attributes[name] = [v.encode() for v in (value if isinstance(value, list)
                                                     else [value])]
        connection = self.admin()
        try:
            connection.add_s(dn, ldap.modlist.addModlist(attributes))
        finally:
            connection.unbind_s()
        return dn

    def entry(self, login: str) -> dict[str, list[str]] | None:
        """The entry with `uid=login` under people, its attributes (operational ones too)
        as text, or None."""
        import ldap
        connection = self.admin()
        try:
            found = connection.search_s(self.people, ldap.SCOPE_ONELEVEL,
                                        f"(uid={login})", ["*", "+"])
        finally:
            connection.unbind_s()
        if not found:
            return None
        _, attributes = found[0]
        return {name: [v.decode(errors="replace") for v in values]
                for name, values in attributes.items()}

    def whoami(self, dn: str, password: str) -> subprocess.CompletedProcess:
        """`ldapwhoami -x -D dn -w password`: a bind as the person, as any service does."""
        return subprocess.run(["ldapwhoami", "-x", "-H", self.url, "-D", dn, "-w", password],
                              capture_output=True, text=True, timeout=10)


def ldap_config(slapd: Slapd, **overrides) -> dict:
    """The settings of an app writing to `slapd`."""
    return {"DIRECTORY": "ldap", "LDAP_URL": slapd.url, "LDAP_BIND_DN": slapd.service_dn,
            "LDAP_BIND_PASSWORD": slapd.service_password, "LDAP_BASE_DN": slapd.base,
            "LDAP_PEOPLE_DN": slapd.people, "LDAP_TIMEOUT": 2.0,
            "LDAP_ATTRIBUTES": {"keep_copy": "mailKeepCopy", "charter": "sesameCharte",
                                "activated": "sesameActive"},
            "LDAP_OBJECT_CLASSES": ["inetOrgPerson", "eduPerson", "supannPerson",
                                    "sesameAccount"],
            **overrides}
