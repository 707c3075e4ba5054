"""Proving who one is: by the mailed link, or by login and sésame; then, where the
institution asks for it, the date of birth HR recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from argon2 import PasswordHasher
from sqlite_utils import Database

from wizard.activation import attempts, audit, people, sesames, tokens
from wizard.activation.attempts import Brakes, Gate
from wizard.activation.context import Context
from wizard.activation.enrolment import require, touch
from wizard.activation.people import Person
from wizard.activation.steps import Step
from wizard.activation.tokens import Purpose, TokenState
from wizard.clock import to_iso
from wizard.db import transaction


@dataclass(frozen=True)
class LinkStatus:
    """What a link in a mail leads to: its state and, when known, its person."""

    state: TokenState
    person: Person | None = None
    token: tokens.Token | None = None


def inspect_link(db: Database, secret: str, now: datetime) -> LinkStatus:
    """Read an activation link's state without changing anything (the GET)."""
    token = tokens.find(db, secret, Purpose.ACTIVATION)
    if token is None:
        return LinkStatus(TokenState.UNKNOWN)
    person = people.get(db, token.person_id)
    state = token.state(now)
    if state is TokenState.VALID and (person is None or person.status != "pending"):
        state = TokenState.USED if person and person.status == "active" else TokenState.REVOKED
    return LinkStatus(state, person, token)


def begin_with_link(ctx: Context, secret: str, *,
                    ask_birth_date: bool = False) -> tuple[LinkStatus, int | None]:
    """The link's POST: prove identity, start or resume the enrolment; return its id."""
    db, now, origin = ctx.db, ctx.now(), ctx.origin
    with transaction(db):
        status = inspect_link(db, secret, now)
        if status.state is not TokenState.VALID or status.person is None:
            audit.record(db, "identity_refused", now=now, origin=origin,
                         person_id=status.person.id if status.person else None,
                         method="link", why=str(status.state))
            return status, None
        enrolment_id = _ensure_enrolment(db, status.person.id, now, "link", ask_birth_date)
        assert status.token is not None
        # The link the person opened is the one that counts now: their other links (say,
        # one asked for on « 1ère connexion ») stop working, and so do their sessions.
        tokens.revoke(db, person_id=status.person.id, purpose=Purpose.ACTIVATION, now=now,
                      keep=status.token.id)
        audit.record(db, "identity_proven", now=now, origin=origin,
                     person_id=status.person.id, method="link")
        return status, enrolment_id


def _ensure_enrolment(db: Database, person_id: int, now: datetime, method: str,
                      ask_birth_date: bool) -> int:
    person = people.get(db, person_id)
    birth_date = person.birth_date if person else None
    # Asked only where the institution wants it and HR recorded a date to compare with.
    required = int(ask_birth_date and bool(birth_date))
    rows = list(db.query("SELECT id FROM enrolments WHERE person_id = ?", [person_id]))
    if rows:
        db.execute("UPDATE enrolments SET method = ?,"
                   " birth_date_required = max(birth_date_required, ?) WHERE id = ?",
                   [method, required, rows[0]["id"]])
        return rows[0]["id"]
    cursor = db.execute(
        "INSERT INTO enrolments (person_id, started_at, updated_at, method,"
        " birth_date_required) VALUES (?, ?, ?, ?, ?)",
        [person_id, to_iso(now), to_iso(now), method, required])
    return cursor.lastrowid


def session_still_valid(db: Database, method: str, proof_id: int, now: datetime,
                        sesame_issued_at: str | None = None,
                        person: Person | None = None) -> bool:
    """Whether the proof that opened a wizard session still allows it to go on.

    `proof_id` is the link's token id, or the person's id on the sésame path (with the
    issue time of the sésame used: a new sésame ends sessions opened with the old one, as
    a new link does). A session lives while its link (or sésame) is valid; once the
    account is activated, the session may still show the done page. `person`, when the
    caller has just read the session's person, spares reading it again.
    """
    if method == "sesame":
        row = next(iter(db.query("SELECT * FROM people WHERE id = ?", [proof_id])), None)
        if row is None:
            return False
        if row["status"] == "active":
            return True
        return sesames.is_live(row, now) and row["sesame_issued_at"] == sesame_issued_at
    token = tokens.get(db, proof_id)
    if token is None:
        return False
    state = token.state(now)
    if state is TokenState.VALID:
        if person is None or person.id != token.person_id:
            person = people.get(db, token.person_id)
        return person is not None and person.status == "pending"
    return state is TokenState.USED


@dataclass(frozen=True)
class SesameOutcome:
    """The sésame page's answer: an enrolment to bind, or a refusal (one message for all)."""

    enrolment_id: int | None
    person_id: int | None = None
    gate: Gate = Gate.OPEN
    sesame_issued_at: str | None = None  # binds the session to this sésame, not a later one


def begin_with_sesame(ctx: Context, login: str, code: str, *, hasher: PasswordHasher,
                      brakes: Brakes, ask_birth_date: bool = False) -> SesameOutcome:
    """Prove identity with login + sésame, under the brakes (`attempts`).

    The try is counted as a failure before its argon2 check, in the transaction that
    checks the brakes, so parallel tries count exactly; a success forgets the failures.
    A try the brakes stop spends no argon2 check. Failures never change the person: past
    `brakes.lock_after` the login's sésame opens nothing until `wizard unlock`, while
    the person's status and links stay as they were. The outcome never says which part
    was wrong; an unknown login costs one argon2 check like a real one.
    """
    db, now, origin = ctx.db, ctx.now(), ctx.origin
    login_key = attempts.key(login, ctx.settings.code_key)
    with transaction(db):
        reserved = attempts.reserve(db, login_key, "sesame", now, brakes, origin.ip)
        if reserved.gate is not Gate.OPEN:
            known = people.find_by_login(db, login)
            audit.record(db, "identity_refused", now=now, origin=origin,
                         person_id=known.id if known else None, method="sesame",
                         why=str(reserved.gate), failures=reserved.failures)
            return SesameOutcome(None, gate=reserved.gate)
    person = sesames.check_sesame(db, hasher, login, code, now)
    with transaction(db):
        if person is None or person.status != "pending":
            known = people.find_by_login(db, login)
            audit.record(db, "identity_refused", now=now, origin=origin,
                         person_id=known.id if known else None, method="sesame",
                         why="wrong", failures=reserved.failures)
            if reserved.failures == brakes.lock_after and known is not None:
                # Said once, when the sésame stops opening anything: the helpdesk's clue.
                audit.record(db, "sesame_locked", now=now, origin=origin,
                             person_id=known.id, failures=reserved.failures)
            return SesameOutcome(None)
        attempts.clear(db, login_key, "sesame")
        enrolment_id = _ensure_enrolment(db, person.id, now, "sesame", ask_birth_date)
        # Kept until completion, so that the password step can refuse the sésame as a
        # password without an argon2 check per submit.
        db.execute("UPDATE enrolments SET sesame_fingerprint = ? WHERE id = ?",
                   [sesames.fingerprint(ctx.settings.code_key, person.id, code),
                    enrolment_id])
        audit.record(db, "identity_proven", now=now, origin=origin, person_id=person.id,
                     method="sesame")
        issued = next(iter(db.query("SELECT sesame_issued_at FROM people WHERE id = ?",
                                    [person.id])))["sesame_issued_at"]
        return SesameOutcome(enrolment_id, person.id, sesame_issued_at=issued)


def lock(db: Database, person: Person, now: datetime, origin: audit.Origin,
         why: str = "too_many_birth_date_failures") -> None:
    """Lock the person: only the helpdesk (`wizard unlock`) lets them in again.

    Only a wrong date of birth, typed by someone who already holds the link or the
    sésame, locks a person; a lock revokes no link (it works again once unlocked).
    """
    db.execute("UPDATE people SET status = 'locked', locked_at = ? WHERE id = ?",
               [to_iso(now), person.id])
    audit.record(db, "locked", now=now, origin=origin, person_id=person.id, why=why)



class BirthDateCheck(StrEnum):
    """Outcome of the optional date-of-birth question."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"


def check_birth_date(ctx: Context, enrolment_id: int, typed: date, *,
                     max_tries: int) -> BirthDateCheck:
    """Compare the typed date of birth with HR's; after `max_tries` wrong ones, lock.

    A lock needs the helpdesk (`wizard unlock`), as after too many wrong sésames.
    """
    db, now, origin = ctx.db, ctx.now(), ctx.origin
    with transaction(db):
        # Everything is re-read inside this one write transaction: a lock or failures
        # recorded by a parallel try are seen, so no more than `max_tries` dates are
        # ever compared.
        enrolment = require(db, enrolment_id, Step.BIRTH_DATE)
        person = enrolment.person
        login_key = attempts.key(person.login, ctx.settings.code_key)
        if person.status == "locked" or attempts.failures(db, login_key,
                                                         "birth_date") >= max_tries:
            return BirthDateCheck.LOCKED
        recorded = person.birth_date
        if recorded == typed.isoformat():
            attempts.clear(db, login_key, "birth_date")
            touch(db, enrolment_id, now, birth_date_checked_at=to_iso(now))
            audit.record(db, "birth_date_checked", now=now, origin=origin,
                         person_id=person.id)
            return BirthDateCheck.ACCEPTED
        failures = attempts.record_failure(db, login_key, "birth_date", now, origin.ip)
        audit.record(db, "birth_date_refused", now=now, origin=origin, person_id=person.id,
                     failures=failures)
        if failures >= max_tries:
            lock(db, person, now, origin)
            return BirthDateCheck.LOCKED
        return BirthDateCheck.WRONG
