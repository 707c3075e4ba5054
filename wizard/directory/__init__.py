"""Where an activated account is written: the directory, behind one interface.

`SqliteDirectory` (the `accounts` table of the wizard's own database) is the embedded
default. A backend receives the person's choices and the password hash once, at
completion, inside the completing transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


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
