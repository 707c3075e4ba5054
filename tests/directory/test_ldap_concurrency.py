"""The password step writes to the remote directory outside the database's write lock,
under a claim on the enrolment: simultaneous submissions activate once, and a hung
directory does not stop everyone else's steps."""

import socket
import threading
import time

import pytest
from harness import Visitor, csrf_of, errors, mails, rows

from wizard import db
from wizard.activation import completion
from wizard.activation.audit import CLI
from wizard.web.services import context

pytestmark = pytest.mark.dates

PASSWORD = "Cheval agrafe pile 42 lune"


def test_simultaneous_completions_write_the_directory_once(app, slapd, staff, visitor,
                                                           database):
    dn = slapd.add_person("jdupont")
    person = visitor.reach(staff, "mot-de-passe")
    (row,) = rows(database, "SELECT id FROM enrolments WHERE person_id = ?", [person.id])
    start = threading.Barrier(4)
    outcomes, failures = [], []

    def finish():
        connection = db.connect(app.config["DATABASE"])
        try:
            with app.test_request_context():
                start.wait()
                outcomes.append(completion.complete(context(CLI, db=connection), row["id"],
                                                    "", password=PASSWORD))
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=finish) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert sorted(outcomes) == [False, False, False, True]
    assert len(mails(database, "activated")) == 1
    assert len(rows(database, "SELECT * FROM directory_writes")) == 1
    assert rows(database, "SELECT directory_claimed_until FROM enrolments") == [
        {"directory_claimed_until": None}]
    assert slapd.whoami(dn, PASSWORD).returncode == 0


@pytest.fixture
def hung_directory():
    """A port that accepts connections and never answers (a directory stuck)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"ldap://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_a_hung_directory_does_not_hold_the_others_back(app, staff, database,
                                                         hung_directory):
    app.config.update(LDAP_URL=hung_directory, LDAP_TIMEOUT=1.5)
    stuck, other = Visitor(app.test_client()), Visitor(app.test_client())
    stuck.reach(staff, "mot-de-passe")
    someone = staff.add(first="Marie", last="Curie", personal="marie.curie@exemple.org")
    assert other.begin(staff.link(someone)).status_code == 303
    token = csrf_of(other.get("/etapes/charte"))
    answered = {}

    def submit():
        answered["response"] = stuck.choose_password(PASSWORD)

    waiting = threading.Thread(target=submit)
    waiting.start()
    time.sleep(0.5)  # the password step is waiting for the directory now
    started = time.monotonic()
    response = other.client.post("/etapes/charte", data={"csrf_token": token, "accept": "y"})
    took = time.monotonic() - started
    assert response.status_code == 303
    assert waiting.is_alive(), "the directory answered?"
    assert took < 1.0, f"another person's step waited {took:.1f} s for the directory"
    waiting.join(10)
    assert "L'annuaire de l'établissement ne répond pas" in " ".join(
        errors(answered["response"]))
    assert rows(database, "SELECT directory_claimed_until FROM enrolments"
                " WHERE person_id = 1") == [{"directory_claimed_until": None}]
