"""The password step through the Flask client: the live fragment and the submit decide alike,
the page offers a show-password toggle and a polite live region, and works without htmx."""

from __future__ import annotations

import pytest
from harness import page

from wizard import db
from wizard.activation import people
from wizard.web.services import Services

STEP = "/etapes/mot-de-passe"
STRENGTH = "/etapes/mot-de-passe/force"


def live_fragment(visitor, password, confirmation=None):
    """What htmx gets while the person types."""
    response = visitor.post(STRENGTH, {
        "password": password,
        "confirmation": password if confirmation is None else confirmation,
    }, form_url=STEP, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return page(response)


def rules(fragment) -> dict[str, bool]:
    """The checklist: rule → kept?"""
    return {item["data-rule"]: "check-ok" in item["class"]
            for item in fragment.select(".checklist li")}


def strength_label(fragment) -> str:
    return fragment.select_one(".strength-label strong").get_text(strip=True)


@pytest.mark.parametrize(("password", "confirmation"), [
    ("azertyuiop", None),
    ("Montpellier34!", None),
    ("Soleil2025!!!", None),
    ("Bretagne2024!!", None),
    ("jdupont1985", None),
    ("Dupont1985Jean", None),
    ("cerise\ttambour glacier", None),
    ("cerise tambour glacier boussole", "cerise tambour glacier"),
    ("cerise tambour glacier boussole", None),
])
def test_the_meter_and_the_submit_agree(visitor, staff, password, confirmation):
    visitor.reach(staff, "mot-de-passe")
    live = live_fragment(visitor, password, confirmation)
    submitted = visitor.choose_password(password, confirmation)
    if all(rules(live).values()):
        assert submitted.status_code == 303
        assert submitted.headers["Location"].endswith("/etapes/termine")
    else:
        assert submitted.status_code == 422
        refused = page(submitted).select_one(".refused-password")
        failed = {rule for rule, kept in rules(live).items() if not kept}
        assert {li["data-rule"] for li in refused.select(".refused-rules li")} == failed
        assert refused.select_one("strong").get_text(strip=True) == strength_label(live)


def test_the_fragment_speaks_french_with_a_text_label(visitor, staff):
    visitor.reach(staff, "mot-de-passe")
    live = live_fragment(visitor, "soleil")
    assert strength_label(live) == "très faible"
    assert live.select_one(".strength-label").get_text(" ", strip=True).startswith(
        "Robustesse\u00a0:")
    assert live.select_one(".strength-warning").get_text(strip=True) == (
        "C'est l'un des 100 mots de passe les plus courants.")
    assert rules(live) == {"length": False, "max_length": True, "strength": False,
                           "personal": True, "confirmation": True}
    # The bar is decoration: the words say it all.
    assert live.select_one(".strength-bar")["aria-hidden"] == "true"


def test_the_fragment_names_a_mangled_word(visitor, staff):
    visitor.reach(staff, "mot-de-passe")
    live = live_fragment(visitor, "Bretagne2024!!")
    assert rules(live)["strength"] is False
    assert live.select_one(".strength-warning").get_text(strip=True) == (
        "Un nom de lieu suivi d'une année et de points d'exclamation se devine en quelques "
        "secondes.")
    submitted = page(visitor.choose_password("Bretagne2024!!"))
    # After a refusal the live meter starts over; the refused password's faults stand apart.
    assert "se devine en quelques secondes" in submitted.select_one(
        ".refused-password .strength-warning").get_text()


def test_an_empty_password_gets_an_invitation_not_a_verdict(visitor, staff):
    visitor.reach(staff, "mot-de-passe")
    live = live_fragment(visitor, "")
    assert "Saisissez un mot de passe" in live.get_text()
    assert live.select_one(".strength-label") is None


def test_the_page_has_a_toggle_and_a_polite_live_region(visitor, staff):
    visitor.reach(staff, "mot-de-passe")
    html = page(visitor.get(STEP))
    toggle = html.select_one("button[data-password-toggle]")
    assert toggle["type"] == "button"
    assert toggle["aria-pressed"] == "false"
    assert set(toggle["aria-controls"].split()) == {"password", "confirmation"}
    assert toggle.has_attr("hidden"), "shown by sesame.js: useless without JavaScript"
    region = html.select_one("#force")
    assert region["aria-live"] == "polite"
    field = html.select_one("#password")
    assert field["data-hx-post"] == STRENGTH and "delay:" in field["data-hx-trigger"]
    assert not html.select("script:not([src])"), "no inline script (strict CSP)"


def test_without_javascript_the_feedback_comes_after_submitting(visitor, staff):
    visitor.reach(staff, "mot-de-passe")
    response = visitor.choose_password("motdepasse2024")
    assert response.status_code == 422
    refused = page(response).select_one(".refused-password")
    assert refused.select_one("strong").get_text(strip=True) == "faible"
    assert refused.select_one(".strength-warning") is not None


def test_policy_and_institution_words_come_from_configuration(app, staff):
    app.config.update(PASSWORD_MIN_LENGTH=6, PASSWORD_MAX_LENGTH=15,
                      PASSWORD_ALLOWED_CHARACTERS="alphanumeric",
                      PASSWORD_EXTRA_WORDS="Montpellier, Saint-Priest")
    person = staff.add()
    with app.app_context():
        found = Services(app)
        policy, words = found.password_policy, found.personal_words(person)
    assert (policy.min_length, policy.max_length, policy.allowed_characters) == (
        6, 15, "alphanumeric")
    assert {"montpellier", "saint-priest", "saintpriest", "univ-test", "jean", "dupont",
            person.login, "jean.dupont"} <= set(words.hints)
    assert words.login == person.login


def test_an_old_system_policy_shows_in_the_hint_and_the_checklist(app, visitor, staff):
    app.config.update(PASSWORD_MIN_LENGTH=6, PASSWORD_MAX_LENGTH=15,
                      PASSWORD_ALLOWED_CHARACTERS="alphanumeric")
    visitor.reach(staff, "mot-de-passe")
    html = page(visitor.get(STEP))
    assert html.select_one("#password-aide").get_text(strip=True) == "De 6 à 15\u00a0caractères."
    live = live_fragment(visitor, "Éléphant42Zx")
    assert rules(live)["characters"] is False


def test_the_birth_date_from_hr_counts(app, database, visitor, staff):
    person = visitor.reach(staff, "mot-de-passe")
    with db.transaction(database):
        database.execute("UPDATE people SET birth_date = ? WHERE id = ?",
                         ["1985-03-12", person.id])
    hints = Services(app).personal_words(people.get(database, person.id)).hints
    assert {"1985", "12031985", "12/03/1985"} <= set(hints)
    live = live_fragment(visitor, "Maison12031985")
    assert live.select_one(".strength-warning").get_text(strip=True).startswith(
        "Votre nom, votre identifiant")


def outcome(fragment) -> str:
    return fragment.select_one(".strength-outcome").get_text(" ", strip=True)


def test_a_hard_to_guess_but_too_short_password_is_shown_as_refused(visitor, staff):
    visitor.reach(staff, "mot-de-passe")
    live = live_fragment(visitor, "Tr0ub4dor&3")
    assert strength_label(live) == "très fort"
    assert rules(live)["length"] is False
    # The bar is not the full green one, and the words say it will be refused.
    assert "strength-refused" in live.select_one(".strength")["class"]
    assert outcome(live) == ("✘ Ce mot de passe sera refusé\u00a0: une règle ci-dessous "
                             "n'est pas respectée.")
    accepted = live_fragment(visitor, "Cheval agrafe pile 42 lune")
    assert "strength-refused" not in accepted.select_one(".strength")["class"]
    assert outcome(accepted) == "✔ Ce mot de passe sera accepté."


def test_after_a_refusal_the_checklist_starts_over(visitor, staff):
    visitor.reach(staff, "mot-de-passe")
    response = visitor.choose_password("Tr0ub4dor&3")
    assert response.status_code == 422
    html = page(response)
    assert html.select_one("#password").get("value", "") == ""
    assert html.select_one("#confirmation").get("value", "") == ""
    # The live checklist is the one of the empty fields: no ✔ for length nor confirmation.
    live = rules(html.select_one("#force"))
    assert live["length"] is False and live["confirmation"] is False
    assert html.select_one("#force .strength-empty") is not None
    # What was wrong with the refused password is said apart.
    refused = html.select_one(".refused-password")
    assert [li["data-rule"] for li in refused.select(".refused-rules li")] == ["length"]
