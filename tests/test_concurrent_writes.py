"""SQLite busy: many people writing at once wait for the write lock and succeed; none of
them ever sees an error page."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
from harness import TEST_CONFIG, Visitor, csrf_of, handle_link_requests, rows

from wizard import create_app, db


@pytest.fixture
def app(tmp_path, isolated_configuration):
    """The app without rate limits: many requests come from one address here."""
    return create_app({**TEST_CONFIG, "DATABASE": str(tmp_path / "wizard.sqlite3"),
                       "RATELIMIT_ENABLED": False})


def run_together(actions) -> list:
    """Run each action in its own thread, all released at the same instant; their results."""
    start = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index, action):
        start.wait()
        try:
            results[index] = action()
        except BaseException as error:  # reported below, in the test's thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def visitors_at_charter(app, staff, count):
    """`count` people, each with a browser that opened their link."""
    found = []
    for n in range(count):
        person = staff.add(first="Camille", last=f"Martin{chr(97 + n)}",
                           personal=f"camille{n}@exemple.org")
        visitor = Visitor(app.test_client())
        assert visitor.begin(staff.link(person)).status_code == 303
        found.append(visitor)
    return found


def test_writers_wait_for_a_held_write_lock(app, staff, database):
    visitors = visitors_at_charter(app, staff, 4)
    tokens = [csrf_of(v.client.get("/etapes/charte")) for v in visitors]
    holder = db.connect(app.config["DATABASE"])
    holder.execute("BEGIN IMMEDIATE")  # another process writing for a long while
    releaser = threading.Timer(1.0, holder.conn.commit)
    releaser.start()
    began = time.monotonic()
    try:
        statuses = run_together([
            lambda v=v, t=t: v.client.post("/etapes/charte",
                                           data={"csrf_token": t, "accept": "y"}).status_code
            for v, t in zip(visitors, tokens, strict=True)])
    finally:
        releaser.join()
        holder.close()
    assert statuses == [303] * 4
    assert time.monotonic() - began >= 0.9  # they waited for the lock
    assert len(rows(database, "SELECT * FROM enrolments WHERE charter_accepted_at"
                              " IS NOT NULL")) == 4


def test_many_people_finishing_at_once_all_succeed(app, staff, database):
    visitors = visitors_at_charter(app, staff, 10)

    def walk(visitor):
        return [visitor.through_charter().status_code,
                visitor.through_directory().status_code,
                visitor.through_mail().status_code,
                visitor.choose_password().status_code]

    def ask_for_links():
        asker = Visitor(app.test_client())
        return [asker.post("/premiere-connexion", {"identifier": login}).status_code
                for login in ("cmartina", "cmartinb", "inconnu")]

    # Ten people finish while others ask for links and the mail worker handles them.
    results = run_together([*(lambda v=v: walk(v) for v in visitors),
                            *([ask_for_links] * 4), lambda: handle_link_requests(app)])
    assert results[:10] == [[303, 303, 303, 303]] * 10
    assert results[10:14] == [[303, 303, 303]] * 4
    assert len(rows(database, "SELECT * FROM accounts")) == 10
    assert len(rows(database, "SELECT * FROM outbox WHERE kind = 'activated'")) == 10
    assert rows(database, "SELECT * FROM people WHERE status != 'active'") == []


def _open_and_migrate(path: str, start, outcomes) -> None:
    start.wait()
    try:
        connection = db.connect(path)
        db.migrate(connection)
        connection.close()
        outcomes.put("ok")
    except Exception as error:  # reported to the test, which fails on it
        outcomes.put(repr(error))


def test_workers_starting_together_on_a_new_database_all_start(tmp_path):
    """Four processes open a fresh file at the same instant, as gunicorn's workers do: none
    is refused with "database is locked" while another turns the file to WAL (before the
    fix, one round in three failed)."""
    context = multiprocessing.get_context("fork")
    for round_number in range(40):
        path = str(tmp_path / f"new{round_number}.sqlite3")
        start, outcomes = context.Barrier(4), context.Queue()
        workers = [context.Process(target=_open_and_migrate, args=(path, start, outcomes))
                   for _ in range(4)]
        for worker in workers:
            worker.start()
        results = [outcomes.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        assert results == ["ok"] * 4, results
