"""The optional date-of-birth question after identity is proven (off by default)."""

from __future__ import annotations

from datetime import date

import pytest
from harness import enrolment_of, main_text, page, rows

from wizard.activation import identity_proof
from wizard.activation.audit import Origin
from wizard.web.services import context

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)

ON = {"ASK_BIRTH_DATE": True, "BIRTH_DATE_MAX_TRIES": 3}


@pytest.fixture
def born(staff, database):
    """A pending person whose HR record has a date of birth."""
    person = staff.add()
    database.execute("UPDATE people SET birth_date = '1985-03-12' WHERE id = ?", [person.id])
    return person


def test_not_asked_by_default(staff, visitor, born):
    response = visitor.begin(staff.link(born))
    assert response.headers["Location"].endswith("/etapes/charte")


@pytest.mark.app_config(**ON)
def test_asked_first_when_configured(staff, visitor, born):
    visitor.begin(staff.link(born))
    assert visitor.get("/etapes/").headers["Location"].endswith("/etapes/date-de-naissance")
    assert visitor.get("/etapes/charte").headers["Location"].endswith(
        "/etapes/date-de-naissance")
    assert page(visitor.get("/etapes/date-de-naissance")).h1.get_text() == "Date de naissance"


@pytest.mark.app_config(**ON)
def test_not_asked_when_hr_has_no_date(staff, visitor):
    person = staff.add()
    visitor.begin(staff.link(person))
    assert visitor.get("/etapes/").headers["Location"].endswith("/etapes/charte")


@pytest.mark.app_config(**ON)
@pytest.mark.parametrize("typed", ["12/03/1985", "12-03-1985", "12.03.1985", "1985-03-12"])
def test_the_right_date_opens_the_charter(staff, visitor, born, database, typed):
    visitor.begin(staff.link(born))
    response = visitor.post("/etapes/date-de-naissance", {"birth_date": typed})
    assert response.headers["Location"].endswith("/etapes/charte")
    assert enrolment_of(database, born)["birth_date_checked_at"]


@pytest.mark.app_config(**ON)
def test_a_malformed_date_is_explained_and_not_counted(staff, visitor, born, database):
    visitor.begin(staff.link(born))
    response = visitor.post("/etapes/date-de-naissance", {"birth_date": "douze mars"})
    assert response.status_code == 422
    assert "JJ/MM/AAAA" in main_text(response)
    assert rows(database, "SELECT * FROM attempts") == []


@pytest.mark.app_config(**ON)
def test_wrong_dates_lock_the_account_after_the_limit(staff, visitor, born, database):
    visitor.begin(staff.link(born))
    for _ in range(2):
        wrong = visitor.post("/etapes/date-de-naissance", {"birth_date": "01/01/1990"})
        assert "ne correspond pas" in main_text(wrong)
    locked = visitor.post("/etapes/date-de-naissance", {"birth_date": "01/01/1990"})
    assert "Compte bloqué" in main_text(locked)
    assert rows(database, "SELECT status FROM people")[0]["status"] == "locked"
    # The session is over; the link no longer opens anything.
    assert "/etapes/session-terminee" in visitor.get("/etapes/charte").headers["Location"]


@pytest.mark.app_config(**ON)
def test_unlock_lets_the_person_try_again(app, staff, visitor, born, database):
    visitor.begin(staff.link(born))
    for _ in range(3):
        visitor.post("/etapes/date-de-naissance", {"birth_date": "01/01/1990"})
    result = app.test_cli_runner().invoke(args=["unlock", born.login])
    assert result.exit_code == 0, result.output
    assert rows(database, "SELECT * FROM attempts") == []
    assert rows(database, "SELECT status FROM people")[0]["status"] == "pending"


@pytest.mark.app_config(**ON)
def test_a_try_already_past_the_page_guard_rereads_the_lock(app, staff, visitor, born,
                                                           database):
    """Parallel tries pass the page's session check together; one of them locks. The
    others then compare nothing, not even a right date: the check re-reads the lock and
    the failures in its own transaction (before, 30 parallel tries compared 8 dates)."""
    visitor.begin(staff.link(born))
    enrolment_id = enrolment_of(database, born)["id"]
    with app.app_context():
        ctx = context(Origin(), db=database)
        for _ in range(3):
            identity_proof.check_birth_date(ctx, enrolment_id, date(1990, 1, 1), max_tries=3)
        late = identity_proof.check_birth_date(ctx, enrolment_id, date(1985, 3, 12),
                                               max_tries=3)
    assert late is identity_proof.BirthDateCheck.LOCKED
    assert enrolment_of(database, born)["birth_date_checked_at"] is None


@pytest.mark.app_config(**ON)
def test_a_locked_persons_link_says_locked_not_replaced_and_works_once_unlocked(
        app, staff, visitor, born, database):
    """Before, a locked person's link said « Ce lien a été remplacé »."""
    secret = staff.link(born)
    visitor.begin(secret)
    for _ in range(3):
        visitor.post("/etapes/date-de-naissance", {"birth_date": "01/01/1990"})
    response = visitor.get(f"/activation/{secret}")
    assert page(response).h1.get_text(strip=True) == "Compte bloqué"
    assert "ce lien fonctionnera de nouveau" in main_text(response)
    assert app.test_cli_runner().invoke(args=["unlock", born.login]).exit_code == 0
    assert visitor.begin(secret).status_code == 303
