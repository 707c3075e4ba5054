"""The browser's binding to an enrolment: set when identity is proven, checked each request.

The cookie holds only ids; the enrolment's facts are in the database. A session ends when
it is idle too long or when the link (or sésame) that opened it stops being valid
(revoked by a newer one, expired).
"""

from __future__ import annotations

from flask import current_app, redirect, request, session, url_for

from wizard.activation import people
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
    session.clear()
    session.permanent = True
    session["enrolment"] = enrolment_id
    session["method"] = method
    session["proof"] = proof_id
    if sesame_issued_at:
        session["sesame_issued"] = sesame_issued_at
    session["seen"] = int(clock().seconds())
    enrolment = load(get_db(), enrolment_id)
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
    """After completion: a fresh session that can only show the done page.

    The CSRF token is kept, so a double click's second POST still lands on the done page
    rather than on « formulaire expiré ». `elsewhere`: the account was activated from
    another window or device, not by this session (its done page says so).
    """
    csrf_token = session.get("csrf_token")
    session.clear()
    if csrf_token:
        session["csrf_token"] = csrf_token
    session.permanent = True
    session["done"] = enrolment_id
    if elsewhere:
        session["elsewhere"] = True
    session["seen"] = int(clock().seconds())


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
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    if isinstance(session.get("done"), int):
        # A completed enrolment: nothing left to do but read the done page.
        enrolment = load(get_db(), session["done"])
        if enrolment is None or clock().seconds() - session.get("seen", 0) > idle or \
                enrolment.completed_at is None:
            session.clear()
            raise SessionEnded("none")
        return enrolment
    enrolment_id = session.get("enrolment")
    method = session.get("method")
    proof_id = session.get("proof")
    if (not isinstance(enrolment_id, int) or not isinstance(proof_id, int)
            or method not in ("link", "sesame")):
        raise SessionEnded("none")
    if clock().seconds() - session.get("seen", 0) > idle:
        session.clear()
        raise SessionEnded("idle")
    db = get_db()
    enrolment = load(db, enrolment_id)
    if not session_still_valid(db, method, proof_id, clock().now(),
                               sesame_issued_at=session.get("sesame_issued"),
                               person=enrolment.person if enrolment else None):
        session.clear()
        raise SessionEnded("link")
    if enrolment is None:
        session.clear()
        raise SessionEnded("none")
    if enrolment.completed_at is not None:
        finish(enrolment.id, elsewhere=True)  # completed in another window: this one ends too
        return enrolment
    now = int(clock().seconds())
    if now - session.get("seen", 0) >= SEEN_REFRESH_SECONDS:
        session["seen"] = now
    if request.method == "POST":
        remember_language(enrolment.person)
    return enrolment
