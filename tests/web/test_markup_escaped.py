"""Names and addresses holding markup (from an HR file, or typed by an operator) are shown
escaped on every page and in every mail: as text a person can read, never as elements."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from harness import Visitor, code_in, mails, page, rows

from wizard import db

# Letters the HR import accepts in names, and the characters that matter to HTML.
QUOTED_LAST = "O'Brien-D’Arc"
QUOTED_FIRST = "Zoé-Ève"
MARKUP_SERVICE = 'Labo "<b>R&D</b>" & <script>alert(\'service\')</script>'
MARKUP_CATEGORY = "<img src=x onerror=alert(1)>"
AMPERSAND_ADDRESS = "zoe.o'brien&co+{x}@exemple.org"
# An operator typing names by hand (`wizard add-person` checks no characters).
MARKUP_FIRST = "<script>alert('prénom')</script>"
MARKUP_LAST = '"><img src=x onerror=alert(1)>&amp;'
FORWARD = "o'neil&fils=1@ailleurs.net"

QUOTED_SERVICE = '"' + MARKUP_SERVICE.replace('"', '""') + '"'  # CSV quoting
EXPORT = (
    "Matricule;Nom;Prénom;Catégorie;Composante / Service;Mail personnel\n"
    f"M1;{QUOTED_LAST};{QUOTED_FIRST};{MARKUP_CATEGORY};{QUOTED_SERVICE};{AMPERSAND_ADDRESS}\n"
    "M2;<script>alert(1)</script>;Jean;;;jean@exemple.org\n"
    "M3;Martin;\"\"\"><img src=x onerror=alert(1)>\";;;paul@exemple.org\n"
    "M4;Durand;<b>Luc</b>;;;luc@exemple.org\n"
)


def csv_file(folder, text: str):
    """The export written as HR's tools write it (UTF-8)."""
    path = folder / "export.csv"
    path.write_text(text, encoding="utf-8")
    return path


def injected(html) -> list[str]:
    """Elements or attributes that markup from the data would have created."""
    found = []
    for tag in html.find_all(True):
        if tag.name == "script" and not (tag.get("src") or "").startswith("/static/"):
            found.append(str(tag)[:80])
        if tag.name == "img" and tag.get("src") == "x":
            found.append(str(tag)[:80])
        if tag.name == "b":
            found.append(str(tag)[:80])
        found += [f"{tag.name}[{name}]" for name in tag.attrs if name.lower().startswith("on")]
    return found


def shown(html, text: str) -> bool:
    """Whether `text` reaches the reader as written: in the page's text or a field's value."""
    values = [tag.get("value", "") for tag in html.find_all("input")]
    return text in html.get_text() or text in values


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_hr_import_refuses_markup_in_names(runner, tmp_path, database):
    result = runner.invoke(args=["import-staff", str(csv_file(tmp_path, EXPORT))])
    assert result.exit_code != 0
    for line in ("ligne 3", "ligne 4", "ligne 5"):
        assert line in result.output
    assert rows(database, "SELECT * FROM people") == []


def imported(runner, tmp_path, database):
    """The export imported (markup names refused), plus one person typed by an operator."""
    result = runner.invoke(args=["import-staff", "--skip-invalid",
                                 str(csv_file(tmp_path, EXPORT))])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["add-person", "--first-name", MARKUP_FIRST, "--last-name",
                                 MARKUP_LAST, "--personal-email", "typed@exemple.org"])
    assert result.exit_code == 0, result.output
    people = rows(database, "SELECT * FROM people ORDER BY id")
    assert [(p["first_name"], p["last_name"], p["service"]) for p in people] == [
        (QUOTED_FIRST, QUOTED_LAST, MARKUP_SERVICE), (MARKUP_FIRST, MARKUP_LAST, None)]
    assert people[0]["personal_email"] == AMPERSAND_ADDRESS
    return people


def walk(app, database, person) -> list:
    """Invite the person and walk the whole wizard, forwarding to an address with markup
    characters; return every page seen."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["invite", person["login"]]).exit_code == 0
    activation = mails(database, "activation")[-1]
    link = activation["body_text"].split("/activation/")[1].split()[0]
    visitor = Visitor(app.test_client())
    pages = [visitor.get(f"/activation/{link}")]
    assert visitor.begin(link).status_code == 303
    pages.append(visitor.get("/etapes/charte"))
    visitor.through_charter()
    pages.append(visitor.get("/etapes/annuaire"))
    visitor.through_directory("oui")
    pages.append(visitor.get("/etapes/messagerie"))
    assert visitor.through_mail(forward_to=FORWARD).status_code == 303
    pages.append(visitor.get("/etapes/messagerie/verification"))
    verification = mails(database, "verification")[-1]
    secret = verification["body_text"].split("/verification/")[1].split()[0]
    pages.append(visitor.get(f"/verification/{secret}"))
    visitor.type_code(code_in(verification["body_text"]))
    pages.append(visitor.get("/etapes/mot-de-passe"))
    wrong = visitor.choose_password(confirmation="autre chose")
    assert wrong.status_code == 422
    pages.append(wrong)
    assert visitor.choose_password().status_code == 303
    pages.append(visitor.get("/etapes/termine"))
    return pages


def test_every_page_shows_markup_as_text(app, runner, tmp_path, database):
    for person in imported(runner, tmp_path, database):
        pages = walk(app, database, person)
        full_name = f"{person['first_name']} {person['last_name']}"
        for response in pages:
            assert response.status_code in (200, 422), response.request.path
            html = page(response)
            assert injected(html) == [], response.request.path
        assert shown(page(pages[0]), full_name)  # « Bienvenue, … »
        assert shown(page(pages[3]), person["personal_email"])  # prefilled forwarding
        assert shown(page(pages[4]), FORWARD)  # waiting for verification
        assert shown(page(pages[5]), FORWARD)  # the verification link's page
        assert shown(page(pages[-1]), FORWARD)  # done: the choices made


def test_every_mail_shows_markup_as_text(app, runner, tmp_path, database):
    for person in imported(runner, tmp_path, database):
        walk(app, database, person)
    sent = mails(database)
    assert {m["kind"] for m in sent} == {"activation", "verification", "activated"}
    for person in rows(database, "SELECT * FROM people"):
        full_name = f"{person['first_name']} {person['last_name']}"
        for message in [m for m in sent if m["person_id"] == person["id"]]:
            html = page_of(message["body_html"])
            assert injected(html) == [], message["kind"]
            assert shown(html, full_name), message["kind"]
            # The text part is plain text: the names as written, no entities.
            assert full_name in message["body_text"], message["kind"]
            assert "&lt;" not in message["body_text"] and "&#" not in message["body_text"]
            assert "<" not in message["subject"] or person["last_name"] not in message["subject"]
        (notice,) = [m for m in sent if m["person_id"] == person["id"]
                     and m["kind"] == "activated"]
        assert shown(page_of(notice["body_html"]), FORWARD)
        assert FORWARD in notice["body_text"]


def test_mail_viewer_shows_markup_as_text(make_app, tmp_path):
    app = make_app(MAIL_VIEWER=True)
    runner = app.test_cli_runner()
    database = db.connect(app.config["DATABASE"])
    try:
        for person in imported(runner, tmp_path, database):
            walk(app, database, person)
        client = app.test_client()
        pages = [client.get("/dev/courriels/")]
        for message in mails(database):
            pages += [client.get(f"/dev/courriels/{message['id']}"),
                      client.get(f"/dev/courriels/{message['id']}/html")]
        for response in pages:
            assert response.status_code == 200
            assert injected(page(response)) == [], response.request.path
        assert shown(page(pages[0]), AMPERSAND_ADDRESS)
    finally:
        database.close()


def page_of(html: str) -> BeautifulSoup:
    """Parse an HTML mail body."""
    return BeautifulSoup(html, "html.parser")


def test_the_check_sees_markup_that_became_elements():
    raw = page_of(f"<p>{MARKUP_FIRST} {MARKUP_LAST} {MARKUP_SERVICE}</p>")
    assert len(injected(raw)) == 5  # two scripts, img, its onerror, b
    assert injected(page_of("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")) == []


def test_report_csv_shows_formulas_from_hr_as_text(runner, tmp_path):
    formulas = ['=HYPERLINK("https://ailleurs.example";"Cliquez")', "+1+1", "@SUM(A1)",
                "-2+3"]
    quoted = ['"' + service.replace('"', '""') + '"' for service in [*formulas, "UFR Sciences"]]
    export = "Matricule;Nom;Prénom;Composante / Service\n" + "".join(
        f"F{n};Martin;Paul;{service}\n" for n, service in enumerate(quoted))
    assert runner.invoke(args=["import-staff", str(csv_file(tmp_path, export))]).exit_code == 0
    result = runner.invoke(args=["report", "--csv"])
    assert result.exit_code == 0, result.output
    services = {row[1] for row in csv.reader(io.StringIO(result.output), delimiter=";")
                if row[0] == "service"}
    assert services == {"'" + formula for formula in formulas} | {"UFR Sciences"}
