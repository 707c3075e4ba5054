"""The `wizard` command: operators' commands on top of Flask's (`run`, `shell`, `routes`)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import audit, create_app, db, enrolment, people
from .clock import utcnow
from .identity import address_local_part, first_free, is_plausible_address, login_stem


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """Sésame: the account-activation wizard, and its operators' commands.

    Configuration comes from WIZARD_* environment variables or instance/config.py
    (see the README).
    """


def register_commands(app) -> None:
    """Add the operators' commands to `flask --app wizard` (and so to `wizard`)."""
    for command in (init_db, add_person_command, demo, invite, send_mail):
        app.cli.add_command(command)


def _db():
    return db.connect(current_app.config["DATABASE"])


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or migrate the SQLite database (safe to run again)."""
    database = _db()
    db.migrate(database)
    click.echo(f"Base de données prête : {current_app.config['DATABASE']}")


def add_person(database, first_name: str, last_name: str, personal_email: str | None,
               now) -> people.Person:
    """Register a pending person with a generated login and institutional address."""
    domain = current_app.config["MAIL_DOMAIN"]

    def login_taken(candidate: str) -> bool:
        return people.find_by_login(database, candidate) is not None

    def address_taken(candidate: str) -> bool:
        return bool(list(database.query(
            "SELECT 1 FROM people WHERE institutional_email = ?", [f"{candidate}@{domain}"])))

    login = first_free(login_stem(first_name, last_name), login_taken)
    local = first_free(address_local_part(first_name, last_name), address_taken)
    return people.create(database, first_name=first_name, last_name=last_name, login=login,
                         institutional_email=f"{local}@{domain}",
                         personal_email=personal_email, now=now)


@click.command("add-person")
@click.option("--first-name", required=True, help="Prénom.")
@click.option("--last-name", required=True, help="Nom.")
@click.option("--personal-email", help="Adresse personnelle (de secours).")
@with_appcontext
def add_person_command(first_name: str, last_name: str, personal_email: str | None) -> None:
    """Register one pending person by hand; prints the login given."""
    if personal_email and not is_plausible_address(personal_email.strip().lower()):
        raise click.BadParameter("adresse invalide", param_hint="--personal-email")
    database = _db()
    with db.transaction(database):
        person = add_person(database, first_name.strip(), last_name.strip(),
                            personal_email.strip().lower() if personal_email else None,
                            utcnow())
        audit.record(database, "person_added", now=utcnow(), origin=audit.CLI,
                     person_id=person.id)
    click.echo(f"{person.login} {person.institutional_email}")


DEMO_PEOPLE = [
    ("Camille", "Lefèvre", "camille.lefevre@exemple.org"),
    ("Jean-Éric", "N'Diaye", "je.ndiaye@exemple.net"),
    ("Marie", "Le Goff", "marie.legoff@exemple.fr"),
]


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Seed demo people and send each a fresh activation link; prints the links."""
    from .runtime import compose, settings

    database = _db()
    now = utcnow()
    click.echo("Personnes de démonstration (un lien neuf remplace le précédent) :")
    for first, last, personal in DEMO_PEOPLE:
        with db.transaction(database):
            row = next(iter(database.query(
                "SELECT id FROM people WHERE personal_email = ?", [personal])), None)
            person = people.get(database, row["id"]) if row else add_person(
                database, first, last, personal, now)
            assert person is not None
            if person.status != "pending":
                click.echo(f"  {person.full_name} ({person.login}) : compte déjà activé")
                continue
            issued = enrolment.send_activation_link(database, settings(), compose, person,
                                                    now=now, origin=audit.CLI, reason="demo")
        link = settings().url(f"/activation/{issued.secret}")
        click.echo(f"  {person.full_name} ({person.login}) : {link}")
    if current_app.config["MAIL_VIEWER"]:
        click.echo(f"Courriels envoyés : {settings().url('/dev/courriels/')}")


@click.command("invite")
@click.argument("logins", nargs=-1, required=True)
@with_appcontext
def invite(logins: tuple[str, ...]) -> None:
    """Send an activation link to each LOGIN (earlier links stop working)."""
    from .runtime import compose, settings

    database = _db()
    queued = 0
    for login in logins:
        try:
            enrolment.invite(database, settings(), compose, login, now=utcnow())
        except LookupError:
            click.echo(f"{login} : identifiant inconnu", err=True)
        except ValueError as error:
            click.echo(f"{login} : {error}", err=True)
        else:
            queued += 1
    click.echo(f"{queued} courriel(s) d'invitation mis en file d'envoi.")
    if queued < len(logins):
        raise SystemExit(1)


@click.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted.")
@with_appcontext
def send_mail(loop: bool) -> None:
    """Deliver the mails waiting in the outbox through SMTP (for cron)."""
    from .runtime import deliver_once

    app = current_app._get_current_object()
    if app.config["MAIL_BACKEND"] != "smtp":
        click.echo("WIZARD_MAIL_BACKEND n'est pas « smtp » : les courriels restent dans la "
                   "file (visibles dans la visionneuse de démonstration).")
        return
    while True:
        report = deliver_once(app)
        waiting = next(iter(_db().query(
            "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL")))["n"]
        click.echo(f"{report.sent} envoyé(s), {report.failed} en échec, {waiting} en attente.")
        if not loop:
            break
        time.sleep(app.config["MAIL_POLL_SECONDS"])
