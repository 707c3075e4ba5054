"""SMTP down for a while: the mails wait in the outbox and go out when the relay returns,
none lost and none twice, with both gunicorn workers delivering side by side."""

from __future__ import annotations

import re
import sqlite3
import time
import urllib.request
from collections import Counter

import pytest
from harness import Relay

from wizard.text import fold

pytestmark = pytest.mark.browser

FIRST_NAMES = ["Alice", "Bruno", "Chloé", "Damien", "Élise", "Fabien", "Gaëlle", "Hugo",
               "Inès", "Jules", "Karine", "Léo", "Manon", "Nathan", "Océane", "Pierre",
               "Quentin", "Rose", "Simon", "Théo"]


def address(first_name: str) -> str:
    return f"{fold(first_name)}.martin@exemple.org"


@pytest.fixture
def mailbox():
    """A real SMTP relay that the test stops and starts again on the same port."""
    relay = Relay().up()
    yield relay
    relay.down()


@pytest.fixture
def server_environment():
    """Retry soon after a failure, so that the outage's end is noticed within a second."""
    return {"WIZARD_MAIL_RETRY_BASE_SECONDS": "0.3", "WIZARD_MAIL_RETRY_MAX_SECONDS": "1"}


def outbox(server) -> list[dict]:
    connection = sqlite3.connect(server.env["WIZARD_DATABASE"])
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute("SELECT * FROM outbox ORDER BY id")]
    finally:
        connection.close()


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def delivering_processes(server) -> set[str]:
    return set(re.findall(r"mail worker started in process (\d+)", server.log()))


def both_workers_deliver(server) -> None:
    """Each worker starts its delivery thread on its first request: reach both."""

    def reached() -> bool:
        for _ in range(4):
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=5):
                pass
        return len(delivering_processes(server)) == 2

    wait_until(reached, 15, "both workers' mail threads")


def test_mail_queued_during_an_outage_is_delivered_once_when_smtp_returns(
        server, mailbox, tmp_path):
    both_workers_deliver(server)
    mailbox.down()

    export = tmp_path / "rentree.csv"
    export.write_text("Matricule;Nom;Prénom;Mail personnel\n" + "".join(
        f"R{n:03};Martin;{first};{address(first)}\n"
        for n, first in enumerate(FIRST_NAMES)), encoding="utf-8")
    server.wizard("import-staff", str(export))
    assert "20" in server.wizard("invite", "--all")
    wait_until(lambda: sum(row["attempts"] for row in outbox(server)) >= 3, 15,
               "failed delivery attempts")
    queued = outbox(server)
    assert len(queued) == 20
    assert all(row["sent_at"] is None for row in queued)
    assert any("ConnectionRefused" in (row["last_error"] or "") for row in queued)
    assert mailbox.received == []

    mailbox.up()  # the same port as before the outage
    wait_until(lambda: len(mailbox.received) >= 20, 30, "the 20 invitations")
    time.sleep(1.5)  # several more passes of both workers: nothing may come twice
    ids = Counter(message["Message-ID"] for message in mailbox.received)
    assert len(ids) == 20 and set(ids.values()) == {1}, ids.most_common(3)
    recipients = Counter(message["To"] for message in mailbox.received)
    assert sorted(recipients) == sorted(address(first) for first in FIRST_NAMES)
    assert set(recipients.values()) == {1}
    assert all(row["sent_at"] is not None for row in outbox(server))
    assert len(delivering_processes(server)) == 2
