"""The sésame path: login + sésame from HR's letter, brakes on failures, recovery address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from harness import code_in, enrolment_of, mails, main_text, now, page, rows
from pypdf import PdfReader

from wizard import passwords
from wizard.clock import to_iso

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)

SESAME = "K7PX4MWQ9R"


@pytest.fixture
def lettered(app, staff, database):
    """A pending person without a personal address, holding a live sésame."""
    person = staff.add(first="Paul", last="Martin", personal=None)
    hasher = passwords.hasher(time_cost=1, memory_kib=8, parallelism=1)
    database.execute(
        "UPDATE people SET sesame_hash = ?, sesame_expires_at = ? WHERE id = ?",
        [hasher.hash(SESAME), to_iso(now() + timedelta(days=30)), person.id])
    return person


def enter_sesame(visitor, login, sesame):
    return visitor.post("/sesame", {"login": login, "sesame": sesame})


def through_verified_recovery(visitor, person, database):
    """Sésame, charter, directory, then a recovery address verified by its code."""
    enter_sesame(visitor, person.login, SESAME)
    visitor.through_charter()
    visitor.through_directory()
    visitor.post("/etapes/adresse-de-secours", {"address": "paul@perso.example"})
    (message,) = mails(database, "verification_recovery")
    return visitor.post("/etapes/adresse-de-secours/verification/code",
                        {"code": code_in(message["body_text"])},
                        form_url="/etapes/adresse-de-secours/verification")


def test_login_and_sesame_open_the_wizard(visitor, lettered, database):
    response = enter_sesame(visitor, lettered.login, SESAME)
    assert response.status_code == 303
    assert response.headers["Location"] == "/etapes/charte"  # straight to the first step
    assert enrolment_of(database, lettered)["method"] == "sesame"
    assert page(visitor.get("/etapes/charte")).h1.get_text() == "Charte informatique"


def test_wrong_sesame_and_unknown_login_get_the_same_answer(visitor, lettered, database):
    wrong = enter_sesame(visitor, lettered.login, "AAAAAAAAAA")
    unknown = enter_sesame(visitor, "personne", "AAAAAAAAAA")
    assert wrong.status_code == unknown.status_code == 422
    assert main_text(wrong) == main_text(unknown)
    assert "Identifiant ou sésame incorrect" in main_text(wrong)
    assert rows(database, "SELECT * FROM enrolments") == []


def test_five_failures_make_the_login_wait(visitor, lettered, database):
    for _ in range(5):
        enter_sesame(visitor, lettered.login, "AAAAAAAAAA")
    refused = enter_sesame(visitor, lettered.login, SESAME)
    assert refused.status_code == 422
    assert rows(database, "SELECT * FROM enrolments") == []
    # Fifteen minutes later, one more try is allowed.
    past = to_iso(now() - timedelta(minutes=16))
    database.execute("UPDATE attempts SET at = ?", [past])
    assert enter_sesame(visitor, lettered.login, SESAME).status_code == 303


# Reaching the lock within a minute needs the rate limits off and the waits out of reach.
@pytest.mark.app_config(RATELIMIT_ENABLED=False, SESAME_WAIT_AFTER=1000, SESAME_LOCK_AFTER=30)
def test_too_many_failures_lock_the_sesame_only_until_the_helpdesk_unlocks(
        app, visitor, lettered, database):
    for _ in range(30):
        enter_sesame(visitor, lettered.login, "AAAAAAAAAA")
    refused = enter_sesame(visitor, lettered.login, SESAME)
    unknown = enter_sesame(visitor, "personne", "AAAAAAAAAA")
    assert main_text(refused) == main_text(unknown)
    assert rows(database, "SELECT * FROM enrolments") == []
    # The person is untouched: the lock is the sésame's, and the audit says when it came.
    person = rows(database, "SELECT status, locked_at FROM people")[0]
    assert person == {"status": "pending", "locked_at": None}
    assert len(rows(database, "SELECT * FROM audit WHERE event = 'sesame_locked'")) == 1
    status = app.test_cli_runner().invoke(args=["status", lettered.login]).output
    assert "SÉSAME BLOQUÉ après 30" in status
    assert app.test_cli_runner().invoke(args=["unlock", lettered.login]).exit_code == 0
    assert enter_sesame(visitor, lettered.login, SESAME).status_code == 303


def test_sesame_never_stored_or_logged_in_clear(visitor, lettered, database, caplog):
    enter_sesame(visitor, lettered.login, SESAME)
    enter_sesame(visitor, lettered.login, "AAAAAAAAAA")
    for table in ("people", "audit", "attempts", "outbox", "enrolments"):
        assert SESAME not in str(rows(database, f"SELECT * FROM {table}"))
    assert SESAME not in caplog.text


def test_recovery_address_is_asked_then_verified(visitor, lettered, database):
    enter_sesame(visitor, lettered.login, SESAME)
    visitor.through_charter()
    response = visitor.through_directory()
    assert response.headers["Location"].endswith("/etapes/adresse-de-secours")
    empty = visitor.post("/etapes/adresse-de-secours", {"address": ""})
    assert empty.status_code == 422
    assert "Indiquez une adresse personnelle" in main_text(empty)

    sent = visitor.post("/etapes/adresse-de-secours", {"address": "paul@perso.example"})
    assert sent.headers["Location"].endswith("/etapes/adresse-de-secours/verification")
    # The mail step is not reachable before the address is verified.
    assert visitor.get("/etapes/messagerie").headers["Location"].endswith(
        "/etapes/adresse-de-secours/verification")
    (message,) = mails(database, "verification_recovery")
    verified = visitor.post("/etapes/adresse-de-secours/verification/code",
                            {"code": code_in(message["body_text"])},
                            form_url="/etapes/adresse-de-secours/verification")
    assert verified.headers["Location"].endswith("/etapes/messagerie")
    assert enrolment_of(database, lettered)["recovery_verified_at"]


def test_forwarding_to_the_verified_recovery_address_needs_no_second_check(
        visitor, lettered, database):
    through_verified_recovery(visitor, lettered, database)
    mail_page = page(visitor.get("/etapes/messagerie"))
    assert mail_page.find("input", {"name": "forward_to"})["value"] == "paul@perso.example"
    response = visitor.through_mail(forward_to="paul@perso.example")
    assert response.headers["Location"].endswith("/etapes/mot-de-passe")
    assert len(mails(database, "verification")) == 0

    assert visitor.choose_password().status_code == 303
    person = rows(database, "SELECT status, personal_email, sesame_hash FROM people")[0]
    assert person == {"status": "active", "personal_email": "paul@perso.example",
                      "sesame_hash": None}
    (notice,) = mails(database, "activated")
    assert notice["to_addr"] == "paul@perso.example"


def test_progress_lists_the_recovery_step_on_the_sesame_path_only(visitor, lettered):
    enter_sesame(visitor, lettered.login, SESAME)
    steps = [li.get_text(" ", strip=True)
             for li in page(visitor.get("/etapes/charte")).select("nav.progress li")]
    assert any("Adresse de secours" in s for s in steps)
    assert len(steps) == 6


def test_an_expired_sesame_ends_the_session(visitor, lettered, database):
    enter_sesame(visitor, lettered.login, SESAME)
    database.execute("UPDATE people SET sesame_expires_at = ?",
                     [to_iso(now() - timedelta(seconds=1))])
    response = visitor.get("/etapes/charte")
    assert "/etapes/session-terminee" in response.headers["Location"]


@pytest.mark.app_config(PASSWORD_MIN_LENGTH=8, PASSWORD_MIN_SCORE=0)
def test_the_sesame_cannot_become_the_password(visitor, lettered, database):
    through_verified_recovery(visitor, lettered, database)
    visitor.through_mail()
    refused = visitor.choose_password(SESAME.lower())
    assert refused.status_code == 422
    assert "ne peut pas être votre sésame" in main_text(refused)
    assert rows(database, "SELECT status FROM people")[0]["status"] == "pending"


@pytest.mark.app_config(PASSWORD_MIN_LENGTH=8, PASSWORD_MIN_SCORE=0)
def test_the_password_step_spends_no_argon2_check_on_the_sesame(visitor, lettered,
                                                                database):
    """The sésame is recognised by the keyed fingerprint kept on the enrolment, not by an
    argon2 check per submit (before: 9 argon2 checks a second from one session). Shown
    here by spoiling the stored argon2 hash once in: the fingerprint still knows it."""
    through_verified_recovery(visitor, lettered, database)
    visitor.through_mail()
    database.execute("UPDATE people SET sesame_hash = 'spoiled'")
    refused = visitor.choose_password(SESAME)
    assert "ne peut pas être votre sésame" in main_text(refused)
    assert SESAME not in str(rows(database, "SELECT * FROM enrolments"))
    assert visitor.choose_password().headers["Location"].endswith("/etapes/termine")
    assert rows(database, "SELECT sesame_fingerprint FROM enrolments")[0] == {
        "sesame_fingerprint": None}  # forgotten at completion


@pytest.mark.app_config(RECOVERY_ADDRESS_REQUIRED=False)
def test_declining_the_recovery_address_where_allowed_goes_on_to_the_mail_step(
        visitor, lettered, database):
    enter_sesame(visitor, lettered.login, SESAME)
    visitor.through_charter()
    visitor.through_directory()
    declined = visitor.post("/etapes/adresse-de-secours", {"address": ""})
    assert declined.headers["Location"].endswith("/etapes/messagerie")
    assert mails(database, "verification_recovery") == []
    assert visitor.get("/etapes/adresse-de-secours/verification").headers[
        "Location"].endswith("/etapes/messagerie")


def test_a_new_hr_import_keeps_the_verified_recovery_address(app, visitor, lettered,
                                                             database, tmp_path):
    database.execute("UPDATE people SET matricule = 'M1' WHERE id = ?", [lettered.id])
    through_verified_recovery(visitor, lettered, database)
    visitor.through_mail()
    visitor.choose_password()
    export = tmp_path / "export.csv"
    export.write_text("matricule;nom;prénom\nM1;Martin;Paul\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-staff", str(export)])
    assert result.exit_code == 0, result.output
    assert "Inchangés" in result.output
    (person,) = rows(database, "SELECT personal_email FROM people")
    assert person["personal_email"] == "paul@perso.example"


def test_a_new_sesame_ends_the_sessions_opened_with_the_old_one(app, visitor, database,
                                                                 staff, tmp_path):
    person = staff.add(first="Paul", last="Martin", personal=None)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["sesame", person.login, "--letters", str(tmp_path / "a.pdf")])
    assert first.exit_code == 0, first.output
    text = PdfReader(tmp_path / "a.pdf").pages[0].extract_text()
    code = re.search(r"([A-Z0-9]{5} [A-Z0-9]{5})", text).group(1)
    assert enter_sesame(visitor, person.login, code).status_code == 303
    assert visitor.get("/etapes/charte").status_code == 200
    # The letter was lost: the helpdesk gives a new sésame.
    again = runner.invoke(args=["sesame", person.login, "--letters", str(tmp_path / "b.pdf")])
    assert again.exit_code == 0, again.output
    response = visitor.get("/etapes/charte")
    assert "/etapes/session-terminee" in response.headers["Location"]


def test_a_recovery_address_inside_the_institution_is_refused(visitor, lettered, database):
    enter_sesame(visitor, lettered.login, SESAME)
    visitor.through_charter()
    visitor.through_directory()
    refused = visitor.post("/etapes/adresse-de-secours",
                           {"address": "un.collegue@univ-test.fr"})
    assert refused.status_code == 422
    assert "en dehors de l'établissement" in main_text(refused)
    assert enrolment_of(database, lettered)["recovery_address"] is None
