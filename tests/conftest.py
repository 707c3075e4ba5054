"""Fixtures shared by the unit and integration tests: a fresh app and database per test.

The helpers tests import by name live in harness.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import harness
import pytest
from harness import (
    SERVER_SECRET_KEY,
    TEST_CONFIG,
    LiveServer,
    People,
    Relay,
    Visitor,
    free_port,
    start_gunicorn,
    stop_gunicorn,
)

from wizard import create_app, db, passwords
from wizard.clock import SYSTEM, Clock, FrozenClock
from wizard.config import ROOT


def pytest_addoption(parser):
    parser.addoption(
        "--clock-shift-days", type=int,
        default=int(os.environ.get("SESAME_CLOCK_SHIFT_DAYS", "0")),
        help="run the apps' clock this many days ahead of the wall clock (make test runs "
             "the tests marked `dates` again with it years ahead)")


def pytest_configure(config):
    # The password-strength word index, opened once for the whole run from the project's
    # instance folder (built there the first time), as create_app would per process.
    passwords.install(ROOT / "instance")


@pytest.fixture(autouse=True)
def clock(request, pytestconfig) -> Iterator[Clock]:
    """The apps' clock: the wall clock (shifted by --clock-shift-days), or, for a test
    marked `@pytest.mark.clock_at(moment)`, a clock standing at `moment`."""
    marker = request.node.get_closest_marker("clock_at")
    if marker is not None:
        moment = marker.args[0]
        assert isinstance(moment, datetime) and moment.tzinfo is not None
        chosen: Clock = FrozenClock(moment)
    else:
        chosen = Clock(shift=timedelta(days=pytestconfig.getoption("clock_shift_days")))
    harness.CURRENT_CLOCK[0] = chosen
    yield chosen
    harness.CURRENT_CLOCK[0] = SYSTEM


@pytest.fixture
def isolated_configuration(tmp_path: Path, monkeypatch):
    """Keep the developer's instance/ folder and exported WIZARD_* variables out of tests."""
    for name in list(os.environ):
        if name.startswith("WIZARD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("WIZARD_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture
def app(request, tmp_path: Path, isolated_configuration, clock):
    """An app on a fresh SQLite file, CSRF on, no delivery thread.

    `@pytest.mark.app_config(KEY=value)` overrides settings for one test.
    """
    marker = request.node.get_closest_marker("app_config")
    overrides = marker.kwargs if marker else {}
    app = create_app({**TEST_CONFIG, "DATABASE": str(tmp_path / "wizard.sqlite3"),
                      "CLOCK": clock, **overrides})
    yield app


@pytest.fixture
def make_app(tmp_path: Path, isolated_configuration, clock):
    """Build another app on its own fresh database, with settings overridden."""
    count = 0

    def build(**overrides):
        nonlocal count
        count += 1
        return create_app({**TEST_CONFIG, "DATABASE": str(tmp_path / f"other{count}.sqlite3"),
                           "CLOCK": clock, **overrides})

    return build


@pytest.fixture
def store(tmp_path: Path):
    """A migrated database without any Flask app, for the domain modules' unit tests."""
    connection = db.connect(tmp_path / "store.sqlite3")
    db.migrate(connection)
    yield connection
    connection.close()


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


@pytest.fixture
def staff(app, database):
    """Helper to create people and links."""
    return People(app, database)


@pytest.fixture
def visitor(client):
    """A person using the wizard."""
    return Visitor(client)


@pytest.fixture
def relay():
    """A real SMTP server on a free port, down until `relay.up()`."""
    server = Relay()
    yield server
    server.down()


@pytest.fixture
def live_server(request, tmp_path: Path) -> Iterator[LiveServer]:
    """A real gunicorn (two workers, as in production) on a fresh database, mail kept in
    the outbox; for tests firing requests in parallel. `@pytest.mark.app_config(KEY=v)`
    adds settings to its environment (as WIZARD_KEY=v)."""
    marker = request.node.get_closest_marker("app_config")
    overrides = {f"WIZARD_{key}": str(value) for key, value in
                 (marker.kwargs if marker else {}).items()}
    url = f"http://127.0.0.1:{free_port()}"
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("WIZARD_")}
    env.update({
        "WIZARD_INSTANCE_PATH": str(tmp_path / "instance"),
        "WIZARD_DATABASE": str(tmp_path / "wizard.sqlite3"),
        "WIZARD_SECRET_KEY": SERVER_SECRET_KEY,
        "WIZARD_BASE_URL": url,
        "WIZARD_MAIL_BACKEND": "outbox",
        "WIZARD_MAIL_DELIVERY_THREAD": "0",
        "WIZARD_MAIL_DOMAIN": "univ-test.fr",
        "WIZARD_PROXY_FIX_HOPS": "1",  # bound to 127.0.0.1: tests play several addresses
        "WIZARD_ARGON2_TIME_COST": "1",
        "WIZARD_ARGON2_MEMORY_KIB": "1024",
        "WIZARD_ARGON2_PARALLELISM": "1",
        **overrides,
    })
    log_path = tmp_path / "server.log"
    process = start_gunicorn(url, env, log_path)
    server = LiveServer(url=url, database_path=tmp_path / "wizard.sqlite3", log_path=log_path)
    yield server
    stop_gunicorn(process)
    output = log_path.read_text()
    assert "Traceback" not in output, f"the server logged an error:\n{output}"
