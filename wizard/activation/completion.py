"""The last step: the password is checked against the rules, hashed, and the account is
written to the directory and activated, once."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher

from wizard import passwords
from wizard.activation import audit, outbox, people, sesames
from wizard.activation.context import Context
from wizard.activation.enrolment import Enrolment, StepRefused, load, touch
from wizard.activation.names import normalize_address
from wizard.activation.people import Person
from wizard.activation.steps import Step
from wizard.clock import to_iso
from wizard.db import transaction
from wizard.directory import AccountRecord


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
    already_activated: bool = False  # another window finished first: this one changed nothing


def is_the_sesame(ctx: Context, hasher: PasswordHasher, enrolment: Enrolment,
                  password: str) -> bool:
    """Whether the new password is the sésame just used (only its hash is kept, so this is
    checked on submit, and only for a password of the sésame's length)."""
    if enrolment.method != "sesame" or len(sesames.normalize(password)) != sesames.LENGTH:
        return False
    return sesames.check_sesame(ctx.db, hasher, enrolment.person.login, password,
                                ctx.now()) is not None


def choose_password(ctx: Context, enrolment: Enrolment, password: str, confirmation: str, *,
                    policy: passwords.PasswordPolicy, hasher: PasswordHasher,
                    words: passwords.PersonalWords, language: str) -> PasswordChoice:
    """Check the password against the rules (the same verdict as the meter's) and, if it
    passes, activate the account with its hash."""
    verdict = passwords.evaluate(password, confirmation, policy=policy, user_inputs=words,
                                 language=language)
    if not verdict.acceptable:
        return PasswordChoice(verdict)
    if is_the_sesame(ctx, hasher, enrolment, password):
        return PasswordChoice(verdict, is_the_sesame=True)
    # Hashed before the transaction: the write lock is never held for ~100 ms.
    activated = complete(ctx, enrolment.id, passwords.hash_password(hasher, password))
    return PasswordChoice(verdict, already_activated=not activated)


def complete(ctx: Context, enrolment_id: int, password_hash: str) -> bool:
    """Activate the account: write it to the directory, consume the link, mail a notice.

    Returns False (and changes nothing) when the enrolment was already completed, so a
    double click or two tabs activate once. Every earlier fact is re-checked here.
    """
    db, now, origin, directory = ctx.db, ctx.now(), ctx.origin, ctx.directory
    assert directory is not None, "completion writes to the directory"
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
        touch(db, enrolment_id, now, completed_at=to_iso(now))
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
