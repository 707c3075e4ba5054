"""The institution's look, from configuration: the theme's colours and the logo.

Served as files of their own (a stylesheet, an image) so that pages need no inline style:
the Content-Security-Policy forbids it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, make_response

from wizard.config import ROOT
from wizard.web.branding import check_institution_article, logo_type, theme

bp = Blueprint("branding", __name__)

DEMO_LOGO = ROOT / "static" / "img" / "logo.svg"
FAVICON = ROOT / "static" / "img" / "favicon.ico"


def init_branding(app: Flask) -> None:
    """Check the colours and the logo at start-up, and fingerprint the theme for caching."""
    check_institution_article(app.config)
    css = theme(app.config["BRAND_COLOR"], app.config["HEADER_COLOR"]).css()
    app.extensions["sesame.theme"] = css
    app.jinja_env.globals["THEME_VERSION"] = hashlib.sha256(css.encode()).hexdigest()[:12]
    logo = logo_path(app.config)
    if logo is not None and (not logo.is_file() or logo_type(logo) is None):
        raise ValueError(f"WIZARD_LOGO_FILE: {logo} is not an SVG, PNG, JPEG or WebP file")
    app.jinja_env.globals["HAS_LOGO"] = logo is not None


def logo_path(config) -> Path | None:
    """The configured logo file; None when the institution wants none."""
    setting = config.get("LOGO_FILE")
    if setting is None or setting == "":
        return DEMO_LOGO
    if setting.strip().lower() == "none":
        return None
    return Path(setting)


@bp.get("/habillage.css")
def stylesheet():
    """The theme: CSS custom properties from BRAND_COLOR and HEADER_COLOR."""
    response = make_response(current_app.extensions["sesame.theme"])
    response.mimetype = "text/css"
    response.cache_control.public = True
    response.cache_control.max_age = 86400  # the URL carries the theme's fingerprint
    return response


@bp.get("/habillage/logo")
def logo():
    """The institution's logo file."""
    path = logo_path(current_app.config)
    if path is None:
        abort(404)
    # Read whole (a logo is small): no file left open if the response is never consumed.
    response = make_response(path.read_bytes())
    response.mimetype = logo_type(path) or "application/octet-stream"
    # An SVG opened on its own must not run anything on our origin.
    response.headers["Content-Security-Policy"] = ("default-src 'none'; "
                                                   "style-src 'unsafe-inline'; sandbox")
    return response


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers and audits ask for at the site's root (a 404 otherwise)."""
    response = make_response(FAVICON.read_bytes())
    response.mimetype = "image/x-icon"
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
