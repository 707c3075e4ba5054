"""The answers a person gives on the way: the charter, the directory (liste rouge), mail
forwarding and, on the sésame path, a recovery address."""

from __future__ import annotations

from wizard.activation import audit, tokens
from wizard.activation.charter import Charter
from wizard.activation.context import Context
from wizard.activation.enrolment import FORWARDING, RECOVERY, require, touch
from wizard.activation.names import normalize_address
from wizard.activation.steps import Step
from wizard.activation.tokens import Purpose
from wizard.activation.verification import send_verification
from wizard.clock import to_iso
from wizard.db import transaction


def accept_charter(ctx: Context, enrolment_id: int, charter: Charter) -> None:
    """Record the charter's acceptance: version, fingerprint, time, IP."""
    db, now, origin = ctx.db, ctx.now(), ctx.origin
    with transaction(db):
        enrolment = require(db, enrolment_id, Step.CHARTER)
        touch(db, enrolment_id, now, charter_version=charter.version,
               charter_sha256=charter.sha256, charter_accepted_at=to_iso(now),
               charter_ip=origin.ip)
        audit.record(db, "charter_accepted", now=now, origin=origin,
                     person_id=enrolment.person.id, version=charter.version)


def answer_directory(ctx: Context, enrolment_id: int, listed: bool) -> None:
    """Record whether the person appears in the public directory (False: liste rouge)."""
    db, now, origin = ctx.db, ctx.now(), ctx.origin
    with transaction(db):
        enrolment = require(db, enrolment_id, Step.DIRECTORY)
        touch(db, enrolment_id, now, directory_listed=int(listed),
               directory_answered_at=to_iso(now))
        audit.record(db, "directory_answered", now=now, origin=origin,
                     person_id=enrolment.person.id, listed=listed)


def choose_mail(ctx: Context, enrolment_id: int, *, forward_to: str | None,
                keep_copy: bool) -> None:
    """Record the forwarding choice; a new, unproven address is sent a verification.

    An address already proven (the personal address the link went to, a verified
    recovery address) needs no verification. A different address invalidates an earlier
    verification.
    """
    db, now, origin = ctx.db, ctx.now(), ctx.origin
    with transaction(db):
        enrolment = require(db, enrolment_id, Step.MAIL)
        person = enrolment.person
        # Whatever the new choice, a verification pending for the old one is moot.
        tokens.revoke(db, person_id=person.id, purpose=Purpose.VERIFY_ADDRESS, now=now)
        if forward_to is None:
            touch(db, enrolment_id, now, mail_answered_at=to_iso(now), forward_to=None,
                   keep_copy=None, forward_verified_at=None)
            audit.record(db, "mail_answered", now=now, origin=origin, person_id=person.id,
                         forwarding=False)
            return
        forward_to = normalize_address(forward_to)
        already_verified = (forward_to == enrolment.forward_to
                            and enrolment.is_verified(FORWARDING))
        if forward_to in enrolment.proven_addresses() or already_verified:
            verified_at = (enrolment.row[FORWARDING.verified_column] if already_verified
                           else to_iso(now))
            touch(db, enrolment_id, now, mail_answered_at=to_iso(now), forward_to=forward_to,
                   keep_copy=int(keep_copy), forward_verified_at=verified_at)
            audit.record(db, "mail_answered", now=now, origin=origin, person_id=person.id,
                         forwarding=True, verification_needed=False)
            return
        touch(db, enrolment_id, now, mail_answered_at=to_iso(now), forward_to=forward_to,
               keep_copy=int(keep_copy), forward_verified_at=None)
        send_verification(ctx, FORWARDING, person, forward_to, now=now)
        audit.record(db, "mail_answered", now=now, origin=origin, person_id=person.id,
                     forwarding=True, verification_needed=True)


def choose_recovery(ctx: Context, enrolment_id: int, *, address: str | None) -> None:
    """Record the recovery address (sésame path) and send it a verification.

    `None` declines (allowed only where the institution does not require one; the view
    decides). A forwarding address that was this same, now changed, address must be
    verified again.
    """
    db, now, origin = ctx.db, ctx.now(), ctx.origin
    with transaction(db):
        enrolment = require(db, enrolment_id, Step.RECOVERY)
        person = enrolment.person
        tokens.revoke(db, person_id=person.id, purpose=Purpose.VERIFY_RECOVERY, now=now)
        address = normalize_address(address) if address else ""
        if address and address == enrolment.recovery_address and \
                enrolment.is_verified(RECOVERY):
            return  # unchanged and already verified
        touch(db, enrolment_id, now, recovery_address=address, recovery_verified_at=None)
        if enrolment.forward_to and enrolment.forward_to == enrolment.recovery_address \
                and enrolment.forward_to != address:
            # Forwarding was proven through the old recovery address: prove it again.
            touch(db, enrolment_id, now, forward_verified_at=None)
        if address:
            send_verification(ctx, RECOVERY, person, address, now=now)
        audit.record(db, "recovery_answered", now=now, origin=origin, person_id=person.id,
                     declined=not address)
