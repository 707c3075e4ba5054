"""Rate limits on every page that checks a secret or sends mail: a French 429 with a wait."""

from __future__ import annotations

import pytest
from harness import Visitor, main_text, page

LIMITS = {
    "RATELIMIT_SECRET_PER_IP": "4 per minute",
    "RATELIMIT_SECRET_PER_IDENTIFIER": "3 per minute",
    "RATELIMIT_MAIL_PER_IP": "4 per minute",
    "RATELIMIT_MAIL_PER_IDENTIFIER": "2 per minute",
    "RATELIMIT_STRENGTH_PER_IP": "3 per minute",
    "RATELIMIT_STRENGTH_PER_SESSION": "100 per minute",
}


def from_ip(app, ip):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return Visitor(client)


@pytest.mark.app_config(**LIMITS)
def test_first_login_is_limited_per_identifier_across_addresses(app):
    answers = [from_ip(app, f"10.0.0.{n}").post("/premiere-connexion",
                                                 {"identifier": "jdupont"}).status_code
               for n in range(3)]
    assert answers == [303, 303, 429]


@pytest.mark.app_config(**LIMITS)
def test_first_login_is_limited_per_address(app):
    visitor = from_ip(app, "10.0.0.9")
    answers = [visitor.post("/premiere-connexion", {"identifier": f"x{n}"}).status_code
               for n in range(5)]
    assert answers == [303, 303, 303, 303, 429]


@pytest.mark.app_config(**LIMITS)
def test_the_limited_page_is_french_and_says_when_to_retry(app):
    visitor = from_ip(app, "10.0.0.1")
    for _ in range(2):
        visitor.post("/premiere-connexion", {"identifier": "jdupont"})
    limited = visitor.post("/premiere-connexion", {"identifier": "jdupont"})
    assert limited.status_code == 429
    assert page(limited).h1.get_text() == "Trop de tentatives"
    assert "patientez 1 minute avant de réessayer" in main_text(limited)
    assert limited.headers["Retry-After"]


@pytest.mark.app_config(**LIMITS)
@pytest.mark.parametrize("login", ["jdupont", "personne"])
def test_a_typed_login_is_never_rate_limited_for_everyone(app, staff, login):
    """No limit per typed login (a stranger could use it up and keep its owner out): the
    brakes on a login are per network (`attempts`), for a known and an unknown login alike.
    Before, a fourth try from a fourth address got a 429."""
    staff.add(personal=None)
    answers = [from_ip(app, f"10.0.1.{n}").post(
        "/sesame", {"login": login, "sesame": "AAAAAAAAAA"}).status_code for n in range(6)]
    assert answers == [422] * 6


@pytest.mark.app_config(**LIMITS)
def test_limited_sesame_does_not_check_anything(app, staff, database):
    staff.add(personal=None)
    visitor = from_ip(app, "10.0.2.1")
    for _ in range(4):  # the per-IP limit: 4 a minute
        visitor.post("/sesame", {"login": "jdupont", "sesame": "AAAAAAAAAA"})
    failures = database.execute("SELECT count(*) FROM attempts").fetchone()[0]
    assert visitor.post("/sesame", {"login": "jdupont", "sesame": "A"}).status_code == 429
    assert database.execute("SELECT count(*) FROM attempts").fetchone()[0] == failures


@pytest.mark.app_config(RATELIMIT_SECRET_PER_IP="100 per minute",
                        RATELIMIT_ARGON2_PER_IP="3 per minute")
def test_the_sesame_page_spends_few_argon2_checks_per_address(app):
    """Before, /sesame allowed 60 argon2 checks a minute per address and per worker."""
    visitor = from_ip(app, "10.0.3.1")
    answers = [visitor.post("/sesame", {"login": f"x{n}", "sesame": "AAAAAAAAAA"}
                            ).status_code for n in range(4)]
    assert answers == [422, 422, 422, 429]


@pytest.mark.app_config(RATELIMIT_ARGON2_PER_SESSION="2 per minute")
def test_the_password_submit_is_limited_per_session(app, staff):
    visitor = from_ip(app, "10.0.3.2")
    visitor.reach(staff, "mot-de-passe")
    answers = [visitor.choose_password("court").status_code for _ in range(3)]
    assert answers == [422, 422, 429]


@pytest.mark.app_config(**LIMITS)
def test_strength_fragment_is_limited_with_a_fragment_answer(app, staff, visitor):
    visitor.reach(staff, "mot-de-passe")
    token = page(visitor.get("/etapes/mot-de-passe")).find(
        "input", {"name": "csrf_token"})["value"]
    headers = {"HX-Request": "true"}
    answers = [visitor.client.post("/etapes/mot-de-passe/force", headers=headers,
                                   data={"csrf_token": token, "password": "x"})
               for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    limited = page(answers[-1])
    assert limited.find("html") is None  # a fragment, not a whole page
    assert "Trop de tentatives" in limited.get_text()


@pytest.mark.app_config(**LIMITS)
def test_verification_code_is_limited_per_enrolment(app, staff, visitor):
    visitor.reach(staff, "verification")
    answers = [visitor.post("/etapes/messagerie/verification/code", {"code": "000000"},
                            form_url="/etapes/messagerie/verification").status_code
               for _ in range(4)]
    assert answers[-1] == 429


@pytest.mark.app_config(**{**LIMITS, "RATELIMIT_STRENGTH_PER_IP": "100 per minute",
                           "RATELIMIT_STRENGTH_PER_SESSION": "2 per minute"})
def test_strength_fragment_is_limited_per_session(app, staff, visitor):
    visitor.reach(staff, "mot-de-passe")
    token = page(visitor.get("/etapes/mot-de-passe")).find(
        "input", {"name": "csrf_token"})["value"]
    answers = [visitor.client.post("/etapes/mot-de-passe/force",
                                   headers={"HX-Request": "true"},
                                   data={"csrf_token": token, "password": "x"}).status_code
               for _ in range(3)]
    assert answers == [200, 200, 429]


@pytest.mark.app_config(**LIMITS)
def test_typed_identifiers_are_neither_stored_nor_logged_in_clear(app, database, caplog):
    """Before, typed logins (which can be a mistyped sésame) were stored in `attempts`
    and logged by Flask-Limiter in clear."""
    typed = "K7PX4MWQ9R"  # a sésame typed in the login field
    visitor = from_ip(app, "10.0.4.1")
    visitor.post("/sesame", {"login": typed, "sesame": "AAAAAAAAAA"})
    for _ in range(3):
        visitor.post("/premiere-connexion", {"identifier": typed})
    assert visitor.post("/premiere-connexion", {"identifier": typed}).status_code == 429
    stored = str(list(database.query("SELECT * FROM attempts")))
    assert typed not in stored and typed.lower() not in stored
    assert typed not in caplog.text and typed.lower() not in caplog.text
    with open(app.config["DATABASE"] + ".limits", "rb") as limits:
        assert typed.lower().encode() not in limits.read()
