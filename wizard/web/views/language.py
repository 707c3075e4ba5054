"""The language switcher: a plain link on every page, so it works without JavaScript."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request

from wizard.web.i18n import COOKIE, COOKIE_MAX_AGE, LANGUAGES, safe_return_path

bp = Blueprint("language", __name__)


@bp.get("/langue/<language>")
def choose(language: str):
    """Remember the language in a cookie, then go back to the page (`suite`)."""
    if language not in LANGUAGES:
        abort(404)
    response = redirect(safe_return_path(request.args.get("suite")), 303)
    response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    return response
