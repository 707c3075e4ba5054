"""Plain French for the helpdesk: audit events and their details, browsers, the step in
progress. An agent on the phone reads these aloud; no identifier, JSON or user-agent string
reaches them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from wizard.activation.steps import Step
from wizard.operators.helpdesk import NOT_STARTED_STEP, STEP_LABELS

NBSP = "\u00a0"

EVENTS = {
    "activated": "compte activé",
    "address_verified": "adresse vérifiée",
    "birth_date_checked": "date de naissance confirmée",
    "birth_date_refused": "date de naissance refusée",
    "charter_accepted": "charte acceptée",
    "directory_answered": "question de l'annuaire répondue",
    "disabled": "compte désactivé",
    "identity_proven": "identité prouvée",
    "identity_refused": "identité refusée",
    "letters_written": "courriers de sésame écrits",
    "link_request_ignored": "demande de lien restée sans suite",
    "link_resent": "nouveau lien d'activation envoyé",
    "link_sent": "lien d'activation envoyé",
    "locked": "compte verrouillé",
    "mail_answered": "choix de messagerie enregistré",
    "person_added": "personne enregistrée",
    "person_imported": "personne importée de l'export RH",
    "person_updated": "fiche mise à jour par l'export RH",
    "recovery_answered": "adresse de secours indiquée",
    "sesame_issued": "sésame remis",
    "sesame_locked": "sésame bloqué après trop d'échecs (wizard unlock le débloque)",
    "staff_imported": "export RH importé",
    "unlocked": "compte déverrouillé",
    "verification_code_refused": "code de vérification refusé",
    "verification_resent": "nouveau courriel de vérification envoyé",
}

ACTORS = {"person": "la personne", "operator": "un opérateur", "system": "le système"}

_METHODS = {"link": "par le lien", "sesame": "avec le sésame", "code": "par le code"}
_REASONS = {"invite": "invitation", "resend": "renvoi par l'assistance",
            "first_login": "demandé sur «\u00a01ère connexion\u00a0»", "demo": "démonstration"}
_WHY = {"unknown": "personne ne correspond à ce qui a été tapé",
        "cooldown": "demande répétée alors que le dernier lien, tout récent, est valable",
        "no_personal_address": "aucune adresse personnelle connue",
        "active": "compte déjà activé", "locked": "compte verrouillé",
        "disabled": "compte désactivé", "departed": "départ de l'établissement",
        "too_many_birth_date_failures": "trop de dates de naissance erronées",
        "enough_live_links": "la personne a déjà assez de liens valables",
        "wrong": "sésame erroné"}
_PURPOSES = {"verify_address": "adresse de redirection", "verify_recovery": "adresse de secours"}


def _yes_no(yes: str, no: str = "") -> Callable[[object], str]:
    return lambda value: yes if value else no


# How each detail key is said; None: said only through another key, or not worth saying.
_DETAILS: dict[str, Callable[[object], str] | None] = {
    "listed": lambda v: "figure dans l'annuaire" if v else "liste rouge",
    "forward_to": lambda v: f"redirection vers {v}" if v else "sans redirection",
    "forwarding": None,
    "verification_needed": _yes_no("vérification de l'adresse demandée"),
    "keep_copy": _yes_no("copie gardée", "sans copie"),
    "method": lambda v: _METHODS.get(str(v), str(v)),
    "dead": _yes_no("code désormais inutilisable"),
    "why": lambda v: _WHY.get(str(v), str(v)),
    "reason": lambda v: _REASONS.get(str(v), str(v)),
    "purpose": lambda v: _PURPOSES.get(str(v), str(v)),
    "declined": _yes_no("aucune adresse donnée"),
    "failures": lambda v: f"{v} échec{'s' if int(str(v)) > 1 else ''}",
    "failures_cleared": lambda v: f"{v} échec{'s' if int(str(v)) > 1 else ''} oublié"
                                  f"{'s' if int(str(v)) > 1 else ''}",
    "links_revoked": lambda v: f"{v} lien{'s' if int(str(v)) > 1 else ''} précédent"
                               f"{'s' if int(str(v)) > 1 else ''} révoqué"
                               f"{'s' if int(str(v)) > 1 else ''}" if v else "",
    "sesame_revoked": _yes_no("sésame annulé"),
    "version": lambda v: f"version {v}",
    "to": lambda v: f"vers {v}",
    "gate": None,
    "mail_answered_at": None,
}

_LABELS = {"address": "adresse", "expires_at": "valable jusqu'au", "status": "statut",
           "previous_status": "statut précédent", "login": "identifiant",
           "institutional_email": "adresse universitaire", "matricule": "matricule",
           "full_name": "nom", "line": "ligne", "source": "fichier", "file": "fichier",
           "created": "nouveaux", "updated": "mis à jour", "unchanged": "inchangés",
           "rejected": "refusés", "letters": "courriers", "changes": "changements",
           "departure_date": "date de départ", "skipped_invalid": "lignes refusées ignorées"}


def _value(value: object, moment: Callable[[str], str]) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dict):
        return ", ".join(f"{key} {_value(item, moment)}" for key, item in value.items())
    if isinstance(value, list):
        return "/".join(_value(item, moment) for item in value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|\+00:00)", value):
        return moment(value)
    return str(value)


def event_sentence(event: str, detail: str | dict | None,
                   moment: Callable[[str], str] = str) -> str:
    """One event and its details as a French phrase: « identité refusée (avec le sésame) »."""
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            detail = {"détail": detail}
    parts = []
    for key, value in (detail or {}).items() if isinstance(detail, dict) else []:
        if key in _DETAILS:
            say = _DETAILS[key]
            text = say(value) if say is not None else ""
        else:
            text = f"{_LABELS.get(key, key.replace('_', ' '))} {_value(value, moment)}"
        if text:
            parts.append(text)
    phrase = EVENTS.get(event, event.replace("_", " "))
    return phrase + (f" ({', '.join(parts)})" if parts else "")


_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Version/", "Safari")]
_SYSTEMS = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux")]


def browser(user_agent: str | None) -> str:
    """A user-agent string as a person says it: « Firefox 128 sous Windows »."""
    if not user_agent:
        return ""
    name = ""
    for marker, label in _BROWSERS:
        found = re.search(re.escape(marker) + r"(\d+)", user_agent)
        if found:
            name = f"{label} {found.group(1)}"
            break
    system = next((label for marker, label in _SYSTEMS if marker in user_agent), "")
    if not name:
        return user_agent[:40] + ("…" if len(user_agent) > 40 else "")
    return f"{name} sous {system}" if system else name


def step_in_progress(step: str) -> str:
    """The step a person is at, as « en cours : annuaire » (never read as an answer)."""
    if step == Step.DONE.value:
        return "terminé"
    if step == NOT_STARTED_STEP:
        return "pas encore commencé"
    label = STEP_LABELS.get(step, step)
    return f"en cours{NBSP}: {label[:1].lower()}{label[1:]}"
