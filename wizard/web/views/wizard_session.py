"""The browser's binding to an enrolment: set when identity is proven, checked each request.

The cookie holds only a random session id (and the enrolment's id, for the rate limits'
key); which enrolment and proof it stands for is on the server (`activation.sessions`).
A session ends on the server when it is idle too long, on « Quitter », on a new sésame,
at completion, or when the link (or sésame) that opened it stops being valid (revoked by
a newer one, expired): a copied cookie stops working too.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, redirect, request, session, url_for

from wizard.activation import people, sessions
from wizard.activation.enrolment import Enrolment, load
from wizard.activation.identity_proof import session_still_valid
from wizard.db import transaction
from wizard.web.database import get_db
from wizard.web.i18n import current_language
from wizard.web.services import clock
from wizard.web.views.navigation import step_url


def bind(enrolment_id: int, method: str, proof_id: int,
         sesame_issued_at: str | None = None) -> Enrolment | None:
    """Start a fresh session for this enrolment (identity just proven); return it.

    `proof_id` is the link's token id (method "link") or the person's id ("sesame").
    """
    db = get_db()
    with transaction(db):
        sid = sessions.open_session(db, enrolment_id=enrolment_id, method=method,
                                    proof_id=proof_id, now=clock().now(),
                                    sesame_issued_at=sesame_issued_at)
    session.clear()
    session.permanent = True
    session["sid"] = sid
    session["enrolment"] = enrolment_id  # the rate limits' key; the server's record rules
    session["seen"] = int(clock().seconds())  # moves the cookie's expiry with the idle clock
    enrolment = load(db, enrolment_id)
    if enrolment is not None:
        remember_language(enrolment.person)
    return enrolment


def go_to_current_step(enrolment: Enrolment | None):
    """The 303 after identity is proven: straight to the enrolment's step (one request
    fewer than going through /etapes/)."""
    if enrolment is None:
        return redirect(url_for("steps.resume"), 303)
    return redirect(step_url(enrolment.progress.current), 303)


def remember_language(person: people.Person) -> None:
    """The person's mails follow the language they use the wizard in (recorded on POSTs
    only: a GET changes nothing)."""
    language = current_language()
    if person.language != language:
        db = get_db()
        with transaction(db):
            people.remember_language(db, person.id, language)


def finish(enrolment_id: int, *, elsewhere: bool = False) -> None:
    """After completion: the session (already marked on the server, by `completion`) can
    only show the done page.

    The CSRF token is kept, so a double click's second POST still lands on the done page
    rather than on « formulaire expiré ». `elsewhere`: the account was activated from
    another window or device, not by this session (its done page says so).
    """
    session.pop("enrolment", None)
    session["done"] = enrolment_id
    if elsewhere:
        session["elsewhere"] = True
    session["seen"] = int(clock().seconds())


def leave() -> None:
    """« Quitter »: end the session on the server, then forget the cookie."""
    sid = session.get("sid")
    if sid:
        sessions.end(get_db(), sid, clock().now(), "left")
    session.clear()


def sid() -> str | None:
    """The session id the cookie holds (the domain's completion marks it done)."""
    value = session.get("sid")
    return value if isinstance(value, str) else None


# The idle clock restarts at most once a minute: rewriting the cookie (serialized, signed,
# sent back) on every page cost a tenth of a step page, for a precision nobody needs.
SEEN_REFRESH_SECONDS = 60


class SessionEnded(Exception):
    """There is no usable wizard session; `reason` says why (for the page shown)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def activated_elsewhere() -> bool:
    """Whether this session found its account activated by another window or device."""
    return bool(session.get("elsewhere"))


def current() -> Enrolment:
    """The session's enrolment, or SessionEnded with the reason."""
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    db, now = get_db(), clock().now()
    try:
        record = sessions.find(db, session.get("sid"), now, idle=idle)
    except sessions.Ended as ended:
        session.clear()
        raise SessionEnded(ended.reason) from None
    enrolment = load(db, record.enrolment_id)
    if enrolment is None:
        session.clear()
        raise SessionEnded("none")
    if record.done:
        # A completed enrolment: nothing left to do but read the done page.
        if enrolment.completed_at is None:
            session.clear()
            raise SessionEnded("none")
        if session.get("done") != enrolment.id:
            finish(enrolment.id)  # another tab of this browser completed it
        return enrolment
    if not session_still_valid(db, record.method, record.proof_id, now,
                               sesame_issued_at=record.sesame_issued_at,
                               person=enrolment.person):
        session.clear()
        raise SessionEnded("link")
    if enrolment.completed_at is not None:
        # Completed by another session: this one ended there (see `sessions.completed`).
        session.clear()
        raise SessionEnded("none")
    seconds = int(clock().seconds())
    if seconds - session.get("seen", 0) >= SEEN_REFRESH_SECONDS:
        session["seen"] = seconds
        sessions.seen(db, record.id, now)
    if request.method == "POST":
        remember_language(enrolment.person)
    return enrolment
