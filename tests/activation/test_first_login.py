"""« 1ère connexion »: a fresh link for a pending person, the same answer for everyone."""

import pytest
from harness import (
    People,
    Visitor,
    dump,
    errors,
    handle_link_requests,
    link_in,
    mails,
    main_text,
    page,
    rows,
)

from wizard import db
from wizard.activation import first_login as first_logins

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)


@pytest.fixture
def ask(app):
    """Ask for a new link from a fresh browser; return the response after the redirect."""

    def ask(identifier):
        response = Visitor(app.test_client()).post("/premiere-connexion",
                                                   {"identifier": identifier})
        handle_link_requests(app)  # what the mail worker does moments later
        return response

    return ask


def set_status(database, person, status):
    database.execute("UPDATE people SET status = ? WHERE id = ?", [status, person.id])
    database.conn.commit()


def test_page_asks_for_an_address_or_a_login(client):
    response = client.get("/premiere-connexion")
    assert response.status_code == 200
    label = page(response).find("label", {"for": "identifier"})
    assert label.get_text(strip=True) == (
        "Adresse personnelle, adresse universitaire ou identifiant")
    # The page says which identifiers work, the personal address first.
    intro = page(response).select_one("main p").get_text(" ", strip=True)
    assert "adresse personnelle connue du service des ressources humaines" in intro
    assert "identifiant" in intro and "adresse électronique universitaire" in intro
    assert page(response).find("button").get_text(strip=True) == "Recevoir un nouveau lien"


def test_empty_identifier_is_refused(client, database):
    visitor = Visitor(client)
    before = dump(database)
    response = visitor.post("/premiere-connexion", {"identifier": "  "})
    assert response.status_code == 422
    assert errors(response) == [
        "Indiquez votre adresse personnelle, votre adresse universitaire ou votre identifiant."]
    assert dump(database) == before


def test_too_long_identifier_is_refused(client, database):
    response = Visitor(client).post("/premiere-connexion", {"identifier": "a" * 300})
    assert response.status_code == 422
    assert errors(response) == ["Ce texte est trop long pour une adresse ou un identifiant."]


@pytest.mark.parametrize("identifier", ["jdupont", "JDupont ", "jean.dupont@univ-test.fr",
                                        " Jean.Dupont@UNIV-TEST.fr",
                                        # The personal address HR recorded: the one
                                        # newcomers know, where the link goes anyway.
                                        "jean.dupont@exemple.org", " Jean.Dupont@Exemple.ORG"])
def test_pending_person_gets_a_link(staff, ask, database, identifier):
    person = staff.add()
    response = ask(identifier)
    assert response.status_code == 303
    assert response.headers["Location"] == "/premiere-connexion/envoye"
    (sent,) = mails(database, "activation")
    assert sent["to_addr"] == "jean.dupont@exemple.org"
    assert sent["person_id"] == person.id


def test_mailed_link_opens_the_wizard(staff, ask, database, client):
    staff.add()
    ask("jdupont")
    secret = link_in(mails(database, "activation")[0]["body_text"], "/activation/")
    assert client.get(f"/activation/{secret}").status_code == 200


def _arrange(staff, database, case):
    if case == "unknown":
        return "personne.inconnue@univ-test.fr"
    if case == "no personal address":
        staff.add(personal=None)
        return "jdupont"
    person = staff.add()
    if case != "pending":
        set_status(database, person, case)
    return "jdupont"


CASES = ["unknown", "pending", "active", "locked", "disabled", "no personal address"]


@pytest.mark.parametrize("case", CASES)
def test_answer_is_the_same_whoever_asks(make_app, case):
    def answer(case):
        app = make_app()
        connection = db.connect(app.config["DATABASE"])
        try:
            identifier = _arrange(People(app, connection), connection, case)
            visitor = Visitor(app.test_client())
            posted = visitor.post("/premiere-connexion", {"identifier": identifier})
            shown = visitor.get(posted.headers["Location"])
            return posted.status_code, posted.headers["Location"], shown.status_code, \
                main_text(shown)
        finally:
            connection.close()

    assert answer(case) == answer("unknown")


def test_answer_page_text(ask, client):
    response = ask("quiconque")
    shown = client.get(response.headers["Location"])
    assert page(shown).h1.get_text(strip=True) == "Demande enregistrée"


@pytest.mark.parametrize("case", ["unknown", "active", "locked", "disabled",
                                  "no personal address"])
def test_only_pending_people_with_a_personal_address_get_mail(staff, ask, database, case):
    identifier = _arrange(staff, database, case)
    ask(identifier)
    assert mails(database) == []


def test_second_request_within_the_cooldown_sends_nothing(staff, ask, database):
    staff.add()
    ask("jdupont")
    ask("jean.dupont@univ-test.fr")
    assert len(mails(database, "activation")) == 1
    (ignored,) = rows(database, "SELECT detail FROM audit WHERE event = 'link_request_ignored'")
    assert '"why": "cooldown"' in ignored["detail"]


def test_request_right_after_an_invitation_sends_nothing(staff, ask, database):
    person = staff.add()
    staff.link(person)
    ask("jdupont")
    assert len(mails(database, "activation")) == 1


def test_request_within_the_cooldown_after_the_link_expired_sends_a_new_link(staff, ask,
                                                                            database):
    person = staff.add()
    staff.link(person)
    database.execute("UPDATE tokens SET expires_at = '2000-01-01T00:00:00.000000Z'")
    database.conn.commit()
    ask("jdupont")
    assert len(mails(database, "activation")) == 2


def test_request_after_the_cooldown_sends_a_new_link(app, staff, ask, database):
    app.config["RESEND_COOLDOWN_SECONDS"] = 0
    staff.add()
    ask("jdupont")
    ask("jdupont")
    assert len(mails(database, "activation")) == 2


def test_a_strangers_requests_leave_the_enrolment_in_progress_alone(app, staff, ask,
                                                                    database):
    """Anyone can type a login on « 1ère connexion ». Before, each request revoked the
    person's link and ended their session (« Ce lien a été remplacé »), once a minute."""
    app.config["RESEND_COOLDOWN_SECONDS"] = 0
    person = staff.add()
    old = staff.link(person)
    visitor = Visitor(app.test_client())
    visitor.begin(old)
    visitor.through_charter()
    for _ in range(3):
        ask("jdupont")
    assert len(mails(database, "activation")) == 4
    assert rows(database, "SELECT count(*) AS n FROM tokens WHERE revoked_at IS NOT NULL"
                )[0]["n"] == 0
    # The session goes on, and the mailed link still opens the wizard.
    assert visitor.through_directory().headers["Location"] == "/etapes/messagerie"
    assert Visitor(app.test_client()).get(f"/activation/{old}").status_code == 200


def test_opening_a_new_link_retires_the_others(app, staff, ask, database, client):
    app.config["RESEND_COOLDOWN_SECONDS"] = 0
    person = staff.add()
    old = staff.link(person)
    ask("jdupont")
    new = link_in(mails(database, "activation")[-1]["body_text"], "/activation/")
    assert Visitor(app.test_client()).begin(new).status_code == 303
    response = client.get(f"/activation/{old}")
    assert response.status_code == 410
    assert page(response).h1.get_text(strip=True) == "Ce lien a été remplacé"
    assert client.get(f"/activation/{new}").status_code == 200


@pytest.mark.app_config(RATELIMIT_ENABLED=False)
def test_requests_stop_once_the_mailbox_holds_enough_working_links(app, staff, ask,
                                                                  database):
    app.config["RESEND_COOLDOWN_SECONDS"] = 0
    staff.add()
    for _ in range(8):
        ask("jdupont")
    assert len(mails(database, "activation")) == first_logins.MAX_LIVE_LINKS


def test_new_link_resumes_the_enrolment(app, staff, ask, database):
    app.config["RESEND_COOLDOWN_SECONDS"] = 0
    person = staff.add()
    visitor = Visitor(app.test_client())
    visitor.begin(staff.link(person))
    visitor.through_charter()
    ask("jdupont")
    new = link_in(mails(database, "activation")[-1]["body_text"], "/activation/")
    fresh = Visitor(app.test_client())
    fresh.begin(new)
    assert fresh.get("/etapes/").headers["Location"] == "/etapes/annuaire"


def test_no_audit_detail_reveals_the_identifier_typed(ask, database):
    ask("quelquun.dautre@univ-test.fr")
    assert "quelquun" not in repr(rows(database, "SELECT * FROM audit"))


def test_the_page_only_records_the_request(app, staff, database):
    """No link, no mail in the request itself: the worker does it moments later."""
    staff.add()
    Visitor(app.test_client()).post("/premiere-connexion", {"identifier": "jdupont"})
    assert mails(database, "activation") == []
    assert [r["identifier"] for r in rows(database, "SELECT * FROM link_requests")] == [
        "jdupont"]
    assert handle_link_requests(app) == 1
    assert len(mails(database, "activation")) == 1
    assert rows(database, "SELECT * FROM link_requests") == []


def test_the_personal_address_of_several_people_serves_the_pending_one(staff, ask, database):
    left = staff.add(first="Marie", last="Le Goff", personal="marie@exemple.org")
    set_status(database, left, "disabled")
    pending = staff.add(first="Marie", last="Le Goff", personal="marie@exemple.org")
    ask("marie@exemple.org")
    (sent,) = mails(database, "activation")
    assert sent["person_id"] == pending.id
