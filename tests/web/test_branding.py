"""The institution's look and help from configuration: colours that keep their contrast, the
logo, the contacts, the FAQ, phishing advice, the services to use next; and pages that a
strict Content-Security-Policy and assistive technology can live with."""

from __future__ import annotations

import json

import pytest
from harness import main_text, page
from hypothesis import given
from hypothesis import strategies as st

from wizard import db
from wizard.config import from_environment
from wizard.web.branding import PAGE_BACKGROUND, WHITE, contrast, services_for, theme

colours = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")


# --- Colours ---------------------------------------------------------------------------


@given(colours, colours)
def test_any_brand_colour_keeps_text_readable(brand, header):
    derived = theme(brand, header)
    assert contrast(derived.on_brand, derived.brand) >= 4.5
    assert contrast(derived.on_header, derived.header) >= 4.5
    assert contrast(derived.link, WHITE) >= 4.5
    assert contrast(derived.link, PAGE_BACKGROUND) >= 4.5


def test_a_pale_brand_colour_gets_dark_text_and_darker_links():
    derived = theme("#ffd200")  # a bright yellow
    assert derived.on_brand == "#0b0c0c"
    assert derived.link != derived.brand


@pytest.mark.parametrize("bad", ["red", "#12345", "#ggg000", "1f4e8c; } body { display: none"])
def test_a_colour_that_is_not_hex_stops_the_start(make_app, bad):
    with pytest.raises(ValueError):
        make_app(BRAND_COLOR=bad)


def test_the_theme_stylesheet_comes_from_configuration(make_app):
    client = make_app(BRAND_COLOR="#6a1b9a", HEADER_COLOR="#222222").test_client()
    html = page(client.get("/"))
    href = [link["href"] for link in html.find_all("link", rel="stylesheet")][-1]
    assert href.startswith("/habillage.css?v=")
    response = client.get(href)
    assert response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    assert "--brand: #6a1b9a;" in css and "--header: #222222;" in css


# --- Logo and name ----------------------------------------------------------------------


def test_the_header_shows_the_name_and_the_logo(make_app):
    client = make_app(INSTITUTION_NAME="Université de Test").test_client()
    header = page(client.get("/")).find("header")
    assert "Université de Test" in header.get_text()
    logo = header.find("img")
    assert logo["src"] == "/habillage/logo" and logo["alt"] == ""  # the name is beside it
    response = client.get("/habillage/logo")
    assert response.mimetype == "image/svg+xml"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_a_logo_of_the_institutions_own(make_app, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n fake")
    client = make_app(LOGO_FILE=str(logo)).test_client()
    response = client.get("/habillage/logo")
    assert response.mimetype == "image/png" and response.data == logo.read_bytes()


def test_no_logo(make_app):
    client = make_app(LOGO_FILE="none").test_client()
    assert page(client.get("/")).find("header").find("img") is None
    assert client.get("/habillage/logo").status_code == 404


def test_a_logo_that_is_not_an_image_stops_the_start(make_app, tmp_path):
    with pytest.raises(ValueError, match="LOGO_FILE"):
        make_app(LOGO_FILE=str(tmp_path / "missing.svg"))


# --- Contacts, FAQ, phishing advice -------------------------------------------------------


def test_the_helpdesk_contacts_are_on_every_page(make_app):
    client = make_app(HELPDESK_PHONE="05 49 00 00 00", HELPDESK_EMAIL="aide@univ-test.fr",
                      HELPDESK_ADDRESS="Bâtiment B", HELPDESK_HOURS="de 9 h à 17 h",
                      HELPDESK_HOURS_EN="9 am to 5 pm").test_client()
    for url in ["/", "/sesame", "/nulle-part"]:
        contact = page(client.get(url)).find(id="assistance")
        assert contact.find("a", href="tel:0549000000").get_text() == "05 49 00 00 00"
        assert contact.find("a", href="mailto:aide@univ-test.fr")
        assert "Bâtiment B" in contact.get_text() and "de 9 h à 17 h" in contact.get_text()
    english = page(client.get("/", headers={"Accept-Language": "en"})).find(id="assistance")
    assert "9 am to 5 pm" in english.get_text()


@pytest.mark.parametrize("url", ["/", "/premiere-connexion"])
def test_a_faq_where_people_get_stuck(client, url):
    questions = [s.get_text(strip=True) for s in page(client.get(url)).select(".faq summary")]
    assert questions == ["Je n'ai pas reçu le courriel d'activation", "Mon lien a expiré",
                         "J'ai perdu mon courrier (sésame)", "Mon compte est bloqué",
                         "Qui contacter\u00a0?"]


def test_phishing_advice_where_secrets_are_typed(staff, visitor):
    advice = page(visitor.get("/sesame")).select_one(".notice-security").get_text(" ")
    assert "sesame.univ-test.fr" in advice and "cadenas" in advice
    visitor.reach(staff, "verification")
    assert page(visitor.get("/etapes/messagerie/verification")).select_one(".notice-security")
    visitor.type_code("000000")


def test_phishing_advice_on_the_password_step(staff, visitor):
    visitor.reach(staff, "mot-de-passe")
    advice = page(visitor.get("/etapes/mot-de-passe")).select_one(".notice-security")
    assert "jamais votre mot de passe" in advice.get_text()


# --- What to use next ---------------------------------------------------------------------


def test_services_follow_the_staff_category():
    teacher = [s.name for s in services_for(None, "Enseignant-chercheur", "fr")]
    staff = [s.name for s in services_for(None, "BIATSS", "fr")]
    unknown = [s.name for s in services_for(None, None, "en")]
    assert "Moodle" in teacher and "Moodle" not in staff
    assert unknown == ["ENT", "Webmail", "HR portal"]


def test_services_from_the_environment():
    value = json.dumps([{"name": "Zimbra", "url": "https://mail.example", "fr": "Courrier",
                         "en": "Mail", "categories": ["BIATSS"]}])
    services = from_environment({"WIZARD_NEXT_SERVICES": value})["NEXT_SERVICES"]
    assert [s.description for s in services_for(services, "biatss", "en")] == ["Mail"]
    assert services_for(services, "enseignant", "en") == []
    with pytest.raises(ValueError):
        from_environment({"WIZARD_NEXT_SERVICES": '{"not": "a list"}'})


def test_the_done_page_lists_the_services_and_prints(app, database, staff, visitor):
    person = visitor.reach(staff, "termine")
    with db.transaction(database):
        database.execute("UPDATE people SET category = 'enseignant' WHERE id = ?", [person.id])
    html = page(visitor.get("/etapes/termine"))
    links = {a.get_text(strip=True): a["href"] for a in html.select(".services a")}
    assert links["Moodle"] == "https://moodle.univ-demo.fr"
    text = main_text(visitor.get("/etapes/termine"))
    assert "téléphone" in text and "logiciels de messagerie" in text
    assert html.find("button", attrs={"data-print": True}).has_attr("hidden")


# --- Every page: no dead end, nothing inline, fields that browsers can fill -----------------


@pytest.mark.parametrize("code", [400, 403, 404, 405, 413, 429, 500])
def test_every_error_page_has_a_way_forward(app, code):
    from wizard.web.views.errors import render_error

    with app.test_request_context("/"):
        body, status = render_error(code)
    html = page(type("R", (), {"get_data": lambda self, as_text: body})())
    assert status == code
    assert html.h1.get_text(strip=True)
    hrefs = [a["href"] for a in html.select("main a")]
    assert "/" in hrefs and "/premiere-connexion" in hrefs and "#assistance" in hrefs


def test_no_inline_style_or_script_anywhere(app, staff, visitor):
    seen = [visitor.get(url) for url in ["/", "/premiere-connexion", "/sesame", "/nulle-part"]]
    visitor.reach(staff, "verification")
    seen.append(visitor.get("/etapes/messagerie/verification"))
    seen.append(visitor.type_code("000000"))
    for response in seen:
        html = page(response)
        assert html.find("style") is None
        assert html.find(style=True) is None
        assert all(script.get("src") for script in html.find_all("script"))


@pytest.mark.parametrize(("url", "field", "autocomplete"), [
    ("/sesame", "login", "username"),
    ("/sesame", "sesame", "one-time-code"),
    ("/premiere-connexion", "identifier", "username"),
])
def test_fields_say_what_they_hold(client, url, field, autocomplete):
    assert page(client.get(url)).find(id=field)["autocomplete"] == autocomplete


def test_step_fields_say_what_they_hold(staff, visitor):
    visitor.reach(staff, "verification")
    assert page(visitor.get("/etapes/messagerie/verification")).find(id="code")[
        "autocomplete"] == "one-time-code"
    visitor.give_up_forwarding()
    html = page(visitor.get("/etapes/mot-de-passe"))
    assert html.find(id="password")["autocomplete"] == "new-password"
    assert html.find(id="confirmation")["autocomplete"] == "new-password"
