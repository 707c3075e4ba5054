"""The helpdesk's services: find someone, see where they stand, resend, unlock, and
disable the people who left.

Each change is one transaction and one audit entry saying what changed. Reading a status
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from wizard.activation import (
    attempts,
    audit,
    enrolment,
    first_login,
    outbox,
    people,
    sesames,
    tokens,
)
from wizard.activation.context import Settings
from wizard.activation.names import normalize_address
from wizard.activation.steps import LABELS, Step
from wizard.activation.tokens import Purpose, TokenState
from wizard.clock import from_iso, to_iso
from wizard.db import transaction
from wizard.directory import queue as directory_queue


class Refused(Exception):
    """The action does not apply to this person; the message says why, in French."""


STATUS_LABELS = {"pending": "en attente d'activation", "active": "activé",
                 "locked": "verrouillé", "disabled": "désactivé"}

# The steps as the pages name them (one table: wizard/activation/steps.py), by stored value.
STEP_LABELS = {step.value: label for step, label in LABELS.items()}
NOT_STARTED_STEP = "pas-commence"  # no enrolment yet: the link or sésame was never used

# Audit events that are someone failing or being stopped: what a helpdesk agent looks for.
FAILURE_EVENTS = ("identity_refused", "verification_code_refused", "locked",
                  "sesame_locked", "birth_date_refused", "link_request_ignored")


def find(db: Database, query: str) -> list[dict]:
    """People whose login, institutional or personal address, or matricule is `query`."""
    wanted = query.strip()
    if not wanted:
        return []
    lowered = normalize_address(wanted)
    return list(db.query(
        "SELECT * FROM people WHERE login = ? OR lower(institutional_email) = ?"
        " OR lower(personal_email) = ? OR matricule = ? ORDER BY id",
        [lowered, lowered, lowered, wanted]))


def _person_by_login(db: Database, login: str) -> dict:
    row = next(iter(db.query("SELECT * FROM people WHERE login = ?",
                             [login.strip().lower()])), None)
    if row is None:
        raise LookupError(login)
    return row


def step_reached(db: Database, person: dict) -> tuple[str, str | None]:
    """(step value, since when) for a person: `termine`, a wizard step, or `pas-commence`."""
    row = next(iter(db.query("SELECT id, updated_at FROM enrolments WHERE person_id = ?",
                             [person["id"]])), None)
    if person["status"] == "active":
        return Step.DONE.value, person["activated_at"]
    if row is None:
        return NOT_STARTED_STEP, None
    loaded = enrolment.load(db, row["id"])
    assert loaded is not None
    return loaded.progress.current.value, row["updated_at"]


@dataclass(frozen=True)
class MailSent:
    """One mail of the outbox, as the helpdesk sees it (never its body)."""

    kind: str
    to: str
    queued_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    failed_at: datetime | None = None  # given up: a permanent refusal, or too many tries


@dataclass
class Status:
    """Everything the helpdesk needs about one person, on the phone with them."""

    person: dict
    step: str
    step_since: datetime | None
    method: str | None
    link: tokens.Token | None
    link_state: TokenState | None
    sesame_live: bool
    sesame_failures: int  # consecutive wrong sésames typed with this login, from anywhere
    birth_date_failures: int
    sesame_locked: bool  # too many of them: the sésame opens nothing until `wizard unlock`
    mails: list[MailSent] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)


def status(db: Database, person: dict, now: datetime, *, login_key_secret: bytes,
           sesame_lock_after: int = attempts.Brakes.lock_after) -> Status:
    """Where a person stands: step reached, link or sésame, mails, failures and locks."""
    step, since = step_reached(db, person)
    method_row = next(iter(db.query("SELECT * FROM enrolments WHERE person_id = ?",
                                    [person["id"]])), None)
    link = tokens.latest(db, person["id"], Purpose.ACTIVATION)
    mails = [MailSent(kind=row["kind"], to=row["to_addr"], queued_at=from_iso(row["created_at"]),
                      sent_at=from_iso(row["sent_at"]) if row["sent_at"] else None,
                      attempts=row["attempts"], last_error=row["last_error"],
                      failed_at=from_iso(row["failed_at"]) if row["failed_at"] else None)
             for row in db.query("SELECT kind, to_addr, created_at, sent_at, attempts,"
                                 " last_error, failed_at FROM outbox WHERE person_id = ?"
                                 " ORDER BY id",
                                 [person["id"]])]
    marks = ", ".join("?" for _ in FAILURE_EVENTS)
    incidents = list(db.query(
        f"SELECT at, event, actor, ip, detail FROM audit WHERE person_id = ?"
        f" AND event IN ({marks}) ORDER BY id DESC LIMIT 10",
        [person["id"], *FAILURE_EVENTS]))
    login_key = attempts.key(person["login"], login_key_secret)
    sesame_failures = attempts.failures(db, login_key, "sesame")
    return Status(
        person=person, step=step, step_since=from_iso(since) if since else None,
        method=method_row.get("method") if method_row else None,
        link=link, link_state=link.state(now) if link else None,
        sesame_live=sesames.is_live(person, now), sesame_failures=sesame_failures,
        birth_date_failures=attempts.failures(db, login_key, "birth_date"),
        sesame_locked=sesame_failures >= sesame_lock_after,
        mails=mails, incidents=incidents)


def resend(db: Database, settings: Settings, compose: outbox.Composer, login: str, *,
           now: datetime, origin: audit.Origin = audit.CLI,
           reason: str = "resend") -> tuple[dict, int]:
    """A new activation link to a pending person, earlier links revoked (`wizard resend`,
    and `wizard invite` with reason "invite").

    Returns (person row, links revoked). Raises LookupError or Refused.
    """
    with transaction(db):
        row = _person_by_login(db, login)
        if row["status"] == "locked":
            raise Refused("compte verrouillé\u00a0: déverrouillez-le d'abord (wizard unlock)")
        if row["status"] != "pending":
            raise Refused(f"compte {STATUS_LABELS.get(row['status'], row['status'])}\u00a0: "
                          "aucun lien à renvoyer")
        if not row["personal_email"]:
            raise Refused("aucune adresse personnelle connue\u00a0: remettez-lui un sésame "
                          "(wizard sesame LOGIN --letters FICHIER.pdf)")
        revoked = tokens.revoke(db, person_id=row["id"], purpose=Purpose.ACTIVATION, now=now)
        person = people.get(db, row["id"])
        assert person is not None
        first_login.send_activation_link(db, settings, compose, person, now=now, origin=origin,
                                       reason=reason)
        if reason == "resend":  # the operator's resend: what it replaced, for the record
            audit.record(db, "link_resent", now=now, origin=origin, person_id=row["id"],
                         links_revoked=revoked, to=row["personal_email"])
        return row, revoked


@dataclass(frozen=True)
class Unlocked:
    """What unlocking did: the status before and after, the failures forgotten."""

    person: dict
    previous_status: str
    status: str
    failures_cleared: int

    @property
    def changed(self) -> bool:
        """Whether there was anything to unlock."""
        return self.previous_status != self.status or self.failures_cleared > 0 \
            or self.person["locked_at"] is not None


def unlock(db: Database, login: str, *, now: datetime, login_key_secret: bytes,
           origin: audit.Origin = audit.CLI) -> Unlocked:
    """Lift a lock: the status goes back to what it was, the failures are forgotten.

    Raises LookupError, or Refused for a disabled account.
    """
    with transaction(db):
        row = _person_by_login(db, login)
        if row["status"] == "disabled":
            raise Refused("compte désactivé\u00a0: il ne se déverrouille pas")
        cleared = attempts.clear(db, attempts.key(row["login"], login_key_secret))
        new_status = row["status"]
        if row["status"] == "locked":
            new_status = "active" if row["activated_at"] else "pending"
        result = Unlocked(person=row, previous_status=row["status"], status=new_status,
                          failures_cleared=cleared)
        if result.changed:
            db.execute("UPDATE people SET status = ?, locked_at = NULL WHERE id = ?",
                       [new_status, row["id"]])
            audit.record(db, "unlocked", now=now, origin=origin, person_id=row["id"],
                         previous_status=row["status"], status=new_status,
                         failures_cleared=cleared)
        return result


@dataclass(frozen=True)
class Disabled:
    """A departed person disabled (or, in a dry run, to be)."""

    person: dict
    links_revoked: int
    sesame_revoked: bool


def departed_cutoff(today: date, grace_days: int) -> date:
    """People who left before this day are past the grace period."""
    return today - timedelta(days=grace_days)


def disable_departed(db: Database, *, today: date, grace_days: int, now: datetime,
                     origin: audit.Origin = audit.CLI, dry_run: bool = False,
                     lock_in_directory: bool = False) -> list[Disabled]:
    """Disable everyone whose departure date is more than `grace_days` past.

    Their links are revoked and their sésame forgotten, which ends their wizard sessions.
    People are never deleted: their login stays taken for ever. With `lock_in_directory`
    (the LDAP directory), the lock of their entry is queued for the directory.
    """
    cutoff = departed_cutoff(today, grace_days).isoformat()
    done: list[Disabled] = []
    try:
        with transaction(db):
            for row in list(db.query(
                    "SELECT * FROM people WHERE departure_date IS NOT NULL"
                    " AND departure_date < ? AND status != 'disabled'"
                    " ORDER BY departure_date, login", [cutoff])):
                revoked = db.execute(
                    "UPDATE tokens SET revoked_at = ? WHERE person_id = ? AND used_at IS NULL"
                    " AND revoked_at IS NULL", [to_iso(now), row["id"]]).rowcount
                had_sesame = sesames.revoke(db, row["id"])
                db.execute("UPDATE people SET status = 'disabled', disabled_at = ? WHERE id = ?",
                           [to_iso(now), row["id"]])
                if lock_in_directory:
                    directory_queue.enqueue(db, person_id=row["id"], login=row["login"],
                                            matricule=row["matricule"],
                                            changes={"locked": True}, now=now)
                audit.record(db, "disabled", now=now, origin=origin, person_id=row["id"],
                             why="departed", departure_date=row["departure_date"],
                             previous_status=row["status"], links_revoked=revoked,
                             sesame_revoked=had_sesame)
                done.append(Disabled(person=row, links_revoked=revoked,
                                     sesame_revoked=had_sesame))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return done


class _DryRun(Exception):
    pass


def invitation_candidates(db: Database, now: datetime, today: date) -> list[str]:
    """Logins of pending people with a personal address and no valid link, not yet gone.

    What `wizard invite --all` serves: running it again sends nothing to someone whose
    link still works.
    """
    return [row["login"] for row in db.query(
        "SELECT login FROM people p WHERE status = 'pending' AND personal_email IS NOT NULL"
        " AND (departure_date IS NULL OR departure_date >= ?)"
        " AND NOT EXISTS (SELECT 1 FROM tokens t WHERE t.person_id = p.id"
        " AND t.purpose = ? AND t.used_at IS NULL AND t.revoked_at IS NULL"
        " AND t.expires_at > ?) ORDER BY id",
        [today.isoformat(), str(Purpose.ACTIVATION), to_iso(now)])]
