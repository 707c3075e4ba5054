"""Page pieces rendered once and kept, and template addresses of fixed resources built once.

Measured: the progress indicator, footer and banner are a third of a step page's rendering;
a page names a dozen fixed addresses (~15 µs each through werkzeug's URL map).
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, render_template, request, url_for
from markupsafe import Markup

from wizard.web.i18n import current_language

# The keys are few (a few dozen states of the facts, a few dozen step addresses); the cap
# only guards against a mistake.
RENDERED_KEPT = 1024

# url_for values that name a fixed resource (a static file, the theme's version): such
# addresses are the same on every page.
_FIXED_URL_VALUES = frozenset({"filename", "v"})


def init_render_cache(app: Flask) -> None:
    """Give the templates `rendered_once` and the caching `url_for`."""
    app.extensions["sesame.rendered"] = {}
    app.extensions["sesame.urls"] = {}
    app.jinja_env.globals["rendered_once"] = rendered_once
    app.jinja_env.globals["url_for"] = page_url_for


def rendered_once(template: str, key: tuple, **context) -> Markup:
    """`template` rendered with `context`, kept for the same language and `key`.

    A page's progress indicator, footer and (on step pages) banner depend on little and on
    nothing personal (the language, the enrolment's facts, the helpdesk's contacts, the
    page's address). `key` must hold everything the template's output depends on, besides
    the language and the site's root path (which are added).
    """
    kept = current_app.extensions["sesame.rendered"]
    root = request.script_root if has_request_context() else ""
    full_key = (template, current_language(), root, key)
    html = kept.get(full_key)
    if html is None:
        html = Markup(render_template(template, **context))
        if len(kept) < RENDERED_KEPT:
            kept[full_key] = html
    return html


def page_url_for(endpoint: str, **values) -> str:
    """Templates' `url_for`: addresses of fixed resources (no values but a file name or a
    version) are built once per site root, the others as Flask builds them."""
    if (not has_request_context() or endpoint.startswith(".")
            or not _FIXED_URL_VALUES.issuperset(values)):
        return url_for(endpoint, **values)
    kept = current_app.extensions["sesame.urls"]
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    address = kept.get(key)
    if address is None:
        address = kept[key] = url_for(endpoint, **values)
    return address
