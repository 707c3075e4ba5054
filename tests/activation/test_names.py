"""Names folded to logins and addresses, and what counts as a plausible address."""

import pytest

from wizard.activation.names import (
    address_local_part,
    first_free,
    fold,
    is_plausible_address,
    login_stem,
    normalize_address,
)


@pytest.mark.parametrize(("text", "folded"), [
    ("Dupont", "dupont"),
    ("Éléonore", "eleonore"),
    ("Lefèvre", "lefevre"),
    ("François", "francois"),
    ("Œdipe", "oedipe"),
    ("Lætitia", "laetitia"),
    ("Æsa", "aesa"),
    ("Straße", "strasse"),
    ("Zoë Noël", "zoe noel"),
    ("Jean-Éric", "jean-eric"),
    ("N'Diaye", "n'diaye"),
    ("Đặng", "dang"),
    ("Łukasz", "lukasz"),
    ("Søren", "soren"),
    ("Þórður", "thordur"),
    ("ＡＢＣ", "abc"),
    ("", ""),
])
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(("first", "last", "stem"), [
    ("Jean", "Dupont", "jdupont"),
    ("Camille", "Lefèvre", "clefevre"),
    ("Jean-Éric", "N'Diaye", "jndiaye"),
    ("Marie", "Le Goff", "mlegoff"),
    ("Anne", "Delacroix-Montmorency", "adelacro"),
    ("Élodie", "Œuvrard", "eoeuvrar"),
    ("Minh", "Đặng", "mdang"),
    ("", "Dupont", "dupont"),
    ("Jean", "", "j"),
    ("", "", "agent"),
    ("---", "'''", "agent"),
])
def test_login_stem(first, last, stem):
    assert login_stem(first, last) == stem


def test_login_stem_respects_max_length():
    assert login_stem("Jean", "Dupont", max_length=4) == "jdup"


@pytest.mark.parametrize(("first", "last", "local"), [
    ("Jean", "Dupont", "jean.dupont"),
    ("Camille", "Lefèvre", "camille.lefevre"),
    ("Jean-Éric", "N'Diaye", "jean-eric.ndiaye"),
    ("Marie", "Le Goff", "marie.le-goff"),
    ("José", "García Márquez", "jose.garcia-marquez"),
    ("Zoë", "D’Arc", "zoe.darc"),
    ("Anne  Marie", "  Dupont ", "anne-marie.dupont"),
    ("Jean--Luc", "Dupont-", "jean-luc.dupont"),
    ("Lætitia", "Cœur", "laetitia.coeur"),
    ("", "Dupont", "dupont"),
])
def test_address_local_part(first, last, local):
    assert address_local_part(first, last) == local


@pytest.mark.parametrize("address", [
    "jean.dupont@exemple.org",
    "j@exemple.fr",
    "jean+sesame@exemple.org",
    "jean_dupont-2@mail.exemple.co.uk",
    "o'brien@exemple.ie",
    "jean@xn--exemple-9ua.fr",
    "a" * 64 + "@exemple.org",
])
def test_plausible_addresses(address):
    assert is_plausible_address(address)


@pytest.mark.parametrize("address", [
    "",
    "jean.dupont",
    "jean.dupont@",
    "@exemple.org",
    "jean@exemple",
    "jean@@exemple.org",
    "jean dupont@exemple.org",
    "jean@exemple .org",
    "jean@-exemple.org",
    "jean@exemple-.org",
    "jean@exemple.o",
    "jean@exemple.123",
    "jean@exemple..org",
    "jéan@exemple.org",
    "jean@exémple.org",
    "jean\n@exemple.org",
    "<jean@exemple.org>",
    "jean,paul@exemple.org",
    "jean@exemple.org;x@y.fr",
    "a" * 65 + "@exemple.org",
    "jean@" + "a" * 250 + ".org",
])
def test_implausible_addresses(address):
    assert not is_plausible_address(address)


@pytest.mark.parametrize(("typed", "normalized"), [
    ("  Jean.Dupont@Exemple.ORG ", "jean.dupont@exemple.org"),
    ("jean@exemple.org", "jean@exemple.org"),
])
def test_normalize_address(typed, normalized):
    assert normalize_address(typed) == normalized


@pytest.mark.parametrize("typed", ["jean@\u212aelvin.org", "\u0130rem@exemple.org",
                                   "jean@exemple.\u212a"])
def test_a_non_ascii_look_alike_is_refused_not_folded(typed):
    """Before, the Kelvin sign « \u212a » was folded to « k » by lowercasing, and the
    address then passed the ASCII check."""
    assert not is_plausible_address(normalize_address(typed))


def test_typed_address_is_plausible_once_normalized():
    assert is_plausible_address(normalize_address(" Jean.Dupont@Exemple.ORG "))


def test_first_free_keeps_a_free_stem():
    assert first_free("jdupont", lambda candidate: False) == "jdupont"


def test_first_free_numbers_from_two():
    taken = {"jdupont", "jdupont2", "jdupont3"}
    assert first_free("jdupont", taken.__contains__) == "jdupont4"
