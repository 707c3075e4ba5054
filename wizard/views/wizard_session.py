"""The browser's binding to an enrolment: set when identity is proven, checked each request.

The cookie holds only ids; the enrolment's facts are in the database. A session ends when
it is idle too long or when the link (or sésame) that opened it stops being valid
(revoked by a newer one, expired).
"""

from __future__ import annotations

import time

from flask import current_app, session

from ..clock import utcnow
from ..enrolment import Enrolment, load, session_still_valid
from ..runtime import get_db


def bind(enrolment_id: int, method: str, proof_id: int) -> None:
    """Start a fresh session for this enrolment (identity just proven).

    `proof_id` is the link's token id (method "link") or the person's id ("sesame").
    """
    session.clear()
    session.permanent = True
    session["enrolment"] = enrolment_id
    session["method"] = method
    session["proof"] = proof_id
    session["seen"] = int(time.time())


class SessionEnded(Exception):
    """There is no usable wizard session; `reason` says why (for the page shown)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def current() -> Enrolment:
    """The session's enrolment, or SessionEnded with the reason."""
    enrolment_id = session.get("enrolment")
    method = session.get("method")
    proof_id = session.get("proof")
    if (not isinstance(enrolment_id, int) or not isinstance(proof_id, int)
            or method not in ("link", "sesame")):
        raise SessionEnded("none")
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    if time.time() - session.get("seen", 0) > idle:
        session.clear()
        raise SessionEnded("idle")
    db = get_db()
    if not session_still_valid(db, method, proof_id, utcnow()):
        session.clear()
        raise SessionEnded("link")
    enrolment = load(db, enrolment_id)
    if enrolment is None:
        session.clear()
        raise SessionEnded("none")
    session["seen"] = int(time.time())
    return enrolment
