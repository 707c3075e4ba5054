"""Error pages: every failure says what happened and what to do next, in French."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Demande incomprise",
          "Votre navigateur a envoyé une demande que nous ne savons pas lire."),
    403: ("Accès refusé", "Cette page ne vous est pas accessible."),
    404: ("Page introuvable",
          "Cette adresse ne correspond à aucune page. Vérifiez le lien, ou repartez de "
          "l'accueil."),
    405: ("Action impossible", "Cette page ne s'utilise pas de cette façon."),
    413: ("Envoi trop volumineux",
          "Les informations envoyées dépassent la taille autorisée. Vérifiez ce que vous avez "
          "saisi et réessayez."),
    429: ("Trop de tentatives",
          "Vous avez fait trop de demandes en peu de temps. Patientez quelques minutes, puis "
          "réessayez."),
    500: ("Erreur inattendue",
          "Un problème technique nous empêche de répondre. Ce que vous aviez déjà enregistré "
          "est conservé ; réessayez dans quelques instants."),
}


def render_error(code: int, title: str | None = None, message: str | None = None):
    """A full French error page with a way forward."""
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title or default_title,
                           message=message or default_message), code


def register(app: Flask) -> None:
    """Install the error handlers on the app."""

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        # Usually a page left open past a restart or a session that ended: not an attack
        # worth a bare 400. The person goes back and submits again.
        return render_error(
            400, "Formulaire expiré",
            "Ce formulaire n'est plus valable (page restée ouverte longtemps ou session "
            "terminée). Revenez à la page précédente, rechargez-la et recommencez.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.error("unexpected error on %s %s: %s", request.method, request.path,
                  type(error).__name__, exc_info=error)
        return render_error(500)
