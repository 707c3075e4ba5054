"""Passwords, behind one door: the rules and the French-aware strength estimate
(`evaluate`), the words a password must not be built on (`personal_words`), and argon2id
hashing (`hasher`, `hash_password`, `verify_password`, `verify_and_upgrade`).

`install(directory)` opens (or builds) the word-list index; create_app calls it at start-up
with the instance folder. Importing this package opens nothing.
"""

from __future__ import annotations

from wizard.passwords.estimator import install
from wizard.passwords.hashing import (
    hash_password,
    hasher,
    needs_rehash,
    verify_and_upgrade,
    verify_password,
)
from wizard.passwords.policy import (
    FEEDBACK_FR,
    MESSAGES_FR,
    SCORED_PREFIX,
    STRENGTH_LABELS,
    Check,
    PasswordPolicy,
    PersonalWords,
    Verdict,
    evaluate,
    normalize,
    personal_words,
    translate,
)

__all__ = [
    "FEEDBACK_FR", "MESSAGES_FR", "SCORED_PREFIX", "STRENGTH_LABELS", "Check",
    "PasswordPolicy", "PersonalWords", "Verdict", "evaluate", "hash_password", "hasher",
    "install", "needs_rehash", "normalize", "personal_words", "translate",
    "verify_and_upgrade", "verify_password",
]
