"""The sésame: the provisional code printed on a letter for people HR has no address for.

Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L), about 49 bits. Only
its argon2id hash is stored, with its expiry; a new sésame replaces the earlier one. The
code itself exists in clear only on its way to the letter: never in the database, the
audit log, the outbox or a log line.

Checking a sésame always costs one argon2 verification, whether the login exists or not,
so the time taken does not tell who has an account. Counting failures and locking is the
caller's business (the sésame page), not this module's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from wizard.activation import attempts, audit, people, sessions
from wizard.activation.lifetimes import link_expiry
from wizard.activation.people import Person
from wizard.clock import from_iso, to_iso

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10
GROUP = 5
MAX_TYPED_LENGTH = 64


@dataclass(frozen=True)
class IssuedSesame:
    """A new sésame: the code to print once, and until when it works."""

    person_id: int
    code: str
    expires_at: datetime

    @property
    def printed(self) -> str:
        """The code as printed, in two groups of five: « K7QF9 M2XPA »."""
        return display(self.code)


def generate() -> str:
    """A fresh random code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """Group a code for reading aloud and typing: five characters, a space, five."""
    return " ".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def normalize(typed: str) -> str:
    """A code as typed, made comparable: case, spaces and hyphens ignored."""
    return "".join(ch for ch in typed.upper() if not ch.isspace() and ch != "-")


def expiry(now: datetime, *, valid_days: int, timezone: str) -> datetime:
    """23:59 local time `valid_days` days after `now` (the date printed on the letter)."""
    return link_expiry(now, days=valid_days, timezone=timezone)


def prepare(person_id: int, hasher: PasswordHasher, *, now: datetime, valid_days: int,
            timezone: str) -> tuple[IssuedSesame, str]:
    """Make a code and its hash, outside any transaction: hashing is slow on purpose."""
    code = generate()
    issued = IssuedSesame(person_id=person_id, code=code,
                          expires_at=expiry(now, valid_days=valid_days, timezone=timezone))
    return issued, hasher.hash(code)


def store(db: Database, issued: IssuedSesame, code_hash: str, *, now: datetime,
          origin: audit.Origin, login_key_secret: bytes) -> bool:
    """Store a prepared sésame for a pending person, replacing any earlier one.

    Returns False (and stores nothing) when the person is no longer pending. Call inside
    the transaction that also commits the letters.
    """
    cursor = db.execute(
        "UPDATE people SET sesame_hash = ?, sesame_expires_at = ?, sesame_issued_at = ?"
        " WHERE id = ? AND status = 'pending'",
        [code_hash, to_iso(issued.expires_at), to_iso(now), issued.person_id])
    if cursor.rowcount != 1:
        return False
    # A new letter starts afresh: failures against the earlier sésame no longer count.
    login = next(iter(db.query("SELECT login FROM people WHERE id = ?",
                               [issued.person_id])))["login"]
    attempts.clear(db, attempts.key(login, login_key_secret), "sesame")
    sessions.end_for_person(db, issued.person_id, now, "new_sesame")
    audit.record(db, "sesame_issued", now=now, origin=origin, person_id=issued.person_id,
                 expires_at=to_iso(issued.expires_at))
    return True


def issue(db: Database, hasher: PasswordHasher, person_id: int, *, now: datetime,
          valid_days: int, timezone: str, origin: audit.Origin,
          login_key_secret: bytes) -> IssuedSesame | None:
    """Give one pending person a new sésame (prepare then store); None if not pending."""
    issued, code_hash = prepare(person_id, hasher, now=now, valid_days=valid_days,
                                timezone=timezone)
    return issued if store(db, issued, code_hash, now=now, origin=origin,
                           login_key_secret=login_key_secret) else None


def revoke(db: Database, person_id: int) -> bool:
    """Forget a person's sésame; return whether there was one."""
    cursor = db.execute(
        "UPDATE people SET sesame_hash = NULL, sesame_expires_at = NULL"
        " WHERE id = ? AND sesame_hash IS NOT NULL", [person_id])
    return cursor.rowcount == 1


def is_live(row: dict, now: datetime) -> bool:
    """Whether a `people` row holds a sésame that may still open the wizard."""
    return bool(row["sesame_hash"] and row["sesame_expires_at"]
                and from_iso(row["sesame_expires_at"]) > now
                and row["status"] == "pending" and not row["locked_at"]
                and not row["disabled_at"])


_DUMMY_LOCK = threading.Lock()
_DUMMY_HASHES: dict[tuple, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of nothing anyone knows, with the hasher's parameters (same cost to verify)."""
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len,
           hasher.salt_len, hasher.type)
    with _DUMMY_LOCK:
        if key not in _DUMMY_HASHES:
            _DUMMY_HASHES[key] = hasher.hash(secrets.token_urlsafe(32))
        return _DUMMY_HASHES[key]


def _verify(hasher: PasswordHasher, stored: str, typed: str) -> bool:
    try:
        return hasher.verify(stored, typed)
    except (VerificationError, InvalidHashError):
        return False


def check_sesame(db: Database, hasher: PasswordHasher, login: str, code: str,
                 now: datetime) -> Person | None:
    """The person whose login and live sésame these are, or None.

    Always exactly one argon2 verification: against the person's hash, or a fixed dummy
    hash when the login is unknown, not pending, locked, or has no live sésame. Records
    nothing: failures and locks are the caller's.
    """
    wanted = login.strip().lower() if isinstance(login, str) else ""
    row = None
    if wanted and len(wanted) <= 64:
        row = next(iter(db.query(
            "SELECT id, status, locked_at, disabled_at, sesame_hash, sesame_expires_at"
            " FROM people WHERE login = ?", [wanted])), None)
    live = row is not None and is_live(row, now)
    typed = normalize(code if isinstance(code, str) else "")
    stored = row["sesame_hash"] if live else _dummy_hash(hasher)
    matches = _verify(hasher, stored, typed[:MAX_TYPED_LENGTH])
    if not live or not matches or len(typed) > MAX_TYPED_LENGTH:
        return None
    return people.get(db, row["id"])


def fingerprint(key: bytes, person_id: int, code: str) -> str:
    """A keyed fingerprint of a typed code (HMAC-SHA-256 with a key derived from the app's
    secret, never stored): equal for the same code, useless to a copy of the database."""
    typed = normalize(code)[:MAX_TYPED_LENGTH]
    return hmac.new(key, f"sesame:{person_id}:{typed}".encode(), hashlib.sha256).hexdigest()


def candidates(db: Database, now: datetime, today: date) -> list[dict]:
    """Pending people HR gave no personal address, holding no live sésame, not yet gone.

    What `wizard sesame --all` serves: a second run prints no new letter for someone whose
    letter is still valid.
    """
    return [row for row in db.query(
        "SELECT * FROM people WHERE status = 'pending' AND personal_email IS NULL"
        " AND locked_at IS NULL AND (departure_date IS NULL OR departure_date >= ?)"
        " ORDER BY service, last_name, first_name, id", [today.isoformat()])
        if not is_live(row, now)]
