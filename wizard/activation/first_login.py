"""Activation links: sent by HR's import or the helpdesk, and asked for on « 1ère connexion »."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlite_utils import Database

from wizard.activation import audit, outbox, people, tokens
from wizard.activation.context import Context, Settings
from wizard.activation.lifetimes import link_expiry
from wizard.activation.people import Person
from wizard.activation.tokens import Purpose, TokenState
from wizard.clock import from_iso, to_iso
from wizard.db import transaction

log = logging.getLogger(__name__)

# Working links a person may hold at once from « 1ère connexion » requests.
MAX_LIVE_LINKS = 5


def send_activation_link(db: Database, settings: Settings, compose: outbox.Composer,
                         person: Person, *, now: datetime, origin: audit.Origin,
                         reason: str, language: str | None = None,
                         revoke_earlier: bool = True) -> tokens.Issued:
    """Issue a new activation link (revoking the earlier ones, unless `revoke_earlier` is
    False) and queue its mail.

    Call inside a transaction. The caller checks that the person may receive one. The mail
    is in the person's remembered language, else in `language` (the requester's).
    """
    assert person.personal_email, "an activation link needs a personal address"
    expires_at = link_expiry(now, days=settings.link_valid_days, timezone=settings.timezone)
    issued = tokens.issue(db, person_id=person.id, purpose=Purpose.ACTIVATION, now=now,
                          expires_at=expires_at, target_address=person.personal_email,
                          revoke_earlier=revoke_earlier)
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

    Anyone can type someone's login here, so a request never disturbs an enrolment in
    progress: the earlier links keep working (and the sessions they opened go on) until
    they expire or the person opens another of their links (`begin_with_link`). Past
    `MAX_LIVE_LINKS` working links, requests are ignored: the mailbox holds enough.
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
        if tokens.live_count(db, person.id, Purpose.ACTIVATION, now) >= MAX_LIVE_LINKS:
            audit.record(db, "link_request_ignored", now=now, origin=origin,
                         person_id=person.id, why="enough_live_links")
            return
        send_activation_link(db, settings, compose, person, now=now, origin=origin,
                             reason="first_login", language=language, revoke_earlier=False)


def record_link_request(ctx: Context, identifier: str, *, language: str | None = None) -> None:
    """« 1ère connexion », the page's part: write the request down, nothing else.

    The same single insert whatever was typed, so neither the answer nor its timing can
    tell an existing account from an unknown one. The mail worker handles it
    (`handle_link_requests`) moments later.
    """
    ctx.db.execute(
        "INSERT INTO link_requests (identifier, requested_at, ip, user_agent, language)"
        " VALUES (?, ?, ?, ?, ?)",
        [identifier.strip()[:320], to_iso(ctx.now()), ctx.origin.ip,
         (ctx.origin.user_agent or "")[:300], language])


def handle_link_requests(ctx: Context, *, limit: int = 100) -> int:
    """The worker's part: a fresh link for each request that names a pending person.

    Each request is handled and deleted in one transaction; returns how many were handled.
    A request that fails is dropped (and logged), so it cannot block the ones after it.
    """
    db, handled = ctx.db, 0
    for _ in range(limit):
        row = next(iter(db.query("SELECT * FROM link_requests ORDER BY id LIMIT 1")), None)
        if row is None:
            break
        try:
            with transaction(db):
                db.execute("DELETE FROM link_requests WHERE id = ?", [row["id"]])
                origin = audit.Origin(actor="person", ip=row["ip"],
                                      user_agent=row["user_agent"])
                request_new_link(db, ctx.settings, ctx.compose, row["identifier"],
                                 now=ctx.now(), origin=origin, language=row.get("language"))
        except Exception:
            log.exception("link request %s could not be handled; dropped", row["id"])
            db.execute("DELETE FROM link_requests WHERE id = ?", [row["id"]])
        handled += 1
    return handled
