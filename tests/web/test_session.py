"""The wizard session: it ends when idle too long or when its link stops being valid."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from harness import (
    People,
    Visitor,
    csrf_of,
    dump,
    enrolment_of,
    main_text,
    now,
    page,
    rows,
)

from wizard import db
from wizard.activation import sesames, sessions
from wizard.activation.audit import CLI
from wizard.clock import to_iso
from wizard.web.services import app_services

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)


def ended(response, reason):
    assert response.status_code == 303, response.status_code
    target = urlsplit(response.headers["Location"])
    return target.path == "/etapes/session-terminee" and \
        parse_qs(target.query) == {"raison": [reason]}


def idle_for(client, seconds):
    """As if the browser had done nothing for `seconds`: on the server (its record of the
    session, which rules) and in the cookie."""
    with client.session_transaction() as session:
        session["seen"] = int(now().timestamp()) - seconds
    connection = db.connect(client.application.config["DATABASE"])
    connection.execute("UPDATE wizard_sessions SET seen_at = ?",
                       [to_iso(now() - timedelta(seconds=seconds))])
    connection.close()


def test_idle_session_ends(staff, visitor):
    visitor.reach(staff, "annuaire")
    idle_for(visitor.client, 31 * 60)
    assert ended(visitor.get("/etapes/annuaire"), "idle")


def test_idle_session_page_explains_and_offers_a_new_link(staff, visitor):
    visitor.reach(staff, "annuaire")
    idle_for(visitor.client, 31 * 60)
    response = visitor.get("/etapes/annuaire", follow_redirects=True)
    assert response.status_code == 403
    assert page(response).h1.get_text(strip=True) == "Votre session a expiré"
    assert "30 minutes" in main_text(response)
    assert page(response).find("a", string="Recevoir un nouveau lien") is not None


def test_ended_session_is_forgotten(staff, visitor):
    visitor.reach(staff, "annuaire")
    idle_for(visitor.client, 31 * 60)
    visitor.get("/etapes/annuaire")
    assert ended(visitor.get("/etapes/annuaire"), "none")


def test_session_used_within_the_idle_time_goes_on(staff, visitor):
    visitor.reach(staff, "annuaire")
    idle_for(visitor.client, 29 * 60)
    assert visitor.get("/etapes/annuaire").status_code == 200
    with visitor.client.session_transaction() as session:
        assert now().timestamp() - session["seen"] < 60


def test_idle_time_is_configurable(make_app, tmp_path):
    app = make_app(SESSION_IDLE_MINUTES=5)
    connection = db.connect(app.config["DATABASE"])
    try:
        visitor = Visitor(app.test_client())
        visitor.reach(People(app, connection), "annuaire")
        idle_for(visitor.client, 6 * 60)
        response = visitor.get("/etapes/annuaire", follow_redirects=True)
        assert page(response).h1.get_text(strip=True) == "Votre session a expiré"
        assert "5 minutes" in main_text(response)
    finally:
        connection.close()


def test_idle_session_records_nothing(staff, visitor, database):
    visitor.reach(staff, "annuaire")
    token_page = visitor.get("/etapes/annuaire")
    idle_for(visitor.client, 31 * 60)
    before = dump(database)
    response = visitor.client.post("/etapes/annuaire", data={
        "csrf_token": csrf_of(token_page), "listed": "oui"})
    assert ended(response, "idle")
    assert dump(database) == before


def test_reopening_the_link_after_idling_resumes_where_it_stopped(staff, visitor, database):
    person = staff.add()
    secret = staff.link(person)
    visitor.begin(secret)
    visitor.through_charter()
    idle_for(visitor.client, 31 * 60)
    visitor.get("/etapes/")
    visitor.begin(secret)
    assert visitor.get("/etapes/").headers["Location"] == "/etapes/annuaire"
    assert enrolment_of(database, person)["charter_accepted_at"] is not None


def test_a_newer_link_ends_the_session_of_the_older_one(staff, visitor):
    person = staff.add()
    visitor.begin(staff.link(person))
    visitor.through_charter()
    staff.link(person)
    assert ended(visitor.get("/etapes/annuaire"), "link")


def test_revoked_link_page_explains(staff, visitor):
    person = staff.add()
    visitor.begin(staff.link(person))
    staff.link(person)
    response = visitor.get("/etapes/charte", follow_redirects=True)
    assert page(response).h1.get_text(strip=True) == "Votre lien n'est plus valable"


def test_newer_link_opens_a_session_that_resumes(staff, visitor, app):
    person = staff.add()
    visitor.begin(staff.link(person))
    visitor.through_charter()
    newer = Visitor(app.test_client())
    newer.begin(staff.link(person))
    assert newer.get("/etapes/").headers["Location"] == "/etapes/annuaire"


def test_link_expiring_ends_the_session(staff, visitor, database):
    person = staff.add()
    visitor.begin(staff.link(person))
    database.execute("UPDATE tokens SET expires_at = '2000-01-01T00:00:00.000000Z'")
    database.conn.commit()
    assert ended(visitor.get("/etapes/charte"), "link")


def test_ended_session_under_htmx_redirects_the_whole_page(staff, visitor):
    visitor.reach(staff, "verification")
    idle_for(visitor.client, 31 * 60)
    response = visitor.get("/etapes/messagerie/verification/statut",
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/etapes/session-terminee?raison=idle"


def test_session_cookie_is_protected(staff, visitor):
    person = staff.add()
    response = visitor.begin(staff.link(person))
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-sesame_session=")  # https base URL
    for flag in ("HttpOnly", "SameSite=Lax", "Secure"):
        assert flag in cookie


def test_completion_clears_the_wizard_session(staff, visitor, client):
    visitor.reach(staff, "termine")
    with client.session_transaction() as stored:
        assert set(stored) <= {"sid", "done", "seen", "csrf_token", "_permanent"}
        assert "enrolment" not in stored and "proof" not in stored
    assert visitor.get("/etapes/termine").status_code == 200
    assert visitor.get("/etapes/charte").headers["Location"].endswith("/etapes/termine")


def test_a_second_tab_ends_on_the_done_page_with_a_finished_session(staff, visitor, client):
    visitor.reach(staff, "mot-de-passe")
    with client.session_transaction() as stored:
        stale = dict(stored)
    assert visitor.choose_password().status_code == 303
    with client.session_transaction() as stored:  # the other tab still holds the old cookie
        stored.clear()
        stored.update(stale)
    response = visitor.get("/etapes/mot-de-passe")
    assert response.headers["Location"].endswith("/etapes/termine")
    with client.session_transaction() as stored:
        assert "proof" not in stored and stored.get("done")


def test_leaving_ends_the_session_and_keeps_what_was_recorded(staff, visitor, database):
    person = visitor.reach(staff, "messagerie")
    response = visitor.post("/etapes/quitter", form_url="/etapes/messagerie")
    assert response.headers["Location"].endswith("/etapes/session-terminee?raison=left")
    assert "quitté l'activation" in main_text(visitor.get(response.headers["Location"]))
    assert "/etapes/session-terminee" in visitor.get("/etapes/messagerie").headers["Location"]
    assert enrolment_of(database, person)["directory_answered_at"]


def copy_of_cookie(client) -> dict:
    with client.session_transaction() as stored:
        return dict(stored)


def put_cookie(client, values: dict) -> None:
    with client.session_transaction() as stored:
        stored.clear()
        stored.update(values)


def test_a_copied_cookie_stops_working_after_leaving(staff, visitor, database):
    """Before, « Quitter » only forgot the cookie in the browser: a copy still answered
    and recorded steps."""
    person = visitor.reach(staff, "annuaire")
    copied = copy_of_cookie(visitor.client)
    token = csrf_of(visitor.get("/etapes/annuaire"))
    visitor.post("/etapes/quitter", form_url="/etapes/annuaire")
    put_cookie(visitor.client, copied)
    response = visitor.client.post("/etapes/annuaire", data={"csrf_token": token,
                                                              "listed": "oui"})
    assert ended(response, "left")
    assert enrolment_of(database, person)["directory_answered_at"] is None


def test_the_idle_timeout_is_kept_by_the_server(staff, visitor):
    """A cookie whose own clock says « just seen » (copied, or replayed) does not outlive
    the idle timeout: the server's record rules."""
    visitor.reach(staff, "annuaire")
    idle_for(visitor.client, 31 * 60)
    with visitor.client.session_transaction() as session:
        session["seen"] = int(now().timestamp())
    assert ended(visitor.get("/etapes/annuaire"), "idle")


def test_a_signed_cookie_cannot_pair_a_proof_with_another_enrolment(staff, app, database):
    """Before, a validly signed cookie naming one person's link and another's enrolment
    was accepted (shown with a weak key recovered offline). The cookie now names only a
    random session id; the pairing is on the server."""
    mine, theirs = staff.add(), staff.add(first="Marie", last="Curie",
                                          personal="marie@exemple.org")
    me, them = Visitor(app.test_client()), Visitor(app.test_client())
    me.begin(staff.link(mine))
    them.begin(staff.link(theirs))
    their_enrolment = enrolment_of(database, theirs)["id"]
    my_token = rows(database, "SELECT id FROM tokens WHERE person_id = ?", [mine.id])[0]["id"]
    put_cookie(me.client, {"enrolment": their_enrolment, "method": "link",
                           "proof": my_token, "seen": int(now().timestamp())})
    assert ended(me.get("/etapes/charte"), "none")
    # And the server refuses to record such a pairing at all.
    with pytest.raises(ValueError):
        sessions.open_session(database, enrolment_id=their_enrolment, method="link",
                              proof_id=my_token, now=now())


def test_a_new_sesame_ends_the_sessions_of_the_old_one(app, staff, database):
    person = staff.add(personal=None)
    hasher = app_services(app).password_hasher
    with app.app_context(), db.transaction(database):
        first = sesames.issue(database, hasher, person.id, now=now(), valid_days=30,
                              timezone="Europe/Paris", origin=CLI,
                              login_key_secret=app_services(app).settings.code_key)
    visitor = Visitor(app.test_client())
    assert visitor.post("/sesame", {"login": person.login, "sesame": first.code}
                        ).status_code == 303
    copied = copy_of_cookie(visitor.client)
    with db.transaction(database):
        sesames.issue(database, hasher, person.id, now=now(), valid_days=30,
                      timezone="Europe/Paris", origin=CLI,
                              login_key_secret=app_services(app).settings.code_key)
    put_cookie(visitor.client, copied)
    assert "/etapes/session-terminee" in visitor.get("/etapes/charte").headers["Location"]
    assert rows(database, "SELECT ended_why FROM wizard_sessions") == [
        {"ended_why": "new_sesame"}]
