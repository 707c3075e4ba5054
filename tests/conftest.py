"""Fixtures shared by the unit and integration tests: a fresh app and database per test."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from wizard import create_app, db, enrolment
from wizard.audit import CLI
from wizard.cli import add_person
from wizard.runtime import compose, settings

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

CHEAP_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8, "ARGON2_PARALLELISM": 1}


@pytest.fixture
def app(tmp_path: Path):
    """An app on a fresh SQLite file, CSRF on, no delivery thread."""
    app = create_app({
        "TESTING": True,
        "DATABASE": str(tmp_path / "wizard.sqlite3"),
        "SECRET_KEY": "test-secret",
        "BASE_URL": "https://sesame.univ-test.fr",
        "MAIL_BACKEND": "outbox",
        "MAIL_DELIVERY_THREAD": False,
        "MAIL_DOMAIN": "univ-test.fr",
        **CHEAP_ARGON2,
    })
    yield app


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def database(app):
    """A connection to the app's database, for arranging and asserting."""
    connection = db.connect(app.config["DATABASE"])
    yield connection
    connection.close()


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
            issued = enrolment.send_activation_link(self.db, settings(), compose, person,
                                                    now=now or datetime.now(UTC),
                                                    origin=CLI, reason="test")
        return issued.secret


@pytest.fixture
def staff(app, database):
    """Helper to create people and links."""
    return People(app, database)


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
        if forward_to:
            data.update({"forward": "y", "forward_to": forward_to})
        return self.post("/etapes/messagerie", data)

    def choose_password(self, password="Cheval agrafe pile 42 lune", confirmation=None):
        return self.post("/etapes/mot-de-passe", {
            "password": password,
            "confirmation": password if confirmation is None else confirmation})


@pytest.fixture
def visitor(client):
    """A person using the wizard."""
    return Visitor(client)


def rows(database, sql, params=()):
    """Query helper returning a list of dicts."""
    return list(database.query(sql, list(params)))
