"""Wizard sessions on the server: what a browser's cookie stands for, and until when.

The cookie holds only a random session id (256 bits; the database keeps its SHA-256);
which enrolment it serves, and with which proof (the link's token, or the sésame), is
written here when identity is proven, after checking that the proof is that enrolment's
person's. So a signed cookie cannot pair one person's proof with another's enrolment,
even signed with a stolen key. A session ends on the server, not only in the browser:
« Quitter », the idle timeout, a new sésame, and completion (after which the session
that completed may only show the done page; the enrolment's other sessions end).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from wizard.activation import tokens
from wizard.activation.tokens import hash_secret
from wizard.clock import from_iso, to_iso

SID_BYTES = 32


@dataclass(frozen=True)
class Session:
    """One live wizard session, as read back."""

    id: int
    enrolment_id: int
    method: str
    proof_id: int
    sesame_issued_at: str | None
    seen_at: datetime
    done: bool


class Ended(Exception):
    """No live session for this id; `reason` is `none`, `idle`, `left` or `done` (the
    enrolment was completed in another session)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _proof_is_the_enrolments(db: Database, enrolment_id: int, method: str,
                             proof_id: int) -> bool:
    row = next(iter(db.query("SELECT person_id FROM enrolments WHERE id = ?",
                             [enrolment_id])), None)
    if row is None:
        return False
    if method == "sesame":
        return proof_id == row["person_id"]
    token = tokens.get(db, proof_id)
    return (token is not None and token.person_id == row["person_id"]
            and token.purpose is tokens.Purpose.ACTIVATION)


def open_session(db: Database, *, enrolment_id: int, method: str, proof_id: int,
                 now: datetime, sesame_issued_at: str | None = None) -> str:
    """Record a new session for an enrolment whose identity was just proven; return the
    id for the cookie (the only place it exists in clear)."""
    if not _proof_is_the_enrolments(db, enrolment_id, method, proof_id):
        raise ValueError("the proof is not this enrolment's person's")
    sid = secrets.token_urlsafe(SID_BYTES)
    db.execute(
        "INSERT INTO wizard_sessions (sid_hash, enrolment_id, method, proof_id,"
        " sesame_issued_at, started_at, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [hash_secret(sid), enrolment_id, method, proof_id, sesame_issued_at, to_iso(now),
         to_iso(now)])
    return sid


def find(db: Database, sid: object, now: datetime, *, idle: timedelta) -> Session:
    """The live session with this id, or Ended with the reason (reading changes nothing)."""
    if not isinstance(sid, str) or not sid or len(sid) > 100:
        raise Ended("none")
    row = next(iter(db.query("SELECT * FROM wizard_sessions WHERE sid_hash = ?",
                             [hash_secret(sid)])), None)
    if row is None:
        raise Ended("none")
    if row["ended_at"] is not None:
        raise Ended({"left": "left", "completed": "done"}.get(row["ended_why"], "none"))
    if now - from_iso(row["seen_at"]) > idle:
        raise Ended("idle")  # for good: nothing restarts its clock any more
    return Session(id=row["id"], enrolment_id=row["enrolment_id"], method=row["method"],
                   proof_id=row["proof_id"], sesame_issued_at=row["sesame_issued_at"],
                   seen_at=from_iso(row["seen_at"]), done=bool(row["done"]))


def seen(db: Database, session_id: int, now: datetime) -> None:
    """Restart the idle clock."""
    db.execute("UPDATE wizard_sessions SET seen_at = ? WHERE id = ? AND ended_at IS NULL",
               [to_iso(now), session_id])


def end(db: Database, sid: object, now: datetime, why: str = "left") -> bool:
    """End one session (« Quitter »); return whether it was live."""
    if not isinstance(sid, str) or not sid:
        return False
    return db.execute("UPDATE wizard_sessions SET ended_at = ?, ended_why = ?"
                      " WHERE sid_hash = ? AND ended_at IS NULL",
                      [to_iso(now), why, hash_secret(sid)]).rowcount == 1


def end_for_person(db: Database, person_id: int, now: datetime, why: str) -> int:
    """End every live session of a person's enrolment (a new sésame, a departure)."""
    return db.execute(
        "UPDATE wizard_sessions SET ended_at = ?, ended_why = ? WHERE ended_at IS NULL"
        " AND enrolment_id IN (SELECT id FROM enrolments WHERE person_id = ?)",
        [to_iso(now), why, person_id]).rowcount


def completed(db: Database, enrolment_id: int, now: datetime, sid: object = None) -> None:
    """At completion: the session that completed (`sid`) may only show the done page;
    the enrolment's other sessions end."""
    kept = hash_secret(sid) if isinstance(sid, str) and sid else None
    db.execute("UPDATE wizard_sessions SET ended_at = ?, ended_why = 'completed'"
               " WHERE enrolment_id = ? AND ended_at IS NULL AND sid_hash IS NOT ?",
               [to_iso(now), enrolment_id, kept])
    if kept:
        db.execute("UPDATE wizard_sessions SET done = 1, seen_at = ? WHERE sid_hash = ?",
                   [to_iso(now), kept])
