"""The `wizard` command in French: Click's own words (usage, options, errors), the commands'
help, and only the operators' commands listed (Flask's `routes`, `shell` and Flask-Limiter's
`limiter` stay callable for developers, out of the operators' sight)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types
from flask.cli import FlaskGroup

NBSP = "\u00a0"

# Click's messages (click 8.x), in French.
CLICK_FR = {
    "Usage:": "Utilisation\u00a0:",
    "Options": "Options",
    "Commands": "Commandes",
    "Positional arguments": "Arguments",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Show the version and exit.": "Affiche la version et quitte.",
    "Error: {message}": "Erreur\u00a0: {message}",
    "Try '{command} {option}' for help.": "Essayez «\u00a0{command} {option}\u00a0» pour "
                                          "l'aide.",
    "No such command {name!r}.": "Commande inconnue\u00a0: {name!r}.",
    "No such option {name!r}.": "Option inconnue\u00a0: {name!r}.",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": "Paramètre manquant\u00a0: {param_name}",
    "Missing {param_type}": "{param_type} manquant",
    "Missing command.": "Commande manquante.",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint}\u00a0: "
                                                "{message}",
    "Invalid value: {message}": "Valeur invalide\u00a0: {message}",
    "Option {name!r} does not take a value.": "L'option {name!r} ne prend pas de valeur.",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un {number_type} valide.",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} n'existe pas.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} est un dossier.",
    "{name} {filename!r} is a file.": "{name} {filename!r} est un fichier.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} n'est pas lisible.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} n'est pas modifiable.",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir le fichier "
                                                  "{filename!r}\u00a0: {message}",
    "Aborted!": "Abandon.",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "integer": "entier",
    "default: {default}": "par défaut\u00a0: {default}",
    "Choose from:\n\t{choices}": "Choisissez parmi\u00a0:\n\t{choices}",
}
CLICK_FR_PLURAL = {
    "Got unexpected extra argument ({args})": ("Argument en trop ({args})",
                                               "Arguments en trop ({args})"),
    "Did you mean {possibility}?": ("Vouliez-vous dire {possibility}\u00a0?",
                                    "(Vouliez-vous dire l'un de\u00a0: {possibilities}\u00a0?)"),
    "Option {name!r} requires an argument.": ("L'option {name!r} demande une valeur.",
                                              "L'option {name!r} demande {nargs} valeurs."),
}


def _gettext(message: str) -> str:
    return CLICK_FR.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    french = CLICK_FR_PLURAL.get(singular)
    if french is None:
        return singular if count == 1 else plural
    return french[0] if count == 1 else french[1]


_MODULES = (click.core, click.decorators, click.exceptions, click.formatting, click.parser,
            click.types)


@contextmanager
def speaking_french() -> Iterator[None]:
    """Click's messages in French while the `wizard` command runs; as before afterwards
    (other Click programs in the same process, tests among them, are left alone)."""
    saved = [(module, name, getattr(module, name)) for module in _MODULES
             for name in ("_", "ngettext") if hasattr(module, name)]
    saved += [(click.types.IntParamType, "name", click.types.IntParamType.name),
              (click.types.FloatParamType, "name", click.types.FloatParamType.name)]
    for module, name, _ in saved[:-2]:
        setattr(module, name, _gettext if name == "_" else _ngettext)
    # The types' names appear in errors (« n'est pas un entier valide ») and metavars.
    click.types.IntParamType.name = "entier"
    click.types.FloatParamType.name = "décimal"
    try:
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)


# Each operators' command's help, in French (the docstrings stay the code's English).
HELP = {
    "init-db": "Crée ou met à jour la base de données SQLite (sans risque à relancer).",
    "add-person": "Inscrit une personne en attente\u00a0; affiche l'identifiant et "
                  "l'adresse universitaire attribués.",
    "demo": "Crée les personnes de démonstration et envoie à chacune un lien\u00a0; affiche "
            "les liens.",
    "invite": "Envoie un lien d'activation à chaque IDENTIFIANT, ou (--all) à chaque "
              "personne en attente qui a une adresse personnelle et pas de lien valable.",
    "send-mail": "Traite les demandes «\u00a01ère connexion\u00a0» et envoie la file des "
                 "courriels par SMTP (pour cron).",
    "import-staff": "Importe un export RH (CSV de SIHAM ou d'un tableur).",
    "sesame": "Remet un sésame aux personnes en attente sans adresse personnelle et écrit "
              "leurs courriers à imprimer.",
    "status": "Où en est une personne (identifiant, adresse ou matricule)\u00a0: étape, "
              "lien ou sésame, courriels, échecs et verrouillage.",
    "audit": "Le journal d'une personne (identifiant, adresse ou matricule)\u00a0: une "
             "ligne par événement, jamais un secret.",
    "resend": "Envoie un nouveau lien d'activation\u00a0; les précédents cessent de "
              "fonctionner.",
    "unlock": "Lève le verrouillage posé après trop de sésames erronés.",
    "disable-departed": "Désactive les personnes parties depuis plus du délai prévu.",
    "report": "Les effectifs par statut, par étape atteinte et par service.",
    "run": "Lance le serveur de développement de Flask (en production\u00a0: gunicorn).",
}
OPTION_HELP = {("send-mail", "loop"): "Continue d'envoyer jusqu'à interruption.",
               ("audit", "limit"): "Seulement les N derniers événements."}
HIDDEN = {"routes", "shell", "limiter"}


class OperatorsGroup(FlaskGroup):
    """Flask's command group, as the operators see it: in French, their commands only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # --env-file, --app and --debug are Flask's developer options: the app is given.
        self.params = [param for param in self.params
                       if param.name not in ("env_file", "app", "debug")]

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands `wizard --help` lists."""
        return [name for name in super().list_commands(ctx) if name not in HIDDEN]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """A command, its help in French."""
        command = super().get_command(ctx, name)
        if command is not None and name in HELP:
            command.help = HELP[name]
            command.short_help = None
            for param in command.params:
                french = OPTION_HELP.get((name, param.name or ""))
                if french and isinstance(param, click.Option):
                    param.help = french
        return command

    def main(self, *args, **kwargs):
        """Run the command, Click speaking French."""
        with speaking_french():
            return super().main(*args, **kwargs)
