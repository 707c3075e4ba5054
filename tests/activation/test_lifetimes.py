"""Link expiry (23:59:59 Paris time the day after sending) and deadlines said in French."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from wizard.activation.lifetimes import french_datetime, link_expiry, unbreakable_times

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)

PARIS = "Europe/Paris"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("sent_at", "expires_utc"), [
    # Winter (UTC+1): 23:59:59 Paris is 22:59:59 UTC.
    (utc(2026, 11, 25, 10, 0), utc(2026, 11, 26, 22, 59, 59)),
    # Just after midnight in Paris, still the evening before in UTC: Paris' calendar counts.
    (utc(2026, 11, 25, 23, 30), utc(2026, 11, 27, 22, 59, 59)),
    (utc(2026, 11, 25, 22, 59), utc(2026, 11, 26, 22, 59, 59)),
    # Summer (UTC+2).
    (utc(2026, 7, 14, 8, 0), utc(2026, 7, 15, 21, 59, 59)),
    # Across the end of the month and of the year.
    (utc(2026, 12, 31, 12, 0), utc(2027, 1, 1, 22, 59, 59)),
    (utc(2028, 2, 28, 12, 0), utc(2028, 2, 29, 22, 59, 59)),
])
def test_link_expires_at_the_end_of_the_next_paris_day(sent_at, expires_utc):
    assert link_expiry(sent_at, days=1, timezone=PARIS) == expires_utc


def test_link_sent_the_day_before_clocks_go_forward_expires_at_2359_summer_time():
    # Clocks go forward on Sunday 29 March 2026 at 02:00 (CET -> CEST).
    expires = link_expiry(utc(2026, 3, 28, 12, 0), days=1, timezone=PARIS)
    assert expires == utc(2026, 3, 29, 21, 59, 59)
    assert expires.utcoffset() == timedelta(hours=2)
    assert (expires.hour, expires.minute, expires.second) == (23, 59, 59)


def test_link_sent_the_day_before_clocks_go_back_expires_at_2359_winter_time():
    # Clocks go back on Sunday 25 October 2026 at 03:00 (CEST -> CET).
    expires = link_expiry(utc(2026, 10, 24, 12, 0), days=1, timezone=PARIS)
    assert expires == utc(2026, 10, 25, 22, 59, 59)
    assert expires.utcoffset() == timedelta(hours=1)
    assert (expires.hour, expires.minute, expires.second) == (23, 59, 59)


def test_link_sent_during_the_repeated_hour_counts_from_that_sunday():
    # 00:30 UTC on 25 October 2026 is 02:30 CEST, the first of the two 02:30s.
    expires = link_expiry(utc(2026, 10, 25, 0, 30), days=1, timezone=PARIS)
    assert expires == utc(2026, 10, 26, 22, 59, 59)


def test_link_expiry_counts_more_days_when_configured():
    assert link_expiry(utc(2026, 11, 25, 10, 0), days=3, timezone=PARIS) \
        == utc(2026, 11, 28, 22, 59, 59)


def test_link_expiry_with_zero_days_is_the_end_of_the_same_day():
    assert link_expiry(utc(2026, 11, 25, 10, 0), days=0, timezone=PARIS) \
        == utc(2026, 11, 25, 22, 59, 59)


def test_link_expiry_follows_the_configured_time_zone():
    expires = link_expiry(utc(2026, 11, 25, 10, 0), days=1, timezone="America/Cayenne")
    assert expires == utc(2026, 11, 27, 2, 59, 59)


def test_link_expiry_is_an_aware_datetime():
    assert link_expiry(utc(2026, 11, 25, 10, 0), days=1, timezone=PARIS).tzinfo is not None


@pytest.mark.parametrize(("moment", "words"), [
    (utc(2026, 11, 26, 22, 59, 59), "jeudi 26 novembre 2026 à 23 h 59"),
    (utc(2026, 10, 1, 6, 5), "jeudi 1er octobre 2026 à 8 h 05"),
    (utc(2026, 8, 1, 10, 0), "samedi 1er août 2026 à 12 h 00"),
    (utc(2027, 2, 1, 23, 0), "mardi 2 février 2027 à 0 h 00"),
    (utc(2026, 12, 31, 23, 30), "vendredi 1er janvier 2027 à 0 h 30"),
    (utc(2026, 3, 29, 21, 59, 59), "dimanche 29 mars 2026 à 23 h 59"),
    (utc(2026, 6, 2, 7, 9), "mardi 2 juin 2026 à 9 h 09"),
])
def test_french_datetime_says_the_moment_in_paris(moment, words):
    assert french_datetime(moment, PARIS) == unbreakable(words)


def unbreakable(words: str) -> str:
    """The words as printed: no line break inside « 23 h 59 » nor « 26 novembre »."""
    return re.sub(r"(\d|er) (?=[a-zéû]+ \d{4})", "\\1\u00a0", words).replace(" h ", "\u00a0h\u00a0")


@pytest.mark.parametrize(("text", "kept"), [
    ("du lundi au vendredi, de 8 h 30 à 17 h 30",
     "du lundi au vendredi, de 8\u00a0h\u00a030 à 17\u00a0h\u00a030"),
    ("de 8h30 à 12 h", "de 8\u00a0h\u00a030 à 12 h"),
    ("Monday to Friday, 8:30 am to 5:30 pm",
     "Monday to Friday, 8:30\u00a0am to 5:30\u00a0pm"),
])
def test_times_stay_on_one_line(text, kept):
    assert unbreakable_times(text) == kept


def test_french_datetime_of_a_link_expiry():
    expires = link_expiry(utc(2026, 11, 25, 10, 0), days=1, timezone=PARIS)
    assert french_datetime(expires, PARIS) == unbreakable("jeudi 26 novembre 2026 à 23 h 59")
