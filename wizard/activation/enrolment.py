"""The wizard's services: each records one fact (or sends one link) in one transaction.

Every service re-checks its guard inside the transaction, so two tabs or a double click
cannot record a fact out of order or activate twice. Mails are queued to the outbox in the
same transaction as the change that causes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlite_utils import Database

from wizard.activation import attempts, audit, outbox, people, sesames, tokens
from wizard.activation.attempts import Brakes, Gate
from wizard.activation.charter import Charter
from wizard.activation.lifetimes import french_datetime, link_expiry
from wizard.activation.people import Person
from wizard.activation.steps import Facts, Progress, Step
from wizard.activation.tokens import CodeCheck, Purpose, TokenState
from wizard.clock import from_iso, to_iso
from wizard.db import transaction
from wizard.directory import AccountRecord, Directory

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Settings:
    """The configuration the services need, as plain values."""

    base_url: str
    timezone: str = "Europe/Paris"
    link_valid_days: int = 1
    verification_valid_hours: int = 24
    verification_max_tries: int = 5
    resend_cooldown_seconds: int = 60
    code_key: bytes = b""  # keys the hashes of verification codes (from the secret key)

    def url(self, path: str) -> str:
        """An absolute URL on the configured base, never on the request's Host."""
        return self.base_url.rstrip("/") + path

    def say(self, moment: datetime) -> str:
        """A deadline in French words, in the institution's time zone."""
        return french_datetime(moment, self.timezone)


class StepRefused(Exception):
    """A fact was posted for a step the enrolment may not record now."""

    def __init__(self, current: Step):
        super().__init__(f"current step is {current.value}")
        self.current = current


@dataclass(frozen=True)
class Enrolment:
    """An enrolment's recorded facts, its person and where it stands."""

    id: int
    person: Person
    row: dict

    @property
    def progress(self) -> Progress:
        """The derived position in the flow."""
        return Progress(Facts.from_row(self.row, needs_recovery=self.needs_recovery))

    @property
    def needs_recovery(self) -> bool:
        """The sésame path asks for a recovery address when HR had no personal address."""
        return self.row["method"] == "sesame" and not self.person.personal_email

    @property
    def recovery_address(self) -> str | None:
        """The recovery address given on the sésame path (empty: declined), if any."""
        return self.row["recovery_address"]

    def proven_addresses(self) -> set[str]:
        """Addresses the person has shown they own: forwarding there needs no verification."""
        proven = set()
        if self.person.personal_email and self.row["method"] == "link":
            proven.add(self.person.personal_email)
        if self.row["recovery_address"] and self.row["recovery_verified_at"]:
            proven.add(self.row["recovery_address"])
        return proven

    @property
    def forward_to(self) -> str | None:
        """The forwarding address chosen, if any."""
        return self.row["forward_to"]

    @property
    def keep_copy(self) -> bool:
        """Whether a copy stays in the institutional mailbox (default yes)."""
        return self.row["keep_copy"] is None or bool(self.row["keep_copy"])

    @property
    def listed(self) -> bool | None:
        """The directory answer: True to appear, False for liste rouge, None if unanswered."""
        value = self.row["directory_listed"]
        return None if value is None else bool(value)


def load(db: Database, enrolment_id: int) -> Enrolment | None:
    """Read an enrolment with its person."""
    rows = list(db.query("SELECT * FROM enrolments WHERE id = ?", [enrolment_id]))
    if not rows:
        return None
    person = people.get(db, rows[0]["person_id"])
    if person is None:
        return None
    return Enrolment(id=enrolment_id, person=person, row=rows[0])


def _require(db: Database, enrolment_id: int, *allowed: Step) -> Enrolment:
    enrolment = load(db, enrolment_id)
    if enrolment is None:
        raise LookupError(enrolment_id)
    progress = enrolment.progress
    if not any(progress.may_visit(step) for step in allowed):
        raise StepRefused(progress.current)
    return enrolment


def _touch(db: Database, enrolment_id: int, now: datetime, **columns: object) -> None:
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.execute(
        f"UPDATE enrolments SET {assignments}, updated_at = ? WHERE id = ?",
        [*columns.values(), to_iso(now), enrolment_id],
    )


# --- Activation links -------------------------------------------------------------------


def send_activation_link(db: Database, settings: Settings, compose: outbox.Composer,
                         person: Person, *, now: datetime, origin: audit.Origin,
                         reason: str, language: str | None = None) -> tokens.Issued:
    """Issue a new activation link (revoking the earlier ones) and queue its mail.

    Call inside a transaction. The caller checks that the person may receive one. The mail
    is in the person's remembered language, else in `language` (the requester's).
    """
    assert person.personal_email, "an activation link needs a personal address"
    expires_at = link_expiry(now, days=settings.link_valid_days, timezone=settings.timezone)
    issued = tokens.issue(db, person_id=person.id, purpose=Purpose.ACTIVATION, now=now,
                          expires_at=expires_at, target_address=person.personal_email)
    rendered = compose("activation", {
        "person": person,
        "link": settings.url(f"/activation/{issued.secret}"),
        "expires": expires_at,  # said in the mail's language by the template
        "language": language,
    })
    outbox.queue(db, kind="activation", to=person.personal_email, rendered=rendered, now=now,
               person_id=person.id)
    db.execute("UPDATE people SET last_link_sent_at = ? WHERE id = ?", [to_iso(now), person.id])
    audit.record(db, "link_sent", now=now, origin=origin, person_id=person.id, reason=reason)
    return issued


def request_new_link(db: Database, settings: Settings, compose: outbox.Composer,
                     identifier: str, *, now: datetime, origin: audit.Origin,
                     language: str | None = None) -> None:
    """« 1ère connexion »: send a fresh link if the identifier is a pending person's.

    Returns nothing whatever happened, so the caller cannot reveal whether the account
    exists. Repeat requests within the cooldown, while the last link still works, are
    silently ignored.
    """
    with transaction(db):
        person = people.find_by_identifier(db, identifier)
        if person is None:
            audit.record(db, "link_request_ignored", now=now, origin=origin, why="unknown")
            return
        if person.status != "pending" or not person.personal_email:
            audit.record(db, "link_request_ignored", now=now, origin=origin,
                         person_id=person.id, why=person.status if person.personal_email
                         else "no_personal_address")
            return
        latest = tokens.latest(db, person.id, Purpose.ACTIVATION)
        if (person.last_link_sent_at is not None and latest is not None
                and latest.state(now) is TokenState.VALID):
            # A repeat while the last link still works is suppressed; after it expired,
            # a new link is what the person needs, not a repeat.
            since = now - from_iso(person.last_link_sent_at)
            if since < timedelta(seconds=settings.resend_cooldown_seconds):
                audit.record(db, "link_request_ignored", now=now, origin=origin,
                             person_id=person.id, why="cooldown")
                return
        send_activation_link(db, settings, compose, person, now=now, origin=origin,
                             reason="first_login", language=language)


def record_link_request(db: Database, identifier: str, *, now: datetime,
                        origin: audit.Origin, language: str | None = None) -> None:
    """« 1ère connexion », the page's part: write the request down, nothing else.

    The same single insert whatever was typed, so neither the answer nor its timing can
    tell an existing account from an unknown one. The mail worker handles it
    (`handle_link_requests`) moments later.
    """
    db.execute(
        "INSERT INTO link_requests (identifier, requested_at, ip, user_agent, language)"
        " VALUES (?, ?, ?, ?, ?)",
        [identifier.strip()[:320], to_iso(now), origin.ip, (origin.user_agent or "")[:300],
         language])


def handle_link_requests(db: Database, settings: Settings, compose: outbox.Composer, *,
                         now: datetime, limit: int = 100) -> int:
    """The worker's part: a fresh link for each request that names a pending person.

    Each request is handled and deleted in one transaction; returns how many were handled.
    A request that fails is dropped (and logged), so it cannot block the ones after it.
    """
    handled = 0
    for _ in range(limit):
        row = next(iter(db.query("SELECT * FROM link_requests ORDER BY id LIMIT 1")), None)
        if row is None:
            break
        try:
            with transaction(db):
                db.execute("DELETE FROM link_requests WHERE id = ?", [row["id"]])
                origin = audit.Origin(actor="person", ip=row["ip"],
                                      user_agent=row["user_agent"])
                request_new_link(db, settings, compose, row["identifier"], now=now,
                                 origin=origin, language=row.get("language"))
        except Exception:
            log.exception("link request %s could not be handled; dropped", row["id"])
            db.execute("DELETE FROM link_requests WHERE id = ?", [row["id"]])
        handled += 1
    return handled


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


def begin_with_link(db: Database, secret: str, *, now: datetime, origin: audit.Origin,
                    ask_birth_date: bool = False) -> tuple[LinkStatus, int | None]:
    """The link's POST: prove identity, start or resume the enrolment; return its id."""
    with transaction(db):
        status = inspect_link(db, secret, now)
        if status.state is not TokenState.VALID or status.person is None:
            audit.record(db, "identity_refused", now=now, origin=origin,
                         person_id=status.person.id if status.person else None,
                         method="link", why=str(status.state))
            return status, None
        enrolment_id = _ensure_enrolment(db, status.person.id, now, "link", ask_birth_date)
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


def begin_with_sesame(db: Database, check: Callable[[str, str], Person | None], login: str,
                      code: str, *, now: datetime, origin: audit.Origin,
                      brakes: Brakes, ask_birth_date: bool = False) -> SesameOutcome:
    """Prove identity with login + sésame; failures slow down, then lock the login.

    `check(login, code)` always spends one argon2 verification, known login or not. The
    brakes are applied before it, on the login as typed, so an unknown login behaves like
    a real one. The outcome never says which part was wrong.
    """
    login_key = attempts.key(login)
    with transaction(db):
        state = attempts.gate(db, login_key, "sesame", now, brakes)
    if state is not Gate.OPEN:
        check(login, code)  # the same cost as a real check
        with transaction(db):
            person = people.find_by_login(db, login_key)
            if state is Gate.LOCKED and person is not None and person.status == "pending":
                _lock(db, person, now, origin)
            audit.record(db, "identity_refused", now=now, origin=origin,
                         person_id=person.id if person else None, method="sesame",
                         why=str(state))
        return SesameOutcome(None, gate=state)
    person = check(login, code)
    with transaction(db):
        if person is None or person.status != "pending":
            failures = attempts.record_failure(db, login_key, "sesame", now, origin.ip)
            known = people.find_by_login(db, login_key)
            if failures >= brakes.lock_after and known is not None and known.status == "pending":
                _lock(db, known, now, origin)
            audit.record(db, "identity_refused", now=now, origin=origin,
                         person_id=known.id if known else None, method="sesame",
                         why="wrong", failures=failures)
            return SesameOutcome(None)
        attempts.clear(db, login_key, "sesame")
        enrolment_id = _ensure_enrolment(db, person.id, now, "sesame", ask_birth_date)
        audit.record(db, "identity_proven", now=now, origin=origin, person_id=person.id,
                     method="sesame")
        issued = next(iter(db.query("SELECT sesame_issued_at FROM people WHERE id = ?",
                                    [person.id])))["sesame_issued_at"]
        return SesameOutcome(enrolment_id, person.id, sesame_issued_at=issued)


def _lock(db: Database, person: Person, now: datetime, origin: audit.Origin,
          why: str = "too_many_sesame_failures") -> None:
    db.execute("UPDATE people SET status = 'locked', locked_at = ? WHERE id = ?",
               [to_iso(now), person.id])
    audit.record(db, "locked", now=now, origin=origin, person_id=person.id, why=why)


# --- Steps ------------------------------------------------------------------------------


class BirthDateCheck(StrEnum):
    """Outcome of the optional date-of-birth question."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"


def check_birth_date(db: Database, enrolment_id: int, typed: date, *, now: datetime,
                     origin: audit.Origin, max_tries: int) -> BirthDateCheck:
    """Compare the typed date of birth with HR's; after `max_tries` wrong ones, lock.

    A lock needs the helpdesk (`wizard unlock`), as after too many wrong sésames.
    """
    with transaction(db):
        enrolment = _require(db, enrolment_id, Step.BIRTH_DATE)
        person = enrolment.person
        recorded = person.birth_date
        login_key = attempts.key(person.login)
        if recorded == typed.isoformat():
            attempts.clear(db, login_key, "birth_date")
            _touch(db, enrolment_id, now, birth_date_checked_at=to_iso(now))
            audit.record(db, "birth_date_checked", now=now, origin=origin,
                         person_id=person.id)
            return BirthDateCheck.ACCEPTED
        failures = attempts.record_failure(db, login_key, "birth_date", now, origin.ip)
        audit.record(db, "birth_date_refused", now=now, origin=origin, person_id=person.id,
                     failures=failures)
        if failures >= max_tries:
            _lock(db, person, now, origin, why="too_many_birth_date_failures")
            return BirthDateCheck.LOCKED
        return BirthDateCheck.WRONG


def accept_charter(db: Database, enrolment_id: int, charter: Charter, *, now: datetime,
                   origin: audit.Origin) -> None:
    """Record the charter's acceptance: version, fingerprint, time, IP."""
    with transaction(db):
        enrolment = _require(db, enrolment_id, Step.CHARTER)
        _touch(db, enrolment_id, now, charter_version=charter.version,
               charter_sha256=charter.sha256, charter_accepted_at=to_iso(now),
               charter_ip=origin.ip)
        audit.record(db, "charter_accepted", now=now, origin=origin,
                     person_id=enrolment.person.id, version=charter.version)


def answer_directory(db: Database, enrolment_id: int, listed: bool, *, now: datetime,
                     origin: audit.Origin) -> None:
    """Record whether the person appears in the public directory (False: liste rouge)."""
    with transaction(db):
        enrolment = _require(db, enrolment_id, Step.DIRECTORY)
        _touch(db, enrolment_id, now, directory_listed=int(listed),
               directory_answered_at=to_iso(now))
        audit.record(db, "directory_answered", now=now, origin=origin,
                     person_id=enrolment.person.id, listed=listed)


@dataclass(frozen=True)
class Verified:
    """One kind of address that must be verified: where it is stored, and its step."""

    purpose: Purpose
    address_column: str
    verified_column: str
    waiting_step: Step
    mail_kind: str


FORWARDING = Verified(Purpose.VERIFY_ADDRESS, "forward_to", "forward_verified_at",
                      Step.MAIL_VERIFICATION, "verification")
RECOVERY = Verified(Purpose.VERIFY_RECOVERY, "recovery_address", "recovery_verified_at",
                    Step.RECOVERY_VERIFICATION, "verification_recovery")
BY_PURPOSE = {kind.purpose: kind for kind in (FORWARDING, RECOVERY)}


def choose_mail(db: Database, settings: Settings, compose: outbox.Composer, enrolment_id: int,
                *, forward_to: str | None, keep_copy: bool, now: datetime,
                origin: audit.Origin) -> None:
    """Record the forwarding choice; a new, unproven address is sent a verification.

    An address already proven (the personal address the link went to, a verified
    recovery address) needs no verification. A different address invalidates an earlier
    verification.
    """
    with transaction(db):
        enrolment = _require(db, enrolment_id, Step.MAIL)
        person = enrolment.person
        # Whatever the new choice, a verification pending for the old one is moot.
        tokens.revoke(db, person_id=person.id, purpose=Purpose.VERIFY_ADDRESS, now=now)
        if forward_to is None:
            _touch(db, enrolment_id, now, mail_answered_at=to_iso(now), forward_to=None,
                   keep_copy=None, forward_verified_at=None)
            audit.record(db, "mail_answered", now=now, origin=origin, person_id=person.id,
                         forwarding=False)
            return
        forward_to = forward_to.strip().lower()
        already_verified = (forward_to == enrolment.forward_to
                            and enrolment.row["forward_verified_at"] is not None)
        if forward_to in enrolment.proven_addresses() or already_verified:
            verified_at = enrolment.row["forward_verified_at"] if already_verified else to_iso(now)
            _touch(db, enrolment_id, now, mail_answered_at=to_iso(now), forward_to=forward_to,
                   keep_copy=int(keep_copy), forward_verified_at=verified_at)
            audit.record(db, "mail_answered", now=now, origin=origin, person_id=person.id,
                         forwarding=True, verification_needed=False)
            return
        _touch(db, enrolment_id, now, mail_answered_at=to_iso(now), forward_to=forward_to,
               keep_copy=int(keep_copy), forward_verified_at=None)
        _send_verification(db, settings, compose, FORWARDING, person, forward_to, now=now)
        audit.record(db, "mail_answered", now=now, origin=origin, person_id=person.id,
                     forwarding=True, verification_needed=True)


def choose_recovery(db: Database, settings: Settings, compose: outbox.Composer,
                    enrolment_id: int, *, address: str | None, now: datetime,
                    origin: audit.Origin) -> None:
    """Record the recovery address (sésame path) and send it a verification.

    `None` declines (allowed only where the institution does not require one; the view
    decides). A forwarding address that was this same, now changed, address must be
    verified again.
    """
    with transaction(db):
        enrolment = _require(db, enrolment_id, Step.RECOVERY)
        person = enrolment.person
        tokens.revoke(db, person_id=person.id, purpose=Purpose.VERIFY_RECOVERY, now=now)
        address = address.strip().lower() if address else ""
        if address and address == enrolment.recovery_address and \
                enrolment.row["recovery_verified_at"]:
            return  # unchanged and already verified
        _touch(db, enrolment_id, now, recovery_address=address, recovery_verified_at=None)
        if enrolment.forward_to and enrolment.forward_to == enrolment.recovery_address \
                and enrolment.forward_to != address:
            # Forwarding was proven through the old recovery address: prove it again.
            _touch(db, enrolment_id, now, forward_verified_at=None)
        if address:
            _send_verification(db, settings, compose, RECOVERY, person, address, now=now)
        audit.record(db, "recovery_answered", now=now, origin=origin, person_id=person.id,
                     declined=not address)


def _send_verification(db: Database, settings: Settings, compose: outbox.Composer,
                       kind: Verified, person: Person, address: str, *,
                       now: datetime) -> None:
    expires_at = now + timedelta(hours=settings.verification_valid_hours)
    issued = tokens.issue(db, person_id=person.id, purpose=kind.purpose, now=now,
                          code_key=settings.code_key,
                          expires_at=expires_at, target_address=address, with_code=True)
    rendered = compose(kind.mail_kind, {
        "person": person,
        "address": address,
        "link": settings.url(f"/verification/{issued.secret}"),
        "code": issued.code,
        "expires": expires_at,  # said in the mail's language by the template
    })
    outbox.queue(db, kind=kind.mail_kind, to=address, rendered=rendered, now=now,
               person_id=person.id)


def resend_verification(db: Database, settings: Settings, compose: outbox.Composer,
                        enrolment_id: int, *, now: datetime, origin: audit.Origin,
                        kind: Verified = FORWARDING) -> None:
    """Send a new verification mail and code to the pending address, revoking the old."""
    with transaction(db):
        enrolment = _require(db, enrolment_id, kind.waiting_step)
        address = enrolment.row[kind.address_column]
        assert address
        _send_verification(db, settings, compose, kind, enrolment.person, address, now=now)
        audit.record(db, "verification_resent", now=now, origin=origin,
                     person_id=enrolment.person.id, purpose=str(kind.purpose))


def verify_with_code(db: Database, settings: Settings, enrolment_id: int, code: str, *,
                     now: datetime, origin: audit.Origin,
                     kind: Verified = FORWARDING) -> CodeCheck:
    """Check the code typed on a waiting page; on success the address is verified."""
    with transaction(db):
        enrolment = _require(db, enrolment_id, kind.waiting_step)
        token = tokens.latest(db, enrolment.person.id, kind.purpose)
        if token is None or token.target_address != enrolment.row[kind.address_column]:
            return CodeCheck.DEAD
        outcome = tokens.check_code(db, token.id, code, now=now, code_key=settings.code_key,
                                    max_tries=settings.verification_max_tries)
        if outcome is CodeCheck.ACCEPTED:
            tokens.consume(db, token.id, now)
            _touch(db, enrolment_id, now, **{kind.verified_column: to_iso(now)})
            audit.record(db, "address_verified", now=now, origin=origin,
                         person_id=enrolment.person.id, method="code",
                         purpose=str(kind.purpose))
        else:
            audit.record(db, "verification_code_refused", now=now, origin=origin,
                         person_id=enrolment.person.id, dead=outcome is CodeCheck.DEAD)
        return outcome


def inspect_verification_link(db: Database, secret: str, now: datetime) -> LinkStatus:
    """Read an address-verification link's state without changing anything (the GET)."""
    for purpose in BY_PURPOSE:
        token = tokens.find(db, secret, purpose)
        if token is not None:
            return LinkStatus(token.state(now), people.get(db, token.person_id), token)
    return LinkStatus(TokenState.UNKNOWN)


def verify_with_link(db: Database, secret: str, *, now: datetime,
                     origin: audit.Origin) -> LinkStatus:
    """The verification link's POST, from any browser: the address is proven."""
    with transaction(db):
        status = inspect_verification_link(db, secret, now)
        token = status.token
        if status.state is not TokenState.VALID or token is None:
            return status
        kind = BY_PURPOSE[token.purpose]
        rows = list(db.query(
            f"SELECT id, {kind.address_column} AS address FROM enrolments WHERE person_id = ?",
            [token.person_id]))
        if not rows or rows[0]["address"] != token.target_address:
            return LinkStatus(TokenState.REVOKED, status.person, token)
        tokens.consume(db, token.id, now)
        _touch(db, rows[0]["id"], now, **{kind.verified_column: to_iso(now)})
        audit.record(db, "address_verified", now=now, origin=origin,
                     person_id=token.person_id, method="link", purpose=str(kind.purpose))
        return status


def complete(db: Database, settings: Settings, compose: outbox.Composer, directory: Directory,
             enrolment_id: int, password_hash: str, *, now: datetime,
             origin: audit.Origin) -> bool:
    """Activate the account: write it to the directory, consume the link, mail a notice.

    Returns False (and changes nothing) when the enrolment was already completed, so a
    double click or two tabs activate once. Every earlier fact is re-checked here.
    """
    with transaction(db):
        enrolment = load(db, enrolment_id)
        if enrolment is None:
            raise LookupError(enrolment_id)
        if enrolment.progress.current is Step.DONE:
            return False
        if enrolment.progress.current is not Step.PASSWORD:
            raise StepRefused(enrolment.progress.current)
        person = enrolment.person
        forward_to = enrolment.forward_to
        directory.write_account(AccountRecord(
            person_id=person.id, login=person.login, email=person.institutional_email,
            listed=bool(enrolment.listed), forward_to=forward_to,
            keep_copy=enrolment.keep_copy if forward_to else None,
            password_hash=password_hash), now)
        _touch(db, enrolment_id, now, completed_at=to_iso(now))
        db.execute("UPDATE people SET status = 'active', activated_at = ? WHERE id = ?",
                   [to_iso(now), person.id])
        # The link is consumed now, not at first use; any other live link dies with it.
        db.execute("UPDATE tokens SET used_at = ? WHERE person_id = ? AND used_at IS NULL"
                   " AND revoked_at IS NULL", [to_iso(now), person.id])
        if enrolment.row["method"] == "sesame":
            # The sésame is spent; a verified recovery address becomes the personal one.
            recovery = enrolment.recovery_address or None
            db.execute("UPDATE people SET sesame_hash = NULL,"
                       " personal_email = coalesce(?, personal_email) WHERE id = ?",
                       [recovery, person.id])
            person = people.get(db, person.id) or person
        if person.personal_email:
            rendered = compose("activated", {
                "person": person,
                "listed": enrolment.listed,
                "forward_to": forward_to,
                "keep_copy": enrolment.keep_copy,
            })
            outbox.queue(db, kind="activated", to=person.personal_email, rendered=rendered,
                       now=now, person_id=person.id)
        audit.record(db, "activated", now=now, origin=origin, person_id=person.id)
        return True
