"""Names and addresses: logins and institutional addresses made from names (one login
per person, ever), and what counts as a plausible e-mail address."""

from __future__ import annotations

import re

from wizard.text import fold

MAX_ADDRESS_LENGTH = 254

# Deliberately plain: a local part without spaces or controls, a dotted domain with a TLD.
# The verification mail is the real proof that the address works.
_ADDRESS = re.compile(r"^[^\s@<>()\[\]\\,;:\"]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                      r"[a-z]{2,63}$")


def normalize_address(text: str) -> str:
    """Trim an address as typed and lowercase its ASCII letters only: a non-ASCII letter
    stays as it is, so that the ASCII check refuses it (str.lower folds the Kelvin sign
    « \u212a » to « k » and the dotted « \u0130 » to « i̇ »: a look-alike address would
    pass)."""
    return "".join(ch.lower() if ch.isascii() else ch for ch in text.strip())


def is_plausible_address(text: str) -> bool:
    """Whether `text` (normalised) looks like a deliverable e-mail address."""
    if len(text) > MAX_ADDRESS_LENGTH or not text.isprintable() or not text.isascii():
        return False
    return _ADDRESS.fullmatch(text) is not None


# The login rules an institution may choose (LOGIN_RULE): how a stem is built from the
# first name and the surname, before LOGIN_MAX_LENGTH cuts it and digits tell homonyms apart.
LOGIN_RULES: dict[str, str] = {
    "initial_surname": "first letter of the first name, then the surname: jdupont",
    "surname_initial": "the surname, then the first letter of the first name: dupontj",
    "firstname_surname": "the first name, then the surname: jeandupont",
    "surname": "the surname alone: dupont",
}

DEFAULT_LOGIN_RULE = "initial_surname"

# What a generated login looks like: lowercase ASCII, a letter first, at most 32 characters
# (the directory's limit, digits included).
LOGIN_PATTERN = re.compile(r"^[a-z][a-z0-9]{0,31}$")

# Names a generated login never takes: system accounts and role mailboxes.
RESERVED_LOGINS = frozenset({
    "abuse", "admin", "administrateur", "administrator", "daemon", "guest",
    "hostmaster", "mail", "mailer", "noreply", "nobody", "operator", "postmaster", "root",
    "sesame", "support", "sys", "webmaster", "www",
})

# The local part of an address may hold 64 characters; a few are kept for the digit that
# tells homonyms apart.
MAX_LOCAL_PART = 60


def _letters(name: str) -> str:
    """A name folded to its ASCII letters only: apostrophes, spaces and hyphens dropped."""
    return "".join(ch for ch in fold(name) if "a" <= ch <= "z")


def login_stem(first_name: str, last_name: str, max_length: int = 8,
               rule: str = DEFAULT_LOGIN_RULE) -> str:
    """The login a person would get if it were free, by `rule`, `max_length` at most.

    Lowercase ASCII letters only (é→e, œ→oe, N'Diaye→ndiaye, Le Goff→legoff). A name
    without a usable letter contributes nothing; with no letter at all, "agent".
    """
    if rule not in LOGIN_RULES:
        raise ValueError(f"unknown login rule {rule!r}; choose one of {', '.join(LOGIN_RULES)}")
    if max_length < 1:
        raise ValueError("max_length must be at least 1")
    first, last = _letters(first_name), _letters(last_name)
    if rule == "initial_surname":
        stem = first[:1] + last
    elif rule == "surname_initial":
        stem = last[: max(max_length - 1, 1)] + first[:1]
    elif rule == "firstname_surname":
        stem = first + last
    else:
        stem = last or first
    return stem[:max_length] or "agent"


def address_local_part(first_name: str, last_name: str) -> str:
    """prenom.nom: hyphens kept in compound first names, spaces in surnames as hyphens.

    Apostrophes vanish (N'Diaye→ndiaye), accents fold (Éric→eric); at most 60 characters.
    """

    def part(name: str) -> str:
        words = fold(name).replace("'", "").split()
        cleaned = "-".join("".join(ch for ch in w if ch.isalnum() or ch == "-") for w in words)
        return "-".join(piece for piece in cleaned.split("-") if piece)

    local = f"{part(first_name)}.{part(last_name)}".strip(".")
    return local[:MAX_LOCAL_PART].rstrip(".-")


def first_free(stem: str, taken, start: int = 1) -> str:
    """`stem`, or stem2, stem3… the first that `taken(candidate)` says is free.

    `start` skips numbers already known to be taken (the allocator remembers them).
    """
    n = max(start, 1)
    candidate = stem if n == 1 else f"{stem}{n}"
    while taken(candidate):
        n += 1
        candidate = f"{stem}{n}"
    return candidate


class IdentityAllocator:
    """Hands out logins and institutional addresses, never one already given.

    Built once from every login and address ever given (people are never deleted), then
    asked for as many new people as needed: the bulk import checks thousands of names
    without a query each.
    """

    def __init__(self, *, domain: str, taken_logins: set[str], taken_addresses: set[str],
                 rule: str = DEFAULT_LOGIN_RULE, max_length: int = 8):
        self.domain = domain.lower()
        self.rule = rule
        self.max_length = max_length
        self._logins = set(taken_logins)
        self._addresses = {address.lower() for address in taken_addresses}
        # Where the search for a free number resumes, per stem: homonyms stay linear.
        self._next: dict[str, int] = {}
        login_stem("", "", max_length, rule)  # fail now on an unknown rule

    def _login_taken(self, candidate: str) -> bool:
        return candidate in self._logins or candidate in RESERVED_LOGINS

    def _address_taken(self, local: str) -> bool:
        return f"{local}@{self.domain}" in self._addresses

    def allocate(self, first_name: str, last_name: str) -> tuple[str, str]:
        """Reserve and return (login, institutional address) for a new person."""
        stem = login_stem(first_name, last_name, self.max_length, self.rule)
        login = first_free(stem, self._login_taken, self._next.get(f"l:{stem}", 1))
        self._next[f"l:{stem}"] = int(login[len(stem):] or 1)
        self._logins.add(login)
        local_stem = address_local_part(first_name, last_name) or login
        local = first_free(local_stem, self._address_taken, self._next.get(f"a:{local_stem}", 1))
        self._next[f"a:{local_stem}"] = int(local[len(local_stem):] or 1)
        address = f"{local}@{self.domain}"
        self._addresses.add(address)
        return login, address
