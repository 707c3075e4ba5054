"""How long each secret lives, and how its deadline is said to a person."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"]
_EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]


def link_expiry(sent_at: datetime, *, days: int, timezone: str) -> datetime:
    """Return 23:59:59 local time `days` calendar days after `sent_at`, as an aware datetime.

    Computed on the local calendar, so a daylight-saving change in between shifts nothing.
    """
    zone = ZoneInfo(timezone)
    local_day = sent_at.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(local_day, time(23, 59, 59), tzinfo=zone)


NBSP = "\u00a0"
_TIME = re.compile(r"\b(\d{1,2}) ?h ?(\d\d)\b|\b(\d{1,2}):(\d\d) ?(am|pm)\b")


def unbreakable_times(text: str) -> str:
    """Times kept on one line: « 8 h 30 » and « 8:30 am » with non-breaking spaces."""
    def join(match: re.Match) -> str:
        if match.group(1):
            return f"{match.group(1)}{NBSP}h{NBSP}{match.group(2)}"
        return f"{match.group(3)}:{match.group(4)}{NBSP}{match.group(5)}"
    return _TIME.sub(join, text)


def french_datetime(moment: datetime, timezone: str) -> str:
    """Say a moment in French words: « jeudi 26 novembre 2026 à 23 h 59 » (the time and
    the day's number kept on one line)."""
    local = moment.astimezone(ZoneInfo(timezone))
    day = "1er" if local.day == 1 else str(local.day)
    return (f"{_DAYS[local.weekday()]} {day}{NBSP}{_MONTHS[local.month - 1]} {local.year}"
            f" à {local.hour}{NBSP}h{NBSP}{local.minute:02d}")


def french_date(day: date) -> str:
    """Say a calendar day in French words: « 25 novembre 2026 », « 1er mars 2027 »."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {_MONTHS[day.month - 1]} {day.year}"


def english_datetime(moment: datetime, timezone: str) -> str:
    """Say a moment in English words: « Thursday 26 November 2026 at 11:59 pm »."""
    local = moment.astimezone(ZoneInfo(timezone))
    hour = local.hour % 12 or 12
    half = "am" if local.hour < 12 else "pm"
    return (f"{_EN_DAYS[local.weekday()]} {local.day} {_EN_MONTHS[local.month - 1]}"
            f" {local.year} at {hour}:{local.minute:02d} {half}")


def english_date(day: date) -> str:
    """Say a calendar day in English words: « 25 November 2026 »."""
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def say_datetime(moment: datetime, timezone: str, language: str = "fr") -> str:
    """A moment in words in `language` (« fr », the default, or « en »)."""
    return (english_datetime if language == "en" else french_datetime)(moment, timezone)


def say_date(day: date, language: str = "fr") -> str:
    """A calendar day in words in `language` (« fr », the default, or « en »)."""
    return (english_date if language == "en" else french_date)(day)
