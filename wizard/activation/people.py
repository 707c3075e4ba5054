"""The people HR registered: lookup and creation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from wizard.activation.names import IdentityAllocator
from wizard.clock import to_iso


@dataclass(frozen=True)
class Person:
    """A staff member as HR registered them."""

    id: int
    first_name: str
    last_name: str
    login: str
    institutional_email: str
    personal_email: str | None
    status: str
    last_link_sent_at: str | None
    language: str | None = None  # the language they last used the wizard in
    birth_date: str | None = None  # ISO, from the HR import; often unknown
    category: str | None = None  # HR's staff category (decides the services shown at the end)
    matricule: str | None = None  # HR's key (finds the directory entry by supannEmpId)

    @property
    def full_name(self) -> str:
        """First name then surname, as a letter would address them."""
        return f"{self.first_name} {self.last_name}"


def _from_row(row: dict) -> Person:
    return Person(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        login=row["login"],
        institutional_email=row["institutional_email"],
        personal_email=row["personal_email"],
        status=row["status"],
        last_link_sent_at=row["last_link_sent_at"],
        language=row.get("language"),
        birth_date=row.get("birth_date"),
        category=row.get("category"),
        matricule=row.get("matricule"),
    )


def get(db: Database, person_id: int) -> Person | None:
    """Return a person by id."""
    rows = list(db.query("SELECT * FROM people WHERE id = ?", [person_id]))
    return _from_row(rows[0]) if rows else None


def remember_language(db: Database, person_id: int, language: str) -> None:
    """Record the language the person uses the wizard in: their next mails are in it."""
    db.execute("UPDATE people SET language = ? WHERE id = ? AND language IS NOT ?",
               [language, person_id, language])


def find_by_login(db: Database, login: str) -> Person | None:
    """Return the person with this login (case-insensitive)."""
    rows = list(db.query("SELECT * FROM people WHERE login = ?", [login.strip().lower()]))
    return _from_row(rows[0]) if rows else None


def find_by_identifier(db: Database, identifier: str) -> Person | None:
    """Return the person whose login, institutional address or personal address is
    `identifier`.

    The personal address is the one newcomers know (they have no institutional one yet);
    a link only ever goes there, so accepting it reveals nothing. When several people
    share it (someone who left and came back), a pending one comes first.
    """
    wanted = identifier.strip().lower()
    if not wanted or len(wanted) > 320:
        return None
    rows = list(db.query(
        "SELECT * FROM people WHERE login = :wanted OR lower(institutional_email) = :wanted"
        " OR lower(personal_email) = :wanted"
        " ORDER BY lower(personal_email) = :wanted, status != 'pending', id",
        {"wanted": wanted}))
    return _from_row(rows[0]) if rows else None


def create(db: Database, *, first_name: str, last_name: str, login: str,
           institutional_email: str, personal_email: str | None, now: datetime,
           matricule: str | None = None, category: str | None = None,
           service: str | None = None) -> Person:
    """Register a person as pending; login and addresses are stored lowercase."""
    cursor = db.execute(
        "INSERT INTO people (matricule, first_name, last_name, login, institutional_email,"
        " personal_email, category, service, status, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
        [matricule, first_name, last_name, login.lower(), institutional_email.lower(),
         personal_email.lower() if personal_email else None, category, service, to_iso(now)],
    )
    person = get(db, cursor.lastrowid)
    assert person is not None
    return person


def identity_allocator(db: Database, *, domain: str, rule: str,
                       max_length: int) -> IdentityAllocator:
    """An allocator that knows every login and institutional address ever given.

    People are never deleted (a trigger refuses it), so a login that left with its owner
    stays taken; the directory's accounts are counted too, in case one was made by hand.
    """
    logins = {row["login"] for row in db.query("SELECT login FROM people UNION "
                                               "SELECT login FROM accounts")}
    addresses = {row["address"].lower() for row in db.query(
        "SELECT institutional_email AS address FROM people UNION "
        "SELECT email AS address FROM accounts")}
    return IdentityAllocator(domain=domain, taken_logins=logins, taken_addresses=addresses,
                             rule=rule, max_length=max_length)
