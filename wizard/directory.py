"""Where an activated account is written: the directory.

SQLite (the `accounts` table) by default. The interface is what an LDAP (SupAnn) backend
will implement later: it receives the person's choices and the password hash once, at
completion, inside the completing transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlite_utils import Database

from .clock import to_iso


@dataclass(frozen=True)
class AccountRecord:
    """Everything the directory needs to know about a newly activated account."""

    person_id: int
    login: str
    email: str
    listed: bool
    forward_to: str | None
    keep_copy: bool | None
    password_hash: str


class Directory(Protocol):
    """A directory backend."""

    def write_account(self, record: AccountRecord, now: datetime) -> None:
        """Create or replace the account."""


class SqliteDirectory:
    """Writes accounts to the `accounts` table of the wizard's own database."""

    def __init__(self, db: Database):
        self.db = db

    def write_account(self, record: AccountRecord, now: datetime) -> None:
        """Create or replace the account row."""
        self.db.execute(
            "INSERT INTO accounts (login, person_id, email, listed, forward_to, keep_copy,"
            " password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(login) DO UPDATE SET email = excluded.email,"
            " listed = excluded.listed, forward_to = excluded.forward_to,"
            " keep_copy = excluded.keep_copy, password_hash = excluded.password_hash,"
            " updated_at = excluded.updated_at",
            [record.login, record.person_id, record.email, int(record.listed),
             record.forward_to, None if record.keep_copy is None else int(record.keep_copy),
             record.password_hash, to_iso(now), to_iso(now)],
        )
