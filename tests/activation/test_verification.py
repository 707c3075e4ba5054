"""Verifying a forwarding address: by code on the waiting page, or by the mailed link from any
browser; resending, changing the address and giving up."""

import pytest
from harness import (
    OTHER_ADDRESS,
    Visitor,
    code_in,
    dump,
    enrolment_of,
    errors,
    link_in,
    mails,
    main_text,
    page,
    rows,
)

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)

SECOND_ADDRESS = "jean.second@ailleurs.org"


def latest_mail(database):
    return mails(database, "verification")[-1]


def latest_code(database):
    return code_in(latest_mail(database)["body_text"])


def latest_link(database):
    return link_in(latest_mail(database)["body_text"], "/verification/")


def verify_tokens(database):
    return rows(database, "SELECT * FROM tokens WHERE purpose = 'verify_address' ORDER BY id")


def location(response):
    assert response.status_code == 303, response.status_code
    return response.headers["Location"]


def test_waiting_page_names_the_address_and_polls(staff, visitor):
    visitor.reach(staff, "verification")
    response = visitor.get("/etapes/messagerie/verification")
    assert response.status_code == 200
    assert page(response).h1.get_text(strip=True) == "Vérifiez votre adresse de redirection"
    assert OTHER_ADDRESS in main_text(response)
    status = page(response).find(id="statut-verification")
    assert status["data-hx-get"] == "/etapes/messagerie/verification/statut"


def test_verification_mail_carries_a_link_and_a_code(staff, visitor, database):
    visitor.reach(staff, "verification")
    queued = latest_mail(database)
    assert queued["to_addr"] == OTHER_ADDRESS
    assert len(latest_code(database)) == 6
    assert len(latest_link(database)) == 43


def test_right_code_verifies_the_address(staff, visitor, database):
    person = visitor.reach(staff, "verification")
    response = visitor.type_code(latest_code(database))
    assert location(response) == "/etapes/mot-de-passe"
    assert enrolment_of(database, person)["forward_verified_at"] is not None
    assert verify_tokens(database)[-1]["used_at"] is not None


def test_code_typed_with_spaces_verifies(staff, visitor, database):
    person = visitor.reach(staff, "verification")
    code = latest_code(database)
    visitor.type_code(f"{code[:3]} {code[3:]}")
    assert enrolment_of(database, person)["forward_verified_at"] is not None


def test_verification_link_page_changes_nothing(staff, visitor, database, app):
    visitor.reach(staff, "verification")
    secret = latest_link(database)
    before = dump(database)
    phone = app.test_client()
    response = phone.get(f"/verification/{secret}")
    assert response.status_code == 200
    assert page(response).h1.get_text(strip=True) == "Confirmer votre adresse"
    assert OTHER_ADDRESS in main_text(response)
    assert dump(database) == before


def test_verification_link_works_from_another_browser(staff, visitor, database, app):
    person = visitor.reach(staff, "verification")
    phone = Visitor(app.test_client())
    response = phone.post(f"/verification/{latest_link(database)}")
    assert location(response) == "/verification/confirmee"
    assert page(phone.get("/verification/confirmee")).h1.get_text(strip=True) \
        == "Adresse confirmée"
    assert enrolment_of(database, person)["forward_verified_at"] is not None


def test_verification_link_gives_the_other_browser_no_wizard_session(staff, visitor,
                                                                     database, app):
    visitor.reach(staff, "verification")
    phone = Visitor(app.test_client())
    phone.post(f"/verification/{latest_link(database)}")
    assert location(phone.get("/etapes/mot-de-passe")).startswith("/etapes/session-terminee")


def test_waiting_page_moves_on_once_verified_elsewhere(staff, visitor, database, app):
    visitor.reach(staff, "verification")
    Visitor(app.test_client()).post(f"/verification/{latest_link(database)}")
    response = visitor.get("/etapes/messagerie/verification/statut",
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/etapes/mot-de-passe"


def test_status_without_htmx_redirects_once_verified(staff, visitor, database, app):
    visitor.reach(staff, "verification")
    Visitor(app.test_client()).post(f"/verification/{latest_link(database)}")
    assert location(visitor.get("/etapes/messagerie/verification/statut")) \
        == "/etapes/mot-de-passe"


def test_status_keeps_polling_while_waiting(staff, visitor):
    visitor.reach(staff, "verification")
    response = visitor.get("/etapes/messagerie/verification/statut",
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Redirect" not in response.headers
    fragment = page(response)
    assert fragment.find("main") is None
    assert fragment.find(id="statut-verification")["data-hx-trigger"].startswith("every")


def test_used_verification_link(staff, visitor, database, app):
    visitor.reach(staff, "verification")
    secret = latest_link(database)
    visitor.type_code(latest_code(database))
    response = app.test_client().get(f"/verification/{secret}")
    assert response.status_code == 410
    assert page(response).h1.get_text(strip=True) == "Cette adresse est déjà confirmée"


def test_unknown_verification_link(client):
    response = client.get("/verification/" + "z" * 43)
    assert response.status_code == 404
    assert page(response).h1.get_text(strip=True) \
        == "Ce lien de confirmation n'est pas reconnu"


def test_activation_link_is_not_a_verification_link(staff, client):
    person = staff.add()
    assert client.get(f"/verification/{staff.link(person)}").status_code == 404


def test_resend_queues_a_new_mail_and_revokes_the_earlier_code(staff, visitor, database):
    visitor.reach(staff, "verification")
    first = verify_tokens(database)[0]
    response = visitor.resend_verification()
    assert location(response) == "/etapes/messagerie/verification"
    assert len(mails(database, "verification")) == 2
    tokens = verify_tokens(database)
    assert tokens[0]["id"] == first["id"] and tokens[0]["revoked_at"] is not None
    assert tokens[1]["revoked_at"] is None


def test_resend_tells_the_person_the_old_code_is_dead(staff, visitor):
    visitor.reach(staff, "verification")
    visitor.resend_verification()
    notice = page(visitor.get("/etapes/messagerie/verification")).select_one(".notices")
    assert "Le code précédent ne fonctionne plus." in notice.get_text()


def test_earlier_code_is_refused_after_a_resend(staff, visitor, database):
    person = visitor.reach(staff, "verification")
    old_code = latest_code(database)
    visitor.resend_verification()
    if latest_code(database) == old_code:
        pytest.skip("the new random code happened to equal the old one")
    response = visitor.type_code(old_code)
    assert response.status_code == 422
    assert errors(response)
    assert enrolment_of(database, person)["forward_verified_at"] is None


def test_earlier_link_is_refused_after_a_resend(staff, visitor, database, app):
    person = visitor.reach(staff, "verification")
    old_link = latest_link(database)
    visitor.resend_verification()
    phone = app.test_client()
    response = phone.get(f"/verification/{old_link}")
    assert response.status_code == 410
    assert page(response).h1.get_text(strip=True) \
        == "Ce lien de confirmation a été remplacé"
    assert enrolment_of(database, person)["forward_verified_at"] is None


def test_new_code_works_after_a_resend(staff, visitor, database):
    visitor.reach(staff, "verification")
    visitor.resend_verification()
    assert location(visitor.type_code(latest_code(database))) == "/etapes/mot-de-passe"


def test_giving_up_forwarding(staff, visitor, database):
    person = visitor.reach(staff, "verification")
    response = visitor.give_up_forwarding()
    assert location(response) == "/etapes/mot-de-passe"
    enrolment = enrolment_of(database, person)
    assert enrolment["forward_to"] is None
    assert enrolment["mail_answered_at"] is not None
    assert verify_tokens(database)[-1]["revoked_at"] is not None
    notice = page(visitor.get("/etapes/mot-de-passe")).select_one(".notices")
    assert "La redirection est abandonnée" in notice.get_text()


def test_link_is_refused_after_giving_up(staff, visitor, database, app):
    person = visitor.reach(staff, "verification")
    secret = latest_link(database)
    visitor.give_up_forwarding()
    response = Visitor(app.test_client()).post(f"/verification/{secret}",
                                               form_url="/premiere-connexion")
    assert response.status_code == 410
    assert enrolment_of(database, person)["forward_to"] is None


def test_changing_the_address_from_the_waiting_page(staff, visitor, database):
    person = visitor.reach(staff, "verification")
    form = page(visitor.get("/etapes/messagerie"))
    assert form.find("input", {"name": "forward_to"})["value"] == OTHER_ADDRESS
    visitor.through_mail(SECOND_ADDRESS)
    assert enrolment_of(database, person)["forward_to"] == SECOND_ADDRESS
    assert latest_mail(database)["to_addr"] == SECOND_ADDRESS
    assert verify_tokens(database)[0]["revoked_at"] is not None


def test_new_address_after_verification_needs_verification_again(staff, visitor, database):
    person = visitor.reach(staff, "verification")
    visitor.type_code(latest_code(database))
    assert visitor.get("/etapes/messagerie").status_code == 200
    response = visitor.through_mail(SECOND_ADDRESS)
    assert location(response) == "/etapes/messagerie/verification"
    enrolment = enrolment_of(database, person)
    assert enrolment["forward_to"] == SECOND_ADDRESS
    assert enrolment["forward_verified_at"] is None
    assert latest_mail(database)["to_addr"] == SECOND_ADDRESS
    assert location(visitor.get("/etapes/mot-de-passe")) == "/etapes/messagerie/verification"


def test_same_address_again_stays_verified(staff, visitor, database):
    person = visitor.reach(staff, "verification")
    visitor.type_code(latest_code(database))
    verified_at = enrolment_of(database, person)["forward_verified_at"]
    response = visitor.through_mail(OTHER_ADDRESS.upper())
    assert location(response) == "/etapes/mot-de-passe"
    assert enrolment_of(database, person)["forward_verified_at"] == verified_at
    assert len(mails(database, "verification")) == 1


def test_switching_to_the_personal_address_needs_no_verification(staff, visitor, database):
    person = visitor.reach(staff, "verification")
    response = visitor.through_mail("jean.dupont@exemple.org")
    assert location(response) == "/etapes/mot-de-passe"
    assert enrolment_of(database, person)["forward_verified_at"] is not None


def test_switching_to_the_personal_address_revokes_the_pending_verification(
        staff, visitor, database, app):
    visitor.reach(staff, "verification")
    secret = latest_link(database)
    visitor.through_mail("jean.dupont@exemple.org")
    assert verify_tokens(database)[-1]["revoked_at"] is not None
    response = app.test_client().get(f"/verification/{secret}")
    assert response.status_code == 410
    assert page(response).h1.get_text(strip=True) \
        == "Ce lien de confirmation a été remplacé"


def test_link_for_an_address_no_longer_chosen_verifies_nothing(staff, visitor, database, app):
    person = visitor.reach(staff, "verification")
    secret = latest_link(database)
    visitor.through_mail("jean.dupont@exemple.org")
    response = Visitor(app.test_client()).post(f"/verification/{secret}",
                                               form_url="/premiere-connexion")
    assert response.status_code == 410
    assert enrolment_of(database, person)["forward_to"] == "jean.dupont@exemple.org"


def test_going_back_to_no_forwarding_after_verification(staff, visitor, database):
    person = visitor.reach(staff, "verification")
    visitor.type_code(latest_code(database))
    response = visitor.through_mail()
    assert location(response) == "/etapes/mot-de-passe"
    assert enrolment_of(database, person)["forward_to"] is None


def test_finishing_after_verification_records_the_forwarding(staff, visitor, database):
    visitor.reach(staff, "verification")
    visitor.type_code(latest_code(database))
    visitor.choose_password()
    (account,) = rows(database, "SELECT forward_to, keep_copy FROM accounts")
    assert account == {"forward_to": OTHER_ADDRESS, "keep_copy": 1}


@pytest.mark.app_config(VERIFICATION_MAILS_PER_DAY=3, RATELIMIT_ENABLED=False)
def test_verification_mails_are_capped_per_enrolment_and_day(staff, visitor, database):
    """Before, an enrolled person could have the wizard mail any address ~80 times an
    hour (forwarding address changed, resends)."""
    visitor.reach(staff, "messagerie")
    for n in range(2):
        visitor.through_mail(f"cible{n}@ailleurs.net")
    visitor.resend_verification()
    refused = visitor.through_mail("cible9@ailleurs.net")
    assert refused.status_code == 422
    assert "Trop de courriels de vérification ont été envoyés aujourd'hui" in main_text(
        refused)
    resent = visitor.post("/etapes/messagerie/verification/renvoyer",
                          form_url="/etapes/messagerie/verification", follow_redirects=True)
    assert "Trop de courriels de vérification" in main_text(resent)
    assert len(mails(database, "verification")) == 3
    assert "cible9" not in str(rows(database, "SELECT * FROM enrolments"))
