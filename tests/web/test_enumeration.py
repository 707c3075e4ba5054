"""No enumeration: the pages that take an identifier answer alike whoever it names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from harness import Visitor, page

from wizard import passwords
from wizard.clock import to_iso

STATES = ["unknown", "pending", "active", "locked", "disabled"]
SESAME = "K7PX4MWQ9R"
# Headers that legitimately vary between two requests: time, per-session cookie, the
# rate-limit window's reset instant.
VARYING = {"Date", "Set-Cookie", "X-RateLimit-Reset", "Content-Length"}


def comparable(response):
    """Status, headers and page with the per-session CSRF token and the echo of what was
    typed masked (the person sees their own input again, whoever it names)."""
    soup = page(response)
    for name in ("csrf_token", "login", "identifier"):
        for field in soup.find_all("input", {"name": name}):
            field["value"] = "…"
    headers = {k: v for k, v in response.headers.items() if k not in VARYING}
    return response.status_code, headers, str(soup)


@pytest.mark.app_config(RATELIMIT_ENABLED=False)
def test_sesame_page_answers_alike_for_every_kind_of_account(app, staff, database):
    results = {}
    for index, state in enumerate(STATES):
        login = "qqpersonne" if state == "unknown" else None
        if login is None:
            person = staff.add(first="Agent", last=f"Numero{index}", personal=None)
            hasher = passwords.hasher(time_cost=1, memory_kib=8, parallelism=1)
            database.execute(
                "UPDATE people SET status = ?, sesame_hash = ?, sesame_expires_at = ?,"
                " locked_at = ?, disabled_at = ? WHERE id = ?",
                [state, hasher.hash(SESAME), to_iso(datetime.now(UTC) + timedelta(days=30)),
                 to_iso(datetime.now(UTC)) if state == "locked" else None,
                 to_iso(datetime.now(UTC)) if state == "disabled" else None, person.id])
            login = person.login
        response = Visitor(app.test_client()).post("/sesame",
                                                   {"login": login, "sesame": "AAAAAAAAAA"})
        results[state] = comparable(response)
    first = results["unknown"]
    for state, result in results.items():
        assert result == first, f"the answer for a {state} account differs"


@pytest.mark.app_config(RATELIMIT_ENABLED=False)
@pytest.mark.parametrize("state", ["active", "locked", "disabled"])
def test_the_right_sesame_of_an_unusable_account_gets_the_common_refusal(
        app, staff, database, state):
    person = staff.add(personal=None)
    hasher = passwords.hasher(time_cost=1, memory_kib=8, parallelism=1)
    database.execute(
        "UPDATE people SET status = ?, sesame_hash = ?, sesame_expires_at = ?,"
        " disabled_at = ? WHERE id = ?",
        [state, hasher.hash(SESAME), to_iso(datetime.now(UTC) + timedelta(days=30)),
         to_iso(datetime.now(UTC)) if state == "disabled" else None, person.id])
    right = Visitor(app.test_client()).post("/sesame", {"login": person.login,
                                                        "sesame": SESAME})
    nobody = Visitor(app.test_client()).post("/sesame", {"login": "qqpersonne",
                                                         "sesame": SESAME})
    assert comparable(right) == comparable(nobody)


@pytest.mark.app_config(RATELIMIT_ENABLED=False)
@pytest.mark.parametrize("typed", ["login", "personal address"])
def test_first_login_answers_alike_for_every_kind_of_account(app, staff, database, typed):
    results = {}
    for index, state in enumerate(STATES):
        identifier = "qqpersonne" if typed == "login" else "qqpersonne@exemple.org"
        if state != "unknown":
            person = staff.add(first="Agent", last=f"Numero{index}",
                               personal=f"agent{index}@exemple.org")
            database.execute("UPDATE people SET status = ? WHERE id = ?", [state, person.id])
            identifier = person.login if typed == "login" else person.personal_email
        visitor = Visitor(app.test_client())
        posted = visitor.post("/premiere-connexion", {"identifier": identifier})
        followed = visitor.get(posted.headers["Location"])
        results[state] = (comparable(posted), comparable(followed))
    first = results["unknown"]
    for state, result in results.items():
        assert result == first, f"the answer for a {state} account differs"
