"""The last step: the password is checked against the rules, hashed, and the account is
written to the directory and activated, once."""

from __future__ import annotations

import hmac
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher

from wizard import passwords
from wizard.activation import audit, outbox, people, sesames, sessions
from wizard.activation.context import Context
from wizard.activation.enrolment import Enrolment, StepRefused, load, touch
from wizard.activation.names import normalize_address
from wizard.activation.people import Person
from wizard.activation.steps import Step
from wizard.clock import from_iso, to_iso
from wizard.db import transaction
from wizard.directory import AccountRecord, DirectoryUnavailable, PasswordRefused

log = logging.getLogger(__name__)


def personal_words(person: Person, institution_words: list[str]) -> passwords.PersonalWords:
    """Words a password must not be built on: the person's names, login, personal address
    and birth date (when HR gave it), and the institution's own words."""
    personal_email = person.personal_email
    return passwords.personal_words(
        person.first_name, person.last_name, person.login,
        normalize_address(personal_email) if personal_email else None,
        birth_date=person.birth_date,  # ISO, from the HR import; often unknown
        extra=[word for word in institution_words if word])


@dataclass(frozen=True)
class PasswordChoice:
    """What became of a submitted password: its verdict, and whether it is the sésame.

    An acceptable password that is not the sésame has activated the account (or found it
    activated already, by a double click or another tab)."""

    verdict: passwords.Verdict
    is_the_sesame: bool = False  # refused: the new password is the sésame just used
    directory_refusal: str | None = None  # refused by the directory's policy: why
    directory_down: bool = False  # the directory could not be reached: nothing changed
    already_activated: bool = False  # another window finished first: this one changed nothing


def is_the_sesame(ctx: Context, enrolment: Enrolment, password: str) -> bool:
    """Whether the new password is the sésame just used: compared with the keyed
    fingerprint kept on the enrolment since the sésame was checked (an HMAC, no argon2
    check per submit), and only for a password of the sésame's length."""
    if enrolment.method != "sesame" or len(sesames.normalize(password)) != sesames.LENGTH:
        return False
    kept = enrolment.row.get("sesame_fingerprint")
    return bool(kept) and hmac.compare_digest(
        kept, sesames.fingerprint(ctx.settings.code_key, enrolment.person.id, password))


def choose_password(ctx: Context, enrolment: Enrolment, password: str, confirmation: str, *,
                    policy: passwords.PasswordPolicy, hasher: PasswordHasher,
                    words: passwords.PersonalWords, language: str,
                    session_sid: str | None = None) -> PasswordChoice:
    """Check the password against the rules (the same verdict as the meter's) and, if it
    passes, activate the account with its hash (`session_sid`: the wizard session doing
    it, which may then show the done page)."""
    verdict = passwords.evaluate(password, confirmation, policy=policy, user_inputs=words,
                                 language=language)
    if not verdict.acceptable:
        return PasswordChoice(verdict)
    if is_the_sesame(ctx, enrolment, password):
        return PasswordChoice(verdict, is_the_sesame=True)
    # Hashed before the transaction: the write lock is never held for ~100 ms. A
    # directory that hashes the password itself (RFC 3062) gets it in clear instead.
    needs_hash = ctx.directory is None or ctx.directory.needs_hash
    try:
        activated = complete(ctx, enrolment.id,
                             passwords.hash_password(hasher, password) if needs_hash else "",
                             password=password, session_sid=session_sid)
    except PasswordRefused as refusal:
        return PasswordChoice(verdict, directory_refusal=refusal.reason)
    except DirectoryUnavailable as error:
        # Rolled back: the link is not consumed and the account stays pending.
        log.warning("directory unavailable at the activation of enrolment %s: %s",
                    enrolment.id, error)
        return PasswordChoice(verdict, directory_down=True)
    return PasswordChoice(verdict, already_activated=not activated)


def _record(enrolment: Enrolment, password_hash: str, password: str) -> AccountRecord:
    person, forward_to = enrolment.person, enrolment.forward_to
    return AccountRecord(
        person_id=person.id, login=person.login, email=person.institutional_email,
        listed=bool(enrolment.listed), forward_to=forward_to,
        keep_copy=enrolment.keep_copy if forward_to else None,
        password_hash=password_hash, first_name=person.first_name,
        last_name=person.last_name, matricule=person.matricule,
        recovery_address=enrolment.proven_personal_address,
        charter_version=enrolment.row["charter_version"],
        charter_accepted_at=enrolment.row["charter_accepted_at"], password=password)


def _ready(db, enrolment_id: int) -> Enrolment | None:
    """The enrolment if it is at the password step, None if already completed."""
    enrolment = load(db, enrolment_id)
    if enrolment is None:
        raise LookupError(enrolment_id)
    if enrolment.progress.current is Step.DONE:
        return None
    if enrolment.progress.current is not Step.PASSWORD:
        raise StepRefused(enrolment.progress.current)
    return enrolment


# A remote directory is written outside the database transaction (a hung directory must
# not hold the write lock); a claim on the enrolment keeps a double click or a second
# device from writing it too. Longer than a directory write can take (its timeouts).
DIRECTORY_CLAIM = timedelta(seconds=30)
_CLAIM_WAIT_SECONDS, _CLAIM_POLLS = 0.05, 400


def _write_remote_directory(ctx: Context, enrolment_id: int, password_hash: str,
                            password: str) -> bool:
    """Claim the enrolment, then write the account to the remote directory outside the
    transaction. False: already completed (by the request that held the claim)."""
    db, directory = ctx.db, ctx.directory
    assert directory is not None
    for _ in range(_CLAIM_POLLS):
        with transaction(db):
            enrolment = _ready(db, enrolment_id)
            if enrolment is None:
                return False
            now = ctx.now()
            claimed = enrolment.row["directory_claimed_until"]
            if claimed is None or from_iso(claimed) <= now:
                db.execute("UPDATE enrolments SET directory_claimed_until = ? WHERE id = ?",
                           [to_iso(now + DIRECTORY_CLAIM), enrolment_id])
                break
        time.sleep(_CLAIM_WAIT_SECONDS)  # another submission is writing: wait for it
    else:
        raise DirectoryUnavailable("another submission is still writing to the directory")
    try:
        directory.write_account(_record(enrolment, password_hash, password), ctx.now())
    except BaseException:
        with transaction(db):
            db.execute("UPDATE enrolments SET directory_claimed_until = NULL WHERE id = ?",
                       [enrolment_id])
        raise
    return True


def complete(ctx: Context, enrolment_id: int, password_hash: str, *,
             password: str = "", session_sid: str | None = None) -> bool:
    """Activate the account: write it to the directory, consume the link, mail a notice.

    Returns False (and changes nothing) when the enrolment was already completed, so a
    double click or two tabs activate once. Every earlier fact is re-checked here. The
    embedded directory is written inside the transaction; a remote one (LDAP) just before
    it, under a claim on the enrolment, and its queued writes inside it. If the directory
    raises (DirectoryUnavailable, PasswordRefused), nothing is changed. The enrolment's
    wizard sessions end, but `session_sid`'s, which may show the done page.
    """
    db, directory = ctx.db, ctx.directory
    assert directory is not None, "completion writes to the directory"
    remote = directory.remote
    if remote and not _write_remote_directory(ctx, enrolment_id, password_hash, password):
        return False
    now = ctx.now()
    origin = ctx.origin
    with transaction(db):
        enrolment = _ready(db, enrolment_id)
        if enrolment is None:
            return False
        person = enrolment.person
        forward_to = enrolment.forward_to
        record = _record(enrolment, password_hash, password)
        if remote:
            directory.record_written(record, now)
            db.execute("UPDATE enrolments SET directory_claimed_until = NULL WHERE id = ?",
                       [enrolment_id])
        else:
            directory.write_account(record, now)
        touch(db, enrolment_id, now, completed_at=to_iso(now))
        sessions.completed(db, enrolment_id, now, session_sid)
        db.execute("UPDATE people SET status = 'active', activated_at = ? WHERE id = ?",
                   [to_iso(now), person.id])
        # The link is consumed now, not at first use; any other live link dies with it.
        db.execute("UPDATE tokens SET used_at = ? WHERE person_id = ? AND used_at IS NULL"
                   " AND revoked_at IS NULL", [to_iso(now), person.id])
        if enrolment.method == "sesame":
            # The sésame is spent; a verified recovery address becomes the personal one.
            recovery = enrolment.recovery_address or None
            db.execute("UPDATE people SET sesame_hash = NULL,"
                       " personal_email = coalesce(?, personal_email) WHERE id = ?",
                       [recovery, person.id])
            db.execute("UPDATE enrolments SET sesame_fingerprint = NULL WHERE id = ?",
                       [enrolment_id])
            person = people.get(db, person.id) or person
        if person.personal_email:
            rendered = ctx.compose("activated", {
                "person": person,
                "listed": enrolment.listed,
                "forward_to": forward_to,
                "keep_copy": enrolment.keep_copy,
                "recovery_address": enrolment.recovery_address if enrolment.needs_recovery
                else None,  # "" when declined
            })
            outbox.queue(db, kind="activated", to=person.personal_email, rendered=rendered,
                         now=now, person_id=person.id)
        audit.record(db, "activated", now=now, origin=origin, person_id=person.id)
        return True
