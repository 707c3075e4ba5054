"""A throw-away Samba Active Directory domain controller for the AD tests: provisioned with
`samba-tool domain provision` (about 15 s here) in a temporary folder, LDAPS on 127.0.0.1:636
with a certificate of our own CA, only the LDAP service. Needs root and Debian's `samba`
and `samba-ad-dc`; `require_samba()` skips with the reason, or fails when
SESAME_REQUIRE_SAMBA=1 (CI)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from tls_material import make_certificate

REALM, DOMAIN = "UNIV-TEST.FR", "UNIVTEST"
BASE = "DC=univ-test,DC=fr"
USERS = f"CN=Users,{BASE}"
ADMIN_DN = f"CN=Administrator,{USERS}"
ADMIN_PASSWORD = "Sesame-Adm1n!"


def unavailable_reason() -> str | None:
    if shutil.which("samba-tool") is None or shutil.which("samba") is None:
        return "samba-tool not found (apt-get install samba samba-ad-dc)"
    if os.geteuid() != 0:
        return "a Samba AD DC runs as root"
    if shutil.which("openssl") is None:
        return "openssl not found"
    for port in (389, 636):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return f"port {port} is taken on 127.0.0.1"
    return None


def require_samba() -> None:
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get("SESAME_REQUIRE_SAMBA") == "1":
        pytest.fail(f"SESAME_REQUIRE_SAMBA=1 but {reason}")
    pytest.skip(reason)


def _run(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=240, cwd=cwd)


class SambaAD:
    """One Samba AD DC under `folder`."""

    url = "ldaps://127.0.0.1:636"

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.conf = self.folder / "dc" / "etc" / "smb.conf"
        self.ca_file = self.folder / "tls" / "ca.pem"
        self._process: subprocess.Popen | None = None
        self._provision()

    def _provision(self) -> None:
        tls = make_certificate(self.folder / "tls")
        _run("samba-tool", "domain", "provision", f"--realm={REALM}", f"--domain={DOMAIN}",
             "--server-role=dc", "--dns-backend=NONE", f"--adminpass={ADMIN_PASSWORD}",
             f"--targetdir={self.folder / 'dc'}", "--option=server services = ldap",
             "--option=interfaces = lo", "--option=bind interfaces only = yes",
             "--option=tls enabled = yes", f"--option=tls keyfile = {tls.key}",
             f"--option=tls certfile = {tls.certificate}", f"--option=tls cafile = {tls.ca}")

    def start(self) -> SambaAD:
        with open(self.folder / "samba.log", "ab") as log:
            self._process = subprocess.Popen(
                ["samba", "-i", "-M", "single", "-s", str(self.conf)],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", 636)) == 0:
                    return self
            if self._process.poll() is not None:
                raise RuntimeError((self.folder / "samba.log").read_text())
            time.sleep(0.2)
        raise RuntimeError("samba did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def add_disabled_user(self, login: str) -> str:
        """A user as the IdM provisions it: a random password, disabled until activation."""
        _run("samba-tool", "user", "add", login, "--random-password", "-s", str(self.conf))
        _run("samba-tool", "user", "disable", login, "-s", str(self.conf))
        return f"CN={login},{USERS}"

    def binds(self, login: str, password: str) -> bool:
        """Whether a simple bind as the user over LDAPS (userPrincipalName) succeeds, as any
        service authenticating against the domain does (AD has no WhoAmI operation)."""
        import ldap
        connection = ldap.initialize(self.url)
        connection.set_option(ldap.OPT_X_TLS_CACERTFILE, str(self.ca_file))
        connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        try:
            connection.simple_bind_s(f"{login}@univ-test.fr", password)
            return True
        except ldap.INVALID_CREDENTIALS:
            return False
        finally:
            connection.unbind_s()
