"""Faults against the real server (gunicorn, two workers): killed with SIGKILL in the middle
of the wizard, two tabs or a double click finishing at once, SQLite busy under writers."""

from __future__ import annotations

import http.client
import http.cookiejar
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Page, expect
from smtp_mailbox import link_in

pytestmark = pytest.mark.browser

ACTIVATION = "Activez votre compte"
ACTIVATED = "Votre compte a été activé"
PASSPHRASE = "Cheval agrafe pile 42 lune"
DONE = "Votre compte est activé"


@pytest.fixture
def server_environment():
    """No rate limits: these tests post fast from one address, on purpose (and one
    enrolment sends many verification mails)."""
    return {"WIZARD_RATELIMIT_ENABLED": "0", "WIZARD_VERIFICATION_MAILS_PER_DAY": "100000"}


@dataclass
class Answer:
    """What a browser got back, after following redirects."""

    status: int
    path: str
    text: str


class Browser:
    """A person's browser without JavaScript: cookies kept, each form's CSRF token sent.

    Two Browsers given the same cookie jar are two tabs of one browser.
    """

    def __init__(self, base_url: str, cookies: http.cookiejar.CookieJar | None = None):
        self.base_url = base_url
        self.cookies = cookies if cookies is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies))
        self.opener.addheaders = [("Accept-Language", "fr")]

    def _open(self, path: str, data: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=30) as response:
                return Answer(response.status, urllib.parse.urlsplit(response.url).path,
                              response.read().decode())
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, urllib.parse.urlsplit(error.url).path,
                              error.read().decode())

    def get(self, path: str) -> Answer:
        return self._open(path)

    def post(self, path: str, data: dict) -> Answer:
        """POST a form as is (redirects followed, as a browser does)."""
        return self._open(path, data)

    def submit(self, path: str, data: dict | None = None, *, form_url: str | None = None,
               token: str | None = None) -> Answer:
        """POST a form with the CSRF token read from its page (or the one given)."""
        token = token or self.token(form_url or path)
        return self.post(path, {"csrf_token": token, **(data or {})})

    def token(self, path: str) -> str:
        field = soup(self.get(path)).find("input", {"name": "csrf_token"})
        assert field is not None, f"no form on {path}"
        return field["value"]


def soup(answer: Answer) -> BeautifulSoup:
    return BeautifulSoup(answer.text, "html.parser")


def heading(answer: Answer) -> str:
    return soup(answer).h1.get_text(" ", strip=True)


def query(server, sql: str, params=()) -> list[dict]:
    """Read the server's database as an operator would, beside the running server."""
    connection = sqlite3.connect(server.env["WIZARD_DATABASE"], timeout=10)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql, params)]
    finally:
        connection.close()


def invited(server, mailbox, first: str, last: str, personal: str) -> str:
    """Register and invite someone; the link from the mail they received."""
    login = server.add_person(first, last, personal)
    server.wizard("invite", login)
    return link_in(mailbox.wait_for(personal, ACTIVATION), "/activation/")


def begin(browser: Browser, link: str) -> Answer:
    return browser.submit(urllib.parse.urlsplit(link).path)


def through_directory(browser: Browser) -> None:
    assert heading(browser.submit("/etapes/charte", {"accept": "y"})) == "Annuaire"
    assert heading(browser.submit("/etapes/annuaire", {"listed": "non"})) == "Messagerie"


# --- SIGKILL in the middle of the wizard ----------------------------------------------------


def test_killed_server_resumes_with_everything_posted(server, mailbox):
    link = invited(server, mailbox, "Camille", "Lefèvre", "camille.lefevre@exemple.org")
    laptop = Browser(server.url)
    assert heading(begin(laptop, link)) == "Charte informatique"
    through_directory(laptop)

    # The mail step posted again and again (each post: new address, a verification link
    # and its mail in one transaction) while the server is killed outright.
    token = laptop.token("/etapes/messagerie")
    posted: list[int] = []
    stop = threading.Event()

    def keep_posting():
        n = 0
        while not stop.is_set():
            n += 1
            try:
                laptop.post("/etapes/messagerie", {
                    "csrf_token": token, "forward": "oui", "keep_copy": "y",
                    "forward_to": f"camille{n}@ailleurs.example"})
                posted.append(n)
            except (OSError, http.client.HTTPException):  # the server is gone
                return

    poster = threading.Thread(target=keep_posting)
    poster.start()
    time.sleep(0.6)
    server.kill()
    stop.set()
    poster.join(timeout=30)
    assert posted, "no answer arrived before the kill"

    server.start()  # same database, same port, same secret key
    assert query(server, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    (enrolment,) = query(server, "SELECT * FROM enrolments")
    assert enrolment["charter_accepted_at"] and enrolment["directory_listed"] == 0
    # Nothing half-written: each answer recorded has its link, its mail and its audit line.
    tokens = query(server, "SELECT * FROM tokens WHERE purpose = 'verify_address' ORDER BY id")
    verification_mails = query(server, "SELECT * FROM outbox WHERE kind = 'verification'")
    answers = query(server, "SELECT * FROM audit WHERE event = 'mail_answered'")
    assert len(tokens) == len(verification_mails) == len(answers) >= len(posted)
    live = [t for t in tokens if t["revoked_at"] is None and t["used_at"] is None]
    assert [t["target_address"] for t in live] == [enrolment["forward_to"]]

    # The laptop's session survived the restart; a phone resumes with the same link.
    assert heading(laptop.get("/etapes/")) == "Vérifiez votre adresse de redirection"
    phone = Browser(server.url)
    waiting = begin(phone, link)
    assert heading(waiting) == "Vérifiez votre adresse de redirection"
    assert enrolment["forward_to"] in waiting.text
    password_page = phone.submit("/etapes/messagerie/verification/abandonner",
                                 form_url="/etapes/messagerie/verification")
    assert heading(password_page) == "Mot de passe"
    done = phone.submit("/etapes/mot-de-passe",
                        {"password": PASSPHRASE, "confirmation": PASSPHRASE})
    assert heading(done) == DONE
    mailbox.wait_for("camille.lefevre@exemple.org", ACTIVATED)


# --- Two tabs, two devices, a double click ----------------------------------------------


def finish_together(browsers: list[Browser], tokens: list[str]) -> list[Answer]:
    """Every browser submits the password at the same instant."""
    start = threading.Barrier(len(browsers))
    answers: list = [None] * len(browsers)

    def finish(index: int) -> None:
        start.wait()
        answers[index] = browsers[index].post("/etapes/mot-de-passe", {
            "csrf_token": tokens[index], "password": PASSPHRASE, "confirmation": PASSPHRASE})

    threads = [threading.Thread(target=finish, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


@pytest.mark.parametrize("how", ["two tabs", "two devices"])
def test_finishing_at_the_same_instant_activates_once(how, server, mailbox):
    personal = "lea.moreau@exemple.org"
    link = invited(server, mailbox, "Léa", "Moreau", personal)
    first = Browser(server.url)
    begin(first, link)
    through_directory(first)
    assert heading(first.submit("/etapes/messagerie", {"keep_copy": "y"})) == "Mot de passe"
    if how == "two tabs":  # one browser: the same cookie, the same session
        second = Browser(server.url, cookies=first.cookies)
    else:  # the phone opened the same link
        second = Browser(server.url)
        assert heading(begin(second, link)) == "Mot de passe"
    browsers = [first, second]

    answers = finish_together(browsers, [b.token("/etapes/mot-de-passe") for b in browsers])
    if how == "two tabs":  # one session: both land on the done page
        for answer in answers:
            assert answer.status == 200
            assert answer.path == "/etapes/termine"
            assert heading(answer) == DONE
    else:  # completion ends the other device's session: its page says the account is active
        assert sorted(heading(answer) for answer in answers) == sorted([
            "Votre compte est déjà activé", DONE])
    assert len(query(server, "SELECT * FROM accounts")) == 1
    assert len(query(server, "SELECT * FROM audit WHERE event = 'activated'")) == 1
    assert len(query(server, "SELECT * FROM outbox WHERE kind = 'activated'")) == 1
    mailbox.wait_for(personal, ACTIVATED)
    time.sleep(1)  # the delivery loops pass several times more
    assert mailbox.count(personal, ACTIVATED) == 1


def test_double_click_on_the_last_button_activates_once(page: Page, server, mailbox):
    personal = "hugo.petit@exemple.org"
    page.set_extra_http_headers({"Accept-Language": "fr"})
    page.goto(invited(server, mailbox, "Hugo", "Petit", personal))
    page.get_by_role("button", name="Commencer l'activation").click()
    page.get_by_label("J'ai lu la charte et je m'engage à la respecter").check()
    page.get_by_role("button", name="Suivant").click()
    page.get_by_label("Non, je m'inscris sur liste rouge").check()
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messagerie")
    page.get_by_role("button", name="Suivant").click()
    page.get_by_label("Nouveau mot de passe").fill(PASSPHRASE)
    page.get_by_label("Confirmation du mot de passe").fill(PASSPHRASE)
    page.get_by_role("button", name="Activer mon compte").dblclick()
    expect(page.get_by_role("heading", level=1)).to_have_text(DONE)
    mailbox.wait_for(personal, ACTIVATED)
    time.sleep(1)
    assert mailbox.count(personal, ACTIVATED) == 1
    assert len(query(server, "SELECT * FROM accounts")) == 1


# --- SQLite busy ----------------------------------------------------------------------------


def test_writers_wait_for_a_busy_database_and_succeed(server, mailbox, tmp_path):
    names = ["Anna", "Basile", "Cyril", "Diane", "Emma", "Felix"]
    export = tmp_path / "export.csv"
    export.write_text("Matricule;Nom;Prénom;Mail personnel\n" + "".join(
        f"B{n};Roux;{first};{first.lower()}@exemple.org\n" for n, first in enumerate(names)))
    server.wizard("import-staff", str(export))
    server.wizard("invite", "--all")
    browsers = []
    for first in names:
        message = mailbox.wait_for(f"{first.lower()}@exemple.org", ACTIVATION)
        browser = Browser(server.url)
        assert heading(begin(browser, link_in(message, "/activation/"))) == "Charte informatique"
        browsers.append(browser)
    tokens = [browser.token("/etapes/charte") for browser in browsers]

    # An operator's command holds the write lock for a second and a half.
    holder = sqlite3.connect(server.env["WIZARD_DATABASE"], isolation_level=None,
                             check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(1.5, lambda: holder.execute("COMMIT")).start()

    start = threading.Barrier(len(browsers))
    answers: list = [None] * len(browsers)

    def walk(index: int) -> None:
        browser, token = browsers[index], tokens[index]
        start.wait()
        steps = [("/etapes/charte", {"accept": "y"}), ("/etapes/annuaire", {"listed": "oui"}),
                 ("/etapes/messagerie", {"keep_copy": "y"}),
                 ("/etapes/mot-de-passe", {"password": PASSPHRASE,
                                           "confirmation": PASSPHRASE})]
        answers[index] = [browser.post(url, {"csrf_token": token, **data})
                          for url, data in steps]

    threads = [threading.Thread(target=walk, args=(i,)) for i in range(len(browsers))]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    holder.close()
    assert time.monotonic() - began >= 1.4
    for walked in answers:
        assert [a.status for a in walked] == [200] * 4
        assert heading(walked[-1]) == DONE
    assert len(query(server, "SELECT * FROM accounts")) == len(browsers)


# --- Oversized bodies through gunicorn ------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["with a length", "chunked"])
def test_an_oversized_form_gets_the_french_413_page(chunked, server, mailbox):
    browser = Browser(server.url)
    token = browser.token("/premiere-connexion")
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    body = f"csrf_token={token}&identifier={'x' * 200_000}".encode()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
               "Accept-Language": "fr"}
    if chunked:
        pieces = (body[i:i + 8192] for i in range(0, len(body), 8192))
        connection.request("POST", "/premiere-connexion", body=pieces, headers=headers,
                           encode_chunked=True)
    else:
        connection.request("POST", "/premiere-connexion", body=body, headers=headers)
    response = connection.getresponse()
    page = BeautifulSoup(response.read().decode(), "html.parser")
    connection.close()
    assert response.status == 413
    assert page.h1.get_text() == "Envoi trop volumineux"
    assert query(server, "SELECT * FROM link_requests") == []
