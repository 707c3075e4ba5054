"""What an attacker tries against a real gunicorn (two workers), in parallel: strangers
who know a login (initial + surname) must not lock, revoke or burn anyone's activation,
and the brakes count exactly however many tries arrive at once."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from harness import (
    SERVER_SECRET_KEY,
    HttpBrowser,
    free_port,
    in_parallel,
    now,
    rows,
    start_gunicorn,
    stop_gunicorn,
)

from wizard import db, passwords
from wizard.activation import people, tokens
from wizard.activation.tokens import Purpose
from wizard.clock import to_iso

pytestmark = pytest.mark.dates

SESAME = "K7PX4MWQ9R"
JUNK = "AAAAAAAAAA"


def lettered(server, login="pmartin"):
    """A pending person without a personal address, holding a live sésame."""
    database = server.connect()
    with db.transaction(database):
        person = people.create(database, first_name="Paul", last_name="Martin", login=login,
                               institutional_email=f"{login}@univ-test.fr",
                               personal_email=None, now=now())
        hasher = passwords.hasher(time_cost=1, memory_kib=1024, parallelism=1)
        database.execute(
            "UPDATE people SET sesame_hash = ?, sesame_expires_at = ?, sesame_issued_at = ?"
            " WHERE id = ?", [hasher.hash(SESAME), to_iso(now() + timedelta(days=30)),
                              to_iso(now()), person.id])
    database.close()
    return person


def linked(server, login="jdupont"):
    """A pending person on the link path: a personal address and a mailed link."""
    database = server.connect()
    with db.transaction(database):
        person = people.create(database, first_name="Jean", last_name="Dupont", login=login,
                               institutional_email=f"{login}@univ-test.fr",
                               personal_email="jean@exemple.org", now=now())
        issued = tokens.issue(database, person_id=person.id, purpose=Purpose.ACTIVATION,
                              now=now(), expires_at=now() + timedelta(days=1))
    database.close()
    return person, issued.secret


def junk_burst(server, login, count, ip="203.0.113.7"):
    """`count` browsers from one address typing `login` and a wrong sésame, all at once."""
    browsers = [HttpBrowser(server.url, ip=ip) for _ in range(count)]
    tokens_ = [browser.csrf("/sesame") for browser in browsers]
    return in_parallel(count, lambda i: browsers[i].post(
        "/sesame", {"login": login, "sesame": JUNK}, token=tokens_[i]).status)


def test_parallel_wrong_sesames_count_exactly_and_stop_at_the_wait(live_server):
    """Before: 20 parallel tries recorded 12 failures where the wait starts at 5."""
    person = lettered(live_server)
    statuses = junk_burst(live_server, person.login, 20)
    assert set(statuses) <= {422, 429}  # refused by the brakes or by the rate limits
    database = live_server.connect()
    assert rows(database, "SELECT count(*) AS n FROM attempts")[0]["n"] == 5
    checked = rows(database, "SELECT count(*) AS n FROM audit WHERE event = 'identity_refused'"
                             " AND detail LIKE '%\"why\": \"wrong\"%'")[0]["n"]
    assert checked == 5  # exactly five sésames were checked; fifteen were held back


def test_a_strangers_burst_does_not_stop_the_person_typing_the_right_sesame(live_server):
    """The wait falls on the stranger's network, not on the login: the person's own try,
    from elsewhere, gets in at once; the person's status never changes."""
    person = lettered(live_server)
    junk_burst(live_server, person.login, 20)
    own = HttpBrowser(live_server.url, ip="198.51.100.20")
    answer = own.post("/sesame", {"login": person.login, "sesame": SESAME})
    assert answer.status == 303 and answer.location.endswith("/etapes/charte")
    database = live_server.connect()
    assert rows(database, "SELECT status, locked_at FROM people")[0] == {
        "status": "pending", "locked_at": None}


@pytest.mark.app_config(SESAME_WAIT_AFTER=1000, SESAME_LOCK_AFTER=20, RATELIMIT_ENABLED=0)
def test_sesame_failures_on_a_link_path_login_change_nothing_for_that_person(live_server):
    """Before: junk sésames with a link-path person's login locked them and their mailed
    link said « Ce lien a été remplacé ». Now the lock (reached here) is the sésame's."""
    person, secret = linked(live_server)
    mine = HttpBrowser(live_server.url, ip="198.51.100.20")
    assert mine.post(f"/activation/{secret}", form_path=f"/activation/{secret}").status == 303
    for burst in range(3):  # three bursts, from three networks
        junk_burst(live_server, person.login, 20, ip=f"203.0.113.{burst + 1}")
    database = live_server.connect()
    assert rows(database, "SELECT status, locked_at FROM people")[0] == {
        "status": "pending", "locked_at": None}
    assert rows(database, "SELECT revoked_at FROM tokens")[0]["revoked_at"] is None
    assert mine.get("/etapes/charte").status == 200  # the session goes on
    assert HttpBrowser(live_server.url).get(f"/activation/{secret}").status == 200


@pytest.mark.app_config(RATELIMIT_MAIL_PER_IDENTIFIER="3 per minute")
def test_a_limit_per_identifier_holds_across_the_workers(live_server):
    """Before, with `memory://` per process, two workers allowed twice the limit."""
    browsers = [HttpBrowser(live_server.url, ip=f"198.51.100.{n}") for n in range(12)]
    tokens_ = [browser.csrf("/premiere-connexion") for browser in browsers]
    statuses = in_parallel(12, lambda i: browsers[i].post(
        "/premiere-connexion", {"identifier": "jdupont"}, token=tokens_[i]).status)
    assert sorted(statuses) == [303] * 3 + [429] * 9


@pytest.mark.app_config(ASK_BIRTH_DATE=1, BIRTH_DATE_MAX_TRIES=5)
def test_parallel_wrong_birth_dates_compare_no_more_than_allowed(live_server):
    """Before: 30 parallel tries compared 8 dates where 5 are allowed (the lock was not
    re-read in the transaction that compares)."""
    person, secret = linked(live_server)
    database = live_server.connect()
    database.execute("UPDATE people SET birth_date = '1990-05-17'")
    mine = HttpBrowser(live_server.url, ip="198.51.100.20")
    assert mine.post(f"/activation/{secret}").location.endswith("/etapes/date-de-naissance")
    token = mine.csrf("/etapes/date-de-naissance")
    in_parallel(30, lambda i: mine.post("/etapes/date-de-naissance",
                                        {"birth_date": f"{i % 28 + 1:02d}/01/1980"},
                                        token=token).status)
    compared = rows(database, "SELECT count(*) AS n FROM audit"
                              " WHERE event = 'birth_date_refused'")[0]["n"]
    assert compared == 5
    assert rows(database, "SELECT status FROM people")[0]["status"] == "locked"


def test_a_server_believing_forwarded_addresses_warns_when_reachable_directly(tmp_path):
    """Before, with WIZARD_PROXY_FIX_HOPS=1 and gunicorn on 0.0.0.0, anyone could pick the
    address the audit log and the rate limits see, silently."""
    url = f"http://127.0.0.1:{free_port()}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("WIZARD_")},
           "WIZARD_INSTANCE_PATH": str(tmp_path / "instance"),
           "WIZARD_DATABASE": str(tmp_path / "w.sqlite3"), "WIZARD_BASE_URL": url,
           "WIZARD_SECRET_KEY": SERVER_SECRET_KEY, "WIZARD_MAIL_DELIVERY_THREAD": "0",
           "WIZARD_PROXY_FIX_HOPS": "1"}
    for host, warned in (("0.0.0.0", True), ("127.0.0.1", False)):
        log_path = tmp_path / f"{host}.log"
        stop_gunicorn(start_gunicorn(url, env, log_path, workers=1, host=host))
        assert ("X-Forwarded-For is believed from whoever connects" in log_path.read_text()
                ) is warned
