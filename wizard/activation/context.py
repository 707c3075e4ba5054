"""What every service call needs besides its own arguments, in one object.

The web layer builds a `Context` per request (`wizard.web.services`), the CLI per command
and the mail worker per pass: the database, the settings, the mail composer, the clock,
where the action comes from (for the audit log) and the directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from wizard.activation import audit, outbox
from wizard.activation.lifetimes import french_datetime
from wizard.clock import Clock
from wizard.directory import Directory


@dataclass(frozen=True)
class Settings:
    """The configuration the services need, as plain values."""

    base_url: str
    timezone: str = "Europe/Paris"
    link_valid_days: int = 1
    verification_valid_hours: int = 24
    verification_max_tries: int = 5
    verification_mails_per_day: int = 10
    resend_cooldown_seconds: int = 60
    code_key: bytes = b""  # keys the hashes of verification codes, sésame fingerprints and
    # typed logins (derived from the secret key)

    def url(self, path: str) -> str:
        """An absolute URL on the configured base, never on the request's Host."""
        return self.base_url.rstrip("/") + path

    def say(self, moment: datetime) -> str:
        """A deadline in French words, in the institution's time zone."""
        return french_datetime(moment, self.timezone)


@dataclass(frozen=True)
class Context:
    """The collaborators of one request (or command): read by the services, never kept."""

    db: Database
    settings: Settings
    compose: outbox.Composer
    clock: Clock
    origin: audit.Origin
    directory: Directory | None = None

    def now(self) -> datetime:
        """The time, from the context's clock."""
        return self.clock.now()
