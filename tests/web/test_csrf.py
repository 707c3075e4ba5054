"""A POST without a valid CSRF token is refused with a friendly French page, changing nothing."""

import pytest
from harness import csrf_of, dump, link_in, mails, main_text, page

PASSPHRASE = "Cheval agrafe pile 42 lune"

# (stage reached first, URL posted, form data)
POSTS = [
    ("charte", "/etapes/charte", {"accept": "y"}),
    ("annuaire", "/etapes/annuaire", {"listed": "oui"}),
    ("messagerie", "/etapes/messagerie", {"forward": "oui", "forward_to": "a@exemple.org"}),
    ("verification", "/etapes/messagerie/verification/code", {"code": "123456"}),
    ("verification", "/etapes/messagerie/verification/renvoyer", {}),
    ("verification", "/etapes/messagerie/verification/abandonner", {}),
    ("mot-de-passe", "/etapes/mot-de-passe", {"password": PASSPHRASE,
                                              "confirmation": PASSPHRASE}),
    ("mot-de-passe", "/etapes/mot-de-passe/force", {"password": PASSPHRASE}),
    ("charte", "/premiere-connexion", {"identifier": "jdupont"}),
]


def assert_form_expired(response):
    assert response.status_code == 400
    assert page(response).h1.get_text(strip=True) == "Formulaire expiré"
    assert "Revenez à la page précédente" in main_text(response)


@pytest.mark.parametrize(("stage", "url", "data"), POSTS, ids=[p[1] for p in POSTS])
def test_post_without_token_is_refused(staff, visitor, database, stage, url, data):
    visitor.reach(staff, stage)
    before = dump(database)
    response = visitor.client.post(url, data=data)
    assert_form_expired(response)
    assert dump(database) == before


@pytest.mark.parametrize(("stage", "url", "data"), POSTS, ids=[p[1] for p in POSTS])
def test_post_with_a_forged_token_is_refused(staff, visitor, database, stage, url, data):
    visitor.reach(staff, stage)
    before = dump(database)
    response = visitor.client.post(url, data={"csrf_token": "forged", **data})
    assert_form_expired(response)
    assert dump(database) == before


def test_activation_button_without_token_is_refused(staff, client, database):
    person = staff.add()
    secret = staff.link(person)
    before = dump(database)
    assert_form_expired(client.post(f"/activation/{secret}"))
    assert dump(database) == before


def test_verification_button_without_token_is_refused(staff, visitor, database, app):
    visitor.reach(staff, "verification")
    secret = link_in(mails(database, "verification")[-1]["body_text"], "/verification/")
    before = dump(database)
    assert_form_expired(app.test_client().post(f"/verification/{secret}"))
    assert dump(database) == before


def test_token_of_another_browser_is_refused(staff, visitor, database, app):
    visitor.reach(staff, "charte")
    stranger = app.test_client()

    token = csrf_of(stranger.get("/premiere-connexion"))
    before = dump(database)
    response = visitor.client.post("/etapes/charte", data={"csrf_token": token, "accept": "y"})
    assert_form_expired(response)
    assert dump(database) == before


def test_form_expired_page_offers_a_way_forward(client):
    response = client.post("/premiere-connexion", data={"identifier": "jdupont"})
    links = {a.get_text(strip=True): a["href"] for a in page(response).find("main")("a")}
    assert links["Recevoir un nouveau lien d'activation"] == "/premiere-connexion"


def test_expired_form_page_offers_the_same_form_again(staff, visitor, client):
    visitor.reach(staff, "annuaire")
    response = client.post("/etapes/annuaire", data={"listed": "oui"})
    assert response.status_code == 400
    links = [a["href"] for a in page(response).select("main a")]
    assert "/etapes/annuaire" in links
