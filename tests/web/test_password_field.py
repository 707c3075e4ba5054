"""The password fields as a browser and a password manager see them (ASVS 6.2.6, 6.2.7,
6.2.9): masked, offered to password managers, pasting allowed, long passphrases welcome."""

from __future__ import annotations

from harness import page


def password_inputs(visitor, staff):
    visitor.reach(staff, "mot-de-passe")
    html = page(visitor.get("/etapes/mot-de-passe"))
    return [html.find("input", {"name": name}) for name in ("password", "confirmation")]


def test_password_fields_are_masked(staff, visitor):
    for field in password_inputs(visitor, staff):
        assert field["type"] == "password"


def test_password_managers_may_fill_and_people_may_paste(staff, visitor):
    for field in password_inputs(visitor, staff):
        assert field["autocomplete"] == "new-password"
        assert not [name for name in field.attrs if name.startswith("on")]  # no onpaste…
        assert "readonly" not in field.attrs


def test_fields_take_passphrases_of_64_characters_and_more(staff, visitor):
    for field in password_inputs(visitor, staff):
        assert int(field["maxlength"]) >= 64
