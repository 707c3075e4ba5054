"""zxcvbn 4.5.0 taught French: dictionaries, the AZERTY keyboard, recent years, bounded cost.

zxcvbn keeps its dictionaries, keyboards and matchers in module-level tables, and offers no
other way to extend them; `install()` adds to those tables once per process:

- the French lists of `dictionaries` join zxcvbn's English ones, after them;
- the AZERTY graph of `keyboards` joins its keyboards, and AZERTY walks are counted with
  AZERTY's own key statistics (zxcvbn would take any keyboard but QWERTY and Dvorak for a
  small numeric keypad, and undercount them);
- years up to 2099 are "recent years" (zxcvbn 4.5.0 stops at 2019: « motdepasse2024 »);
- both live in a read-only SQLite file (`word_index`), not in Python objects (30 MB a
  process): this module registers a placeholder for `zxcvbn.frequency_lists` before it
  imports zxcvbn, whose matching.py would otherwise rank the English lists into
  RANKED_DICTIONARIES at import; `install()` opens the file (built by a child process when
  missing), and RANKED_DICTIONARIES only ever holds the per-call `user_inputs`;
- the dictionary matcher looks the substrings of a password up in one query (the file's
  dictionaries come first, in their order, then those in memory), and only those no longer
  than the longest word that begin like a word (`word_index.PREFIX_LENGTH`: a fifth of
  them); `estimate()` fetches, before zxcvbn runs, every substring its matchers will look up
  (of the password, its reverse, its l33t readings), so that the matchers only query what
  a repeat's base token adds;
- the l33t matcher, which tries every combination of substitutions (576 of them, and 0.2 to
  0.8 s, for 20 to 40 characters drawn from "4@8(3{[<691!|70$5+7%2"), tries at most
  `MAX_L33T_SUBSTITUTIONS`, and only looks up substrings holding a substitution;
- the search for the most guessable sequence of matches does the same arithmetic with less
  work around it, a third faster (`fast_most_guessable_match_sequence`).

Matches and scores are zxcvbn's own otherwise: tests check that the dictionary matcher finds
exactly what zxcvbn's finds, and that the scoring gives exactly zxcvbn's result.

Everything here is written against zxcvbn 4.5.0 exactly (pinned in pyproject.toml; a test
checks the version): an upgrade means reading this module again.

`estimate()` is zxcvbn's own `zxcvbn()`, with the prefetch: call it, not zxcvbn, and under
policy._ZXCVBN_LOCK (zxcvbn stores user_inputs in a module-level table).

`feedback()` chooses zxcvbn's advice for a scored sequence, knowing the French lists too. Its
strings are zxcvbn's English originals (plus a few of ours): passwords.py translates them.
"""

from __future__ import annotations

import itertools
import math
import re
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from math import factorial
from pathlib import Path

from wizard.passwords import word_index

# Before zxcvbn is first imported, or its matching module loads the English lists: see above.
word_index.keep_zxcvbn_lists_out()

from zxcvbn import feedback as zxcvbn_feedback  # noqa: E402
from zxcvbn import matching, scoring  # noqa: E402
from zxcvbn import zxcvbn as zxcvbn_estimate  # noqa: E402

from wizard.passwords import keyboards  # noqa: E402
from wizard.passwords.dictionaries import KIND_OF_DICTIONARY  # noqa: E402

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
ORIGINAL_MOST_GUESSABLE_MATCH_SEQUENCE = scoring.most_guessable_match_sequence
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


# The index of the static dictionaries, opened by install(); user_inputs stay in memory.
_index: word_index.Index | None = None

# While estimate() runs: the words it fetched ahead (all it asked for, and the entries of
# those the index holds). Any correct answer may be kept here: it only saves queries.
_prefetched: tuple[set[str], dict[str, list[tuple[str, int]]]] | None = None

_BEGINNING = word_index.PREFIX_LENGTH


def _the_index() -> word_index.Index:
    if _index is None:
        install()
    assert _index is not None
    return _index


def _spans(password: str, longest: int, must_cover: list[int] | None = None,
           may_begin: Callable[[str], bool] | None = None) -> list[tuple[int, int, str]]:
    """(i, j, lowercased substring) of the substrings zxcvbn's matcher would look up.

    Only substrings no longer than `longest`; with `must_cover` (sorted positions), only those
    that contain one of the positions; with `may_begin`, only those whose first _BEGINNING
    characters it accepts (and the shorter ones): it says whether a word may begin so.
    zxcvbn slices the lowercased password with positions of the password itself, even where
    lowercasing changes the length (« İ »): so do we.
    """
    lowered = password.lower()
    length = len(password)
    ends = []
    for i in range(length):
        end = min(length, i + longest)
        if may_begin is not None and end - i >= _BEGINNING:
            beginning = lowered[i:i + _BEGINNING]
            if len(beginning) == _BEGINNING and not may_begin(beginning):
                end = i + _BEGINNING - 1  # only the substrings shorter than a beginning
        ends.append(end)
    if must_cover is None:
        return [(i, j, lowered[i:j + 1]) for i, end in enumerate(ends) for j in range(i, end)]
    cover = set(must_cover)
    first = list(range(length))
    following = length
    for k in range(length - 1, -1, -1):
        following = k if k in cover else following
        first[k] = following
    return [(i, j, lowered[i:j + 1]) for i, end in enumerate(ends)
            for j in range(first[i], end)]


def _static_spans(password: str, must_cover: list[int] | None = None
                  ) -> list[tuple[int, int, str]]:
    """The spans worth looking up in the index: the prefetch and the matchers both ask here,
    so that they agree on the words."""
    index = _the_index()
    return _spans(password, index.longest, must_cover, index.may_begin)


def _static_entries(words: list[str]) -> dict[str, list[tuple[str, int]]]:
    """word → (dictionary, rank) pairs of those of `words` the index holds (and maybe more)."""
    index = _the_index()
    prefetched = _prefetched
    if prefetched is None:
        return index.fetch(words)
    asked, found = prefetched
    missing = [word for word in words if word not in asked]
    if missing:
        found.update(index.fetch(missing))
        asked.update(missing)
    return found


def _substring_matches(password: str, dictionaries: dict[str, dict[str, int]],
                       must_cover: list[int] | None = None) -> list[dict]:
    """Dictionary matches of every substring, as zxcvbn's `dictionary_match` finds them.

    The index's dictionaries come first, in its order, then those of `dictionaries` it does
    not hold (user_inputs), in theirs: the order zxcvbn's own lookup would give, since the
    index's are the ones it loads at import and user_inputs is added by the first call.
    """
    index = _the_index()
    static = _static_spans(password, must_cover)
    found = _static_entries([word for _i, _j, word in static])
    matches = [{"pattern": "dictionary", "i": i, "j": j, "token": password[i:j + 1],
                "matched_word": word, "rank": rank, "dictionary_name": name,
                "reversed": False, "l33t": False}
               for i, j, word in static for name, rank in found.get(word, ())]
    in_memory = [(name, ranked) for name, ranked in dictionaries.items()
                 if name not in index.sizes and ranked]
    if in_memory:
        longest = max(max(map(len, ranked)) for _name, ranked in in_memory)
        beginnings = {word[:_BEGINNING] for _name, ranked in in_memory for word in ranked}
        for i, j, word in _spans(password, longest, must_cover, beginnings.__contains__):
            for name, ranked in in_memory:
                if word in ranked:
                    matches.append({"pattern": "dictionary", "i": i, "j": j,
                                    "token": password[i:j + 1], "matched_word": word,
                                    "rank": ranked[word], "dictionary_name": name,
                                    "reversed": False, "l33t": False})
        matches.sort(key=lambda match: (match["i"], match["j"]))  # stable: the index's first
    return matches


def fast_dictionary_match(password: str, _ranked_dictionaries=None) -> list[dict]:
    """zxcvbn's `dictionary_match`, same matches in the same order, one lookup a substring."""
    if _ranked_dictionaries is None:
        _ranked_dictionaries = matching.RANKED_DICTIONARIES
    return _substring_matches(password, _ranked_dictionaries)


def _l33t_readings(password: str,
                   l33t_table: dict[str, list[str]]) -> list[tuple[dict[str, str], str, list[int]]]:
    """The substitution tables the l33t matcher tries, each with the password read through
    it and the positions it changes: at most `MAX_L33T_SUBSTITUTIONS`."""
    subtable = matching.relevant_l33t_subtable(password, l33t_table)
    if not subtable:
        return []
    if math.prod(len(characters) for characters in subtable.values()) \
            <= MAX_L33T_SUBSTITUTIONS:
        substitutions = matching.enumerate_l33t_subs(subtable)
    else:
        substitutions = _merged_substitutions(subtable)
    readings = []
    for substitution in substitutions:
        if not substitution:
            break
        covered = [k for k, character in enumerate(password) if character in substitution]
        readings.append((substitution, matching.translate(password, substitution), covered))
    return readings


def bounded_l33t_match(password: str, _ranked_dictionaries=None,
                       _l33t_table=matching.L33T_TABLE) -> list[dict]:
    """zxcvbn's l33t matcher, trying `MAX_L33T_SUBSTITUTIONS` substitution tables at most.

    Only substrings holding a substituted character are looked up: the others are plain
    dictionary matches, which zxcvbn's matcher finds and then throws away.
    """
    if _ranked_dictionaries is None:
        _ranked_dictionaries = matching.RANKED_DICTIONARIES
    matches = []
    for substitution, subbed, covered in _l33t_readings(password, _l33t_table):
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


def _words_looked_up(password: str) -> set[str]:
    """Every word zxcvbn's matchers will look up in the index for `password`, repeats aside:
    its substrings, those of its reverse, and those of its l33t readings."""
    spans = _static_spans(password) + _static_spans("".join(reversed(password)))
    for _substitution, subbed, covered in _l33t_readings(password, matching.L33T_TABLE):
        spans += _static_spans(subbed, covered)
    return {word for _i, _j, word in spans}


def estimate(password: str, user_inputs: list[str], max_length: int) -> dict:
    """zxcvbn's result for `password`, its dictionary lookups fetched in one query first.

    Call it under policy._ZXCVBN_LOCK, like zxcvbn itself.
    """
    global _prefetched
    install()
    if len(password) <= max_length:  # else zxcvbn raises ValueError, as it should
        words = _words_looked_up(password)
        _prefetched = (words, _the_index().fetch(words))
    try:
        return zxcvbn_estimate(password, user_inputs=user_inputs, max_length=max_length)
    finally:
        _prefetched = None
        # zxcvbn leaves the person's words (their sésame among them) in a module table
        # until the next call: not kept beyond this one.
        matching.RANKED_DICTIONARIES.pop("user_inputs", None)


def dictionary_ranks(word: str) -> dict[str, int]:
    """dictionary → rank of `word` in each static dictionary holding it (for the tests)."""
    return _the_index().ranks(word)


def fast_most_guessable_match_sequence(password: str, matches: list[dict],
                                       _exclude_additive: bool = False) -> dict:
    """zxcvbn's `scoring.most_guessable_match_sequence`: the same result, a third faster.

    A fifth of the workers' time outside argon2id went into it (four estimates an
    activation). Same dynamic programme, same Decimal arithmetic in the same order (so the
    same roundings), same matches in the same order; what changes is the work around it:
    each match's guesses are estimated once rather than once per sequence length, the
    factorials and additive terms are computed once, a brute-force match is only built where
    it can extend a sequence (zxcvbn builds every [i..k] one and mostly skips it), and its
    guesses, which depend on its length only, are computed once per length. A test compares
    both over random and ordinary passwords.
    """
    n = len(password)
    matches_by_j: list[list[dict]] = [[] for _ in range(n)]
    try:
        for match in matches:
            matches_by_j[match["j"]].append(match)
    except TypeError:
        pass
    for ending_here in matches_by_j:
        ending_here.sort(key=lambda match: match["i"])

    best_m: list[dict[int, dict]] = [{} for _ in range(n)]
    best_pi: list[dict[int, Decimal]] = [{} for _ in range(n)]
    best_g: list[dict[int, Decimal]] = [{} for _ in range(n)]
    factorials = [factorial(length) for length in range(n + 2)]
    additive = [0 if _exclude_additive
                else scoring.MIN_GUESSES_BEFORE_GROWING_SEQUENCE ** (length - 1)
                for length in range(n + 2)]
    estimate_guesses = scoring.estimate_guesses
    extensible: list[list[int]] = []
    # A brute-force match's guesses depend on its length only: zxcvbn's bruteforce_guesses,
    # never below estimate_guesses' floor for a part of the password (it is one above it).
    by_length: dict[int, tuple[int, float, Decimal]] = {}

    def bruteforce(i: int, j: int) -> tuple[dict, Decimal]:
        length = j - i + 1
        known = by_length.get(length)
        if known is None:
            guesses = scoring.bruteforce_guesses({"token": password[i:j + 1]})
            known = by_length[length] = (guesses, math.log(guesses, 10), Decimal(guesses))
        return ({"pattern": "bruteforce", "token": password[i:j + 1], "i": i, "j": j,
                 "guesses": known[0], "guesses_log10": known[1]}, known[2])

    def update(match: dict, guesses: Decimal, length: int) -> None:
        k = match["j"]
        pi = guesses
        if length > 1:
            pi = pi * Decimal(best_pi[match["i"] - 1][length - 1])
        g = factorials[length] * pi
        if not _exclude_additive:
            g += additive[length]
        for competing_length, competing_g in best_g[k].items():
            if competing_length <= length and competing_g <= g:
                return
        best_g[k][length] = g
        best_m[k][length] = match
        best_pi[k][length] = pi

    for k in range(n):
        for match in matches_by_j[k]:
            guesses = estimate_guesses(match, password)
            if match["i"] > 0:
                for length in list(best_m[match["i"] - 1]):
                    update(match, guesses, length + 1)
            else:
                update(match, guesses, 1)
        # Brute force over [0..k], then over [i..k] after every sequence ending at i - 1
        # whose last match is not brute force (two in a row are never better than one).
        whole, guesses = bruteforce(0, k)
        update(whole, guesses, 1)
        for i in range(1, k + 1):
            if extensible[i - 1]:
                match, guesses = bruteforce(i, k)
                for length in extensible[i - 1]:
                    update(match, guesses, length + 1)
        # Sequences ending at k are final now: those a brute-force match may extend.
        extensible.append([length for length, last in best_m[k].items()
                           if last.get("pattern", False) != "bruteforce"])

    sequence: list[dict] = []
    k = n - 1
    length = None
    g = float("inf")
    for candidate_length, candidate_g in best_g[k].items():  # IndexError if empty, as zxcvbn
        if candidate_g < g:
            length, g = candidate_length, candidate_g
    while k >= 0:
        match = best_m[k][length]
        sequence.insert(0, match)
        k = match["i"] - 1
        length -= 1
    guesses = 1 if n == 0 else best_g[n - 1][len(sequence)]
    return {"password": password, "guesses": guesses, "guesses_log10": math.log(guesses, 10),
            "sequence": sequence}


_installed = False
# How long install() took in this process (opening the index, or building it when missing):
# the start-up cost of the dictionaries, printed by scripts/bench_strength.py.
install_seconds = 0.0


def install(directory: Path | None = None) -> None:
    """Teach zxcvbn French, AZERTY and recent years, and bound its cost; once per process.

    Opens the dictionaries' index in `directory` (create_app passes the instance folder;
    default: the instance folder from the environment), building it (in a child process)
    when it is missing: create_app calls this at start-up, so never mid-request; a caller
    that did not is served at its first estimate. Raises StrengthIndexError if it can be
    neither found nor built: passwords would be scored without any dictionary.
    """
    global _index, _installed, install_seconds
    if _installed:
        return
    started = time.perf_counter()
    _index = word_index.open_index(directory=directory)
    if word_index.real_frequency_lists_loaded():
        # zxcvbn was imported before this module, and loaded its lists: the index has them.
        for name in _index.names:
            matching.RANKED_DICTIONARIES.pop(name, None)
        matching.FREQUENCY_LISTS = {}
        sys.modules["zxcvbn.frequency_lists"].FREQUENCY_LISTS = {}  # type: ignore[attr-defined]
    matching.GRAPHS["azerty"] = keyboards.AZERTY
    matching.REGEXEN["recent_year"] = RECENT_YEAR
    # All three are looked up by name at call time, also by the recursive scoring of repeats.
    matching.dictionary_match = fast_dictionary_match
    matching.l33t_match = bounded_l33t_match
    scoring.spatial_guesses = _spatial_guesses
    # matching imported its own reference (the repeat matcher scores its base token).
    scoring.most_guessable_match_sequence = fast_most_guessable_match_sequence
    matching.most_guessable_match_sequence = fast_most_guessable_match_sequence
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
