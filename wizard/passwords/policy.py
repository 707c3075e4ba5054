"""Password rules and strength: the one place that decides whether a password will do.

The live meter and the server's decision on submit both call `evaluate`, so a password the
meter calls acceptable is accepted, and the reverse.

Strength is zxcvbn 4.5.0's estimate, taught French words, names, places, clubs and common
French passwords and the AZERTY keyboard (`estimator`), plus the words an attacker
would try first for this person (`personal_words`). Messages are written in English, the
language of zxcvbn's own, and translated through the tables below (`language="fr"`, the
default); English output is the original text.
"""

from __future__ import annotations

import string
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

# Not zxcvbn itself: the estimator must be imported first (it keeps zxcvbn's word lists
# out of memory) and estimate() is zxcvbn() with the dictionary lookups fetched at once.
from wizard.passwords import estimator, mangling

# zxcvbn's cost grows quickly with length and with how many patterns a string holds: it
# only ever sees this prefix of the (NFC) password; the rest still counts for the length,
# character and personal-word rules. With 32, the strength endpoint's p99 stays under 15 ms
# on the 2-core reference machine over ordinary and hostile inputs (scripts/bench_strength.py)
# and the slowest input a random search found scores in about 25 ms; with 40 the p99 reached
# 20 to 37 ms. 32 characters are three or four words of a passphrase, enough to tell a weak
# password from a strong one.
SCORED_PREFIX = 32

# zxcvbn stores each call's user_inputs in a module-level dictionary: two threads scoring at
# once would see each other's words. Scoring is short, so a lock is the simple cure.
_ZXCVBN_LOCK = threading.Lock()

STRENGTH_LABELS = ["very weak", "weak", "fair", "strong", "very strong"]

# Every string zxcvbn 4.5.0's feedback can emit, and the warnings we add, in French.
# A test reads zxcvbn/feedback.py to check that none is missing.
FEEDBACK_FR = {
    "Use a few words, avoid common phrases.":
        "Utilisez quelques mots, en évitant les expressions courantes.",
    "No need for symbols, digits, or uppercase letters.":
        "Nul besoin de symboles, de chiffres ou de majuscules.",
    "Add another word or two. Uncommon words are better.":
        "Ajoutez un ou deux mots, de préférence peu courants.",
    "Straight rows of keys are easy to guess.":
        "Les rangées de touches du clavier sont faciles à deviner.",
    "Short keyboard patterns are easy to guess.":
        "Les motifs courts sur le clavier sont faciles à deviner.",
    "Use a longer keyboard pattern with more turns.":
        "Utilisez un motif de clavier plus long, avec plus de changements de direction.",
    'Repeats like "aaa" are easy to guess.':
        "Les répétitions comme «\u00a0aaa\u00a0» sont faciles à deviner.",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        "Les répétitions comme «\u00a0abcabcabc\u00a0» sont à peine plus difficiles à "
        "deviner que «\u00a0abc\u00a0».",
    "Avoid repeated words and characters.": "Évitez les mots et caractères répétés.",
    'Sequences like "abc" or "6543" are easy to guess.':
        "Les suites comme «\u00a0abc\u00a0» ou «\u00a06543\u00a0» sont faciles à deviner.",
    "Avoid sequences.": "Évitez les suites.",
    "Recent years are easy to guess.": "Les années récentes sont faciles à deviner.",
    "Avoid recent years.": "Évitez les années récentes.",
    "Avoid years that are associated with you.": "Évitez les années qui vous sont liées.",
    "Dates are often easy to guess.": "Les dates sont souvent faciles à deviner.",
    "Avoid dates and years that are associated with you.":
        "Évitez les dates et les années qui vous sont liées.",
    "This is a top-10 common password.":
        "C'est l'un des 10 mots de passe les plus courants.",
    "This is a top-100 common password.":
        "C'est l'un des 100 mots de passe les plus courants.",
    "This is a very common password.": "C'est un mot de passe très courant.",
    "This is similar to a commonly used password.":
        "Il ressemble à un mot de passe très utilisé.",
    "A word by itself is easy to guess.": "Un mot seul est facile à deviner.",
    "Names and surnames by themselves are easy to guess.":
        "Les prénoms et les noms seuls sont faciles à deviner.",
    "Common names and surnames are easy to guess.":
        "Les prénoms et noms courants sont faciles à deviner.",
    "Capitalization doesn't help very much.": "Les majuscules n'aident pas beaucoup.",
    "All-uppercase is almost as easy to guess as all-lowercase.":
        "Tout en majuscules est presque aussi facile à deviner que tout en minuscules.",
    "Reversed words aren't much harder to guess.":
        "Un mot à l'envers n'est guère plus difficile à deviner.",
    "Predictable substitutions like '@' instead of 'a' don't help very much.":
        "Les substitutions prévisibles, comme «\u00a0@\u00a0» au lieu de «\u00a0a\u00a0», "
        "n'aident pas beaucoup.",
    estimator.PERSONAL_WARNING:
        "Votre nom, votre identifiant, votre adresse électronique, votre date de naissance "
        "ou votre établissement sont faciles à deviner.",
    estimator.PLACES_WARNING: "Les noms de lieux sont faciles à deviner.",
    estimator.SPORTS_WARNING:
        "Les noms de clubs sportifs et de sportifs sont faciles à deviner.",
    mangling.SUGGESTION: mangling.SUGGESTION_FR,
}

# The meter's labels and the checklist, in French.
MESSAGES_FR = {
    "very weak": "très faible",
    "weak": "faible",
    "fair": "moyen",
    "strong": "fort",
    "very strong": "très fort",
    "At least {n} characters": "Au moins {n} caractères",
    "At most {n} characters": "Au plus {n} caractères",
    "Strong enough (at least “{label}”)":
        "Robustesse suffisante (au moins «\u00a0{label}\u00a0»)",
    "Contains neither your name, nor your first name, nor your login":
        "Ne contient ni votre nom, ni votre prénom, ni votre identifiant",
    "Does not contain your sésame": "Ne reprend pas votre sésame",
    "The confirmation matches": "La confirmation est identique",
    "Only printable characters (no tab, line break or control character)":
        "Uniquement des caractères imprimables (ni tabulation, ni retour à la ligne, ni "
        "caractère de contrôle)",
    "Only letters without accents, digits, spaces and plain symbols (no é, ç, €, £, §…)":
        "Uniquement des lettres sans accents, des chiffres, des espaces et des symboles "
        "simples (ni é, ni ç, ni €, ni £, ni §…)",
    "Only letters without accents and digits":
        "Uniquement des lettres sans accents et des chiffres",
    "Only these characters: {characters}": "Uniquement ces caractères\u00a0: {characters}",
}

LANGUAGES = ("fr", "en")

# PASSWORD_ALLOWED_CHARACTERS: a preset name, or else the exact characters allowed.
CHARACTER_PRESETS = {
    "printable": None,  # every printable character: see is_printable
    "ascii": frozenset(string.ascii_letters + string.digits + string.punctuation + " "),
    "alphanumeric": frozenset(string.ascii_letters + string.digits),
}
_PRESET_LABELS = {
    "printable": "Only printable characters (no tab, line break or control character)",
    "ascii": "Only letters without accents, digits, spaces and plain symbols (no é, ç, €, £, §…)",
    "alphanumeric": "Only letters without accents and digits",
}

# Control, format, surrogate, private-use, unassigned characters, line and paragraph
# separators: nothing a person can type and see. Every other character is allowed.
_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def translate(text: str, language: str = "fr") -> str:
    """`text` (an English original) in `language`; English, or unknown text, unchanged."""
    if language == "en":
        return text
    return FEEDBACK_FR.get(text) or MESSAGES_FR.get(text) or text


@dataclass(frozen=True)
class PasswordPolicy:
    """The institution's password rules."""

    min_length: int = 12
    max_length: int = 128
    min_score: int = 3
    # A key of CHARACTER_PRESETS, or the exact set of characters allowed (e.g. for older
    # systems that refuse accents or symbols).
    allowed_characters: str = "printable"


@dataclass(frozen=True)
class Check:
    """One rule of the checklist shown beside the meter."""

    key: str
    label: str
    passed: bool


@dataclass(frozen=True)
class Verdict:
    """Everything the meter shows and the server decides about a candidate password."""

    score: int
    label: str
    warning: str
    suggestions: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    empty: bool = False

    @property
    def acceptable(self) -> bool:
        """Whether every rule passes; the one condition for accepting the password."""
        return not self.empty and all(check.passed for check in self.checks)


@dataclass(frozen=True)
class PersonalWords:
    """What one person's password must not be built on.

    `names` and `login` are hard rules of the checklist (the password may not contain them),
    `sesame` too (it may not reuse the provisional code); `hints` are every word zxcvbn
    should count as known to an attacker (names, login, address, birth date, institution…),
    most telling first.
    """

    names: tuple[str, ...] = ()
    login: str = ""
    sesame: str = ""
    hints: tuple[str, ...] = ()


def normalize(password: str) -> str:
    """NFC-normalise, so that « é » typed two ways is one password."""
    return unicodedata.normalize("NFC", password)


def _loose(text: str) -> str:
    """Lowercase without accents, for "does it contain my name" comparisons."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_NAME_SEPARATORS = " -'’."
# Particles of compound surnames: too common to forbid on their own.
_PARTICLES = frozenset({"de", "du", "des", "la", "le", "les", "van", "von", "der", "den",
                        "del", "della", "di", "da", "dos", "das", "ben", "bin", "el", "al"})


def _name_forms(name: str) -> list[str]:
    """A name as written, run together, and its significant parts (3 letters or more)."""
    written = normalize(name).strip().lower()
    if not written:
        return []
    forms = [written, _run_together(written)]
    parts = written
    for separator in _NAME_SEPARATORS:
        parts = parts.replace(separator, " ")
    forms += [part for part in parts.split() if len(part) >= 3 and part not in _PARTICLES]
    return list(dict.fromkeys(form for form in forms if form))


def _run_together(name: str) -> str:
    return "".join(ch for ch in name if ch not in _NAME_SEPARATORS)


def _date_forms(birth_date: date | str | None) -> list[str]:
    """A birth date as people type it: 1985, 85, 12031985, 120385, 12/03/1985…"""
    if isinstance(birth_date, str):
        try:
            birth_date = date.fromisoformat(birth_date.strip())
        except ValueError:
            return []
    if not isinstance(birth_date, date):
        return []
    d, m, y = f"{birth_date.day:02d}", f"{birth_date.month:02d}", f"{birth_date.year:04d}"
    yy, d1, m1 = y[2:], str(birth_date.day), str(birth_date.month)
    forms = [y, d + m + y, d + m + yy, f"{d}/{m}/{y}", f"{d}/{m}/{yy}", f"{d}-{m}-{y}",
             f"{d}.{m}.{y}", y + m + d, f"{y}-{m}-{d}", d + m, d1 + m1 + y, f"{d1}/{m1}/{y}",
             m + d + y, m + y, yy]
    return list(dict.fromkeys(forms))


def personal_words(first_name: str, last_name: str, login: str, personal_email: str | None,
                   birth_date: date | str | None = None, sesame: str | None = None,
                   extra: Iterable[str] = ()) -> PersonalWords:
    """The words a password must not be built on, for one person.

    `extra` is words any password of the institution should avoid: its name, its city, its
    domain (PASSWORD_EXTRA_WORDS). Only names, login and sésame are hard rules; all of them
    make zxcvbn's estimate drop when they appear.
    """
    first_forms = _name_forms(first_name or "")
    last_forms = _name_forms(last_name or "")
    login = normalize(login or "").strip().lower()
    first = normalize(first_name or "").strip().lower()
    last = normalize(last_name or "").strip().lower()
    first_run, last_run = _run_together(first), _run_together(last)
    combinations = []
    if first and last:
        combinations = [f"{first}.{last}", first_run + last_run, last_run + first_run,
                        f"{last}.{first}", first_run[:1] + last_run, last_run + first_run[:1],
                        f"{first_run[:1]}.{last_run}", f"{first}{last_run[:1]}"]
    email_forms: list[str] = []
    if personal_email:
        local = normalize(personal_email).strip().lower().split("@")[0]
        pieces = local
        for separator in "._-+":
            pieces = pieces.replace(separator, " ")
        email_forms = [local] + [piece for piece in pieces.split() if len(piece) >= 3]
    sesame_forms: list[str] = []
    clean_sesame = ""
    if sesame:
        clean_sesame = normalize(sesame).strip()
        sesame_forms = [clean_sesame.lower(), _compact(clean_sesame)]
    extra_forms: list[str] = []
    for phrase in extra:
        extra_forms += _name_forms(phrase)
    hints = [login, *first_forms, *last_forms, *combinations, *email_forms,
             *_date_forms(birth_date), *sesame_forms, *extra_forms]
    hints += [_loose(hint) for hint in hints]  # « helene » for Hélène
    return PersonalWords(
        names=tuple(dict.fromkeys(first_forms + last_forms)),
        login=login,
        sesame=clean_sesame,
        # One or two letters would match inside any word; a two-digit year is worth it.
        hints=tuple(dict.fromkeys(hint for hint in hints
                                  if len(hint) >= 3 or (len(hint) == 2 and hint.isdigit()))),
    )


def _compact(text: str) -> str:
    """Lowercase, without spaces and dashes: a code as typed, however it was printed."""
    return "".join(ch for ch in _loose(text) if ch not in " -_.")


def is_printable(character: str) -> bool:
    """Whether a person can type and see this character (see _UNPRINTABLE_CATEGORIES)."""
    return unicodedata.category(character) not in _UNPRINTABLE_CATEGORIES


def _characters_check(password: str, policy: PasswordPolicy, language: str) -> Check | None:
    """The character rule; None when it is the default and the password keeps it."""
    setting = policy.allowed_characters or "printable"
    if setting in CHARACTER_PRESETS:
        allowed = CHARACTER_PRESETS[setting]
        label = translate(_PRESET_LABELS[setting], language)
    else:
        allowed = frozenset(normalize(setting))
        label = translate("Only these characters: {characters}", language).format(
            characters=" ".join(sorted(allowed)))
    if allowed is None:
        passed = all(is_printable(ch) for ch in password)
        return None if passed else Check("characters", label, False)
    return Check("characters", label, all(ch in allowed for ch in password))


def _as_personal_words(user_inputs: PersonalWords | Iterable[str]) -> PersonalWords:
    if isinstance(user_inputs, PersonalWords):
        return user_inputs
    words = tuple(word for word in user_inputs if word)
    return PersonalWords(names=tuple(word for word in words if len(word) >= 3), hints=words)


def evaluate(password: str, confirmation: str, *, policy: PasswordPolicy,
             user_inputs: PersonalWords | Iterable[str], language: str = "fr") -> Verdict:
    """Score a candidate and check every rule; never raises, whatever the input.

    `user_inputs` is what `personal_words` returns (a plain list of words is taken as
    names). zxcvbn sees the first SCORED_PREFIX characters only.
    """
    password = normalize(password)
    confirmation = normalize(confirmation)
    personal = _as_personal_words(user_inputs)
    if not password:
        return Verdict(score=0, label=translate(STRENGTH_LABELS[0], language), warning="",
                       empty=True, checks=_checks(password, confirmation, 0, policy,
                                                  personal, language))
    prefix = password[:SCORED_PREFIX]
    hints = list(personal.hints)
    with _ZXCVBN_LOCK:
        result = estimator.estimate(prefix, hints, SCORED_PREFIX)
        # A word with a year and « !!! » is one rule of a cracker's, not three pieces.
        mangled = mangling.assess(prefix, result["guesses"], hints)
    score = int(result["score"])
    if mangled is not None and mangled.score < score:
        score = mangled.score
    if mangled is not None and score <= 2:
        warning = mangled.warning(language)
        suggestions = [translate(mangling.SUGGESTION, language),
                       translate("Add another word or two. Uncommon words are better.",
                                 language)]
    else:
        english, advice = estimator.feedback(score, result["sequence"])
        warning = translate(english, language) if english else ""
        suggestions = [translate(s, language) for s in advice]
    return Verdict(
        score=score,
        label=translate(STRENGTH_LABELS[score], language),
        warning=warning,
        suggestions=suggestions,
        checks=_checks(password, confirmation, score, policy, personal, language),
    )


def _contains_personal(password: str, personal: PersonalWords) -> bool:
    loose = _loose(password)
    compact = "".join(ch for ch in loose if ch not in _NAME_SEPARATORS)
    words = [_loose(word) for word in personal.names if len(word) >= 3]
    if len(personal.login) >= 3:
        words.append(_loose(personal.login))
    return any(word in loose or word in compact for word in words)


def _checks(password: str, confirmation: str, score: int, policy: PasswordPolicy,
            personal: PersonalWords, language: str) -> list[Check]:
    _ = translate
    checks = [
        Check("length", _("At least {n} characters", language).format(n=policy.min_length),
              len(password) >= policy.min_length),
        Check("max_length", _("At most {n} characters", language).format(n=policy.max_length),
              len(password) <= policy.max_length),
    ]
    characters = _characters_check(password, policy, language)
    if characters is not None:
        checks.append(characters)
    strong = STRENGTH_LABELS[max(0, min(policy.min_score, 4))]
    checks += [
        Check("strength", _("Strong enough (at least “{label}”)", language).format(
            label=_(strong, language)), score >= policy.min_score),
        Check("personal",
              _("Contains neither your name, nor your first name, nor your login", language),
              bool(password) and not _contains_personal(password, personal)),
    ]
    sesame = _compact(personal.sesame)
    if sesame:
        checks.append(Check("sesame", _("Does not contain your sésame", language),
                            bool(password) and sesame not in _compact(password)))
    checks.append(Check("confirmation", _("The confirmation matches", language),
                        bool(password) and password == confirmation))
    return checks
