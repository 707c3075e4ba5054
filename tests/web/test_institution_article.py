"""The institution's name with its article: « Vous rejoignez l'Université… », « L'assistance
informatique de la Sorbonne… », « Votre compte informatique au Conservatoire… »."""

from __future__ import annotations

import pytest
from harness import People, mails, page

from wizard import db


@pytest.mark.parametrize(("name", "article", "the", "of", "at"), [
    ("Université de démonstration", None, "l'Université de démonstration",
     "de l'Université de démonstration", "à l'Université de démonstration"),
    ("Sorbonne Nouvelle", "la", "la Sorbonne Nouvelle", "de la Sorbonne Nouvelle",
     "à la Sorbonne Nouvelle"),
    ("Conservatoire national", "le", "le Conservatoire national",
     "du Conservatoire national", "au Conservatoire national"),
    ("Sorbonne Université", "none", "Sorbonne Université", "de Sorbonne Université",
     "à Sorbonne Université"),
])
def test_the_name_takes_its_article_everywhere(make_app, name, article, the, of, at):
    settings = {"INSTITUTION_NAME": name}
    if article is not None:
        settings["INSTITUTION_ARTICLE"] = article
    app = make_app(**settings)
    client = app.test_client()
    home = page(client.get("/"))
    assert f"Vous rejoignez {the}\u00a0?" in home.select_one(".lead").get_text()
    assert f"L'assistance informatique {of} vous répond." in home.get_text(" ", strip=True)
    faq = page(client.get("/premiere-connexion")).get_text(" ", strip=True)
    assert f"L'assistance informatique {of}" in faq
    database = db.connect(app.config["DATABASE"])
    try:
        staff = People(app, database)
        secret = staff.link(staff.add())
        (sent,) = mails(database, "activation")
        assert f"Votre compte informatique {at} vous attend." in sent["body_text"]
        opened = page(client.get(f"/activation/{secret}")).get_text(" ", strip=True)
        assert f"votre compte informatique {at}." in opened
    finally:
        database.close()


def test_english_pages_say_the_name_alone(make_app):
    app = make_app(INSTITUTION_NAME="Sorbonne Nouvelle", INSTITUTION_ARTICLE="la")
    text = page(app.test_client().get("/", headers={"Accept-Language": "en"})).get_text(
        " ", strip=True)
    assert "The IT helpdesk of Sorbonne Nouvelle" in text


def test_an_unknown_article_is_refused_at_start_up(make_app):
    with pytest.raises(ValueError, match="INSTITUTION_ARTICLE"):
        make_app(INSTITUTION_ARTICLE="des")
