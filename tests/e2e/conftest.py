"""Browser tests: a real server (gunicorn) on a free port, a real SMTP server (aiosmtpd),
a real Chromium driven by Playwright. Mail is read from SMTP, never from the database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from harness import SERVER_SECRET_KEY, start_gunicorn
from smtp_mailbox import Mailbox

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SYSTEM_CHROMIUM = "/usr/bin/chromium"

E2E = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    """Every test under tests/e2e/ is a browser test: `-m browser` selects exactly these.

    (A conftest's `pytestmark` marks nothing: only a test module's own does.)
    """
    for item in items:
        if E2E in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A French browser, as most staff have: pages follow the browser's language.

    Playwright's default is en-US. `browser.new_context()` does not read these arguments:
    give it `locale="fr-FR"` (or use the `new_context` fixture), or `"en-GB"` for English.
    """
    return {**browser_context_args, "locale": "fr-FR"}


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
    log_path: Path

    @property
    def port(self) -> int:
        """The port the wizard listens on."""
        return int(self.url.rsplit(":", 1)[1])

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

    def log(self) -> str:
        """Everything the server printed so far (every start of it)."""
        return self.log_path.read_text()

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: no handler runs, nothing is flushed."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def start(self) -> None:
        """Start gunicorn (two workers) on the same port and database; wait until it answers."""
        self.process = _start_gunicorn(self.url, self.env, self.log_path)

    def stop(self) -> None:
        """Stop gunicorn gracefully (SIGTERM), or kill it if it hangs."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


def _start_gunicorn(url: str, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    try:
        return start_gunicorn(url, env, log_path)
    except AssertionError as error:
        pytest.fail(str(error))


@pytest.fixture
def server_environment() -> dict[str, str]:
    """Settings a test module adds to the server's environment (override the fixture)."""
    return {}


@pytest.fixture
def server(tmp_path, mailbox, server_environment):
    """gunicorn serving the wizard on a free port, with a fresh database and real SMTP."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "WIZARD_INSTANCE_PATH": str(tmp_path / "instance"),
        "WIZARD_DATABASE": str(tmp_path / "wizard.sqlite3"),
        "WIZARD_SECRET_KEY": SERVER_SECRET_KEY,
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
        **server_environment,
    }
    log_path = tmp_path / "server.log"
    running = Server(url=url, env=env, process=_start_gunicorn(url, env, log_path),
                     log_path=log_path)
    yield running
    running.stop()
    output = running.log()
    assert "Traceback" not in output, f"the server logged an error:\n{output}"
