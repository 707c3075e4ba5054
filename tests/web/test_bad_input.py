"""Bad input: every form field and URL parameter of every route, fed a written corpus and
hypothesis' inventions (empty, huge, NUL bytes, invalid UTF-8, right-to-left overrides,
emoji, HTML and SQL fragments, malformed addresses).

The answer is always a page that says what is wrong (or a redirect, 400, 403, 404, 405,
410, 413, 429), never a 500; what is refused changes nothing in the database, and junk is never
stored where people's data lives.
"""

from __future__ import annotations

import io
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from harness import (
    TEST_CONFIG,
    People,
    Visitor,
    csrf_of,
    dump,
    handle_link_requests,
    main_text,
    page,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import encode_multipart

from wizard import create_app, passwords
from wizard.activation.names import is_plausible_address, normalize_address
from wizard.clock import to_iso

# 308: werkzeug's answer to doubled slashes in a path (/static//x), pointing to the one.
ANSWERS = {200, 303, 308, 400, 403, 404, 405, 410, 413, 422, 429}
SESAME = "K7PX4MWQ9R"
STRONG = "Cheval agrafe pile 42 lune"

# --- The corpus ---------------------------------------------------------------------------

MALFORMED_ADDRESSES = [
    "jean", "jean@", "@exemple.org", "jean@@exemple.org", "jean@exemple", "jean@exemple.",
    "jean@.exemple.org", "jean@exemple..org", "jean@-exemple.org", "jean@exemple_org.fr",
    "jean dupont@exemple.org", "jean@exemple.o", "jean@exemple.123", "jean@127.0.0.1",
    "jean@[127.0.0.1]", '"jean"@exemple.org', "<jean@exemple.org>", "Jean <jean@exemple.org>",
    "jean@exemple.org, paul@exemple.org", "jean@exemple.org;paul@exemple.org",
    "jean@exemple.org\r\nBcc: cible@ailleurs.net", "jean@exemple.org\nBcc:cible@ailleurs.net",
    "jean\x00@exemple.org", "jean@exemple.org\x00", "jéan@exemple.org", "jean@exémple.org",
    "\u202ejean@exemple.org", "jean@exemple.org\u202e", "jean\u200b@exemple.org",
    "😀@exemple.org", "<script>@exemple.org", "jean@<script>.org",
    "' OR 1=1 --@exemple.org", "a" * 65 + "@exemple.org", "jean@" + "a" * 64 + ".org",
    "jean@" + ("a" * 60 + ".") * 5 + "org",
]

CORPUS = [
    "", " ", "\t\r\n", "\x00", "jean\x00dupont", "\x01\x02\x1b[31m", "\x7f",
    "a" * 255, "a" * 1001, "x" * 60_000, "x" * 100_000, "é" * 20_000,
    "\u202egnp.exe", "\u202djdupont", "jean\u200bdupont", "\ufeffjdupont", "\u0000\u202e",
    "😀🔑🇫🇷👩‍💻", "Ｊｅａｎ", "e\u0301" * 300, "\U0010ffff",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<b>gras</b>",
    "&amp;&lt;&#0;", "javascript:alert(1)", "' OR '1'='1", "'; DROP TABLE people; --",
    "1 UNION SELECT password_hash FROM accounts", "{{ 7*7 }}", "{% debug %}", "${7*7}",
    "%s%s%n", "%00", "%ff%fe", "../../../../etc/passwd", "..\\..\\boot.ini",
    "\r\nSet-Cookie: x=y", "-1", "0", "99999999999999999999999", "NaN", "1e309", "true",
    "null", "[]", "{}", "oui\x00", "OUI", "y\u202e",
    *MALFORMED_ADDRESSES,
]

ODD_CHARACTERS = ("\x00\x01\x08\x0b\x1f\x7f\x85\xa0\u2028\u2029\u202a\u202e\u2066\u200b\ufeff"
                  "\ufffd<>&'\"%;\\/\r\n\t é€😀🔑👩‍💻")

junk = st.one_of(
    st.sampled_from(CORPUS),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.text(st.sampled_from(ODD_CHARACTERS) | st.characters(max_codepoint=0x7f), max_size=40),
)
# Header values travel as latin-1 in WSGI; a line break would end the header.
header_junk = st.text(st.characters(max_codepoint=0xff, exclude_characters="\r\n"),
                      max_size=80)

# --- Where each route is used -------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """Where a route is used (the stage a visitor must reach) and what its forms post."""

    stage: str
    fields: tuple[str, ...] = ()
    query: tuple[str, ...] = ()


WAITING_FIELDS = ("code",)

ROUTES: dict[str, Route] = {
    "public.index": Route("dehors"),
    "public.healthz": Route("dehors"),
    "public.first_login": Route("dehors", ("identifier",)),
    "public.first_login_sent": Route("dehors"),
    "public.sesame": Route("dehors", ("login", "sesame")),
    "links.activation": Route("dehors"),
    "links.begin": Route("dehors"),
    "links.verification": Route("dehors"),
    "links.verify": Route("dehors"),
    "links.verified": Route("dehors"),
    "static": Route("dehors"),
    "branding.stylesheet": Route("dehors"),
    "branding.logo": Route("dehors"),
    "branding.favicon": Route("dehors"),
    "language.choose": Route("dehors", query=("suite",)),
    "mailviewer.inbox": Route("dehors"),
    "mailviewer.message": Route("dehors"),
    "mailviewer.message_html": Route("dehors"),
    "steps.session_ended": Route("dehors", query=("raison",)),
    "steps.resume": Route("charte"),
    "steps.birth_date": Route("date-de-naissance", ("birth_date",)),
    "steps.charter": Route("charte", ("accept",)),
    "steps.directory": Route("annuaire", ("listed",)),
    "steps.mail": Route("messagerie", ("forward", "forward_to", "keep_copy")),
    "steps.verification": Route("verification"),
    "steps.verification_status": Route("verification"),
    "steps.verification_code": Route("verification", WAITING_FIELDS),
    "steps.verification_resend": Route("verification"),
    "steps.verification_give_up": Route("verification"),
    "steps.recovery": Route("secours", ("address",)),
    "steps.recovery_verification": Route("verification-secours"),
    "steps.recovery_verification_status": Route("verification-secours"),
    "steps.recovery_verification_code": Route("verification-secours", WAITING_FIELDS),
    "steps.recovery_verification_resend": Route("verification-secours"),
    "steps.password": Route("mot-de-passe", ("password", "confirmation")),
    "steps.password_strength": Route("mot-de-passe", ("password", "confirmation")),
    "steps.done": Route("termine"),
    "steps.leave": Route("charte"),
}

STAGE_PAGES = {
    "dehors": ["/premiere-connexion", "/sesame"],
    "date-de-naissance": ["/etapes/date-de-naissance"],
    "charte": ["/etapes/charte"],
    "annuaire": ["/etapes/annuaire"],
    "messagerie": ["/etapes/messagerie"],
    "verification": ["/etapes/messagerie/verification"],
    "secours": ["/etapes/adresse-de-secours"],
    "verification-secours": ["/etapes/adresse-de-secours/verification"],
    "mot-de-passe": ["/etapes/mot-de-passe"],
    "termine": ["/etapes/termine"],
}


@pytest.fixture
def app(tmp_path, isolated_configuration):
    """The app with every route and step (the demo mail viewer, the date-of-birth question
    for those HR gave one) and no rate limits: the junk must reach the forms."""
    return create_app({**TEST_CONFIG, "DATABASE": str(tmp_path / "wizard.sqlite3"),
                       "MAIL_VIEWER": True, "ASK_BIRTH_DATE": True,
                       "RATELIMIT_ENABLED": False})


def arrive(stage: str, app, database, client) -> Visitor:
    """A visitor at `stage`, beside someone else who holds a live link."""
    staff = People(app, database)
    staff.link(staff.add(first="Anne", last="Martin", personal="anne.martin@exemple.org"))
    visitor = Visitor(client)
    if stage == "dehors":
        return visitor
    if stage == "date-de-naissance":
        person = staff.add(first="Léa", last="Moreau", personal="lea.moreau@exemple.org")
        database.execute("UPDATE people SET birth_date = '1985-03-12' WHERE id = ?",
                         [person.id])
        assert visitor.begin(staff.link(person)).status_code == 303
        return visitor
    if stage in ("secours", "verification-secours"):
        person = staff.add(first="Paul", last="Bernard", personal=None)
        hasher = passwords.hasher(time_cost=1, memory_kib=8, parallelism=1)
        database.execute(
            "UPDATE people SET sesame_hash = ?, sesame_expires_at = ? WHERE id = ?",
            [hasher.hash(SESAME), to_iso(datetime.now(UTC) + timedelta(days=30)), person.id])
        assert visitor.post("/sesame", {"login": person.login, "sesame": SESAME}) \
            .status_code == 303
        visitor.through_charter()
        visitor.through_directory()
        if stage == "verification-secours":
            assert visitor.post("/etapes/adresse-de-secours",
                                {"address": "paul@ailleurs.net"}).status_code == 303
        return visitor
    visitor.reach(staff, stage)
    return visitor


# --- What must hold after every request ---------------------------------------------------

# Written on purpose when input is refused: the audit trail, failed sésame attempts, the
# tries on a verification code, « 1ère connexion » requests waiting for the mail worker.
BOOKKEEPING = {"audit", "attempts", "link_requests"}


def people_data(database) -> dict:
    """Every table that holds people's data and their wizard's facts."""
    tables = {name: list(database.query(f"SELECT * FROM [{name}] ORDER BY rowid"))
              for name in database.table_names() if name not in BOOKKEEPING}
    for token in tables.get("tokens", []):
        token.pop("code_tries")
    return tables


def explains(response) -> bool:
    """A refusal says what happened: a page with a heading (and for a form, its errors),
    or, answering an htmx fragment request, an alert where the fragment goes."""
    if not response.content_type.startswith("text/html"):
        return False
    html = page(response)
    if html.h1 is None:
        alert = html.find(attrs={"role": "alert"})
        return alert is not None and bool(alert.get_text(strip=True))
    if not html.h1.get_text(strip=True):
        return False
    if response.status_code == 422:
        return bool(html.select("p.error, .error-summary"))
    return bool((html.find("main") or html).get_text(strip=True))


def stored_somewhere(value: str, data: dict) -> bool:
    """Whether a distinctive junk value was written into people's data."""
    if len(value.strip()) < 8 or is_plausible_address(normalize_address(value)):
        return False
    return any(isinstance(cell, str) and value in cell
               for rows in data.values() for row in rows for cell in row.values())


class Snapshot:
    """The database and the session cookie at a stage, to go back to after each try."""

    def __init__(self, database, client):
        self.database, self.client = database, client
        self.copy = sqlite3.connect(":memory:")
        database.conn.backup(self.copy)
        self.whole = dump(database)
        cookie = client.get_cookie("__Host-sesame_session")
        self.cookie = cookie.value if cookie else None

    def restore(self) -> None:
        """Put back the database if anything changed, and the session cookie."""
        if dump(self.database) != self.whole:
            self.copy.backup(self.database.conn)
        if self.cookie is None:
            self.client.delete_cookie("__Host-sesame_session")
        else:
            self.client.set_cookie("__Host-sesame_session", self.cookie)


def check(response, before: dict, after: dict, values: list[str]) -> None:
    """Never a 500; a refusal explains and changes nothing; junk is never stored."""
    assert response.status_code in ANSWERS, (response.status_code, main_text(response)[:300])
    if response.status_code >= 400 and response.status_code != 405:
        assert explains(response), main_text(response)[:300]
    if response.status_code >= 400:
        assert after == before, "a refused request changed people's data"
    for value in values:
        assert not stored_somewhere(value, after) or stored_somewhere(value, before), \
            f"{value[:60]!r} was stored"


def path_of(rule: str, draw) -> str:
    """A rule's path with junk (or a number, for <int:…>) in each of its parameters."""

    def parameter(match: re.Match) -> str:
        if match.group(0).startswith("<int"):
            value = draw(st.one_of(st.integers(-(2**70), 2**70).map(str), junk))
        else:
            value = draw(junk)
        return quote(value, safe="")

    return re.sub(r"<[^>]+>", parameter, rule)


# --- Every route, every field -------------------------------------------------------------


def test_every_route_is_fuzzed(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES), "add the new route to ROUTES (its stage and fields)"


@pytest.mark.parametrize("stage", sorted(STAGE_PAGES))
def test_every_form_field_is_fuzzed(stage, app, database, client):
    arrive(stage, app, database, client)
    by_path = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    for url in STAGE_PAGES[stage]:
        response = client.get(url)
        assert response.status_code == 200, url
        for form in page(response).find_all("form"):
            action = form.get("action") or url
            endpoint = by_path[action]
            names = {field["name"] for field in form.find_all(["input", "select", "textarea"])
                     if field.get("name") and field["name"] != "csrf_token"}
            assert names <= set(ROUTES[endpoint].fields), (endpoint, names)
            # « Quitter » sits on every step's page.
            assert ROUTES[endpoint].stage == stage or endpoint == "steps.leave", endpoint


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_answers_junk_without_error(endpoint, app, database, client):
    route = ROUTES[endpoint]
    visitor = arrive(route.stage, app, database, client)
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    token = csrf_of(visitor.get("/premiere-connexion"))  # one token per session
    snapshot = Snapshot(database, client)

    @settings(max_examples=30, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def attempt(data):
        draw = data.draw
        method = draw(st.sampled_from([*methods, "PUT"]))
        path = path_of(rule.rule, draw)
        names = list(route.query) + draw(st.lists(junk.filter(bool), max_size=2))
        query = {name: draw(junk) for name in names}
        form = {name: draw(junk) for name in draw(st.sets(st.sampled_from(route.fields)))} \
            if route.fields else {}
        if method != "GET":
            form["csrf_token"] = draw(st.one_of(st.just(token), junk))
        headers = draw(st.dictionaries(
            st.sampled_from(["HX-Request", "HX-Boosted", "HX-Current-URL", "User-Agent",
                             "Accept-Language", "Referer", "X-Forwarded-For", "Origin",
                             "Host"]),
            st.one_of(st.just("true"), header_junk), max_size=3))
        multipart = draw(st.booleans())
        before = people_data(database)
        response = client.open(
            path, method=method, query_string=query, data=form or None, headers=headers,
            content_type="multipart/form-data" if multipart and form else None)
        response.close()  # a file sent (logo, static) holds its handle until then
        check(response, before, people_data(database),
              [*query.values(), *form.values(), *query])
        snapshot.restore()

    attempt()


# --- Each checked field refuses what it must refuse ---------------------------------------


def refused(visitor, database, url, data, *, form_url=None):
    """POST `data`; it must be refused with a message and change nothing."""
    before = people_data(database)
    token = csrf_of(visitor.get(form_url or url)) if not hasattr(visitor, "token") else \
        visitor.token
    visitor.token = token  # one token per session: read once
    response = visitor.client.post(url, data={"csrf_token": token, **data})
    assert response.status_code in (413, 422), (data, response.status_code)
    assert explains(response), (data, main_text(response)[:300])
    assert people_data(database) == before, data
    return response


def test_identifier_refuses_empty_and_overlong(app, database, client):
    visitor = arrive("dehors", app, database, client)
    for value in ["", " \t ", "a" * 255, "x" * 100_000]:
        refused(visitor, database, "/premiere-connexion", {"identifier": value})


def test_junk_identifier_sends_nothing(app, database, client):
    visitor = arrive("dehors", app, database, client)
    before = people_data(database)
    for value in CORPUS:
        response = visitor.post("/premiere-connexion", {"identifier": value})
        assert response.status_code in (303, 413, 422), value
    assert handle_link_requests(app) > 0
    assert people_data(database) == before


@pytest.mark.parametrize("field", ["login", "sesame"])
def test_sesame_page_refuses_junk(field, app, database, client):
    visitor = arrive("dehors", app, database, client)
    for value in CORPUS:
        data = {"login": "pbernard", "sesame": SESAME, field: value}
        refused(visitor, database, "/sesame", data)


def test_birth_date_refuses_junk(app, database, client):
    visitor = arrive("date-de-naissance", app, database, client)
    for value in [*CORPUS, "31/02/1985", "12/13/1985", "1985-03-12T00:00"]:
        refused(visitor, database, "/etapes/date-de-naissance", {"birth_date": value})


def test_charter_refuses_an_unticked_box(app, database, client):
    visitor = arrive("charte", app, database, client)
    for value in ["", "false"]:
        refused(visitor, database, "/etapes/charte", {"accept": value})


def test_directory_refuses_anything_but_yes_or_no(app, database, client):
    visitor = arrive("annuaire", app, database, client)
    for value in CORPUS:
        refused(visitor, database, "/etapes/annuaire", {"listed": value})


def test_forwarding_refuses_malformed_addresses(app, database, client):
    visitor = arrive("messagerie", app, database, client)
    for value in [*MALFORMED_ADDRESSES, *CORPUS, "jean.dupont@univ-test.fr"]:
        refused(visitor, database, "/etapes/messagerie",
                {"forward": "oui", "forward_to": value, "keep_copy": "y"})


def test_recovery_address_refuses_malformed_addresses(app, database, client):
    visitor = arrive("secours", app, database, client)
    for value in [*MALFORMED_ADDRESSES, *CORPUS, "paul.bernard@univ-test.fr"]:
        refused(visitor, database, "/etapes/adresse-de-secours", {"address": value})


@pytest.mark.parametrize("stage, waiting", [
    ("verification", "/etapes/messagerie/verification"),
    ("verification-secours", "/etapes/adresse-de-secours/verification"),
])
def test_verification_code_refuses_junk(stage, waiting, app, database, client):
    visitor = arrive(stage, app, database, client)
    for value in CORPUS:
        refused(visitor, database, f"{waiting}/code", {"code": value}, form_url=waiting)


@pytest.mark.parametrize("field", ["password", "confirmation"])
def test_password_refuses_junk(field, app, database, client):
    visitor = arrive("mot-de-passe", app, database, client)
    for value in CORPUS:
        data = {"password": STRONG, "confirmation": STRONG + "!", field: value}
        refused(visitor, database, "/etapes/mot-de-passe", data)


@pytest.mark.parametrize("token_path", ["/activation/", "/verification/"])
def test_junk_link_tokens_are_unknown(token_path, app, database, client):
    visitor = arrive("dehors", app, database, client)
    before = people_data(database)
    for value in CORPUS:
        if not value or len(value) > 10_000:
            continue
        url = token_path + quote(value, safe="")
        assert client.get(url).status_code == 404, value
        response = visitor.post(url, form_url="/premiere-connexion")
        assert response.status_code == 404, value
        assert explains(response)
    assert people_data(database) == before


# --- Invalid UTF-8, odd bodies and headers -------------------------------------------------

INVALID_UTF8 = ["\xff\xfe", "\xc3\x28", "\xed\xa0\x80", "\xc0\xaf", "\xf8\x88\x80\x80\x80",
                "jean\x80"]


@pytest.mark.parametrize("raw", INVALID_UTF8)
def test_invalid_utf8_in_every_path(raw, app, database, client):
    visitor = arrive("messagerie", app, database, client)
    before = people_data(database)
    for rule in app.url_map.iter_rules():
        # PATH_INFO carries the request's raw bytes as latin-1 characters.
        path = re.sub(r"<[^>]+>", raw, rule.rule) if rule.arguments else rule.rule + raw
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = visitor.client.open("/", method=method,
                                           environ_overrides={"PATH_INFO": path})
            response.close()
            assert response.status_code in ANSWERS - {200, 303}, (path, method)
            assert explains(response), (path, method)
    assert people_data(database) == before


@pytest.mark.parametrize("raw", INVALID_UTF8)
def test_invalid_utf8_in_every_query_string(raw, app, database, client):
    arrive("messagerie", app, database, client)
    before = people_data(database)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        path = re.sub(r"<[^>]+>", "x", rule.rule)
        response = client.get(path, environ_overrides={"QUERY_STRING": f"raison={raw}&{raw}=1"
                                                                       f"&suite={raw}"})
        response.close()
        assert response.status_code in ANSWERS, path
        if response.status_code >= 400:
            assert explains(response), path
    assert people_data(database) == before


def test_undecodable_query_is_read_as_replacement_characters(client):
    response = client.get("/etapes/session-terminee",
                          environ_overrides={"QUERY_STRING": "raison=\xffidle"})
    assert response.status_code == 403
    assert page(response).h1 is not None


@pytest.mark.parametrize("raw", [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"%ff%fe"])
def test_invalid_utf8_in_a_form_body(raw, app, database, client):
    visitor = arrive("annuaire", app, database, client)
    token = csrf_of(client.get("/etapes/annuaire")).encode()
    before = people_data(database)
    response = visitor.client.post("/etapes/annuaire",
                                   data=b"csrf_token=" + token + b"&listed=oui" + raw,
                                   content_type="application/x-www-form-urlencoded")
    # Percent-encoded, the bytes are not an answer and the form says so; raw (no browser
    # sends them so), werkzeug drops the undecodable body: no CSRF token, a 400.
    assert response.status_code == (422 if raw.startswith(b"%") else 400)
    assert explains(response)
    assert people_data(database) == before


@pytest.mark.parametrize("host", ["a" * 64 + ".univ-test.fr", "sesame..univ-test.fr",
                                  ".", "\xff" * 70])
def test_a_host_header_routing_cannot_use_is_ignored(host, client):
    for url in ["/", "/nulle-part", "/premiere-connexion"]:
        response = client.get(url, headers={"Host": host})
        assert response.status_code in (200, 404), (host, url)
        assert page(response).h1 is not None


def test_invalid_utf8_in_a_cookie(app, database, client):
    arrive("dehors", app, database, client)
    for url in ["/", "/etapes/", "/etapes/charte"]:
        response = client.get(
            url, headers={"Cookie": "__Host-sesame_session=\xff\xfe\x00; a=\xc3\x28"})
        assert response.status_code in (200, 303), url


def test_a_file_where_text_is_expected_is_ignored(app, database, client):
    visitor = arrive("messagerie", app, database, client)
    token = csrf_of(client.get("/etapes/messagerie"))
    before = people_data(database)
    response = visitor.client.post("/etapes/messagerie", data={
        "csrf_token": token, "forward": "oui",
        "forward_to": (io.BytesIO(b"<script>alert(1)</script>"), "adresse.html")})
    assert response.status_code == 422
    assert "Indiquez l'adresse" in main_text(response)
    assert people_data(database) == before


@pytest.mark.parametrize("body", [b'{"identifier": 5}', b'{"identifier": ["a"]}', b"[1, 2]",
                                  b'"x"', b"{", b"null"])
def test_a_json_body_is_not_a_form(body, app, database, client):
    arrive("dehors", app, database, client)
    token = csrf_of(client.get("/premiere-connexion"))
    before = dump(database)
    response = client.post("/premiere-connexion", data=body, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code in (400, 422)
    assert explains(response)
    assert dump(database)["link_requests"] == before["link_requests"]


# --- Request bodies are capped ------------------------------------------------------------

TOO_LARGE = "Envoi trop volumineux"


def test_every_form_refuses_an_oversized_body_with_the_413_page(app, database):
    for endpoint, route in sorted(ROUTES.items()):
        (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
        if "POST" not in rule.methods:
            continue
        client = app.test_client()
        if route.stage != "dehors":
            arrive(route.stage, app, database, client)
        before = people_data(database)
        path = re.sub(r"<[^>]+>", "x", rule.rule)
        response = client.post(path, data={"csrf_token": "x", "f": "x" * 70_000})
        assert response.status_code == 413, endpoint
        assert page(response).h1.get_text() == TOO_LARGE
        assert "dépassent la taille autorisée" in main_text(response)
        assert people_data(database) == before, endpoint


def test_oversized_body_under_htmx_gets_the_413_page(app, database, client):
    visitor = arrive("mot-de-passe", app, database, client)
    token = csrf_of(visitor.get("/etapes/mot-de-passe"))
    response = client.post("/etapes/mot-de-passe/force", headers={"HX-Request": "true"},
                           data={"csrf_token": token, "password": "x" * 70_000})
    assert response.status_code == 413
    assert TOO_LARGE in page(response).find(attrs={"role": "alert"}).get_text()


def test_body_just_under_the_cap_is_read_and_refused_by_the_form(app, database, client):
    visitor = arrive("dehors", app, database, client)
    response = refused(visitor, database, "/premiere-connexion", {"identifier": "x" * 60_000})
    assert "trop long" in main_text(response)


def test_chunked_body_over_the_cap_gets_the_413_page(app, database, client):
    arrive("dehors", app, database, client)
    token = csrf_of(client.get("/premiere-connexion"))
    before = dump(database)
    body = f"csrf_token={token}&identifier={'x' * 100_000}".encode()
    # As gunicorn hands a chunked body over: no length, the stream ends where the body does.
    response = client.post("/premiere-connexion", input_stream=io.BytesIO(body),
                           content_type="application/x-www-form-urlencoded",
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert page(response).h1.get_text() == TOO_LARGE
    assert dump(database) == before


def test_chunked_body_under_the_cap_is_read_whole(app, database, client):
    arrive("dehors", app, database, client)
    token = csrf_of(client.get("/premiere-connexion"))
    body = f"csrf_token={token}&identifier=jmartin".encode()
    response = client.post("/premiere-connexion", input_stream=io.BytesIO(body),
                           content_type="application/x-www-form-urlencoded",
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 303
    assert [r["identifier"] for r in dump(database)["link_requests"]] == ["jmartin"]


def test_a_form_of_too_many_parts_gets_the_413_page(app, database, client):
    arrive("dehors", app, database, client)
    token = csrf_of(client.get("/premiere-connexion"))
    before = dump(database)
    fields = {f"champ{i}": "" for i in range(1500)}  # over MAX_FORM_PARTS, under the cap
    response = client.post("/premiere-connexion", content_type="multipart/form-data",
                           data={"csrf_token": token, "identifier": "jmartin", **fields})
    assert response.status_code == 413
    assert page(response).h1.get_text() == TOO_LARGE
    assert dump(database) == before


def test_form_memory_limit_gets_the_413_page_when_the_cap_is_raised(make_app):
    # MAX_FORM_MEMORY_SIZE (werkzeug's limit on one multipart text field) is over the
    # 64 KiB cap, so the cap speaks first; a site raising the cap still meets it.
    app = make_app(MAX_CONTENT_LENGTH=4 * 1024 * 1024)
    client = app.test_client()
    token = csrf_of(client.get("/premiere-connexion"))
    # Encoded here, in memory: the test client would spool so large a body to a file.
    boundary, body = encode_multipart({"csrf_token": token, "identifier": "x" * 600_000})
    response = client.post("/premiere-connexion", input_stream=io.BytesIO(body),
                           content_type=f"multipart/form-data; boundary={boundary}",
                           content_length=len(body))
    assert app.config["MAX_FORM_MEMORY_SIZE"] < 600_000
    assert response.status_code == 413
    assert page(response).h1.get_text() == TOO_LARGE


def test_the_cap_is_64_kib(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024


def test_every_form_reads_only_posted_text():
    from flask_wtf import FlaskForm

    from wizard.web import forms

    classes = [value for value in vars(forms).values()
               if isinstance(value, type) and issubclass(value, FlaskForm)]
    assert {c.__name__ for c in classes if not issubclass(c, forms.WizardForm)} == \
        {"FlaskForm"}


def test_an_unexpected_failure_shows_a_generic_french_page(app, client, monkeypatch, caplog):
    from wizard.activation import first_login

    def broken(*_args, **_kwargs):
        raise RuntimeError("détail interne /srv/sesame SELECT secret")

    monkeypatch.setattr(first_login, "record_link_request", broken)
    token = csrf_of(client.get("/premiere-connexion"))
    response = client.post("/premiere-connexion",
                           data={"csrf_token": token, "identifier": "jdupont"})
    assert response.status_code == 500
    assert page(response).h1.get_text() == "Erreur inattendue"
    assert "détail interne" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert "RuntimeError" in caplog.text  # the operator's log has it
