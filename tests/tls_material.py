"""A test CA and a server certificate for 127.0.0.1 and localhost (openssl), for the
directory servers the tests run with TLS (slapd, Samba AD)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    certificate: Path
    key: Path


def _run(*args: str, cwd: Path) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=60, cwd=cwd)


def make_certificate(folder: Path) -> TlsFiles:
    """A CA, and a certificate it signed for 127.0.0.1 and localhost, under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
         "-out", "ca.pem", "-days", "2", "-subj", "/CN=Sesame test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=keyCertSign,cRLSign", cwd=folder)
    _run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
         "-out", "req.csr", "-subj", "/CN=localhost", cwd=folder)
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                    "extendedKeyUsage=serverAuth\n")
    _run("openssl", "x509", "-req", "-in", "req.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "cert.pem", "-days", "2", "-extfile", "ext.cnf",
         cwd=folder)
    (folder / "key.pem").chmod(0o600)
    return TlsFiles(ca=folder / "ca.pem", certificate=folder / "cert.pem",
                    key=folder / "key.pem")
