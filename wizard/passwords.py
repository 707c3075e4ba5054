"""Password rules, strength estimation and hashing: the one place that decides.

The live meter and the server's decision on submit both call `evaluate`, so a password the
meter calls acceptable is accepted, and the reverse.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

# zxcvbn's cost grows quickly with length (≈3 ms at 20 characters, up to 80 ms at 72 on
# these machines): it only ever sees this prefix. The rest still counts for the length rule.
SCORED_PREFIX = 40

# zxcvbn stores each call's user_inputs in a module-level dictionary: two threads scoring at
# once would see each other's words. Scoring is short, so a lock is the simple cure.
_ZXCVBN_LOCK = threading.Lock()

STRENGTH_LABELS = ["très faible", "faible", "moyen", "fort", "très fort"]

# Every string zxcvbn 4.5.0's feedback can emit, in French.
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
        "Les répétitions comme « aaa » sont faciles à deviner.",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        "Les répétitions comme « abcabcabc » sont à peine plus difficiles à deviner que "
        "« abc ».",
    "Avoid repeated words and characters.": "Évitez les mots et caractères répétés.",
    'Sequences like "abc" or "6543" are easy to guess.':
        "Les suites comme « abc » ou « 6543 » sont faciles à deviner.",
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
        "Les substitutions prévisibles, comme « @ » au lieu de « a », n'aident pas beaucoup.",
}


@dataclass(frozen=True)
class PasswordPolicy:
    """The institution's password rules."""

    min_length: int = 12
    max_length: int = 128
    min_score: int = 3


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


def normalize(password: str) -> str:
    """NFC-normalise, so that « é » typed two ways is one password."""
    return unicodedata.normalize("NFC", password)


def _translate(text: str) -> str:
    return FEEDBACK_FR.get(text, text)


def _personal_words(user_inputs: list[str]) -> list[str]:
    return [word.lower() for word in user_inputs if word and len(word) >= 3]


def evaluate(password: str, confirmation: str, *, policy: PasswordPolicy,
             user_inputs: list[str]) -> Verdict:
    """Score a candidate and check every rule; never raises, whatever the input."""
    password = normalize(password)
    confirmation = normalize(confirmation)
    if not password:
        return Verdict(score=0, label=STRENGTH_LABELS[0], warning="", empty=True,
                       checks=_checks(password, confirmation, 0, policy, user_inputs))
    with _ZXCVBN_LOCK:
        result = zxcvbn(password[:SCORED_PREFIX], user_inputs=user_inputs,
                        max_length=SCORED_PREFIX)
    score = int(result["score"])
    feedback = result["feedback"]
    return Verdict(
        score=score,
        label=STRENGTH_LABELS[score],
        warning=_translate(feedback.get("warning") or ""),
        suggestions=[_translate(s) for s in feedback.get("suggestions") or []],
        checks=_checks(password, confirmation, score, policy, user_inputs),
    )


def _checks(password: str, confirmation: str, score: int, policy: PasswordPolicy,
            user_inputs: list[str]) -> list[Check]:
    lowered = password.lower()
    personal = _personal_words(user_inputs)
    return [
        Check("length", f"Au moins {policy.min_length} caractères",
              len(password) >= policy.min_length),
        Check("max_length", f"Au plus {policy.max_length} caractères",
              len(password) <= policy.max_length),
        Check("strength", "Robustesse suffisante (au moins « fort »)",
              score >= policy.min_score),
        Check("personal", "Ne contient ni votre nom, ni votre prénom, ni votre identifiant",
              bool(password) and not any(word in lowered for word in personal)),
        Check("confirmation", "La confirmation est identique",
              bool(password) and password == confirmation),
    ]


def hasher(*, time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    """Return an argon2id hasher with these parameters."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hash_password(password_hasher: PasswordHasher, password: str) -> str:
    """Hash a (normalised) password as argon2id; the hash records its parameters."""
    return password_hasher.hash(normalize(password))


def verify_password(password_hasher: PasswordHasher, stored: str, password: str) -> bool:
    """Check a password against a stored hash; False for a wrong password or a bad hash."""
    try:
        return password_hasher.verify(stored, normalize(password))
    except (VerificationError, InvalidHashError):
        return False
