"""Where an activated account is written: the directory, behind one interface.

`SqliteDirectory` (the `accounts` table of the wizard's own database) is the embedded
default; `LdapDirectory` (`wizard.directory.ldap`, WIZARD_DIRECTORY=ldap) writes to the
institution's OpenLDAP or Active Directory. A backend receives the person's choices and the
password once, at completion: the embedded one inside the completing transaction, a remote
one (`remote = True`) just before it, under a claim on the enrolment, then its
`record_written` inside it. If it raises, nothing is consumed and the account stays
pending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    password_hash: str  # argon2id; empty when the directory hashes the password itself
    first_name: str = ""
    last_name: str = ""
    matricule: str | None = None
    recovery_address: str | None = None  # the verified personal address, if any
    charter_version: str | None = None
    charter_accepted_at: str | None = None  # ISO
    # The clear password, only for a directory that hashes it itself (RFC 3062): held in
    # memory for the one call, never stored, queued, logged nor shown in a repr.
    password: str = field(default="", repr=False, compare=False)


# Why a directory refused a password (its own policy, e.g. OpenLDAP's ppolicy): the
# password step says each in words.
REFUSAL_REASONS = ("too_short", "in_history", "too_young", "quality", "other")


class DirectoryUnavailable(Exception):
    """The directory could not be reached or did not answer (nothing was written)."""


class PasswordRefused(Exception):
    """The directory refused the password under its own policy; `reason` says why."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason, detail)
        assert reason in REFUSAL_REASONS, reason
        self.reason = reason
        self.detail = detail


class Directory(Protocol):
    """A directory backend."""

    # Whether write_account needs the argon2id hash (False: the directory hashes the
    # clear password itself, so the wizard does not spend ~100 ms making one).
    needs_hash: bool
    # Whether it lives on another server (RemoteDirectory): written outside the database
    # transaction, then `record_written` inside it.
    remote: bool

    def write_account(self, record: AccountRecord, now: datetime) -> None:
        """Create or replace the account; raise DirectoryUnavailable or PasswordRefused."""


class RemoteDirectory(Directory, Protocol):
    """A directory on another server: written outside the database transaction."""

    def record_written(self, record: AccountRecord, now: datetime) -> None:
        """Inside the completing transaction, once `write_account` succeeded: what else to
        record (the LDAP backend queues the choices)."""
