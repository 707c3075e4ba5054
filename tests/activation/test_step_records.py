"""What each successful step records in the database, the moment it is posted."""

import hashlib

import pytest
from bs4 import BeautifulSoup
from harness import OTHER_ADDRESS, Visitor, code_in, dump, enrolment_of, mails, rows

from wizard.activation.charter import SAMPLE, Charter
from wizard.passwords import hasher

PASSPHRASE = "Cheval agrafe pile 42 lune"


def person_row(database, person):
    return rows(database, "SELECT * FROM people WHERE id = ?", [person.id])[0]


def activation_tokens(database):
    return rows(database, "SELECT * FROM tokens WHERE purpose = 'activation'")


def test_opening_the_link_starts_an_enrolment(staff, visitor, database):
    person = staff.add()
    response = visitor.begin(staff.link(person))
    assert response.status_code == 303
    enrolment = enrolment_of(database, person)
    assert enrolment["started_at"] is not None
    assert enrolment["charter_accepted_at"] is None
    assert person_row(database, person)["status"] == "pending"


def test_opening_the_link_does_not_use_it(staff, visitor, database):
    person = staff.add()
    visitor.begin(staff.link(person))
    assert [t["used_at"] for t in activation_tokens(database)] == [None]


def test_opening_the_link_again_resumes_the_same_enrolment(staff, visitor, database, app):
    person = staff.add()
    secret = staff.link(person)
    visitor.begin(secret)
    visitor.through_charter()

    other_device = Visitor(app.test_client())
    response = other_device.begin(secret)
    assert response.headers["Location"].endswith("/etapes/annuaire")  # straight to its step
    assert rows(database, "SELECT count(*) AS n FROM enrolments")[0]["n"] == 1
    assert other_device.get("/etapes/").headers["Location"].endswith("/etapes/annuaire")


def test_charter_records_version_fingerprint_time_and_address(staff, visitor, database):
    person = visitor.reach(staff, "charte")
    visitor.client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert visitor.through_charter().status_code == 303
    enrolment = enrolment_of(database, person)
    assert enrolment["charter_version"] == "2026-09"
    assert enrolment["charter_sha256"] == hashlib.sha256(
        SAMPLE.read_text(encoding="utf-8").encode("utf-8")).hexdigest()
    assert enrolment["charter_accepted_at"] is not None
    assert enrolment["charter_ip"] == "192.0.2.7"


def test_charter_records_the_configured_version(app, staff, visitor, database):
    app.config["CHARTER_VERSION"] = "2027-01"
    person = visitor.reach(staff, "annuaire")
    assert enrolment_of(database, person)["charter_version"] == "2027-01"


def test_charter_fingerprint_is_of_the_configured_text(app, staff, visitor, database,
                                                       tmp_path):
    text = "Article 1. Soyez courtois.\n\nArticle 2. Ne partagez pas votre mot de passe.\n"
    charter = tmp_path / "charte.txt"
    charter.write_text(text, encoding="utf-8")
    app.config["CHARTER_FILE"] = str(charter)
    person = visitor.reach(staff, "annuaire")
    assert enrolment_of(database, person)["charter_sha256"] \
        == hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(("answer", "listed"), [("oui", 1), ("non", 0)])
def test_directory_records_the_answer(staff, visitor, database, answer, listed):
    person = visitor.reach(staff, "annuaire")
    assert visitor.through_directory(answer).status_code == 303
    enrolment = enrolment_of(database, person)
    assert enrolment["directory_listed"] == listed
    assert enrolment["directory_answered_at"] is not None


def test_no_forwarding_is_recorded_as_such(staff, visitor, database):
    person = visitor.reach(staff, "messagerie")
    response = visitor.through_mail()
    assert response.headers["Location"].endswith("/etapes/mot-de-passe")
    enrolment = enrolment_of(database, person)
    assert enrolment["mail_answered_at"] is not None
    assert enrolment["forward_to"] is None
    assert mails(database, "verification") == []


@pytest.mark.parametrize(("keep_copy", "stored"), [(True, 1), (False, 0)])
def test_forwarding_to_the_personal_address_needs_no_verification(staff, visitor, database,
                                                                  keep_copy, stored):
    person = visitor.reach(staff, "messagerie")
    response = visitor.through_mail("Jean.Dupont@exemple.org", keep_copy=keep_copy)
    assert response.headers["Location"].endswith("/etapes/mot-de-passe")
    enrolment = enrolment_of(database, person)
    assert enrolment["forward_to"] == "jean.dupont@exemple.org"
    assert enrolment["keep_copy"] == stored
    assert enrolment["forward_verified_at"] is not None
    assert mails(database, "verification") == []
    assert rows(database, "SELECT * FROM tokens WHERE purpose = 'verify_address'") == []


def test_forwarding_elsewhere_queues_a_verification(staff, visitor, database):
    person = visitor.reach(staff, "messagerie")
    response = visitor.through_mail(" Jean.Autre@Ailleurs.NET ")
    assert response.headers["Location"].endswith("/etapes/messagerie/verification")
    enrolment = enrolment_of(database, person)
    assert enrolment["forward_to"] == OTHER_ADDRESS
    assert enrolment["forward_verified_at"] is None
    assert enrolment["keep_copy"] == 1
    (queued,) = mails(database, "verification")
    assert queued["to_addr"] == OTHER_ADDRESS
    (token,) = rows(database, "SELECT * FROM tokens WHERE purpose = 'verify_address'")
    assert token["target_address"] == OTHER_ADDRESS
    assert token["code_hash"] is not None


def test_completion_writes_the_account(staff, visitor, database):
    person = visitor.reach(staff, "messagerie")
    visitor.through_mail("jean.dupont@exemple.org", keep_copy=False)
    assert visitor.choose_password(PASSPHRASE).headers["Location"].endswith("/etapes/termine")
    (account,) = rows(database, "SELECT * FROM accounts")
    assert account["login"] == person.login
    assert account["person_id"] == person.id
    assert account["email"] == person.institutional_email
    assert account["listed"] == 0
    assert account["forward_to"] == "jean.dupont@exemple.org"
    assert account["keep_copy"] == 0


def test_completion_stores_the_password_as_argon2id(staff, visitor, database):
    visitor.reach(staff, "mot-de-passe")
    visitor.choose_password(PASSPHRASE)
    (account,) = rows(database, "SELECT password_hash FROM accounts")
    assert account["password_hash"].startswith("$argon2id$")
    assert hasher(time_cost=1, memory_kib=8, parallelism=1).verify(account["password_hash"],
                                                                    PASSPHRASE)


def test_password_appears_nowhere_in_clear(staff, visitor, database):
    visitor.reach(staff, "mot-de-passe")
    visitor.choose_password(PASSPHRASE)
    everything = repr(dump(database))
    assert PASSPHRASE not in everything


def test_completion_activates_the_person(staff, visitor, database):
    person = visitor.reach(staff, "mot-de-passe")
    visitor.choose_password(PASSPHRASE)
    row = person_row(database, person)
    assert row["status"] == "active"
    assert row["activated_at"] is not None
    assert enrolment_of(database, person)["completed_at"] is not None


@pytest.mark.parametrize("stage", ["charte", "annuaire", "messagerie", "verification",
                                   "mot-de-passe"])
def test_link_is_not_used_before_completion(staff, visitor, database, stage):
    visitor.reach(staff, stage)
    assert [t["used_at"] for t in activation_tokens(database)] == [None]


def test_link_is_used_at_completion(staff, visitor, database):
    person = visitor.reach(staff, "mot-de-passe")
    visitor.choose_password(PASSPHRASE)
    (token,) = activation_tokens(database)
    assert token["used_at"] == enrolment_of(database, person)["completed_at"]
    assert token["revoked_at"] is None


def test_completion_mails_a_notice_to_the_personal_address(staff, visitor, database):
    visitor.reach(staff, "mot-de-passe")
    visitor.choose_password(PASSPHRASE)
    (notice,) = mails(database, "activated")
    assert notice["to_addr"] == "jean.dupont@exemple.org"
    assert "jdupont" in notice["body_text"]
    assert PASSPHRASE not in notice["body_text"] + notice["body_html"]


def test_whole_flow_queues_activation_verification_and_activated_mails(staff, visitor,
                                                                        database):

    visitor.reach(staff, "verification")
    visitor.type_code(code_in(mails(database, "verification")[-1]["body_text"]))
    visitor.choose_password(PASSPHRASE)
    assert [(m["kind"], m["to_addr"]) for m in mails(database)] == [
        ("activation", "jean.dupont@exemple.org"),
        ("verification", OTHER_ADDRESS),
        ("activated", "jean.dupont@exemple.org"),
    ]


def test_audit_log_records_each_step_without_secrets(staff, visitor, database):
    visitor.reach(staff, "termine")
    events = [r["event"] for r in rows(database, "SELECT event FROM audit ORDER BY id")]
    assert events == ["link_sent", "identity_proven", "charter_accepted",
                      "directory_answered", "mail_answered", "activated"]
    assert PASSPHRASE not in repr(rows(database, "SELECT * FROM audit"))


def test_the_charter_renders_its_markdown_subset_safely():
    html = Charter(version="1", text=(
        "# Charte\n\nIntroduction *importante*.\n\n1. Un compte personnel.\n2. La sécurité.\n\n"
        "- un point\n- un autre\n\n<script>alert(1)</script>\n\n"
        "[piège](javascript:alert(1)) ![x](https://exemple.org/x.png)")).html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h2.get_text() == "Charte"  # one level under the page's h1
    assert [li.get_text() for li in soup.select("ol li")] == [
        "Un compte personnel.", "La sécurité."]
    assert len(soup.select("ul li")) == 2
    assert soup.em.get_text() == "importante"
    assert soup.find("script") is None and "&lt;script&gt;" in html
    assert soup.find("a") is None and soup.find("img") is None
