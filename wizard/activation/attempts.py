"""Failed secret checks and the brakes they put on: a wait, then a lock.

Counted by the login as typed (normalised), before anything is looked up, so that an
unknown login is slowed down and answered exactly like a real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlite_utils import Database

from wizard.clock import from_iso, to_iso


@dataclass(frozen=True)
class Brakes:
    """After `wait_after` failures, one try per `wait`; after `lock_after`, locked."""

    wait_after: int = 5
    wait: timedelta = timedelta(minutes=15)
    lock_after: int = 20


class Gate(StrEnum):
    """Whether a secret may be checked now."""

    OPEN = "open"
    WAIT = "wait"
    LOCKED = "locked"


def key(login: str) -> str:
    """The normalised login under which failures are counted (bounded in length)."""
    return login.strip().lower()[:100]


def gate(db: Database, login_key: str, kind: str, now: datetime, brakes: Brakes) -> Gate:
    """Whether the next check may run, from the failures recorded since the last success."""
    rows = list(db.query(
        "SELECT count(*) AS n, max(at) AS last FROM attempts WHERE login_key = ? AND kind = ?",
        [login_key, kind]))
    failures, last = rows[0]["n"], rows[0]["last"]
    if failures >= brakes.lock_after:
        return Gate.LOCKED
    if failures >= brakes.wait_after and now - from_iso(last) < brakes.wait:
        return Gate.WAIT
    return Gate.OPEN


def record_failure(db: Database, login_key: str, kind: str, now: datetime,
                   ip: str | None) -> int:
    """Count one failure; return how many are on record now."""
    db.execute("INSERT INTO attempts (login_key, kind, at, ip) VALUES (?, ?, ?, ?)",
               [login_key, kind, to_iso(now), ip])
    return next(iter(db.query(
        "SELECT count(*) AS n FROM attempts WHERE login_key = ? AND kind = ?",
        [login_key, kind])))["n"]


def clear(db: Database, login_key: str, kind: str | None = None) -> int:
    """Forget the failures (after a success, or when the helpdesk unlocks)."""
    if kind is None:
        return db.execute("DELETE FROM attempts WHERE login_key = ?", [login_key]).rowcount
    return db.execute("DELETE FROM attempts WHERE login_key = ? AND kind = ?",
                      [login_key, kind]).rowcount
