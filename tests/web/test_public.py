"""Public pages, the health check, the demo mail viewer, and the URLs written in mails."""

import re

import pytest
from bs4 import BeautifulSoup
from harness import BASE_URL, People, Visitor, code_in, handle_link_requests, mails, page

from wizard import db

FORGED = "evil.example"


def test_home_page_points_to_first_login(client):
    response = client.get("/")
    assert response.status_code == 200
    assert page(response).h1.get_text(strip=True) == "Activer votre compte informatique"
    hrefs = [a["href"] for a in page(response).find("main")("a")]
    assert "/premiere-connexion" in hrefs


def test_pages_are_in_french(client):
    assert page(client.get("/")).html["lang"] == "fr"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert page(response).h1.get_text(strip=True) == "Page introuvable"


def test_wrong_method_is_a_french_405(client):
    response = client.delete("/premiere-connexion")
    assert response.status_code == 405
    assert page(response).h1.get_text(strip=True) == "Action impossible"


@pytest.mark.parametrize("url", ["/dev/courriels/", "/dev/courriels/1", "/dev/courriels/1/html"])
def test_mail_viewer_is_absent_by_default(client, url):
    assert client.get(url).status_code == 404


def with_one_invitation(app):
    """`app`, one person invited (one mail in its outbox)."""
    connection = db.connect(app.config["DATABASE"])
    try:
        staff = People(app, connection)
        staff.link(staff.add())
    finally:
        connection.close()
    return app


@pytest.mark.parametrize("setting", ["MAIL_VIEWER", "DEMO"])
def test_mail_viewer_is_served_in_demo(make_app, setting):
    app = with_one_invitation(make_app(**{setting: True}))
    client = app.test_client()
    inbox = client.get("/dev/courriels/")
    assert inbox.status_code == 200
    (subject,) = page(inbox).select("table a")
    message = client.get(subject["href"])
    assert message.status_code == 200
    assert "/activation/" in page(message).select_one("pre.mail-text").get_text()


def test_mail_viewer_html_body_is_sandboxed(make_app):
    app = with_one_invitation(make_app(DEMO=True))
    response = app.test_client().get("/dev/courriels/1/html")
    assert response.headers["Content-Security-Policy"] == "sandbox"


def urls_in(message):
    found = re.findall(r"https?://[^\s<>\"']+", message["body_text"])
    soup = BeautifulSoup(message["body_html"], "html.parser")
    found += [a["href"] for a in soup.find_all("a", href=True)]
    return found


def test_first_login_mail_urls_ignore_a_forged_host(staff, app, database):
    staff.add()
    client = app.test_client()
    client.environ_base["HTTP_HOST"] = FORGED
    response = Visitor(client).post("/premiere-connexion", {"identifier": "jdupont"})
    assert response.status_code == 303
    handle_link_requests(app)
    (sent,) = mails(database, "activation")
    urls = urls_in(sent)
    assert urls
    assert all(url.startswith(BASE_URL + "/") for url in urls), urls


def test_wizard_mail_urls_ignore_a_forged_host(staff, app, database):
    client = app.test_client()
    client.environ_base["HTTP_HOST"] = FORGED
    visitor = Visitor(client)
    visitor.reach(staff, "verification")
    visitor.type_code(code_in(mails(database, "verification")[-1]["body_text"]))
    visitor.choose_password()
    assert [m["kind"] for m in mails(database)] == ["activation", "verification", "activated"]
    for message in mails(database):
        assert all(url.startswith(BASE_URL + "/") for url in urls_in(message)), message["kind"]
    assert urls_in(mails(database, "verification")[0])


def test_mail_urls_follow_the_configured_base_url(make_app):
    app = make_app(BASE_URL="https://activation.univ-ailleurs.fr/sesame/")
    connection = db.connect(app.config["DATABASE"])
    try:
        staff = People(app, connection)
        staff.link(staff.add())
        (sent,) = mails(connection, "activation")
    finally:
        connection.close()
    urls = urls_in(sent)
    assert any(u.startswith("https://activation.univ-ailleurs.fr/sesame/activation/")
               for u in urls)
    assert all(u.startswith("https://activation.univ-ailleurs.fr/sesame/") for u in urls)


def test_mail_viewer_shows_the_html_version_sandboxed(make_app):
    app = make_app(MAIL_VIEWER=True)
    connection = db.connect(app.config["DATABASE"])
    try:
        person = People(app, connection).add()
        People(app, connection).link(person)
    finally:
        connection.close()
    client = app.test_client()
    listing = page(client.get("/dev/courriels/"))
    message = client.get(listing.select_one("td a")["href"])
    html_link = [a["href"] for a in page(message).select("main a") if "/html" in a["href"]]
    response = client.get(html_link[0])
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert "Activer mon compte" in response.get_data(as_text=True)
