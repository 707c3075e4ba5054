"""Password strength that understands French users: the verdict table, the rules and policy
options, French feedback, AZERTY walks, robustness on any input, and argon2id rehashing."""

from __future__ import annotations

import ast
import copy
import re
import unicodedata
from datetime import date
from importlib import metadata, resources
from pathlib import Path

import pytest
import zxcvbn
from argon2 import PasswordHasher, Type
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zxcvbn import matching, scoring

from wizard import passwords
from wizard.passwords import (
    PasswordPolicy,
    dictionaries,
    estimator,
    evaluate,
    keyboards,
    mangling,
    personal_words,
    policy,
    word_index,
)

# Jean Dupont, born 12 March 1985, at the Université de démonstration (univ-demo.fr).
JEAN = personal_words("Jean", "Dupont", "jdupont", "jean.dupont@exemple.org",
                      birth_date=date(1985, 3, 12),
                      extra=["Université de démonstration", "univ-demo"])
DEFAULT = PasswordPolicy()


def failing(verdict: passwords.Verdict) -> set[str]:
    """The keys of the rules a verdict says are broken."""
    return {check.key for check in verdict.checks if not check.passed}


# password, accepted?, the rules it breaks, why. Evaluated for Jean Dupont with the defaults
# (12 to 128 characters, score 3, every printable character).
TABLE = [
    ("azertyuiop", False, {"length", "strength"}, "the AZERTY top row, a top-100 French password"),
    ("Azerty123!", False, {"length", "strength"}, "azerty + 123 + !: the classic recipe"),
    ("motdepasse", False, {"length", "strength"}, "« mot de passe » itself"),
    ("MotDePasse2024", False, {"strength"}, "mot de passe with capitals and a recent year"),
    ("soleil", False, {"length", "strength"}, "a top French password"),
    ("chouchou", False, {"length", "strength"}, "a top French password"),
    ("marseille13", False, {"length", "strength"}, "a city and its département"),
    ("Montpellier34!", False, {"strength"}, "a city, its département and a symbol"),
    ("jdupont1985", False, {"length", "strength", "personal"}, "login and birth year"),
    ("prenom.nom", False, {"length", "strength"}, "the words « prénom » and « nom »"),
    ("jean.dupont", False, {"length", "strength", "personal"}, "his own prénom.nom"),
    ("Jean.Dupont1985!", False, {"strength", "personal"}, "his names and birth year"),
    ("12031985jean", False, {"strength", "personal"}, "his birth date and first name"),
    ("12/03/1985abc", False, {"strength"}, "his birth date as written in France"),
    ("Dupont1985Jean", False, {"personal"}, "zxcvbn says fort, but it holds his name"),
    ("Jdupont!2024xyz", False, {"personal"}, "contains his login"),
    ("DUPONT-jean-85", False, {"personal"}, "his names, whatever the case and hyphens"),
    ("univ-demo2024!", False, {"strength"}, "the institution's domain and a year"),
    ("universitedemo", False, {"strength"}, "the institution's name, accents dropped"),
    ("qsdfghjklm", False, {"length", "strength"}, "AZERTY home row"),
    ("wxcvbn123456", False, {"strength"}, "AZERTY bottom row and digits"),
    ("wxcvbnqsdfgh", False, {"strength"}, "two AZERTY rows"),
    ("Qsdfghjklm%*", False, {"strength"}, "AZERTY home row to its last keys, shifted"),
    ('&é"\'(-è_çà)=', False, {"strength"}, "the AZERTY number row, unshifted"),
    ("1234567890°+", False, {"strength"}, "the AZERTY number row, shifted"),
    ("AZERTYUIOPQS", False, {"strength"}, "AZERTY rows in capitals"),
    ("poiuytrezaqs", False, {"strength"}, "the AZERTY top row backwards"),
    ("azerty123456", False, {"strength"}, "azerty and a sequence"),
    ("Bonjour2024!", False, {"strength"}, "a common word, a year, a symbol"),
    ("jetaime2024!", False, {"strength"}, "« je t'aime » and a year"),
    ("Doudou123456", False, {"strength"}, "a top French password and a sequence"),
    ("nounours2024!", False, {"strength"}, "a top French password and a year"),
    ("motdepasse123456", False, {"strength"}, "mot de passe and a sequence"),
    ("M0td3p@ss3!!", False, {"strength"}, "mot de passe in l33t"),
    ("P@ssw0rd2024!", False, {"strength"}, "password in l33t and a year"),
    ("ChocolatNoisette", False, {"strength"}, "two common French words"),
    ("Marie-Claire1985", False, {"strength"}, "common first names and a year"),
    ("Paris75Paris75", False, {"strength"}, "a city and its département, twice"),
    ("Bretagne2024", False, {"strength"}, "a region and a year"),
    ("Toulouse31000", False, {"strength"}, "a city and its postcode"),
    ("Saint-Etienne42!", False, {"strength"}, "a city (and club) without its accent"),
    ("PSGallezParis", False, {"strength"}, "a football club and its chant"),
    ("allezlesbleus", False, {"strength"}, "the national team's chant"),
    ("Olympique de Marseille", False, {"strength"}, "a football club, spelt out"),
    ("aaaaaaaaaaaa", False, {"strength"}, "one character repeated"),
    ("abcdefghijkl", False, {"strength"}, "the alphabet"),
    ("123456789012", False, {"strength"}, "digits in order"),
    ("1985120312031985", False, {"strength"}, "dates"),
    ("cerise tambour glacier boussole", True, set(), "four unrelated French words"),
    ("girafe pluie moteur vanille", True, set(), "four unrelated French words"),
    ("Lundi matin, café noir et croissant", True, set(), "a long French sentence"),
    ("Ébène, cœur & piñata 42", True, set(), "accents and symbols are welcome"),
    ("correct horse battery staple", True, set(), "four unrelated English words"),
    ("k8#Vq2!xLp9$Rz4@wN7&", True, set(), "a long random string"),
    ("Ugo9£Kpz&Wq2", True, set(), "a short random string of 12"),
    ("Tr0ub4dor&3xyz", True, set(), "a mangled uncommon word and more"),
    ("cerise\ttambour glacier", False, {"characters"}, "a tab is not a printable character"),
    ("x7#Kd!" * 22, False, {"max_length"}, "132 characters: over the 128 limit"),
]


@pytest.mark.parametrize(("password", "accepted", "broken", "reason"), TABLE,
                         ids=[row[0][:24] for row in TABLE])
def test_verdict_table(password, accepted, broken, reason):
    verdict = evaluate(password, password, policy=DEFAULT, user_inputs=JEAN)
    assert (verdict.acceptable, failing(verdict)) == (accepted, broken), reason


def test_table_is_big_enough_and_names_the_issues_examples():
    passwords_in_table = {row[0] for row in TABLE}
    assert len(TABLE) >= 40
    assert {"azertyuiop", "Azerty123!", "motdepasse", "MotDePasse2024", "soleil", "chouchou",
            "marseille13", "Montpellier34!", "jdupont1985", "prenom.nom"} <= passwords_in_table


def test_french_words_weigh_less_than_zxcvbn_alone_thought():
    """« Montpellier34! » was « fort » for English zxcvbn; it is now « faible » at most."""
    verdict = evaluate("Montpellier34!", "Montpellier34!", policy=DEFAULT, user_inputs=())
    assert verdict.score <= 1


def test_empty_password_is_never_acceptable():
    verdict = evaluate("", "", policy=DEFAULT, user_inputs=JEAN)
    assert verdict.empty and not verdict.acceptable


def test_confirmation_must_match():
    verdict = evaluate("cerise tambour glacier boussole", "cerise tambour glacier",
                       policy=DEFAULT, user_inputs=JEAN)
    assert failing(verdict) == {"confirmation"}


def test_nfc_normalisation_makes_two_spellings_one_password():
    composed = "Éléphant rose du Périgord"
    decomposed = unicodedata.normalize("NFD", composed)
    verdict = evaluate(composed, decomposed, policy=DEFAULT, user_inputs=JEAN)
    assert "confirmation" not in failing(verdict)


# --- Personal words ------------------------------------------------------------------------


def test_personal_words_hold_the_birth_date_as_people_type_it():
    hints = set(JEAN.hints)
    assert {"1985", "85", "12031985", "120385", "12/03/1985", "12/03/85", "19850312"} <= hints


def test_personal_words_hold_names_login_address_and_institution():
    hints = set(JEAN.hints)
    assert {"jean", "dupont", "jdupont", "jean.dupont", "jeandupont", "univ-demo",
            "université", "démonstration"} <= hints
    assert JEAN.names == ("jean", "dupont")
    assert JEAN.login == "jdupont"


def test_birth_date_may_be_an_iso_string_and_a_bad_one_is_ignored():
    assert "12031985" in personal_words("A", "B", "ab", None, birth_date="1985-03-12").hints
    hints = personal_words("Anne", "Bé", "abe", None, birth_date="12 mars").hints
    assert not any(ch.isdigit() for hint in hints for ch in hint)
    assert "bé" not in hints, "too short to count: it would match inside any word"


def test_compound_names_are_forbidden_whole_and_in_parts():
    words = personal_words("Marie-Hélène", "de La Tour", "mdelatou", None)
    assert {"marie-hélène", "mariehélène", "marie", "hélène", "tour", "delatour"} <= set(
        words.names)
    assert "de" not in words.names and "la" not in words.names
    verdict = evaluate("Helene aime les tulipes", "Helene aime les tulipes", policy=DEFAULT,
                       user_inputs=words)
    assert "personal" in failing(verdict), "accents do not hide a name"


def test_the_sesame_may_not_be_reused():
    words = personal_words("Jean", "Dupont", "jdupont", None, sesame="K7PQ-M3XR")
    assert "k7pq-m3xr" in words.hints
    for candidate in ("K7PQ-M3XR", "k7pqm3xr plus des mots", "mon k7pq m3xr à moi"):
        verdict = evaluate(candidate, candidate, policy=DEFAULT, user_inputs=words)
        assert "sesame" in failing(verdict), candidate
    fine = evaluate("cerise tambour glacier boussole", "cerise tambour glacier boussole",
                    policy=DEFAULT, user_inputs=words)
    assert fine.acceptable and "sesame" in {check.key for check in fine.checks}


def test_no_sesame_no_sesame_rule():
    verdict = evaluate("x", "x", policy=DEFAULT, user_inputs=JEAN)
    assert "sesame" not in {check.key for check in verdict.checks}


def test_a_plain_list_of_words_still_works():
    verdict = evaluate("dupont la menthe", "dupont la menthe", policy=DEFAULT,
                       user_inputs=["Jean", "Dupont", "jdupont"])
    assert "personal" in failing(verdict)


# --- Policy options ------------------------------------------------------------------------

OLD_SYSTEM = PasswordPolicy(min_length=6, max_length=15, allowed_characters="alphanumeric")


@pytest.mark.parametrize(("password", "broken"), [
    ("Kp9zWq2Lm4", set()),
    ("Éléphant42Zx", {"characters"}),
    ("abc!defGH12", {"characters"}),
    ("Kp9zWq2Lm4Rt8Yx3", {"max_length"}),
    ("Kp9zW", {"length", "strength"}),
    ("soleil2024", {"strength"}),
])
def test_an_old_system_policy_6_to_15_letters_and_digits(password, broken):
    verdict = evaluate(password, password, policy=OLD_SYSTEM, user_inputs=JEAN)
    assert failing(verdict) == broken


def test_restricted_characters_are_always_listed():
    verdict = evaluate("Kp9zWq2Lm4", "Kp9zWq2Lm4", policy=OLD_SYSTEM, user_inputs=JEAN)
    rule = next(check for check in verdict.checks if check.key == "characters")
    assert rule.passed and rule.label == "Uniquement des lettres sans accents et des chiffres"


def test_ascii_preset_refuses_accents_but_takes_symbols():
    policy = PasswordPolicy(allowed_characters="ascii")
    assert "characters" in failing(evaluate("Éléphant rose!", "", policy=policy,
                                            user_inputs=JEAN))
    assert "characters" not in failing(evaluate("Elephant rose!", "", policy=policy,
                                                user_inputs=JEAN))


def test_an_explicit_character_set():
    policy = PasswordPolicy(allowed_characters="abcdefghijklmnopqrstuvwxyz -")
    verdict = evaluate("cerise-tambour glacier", "", policy=policy, user_inputs=JEAN)
    assert "characters" not in failing(verdict)
    assert "characters" in failing(evaluate("Cerise", "", policy=policy, user_inputs=JEAN))


@pytest.mark.parametrize("character", ["\x00", "\n", "\t", "\u200b", "\u2028", "\ue000"])
def test_default_refuses_what_cannot_be_seen(character):
    password = f"cerise tambour{character}glacier boussole"
    assert failing(evaluate(password, password, policy=DEFAULT,
                            user_inputs=JEAN)) == {"characters"}


@pytest.mark.parametrize("password", ["cerise\u00a0tambour glacier !", "cerise 🍒 tambour glacier",
                                      "Ωmega ζêta ßeta ñandú"])
def test_default_takes_every_printable_character(password):
    verdict = evaluate(password, password, policy=DEFAULT, user_inputs=JEAN)
    assert "characters" not in {check.key for check in verdict.checks}


def test_default_character_rule_is_only_shown_when_broken():
    verdict = evaluate("cerise tambour", "", policy=DEFAULT, user_inputs=JEAN)
    assert "characters" not in {check.key for check in verdict.checks}


def test_minimum_score_is_configurable():
    password = "Vive les vacances 2024"
    assert evaluate(password, password, policy=PasswordPolicy(min_score=4),
                    user_inputs=JEAN).score == 4
    weak_enough = "Escalier2024!!!"  # a word, a year, symbols: « moyen »
    assert evaluate(weak_enough, weak_enough, policy=PasswordPolicy(min_score=2),
                    user_inputs=JEAN).acceptable
    assert not evaluate(weak_enough, weak_enough, policy=DEFAULT, user_inputs=JEAN).acceptable


def test_a_password_of_exactly_128_characters_is_accepted():
    password = ("cerise tambour glacier boussole " * 4)[:128]
    verdict = evaluate(password, password, policy=DEFAULT, user_inputs=JEAN)
    assert len(password) == 128 and verdict.acceptable


def test_zxcvbn_only_sees_the_scored_prefix():
    weak_start = "azertyuiop" * 4
    password = weak_start[:passwords.SCORED_PREFIX] + "k8#Vq2!xLp9$Rz4@wN7&"
    verdict = evaluate(password, password, policy=DEFAULT, user_inputs=JEAN)
    assert verdict.score <= 1, "what follows the prefix does not make it strong"


# --- Feedback: French, with English originals ----------------------------------------------


def zxcvbn_feedback_strings() -> set[str]:
    """Every string zxcvbn's feedback.py passes to gettext's _()."""
    source = Path(zxcvbn.__file__).with_name("feedback.py").read_text(encoding="utf-8")
    found = set()
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "_"):
            assert len(node.args) == 1 and isinstance(node.args[0], ast.Constant)
            found.add(node.args[0].value)
    return found


def test_every_zxcvbn_feedback_string_has_a_french_translation():
    emitted = zxcvbn_feedback_strings()
    assert len(emitted) >= 25
    missing = sorted(emitted - set(passwords.FEEDBACK_FR))
    assert missing == []
    for text in emitted:
        assert passwords.FEEDBACK_FR[text] != text


def test_the_translation_table_holds_only_strings_that_can_be_emitted():
    ours = set(estimator.OWN_WARNINGS.values()) | {mangling.SUGGESTION}
    assert set(passwords.FEEDBACK_FR) == zxcvbn_feedback_strings() | ours


FRENCH_TEXTS = [*passwords.FEEDBACK_FR.values(), *passwords.MESSAGES_FR.values()]


@pytest.mark.parametrize("text", FRENCH_TEXTS)
def test_french_typography(text):
    assert not re.search(r" [:;?!»]", text), "a plain space before : ; ? ! or »"
    assert "« " not in text and '"' not in text, "guillemets with non-breaking spaces"


def test_feedback_is_french_by_default_and_english_on_request():
    french = evaluate("soleil", "soleil", policy=DEFAULT, user_inputs=JEAN)
    english = evaluate("soleil", "soleil", policy=DEFAULT, user_inputs=JEAN, language="en")
    assert french.warning == "C'est l'un des 100 mots de passe les plus courants."
    assert english.warning == "This is a top-100 common password."
    assert (french.label, english.label) == ("très faible", "very weak")
    assert english.checks[0].label == "At least 12 characters"
    assert french.checks[0].label == "Au moins 12 caractères"
    assert french.suggestions == [passwords.FEEDBACK_FR[s] for s in english.suggestions]


@pytest.mark.parametrize(("password", "warning"), [
    ("soleil", "This is a top-100 common password."),
    ("azerty", "This is a top-10 common password."),
    ("jdupont", estimator.PERSONAL_WARNING),
    ("jdupont85", "A word linked to you (name, login, date) followed by two digits is "
                  "guessed in seconds."),
    ("montpellier", estimator.PLACES_WARNING),
    ("allezlesbleus", estimator.SPORTS_WARNING),
    ("grenouille", "A word by itself is easy to guess."),
    ("Dumouchel", "Names and surnames by themselves are easy to guess."),
    ('&é"\'(-è', "Straight rows of keys are easy to guess."),
])
def test_warnings_know_the_french_lists(password, warning):
    verdict = evaluate(password, password, policy=DEFAULT, user_inputs=JEAN, language="en")
    assert verdict.warning == warning


def test_labels_cover_every_score():
    assert [passwords.translate(label) for label in passwords.STRENGTH_LABELS] == [
        "très faible", "faible", "moyen", "fort", "très fort"]


# --- AZERTY --------------------------------------------------------------------------------


def test_azerty_graph_has_the_french_layout():
    graph = keyboards.AZERTY
    # left, upper-left, upper-right, right, lower-right, lower-left
    assert graph["a"] == [None, "&1", "é2", "zZ", "qQ", None]
    assert graph["q"] == [None, "aA", "zZ", "sS", "wW", "<>"]
    assert graph["é"][0] == "&1" and graph["é"][3] == '"3'
    assert graph["m"][3] == "ù%"
    assert len(graph) == keyboards.AZERTY_STARTING_POSITIONS == 95


@pytest.mark.parametrize("walk", ["azerty", "qsdfgh", "wxcvbn", '&é"\'(', "AZERTY", "QSDFGH",
                                  "WXCVBN", "12345", "poiuyt", "mlkjhg", "zsxdcf"])
def test_azerty_walks_are_recognised(walk):
    spatial = [m for m in matching.spatial_match(walk) if m["graph"] == "azerty"]
    assert any((m["i"], m["j"]) == (0, len(walk) - 1) for m in spatial)


@pytest.mark.parametrize("walk", ['&é"\'(-è_', "ùmlkjhg", "nbvcxw<", ")àç_è-("])
def test_an_azerty_walk_outside_any_list_scores_as_a_keyboard_walk(walk):
    verdict = evaluate(walk, walk, policy=DEFAULT, user_inputs=(), language="en")
    assert verdict.score <= 1
    assert verdict.warning in {"Straight rows of keys are easy to guess.",
                               "Short keyboard patterns are easy to guess."}


def test_azerty_walks_are_counted_with_keyboard_statistics():
    """zxcvbn would count a graph it does not know as a 15-key keypad: far too few guesses."""
    match = {"graph": "azerty", "token": "wxcvbn", "turns": 1, "shifted_count": 0}
    keypad_like = {**match, "graph": "keypad"}
    assert scoring.spatial_guesses(match) == keyboards.azerty_walk_guesses("wxcvbn", 1, 0)
    assert scoring.spatial_guesses(match) > 5 * scoring.spatial_guesses(keypad_like)


def test_a_shifted_first_key_counts_as_shifted():
    assert keyboards.azerty_walk_guesses("Azerty", 1, 0) > keyboards.azerty_walk_guesses(
        "azerty", 1, 0)
    assert keyboards.azerty_walk_guesses("AZERTY", 1, 5) == 2 * keyboards.azerty_walk_guesses(
        "azerty", 1, 0)


# --- The French lists and zxcvbn's extension -----------------------------------------------


def test_zxcvbn_is_the_version_the_estimator_was_written_for():
    assert metadata.version("zxcvbn") == estimator.ZXCVBN_VERSION


def test_french_dictionaries_are_installed_and_ranked():
    sizes = estimator._the_index().sizes
    for wordlist in dictionaries.FRENCH_LISTS:
        assert sizes[wordlist.name] > 100, wordlist.name
    ranks = estimator.dictionary_ranks
    assert ranks("azerty")["french_passwords"] < ranks("motdepasse")["french_passwords"] < 100
    assert ranks("martin")["french_surnames"] == 1
    assert ranks("paris")["french_places"] == 1


def test_leaked_french_passwords_and_daily_life_words_are_known():
    ranks = estimator.dictionary_ranks
    # The Richelieu list's order: its frequencies in the leaks.
    assert ranks("azerty")["french_passwords"] == 3
    assert ranks("doudou")["french_passwords"] < ranks("chocolat")["french_passwords"] < 50
    assert ranks("marseille13")["french_passwords"] < 1000
    for word in ("doudou", "loulou", "chouchou", "bisounours", "tartiflette", "herisson"):
        assert "french_daily_life" in ranks(word), word
    assert ranks("bisounours")["french_daily_life"] < 10


def test_entries_count_without_accents_and_run_together():
    places = [estimator.dictionary_ranks(form)["french_places"]
              for form in ("saint-étienne", "saintétienne", "saintetienne")]
    assert len(set(places)) == 1
    ranks = estimator.dictionary_ranks
    assert ranks("hélène")["french_first_names"] == ranks("helene")["french_first_names"]


def test_unranked_entries_share_the_middle_rank():
    tail = [estimator.dictionary_ranks(name)["french_surnames"]
            for name in ("abgrall", "zidane", "ziegler")]
    assert len(set(tail)) == 1
    assert tail[0] > estimator.dictionary_ranks("nguyen")["french_surnames"]


def test_every_data_file_is_documented_with_its_licence():
    folder = resources.files("wizard.passwords") / "data"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    files = {wordlist_file for wordlist in dictionaries.FRENCH_LISTS
             for wordlist_file in wordlist.files}
    on_disk = {item.name for item in folder.iterdir() if item.name.endswith(".txt")}
    assert files == on_disk
    for name in files:
        assert f"`{name}`" in readme
    assert "ODC-BY" in readme and "MIT" in readme and "CC BY 4.0" in readme


@pytest.fixture(scope="module")
def zxcvbn_own_dictionaries() -> dict[str, dict[str, int]]:
    """zxcvbn's English lists ranked as zxcvbn ranks them, then the French lists, then a
    person's words: in memory here, where the app looks them up in its index instead.

    The English lists are read from zxcvbn's own file, by path (the app's process holds a
    placeholder for that module), the French ones from wizard/passwords/data.
    """
    return {**word_index.ranked_dictionaries(),
            "user_inputs": matching.build_ranked_dict(["jean", "dupont", "montpellier34",
                                                       "1985", "ébène"])}


MATCHER_SAMPLES = ["Montpellier34!", "p@ssw0rd", "jeandupont1985", "azertyuiop", "lalalere",
                   "Ébène cœur", "xxxxxxxx", "12031985"]


@pytest.mark.parametrize("sample", MATCHER_SAMPLES)
def test_the_fast_dictionary_matcher_agrees_with_zxcvbn(sample, zxcvbn_own_dictionaries):
    expected = estimator.ORIGINAL_DICTIONARY_MATCH(sample, zxcvbn_own_dictionaries)
    # As zxcvbn calls it: RANKED_DICTIONARIES holds user_inputs only, the index the rest.
    as_called = {"user_inputs": zxcvbn_own_dictionaries["user_inputs"]}
    assert estimator.fast_dictionary_match(sample, as_called) == expected
    # Given the static lists too, it still takes them from the index: the same matches.
    assert estimator.fast_dictionary_match(sample, zxcvbn_own_dictionaries) == expected
    assert len(expected) > 0


@settings(max_examples=200, deadline=None)
@given(sample=st.one_of(st.text(max_size=32),
                        st.text(alphabet=st.sampled_from(list("azertyuiopmontpelliersoleil"
                                                              "1985@!İ ")), max_size=32)))
def test_the_fast_matchers_agree_with_zxcvbn_on_any_input(sample, zxcvbn_own_dictionaries):
    as_called = {"user_inputs": zxcvbn_own_dictionaries["user_inputs"]}
    assert estimator.fast_dictionary_match(sample, as_called) == \
        estimator.ORIGINAL_DICTIONARY_MATCH(sample, zxcvbn_own_dictionaries)
    reversed_sample = "".join(reversed(sample))
    assert estimator.fast_dictionary_match(reversed_sample, as_called) == \
        estimator.ORIGINAL_DICTIONARY_MATCH(reversed_sample, zxcvbn_own_dictionaries)


def scored_both_ways(password: str) -> tuple[dict, dict]:
    """zxcvbn's own scoring and ours, of the same matches (each its own copy)."""
    matching.add_frequency_lists({"user_inputs": ["jean", "dupont", "1985"]})
    matches = matching.omnimatch(password)
    theirs = estimator.ORIGINAL_MOST_GUESSABLE_MATCH_SEQUENCE(
        password, copy.deepcopy(matches))
    ours = estimator.fast_most_guessable_match_sequence(password, matches)
    return theirs, ours


def assert_same_score(theirs: dict, ours: dict) -> None:
    assert (str(ours["guesses"]), ours["guesses_log10"]) == \
        (str(theirs["guesses"]), theirs["guesses_log10"])
    assert ours["sequence"] == theirs["sequence"]  # every key: pattern, span, guesses…


@pytest.mark.parametrize("sample", [*MATCHER_SAMPLES, "a", "Cheval agrafe pile 42 lune",
                                    "abcabcabc1985", "qwertyuiop[]", "01/02/1990!!"])
def test_the_faster_scoring_agrees_with_zxcvbn(sample):
    assert_same_score(*scored_both_ways(sample))


@settings(max_examples=300, deadline=None)
@given(sample=st.one_of(st.text(min_size=1, max_size=32),
                        st.text(alphabet=st.sampled_from(list("azertyuiop19854@!. -éaaa")),
                                min_size=1, max_size=32)))
def test_the_faster_scoring_agrees_with_zxcvbn_on_any_input(sample):
    assert_same_score(*scored_both_ways(sample))


def test_the_faster_scoring_is_installed_where_zxcvbn_looks_for_it():
    assert scoring.most_guessable_match_sequence is \
        estimator.fast_most_guessable_match_sequence
    assert matching.most_guessable_match_sequence is \
        estimator.fast_most_guessable_match_sequence  # the repeat matcher's


@pytest.mark.parametrize(("password", "queries"), [
    ("Montpellier34!", 1), ("s0l31l!|7@4", 1), ("jeandupont1985", 1), ("abcabcabc", 1),
    ("p@p@p@p@soleil", 1),
    # A repeat whose base token has l33t readings of its own: fetched when met.
    ("6969696960{+!$7([7|[", 3)])
def test_the_prefetch_only_saves_queries(password, queries):
    hints = list(JEAN.hints)
    statements: list[str] = []
    connection = estimator._the_index()._connect()
    connection.set_trace_callback(statements.append)
    try:
        with policy._ZXCVBN_LOCK:
            prefetched = estimator.estimate(password, hints, 32)
            queries_prefetched = len(statements)
            plain = zxcvbn.zxcvbn(password, user_inputs=hints, max_length=32)
    finally:
        connection.set_trace_callback(None)
    for result in (prefetched, plain):
        del result["calc_time"]
    assert prefetched == plain
    # One query for the password, its reverse and its l33t readings, where zxcvbn alone
    # makes one per matcher call.
    assert queries_prefetched == queries < len(statements) - queries_prefetched


def test_l33t_matching_stays_cheap_on_many_substitutions():
    subtable = matching.relevant_l33t_subtable("4@8(3{[<691!|70$5+7%2", matching.L33T_TABLE)
    assert len(estimator._merged_substitutions(subtable)) <= \
        estimator.MAX_L33T_SUBSTITUTIONS
    # Still finds the word behind the substitutions.
    found = estimator.bounded_l33t_match("s0l31l!|7@4", matching.RANKED_DICTIONARIES)
    assert any(m["matched_word"] == "soleil" for m in found)


def test_recent_years_include_this_decade():
    found = matching.regex_match("motdepasse2024")
    assert [m["token"] for m in found if m["regex_name"] == "recent_year"] == ["2024"]


# --- Any input -----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(password=st.text(max_size=10_000), confirmation=st.text(max_size=50))
def test_no_input_raises(password, confirmation):
    verdict = evaluate(password, confirmation, policy=DEFAULT, user_inputs=JEAN)
    assert 0 <= verdict.score <= 4
    assert verdict.acceptable == (not verdict.empty and not failing(verdict))


TRICKY = st.text(alphabet=st.sampled_from(list("4@8(3{[<691!|70$5+7%2aeiolst .-/éÉ")),
                 max_size=200)


@settings(max_examples=100, deadline=None)
@given(password=TRICKY)
def test_no_l33t_or_date_soup_raises(password):
    evaluate(password, password, policy=DEFAULT, user_inputs=JEAN)


@settings(max_examples=100, deadline=None)
@given(first=st.text(max_size=40), last=st.text(max_size=40), login=st.text(max_size=20),
       email=st.one_of(st.none(), st.text(max_size=60)), sesame=st.one_of(st.none(),
                                                                           st.text(max_size=20)),
       password=st.text(max_size=80))
def test_any_person_any_password(first, last, login, email, sesame, password):
    words = personal_words(first, last, login, email, birth_date=None, sesame=sesame,
                           extra=[first + last])
    evaluate(password, password, policy=DEFAULT, user_inputs=words)


# --- argon2id ------------------------------------------------------------------------------

CHEAP = {"time_cost": 1, "memory_kib": 8, "parallelism": 1}


def test_hashes_are_argon2id_and_record_their_parameters():
    stored = passwords.hash_password(passwords.hasher(**CHEAP), "cerise tambour")
    assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_same_parameters_need_no_rehash():
    hasher = passwords.hasher(**CHEAP)
    stored = passwords.hash_password(hasher, "cerise tambour")
    assert not passwords.needs_rehash(hasher, stored)
    assert passwords.verify_and_upgrade(hasher, stored, "cerise tambour") == (True, None)


def test_changed_parameters_upgrade_the_hash_on_a_right_password():
    old = passwords.hash_password(passwords.hasher(**CHEAP), "cerise tambour")
    new_hasher = passwords.hasher(time_cost=2, memory_kib=16, parallelism=1)
    assert passwords.needs_rehash(new_hasher, old)
    matches, upgraded = passwords.verify_and_upgrade(new_hasher, old, "cerise tambour")
    assert matches and upgraded is not None
    assert upgraded.startswith("$argon2id$v=19$m=16,t=2,p=1$")
    assert passwords.verify_password(new_hasher, upgraded, "cerise tambour")
    assert not passwords.needs_rehash(new_hasher, upgraded)


def test_a_wrong_password_is_never_upgraded():
    old = passwords.hash_password(passwords.hasher(**CHEAP), "cerise tambour")
    new_hasher = passwords.hasher(time_cost=2, memory_kib=16, parallelism=1)
    assert passwords.verify_and_upgrade(new_hasher, old, "tambour cerise") == (False, None)


def test_an_argon2i_hash_is_upgraded_to_argon2id():
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.I).hash("x y z")
    matches, upgraded = passwords.verify_and_upgrade(passwords.hasher(**CHEAP), old, "x y z")
    assert matches and upgraded is not None and upgraded.startswith("$argon2id$")


def test_a_broken_hash_fails_and_asks_for_a_rehash():
    hasher = passwords.hasher(**CHEAP)
    assert passwords.needs_rehash(hasher, "not a hash")
    assert passwords.verify_and_upgrade(hasher, "not a hash", "x") == (False, None)


def test_verification_normalises_like_hashing():
    hasher = passwords.hasher(**CHEAP)
    stored = passwords.hash_password(hasher, "Éléphant")
    assert passwords.verify_password(hasher, stored, unicodedata.normalize("NFD", "Éléphant"))
