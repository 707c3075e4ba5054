"""Secrets that travel in mails: link tokens and short codes, stored only as hashes.

A link token is 256 random bits (43 URL-safe characters); the database keeps its SHA-256.
A token has one purpose and one person, expires, is used once, and issuing a new one of the
same purpose revokes the earlier ones.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlite_utils import Database

from wizard.clock import from_iso, to_iso

TOKEN_BYTES = 32
CODE_DIGITS = 6


class Purpose(StrEnum):
    """What a token may be used for; a token of one purpose is refused for any other."""

    ACTIVATION = "activation"
    VERIFY_ADDRESS = "verify_address"  # the forwarding address
    VERIFY_RECOVERY = "verify_recovery"  # the recovery address (sésame path)


class TokenState(StrEnum):
    """Why a token can or cannot be used."""

    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED = "used"


@dataclass(frozen=True)
class Token:
    """A stored token as read back, never holding the secret itself."""

    id: int
    person_id: int
    purpose: Purpose
    target_address: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    code_tries: int

    def state(self, now: datetime) -> TokenState:
        """Return whether the token can be used at `now`, or why not."""
        if self.used_at is not None:
            return TokenState.USED
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if now >= self.expires_at:
            return TokenState.EXPIRED
        return TokenState.VALID


@dataclass(frozen=True)
class Issued:
    """A freshly issued token: the secrets to mail once, and the stored row's id."""

    id: int
    secret: str
    code: str | None
    expires_at: datetime


def hash_secret(secret: str) -> str:
    """Return the SHA-256 hex digest under which a link token is stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _hash_code(token_id: int, code: str, key: bytes) -> str:
    # A keyed hash (HMAC with a key derived from the app's secret, never stored in the
    # database): a copy of the database alone cannot brute-force a 6-digit code. Bound to
    # the token's id so that equal codes of two tokens hash differently.
    return hmac.new(key, f"{token_id}:{code}".encode(), hashlib.sha256).hexdigest()


def issue(
    db: Database,
    *,
    person_id: int,
    purpose: Purpose,
    now: datetime,
    expires_at: datetime,
    target_address: str | None = None,
    with_code: bool = False,
    code_key: bytes = b"",
    revoke_earlier: bool = True,
) -> Issued:
    """Create a token (and optionally a short code), revoking earlier ones of this purpose
    unless `revoke_earlier` is False (a link asked for on « 1ère connexion »).

    Call inside the transaction that queues the mail carrying it.
    """
    if revoke_earlier:
        revoke(db, person_id=person_id, purpose=purpose, now=now)
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    cursor = db.execute(
        "INSERT INTO tokens (person_id, purpose, token_hash, target_address, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        [person_id, str(purpose), hash_secret(secret), target_address, to_iso(now),
         to_iso(expires_at)],
    )
    token_id = cursor.lastrowid
    code = None
    if with_code:
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        db.execute("UPDATE tokens SET code_hash = ? WHERE id = ?",
                   [_hash_code(token_id, code, code_key), token_id])
    return Issued(id=token_id, secret=secret, code=code, expires_at=expires_at)


def _row_to_token(row: dict) -> Token:
    return Token(
        id=row["id"],
        person_id=row["person_id"],
        purpose=Purpose(row["purpose"]),
        target_address=row["target_address"],
        created_at=from_iso(row["created_at"]),
        expires_at=from_iso(row["expires_at"]),
        used_at=from_iso(row["used_at"]) if row["used_at"] else None,
        revoked_at=from_iso(row["revoked_at"]) if row["revoked_at"] else None,
        code_tries=row["code_tries"],
    )


# What mail clients and people add after a link they paste or wrap: a full stop, a comma,
# a closing bracket. None of them is in a token's alphabet (URL-safe base64).
PASTED_TAIL = ".,)>]"


def clean_secret(secret: str) -> str:
    """The secret without what pasting adds at its end; a cut secret stays cut (refused)."""
    return secret.strip().rstrip(PASTED_TAIL)


def find(db: Database, secret: str, purpose: Purpose) -> Token | None:
    """Return the token of this purpose whose secret is `secret`, whatever its state.

    A trailing `.`, `,`, `)`, `>` or `]` (added by a mail client or a paste) is ignored.
    """
    secret = clean_secret(secret or "")
    if not secret or len(secret) > 200:
        return None
    rows = list(db.query("SELECT * FROM tokens WHERE token_hash = ? AND purpose = ?",
                         [hash_secret(secret), str(purpose)]))
    return _row_to_token(rows[0]) if rows else None


def get(db: Database, token_id: int) -> Token | None:
    """Return a token by id."""
    rows = list(db.query("SELECT * FROM tokens WHERE id = ?", [token_id]))
    return _row_to_token(rows[0]) if rows else None


def latest(db: Database, person_id: int, purpose: Purpose) -> Token | None:
    """Return the most recent token of this purpose for a person."""
    rows = list(db.query(
        "SELECT * FROM tokens WHERE person_id = ? AND purpose = ? ORDER BY id DESC LIMIT 1",
        [person_id, str(purpose)]))
    return _row_to_token(rows[0]) if rows else None


def revoke(db: Database, *, person_id: int, purpose: Purpose, now: datetime,
           keep: int | None = None) -> int:
    """Revoke every live token of this purpose for a person (but `keep`); return how many."""
    cursor = db.execute(
        "UPDATE tokens SET revoked_at = ? WHERE person_id = ? AND purpose = ?"
        " AND used_at IS NULL AND revoked_at IS NULL AND id IS NOT ?",
        [to_iso(now), person_id, str(purpose), keep],
    )
    return cursor.rowcount


def live_count(db: Database, person_id: int, purpose: Purpose, now: datetime) -> int:
    """How many tokens of this purpose a person holds that still work."""
    return next(iter(db.query(
        "SELECT count(*) AS n FROM tokens WHERE person_id = ? AND purpose = ?"
        " AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
        [person_id, str(purpose), to_iso(now)])))["n"]


def consume(db: Database, token_id: int, now: datetime) -> bool:
    """Mark a token used; return False if it was already used or revoked."""
    cursor = db.execute(
        "UPDATE tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
        [to_iso(now), token_id],
    )
    return cursor.rowcount == 1


class CodeCheck(StrEnum):
    """Outcome of a typed code."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    DEAD = "dead"


def check_code(db: Database, token_id: int, code: str, *, now: datetime,
               max_tries: int, code_key: bytes = b"") -> CodeCheck:
    """Check a typed code against a token; after `max_tries` wrong codes it is dead."""
    row = next(iter(db.query("SELECT * FROM tokens WHERE id = ?", [token_id])), None)
    if row is None or row["code_hash"] is None:
        return CodeCheck.DEAD
    token = _row_to_token(row)
    if token.state(now) is not TokenState.VALID or token.code_tries >= max_tries:
        return CodeCheck.DEAD
    normalized = "".join(ch for ch in code if not ch.isspace())
    if hmac.compare_digest(_hash_code(token_id, normalized, code_key), row["code_hash"]):
        return CodeCheck.ACCEPTED
    db.execute("UPDATE tokens SET code_tries = code_tries + 1 WHERE id = ?", [token_id])
    if token.code_tries + 1 >= max_tries:
        return CodeCheck.DEAD
    return CodeCheck.WRONG
