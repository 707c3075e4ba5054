"""Names and addresses: what counts as a plausible e-mail address."""

from __future__ import annotations

import re

MAX_ADDRESS_LENGTH = 254

# Deliberately plain: a local part without spaces or controls, a dotted domain with a TLD.
# The verification mail is the real proof that the address works.
_ADDRESS = re.compile(r"^[^\s@<>()\[\]\\,;:\"]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                      r"[a-z]{2,63}$")


def normalize_address(text: str) -> str:
    """Trim and lowercase an address as typed."""
    return text.strip().lower()


def is_plausible_address(text: str) -> bool:
    """Whether `text` (normalised) looks like a deliverable e-mail address."""
    if len(text) > MAX_ADDRESS_LENGTH or not text.isprintable() or not text.isascii():
        return False
    return _ADDRESS.fullmatch(text) is not None


_FOLD = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"}


def fold(text: str) -> str:
    """Fold to lowercase ASCII: accents dropped, œ→oe, æ→ae, ß→ss."""
    import unicodedata

    text = "".join(_FOLD.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and not unicodedata.combining(ch)
                   ).lower()


def login_stem(first_name: str, last_name: str, max_length: int = 8) -> str:
    """First letter of the first name, then the surname, letters only, `max_length` at most."""
    first = "".join(ch for ch in fold(first_name) if ch.isalnum())
    last = "".join(ch for ch in fold(last_name) if ch.isalnum())
    return (first[:1] + last)[:max_length] or "agent"


def address_local_part(first_name: str, last_name: str) -> str:
    """prenom.nom: hyphens kept in compound first names, spaces in surnames as hyphens."""

    def part(name: str) -> str:
        words = fold(name).replace("'", "").replace("’", "").split()
        cleaned = "-".join("".join(ch for ch in w if ch.isalnum() or ch == "-") for w in words)
        return "-".join(piece for piece in cleaned.split("-") if piece)

    return f"{part(first_name)}.{part(last_name)}".strip(".")


def first_free(stem: str, taken) -> str:
    """`stem`, or stem2, stem3… the first that `taken(candidate)` says is free."""
    candidate, n = stem, 1
    while taken(candidate):
        n += 1
        candidate = f"{stem}{n}"
    return candidate
