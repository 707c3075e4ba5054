"""Logins and institutional addresses made from real-looking French names: the rules,
homonyms, the configurable rule, and that a login is never given twice."""

import re
import sqlite3

import pytest
from harness import NOW, rows
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard import db
from wizard.activation import people
from wizard.activation.names import (
    LOGIN_PATTERN,
    LOGIN_RULES,
    RESERVED_LOGINS,
    IdentityAllocator,
    address_local_part,
    is_plausible_address,
    login_stem,
)

DOMAIN = "univ-test.fr"
LOCAL_PART = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")

NAMES = [
    # first name, surname, login, institutional address's local part
    ("Jean", "Dupont", "jdupont", "jean.dupont"),
    ("Jean", "DUPONT", "jdupont", "jean.dupont"),
    ("Jean-Éric", "N'Diaye", "jndiaye", "jean-eric.ndiaye"),
    ("Marie", "Le Goff", "mlegoff", "marie.le-goff"),
    ("Anne-Sophie", "de La Tour", "adelatou", "anne-sophie.de-la-tour"),
    ("José", "García-Márquez", "jgarciam", "jose.garcia-marquez"),
    ("François", "Da Silva Gonçalves", "fdasilva", "francois.da-silva-goncalves"),
    ("Élodie", "Œuvrard", "eoeuvrar", "elodie.oeuvrard"),
    ("Lætitia", "Cœur", "lcoeur", "laetitia.coeur"),
    ("Aïcha", "Ben Saïd", "abensaid", "aicha.ben-said"),
    ("Hélène", "L'Hôte", "hlhote", "helene.lhote"),
    ("Zoë", "D’Arc", "zdarc", "zoe.darc"),
    ("Thi Minh Anh", "Nguyen", "tnguyen", "thi-minh-anh.nguyen"),
    ("Jörg", "Müller", "jmuller", "jorg.muller"),
    ("Hans", "Straße", "hstrasse", "hans.strasse"),
    ("Ève", "Saint-Exupéry", "esaintex", "eve.saint-exupery"),
    ("Maël", "Le Bihan-Kerjean", "mlebihan", "mael.le-bihan-kerjean"),
    ("Françoise", "O'Connor", "foconnor", "francoise.oconnor"),
    ("Cécile", "Lefèvre-Pontalis", "clefevre", "cecile.lefevre-pontalis"),
    ("Łukasz", "Wróbel", "lwrobel", "lukasz.wrobel"),
    ("Minh", "Đặng", "mdang", "minh.dang"),
    ("Ingrid", "Søndergård", "isonderg", "ingrid.sondergard"),
    ("Jean-Baptiste", "de Saint-Just", "jdesaint", "jean-baptiste.de-saint-just"),
]


@pytest.mark.parametrize(("first", "last", "login", "local"), NAMES)
def test_login_of_a_french_name(first, last, login, local):
    assert login_stem(first, last) == login


@pytest.mark.parametrize(("first", "last", "login", "local"), NAMES)
def test_address_of_a_french_name(first, last, login, local):
    assert address_local_part(first, last) == local


def allocator(**kwargs):
    return IdentityAllocator(domain=DOMAIN, taken_logins=set(), taken_addresses=set(),
                             **kwargs)


def test_homonyms_get_digits_from_two():
    names = allocator()
    given_out = [names.allocate("Jean", "Dupont") for _ in range(3)]
    assert given_out == [("jdupont", f"jean.dupont@{DOMAIN}"),
                         ("jdupont2", f"jean.dupont2@{DOMAIN}"),
                         ("jdupont3", f"jean.dupont3@{DOMAIN}")]


def test_same_login_stem_different_address():
    names = allocator()
    assert names.allocate("Jean", "Dupont") == ("jdupont", f"jean.dupont@{DOMAIN}")
    assert names.allocate("Jacques", "Dupont") == ("jdupont2", f"jacques.dupont@{DOMAIN}")


def test_taken_logins_and_addresses_are_skipped():
    names = IdentityAllocator(domain=DOMAIN, taken_logins={"mmartin", "mmartin2"},
                              taken_addresses={f"Marie.Martin@{DOMAIN.upper()}"})
    assert names.allocate("Marie", "Martin") == ("mmartin3", f"marie.martin2@{DOMAIN}")


def test_reserved_logins_are_never_given():
    assert "root" in RESERVED_LOGINS
    assert allocator().allocate("R", "Oot")[0] == "root2"


@pytest.mark.parametrize(("rule", "max_length", "login"), [
    ("initial_surname", 8, "jndiaye"),
    ("surname_initial", 8, "ndiayej"),
    ("firstname_surname", 8, "jeaneric"),
    ("firstname_surname", 20, "jeanericndiaye"),
    ("surname", 8, "ndiaye"),
    ("initial_surname", 4, "jndi"),
])
def test_login_rules(rule, max_length, login):
    assert login_stem("Jean-Éric", "N'Diaye", max_length, rule) == login


def test_surname_initial_keeps_the_initial_when_cut():
    assert login_stem("Anne", "Delacroix-Montmorency", 8, "surname_initial") == "delacroa"


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="initial_surname"):
        login_stem("Jean", "Dupont", 8, "prenom.nom")
    with pytest.raises(ValueError):
        allocator(rule="prenom.nom")


def test_every_rule_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for rule in LOGIN_RULES:
        assert f"`{rule}`" in readme


def test_long_names_give_an_address_that_fits():
    local = address_local_part("Marie-Charlotte-Amélie-Éléonore", "de La Tour d'Auvergne-"
                               "Lauraguais-Montmorency-Saint-Simon")
    assert len(local) <= 60
    assert LOCAL_PART.match(local)


def test_configured_rule_is_used_by_add_person(make_app):
    app = make_app(LOGIN_RULE="surname_initial", LOGIN_MAX_LENGTH=6)
    result = app.test_cli_runner().invoke(args=["add-person", "--first-name", "Jean",
                                                "--last-name", "Dupont"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["duponj", "jean.dupont@univ-test.fr"]


def test_a_departed_persons_login_is_never_given_again(app, staff, database):
    first = staff.add()
    database.execute("UPDATE people SET status = 'disabled', departure_date = '2020-01-31'")
    database.conn.commit()
    second = staff.add(personal="autre@exemple.org")
    assert (first.login, second.login) == ("jdupont", "jdupont2")


def test_people_cannot_be_deleted(staff, database):
    staff.add()
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        database.execute("DELETE FROM people")
    assert len(rows(database, "SELECT * FROM people")) == 1


def test_a_login_cannot_change(staff, database):
    person = staff.add()
    with pytest.raises(sqlite3.IntegrityError, match="never changes"):
        database.execute("UPDATE people SET login = 'autre' WHERE id = ?", [person.id])


def test_allocator_from_the_database_knows_every_login(store):
    with db.transaction(store):
        people.create(store, first_name="Jean", last_name="Dupont", login="jdupont",
                      institutional_email=f"jean.dupont@{DOMAIN}", personal_email=None,
                      now=NOW)
    names = people.identity_allocator(store, domain=DOMAIN, rule="initial_surname",
                                      max_length=8)
    assert names.allocate("Jean", "Dupont") == ("jdupont2", f"jean.dupont2@{DOMAIN}")


# Any text at all as a name: letters of every script, marks, digits, punctuation, emoji.
any_name = st.text(max_size=40)


@settings(max_examples=300, deadline=None)
@given(first=any_name, last=any_name, rule=st.sampled_from(sorted(LOGIN_RULES)),
       max_length=st.integers(min_value=1, max_value=20))
def test_any_name_gives_a_valid_login(first, last, rule, max_length):
    stem = login_stem(first, last, max_length, rule)
    assert LOGIN_PATTERN.match(stem)
    assert len(stem) <= max_length or stem == "agent"


@settings(max_examples=300, deadline=None)
@given(first=any_name, last=any_name)
def test_any_name_gives_a_valid_address_local_part(first, last):
    local = address_local_part(first, last)
    assert local == "" or LOCAL_PART.match(local)
    assert len(local) <= 60


@settings(max_examples=150, deadline=None)
@given(names=st.lists(st.tuples(any_name, any_name), max_size=25),
       rule=st.sampled_from(sorted(LOGIN_RULES)))
def test_any_names_give_unique_valid_logins_and_addresses(names, rule):
    everyone = allocator(rule=rule)
    allocated = [everyone.allocate(first, last) for first, last in names]
    logins = [login for login, _ in allocated]
    addresses = [address for _, address in allocated]
    assert len(set(logins)) == len(logins)
    assert len(set(addresses)) == len(addresses)
    for login, address in allocated:
        assert LOGIN_PATTERN.match(login), login
        assert login not in RESERVED_LOGINS
        assert is_plausible_address(address), address


@settings(max_examples=50, deadline=None)
@given(last=st.sampled_from(["Dupont", "Martin", "Le Goff", "N'Diaye"]),
       count=st.integers(min_value=1, max_value=60))
def test_many_homonyms_stay_unique(last, count):
    everyone = allocator()
    allocated = [everyone.allocate("Jean", last) for _ in range(count)]
    assert len({login for login, _ in allocated}) == count
    assert len({address for _, address in allocated}) == count
