"""What HTML validators and page audits (Nu Html Checker, Lighthouse, htmlcs) check: unique
ids, attributes HTML knows (htmx's data-hx-* spelling), a favicon and a description."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from harness import Visitor, page

STEPS = ["charte", "annuaire", "messagerie", "verification", "mot-de-passe", "termine"]
STEP_URLS = {"charte": "/etapes/charte", "annuaire": "/etapes/annuaire",
             "messagerie": "/etapes/messagerie", "verification": "/etapes/messagerie/verification",
             "mot-de-passe": "/etapes/mot-de-passe", "termine": "/etapes/termine"}


def every_response(app, staff):
    """(name, response) of the public pages and of each step, as a newcomer meets them,
    with a refused form among them."""
    client = app.test_client()
    for url in ["/", "/premiere-connexion", "/sesame"]:
        yield url, client.get(url)
    yield "premiere-connexion-erreur", Visitor(client).post("/premiere-connexion",
                                                            {"identifier": ""})
    for index, step in enumerate(STEPS):
        visitor = Visitor(app.test_client())
        visitor.reach(staff, step, first="Agent", last=f"Numero{index}",
                      personal=f"agent{index}@exemple.org")
        yield step, visitor.get(STEP_URLS[step])
        if step == "mot-de-passe":
            yield "mot-de-passe-refuse", visitor.choose_password("Tr0ub4dor&3")


def every_page(app, staff):
    """(name, parsed HTML) of every_response's pages."""
    for name, response in every_response(app, staff):
        yield name, page(response)


@pytest.mark.app_config(RATELIMIT_ENABLED=False)
def test_ids_are_unique_on_every_page(app, staff):
    for name, html in every_page(app, staff):
        ids = Counter(tag["id"] for tag in html.find_all(id=True))
        assert [i for i, n in ids.items() if n > 1] == [], name
        assert html.select("input[name=csrf_token][id]") == [], name


@pytest.mark.app_config(RATELIMIT_ENABLED=False)
def test_htmx_attributes_use_the_data_spelling(app, staff):
    seen = set()
    for name, html in every_page(app, staff):
        for tag in html.find_all(True):
            bare = [attribute for attribute in tag.attrs if attribute.startswith("hx-")]
            assert bare == [], f"{name}: <{tag.name} {bare}>"
            seen |= {attribute for attribute in tag.attrs if attribute.startswith("data-hx-")}
    assert {"data-hx-boost", "data-hx-post", "data-hx-get"} <= seen


def test_every_page_has_a_description_and_an_icon(client):
    html = page(client.get("/"))
    description = html.find("meta", attrs={"name": "description"})
    assert description is not None and len(description["content"]) > 50
    assert html.find("link", rel="icon") is not None
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/x-icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_htmx_never_copies_style_attributes(client):
    """htmx's settle step copies `style` by default: a CSP without 'unsafe-inline' refuses
    it, with a console error on every swap that carries one."""
    meta = page(client.get("/")).find("meta", attrs={"name": "htmx-config"})
    config = json.loads(meta["content"])
    assert "style" not in config["attributesToSettle"]
    assert config["includeIndicatorStyles"] is False
