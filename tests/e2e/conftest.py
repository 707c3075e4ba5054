"""Browser tests: a real server (gunicorn) on a free port, a real SMTP server (aiosmtpd),
a real Chromium driven by Playwright. Mail is read from SMTP, never from the database."""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SYSTEM_CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.browser


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use Debian's Chromium when present (CI installs it), Playwright's own otherwise.

    The flags keep Chromium from reaching out to the network this machine does not have.
    """
    args = dict(browser_type_launch_args)
    if Path(SYSTEM_CHROMIUM).exists():
        args["executable_path"] = SYSTEM_CHROMIUM
    elif os.environ.get("SESAME_REQUIRE_BROWSER"):
        pytest.fail(f"Chromium not found at {SYSTEM_CHROMIUM}: CI must run the browser tests")
    args["args"] = [*args.get("args", []), "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--disable-sync", "--disable-quic"]
    return args


@dataclass
class Mailbox:
    """Every message the SMTP server received, with a way to wait for one."""

    messages: list[EmailMessage] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, subject: str, *, after: int = 0,
                 timeout: float = 15) -> EmailMessage:
        """The first message to `to` whose subject contains `subject`, skipping `after`."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                found = [m for m in self.messages
                         if to in m["To"] and subject in m["Subject"]]
                if len(found) > after:
                    return found[after]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(m["To"], m["Subject"]) for m in self.messages]
                    raise AssertionError(f"no mail « {subject} » to {to}; received: {seen}")
                self.arrived.wait(remaining)

    def count(self, to: str, subject: str) -> int:
        """How many messages to `to` with `subject` arrived so far."""
        with self.arrived:
            return sum(1 for m in self.messages if to in m["To"] and subject in m["Subject"])


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a mail."""
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage, path: str) -> str:
    """The first URL in the mail's text whose path starts with `path`."""
    match = re.search(r"https?://\S+" + re.escape(path) + r"\S+", text_of(message))
    assert match, f"no {path} link in:\n{text_of(message)}"
    return match.group(0)


def code_in(message: EmailMessage) -> str:
    """The 6-digit verification code of a mail."""
    match = re.search(r"\b(\d{6})\b", text_of(message))
    assert match, "no code in the mail"
    return match.group(1)


@pytest.fixture
def mailbox():
    """A real SMTP server on a free port, collecting what it receives."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port  # type: ignore[attr-defined]
    yield box
    controller.stop()


@dataclass
class Server:
    """The running wizard, and the operator's command line on the same database."""

    url: str
    env: dict[str, str]
    process: subprocess.Popen

    def wizard(self, *args: str, extra_env: dict[str, str] | None = None) -> str:
        """Run a `wizard` command as an operator would; return its output."""
        result = subprocess.run([str(BIN / "wizard"), *args], env={**self.env, **(extra_env or {})},
                                capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert result.returncode == 0, f"wizard {' '.join(args)} failed:\n{result.stderr}"
        return result.stdout

    def add_person(self, first: str, last: str, personal: str) -> str:
        """Register a pending person; return the login given."""
        out = self.wizard("add-person", "--first-name", first, "--last-name", last,
                          "--personal-email", personal)
        return out.split()[0]


@pytest.fixture
def server(tmp_path, mailbox):
    """gunicorn serving the wizard on a free port, with a fresh database and real SMTP."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "WIZARD_INSTANCE_PATH": str(tmp_path / "instance"),
        "WIZARD_DATABASE": str(tmp_path / "wizard.sqlite3"),
        "WIZARD_SECRET_KEY": "browser-tests",
        "WIZARD_BASE_URL": url,
        "WIZARD_MAIL_BACKEND": "smtp",
        "WIZARD_SMTP_HOST": "127.0.0.1",
        "WIZARD_SMTP_PORT": str(mailbox.port),
        "WIZARD_MAIL_POLL_SECONDS": "0.2",
        "WIZARD_MAIL_DOMAIN": "univ-test.fr",
        "WIZARD_RESEND_COOLDOWN_SECONDS": "1",
        "WIZARD_ARGON2_TIME_COST": "1",
        "WIZARD_ARGON2_MEMORY_KIB": "1024",
        "WIZARD_ARGON2_PARALLELISM": "1",
    }
    log = open(tmp_path / "server.log", "w+")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--no-control-socket", "--bind",
         f"127.0.0.1:{port}", "wizard:create_app()"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.seek(0)
            pytest.fail(f"the wizard did not start:\n{log.read()}")
        time.sleep(0.1)
    yield Server(url=url, env=env, process=process)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.seek(0)
    output = log.read()
    log.close()
    assert "Traceback" not in output, f"the server logged an error:\n{output}"

