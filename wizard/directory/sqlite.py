"""The embedded directory: accounts in the `accounts` table of the wizard's own database."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from wizard.clock import to_iso
from wizard.directory import AccountRecord


class SqliteDirectory:
    """Writes accounts to the `accounts` table of the wizard's own database."""

    needs_hash = True
    remote = False

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
