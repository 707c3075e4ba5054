"""Addresses proven by the person: a forwarding or recovery address is sent a link and a
code; either one, from any browser, proves it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from wizard.activation import audit, outbox, people, tokens
from wizard.activation.context import Context
from wizard.activation.enrolment import BY_PURPOSE, FORWARDING, Verified, require, touch
from wizard.activation.identity_proof import LinkStatus
from wizard.activation.people import Person
from wizard.activation.tokens import CodeCheck, TokenState
from wizard.clock import to_iso
from wizard.db import transaction


class TooManyVerificationMails(Exception):
    """The enrolment sent its day's share of verification mails: nothing was changed."""


VERIFICATION_MAILS = ("verification", "verification_recovery")


def send_verification(ctx: Context, kind: Verified, person: Person, address: str, *,
                      now: datetime) -> None:
    """Issue a link and a code for `address` and queue their mail (inside a transaction).

    An enrolment may send `verification_mails_per_day` of them in 24 hours (to any
    address: the wizard must not become a way to mail strangers); past that, raises
    TooManyVerificationMails and the caller's transaction changes nothing.
    """
    db, settings = ctx.db, ctx.settings
    marks = ", ".join("?" for _ in VERIFICATION_MAILS)
    sent_today = next(iter(db.query(
        f"SELECT count(*) AS n FROM outbox WHERE person_id = ? AND kind IN ({marks})"
        " AND created_at > ?",
        [person.id, *VERIFICATION_MAILS, to_iso(now - timedelta(days=1))])))["n"]
    if sent_today >= settings.verification_mails_per_day:
        raise TooManyVerificationMails(person.id)
    expires_at = now + timedelta(hours=settings.verification_valid_hours)
    issued = tokens.issue(db, person_id=person.id, purpose=kind.purpose, now=now,
                          code_key=settings.code_key,
                          expires_at=expires_at, target_address=address, with_code=True)
    rendered = ctx.compose(kind.mail_kind, {
        "person": person,
        "address": address,
        "link": settings.url(f"/verification/{issued.secret}"),
        "code": issued.code,
        "expires": expires_at,  # said in the mail's language by the template
    })
    outbox.queue(db, kind=kind.mail_kind, to=address, rendered=rendered, now=now,
                 person_id=person.id)


def resend_verification(ctx: Context, enrolment_id: int, *,
                        kind: Verified = FORWARDING) -> None:
    """Send a new verification mail and code to the pending address, revoking the old."""
    db, now, origin = ctx.db, ctx.now(), ctx.origin
    with transaction(db):
        enrolment = require(db, enrolment_id, kind.waiting_step)
        address = enrolment.pending_address(kind)
        assert address
        send_verification(ctx, kind, enrolment.person, address, now=now)
        audit.record(db, "verification_resent", now=now, origin=origin,
                     person_id=enrolment.person.id, purpose=str(kind.purpose))


def verify_with_code(ctx: Context, enrolment_id: int, code: str, *,
                     kind: Verified = FORWARDING) -> CodeCheck:
    """Check the code typed on a waiting page; on success the address is verified."""
    db, settings, now, origin = ctx.db, ctx.settings, ctx.now(), ctx.origin
    with transaction(db):
        enrolment = require(db, enrolment_id, kind.waiting_step)
        token = tokens.latest(db, enrolment.person.id, kind.purpose)
        if token is None or token.target_address != enrolment.pending_address(kind):
            return CodeCheck.DEAD
        outcome = tokens.check_code(db, token.id, code, now=now, code_key=settings.code_key,
                                    max_tries=settings.verification_max_tries)
        if outcome is CodeCheck.ACCEPTED:
            tokens.consume(db, token.id, now)
            touch(db, enrolment_id, now, **{kind.verified_column: to_iso(now)})
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


def verify_with_link(ctx: Context, secret: str) -> LinkStatus:
    """The verification link's POST, from any browser: the address is proven."""
    db, now, origin = ctx.db, ctx.now(), ctx.origin
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
        touch(db, rows[0]["id"], now, **{kind.verified_column: to_iso(now)})
        audit.record(db, "address_verified", now=now, origin=origin,
                     person_id=token.person_id, method="link", purpose=str(kind.purpose))
        return status
