"""Which step pages may be visited: up to the current step, never beyond, and only with a
session."""

from urllib.parse import parse_qs, urlsplit

import pytest
from harness import dump, enrolment_of, main_text, page

STEP_URLS = {
    "charte": "/etapes/charte",
    "annuaire": "/etapes/annuaire",
    "messagerie": "/etapes/messagerie",
    "verification": "/etapes/messagerie/verification",
    "mot-de-passe": "/etapes/mot-de-passe",
    "termine": "/etapes/termine",
}
ORDER = list(STEP_URLS)


def where(response) -> str:
    assert response.status_code == 303, response.status_code
    return urlsplit(response.headers["Location"]).path


def later(stage):
    return [name for name in ORDER[ORDER.index(stage) + 1:]]


def earlier(stage):
    skipped = {"verification"}
    return [name for name in ORDER[:ORDER.index(stage)] if name not in skipped]


FUTURE = [(stage, step) for stage in ORDER[:-1] for step in later(stage)]
# The verification page exists only while an address waits for it.
FUTURE += [("mot-de-passe", "verification")]
PAST = [(stage, step) for stage in ORDER[:-1] for step in earlier(stage)]


@pytest.mark.parametrize(("stage", "step"), FUTURE)
def test_future_step_redirects_to_the_current_one(staff, visitor, stage, step):
    visitor.reach(staff, stage)
    assert where(visitor.get(STEP_URLS[step])) == STEP_URLS[stage]


@pytest.mark.parametrize(("stage", "step"), PAST)
def test_finished_step_can_be_visited_again(staff, visitor, stage, step):
    visitor.reach(staff, stage)
    response = visitor.get(STEP_URLS[step])
    assert response.status_code == 200
    assert page(response).find("form") is not None


@pytest.mark.parametrize("stage", ORDER[:-1])
def test_current_step_is_shown(staff, visitor, stage):
    visitor.reach(staff, stage)
    assert visitor.get(STEP_URLS[stage]).status_code == 200


@pytest.mark.parametrize("stage", ORDER)
def test_wizard_entry_goes_to_the_current_step(staff, visitor, stage):
    visitor.reach(staff, stage)
    assert where(visitor.get("/etapes/")) == STEP_URLS[stage]


@pytest.mark.parametrize("step", ORDER)
def test_after_completion_every_step_leads_to_the_done_page(staff, visitor, step):
    visitor.reach(staff, "termine")
    if step == "termine":
        assert visitor.get(STEP_URLS[step]).status_code == 200
    else:
        assert where(visitor.get(STEP_URLS[step])) == "/etapes/termine"


def test_done_page_names_the_login_and_address(staff, visitor):
    person = visitor.reach(staff, "termine")
    response = visitor.get("/etapes/termine")
    assert page(response).h1.get_text(strip=True) == "Votre compte est activé"
    text = main_text(response)
    assert person.login in text
    assert person.institutional_email in text


@pytest.mark.parametrize("url", [*STEP_URLS.values(), "/etapes/",
                                 "/etapes/messagerie/verification/statut"])
def test_without_a_session_every_step_leads_to_the_session_ended_page(client, url):
    response = client.get(url)
    assert where(response) == "/etapes/session-terminee"
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {"raison": ["none"]}


def test_session_ended_page_offers_a_new_link(client):
    response = client.get("/etapes/session-terminee?raison=none")
    assert response.status_code == 403
    assert page(response).h1.get_text(strip=True) == "Ouvrez d'abord votre lien d'activation"
    assert page(response).find("a", string="Recevoir un nouveau lien")["href"] \
        == "/premiere-connexion"


def test_session_ended_page_ignores_an_unknown_reason(client):
    response = client.get("/etapes/session-terminee?raison=<script>")
    assert page(response).h1.get_text(strip=True) == "Ouvrez d'abord votre lien d'activation"


@pytest.mark.parametrize(("stage", "url", "data"), [
    ("charte", "/etapes/annuaire", {"listed": "oui"}),
    ("charte", "/etapes/messagerie", {"keep_copy": "y"}),
    ("charte", "/etapes/mot-de-passe", {"password": "Cheval agrafe pile 42 lune",
                                        "confirmation": "Cheval agrafe pile 42 lune"}),
    ("annuaire", "/etapes/mot-de-passe", {"password": "Cheval agrafe pile 42 lune",
                                          "confirmation": "Cheval agrafe pile 42 lune"}),
    ("verification", "/etapes/mot-de-passe", {"password": "Cheval agrafe pile 42 lune",
                                              "confirmation": "Cheval agrafe pile 42 lune"}),
    ("mot-de-passe", "/etapes/messagerie/verification/code", {"code": "123456"}),
])
def test_posting_a_future_step_records_nothing(staff, visitor, database, stage, url, data):
    visitor.reach(staff, stage)
    before = dump(database)
    response = visitor.post(url, data, form_url=STEP_URLS[stage])
    assert where(response) == STEP_URLS[stage]
    assert dump(database) == before


def test_revisited_charter_shows_the_box_ticked(staff, visitor):
    visitor.reach(staff, "annuaire")
    box = page(visitor.get("/etapes/charte")).find("input", {"name": "accept"})
    assert box.has_attr("checked")


def test_revisited_directory_shows_the_answer_given(staff, visitor):
    visitor.reach(staff, "messagerie")
    chosen = page(visitor.get("/etapes/annuaire")).find("input", {"name": "listed",
                                                                   "checked": True})
    assert chosen["value"] == "non"


def test_answering_a_finished_step_again_keeps_the_later_answers(staff, visitor, database):
    person = visitor.reach(staff, "mot-de-passe")
    response = visitor.through_directory("oui")
    assert where(response) == "/etapes/mot-de-passe"
    assert enrolment_of(database, person)["directory_listed"] == 1


def test_progress_marks_the_current_step(staff, visitor):
    visitor.reach(staff, "messagerie")
    current = page(visitor.get("/etapes/messagerie")).find(attrs={"aria-current": "step"})
    assert "Messagerie" in current.get_text()
