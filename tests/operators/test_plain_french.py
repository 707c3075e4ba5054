"""`wizard status` and `wizard audit` in plain French, as a helpdesk agent reads them aloud:
the step in progress, incidents and events as sentences, browsers named, local times."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from harness import Visitor
from test_helpdesk_commands import NBSP, invoke, status_lines

from wizard.clock import to_iso
from wizard.operators import wording

pytestmark = pytest.mark.dates

FIREFOX_ON_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 "
                      "Firefox/128.0")
IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b")  # identity_refused, link_sent…


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_the_step_not_yet_answered_reads_as_in_progress(app, runner, staff):
    Visitor(app.test_client()).reach(staff, "annuaire")
    step = status_lines(invoke(runner, "status", "jdupont"))["Étape"]
    assert step.startswith(f"en cours{NBSP}: annuaire (dernière action le ")
    assert "liste rouge" not in step


def test_incidents_are_sentences_not_json(app, runner, staff, database):
    who = staff.add()
    at = [to_iso(datetime(2026, 11, 25, 10, minute, tzinfo=UTC)) for minute in (0, 1)]
    database.execute(
        "INSERT INTO audit (at, person_id, actor, event, ip, detail) VALUES"
        " (?, ?, 'person', 'verification_code_refused', '203.0.113.9', '{\"dead\": false}'),"
        " (?, ?, 'person', 'identity_refused', '203.0.113.9', '{\"method\": \"sesame\"}')",
        [at[0], who.id, at[1], who.id])
    database.conn.commit()
    output = invoke(runner, "status", "jdupont").output
    incidents = output.split("Incidents récents")[1]
    assert "{" not in incidents and '"' not in incidents
    assert "25/11/2026 à 11 h 00  code de vérification refusé\n" in incidents
    assert "identité refusée (avec le sésame)" in incidents


def test_audit_is_one_french_line_per_event_in_local_time(app, runner, staff):
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=FIREFOX_ON_WINDOWS, REMOTE_ADDR="203.0.113.9")
    visitor = Visitor(client)
    visitor.reach(staff, "messagerie")
    output = invoke(runner, "audit", "jdupont").output
    lines = output.splitlines()[1:]
    assert len(lines) >= 4
    for line in lines:
        assert re.match(r"  \d\d/\d\d/20\d\d à \d\d? h \d\d  \S", line), line
        assert not IDENTIFIER.search(line.split(" — ")[0]), line
        assert "Mozilla" not in line and "{" not in line
    assert any("identité prouvée (par le lien) — la personne, depuis 203.0.113.9, "
               "Firefox 128 sous Windows" in line for line in lines)
    assert any("question de l'annuaire répondue (liste rouge)" in line for line in lines)
    assert any(line.endswith("— un opérateur") for line in lines)


@pytest.mark.clock_at(datetime(2026, 7, 1, 22, 30, tzinfo=UTC))
def test_times_are_in_the_institution_time_zone(app, runner, staff):
    app.config["TIMEZONE"] = "America/Cayenne"  # a university in French Guiana: UTC-3
    invoke(runner, "add-person", "--first-name", "Jean", "--last-name", "Dupont")
    output = invoke(runner, "audit", "jdupont").output
    assert "01/07/2026 à 19 h 30" in output


def test_demo_mode_mails_are_not_said_to_wait_for_sending(app, runner, staff):
    staff.link(staff.add())
    output = invoke(runner, "status", "jdupont").output
    assert "en attente d'envoi" not in output
    assert "mode démonstration" in output


@pytest.mark.parametrize(("agent", "said"), [
    (FIREFOX_ON_WINDOWS, "Firefox 128 sous Windows"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
     "like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari 17 sous iPhone"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Mobile Safari/537.36", "Chrome 126 sous Android"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge 126 sous Windows"),
    (None, ""),
])
def test_browsers_are_named_as_people_say_them(agent, said):
    assert wording.browser(agent) == said
