"""How crackers mangle words: « Soleil2025!!! » counted as a word plus a rule, not as three
independent pieces.

zxcvbn multiplies the guesses of each piece of a password (word × year × repeated symbol,
times the factorial of their number, plus 10^4 per extra piece), as if an attacker tried
every combination blindly: « Soleil2025!!! » comes out at 10^8 guesses, « fort ». Real
crackers apply a few hundred mangling rules to ranked word lists (hashcat's best64,
OneRuleToRuleThemAll, PRINCE): « a common word, capitalised, then a year, then !!! » is one
rule, and such a password falls within their first 10^5 to 10^7 guesses.

`assess()` is a pass after zxcvbn's estimate. It reads a password as prefix + base + suffix,
where

- the base is one entry of a ranked dictionary (the index's: zxcvbn's English lists and the
  French ones, names, places, clubs, daily-life words; or the person's own words), in any
  case and with l33t substitutions, or two such entries run together;
- each affix is made of digits and symbols only, read as a sequence of pieces from a small
  rule table (`affix_guesses`): a year 1940–2039 or two digits (100 each), a date (ddmm,
  ddmmyy, ddmmyyyy), a postcode (« 31000 »: 100; others: 6,000) or an overseas
  département number, a common
  run (123, 1234…, 0000, 007), any other digit run (10^length), a symbol repeated
  (« ! », « !! », « !!! »: the symbol's rank times the count);

and counts its guesses as rank of the base × case and l33t variations (zxcvbn's own
formulas) × the guesses of the affixes × 4 per extra piece (which kind comes next) × 2 for
a prefix (suffixes are the rules tried first) × 2 when both sides have one. The estimate
kept is the lower of this one and zxcvbn's (this one only counts when it lowers the score).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zxcvbn import matching, scoring, time_estimates

from wizard.passwords import estimator
from wizard.passwords.dictionaries import KIND_OF_DICTIONARY

# Longest affix read (a date and symbols fit); a longer run of digits and symbols is left
# to zxcvbn.
MAX_AFFIX = 16
# How far a base may reach into the runs of digits and symbols around it (l33t letters,
# « Soleil13 » from the leaks): it bounds the cuts tried (5 × 5 at most).
MAX_BASE_INTO_RUN = 4
# zxcvbn's score thresholds (time_estimates.guesses_to_score): a score s means at least
# SCORE_FLOORS[s] guesses.
SCORE_FLOORS = (0, 1e3 + 5, 1e6 + 5, 1e8 + 5, 1e10 + 5)
# A base shorter than this is not a word someone builds a password on.
MIN_BASE = 3

# The cost of each piece after the first in an affix: which kind of piece comes next.
NEXT_PIECE = 4
# A prefix rule is tried after the suffix ones; both sides, after either.
PREFIX_FACTOR = 2
BOTH_SIDES_FACTOR = 2

# Symbols people append, most common first: rank = position (1 for « ! »).
COMMON_SYMBOLS = "!.*?@#$&-_+ /%=,;:€)"
OTHER_ASCII_SYMBOL = 33
OTHER_SYMBOL = 100

# Digit runs a rule table holds, most common first (rank = position).
COMMON_DIGITS = ("1", "123", "12", "1234", "123456", "12345", "0", "2", "01", "007", "69",
                 "13", "00", "11", "123456789", "1234567", "12345678", "000", "111", "666",
                 "777", "321", "4321", "54321", "1234567890", "0000", "1111", "2222", "999",
                 "22", "99", "88", "77", "33", "44", "55", "66", "456", "789", "10", "101")
_COMMON_DIGIT_RANK = {run: rank for rank, run in enumerate(COMMON_DIGITS, start=1)}

YEARS = range(1940, 2040)
_DAYS = 366
_LETTER = re.compile(r"[^\W\d_]")  # a letter of any script


@dataclass(frozen=True)
class Piece:
    """One piece of an affix: its text, its kind (see _DESCRIPTIONS) and its guesses."""

    text: str
    kind: str
    guesses: int


@dataclass(frozen=True)
class Mangled:
    """A password read as prefix + base + suffix, and what a rule-based cracker pays."""

    base: str
    base_kind: str  # passwords, words, names, places, sports, user_inputs, two words
    prefix: tuple[Piece, ...]
    suffix: tuple[Piece, ...]
    guesses: int

    @property
    def score(self) -> int:
        return int(time_estimates.guesses_to_score(self.guesses))

    def warning(self, language: str = "fr") -> str:
        """The pattern, named: « Un mot courant suivi d'une année et de points
        d'exclamation se devine en quelques secondes. »"""
        return describe(self, language)


# --- Affixes -------------------------------------------------------------------------------


def _symbol_rank(symbol: str) -> int:
    position = COMMON_SYMBOLS.find(symbol)
    if position >= 0:
        return position + 1
    return OTHER_ASCII_SYMBOL if symbol.isascii() else OTHER_SYMBOL


def _is_date(digits: str) -> bool:
    day, month = int(digits[:2]), int(digits[2:4])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    return len(digits) != 8 or int(digits[4:]) in YEARS


def _digit_pieces(text: str) -> list[Piece]:
    """The readings of a run of digits as one piece, each with its guesses."""
    length = len(text)
    readings = [Piece(text, "two digits" if length == 2 else "digits", 10 ** length)]
    run = length >= 3 and (len(set(text)) == 1 or _is_sequence(text))
    if text in _COMMON_DIGIT_RANK:
        kind = "sequence" if run else "two digits" if length == 2 else "digits"
        readings.append(Piece(text, kind, _COMMON_DIGIT_RANK[text]))
    elif run:
        readings.append(Piece(text, "sequence", (10 if len(set(text)) == 1 else 20) * length))
    if length == 4 and int(text) in YEARS:
        readings.append(Piece(text, "year", 100))
    if length in (4, 6, 8) and _is_date(text):
        readings.append(Piece(text, "date", _DAYS * (1 if length == 4 else 100)))
    if length == 5 and (1 <= int(text[:2]) <= 95 or text[:2] == "97"):
        # A city's main postcode (« 31000 »), or one of France's 6,000 or so others.
        readings.append(Piece(text, "postcode", 100 if text.endswith("000") else 6000))
    if length == 3 and text.startswith("97") and text[2] in "123456":
        readings.append(Piece(text, "departement", 10))
    return readings


def _is_sequence(text: str) -> bool:
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return steps in ({1}, {-1})


def _pieces_at(text: str, start: int) -> list[Piece]:
    """Every piece that may begin at `start` in an affix."""
    character = text[start]
    if character.isdigit():
        end = start
        while end < len(text) and text[end].isdigit():
            end += 1
        readings = []
        for stop in range(start + 1, end + 1):
            readings += _digit_pieces(text[start:stop])
        return readings
    readings = []
    stop = start
    while stop < len(text) and text[stop] == character:
        stop += 1
        count = stop - start
        readings.append(Piece(text[start:stop], "exclamation" if character == "!" else "symbol",
                              _symbol_rank(character) * count))
    return readings


def affix_guesses(text: str, ceiling: float = float("inf")
                  ) -> tuple[int, tuple[Piece, ...]] | None:
    """The fewest guesses a rule table needs for `text` (digits and symbols), and its pieces;
    None when it is no affix (a letter, too long, or `ceiling` guesses or more)."""
    if not text:
        return 1, ()
    if len(text) > MAX_AFFIX or _LETTER.search(text) or not text.isprintable():
        return None
    # best[i]: the cheapest reading of text[:i] (guesses, pieces).
    best: list[tuple[int, tuple[Piece, ...]] | None] = [None] * (len(text) + 1)
    best[0] = (1, ())
    for start in range(len(text)):
        known = best[start]
        if known is None:
            continue
        guesses, pieces = known
        for piece in _pieces_at(text, start):
            total = guesses * piece.guesses * (NEXT_PIECE if pieces else 1)
            if total >= ceiling:
                continue
            end = start + len(piece.text)
            if best[end] is None or total < best[end][0]:  # type: ignore[index]
                best[end] = (total, (*pieces, piece))
    return best[len(text)]


# --- Bases ---------------------------------------------------------------------------------


def _kind_of(dictionary: str) -> str:
    if dictionary == "user_inputs":
        return "user_inputs"
    if dictionary in KIND_OF_DICTIONARY:
        return KIND_OF_DICTIONARY[dictionary]
    if dictionary == "passwords":
        return "passwords"
    if dictionary in ("male_names", "female_names", "surnames"):
        return "names"
    return "words"  # english_wikipedia, us_tv_and_film


def _best_entry(entries: list[tuple[str, int]]) -> tuple[int, str] | None:
    return min(((rank, _kind_of(name)) for name, rank in entries), default=None)


def _base_readings(core: str) -> list[tuple[str, dict]]:
    """(word to look up, zxcvbn-like match for the variations) for a base candidate: as
    typed, and read through each l33t substitution table."""
    readings = [(core.lower(), {"token": core, "l33t": False})]
    # Each reading's table holds only characters of `core` (the whole token).
    readings += [(subbed.lower(), {"token": core, "l33t": True, "sub": substitution})
                 for substitution, subbed, _covered
                 in estimator._l33t_readings(core, matching.L33T_TABLE)]
    return readings


def _base_guesses(core: str, found: dict[str, list[tuple[str, int]]]
                  ) -> tuple[int, str] | None:
    """The fewest guesses for `core` as one dictionary entry (case and l33t varied) or two
    entries run together, with the kind of the base; None if it is neither."""
    best: tuple[int, str] | None = None
    for word, match in _base_readings(core):
        entry = _best_entry(found.get(word, []))
        if entry is not None:
            guesses = entry[0] * scoring.uppercase_variations(match) \
                * scoring.l33t_variations(match)
            best = min(best or (guesses, entry[1]), (guesses, entry[1]))
    if best is not None:
        return best
    lowered = core.lower()
    for cut in _cuts(lowered):
        first = _best_entry(found.get(lowered[:cut], []))
        second = _best_entry(found.get(lowered[cut:], []))
        if first is not None and second is not None:
            guesses = first[0] * second[0] * scoring.uppercase_variations({"token": core})
            best = min(best or (guesses, "two words"), (guesses, "two words"))
    return best


def _cuts(word: str) -> range:
    """Where a base may be cut into two words: both of MIN_BASE letters at least, letters
    only (« Papa1234567 » is a word and digits, not two words)."""
    if not word.isalpha():
        return range(0)
    return range(MIN_BASE, len(word) - MIN_BASE + 1)


def _candidates(password: str, ceiling: float) -> list[tuple[str, tuple, tuple, int]]:
    """(base, prefix pieces, suffix pieces, affixes' guesses) of each way to cut off a
    prefix and a suffix of digits and symbols, when the affixes alone cost less than
    `ceiling`."""
    lead = 0
    while lead < len(password) and not _LETTER.match(password[lead]):
        lead += 1
    if lead == len(password):
        return []  # no letter: no word to build on
    trail = 0
    while not _LETTER.match(password[len(password) - 1 - trail]):
        trail += 1
    prefixes = [(a, affix_guesses(password[:a], ceiling))
                for a in range(max(0, lead - MAX_BASE_INTO_RUN), min(lead, MAX_AFFIX) + 1)]
    suffixes = [(c, affix_guesses(password[len(password) - c:], ceiling))
                for c in range(max(0, trail - MAX_BASE_INTO_RUN), min(trail, MAX_AFFIX) + 1)]
    found = []
    for a, prefix in prefixes:
        for c, suffix in suffixes:
            if prefix is None or suffix is None or a + c == 0:
                continue
            core = password[a:len(password) - c]
            if len(core) < MIN_BASE:
                continue
            factor = (PREFIX_FACTOR if a else 1) * (BOTH_SIDES_FACTOR if a and c else 1)
            cost = prefix[0] * suffix[0] * factor
            if cost < ceiling:
                found.append((core, prefix[1], suffix[1], cost))
    return found


def assess(password: str, zxcvbn_guesses: float, user_inputs: list[str]) -> Mangled | None:
    """The password as a rule-based cracker reads it, when that gives a lower score than
    zxcvbn's estimate; else None (zxcvbn's estimate stands).

    Only readings below the floor of zxcvbn's score are looked for: that bound keeps the
    work small on long runs of digits and symbols. Call it under policy._ZXCVBN_LOCK, like
    the estimate (it reads the shared index).
    """
    score = int(time_estimates.guesses_to_score(float(zxcvbn_guesses)))
    ceiling = SCORE_FLOORS[score]
    candidates = _candidates(password, ceiling)
    if not candidates:
        return None
    words: set[str] = set()
    for core, _prefix, _suffix, _cost in candidates:
        words.update(word for word, _match in _base_readings(core))
        lowered = core.lower()
        words.update(lowered[:cut] for cut in _cuts(lowered))
        words.update(lowered[cut:] for cut in _cuts(lowered))
    found = estimator._the_index().fetch(sorted(words))
    personal = {str(word).lower(): rank for rank, word in enumerate(user_inputs, start=1)}
    for word in words & personal.keys():
        found[word] = [("user_inputs", personal[word]), *found.get(word, [])]
    best: Mangled | None = None
    for core, prefix, suffix, cost in candidates:
        base = _base_guesses(core, found)
        if base is None:
            continue
        guesses = base[0] * cost
        if guesses < ceiling and (best is None or guesses < best.guesses):
            best = Mangled(core, base[1], prefix, suffix, guesses)
    return best


# --- Naming the pattern --------------------------------------------------------------------

# (English, French, French plural?) for each kind of base.
_BASES = {
    "passwords": ("A common password", "Un mot de passe courant", False),
    "words": ("A common word", "Un mot courant", False),
    "names": ("A first name or surname", "Un prénom ou un nom", False),
    "places": ("A place name", "Un nom de lieu", False),
    "sports": ("A club's name", "Un nom de club", False),
    "user_inputs": ("A word linked to you (name, login, date)",
                    "Un mot qui vous est lié (nom, identifiant, date)", False),
    "two words": ("Two common words", "Deux mots courants", True),
}

# (English, French) for each kind of piece: one, then several of them.
_DESCRIPTIONS = {
    "year": (("a year", "d'une année"), ("years", "d'années")),
    "two digits": (("two digits", "de deux chiffres"), ("digits", "de chiffres")),
    "digits": (("digits", "de chiffres"), ("digits", "de chiffres")),
    "sequence": (("a sequence like 123", "d'une suite comme 123"),
                 ("sequences like 123", "de suites comme 123")),
    "date": (("a date", "d'une date"), ("dates", "de dates")),
    "postcode": (("a postcode", "d'un code postal"), ("postcodes", "de codes postaux")),
    "departement": (("a département number", "d'un numéro de département"),
                    ("département numbers", "de numéros de département")),
    "exclamation": (("an exclamation mark", "d'un point d'exclamation"),
                    ("exclamation marks", "de points d'exclamation")),
    "symbol": (("a symbol", "d'un symbole"), ("symbols", "de symboles")),
}

# Where the affixes are: English, French (the participle agrees with the base).
_POSITIONS = {"suffix": ("followed by", "suivi"), "prefix": ("preceded by", "précédé"),
              "both": ("surrounded by", "entouré")}


def _affix_phrase(pieces: tuple[Piece, ...], language: str) -> str:
    kinds: list[str] = []
    counts: dict[str, int] = {}
    for piece in pieces:
        kind = piece.kind
        if kind in ("exclamation", "symbol"):
            counts[kind] = counts.get(kind, 0) + len(piece.text)
        else:
            counts[kind] = counts.get(kind, 0) + 1
        if kind not in kinds:
            kinds.append(kind)
    if len(kinds) > 2:  # digits and symbols, whatever they are
        digits = [kind for kind in kinds if kind not in ("exclamation", "symbol")]
        kinds = ["digits", "symbol"] if len(digits) < len(kinds) else ["digits"]
        counts = {"digits": 2, "symbol": 2}
    column = 0 if language == "en" else 1
    phrases = [_DESCRIPTIONS[kind][counts[kind] > 1][column] for kind in kinds]
    return (" and " if language == "en" else " et ").join(phrases)


def describe(mangled: Mangled, language: str = "fr") -> str:
    """The warning for a mangled password, in French or English."""
    pieces = (*mangled.prefix, *mangled.suffix)
    position = ("both" if mangled.prefix and mangled.suffix
                else "prefix" if mangled.prefix else "suffix")
    english, french, plural = _BASES[mangled.base_kind]
    if language == "en":
        return (f"{english} {_POSITIONS[position][0]} {_affix_phrase(pieces, 'en')} "
                f"{'are' if plural else 'is'} guessed in seconds.")
    return (f"{french} {_POSITIONS[position][1]}{'s' if plural else ''} "
            f"{_affix_phrase(pieces, 'fr')} se devine{'nt' if plural else ''} en quelques "
            "secondes.")


SUGGESTION = ("Digits and symbols added to a word do not help much: use several unrelated "
              "words instead.")
SUGGESTION_FR = ("Des chiffres et des symboles ajoutés à un mot n'aident guère\u00a0: "
                 "préférez plusieurs mots sans rapport entre eux.")


def all_warnings() -> list[tuple[str, str]]:
    """Every (English, French) warning `describe` can write for one or two kinds of piece
    (three or more are described as digits and symbols): for the tests."""
    singles = [(Piece("!", kind, 1),) for kind in _DESCRIPTIONS]
    several = [(Piece("!!", kind, 1), Piece("!!", kind, 1)) for kind in _DESCRIPTIONS]
    pairs = [(Piece("!", first, 1), Piece("!", second, 1))
             for first in _DESCRIPTIONS for second in _DESCRIPTIONS if first != second]
    texts = []
    for kind in _BASES:
        for pieces in singles + several + pairs:
            for cut in (0, len(pieces), 1):
                mangled = Mangled("x", kind, pieces[:cut], pieces[cut:], 1)
                if pieces[:cut] or pieces[cut:]:
                    texts.append((describe(mangled, "en"), describe(mangled, "fr")))
    return list(dict.fromkeys(texts))

