"""The helpdesk's commands through the CLI runner: invite --all, status, resend, unlock,
disable-departed, report; each change audited, and no sésame anywhere but the letters."""

import csv
import io
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from harness import Visitor, dump, login_key, mails, now, rows, today
from pypdf import PdfReader
from test_hr_import import SAMPLE

from wizard import db
from wizard.activation import attempts
from wizard.clock import to_iso

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)

NBSP = "\u00a0"
SAMPLE_WRITTEN = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
README = Path(__file__).resolve().parents[2] / "README.md"
COMMANDS = ["import-staff", "invite", "sesame", "status", "resend", "unlock",
            "disable-departed", "report"]


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def invoke(runner, *args, code=0):
    result = runner.invoke(args=list(args))
    assert result.exit_code == code, (result.output, result.stderr)
    return result


def import_sample(runner):
    invoke(runner, "import-staff", str(SAMPLE))


def person(database, login):
    (found,) = rows(database, "SELECT * FROM people WHERE login = ?", [login])
    return found


def events(database, event):
    return rows(database, "SELECT * FROM audit WHERE event = ? ORDER BY id", [event])


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help(runner, name):
    result = invoke(runner, name, "--help")
    assert result.output.startswith("Usage:")


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_the_readme(name):
    assert f"`wizard {name}" in README.read_text(encoding="utf-8")


# --- invite --all --------------------------------------------------------------------------


def test_invite_all_sends_to_those_with_an_address_and_no_valid_link(runner, database):
    import_sample(runner)
    expected = rows(database, "SELECT login FROM people WHERE personal_email IS NOT NULL"
                    " AND (departure_date IS NULL OR departure_date >= ?)",
                    [today().isoformat()])
    result = invoke(runner, "invite", "--all")
    assert f"{len(expected)} courriel(s) d'invitation" in result.output
    assert len(mails(database, "activation")) == len(expected)
    again = invoke(runner, "invite", "--all")
    assert "0 courriel(s) d'invitation" in again.output


def test_invite_all_skips_people_already_gone(runner, database):
    import_sample(runner)
    invoke(runner, "invite", "--all")
    gone = person(database, "bfontain")  # left on 31/03/2026 in the sample
    assert rows(database, "SELECT * FROM outbox WHERE person_id = ?", [gone["id"]]) == []


def test_invite_all_again_after_a_link_expired(runner, database):
    import_sample(runner)
    invoke(runner, "invite", "--all")
    database.execute("UPDATE tokens SET expires_at = ? WHERE id = (SELECT min(id) FROM tokens)",
                     [to_iso(now() - timedelta(minutes=1))])
    database.conn.commit()
    assert "1 courriel(s) d'invitation" in invoke(runner, "invite", "--all").output


def test_invite_takes_logins_or_all_not_both(runner):
    assert runner.invoke(args=["invite", "--all", "jdupont"]).exit_code == 2


# --- status --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["jndiaye", "JNDiaye", "jean-eric.ndiaye@univ-test.fr",
                                 "je.ndiaye@exemple.net", "2026001"])
def test_status_finds_by_login_address_or_matricule(runner, who):
    import_sample(runner)
    result = invoke(runner, "status", who)
    assert result.output.startswith("Jean-Éric N'Diaye — identifiant jndiaye, "
                                    "matricule 2026001\n")


def test_status_of_someone_unknown(runner):
    result = invoke(runner, "status", "personne", code=1)
    assert "personne ne correspond à « personne »".replace(" »", f"{NBSP}»").replace(
        "« ", f"«{NBSP}") in result.stderr


def status_lines(result) -> dict[str, str]:
    found = {}
    for line in result.output.splitlines():
        label, sep, value = line.partition(f"{NBSP}: ")
        if sep and line.startswith("  ") and not line.startswith("    "):
            found[label.strip()] = value
    return found


def test_status_of_a_fresh_import(runner):
    import_sample(runner)
    lines = status_lines(invoke(runner, "status", "mlegoff"))
    assert lines["Adresse universitaire"] == "marie.le-goff@univ-test.fr"
    assert lines["Adresse personnelle"] == "aucune (parcours sésame)"
    assert lines["Service"] == "Bibliothèque universitaire (BIATSS)"
    assert lines["Statut"] == "en attente d'activation"
    assert lines["Étape"] == "pas encore commencé"
    assert lines["Lien d'activation"] == "aucun envoyé"
    assert lines["Sésame"] == "aucun"
    assert lines["Verrouillage"] == "non"
    assert lines["Courriels"] == "aucun"


def test_status_shows_the_step_reached_and_the_link(app, runner, staff):
    visitor = Visitor(app.test_client())
    visitor.reach(staff, "messagerie")
    lines = status_lines(invoke(runner, "status", "jdupont"))
    assert lines["Étape"].startswith(f"en cours{NBSP}: messagerie (dernière action le ")
    assert lines["Étape"].endswith(", entré par le lien)")
    assert lines["Lien d'activation"].startswith("valable jusqu'au ")


def test_status_shows_each_mail_and_whether_it_left(runner, database):
    import_sample(runner)
    invoke(runner, "invite", "jndiaye")
    invoke(runner, "resend", "jndiaye")
    first, second = mails(database, "activation")
    database.execute("UPDATE outbox SET sent_at = ?, attempts = 1 WHERE id = ?",
                     [to_iso(now()), first["id"]])
    database.execute("UPDATE outbox SET attempts = 2, last_error = 'ConnectionRefusedError'"
                     " WHERE id = ?", [second["id"]])
    database.conn.commit()
    output = invoke(runner, "status", "jndiaye").output
    sent, failed = [line for line in output.splitlines() if "lien d'activation →" in line]
    assert "je.ndiaye@exemple.net" in sent and f"{NBSP}: envoyé le " in sent
    assert "PAS ENVOYÉ, 2 tentatives" in failed and "ConnectionRefusedError" in failed
    assert "révoqué le" not in status_lines(invoke(runner, "status", "jndiaye"))[
        "Lien d'activation"]


def test_status_shows_a_mail_given_up(runner, database):
    import_sample(runner)
    invoke(runner, "invite", "jndiaye")
    database.execute("UPDATE outbox SET attempts = 1, failed_at = ?, body_text = '',"
                     " last_error = 'SMTPRecipientsRefused: 550 User unknown'",
                     [to_iso(now())])
    output = invoke(runner, "status", "jndiaye").output
    (line,) = [line for line in output.splitlines() if "lien d'activation →" in line]
    assert "ABANDONNÉ le " in line and "550 User unknown" in line


def test_status_shows_the_sesame_lock_and_the_birth_date_failures_apart(runner, database):
    """Before, birth-date failures were called « échecs de sésame »."""
    import_sample(runner)
    with db.transaction(database):
        for _ in range(2):
            attempts.record_failure(database, login_key(runner.app, "mlegoff"), "birth_date",
                                    now(), "203.0.113.9")
    lines = status_lines(invoke(runner, "status", "mlegoff"))
    assert "2 échecs de date de naissance en cours" in lines["Verrouillage"]
    assert "sésame" not in lines["Verrouillage"]


def test_status_shows_a_lock_and_the_failures(runner, database):
    import_sample(runner)
    who = person(database, "mlegoff")
    with db.transaction(database):
        for _ in range(3):
            attempts.record_failure(database, login_key(runner.app, "mlegoff"), "sesame",
                                    now(), "203.0.113.9")
        database.execute("UPDATE people SET status = 'locked', locked_at = ? WHERE id = ?",
                         [to_iso(now()), who["id"]])
        database.execute("INSERT INTO audit (at, person_id, actor, event, ip, detail)"
                         " VALUES (?, ?, 'person', 'identity_refused', '203.0.113.9',"
                         " '{\"method\": \"sesame\"}')", [to_iso(now()), who["id"]])
    result = invoke(runner, "status", "mlegoff")
    lines = status_lines(result)
    assert lines["Statut"] == "verrouillé"
    assert lines["Verrouillage"].startswith("VERROUILLÉ depuis le ")
    assert "wizard unlock mlegoff" in lines["Verrouillage"]
    assert "3 échecs de sésame en cours" in lines["Verrouillage"]
    assert "identité refusée" in result.output


def test_status_says_a_locked_persons_sesame_opens_nothing(runner, database, tmp_path):
    import_sample(runner)
    invoke(runner, "sesame", "mlegoff", "--letters", str(tmp_path / "lettre.pdf"))
    database.execute("UPDATE people SET status = 'locked', locked_at = ? WHERE login = ?",
                     [to_iso(now()), "mlegoff"])
    lines = status_lines(invoke(runner, "status", "mlegoff"))
    assert lines["Sésame"].startswith("inutilisable")


def test_status_lists_everyone_an_address_matches(runner, database):
    import_sample(runner)
    database.execute("UPDATE people SET personal_email = 'famille@exemple.org'"
                     " WHERE login IN ('mlegoff', 'jmuller')")
    database.conn.commit()
    result = invoke(runner, "status", "famille@exemple.org")
    assert f"2 personnes correspondent à «{NBSP}famille@exemple.org{NBSP}»" in result.output
    assert "identifiant mlegoff" in result.output and "identifiant jmuller" in result.output


def test_status_changes_nothing(runner, database):
    import_sample(runner)
    before = dump(database)
    invoke(runner, "status", "jndiaye")
    assert dump(database) == before


# --- resend --------------------------------------------------------------------------------


def test_resend_revokes_the_old_link_and_queues_a_new_one(runner, database):
    import_sample(runner)
    invoke(runner, "invite", "jndiaye")
    result = invoke(runner, "resend", "jndiaye")
    assert "Nouveau lien envoyé à je.ndiaye@exemple.net (1 lien précédent révoqué)." \
        in result.output
    assert "1 courriel mis en file d'envoi." in result.output
    links = rows(database, "SELECT * FROM tokens ORDER BY id")
    assert [link["revoked_at"] is not None for link in links] == [True, False]
    assert len(mails(database, "activation")) == 2
    (entry,) = events(database, "link_resent")
    assert '"links_revoked": 1' in entry["detail"]
    assert entry["actor"] == "operator"


def test_resend_ends_the_session_of_the_old_link(app, runner, staff):
    visitor = Visitor(app.test_client())
    visitor.reach(staff, "annuaire")
    invoke(runner, "resend", "jdupont")
    response = visitor.get("/etapes/annuaire")
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/etapes/session-terminee"


@pytest.mark.parametrize(("login", "status", "message"), [
    ("mlegoff", "pending", "aucune adresse personnelle connue"),
    ("jndiaye", "active", "compte activé"),
    ("jndiaye", "locked", "wizard unlock"),
    ("jndiaye", "disabled", "compte désactivé"),
    ("personne", None, "identifiant inconnu"),
])
def test_resend_refused(runner, database, login, status, message):
    import_sample(runner)
    if status:
        database.execute("UPDATE people SET status = ? WHERE login = ?", [status, login])
        database.conn.commit()
    result = invoke(runner, "resend", login, code=1)
    assert message in result.stderr
    assert mails(database) == []


# --- unlock --------------------------------------------------------------------------------


def lock(database, login, *, current, activated=False):
    with db.transaction(database):
        for _ in range(20):
            attempts.record_failure(database, login_key(current, login), "sesame", now(), None)
        database.execute("UPDATE people SET status = 'locked', locked_at = ?, activated_at = ?"
                         " WHERE login = ?",
                         [to_iso(now()), to_iso(now()) if activated else None, login])


def test_unlock_lifts_the_lock_and_forgets_the_failures(runner, database):
    import_sample(runner)
    lock(database, "mlegoff", current=runner.app)
    result = invoke(runner, "unlock", "mlegoff")
    assert (f"mlegoff{NBSP}: déverrouillé, statut «{NBSP}en attente d'activation{NBSP}» "
            "(20 échecs effacés).") in result.output
    unlocked = person(database, "mlegoff")
    assert (unlocked["status"], unlocked["locked_at"]) == ("pending", None)
    assert rows(database, "SELECT * FROM attempts") == []
    (entry,) = events(database, "unlocked")
    assert '"previous_status": "locked"' in entry["detail"]
    assert '"failures_cleared": 20' in entry["detail"]


def test_unlock_gives_an_activated_account_back_its_status(runner, database):
    import_sample(runner)
    lock(database, "jndiaye", activated=True, current=runner.app)
    invoke(runner, "unlock", "jndiaye")
    assert person(database, "jndiaye")["status"] == "active"


def test_unlock_with_nothing_to_unlock(runner, database):
    import_sample(runner)
    result = invoke(runner, "unlock", "mlegoff")
    assert "rien à déverrouiller" in result.output
    assert events(database, "unlocked") == []


def test_unlock_refuses_a_disabled_account(runner, database):
    import_sample(runner)
    database.execute("UPDATE people SET status = 'disabled' WHERE login = 'mlegoff'")
    database.conn.commit()
    assert "désactivé" in invoke(runner, "unlock", "mlegoff", code=1).stderr


def test_unlock_unknown_login(runner):
    assert "identifiant inconnu" in invoke(runner, "unlock", "personne", code=1).stderr


# --- disable-departed ----------------------------------------------------------------------


def departed(database, login, days_ago, status="pending"):
    day = (today() - timedelta(days=days_ago)).isoformat()
    database.execute("UPDATE people SET departure_date = ?, status = ? WHERE login = ?",
                     [day, status, login])
    database.conn.commit()


@pytest.fixture
def departures(runner, database):
    import_sample(runner)
    database.execute("UPDATE people SET departure_date = NULL")
    invoke(runner, "invite", "jndiaye")
    departed(database, "jndiaye", 100)          # pending, with a link
    departed(database, "clefevre", 93, "active")
    departed(database, "mlegoff", 30)           # within the grace period
    departed(database, "jdupont", -60)          # leaves in two months
    return database


def test_disable_departed_disables_those_past_the_grace_period(runner, departures, tmp_path):
    invoke(runner, "sesame", "mmartin2", "--letters", str(tmp_path / "a.pdf"))
    departed(departures, "mmartin2", 200)
    result = invoke(runner, "disable-departed")
    lines = [line for line in result.output.splitlines() if line.startswith("  ")]
    assert len(lines) == 3
    assert lines[0].split()[0] == "mmartin2" and lines[0].endswith("désactivé, sésame annulé")
    assert lines[1].split()[0] == "jndiaye" and lines[1].endswith("désactivé, 1 lien révoqué")
    assert lines[2].split()[0] == "clefevre"
    assert "3 comptes désactivés" in result.output
    for login in ("jndiaye", "clefevre", "mmartin2"):
        gone = person(departures, login)
        assert (gone["status"], gone["sesame_hash"]) == ("disabled", None)
        assert gone["disabled_at"] is not None
    assert person(departures, "mlegoff")["status"] == "pending"
    assert person(departures, "jdupont")["status"] == "pending"
    assert rows(departures, "SELECT * FROM tokens WHERE revoked_at IS NULL") == []
    assert len(events(departures, "disabled")) == 3


def test_disable_departed_twice_does_nothing_more(runner, departures):
    invoke(runner, "disable-departed")
    before = dump(departures)
    result = invoke(runner, "disable-departed")
    assert "Personne à désactiver" in result.output
    assert dump(departures) == before


def test_disable_departed_dry_run_changes_nothing(runner, departures):
    before = dump(departures)
    result = invoke(runner, "disable-departed", "--dry-run")
    assert "jndiaye" in result.output and "serait désactivé" in result.output
    assert "2 comptes seraient désactivés" in result.output
    assert dump(departures) == before


def test_grace_period_is_configurable(make_app):
    app = make_app(DEPARTED_GRACE_DAYS=10)
    runner = app.test_cli_runner()
    import_sample(runner)
    connection = db.connect(app.config["DATABASE"])
    departed(connection, "mlegoff", 30)
    assert "mlegoff" in invoke(runner, "disable-departed").output
    assert person(connection, "mlegoff")["status"] == "disabled"
    connection.close()


def test_disabling_ends_the_wizard_session(app, runner, staff, database):
    visitor = Visitor(app.test_client())
    visitor.reach(staff, "annuaire")
    departed(database, "jdupont", 120)
    invoke(runner, "disable-departed")
    response = visitor.get("/etapes/annuaire")
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/etapes/session-terminee"


def test_a_disabled_login_is_not_given_again(runner, departures, tmp_path):
    invoke(runner, "disable-departed")
    path = tmp_path / "newcomer.csv"
    path.write_text("Matricule;Nom;Prénom\r\n2027001;N'Diaye;Jean\r\n", encoding="utf-8")
    result = invoke(runner, "import-staff", str(path))
    assert "jndiaye2" in result.output


# --- report --------------------------------------------------------------------------------


# The sample's departure dates were written for this moment: who has left depends on it.
@pytest.mark.clock_at(SAMPLE_WRITTEN)
def test_report_counts_by_status_step_and_service(app, runner, staff, database):
    import_sample(runner)
    invoke(runner, "invite", "--all")
    Visitor(app.test_client()).reach(staff, "annuaire")
    database.execute("UPDATE people SET status = 'active' WHERE login = 'jndiaye'")
    database.execute("UPDATE people SET status = 'disabled' WHERE login = 'bfontain'")
    database.conn.commit()
    output = invoke(runner, "report").output
    assert f"Personnes{NBSP}: 17" in output
    assert re.search(r"en attente d'activation\s+15\n", output)
    assert re.search(r"activé\s+1\n", output)
    assert re.search(r"désactivé\s+1\n", output)
    assert re.search(r"pas commencé\xa0: ni lien ni sésame reçu\s+6\n", output)
    assert re.search(r"pas commencé\xa0: lien ou sésame encore valable\s+8\n", output)
    assert re.search(r"bloqué à l'étape\xa0: Annuaire\s+1\n", output)
    assert re.search(r"terminé \(compte activé\)\s+1\n", output)
    assert re.search(r"Service de la scolarité\s+2\s+2\s+0\s+0\s+0\n", output)


def test_report_csv(runner, database):
    import_sample(runner)
    output = invoke(runner, "report", "--csv").output
    table = list(csv.reader(io.StringIO(output), delimiter=";"))
    assert table[0][:3] == ["rubrique", "valeur", "total"]
    assert ["statut", "en attente d'activation", "16"] in table
    assert ["étape", "pas commencé : ni lien ni sésame reçu", "16"] in table
    assert ["service", "Bibliothèque universitaire", "1", "1", "0", "0", "0"] in table


# --- Audit and secrets ---------------------------------------------------------------------


def test_every_operator_change_is_audited(runner, database, tmp_path):
    import_sample(runner)
    invoke(runner, "invite", "--all")
    invoke(runner, "sesame", "--all", "--letters", str(tmp_path / "a.pdf"))
    invoke(runner, "resend", "jndiaye")
    seen = {row["event"] for row in rows(database, "SELECT event FROM audit"
                                         " WHERE actor = 'operator'")}
    assert {"person_imported", "staff_imported", "link_sent", "sesame_issued",
            "letters_written", "link_resent"} <= seen


# The sample's departure dates were written for this moment: who has left depends on it.
@pytest.mark.clock_at(SAMPLE_WRITTEN)
def test_a_sesame_appears_in_the_letters_and_nowhere_else(runner, database, tmp_path,
                                                          caplog):
    caplog.set_level(logging.DEBUG)
    outputs = []
    for args in (["import-staff", str(SAMPLE)], ["invite", "--all"],
                 ["sesame", "--all", "--letters", str(tmp_path / "a.pdf")],
                 ["sesame", "mlegoff", "--letters", str(tmp_path / "b.pdf")],
                 ["status", "mlegoff"], ["report"], ["report", "--csv"],
                 ["disable-departed"]):
        result = runner.invoke(args=args)
        outputs.append(result.output + result.stderr)
    codes = set()
    for name in ("a.pdf", "b.pdf"):
        reader = PdfReader(tmp_path / name)
        for page in reader.pages:
            found = re.search(r"Sésame\s*:\s*([A-Z0-9]{5}) ([A-Z0-9]{5})", page.extract_text())
            codes.add(found.group(1) + found.group(2))
    assert len(codes) == 7  # 6 letters, then a new one for mlegoff
    everything = repr(dump(database)) + caplog.text + "".join(outputs)
    for code in codes:
        for shown in (code, f"{code[:5]} {code[5:]}"):
            assert shown not in everything
