"""Error pages: every failure says what happened and what to do next, in the page's language."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from wizard.web.i18n import gettext as _
from wizard.web.i18n import lazy_gettext as _l
from wizard.web.i18n import ngettext

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Demande incomprise"),
          _l("Votre navigateur a envoyé une demande que nous ne savons pas lire.")),
    403: (_l("Accès refusé"), _l("Cette page ne vous est pas accessible.")),
    404: (_l("Page introuvable"),
          _l("Cette adresse ne correspond à aucune page. Vérifiez le lien, ou repartez de "
             "l'accueil.")),
    405: (_l("Action impossible"), _l("Cette page ne s'utilise pas de cette façon.")),
    413: (_l("Envoi trop volumineux"),
          _l("Les informations envoyées dépassent la taille autorisée. Vérifiez ce que vous "
             "avez saisi et réessayez.")),
    429: (_l("Trop de tentatives"),
          _l("Vous avez fait trop de demandes en peu de temps. Patientez quelques minutes, "
             "puis réessayez.")),
    500: (_l("Erreur inattendue"),
          _l("Un problème technique nous empêche de répondre. Ce que vous aviez déjà "
             "enregistré est conservé\u00a0; réessayez dans quelques instants.")),
}


def render_error(code: int, title: str | None = None, message: str | None = None):
    """An error page with a way forward; a fragment when htmx asked for a fragment."""
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    fragment = (request.headers.get("HX-Request") == "true"
                and request.headers.get("HX-Boosted") != "true")
    template = "errors/_fragment.html" if fragment else "errors/error.html"
    return render_template(template, code=code, title=title or default_title,
                           message=message or default_message), code


def _wait_message(error: HTTPException) -> str | None:
    """« Réessayez dans N minutes » from the limit that was hit, when it is known."""
    limit = getattr(getattr(error, "limit", None), "limit", None)
    if limit is None:
        return None
    minutes = max(1, round(limit.get_expiry() / 60))
    return ngettext("Vous avez fait trop de demandes en peu de temps. Par sécurité, "
                    "patientez %(num)d\u00a0minute avant de réessayer.",
                    "Vous avez fait trop de demandes en peu de temps. Par sécurité, "
                    "patientez %(num)d\u00a0minutes avant de réessayer.", minutes)


def register(app: Flask) -> None:
    """Install the error handlers on the app."""

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        # Usually a page left open past a restart or a session that ended: not an attack
        # worth a bare 400. The person goes back and submits again.
        rule = request.url_rule
        if rule is not None and "GET" in (rule.methods or ()):
            # The same page, with a fresh form: the way to continue.
            g.retry_url = request.path
        return render_error(
            400, _("Formulaire expiré"),
            _("Ce formulaire n'est plus valable (page restée ouverte longtemps ou session "
              "terminée). Revenez à la page précédente, rechargez-la et recommencez."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 429:
            return render_error(429, message=_wait_message(error))
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        # The route's pattern, never the path: a path can carry a link's token.
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        log.error("unexpected error on %s %s: %s", request.method, rule,
                  type(error).__name__, exc_info=error)
        return render_error(500)
