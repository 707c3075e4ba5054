"""Time as the domain sees it: aware UTC datetimes, stored as fixed-width ISO strings."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """Format an aware datetime for storage; fixed width, so strings compare like times."""
    return moment.astimezone(UTC).strftime(_FORMAT)


def from_iso(text: str) -> datetime:
    """Parse a stored timestamp back into an aware UTC datetime."""
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)
