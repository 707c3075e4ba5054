"""Time as the domain sees it: aware UTC datetimes, stored as fixed-width ISO strings.

Nothing reads the wall clock directly but `Clock`: the app holds one (`CLOCK` in its
configuration), so a test can set it to a given moment, move it on, or shift it years
ahead, and the code under test cannot tell.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class Clock:
    """The wall clock, optionally shifted by a fixed offset."""

    def __init__(self, shift: timedelta = timedelta(0)):
        self.shift = shift

    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        return datetime.now(UTC) + self.shift

    def seconds(self) -> float:
        """The current time in seconds since the epoch (for session idle times)."""
        return time.time() + self.shift.total_seconds()

    def __repr__(self) -> str:
        return f"Clock(shift={self.shift!r})"


class FrozenClock(Clock):
    """A clock that stands still at `moment` until moved: for tests."""

    def __init__(self, moment: datetime):
        super().__init__()
        self.moment = moment.astimezone(UTC)

    def now(self) -> datetime:
        return self.moment

    def seconds(self) -> float:
        return self.moment.timestamp()

    def advance(self, delta: timedelta) -> None:
        """Move the clock on by `delta`."""
        self.moment += delta

    def __repr__(self) -> str:
        return f"FrozenClock({self.moment.isoformat()})"


SYSTEM = Clock()


def utcnow() -> datetime:
    """The wall clock's current time, aware, in UTC (for code that holds no `Clock`)."""
    return SYSTEM.now()


def to_iso(moment: datetime) -> str:
    """Format an aware datetime for storage; fixed width, so strings compare like times."""
    return moment.astimezone(UTC).strftime(_FORMAT)


def from_iso(text: str) -> datetime:
    """Parse a stored timestamp back into an aware UTC datetime."""
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)


def backoff(attempts: int, *, base: float, maximum: float) -> float:
    """Seconds to wait after the `attempts`-th failure: base, 2×base, 4×base… capped (the
    mail outbox's and the directory queue's retries)."""
    return min(base * (2 ** max(attempts - 1, 0)), maximum)
