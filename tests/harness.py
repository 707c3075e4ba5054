"""The tests' helpers: the test configuration, arranging people, a visitor clicking through
the wizard, and readers of pages, tables and mails.

Imported by name (`from harness import page`) rather than from conftest: tests/e2e has its
own conftest.py, and pytest lets only one module be called `conftest` at a time.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as email_policy
from pathlib import Path
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup

from wizard import db
from wizard.activation import first_login
from wizard.activation.audit import CLI
from wizard.clock import SYSTEM, Clock
from wizard.operators.cli import add_person
from wizard.web.services import app_services, clock, compose, context

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

# The running test's clock (the `clock` fixture sets it): tests arrange times with `now()`
# and `today()`, never with the wall clock, so they pass with the clock years ahead.
CURRENT_CLOCK: list[Clock] = [SYSTEM]


def now() -> datetime:
    """The running test's time, by the apps' clock."""
    return CURRENT_CLOCK[0].now()


def today(timezone: str = "Europe/Paris") -> date:
    """The running test's date in `timezone`, by the apps' clock."""
    return now().astimezone(ZoneInfo(timezone)).date()

CHEAP_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8, "ARGON2_PARALLELISM": 1}

BASE_URL = "https://sesame.univ-test.fr"

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "tests-only-" + "5f0c2b7e9a4d1c3b8e6f0a2d4c6b8e0f",
    "BASE_URL": BASE_URL,
    "MAIL_BACKEND": "outbox",
    "MAIL_DELIVERY_THREAD": False,
    "MAIL_DOMAIN": "univ-test.fr",
    **CHEAP_ARGON2,
}


class People:
    """Arrange people and links directly through the domain services."""

    def __init__(self, app, database):
        self.app = app
        self.db = database

    def add(self, first="Jean", last="Dupont", personal="jean.dupont@exemple.org"):
        """A pending person."""
        with self.app.app_context(), db.transaction(self.db):
            return add_person(self.db, first, last, personal, NOW)

    def link(self, person, *, now=None) -> str:
        """Send an activation link (as `invite` would) and return its secret."""
        with self.app.test_request_context(), db.transaction(self.db):
            issued = first_login.send_activation_link(
                self.db, app_services().settings, compose, person,
                now=now or clock().now(), origin=CLI, reason="test")
        return issued.secret


def page(response) -> BeautifulSoup:
    """Parse a response's HTML."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csrf_of(response) -> str:
    """The CSRF token of the first form on a page."""
    field = page(response).find("input", {"name": "csrf_token"})
    assert field is not None, "no CSRF token on the page"
    return field["value"]


class Visitor:
    """A person clicking through the wizard with the Flask test client."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data=None, *, form_url=None, **kwargs):
        """POST with the CSRF token read from the page at `form_url` (default: `url`)."""
        token = csrf_of(self.client.get(form_url or url))
        return self.client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)

    def begin(self, secret):
        return self.post(f"/activation/{secret}")

    def through_charter(self):
        return self.post("/etapes/charte", {"accept": "y"})

    def through_directory(self, listed="non"):
        return self.post("/etapes/annuaire", {"listed": listed})

    def through_mail(self, forward_to=None, keep_copy=True):
        data = {"keep_copy": "y"} if keep_copy else {}
        data["forward"] = "non"
        if forward_to:
            data.update({"forward": "oui", "forward_to": forward_to})
        return self.post("/etapes/messagerie", data)

    def choose_password(self, password="Cheval agrafe pile 42 lune", confirmation=None):
        return self.post("/etapes/mot-de-passe", {
            "password": password,
            "confirmation": password if confirmation is None else confirmation})

    def type_code(self, code):
        return self.post("/etapes/messagerie/verification/code", {"code": code},
                         form_url="/etapes/messagerie/verification")

    def resend_verification(self):
        return self.post("/etapes/messagerie/verification/renvoyer",
                         form_url="/etapes/messagerie/verification")

    def give_up_forwarding(self):
        return self.post("/etapes/messagerie/verification/abandonner",
                         form_url="/etapes/messagerie/verification")

    def reach(self, staff, step: str, **person):
        """A new person's link opened, then every step before `step` answered.

        `step` is one of charte, annuaire, messagerie, verification, mot-de-passe, termine;
        `verification` forwards to an unproven address. Returns the person.
        """
        order = ["charte", "annuaire", "messagerie", "verification", "mot-de-passe",
                 "termine"]
        target = order.index(step)
        someone = staff.add(**person)
        assert self.begin(staff.link(someone)).status_code == 303
        actions = [
            self.through_charter,
            self.through_directory,
            lambda: self.through_mail(OTHER_ADDRESS if step == "verification" else None),
            lambda: None,
            self.choose_password,
        ]
        for action in actions[:target]:
            response = action()
            assert response is None or response.status_code == 303, main_text(response)
        return someone


def rows(database, sql, params=()):
    """Query helper returning a list of dicts."""
    return list(database.query(sql, list(params)))


OTHER_ADDRESS = "jean.autre@ailleurs.net"


def main_text(response) -> str:
    """The visible text of a page's <main>, whitespace collapsed."""
    main = page(response).find("main") or page(response)
    return " ".join(main.get_text(" ").split())


def dump(database) -> dict[str, list[dict]]:
    """Every row of every table, to compare the whole database before and after."""
    return {table: rows(database, f"SELECT * FROM [{table}] ORDER BY rowid")
            for table in database.table_names()}


def enrolment_of(database, person) -> dict:
    """The enrolment row of a person."""
    found = rows(database, "SELECT * FROM enrolments WHERE person_id = ?", [person.id])
    assert len(found) == 1, found
    return found[0]


def mails(database, kind=None) -> list[dict]:
    """Outbox rows, oldest first, optionally of one kind."""
    if kind is None:
        return rows(database, "SELECT * FROM outbox ORDER BY id")
    return rows(database, "SELECT * FROM outbox WHERE kind = ? ORDER BY id", [kind])


def link_in(body: str, prefix: str) -> str:
    """The secret of the first `BASE_URL + prefix` link in a mail body."""
    found = re.search(re.escape(BASE_URL + prefix) + r"([A-Za-z0-9_-]+)", body)
    assert found, f"no {prefix} link in {body!r}"
    return found.group(1)


def code_in(body: str) -> str:
    """The 6-digit verification code in a mail body."""
    found = re.search(r"(?<![\w-])(\d{6})(?![\w-])", body)
    assert found, f"no code in {body!r}"
    return found.group(1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Relay:
    """A real SMTP server (aiosmtpd) on a free port, recording what it receives.

    It starts down (nothing listens on `port`); `up()` starts it, `down()` stops it.
    `refuse_with` set to an SMTP reply makes it refuse every message with that reply;
    addresses in `unknown_users` are refused at RCPT with a permanent 550.
    """

    def __init__(self):
        self.port = free_port()
        self.received: list[EmailMessage] = []
        self.refuse_with: str | None = None
        self.unknown_users: set[str] = set()
        self._controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.unknown_users:
            return "550 5.1.1 User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.refuse_with:
            return self.refuse_with
        self.received.append(message_from_bytes(envelope.content, policy=email_policy))
        return "250 OK"

    def up(self) -> Relay:
        """Start listening on `port`."""
        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()
        return self

    def down(self) -> None:
        """Stop listening."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def errors(response) -> list[str]:
    """The error messages shown beside the fields of a page."""
    return [" ".join(p.get_text(" ").split()) for p in page(response).select("p.error")]


def summary(response) -> list[str]:
    """The messages of the error summary at the top of a form."""
    return [" ".join(li.get_text(" ").split())
            for li in page(response).select(".error-summary li")]


def failed_rules(response) -> list[str]:
    """The password rules marked as not met, as a screen reader says them: those of the
    refused password after a submit, else the live checklist's."""
    html = page(response)
    failed = html.select(".refused-password li.check-ko") or html.select("li.check-ko")
    for hidden in [tag for li in failed for tag in li.select('[aria-hidden="true"]')]:
        hidden.decompose()
    return [" ".join(li.get_text(" ").split()) for li in failed]


def login_key(app, login: str) -> str:
    """The key under which `app` counts a typed login's failures (a keyed hash)."""
    from wizard.activation import attempts

    return attempts.key(login, app_services(app).settings.code_key)


def handle_link_requests(app) -> int:
    """Run the mail worker's handling of « 1ère connexion » requests, as its thread would."""
    connection = db.connect(app.config["DATABASE"])
    try:
        with app.app_context():
            return first_login.handle_link_requests(context(CLI, db=connection))
    finally:
        connection.close()


# A real server, for the tests that fire requests in parallel ------------------------------

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent

# Long enough for the production check (32 bytes at least), and never a sample value.
SERVER_SECRET_KEY = "tests-only-" + "5f0c2b7e9a4d1c3b8e6f0a2d4c6b8e0f"


def start_gunicorn(url: str, env: dict[str, str], log_path: Path, workers: int = 2,
                   host: str = "127.0.0.1") -> subprocess.Popen:
    """Start gunicorn (two workers, four threads each) on `url`'s port, listening on
    `host`; wait until it answers."""
    port = url.rsplit(":", 1)[1]
    with open(log_path, "a") as log:
        # Its own process group, so that a kill reaches the workers too.
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", "4",
             "--no-control-socket", "--bind", f"{host}:{port}", "wizard:create_app()"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the wizard did not start:\n{log_path.read_text()}")
        time.sleep(0.1)


def stop_gunicorn(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL the whole group if it hangs."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@dataclass
class LiveServer:
    """A running gunicorn and its database file."""

    url: str
    database_path: Path
    log_path: Path

    def connect(self):
        """A connection to the server's database, for arranging and asserting."""
        return db.connect(self.database_path)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    """One HTTP answer, as a test reads it."""

    status: int
    location: str
    text: str


class HttpBrowser:
    """One browser (its own cookies) talking to a real server over HTTP; no redirects
    followed, so a 303 is seen as such."""

    def __init__(self, url: str, ip: str | None = None):
        self.url = url
        self.ip = ip  # sent as X-Forwarded-For, for a server trusting one proxy hop
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def _open(self, request: urllib.request.Request) -> Answer:
        if self.ip:
            request.add_header("X-Forwarded-For", self.ip)
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(response.status, response.headers.get("Location", ""),
                              response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers.get("Location", ""),
                          error.read().decode())

    def get(self, path: str) -> Answer:
        return self._open(urllib.request.Request(self.url + path))

    def post(self, path: str, form: dict | None = None, *, form_path: str | None = None,
             token: str | None = None) -> Answer:
        """POST with the CSRF token of the page at `form_path` (default: `path`)."""
        token = token or self.csrf(form_path or path)
        body = urllib.parse.urlencode({"csrf_token": token, **(form or {})}).encode()
        return self._open(urllib.request.Request(self.url + path, data=body, method="POST"))

    def csrf(self, path: str) -> str:
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path).text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)


def in_parallel(count: int, action) -> list:
    """Run `action(i)` for i in range(count) on `count` threads released together."""
    start = threading.Barrier(count)

    def run(index):
        start.wait()
        return action(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))
