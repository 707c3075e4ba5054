"""The directory queue: writes that carry no secret, applied to the directory later.

The liste rouge answer, the forwarding address, the recovery address, the charter and
« activated » markers and the locks of departed people are queued in the transaction that
decided them, like the mail outbox, then applied by the worker (the mail worker's pass,
or `wizard directory sync`): retried with backoff when the directory is down, claimed
before being applied so that two workers never apply the same write, and marked applied
once. A password is never queued: it is written at the password step, or not at all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlite_utils import Database

from wizard.clock import backoff, to_iso
from wizard.db import claim_next

log = logging.getLogger(__name__)

CLAIM_SECONDS = 120

# The logical names a write may carry (the LDAP backend maps each to an attribute).
FIELDS = ("liste_rouge", "forward_to", "keep_copy", "recovery", "charter", "activated",
          "locked")


class Applier(Protocol):
    """What applies a queued write: the LDAP directory."""

    def apply(self, login: str, matricule: str | None, changes: dict,
              now: datetime) -> None:
        """Write `changes` to the person's entry; raise to have it retried."""


def enqueue(db: Database, *, person_id: int | None, login: str, matricule: str | None,
            changes: dict, now: datetime) -> int:
    """Queue a write for `login`; call inside the transaction that decided it."""
    unknown = set(changes) - set(FIELDS)
    assert not unknown, f"not a directory field: {unknown}"
    cursor = db.execute(
        "INSERT INTO directory_writes (person_id, login, matricule, changes, created_at,"
        " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)",
        [person_id, login, matricule, json.dumps(changes, sort_keys=True), to_iso(now),
         to_iso(now)])
    return cursor.lastrowid


def _claim(db: Database, now: datetime, logins: list[str] | None,
           ignore_backoff: bool) -> dict | None:
    due = "applied_at IS NULL AND (claimed_until IS NULL OR claimed_until <= :now)"
    if not ignore_backoff:
        due += " AND next_attempt_at <= :now"
    params: dict = {"now": to_iso(now)}
    if logins is not None:
        marks = ", ".join(f":l{i}" for i in range(len(logins)))
        due += f" AND login IN ({marks})"
        params.update({f"l{i}": login for i, login in enumerate(logins)})
    return claim_next(db, "directory_writes", due, params,
                      until=to_iso(now + timedelta(seconds=CLAIM_SECONDS)))


@dataclass
class QueueReport:
    """What one pass over the queue did."""

    applied: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def apply_due(db: Database, directory: Applier, *, retry_base: float, retry_max: float,
              now: Callable[[], datetime], logins: list[str] | None = None,
              ignore_backoff: bool = False, limit: int = 200) -> QueueReport:
    """Apply every due write, oldest first; the first failure ends the pass (the directory
    is likely down) and reschedules that write with exponential backoff.

    `logins` limits the pass to those people; `ignore_backoff` applies writes waiting for
    a retry at once (`wizard directory sync`)."""
    report = QueueReport()
    for _ in range(limit):
        row = _claim(db, now(), logins, ignore_backoff)
        if row is None:
            break
        try:
            directory.apply(row["login"], row["matricule"], json.loads(row["changes"]), now())
        except Exception as error:  # any failure: rescheduled, never lost nor stuck
            attempts = row["attempts"] + 1
            wait = backoff(attempts, base=retry_base, maximum=retry_max)
            message = f"{type(error).__name__}: {error}"[:500]
            db.execute(
                "UPDATE directory_writes SET attempts = ?, next_attempt_at = ?,"
                " claimed_until = NULL, last_error = ? WHERE id = ?",
                [attempts, to_iso(now() + timedelta(seconds=wait)), message, row["id"]])
            log.warning("directory write %s for %s failed (attempt %s), retry in %.0f s",
                        row["id"], row["login"], attempts, wait)
            report.failed += 1
            report.errors.append(f"{row['login']}: {message}")
            break
        db.execute("UPDATE directory_writes SET applied_at = ?, attempts = attempts + 1,"
                   " claimed_until = NULL, last_error = NULL WHERE id = ?",
                   [to_iso(now()), row["id"]])
        report.applied += 1
    return report


@dataclass(frozen=True)
class LoginQueue:
    """The directory side of one person, for `wizard status`."""

    pending: list[dict]
    last_applied: dict | None


def for_login(db: Database, login: str) -> LoginQueue:
    """The person's writes still waiting, and the last one applied."""
    pending = list(db.query("SELECT * FROM directory_writes WHERE login = ?"
                            " AND applied_at IS NULL ORDER BY id", [login]))
    last = next(iter(db.query("SELECT * FROM directory_writes WHERE login = ?"
                              " AND applied_at IS NOT NULL ORDER BY applied_at DESC, id DESC"
                              " LIMIT 1", [login])), None)
    return LoginQueue(pending=pending, last_applied=last)


def pending_count(db: Database) -> int:
    """How many writes wait to be applied."""
    return db.execute("SELECT count(*) FROM directory_writes WHERE applied_at IS NULL"
                      ).fetchone()[0]
