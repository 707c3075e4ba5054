"""Finishing twice (double click, two tabs, two devices) activates the account once."""

import threading

import pytest
from harness import Visitor, csrf_of, mails, page, rows

from wizard import db
from wizard.activation import completion
from wizard.activation.audit import CLI
from wizard.passwords import hasher
from wizard.web.services import context

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)

FIRST = "Cheval agrafe pile 42 lune"
SECOND = "Tortue violette sous 7 parapluies"


def post_password(client, token, password):
    return client.post("/etapes/mot-de-passe", data={
        "csrf_token": token, "password": password, "confirmation": password})


def test_double_submit_activates_once(staff, visitor, database):
    visitor.reach(staff, "mot-de-passe")
    token = csrf_of(visitor.get("/etapes/mot-de-passe"))
    first = post_password(visitor.client, token, FIRST)
    second = post_password(visitor.client, token, FIRST)
    assert first.headers["Location"] == "/etapes/termine"
    assert second.headers["Location"] == "/etapes/termine"
    assert len(rows(database, "SELECT * FROM accounts")) == 1
    assert len(mails(database, "activated")) == 1
    assert len(rows(database, "SELECT * FROM audit WHERE event = 'activated'")) == 1


def test_second_submit_does_not_change_the_password(staff, visitor, database):
    visitor.reach(staff, "mot-de-passe")
    token = csrf_of(visitor.get("/etapes/mot-de-passe"))
    post_password(visitor.client, token, FIRST)
    post_password(visitor.client, token, SECOND)
    (account,) = rows(database, "SELECT password_hash FROM accounts")
    assert hasher(time_cost=1, memory_kib=8, parallelism=1).verify(account["password_hash"],
                                                                    FIRST)


def test_two_devices_finishing_activate_once(staff, app, database):
    person = staff.add()
    secret = staff.link(person)
    laptop, phone = Visitor(app.test_client()), Visitor(app.test_client())
    for device in (laptop, phone):
        device.begin(secret)
    laptop.through_charter()
    laptop.through_directory()
    laptop.through_mail()
    laptop_token = csrf_of(laptop.get("/etapes/mot-de-passe"))
    phone_token = csrf_of(phone.get("/etapes/mot-de-passe"))
    post_password(laptop.client, laptop_token, FIRST)
    response = post_password(phone.client, phone_token, SECOND)
    # Completion ended the phone's session on the server; its page says why.
    assert response.headers["Location"] == "/etapes/session-terminee?raison=done"
    ended = phone.get(response.headers["Location"])
    assert page(ended).h1.get_text(strip=True) == "Votre compte est déjà activé"
    assert len(rows(database, "SELECT * FROM accounts")) == 1
    assert len(mails(database, "activated")) == 1


def test_completing_again_through_the_service_changes_nothing(app, staff, visitor, database):
    person = visitor.reach(staff, "termine")
    (row,) = rows(database, "SELECT id FROM enrolments WHERE person_id = ?", [person.id])
    with app.test_request_context():
        again = completion.complete(context(CLI, db=database), row["id"], "$argon2id$other")
    assert again is False
    assert rows(database, "SELECT password_hash FROM accounts")[0]["password_hash"] \
        .startswith("$argon2id$v=")
    assert len(mails(database, "activated")) == 1


def test_simultaneous_completions_activate_once(app, staff, visitor, database):
    person = visitor.reach(staff, "mot-de-passe")
    (row,) = rows(database, "SELECT id FROM enrolments WHERE person_id = ?", [person.id])
    start = threading.Barrier(4)
    outcomes = []

    def finish():
        connection = db.connect(app.config["DATABASE"])
        try:
            with app.test_request_context():
                start.wait()
                outcomes.append(completion.complete(context(CLI, db=connection), row["id"],
                                                    "$argon2id$hash"))
        finally:
            connection.close()

    threads = [threading.Thread(target=finish) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == [False, False, False, True]
    assert len(mails(database, "activated")) == 1
