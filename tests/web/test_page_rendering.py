"""What a step page costs, and that the shortcuts taken to make it cheap show the right page.

The wizard keeps a page's shared parts (progress indicator, footer, fixed addresses), reads
with one statement each, translates without Flask-Babel's proxies, and rewrites the session
cookie only when the session changes (docs/performance.md says why and what it saved).
"""

from __future__ import annotations

import gc
import os
import time

from flask_babel import force_locale
from harness import Visitor, page
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from wizard.web import fast_html_params, gc_freeze, i18n
from wizard.web.database import get_db
from wizard.web.views.wizard_session import SEEN_REFRESH_SECONDS


def statements_of(app, client, url):
    """The SQL statements one GET of `url` runs on the request's connection."""
    with app.test_request_context():
        connection = get_db().conn  # this thread's, which the test client reuses
    seen: list[str] = []
    connection.set_trace_callback(seen.append)
    try:
        assert client.get(url).status_code == 200
    finally:
        connection.set_trace_callback(None)
    return seen


def test_a_step_page_reads_with_one_statement_a_query(app, staff, visitor):
    visitor.reach(staff, "annuaire")
    seen = statements_of(app, visitor.client, "/etapes/annuaire")
    assert not [sql for sql in seen if "SAVEPOINT" in sql or "RELEASE" in sql]
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in seen), seen
    # The server's session record, the enrolment, its person, the link: one each.
    assert len(seen) <= 4, seen


def test_reads_keep_sqlite_utils_row_shape(database):
    database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    database.execute("INSERT INTO t (name) VALUES ('a'), ('b')")
    rows = list(database.query("SELECT t.id, t.name, u.id FROM t JOIN t AS u ON u.id = t.id "
                               "WHERE t.name = ?", ["b"]))
    assert rows == [{"id": 2, "name": "b", "id_2": 2}]  # duplicate columns renamed, as before
    inserted = list(database.query("INSERT INTO t (name) VALUES ('c') RETURNING id"))
    assert inserted == [{"id": 3}]  # not a SELECT: sqlite-utils' own path


def session_cookie(response, app) -> str | None:
    name = app.config["SESSION_COOKIE_NAME"]
    cookies = [value for value in response.headers.getlist("Set-Cookie")
               if value.startswith(name + "=")]
    return cookies[0] if cookies else None


def test_a_page_seen_within_a_minute_leaves_the_cookie_alone(app, staff, visitor):
    visitor.reach(staff, "annuaire")
    visitor.get("/etapes/annuaire")
    response = visitor.get("/etapes/annuaire")
    assert response.status_code == 200
    assert session_cookie(response, app) is None


def test_the_idle_clock_and_the_cookie_move_on_after_a_minute(app, staff, visitor):
    visitor.reach(staff, "annuaire")
    with visitor.client.session_transaction() as session:
        session["seen"] = int(time.time()) - SEEN_REFRESH_SECONDS - 1
    response = visitor.get("/etapes/annuaire")
    cookie = session_cookie(response, app)
    assert cookie is not None and "Expires=" in cookie
    with visitor.client.session_transaction() as session:
        assert time.time() - session["seen"] < 5


def progress_items(response) -> list[tuple[str, str]]:
    nav = page(response).find("nav", class_="progress")
    return [(item["class"][0], item.find(class_="step-label").get_text())
            for item in nav.find_all("li")]


def test_each_person_sees_their_own_progress(app, staff, client):
    ahead, behind = Visitor(app.test_client()), Visitor(app.test_client())
    ahead.reach(staff, "mot-de-passe", first="Anne", last="Avance",
                personal="anne@exemple.org")
    behind.reach(staff, "charte", first="Bruno", last="Retard",
                 personal="bruno@exemple.org")
    assert progress_items(ahead.get("/etapes/mot-de-passe"))[:4] == [
        ("step-done", "Charte"), ("step-done", "Annuaire"), ("step-done", "Messagerie"),
        ("step-current", "Mot de passe")]
    assert progress_items(behind.get("/etapes/charte"))[:2] == [
        ("step-current", "Charte"), ("step-todo", "Annuaire")]
    english = behind.get("/etapes/charte", headers={"Accept-Language": "en"})
    assert progress_items(english)[:2] == [("step-current", "Charter"),
                                           ("step-todo", "Directory")]


def test_the_footer_follows_the_helpdesk_settings(app, client):
    app.config["HELPDESK_PHONE"] = "05 49 00 00 01"
    assert "05 49 00 00 01" in client.get("/").get_data(as_text=True)
    app.config["HELPDESK_PHONE"] = "05 49 00 00 02"
    body = client.get("/").get_data(as_text=True)
    assert "05 49 00 00 02" in body and "05 49 00 00 01" not in body


def stylesheet(response) -> str:
    return page(response).find("link", rel="stylesheet")["href"]


def test_fixed_addresses_follow_the_site_root(client):
    mounted = client.get("/", base_url="http://localhost/sesame/")
    assert stylesheet(mounted) == "/sesame/static/css/sesame.css"
    assert stylesheet(client.get("/")) == "/static/css/sesame.css"


def test_translation_follows_a_forced_language_inside_a_request(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert i18n.gettext("Suivant") == "Suivant"
        with force_locale("en"):
            assert i18n.gettext("Suivant") == "Next"
            assert i18n.current_language() == "en"
        assert i18n.gettext("Suivant") == "Suivant"
        assert i18n.ngettext("%(num)d jour", "%(num)d jours", 2) == "2 jours"


def test_translation_outside_a_request_keeps_the_french_text():
    assert i18n.gettext("Suivant") == "Suivant"


ATTRIBUTE_NAMES = st.sampled_from(["id", "name", "class_", "for_", "data_hx_post",
                                   "aria_describedby", "aria-invalid", "autocomplete",
                                   "maxlength", "checked", "type", "value", "x<y"])
ATTRIBUTE_VALUES = st.one_of(st.booleans(), st.integers(), st.text(max_size=20),
                             st.text(max_size=10).map(Markup))


@given(st.dictionaries(ATTRIBUTE_NAMES, ATTRIBUTE_VALUES, max_size=8))
def test_html_params_writes_what_wtforms_writes(attributes):
    assert fast_html_params.html_params(**attributes) == \
        fast_html_params.ORIGINAL_HTML_PARAMS(**attributes)



def test_a_server_process_freezes_its_start_up_objects_once(make_app, monkeypatch):
    monkeypatch.setattr(gc_freeze, "_frozen", False)
    app = make_app(TESTING=False)
    try:
        assert app.test_client().get("/healthz").status_code == 200
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # modules, the app, its templates' environment…
        app.test_client().get("/healthz")
        assert gc.get_freeze_count() == frozen  # once per process
    finally:
        gc.unfreeze()


def test_tests_apps_are_not_frozen(client):
    client.get("/healthz")
    assert gc.get_freeze_count() == 0


def switcher_link(response) -> str:
    return page(response).find("nav", class_="languages").find("a")["href"]


def test_the_kept_banner_comes_back_to_the_page_being_read(staff, visitor):
    visitor.reach(staff, "messagerie")
    assert "suite=/etapes/charte" in switcher_link(visitor.get("/etapes/charte"))
    assert "suite=/etapes/annuaire" in switcher_link(visitor.get("/etapes/annuaire"))
    assert "suite=/etapes/charte" in switcher_link(visitor.get("/etapes/charte"))
    english = visitor.get("/etapes/charte", headers={"Accept-Language": "en"})
    assert page(english).find("span", class_="language-current").get_text() == "English"


def at_the_charter_of(app, staff, visitor, path, text):
    """A person at the charter step, the charter read from `path` (holding `text`)."""
    path.write_text(text, encoding="utf-8")
    app.config["CHARTER_FILE"] = str(path)
    visitor.reach(staff, "charte")
    return charter_page(visitor)


def charter_page(visitor) -> str:
    return visitor.get("/etapes/charte").get_data(as_text=True)


def test_an_edited_charter_is_shown_at_once(app, staff, visitor, tmp_path):
    text = tmp_path / "charte.txt"
    assert "Première version" in at_the_charter_of(app, staff, visitor, text,
                                                    "Première version de la charte.")
    text.write_text("Seconde version, plus longue, de la charte.", encoding="utf-8")
    body = charter_page(visitor)
    assert "Seconde version" in body and "Première version" not in body


def test_queries_anyone_can_vary_do_not_fill_the_kept_fragments(app, client):
    kept = app.extensions["sesame.rendered"]
    for n in range(30):
        client.get(f"/etapes/session-terminee?raison=idle&x={n}")
    assert len(kept) <= 4  # footer and the like, not one banner per address


def test_templates_have_every_gettext_form(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        rendered = app.jinja_env.from_string(
            '{{ pgettext("menu", "Suivant") }}|{{ npgettext("x", "%(num)d jour", '
            '"%(num)d jours", 2) }}').render()
    assert rendered == "Suivant|2 jours"  # no such context in the catalog: the French text


def test_a_charter_replaced_with_its_old_date_and_size_is_shown(app, staff, visitor, tmp_path):
    text = tmp_path / "charte.txt"
    assert "Version A" in at_the_charter_of(app, staff, visitor, text, "Version A de la charte.")
    before = text.stat()
    replacement = tmp_path / "nouvelle.txt"
    replacement.write_text("Version B de la charte.", encoding="utf-8")
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    replacement.replace(text)  # as `cp -p` or an archive would leave it
    assert "Version B" in charter_page(visitor)
