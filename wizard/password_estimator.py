"""zxcvbn 4.5.0 taught French: dictionaries, the AZERTY keyboard, recent years, bounded cost.

zxcvbn keeps its dictionaries, keyboards and matchers in module-level tables, and offers no
other way to extend them; `install()` adds to those tables once per process:

- the French lists of `password_dictionaries` join zxcvbn's ranked dictionaries;
- the AZERTY graph of `keyboards` joins its keyboards, and AZERTY walks are counted with
  AZERTY's own key statistics (zxcvbn would take any keyboard but QWERTY and Dvorak for a
  small numeric keypad, and undercount them);
- years up to 2099 are "recent years" (zxcvbn 4.5.0 stops at 2019: « motdepasse2024 »);
- the dictionary matcher looks each substring up once in a merged index, instead of once
  per dictionary (13 of them now), and only up to the longest word's length;
- the l33t matcher, which tries every combination of substitutions (576 of them, and 0.2 to
  0.8 s, for 20 to 40 characters drawn from "4@8(3{[<691!|70$5+7%2"), tries at most
  `MAX_L33T_SUBSTITUTIONS`, and only looks up substrings holding a substitution.

Matches and scores are zxcvbn's own otherwise: a test checks that the dictionary matcher
finds exactly what zxcvbn's finds.

Everything here is written against zxcvbn 4.5.0 exactly (pinned in pyproject.toml; a test
checks the version): an upgrade means reading this module again.

`feedback()` chooses zxcvbn's advice for a scored sequence, knowing the French lists too. Its
strings are zxcvbn's English originals (plus a few of ours): passwords.py translates them.
"""

from __future__ import annotations

import itertools
import math
import re
import time

from zxcvbn import feedback as zxcvbn_feedback
from zxcvbn import matching, scoring

from . import keyboards
from .password_dictionaries import KIND_OF_DICTIONARY, french_dictionaries

ZXCVBN_VERSION = "4.5.0"

# At most this many substitution tables are tried by the l33t matcher. Eight covers every
# password with up to three ambiguous l33t characters; beyond, see _merged_substitutions.
MAX_L33T_SUBSTITUTIONS = 8

RECENT_YEAR = re.compile(r"19\d\d|20\d\d")

# How feedback should read a match in one of our dictionaries: as zxcvbn's list of the
# same nature, so that its own advice applies (« top-10 common password », « a word by
# itself »…). Places, sports and the person's own words get advice of ours instead.
_AS_ZXCVBN_DICTIONARY = {"passwords": "passwords", "words": "english_wikipedia",
                         "names": "surnames"}

# Our own warnings, in English like zxcvbn's; passwords.FEEDBACK_FR translates them.
PERSONAL_WARNING = ("Your name, login, email address, date of birth or institution are "
                    "easy to guess.")
PLACES_WARNING = "Names of places are easy to guess."
SPORTS_WARNING = "Names of sports clubs and players are easy to guess."
OWN_WARNINGS = {"user_inputs": PERSONAL_WARNING, "places": PLACES_WARNING,
                "sports": SPORTS_WARNING}

# zxcvbn's own functions, kept before install() replaces them (the tests compare with them).
ORIGINAL_DICTIONARY_MATCH = matching.dictionary_match
_original_spatial_guesses = scoring.spatial_guesses


def _spatial_guesses(match: dict) -> float:
    """zxcvbn's spatial estimate, with AZERTY walks counted as keyboard walks."""
    if match["graph"] == "azerty":
        return keyboards.azerty_walk_guesses(match["token"], match["turns"],
                                             match["shifted_count"])
    return _original_spatial_guesses(match)


def _merged_substitutions(subtable: dict[str, list[str]]) -> list[dict[str, str]]:
    """Substitution tables that read every l33t character present at once.

    zxcvbn lets each letter stand for one of its l33t characters per table (« a » is « 4 »
    or « @ », never both), which multiplies tables. Here all are read together (« 4 » and
    « @ » both mean « a »), and only the characters that stand for two letters (« 1 » and
    « | »: i or l; « 7 »: l or t) multiply the tables: eight at most.
    """
    letters_of: dict[str, list[str]] = {}
    for letter, characters in subtable.items():
        for character in characters:
            letters_of.setdefault(character, []).append(letter)
    characters = sorted(letters_of)
    choices = [letters_of[character] for character in characters]
    return [dict(zip(characters, chosen, strict=True))
            for chosen in itertools.islice(itertools.product(*choices),
                                           MAX_L33T_SUBSTITUTIONS)]


_USER_INPUTS = "user_inputs"

# The static dictionaries merged into one index, so that each substring costs one lookup
# instead of one per dictionary: word -> (order, dictionary, rank, order, dictionary, rank…),
# flat, in the dictionaries' order. A flat tuple of strings and integers is something
# Python's garbage collector stops tracking: 130,000 lists would add ~30 ms to every full
# collection. Rebuilt when the set of dictionaries changes; user_inputs, which change per
# call, stay apart.
_merged: tuple[tuple, dict[str, tuple], int] | None = None


def _static_index(dictionaries: dict[str, dict[str, int]]) -> tuple[dict[str, tuple], int]:
    """The merged index of every dictionary but user_inputs, and its longest word."""
    global _merged
    key = tuple((name, id(ranked), len(ranked)) for name, ranked in dictionaries.items()
                if name != _USER_INPUTS)
    if _merged is None or _merged[0] != key:
        index: dict[str, tuple] = {}
        for order, (name, ranked) in enumerate(dictionaries.items()):
            if name != _USER_INPUTS:
                for word, rank in ranked.items():
                    index[word] = index.get(word, ()) + (order, name, rank)
        _merged = (key, index, max(map(len, index), default=0))
    return _merged[1], _merged[2]


def _substring_matches(password: str, dictionaries: dict[str, dict[str, int]],
                       must_cover: list[int] | None = None) -> list[dict]:
    """Dictionary matches of every substring, as zxcvbn's `dictionary_match` finds them.

    Only substrings no longer than the longest word are looked up; with `must_cover`
    (sorted positions), only those that contain one of the positions.
    """
    index, longest = _static_index(dictionaries)
    user = dictionaries.get(_USER_INPUTS) or {}
    user_order = list(dictionaries).index(_USER_INPUTS) if user else -1
    longest = max(longest, max(map(len, user), default=0))
    lowered = password.lower()
    length = len(password)
    next_covered = [length] * (length + 1)
    if must_cover is not None:
        cover = set(must_cover)
        for k in range(length - 1, -1, -1):
            next_covered[k] = k if k in cover else next_covered[k + 1]
    matches = []
    for i in range(length):
        first_j = next_covered[i] if must_cover is not None else i
        for j in range(first_j, min(length, i + longest)):
            word = lowered[i:j + 1]
            flat = index.get(word, ())
            if not flat and word not in user:
                continue
            entries = [flat[k:k + 3] for k in range(0, len(flat), 3)]
            if word in user:
                entries = sorted([*entries, (user_order, _USER_INPUTS, user[word])])
            for _order, name, rank in entries:
                matches.append({"pattern": "dictionary", "i": i, "j": j,
                                "token": password[i:j + 1], "matched_word": word,
                                "rank": rank, "dictionary_name": name,
                                "reversed": False, "l33t": False})
    return matches


def fast_dictionary_match(password: str, _ranked_dictionaries=None) -> list[dict]:
    """zxcvbn's `dictionary_match`, same matches in the same order, one lookup a substring."""
    if _ranked_dictionaries is None:
        _ranked_dictionaries = matching.RANKED_DICTIONARIES
    return _substring_matches(password, _ranked_dictionaries)


def bounded_l33t_match(password: str, _ranked_dictionaries=None,
                       _l33t_table=matching.L33T_TABLE) -> list[dict]:
    """zxcvbn's l33t matcher, trying `MAX_L33T_SUBSTITUTIONS` substitution tables at most.

    Only substrings holding a substituted character are looked up: the others are plain
    dictionary matches, which zxcvbn's matcher finds and then throws away.
    """
    if _ranked_dictionaries is None:
        _ranked_dictionaries = matching.RANKED_DICTIONARIES
    subtable = matching.relevant_l33t_subtable(password, _l33t_table)
    if not subtable:
        return []
    if math.prod(len(characters) for characters in subtable.values()) \
            <= MAX_L33T_SUBSTITUTIONS:
        substitutions = matching.enumerate_l33t_subs(subtable)
    else:
        substitutions = _merged_substitutions(subtable)
    matches = []
    for substitution in substitutions:
        if not substitution:
            break
        subbed = matching.translate(password, substitution)
        covered = [k for k, character in enumerate(password) if character in substitution]
        for match in _substring_matches(subbed, _ranked_dictionaries, covered):
            token = password[match["i"]:match["j"] + 1]
            if token.lower() == match["matched_word"]:
                continue  # no actual substitution: the plain dictionary matcher has it
            used = {character: letter for character, letter in substitution.items()
                    if character in token}
            match.update(l33t=True, token=token, sub=used,
                         sub_display=", ".join(f"{k} -> {v}" for k, v in used.items()))
            matches.append(match)
    matches = [match for match in matches if len(match["token"]) > 1]
    return sorted(matches, key=lambda match: (match["i"], match["j"]))


_installed = False
# How long install() took in this process (reading the lists, merging the index): the
# start-up cost of the French dictionaries, printed by scripts/bench_strength.py.
install_seconds = 0.0


def install() -> None:
    """Teach zxcvbn French, AZERTY and recent years, and bound its cost; once per process."""
    global _installed, install_seconds
    if _installed:
        return
    started = time.perf_counter()
    matching.RANKED_DICTIONARIES.update(french_dictionaries())
    matching.GRAPHS["azerty"] = keyboards.AZERTY
    matching.REGEXEN["recent_year"] = RECENT_YEAR
    # All three are looked up by name at call time, also by the recursive scoring of repeats.
    matching.dictionary_match = fast_dictionary_match
    matching.l33t_match = bounded_l33t_match
    scoring.spatial_guesses = _spatial_guesses
    _static_index(matching.RANKED_DICTIONARIES)  # build the merged index now, not mid-request
    _installed = True
    install_seconds = time.perf_counter() - started


def _kind(match: dict) -> str | None:
    name = match.get("dictionary_name")
    if name == "user_inputs":
        return "user_inputs"
    return KIND_OF_DICTIONARY.get(name or "")


def _as_zxcvbn_sees_it(match: dict) -> dict:
    kind = _kind(match)
    if kind in _AS_ZXCVBN_DICTIONARY:
        return {**match, "dictionary_name": _AS_ZXCVBN_DICTIONARY[kind]}
    return match


def feedback(score: int, sequence: list[dict]) -> tuple[str, list[str]]:
    """zxcvbn's warning and suggestions (English) for a scored sequence, French lists known."""
    advice = zxcvbn_feedback.get_feedback(score, [_as_zxcvbn_sees_it(m) for m in sequence])
    warning = advice.get("warning") or ""
    if score <= 2 and sequence:
        # zxcvbn's own choice: the longest match, the first of equals.
        longest = sequence[0]
        for match in sequence[1:]:
            if len(match["token"]) > len(longest["token"]):
                longest = match
        if longest.get("pattern") == "dictionary":
            warning = OWN_WARNINGS.get(_kind(longest) or "", warning)
    return warning, list(advice.get("suggestions") or [])
