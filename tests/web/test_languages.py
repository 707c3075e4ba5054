"""French first, English complete: the page's language follows the browser or the switcher,
and a person's mails follow the language they used the wizard in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from harness import code_in, handle_link_requests, link_in, mails, main_text, page, rows

from wizard import db
from wizard.activation import people
from wizard.activation.lifetimes import english_datetime, french_datetime, say_datetime

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
PARIS = "Europe/Paris"


def in_english(visitor):
    """The visitor picks English with the switcher (a cookie the browser keeps)."""
    assert visitor.get("/langue/en?suite=/").status_code == 303


# --- Dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(("moment", "english"), [
    (datetime(2026, 11, 26, 22, 59, 59, tzinfo=UTC), "Thursday 26 November 2026 at 11:59 pm"),
    (datetime(2026, 3, 1, 11, 5, tzinfo=UTC), "Sunday 1 March 2026 at 12:05 pm"),
    (datetime(2026, 7, 13, 22, 30, tzinfo=UTC), "Tuesday 14 July 2026 at 12:30 am"),
    (datetime(2026, 7, 14, 7, 0, tzinfo=UTC), "Tuesday 14 July 2026 at 9:00 am"),
])
def test_english_datetime(moment, english):
    assert english_datetime(moment, PARIS) == english


def test_a_deadline_in_each_language():
    expiry = datetime(2026, 11, 26, 22, 59, 59, tzinfo=UTC)
    assert say_datetime(expiry, PARIS, "fr") == "jeudi 26\u00a0novembre 2026 à 23\u00a0h\u00a059"
    assert say_datetime(expiry, PARIS, "en") == "Thursday 26 November 2026 at 11:59 pm"
    assert say_datetime(expiry, PARIS) == french_datetime(expiry, PARIS)


# --- Which language a page is in ---------------------------------------------------------


def test_french_by_default(client):
    response = client.get("/")
    assert page(response).html["lang"] == "fr"
    assert response.headers["Content-Language"] == "fr"
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_the_browser_language_is_followed(client):
    response = client.get("/", headers=ENGLISH)
    assert page(response).html["lang"] == "en"
    assert page(response).h1.get_text(strip=True) == "Activate your computer account"


def test_a_language_we_do_not_speak_gets_the_default(client):
    assert page(client.get("/", headers={"Accept-Language": "de-DE"})).html["lang"] == "fr"


def test_the_default_language_is_configurable(make_app):
    client = make_app(DEFAULT_LANGUAGE="en").test_client()
    assert page(client.get("/")).html["lang"] == "en"
    assert page(client.get("/", headers={"Accept-Language": "fr"})).html["lang"] == "fr"


def test_an_unknown_default_language_stops_the_start(make_app):
    with pytest.raises(ValueError, match="DEFAULT_LANGUAGE"):
        make_app(DEFAULT_LANGUAGE="de")


@pytest.mark.parametrize("url", ["/", "/premiere-connexion", "/sesame", "/nulle-part",
                                 "/etapes/session-terminee", "/activation/inconnu"])
def test_every_page_offers_the_other_language_and_comes_back(client, url):
    switcher = page(client.get(url)).find("nav", {"aria-label": "Langue"})
    link = switcher.find("a", {"hreflang": "en"})
    assert link.get_text(strip=True) == "English" and link["lang"] == "en"
    assert switcher.find(attrs={"aria-current": "true"}).get_text(strip=True) == "Français"
    response = client.get(link["href"])
    assert response.status_code == 303
    assert response.headers["Location"] == url
    assert page(client.get(url, headers={"Accept-Language": "fr"})).html["lang"] == "en"


def test_the_switcher_keeps_the_query(client):
    href = page(client.get("/etapes/session-terminee?raison=idle")).find(
        "a", {"hreflang": "en"})["href"]
    assert client.get(href).headers["Location"] == "/etapes/session-terminee?raison=idle"


@pytest.mark.parametrize("back", ["//evil.example/", "https://evil.example/", "/\\evil.example",
                                  "evil", "", "/\r\nSet-Cookie:x=y"])
def test_the_switcher_only_goes_back_to_this_site(client, back):
    response = client.get("/langue/en", query_string={"suite": back})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_the_switcher_knows_only_our_languages(client):
    assert client.get("/langue/de?suite=/").status_code == 404


def test_the_switcher_cookie(client):
    cookie = client.get("/langue/en?suite=/").headers["Set-Cookie"]
    assert cookie.startswith("sesame_langue=en;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- Every kind of text is translated ----------------------------------------------------


def test_form_errors_in_english(visitor):
    in_english(visitor)
    response = visitor.post("/premiere-connexion", {"identifier": ""})
    assert response.status_code == 422
    assert ("Enter your personal address, your university address or your login."
            in main_text(response))
    assert page(response).select_one(".error-summary h2").get_text(strip=True) == \
        "Please correct this:"


def test_error_pages_in_english(client):
    response = client.get("/nulle-part", headers=ENGLISH)
    assert response.status_code == 404
    assert page(response).h1.get_text(strip=True) == "Page not found"
    assert "What now?" in main_text(response)


def test_the_steps_and_the_strength_feedback_in_english(app, staff, visitor):
    in_english(visitor)
    visitor.reach(staff, "mot-de-passe")
    step = visitor.get("/etapes/mot-de-passe")
    assert page(step).title.get_text().startswith("Step 4 of 5: Password")
    assert page(step).find("label", {"for": "password"}).get_text(strip=True) == "New password"
    live = visitor.post("/etapes/mot-de-passe/force", {"password": "soleil", "confirmation": ""},
                        form_url="/etapes/mot-de-passe", headers={"HX-Request": "true"})
    text = main_text(live)
    assert "Strength:" in text and "Robustesse" not in text
    assert "At least 12 characters" in text


def test_the_charter_says_its_text_is_french(staff, visitor):
    in_english(visitor)
    visitor.reach(staff, "charte")
    html = page(visitor.get("/etapes/charte"))
    assert html.find("section", class_="charter")["lang"] == "fr"
    assert "exists in French only" in html.get_text()


# --- Mails follow the person's language ----------------------------------------------------


def test_the_language_used_in_the_wizard_is_remembered(database, staff, visitor):
    in_english(visitor)
    person = visitor.reach(staff, "messagerie")
    assert rows(database, "SELECT language FROM people WHERE id = ?", [person.id]) == [
        {"language": "en"}]


def test_mails_are_written_in_the_persons_language(database, staff, visitor):
    in_english(visitor)
    person = visitor.reach(staff, "verification")
    (verification,) = mails(database, "verification")
    assert verification["subject"].startswith("Confirm your forwarding address")
    assert "or type this code on the activation page:" in verification["body_text"]
    assert " at " in verification["body_text"] and " à " not in verification["body_text"]
    assert 'lang="en"' in verification["body_html"]
    visitor.type_code(code_in(verification["body_text"]))
    visitor.choose_password()
    (activated,) = mails(database, "activated")
    assert activated["subject"].startswith("Your account has been activated")
    assert person.login in activated["body_text"]


def test_switching_back_to_french_changes_the_next_mails(database, staff, visitor):
    in_english(visitor)
    visitor.reach(staff, "mot-de-passe")
    visitor.get("/langue/fr?suite=/")
    visitor.choose_password()
    (activated,) = mails(database, "activated")
    assert activated["subject"].startswith("Votre compte a été activé")


def test_an_invitation_uses_the_default_language_then_the_remembered_one(app, database, staff):
    person = staff.add()
    staff.link(person)
    first = mails(database, "activation")[-1]
    assert first["subject"].startswith("Activez votre compte informatique")
    assert "à 23\u00a0h\u00a059" in first["body_text"] or "à 23 h 59" in first["body_text"]
    assert "Not reading French?" in first["body_text"]  # a way in for those who do not
    with db.transaction(database):
        people.remember_language(database, person.id, "en")
    staff.link(people.get(database, person.id))
    second = mails(database, "activation")[-1]
    assert second["subject"].startswith("Activate your computer account")
    assert "at 11:59 pm" in second["body_text"]


def test_first_login_mail_in_the_language_of_the_request(app, database, staff, visitor):
    person = staff.add()
    in_english(visitor)
    visitor.post("/premiere-connexion", {"identifier": person.login})
    handle_link_requests(app)
    (mail,) = mails(database, "activation")
    assert mail["subject"].startswith("Activate your computer account")
    secret = link_in(mail["body_text"], "/activation/")
    assert secret
