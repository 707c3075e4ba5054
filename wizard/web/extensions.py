"""Flask extensions, created here and bound to the app in create_app."""

from __future__ import annotations

from flask import current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from wizard.activation.attempts import key as typed_key
from wizard.web import ratelimit_store  # noqa: F401  (registers the sqlite:// store)
from wizard.web.services import app_services

csrf = CSRFProtect()
# Storage, on/off and headers come from the app's configuration (RATELIMIT_* keys).
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def configured(name: str):
    """A limit read from configuration at request time (so tests and sites can tune it)."""
    return lambda: current_app.config[name]


def by_typed_identifier() -> str:
    """Key: the address or login typed on « 1ère connexion », before any lookup, as a
    keyed hash (the limits' store and Flask-Limiter's log lines never hold it in clear)."""
    typed = request.form.get("identifier", "")[:320]
    return "identifier:" + typed_key(typed, app_services().settings.code_key)[:32]


def by_enrolment() -> str:
    """Key: the wizard session's enrolment (code entry, resends)."""
    return f"enrolment:{session.get('enrolment')}"
