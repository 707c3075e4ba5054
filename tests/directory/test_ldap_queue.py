"""The directory queue: the choices written after the password, retried with backoff while
the directory is down, applied once; shown by `wizard status`, replayed by
`wizard directory sync`; `wizard disable-departed` locks the entry."""

from datetime import timedelta

import pytest
from harness import rows

from wizard.directory import queue
from wizard.web.services import apply_directory_queue

pytestmark = pytest.mark.dates

PASSWORD = "Cheval agrafe pile 42 lune"


def sync(app, database):
    with app.app_context():
        return apply_directory_queue(database, app)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def activated(slapd, staff, visitor):
    slapd.add_person("jdupont")
    person = visitor.reach(staff, "mot-de-passe")
    assert visitor.choose_password(PASSWORD).headers["Location"] == "/etapes/termine"
    return person


def test_choices_wait_while_the_directory_is_down_then_are_applied_once(
        app, slapd, staff, visitor, database, clock):
    activated(slapd, staff, visitor)
    (write,) = rows(database, "SELECT * FROM directory_writes")
    assert PASSWORD not in write["changes"] and "argon2" not in write["changes"]
    slapd.stop()
    report = sync(app, database)
    assert (report.applied, report.failed) == (0, 1)
    (write,) = rows(database, "SELECT * FROM directory_writes")
    assert write["attempts"] == 1 and write["applied_at"] is None and write["last_error"]
    assert write["next_attempt_at"] > write["created_at"]  # backoff
    slapd.start()
    assert sync(app, database).applied == 0  # not due yet: the backoff holds
    clock.shift += timedelta(seconds=6)
    assert sync(app, database).applied == 1
    assert sync(app, database).applied == 0  # applied once
    (write,) = rows(database, "SELECT * FROM directory_writes")
    assert write["applied_at"] and write["last_error"] is None
    assert slapd.entry("jdupont")["supannListeRouge"] == ["TRUE"]


def test_two_workers_apply_a_write_once(app, slapd, staff, visitor, database):
    activated(slapd, staff, visitor)
    applied = []

    class Counting:
        def apply(self, login, matricule, changes, now):
            applied.append(login)
            # Another worker's pass while this one holds the claim finds nothing.
            assert queue.apply_due(database, self, retry_base=1, retry_max=1,
                                   now=lambda: now).applied == 0

    with app.app_context():
        report = queue.apply_due(database, Counting(), retry_base=1, retry_max=1,
                                 now=app.config["CLOCK"].now)
    assert report.applied == 1 and applied == ["jdupont"]


def test_status_shows_the_directory_side_and_sync_replays(app, slapd, staff, visitor,
                                                          database, runner):
    activated(slapd, staff, visitor)
    slapd.stop()
    sync(app, database)
    output = runner.invoke(args=["status", "jdupont"]).output
    assert "Entrée de l'annuaire" in output and "annuaire injoignable" in output
    assert ": 1 — wizard directory sync jdupont" in output
    assert "1 tentative" in output
    slapd.start()
    output = runner.invoke(args=["status", "jdupont"]).output
    assert f"uid=jdupont,{slapd.people}" in output
    result = runner.invoke(args=["directory", "sync", "jdupont"])  # without waiting
    assert result.exit_code == 0, result.output
    assert "1 écriture appliquée, 0 en attente" in result.output
    output = runner.invoke(args=["status", "jdupont"]).output
    assert "Écritures en attente  \u00a0: aucune" in output
    assert "Dernière écriture" in output and "aucune" not in output.split(
        "Dernière écriture")[1].splitlines()[0]


def test_sync_says_when_the_directory_is_down(app, slapd, staff, visitor, database, runner):
    activated(slapd, staff, visitor)
    slapd.stop()
    result = runner.invoke(args=["directory", "sync"])
    assert result.exit_code == 1
    assert "0 écriture appliquée, 1 en attente" in result.output
    assert "échec" in result.output


@pytest.mark.clock_at(__import__("harness").NOW)
def test_disable_departed_locks_the_entry(app, slapd, staff, visitor, database, runner):
    person = activated(slapd, staff, visitor)
    sync(app, database)
    dn = f"uid=jdupont,{slapd.people}"
    assert slapd.whoami(dn, PASSWORD).returncode == 0
    database.execute("UPDATE people SET departure_date = '2026-01-01' WHERE id = ?",
                     [person.id])
    result = runner.invoke(args=["disable-departed"])
    assert result.exit_code == 0, result.output
    assert "1 écriture appliquée" in result.output
    assert slapd.entry("jdupont")["pwdAccountLockedTime"] == ["000001010000Z"]
    assert slapd.whoami(dn, PASSWORD).returncode != 0  # locked: every service refuses
