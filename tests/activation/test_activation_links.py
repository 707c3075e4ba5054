"""The activation link: its GET changes nothing, its POST proves identity; dead links say why
and offer a new one."""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from harness import dump, link_in, mails, main_text, page

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)


def new_link_offered(response) -> bool:
    link = page(response).find("a", string="Recevoir un nouveau lien")
    return link is not None and link["href"] == "/premiere-connexion"


def test_link_page_greets_the_person_with_one_button(staff, client):
    person = staff.add()
    response = client.get(f"/activation/{staff.link(person)}")
    assert response.status_code == 200
    assert page(response).h1.get_text(strip=True) == "Bienvenue, Jean Dupont"
    form = page(response).find("form", method="post")
    assert form.find("button").get_text(strip=True) == "Commencer l'activation"


@pytest.mark.clock_at(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
def test_link_page_says_until_when_it_is_valid(staff, client, clock):
    person = staff.add()
    secret = staff.link(person)  # sent now, by the app's clock
    clock.advance(timedelta(hours=30))  # the next evening, 22:00 in Paris: still valid
    text = main_text(client.get(f"/activation/{secret}"))
    assert "jusqu'au jeudi 26 novembre 2026 à 23 h 59" in text


def test_opening_the_link_changes_nothing(staff, client, database):
    person = staff.add()
    secret = staff.link(person)
    before = dump(database)
    for _ in range(3):
        assert client.get(f"/activation/{secret}").status_code == 200
    assert dump(database) == before


def test_opening_the_link_gives_no_session(staff, client):
    person = staff.add()
    client.get(f"/activation/{staff.link(person)}")
    response = client.get("/etapes/charte")
    assert response.headers["Location"].startswith("/etapes/session-terminee")


def test_button_starts_the_wizard(staff, visitor):
    person = staff.add()
    response = visitor.begin(staff.link(person))
    assert response.status_code == 303
    charter = visitor.get("/etapes/", follow_redirects=True)
    assert page(charter).h1.get_text(strip=True) == "Charte informatique"


def test_unknown_link(client, database):
    before = dump(database)
    response = client.get("/activation/" + "x" * 43)
    assert response.status_code == 404
    assert page(response).h1.get_text(strip=True) == "Ce lien n'est pas reconnu"
    assert new_link_offered(response)
    assert dump(database) == before


def test_expired_link(staff, client):
    person = staff.add()
    secret = staff.link(person, now=datetime.now(UTC) - timedelta(days=3))
    response = client.get(f"/activation/{secret}")
    assert response.status_code == 410
    assert page(response).h1.get_text(strip=True) == "Ce lien a expiré"
    assert new_link_offered(response)


def test_replaced_link(staff, client):
    person = staff.add()
    old = staff.link(person)
    staff.link(person)
    response = client.get(f"/activation/{old}")
    assert response.status_code == 410
    assert page(response).h1.get_text(strip=True) == "Ce lien a été remplacé"
    assert new_link_offered(response)


def test_used_link(staff, visitor, client):
    person = staff.add()
    secret = staff.link(person)
    visitor.begin(secret)
    visitor.through_charter()
    visitor.through_directory()
    visitor.through_mail()
    visitor.choose_password()
    response = client.get(f"/activation/{secret}")
    assert response.status_code == 410
    assert page(response).h1.get_text(strip=True) == "Ce lien a déjà servi"
    assert new_link_offered(response)


def test_link_of_a_disabled_person_is_refused(staff, client, database):
    person = staff.add()
    secret = staff.link(person)
    database.execute("UPDATE people SET status = 'disabled' WHERE id = ?", [person.id])
    database.conn.commit()
    response = client.get(f"/activation/{secret}")
    assert response.status_code == 410
    assert new_link_offered(response)


@pytest.mark.parametrize("state", ["expired", "replaced", "unknown"])
def test_dead_link_button_starts_nothing(staff, visitor, database, state):
    person = staff.add()
    if state == "expired":
        secret = staff.link(person, now=datetime.now(UTC) - timedelta(days=3))
    elif state == "replaced":
        secret = staff.link(person)
        staff.link(person)
    else:
        secret = "y" * 43
    live = staff.link(staff.add("Anne", "Martin", "anne.martin@exemple.org"))
    response = visitor.post(f"/activation/{secret}", form_url=f"/activation/{live}")
    assert response.status_code in (404, 410)
    assert new_link_offered(response)
    assert database.execute("SELECT count(*) FROM enrolments").fetchone()[0] == 0


def test_verification_link_is_not_an_activation_link(staff, visitor, database):
    visitor.reach(staff, "verification")
    secret = link_in(mails(database, "verification")[-1]["body_text"], "/verification/")
    response = visitor.get(f"/activation/{secret}")
    assert response.status_code == 404


def test_activation_mail_carries_the_link_and_its_deadline(app, staff, database):
    person = staff.add()
    sent = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    secret = staff.link(person, now=sent)
    (queued,) = mails(database, "activation")
    assert link_in(queued["body_text"], "/activation/") == secret
    assert "jeudi 26\u00a0novembre 2026 à 23\u00a0h\u00a059" in queued["body_text"]
    assert queued["to_addr"] == "jean.dupont@exemple.org"
    hrefs = [a["href"] for a in page_of(queued["body_html"]).find_all("a")]
    assert f"https://sesame.univ-test.fr/activation/{secret}" in hrefs


def page_of(html):
    return BeautifulSoup(html, "html.parser")


@pytest.mark.parametrize("tail", [".", ",", ")", ">", "]", ").", "%3E", "%5D"])
def test_a_link_with_what_mail_clients_add_at_its_end_still_works(staff, visitor, tail):
    person = staff.add()
    secret = staff.link(person)
    response = visitor.get(f"/activation/{secret}{tail}")
    assert response.status_code == 200
    assert page(response).h1.get_text(strip=True) == "Bienvenue, Jean Dupont"
    started = visitor.post(f"/activation/{secret}{tail}")
    assert started.status_code == 303
    assert started.headers["Location"] == "/etapes/charte"


@pytest.mark.parametrize("cut", [1, 5, 20])
def test_a_cut_link_is_still_refused(staff, client, cut):
    secret = staff.link(staff.add())
    for tail in ("", "."):
        response = client.get(f"/activation/{secret[:-cut]}{tail}")
        assert response.status_code == 404


def test_a_verification_link_with_a_trailing_dot_still_works(staff, visitor, database):
    visitor.reach(staff, "verification")
    secret = link_in(mails(database, "verification")[-1]["body_text"], "/verification/")
    link = f"/verification/{secret}"
    response = visitor.get(f"{link}.")
    assert response.status_code == 200
    assert visitor.post(f"{link}.").headers["Location"] == "/verification/confirmee"
