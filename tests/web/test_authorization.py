"""Who may touch what: a wizard session reaches its own enrolment only, through ids no one
can choose; forms write only their own fields; operator tools are not on the web."""

from __future__ import annotations

from harness import Visitor, csrf_of, enrolment_of, rows

# What a URL may carry: secrets drawn by the wizard, file names, a language, and (demo
# mail viewer only) an outbox row number. Never a person's or an enrolment's id.
URL_PARAMETERS = {"token", "filename", "language", "message_id"}


def test_no_url_names_a_person_or_an_enrolment(app):
    parameters = {name for rule in app.url_map.iter_rules() for name in rule.arguments}
    assert parameters <= URL_PARAMETERS


def test_a_tampered_session_cookie_opens_nothing(staff, visitor, client, database):
    visitor.reach(staff, "annuaire")
    value = client.get_cookie(client.application.config["SESSION_COOKIE_NAME"]).value
    payload, _, signature = value.rpartition(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    client.set_cookie("__Host-sesame_session", forged)
    before = rows(database, "SELECT * FROM enrolments")
    response = client.get("/etapes/annuaire")
    assert response.status_code == 303
    assert "/etapes/session-terminee" in response.headers["Location"]
    assert rows(database, "SELECT * FROM enrolments") == before


def test_a_session_reaches_only_its_own_enrolment(app, staff, visitor, database):
    other = staff.add(first="Anne", last="Martin", personal="anne.martin@exemple.org")
    stranger = Visitor(app.test_client())
    stranger.begin(staff.link(other))
    me = visitor.reach(staff, "annuaire")
    visitor.through_directory("oui")
    assert enrolment_of(database, me)["directory_listed"] == 1
    assert enrolment_of(database, other)["directory_listed"] is None


def test_extra_fields_named_like_columns_change_nothing(staff, visitor, client, database):
    person = visitor.reach(staff, "annuaire")
    people_before = rows(database, "SELECT * FROM people")
    token = csrf_of(client.get("/etapes/annuaire"))
    response = client.post("/etapes/annuaire", data={
        "csrf_token": token, "listed": "non", "status": "active", "login": "root",
        "completed_at": "2026-01-01T00:00:00", "forward_to": "pirate@ailleurs.net",
        "enrolment": "1", "person_id": "1", "charter_version": "0"})
    assert response.status_code == 303
    assert rows(database, "SELECT * FROM people") == people_before
    enrolment = enrolment_of(database, person)
    assert enrolment["directory_listed"] == 0
    assert enrolment["completed_at"] is None and enrolment["forward_to"] is None
    assert rows(database, "SELECT * FROM accounts") == []
