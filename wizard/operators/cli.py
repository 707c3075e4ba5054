"""The `wizard` command: operators' commands on top of Flask's (`run`, `shell`, `routes`)."""

from __future__ import annotations

import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from wizard import create_app, db
from wizard.activation import audit, first_login, people
from wizard.activation import sesames as sesame_codes
from wizard.activation.lifetimes import french_date
from wizard.activation.names import is_plausible_address, normalize_address
from wizard.clock import from_iso
from wizard.directory import queue as directory_queue
from wizard.operators import helpdesk, hr_import, reports, wording
from wizard.operators.click_fr import OperatorsGroup
from wizard.text import printable
from wizard.web.app import WeakSecretKey
from wizard.web.branding import french_contact_phrase
from wizard.web.services import (
    app_services,
    apply_directory_queue,
    clock,
    compose,
    directory_for,
    uses_ldap,
)


def _create_app():
    """The app, or a plain French message (no traceback) when its settings are refused."""
    try:
        return create_app()
    except WeakSecretKey as refused:
        click.echo(f"Erreur{NBSP}: {refused}", err=True)
        raise SystemExit(2) from None


@click.group(cls=OperatorsGroup, create_app=_create_app, add_version_option=False,
             help="Sésame\u00a0: l'assistant d'activation des comptes, et les commandes des "
                  "opérateurs. La configuration vient des variables WIZARD_* ou de "
                  "instance/config.py (voir le README).")
def main() -> None:
    """Sésame: the account-activation wizard, and its operators' commands."""


def register_commands(app) -> None:
    """Add the operators' commands to `flask --app wizard` (and so to `wizard`)."""
    for command in (init_db, add_person_command, demo, invite, send_mail, import_staff,
                    sesame, status, audit_command, resend, unlock, disable_departed,
                    report, directory_group):
        app.cli.add_command(command)


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """click.echo, with control characters shown as « ? »: names, services and headers
    come from HR files, and an escape sequence must not reach the operator's terminal."""
    click.echo(printable(str(message)), err=err, nl=nl)


def _db():
    return db.connect(current_app.config["DATABASE"])


def _now() -> datetime:
    """The time, from the app's clock."""
    return clock().now()


def _settings():
    """The services' settings, from the app's configuration."""
    return app_services().settings


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or migrate the SQLite database (safe to run again)."""
    database = _db()
    db.migrate(database)
    echo(f"Base de données prête : {current_app.config['DATABASE']}")


def add_person(database, first_name: str, last_name: str, personal_email: str | None,
               now) -> people.Person:
    """Register a pending person with a generated login and institutional address."""
    login, address = _allocator(database).allocate(first_name, last_name)
    return people.create(database, first_name=first_name, last_name=last_name, login=login,
                         institutional_email=address, personal_email=personal_email, now=now)


def _allocator(database):
    config = current_app.config
    return people.identity_allocator(database, domain=config["MAIL_DOMAIN"],
                                     rule=config["LOGIN_RULE"],
                                     max_length=config["LOGIN_MAX_LENGTH"])


@click.command("add-person")
@click.option("--first-name", required=True, help="Prénom.")
@click.option("--last-name", required=True, help="Nom.")
@click.option("--personal-email", help="Adresse personnelle (de secours).")
@with_appcontext
def add_person_command(first_name: str, last_name: str, personal_email: str | None) -> None:
    """Register one pending person by hand; prints the login given."""
    if personal_email and not is_plausible_address(normalize_address(personal_email)):
        raise click.BadParameter("adresse invalide", param_hint="--personal-email")
    database = _db()
    with db.transaction(database):
        person = add_person(database, first_name.strip(), last_name.strip(),
                            normalize_address(personal_email) if personal_email else None,
                            _now())
        audit.record(database, "person_added", now=_now(), origin=audit.CLI,
                     person_id=person.id)
    echo(f"{person.login} {person.institutional_email}")


DEMO_PEOPLE = [
    ("Camille", "Lefèvre", "camille.lefevre@exemple.org"),
    ("Jean-Éric", "N'Diaye", "je.ndiaye@exemple.net"),
    ("Marie", "Le Goff", "marie.legoff@exemple.fr"),
]


DEMO_LETTER_PERSON = ("Paul", "Martin")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Seed demo people and send each a fresh activation link; prints the links."""
    database = _db()
    now = _now()
    echo("Personnes de démonstration (un lien neuf remplace le précédent) :")
    for first, last, personal in DEMO_PEOPLE:
        with db.transaction(database):
            row = next(iter(database.query(
                "SELECT id FROM people WHERE personal_email = ?", [personal])), None)
            person = people.get(database, row["id"]) if row else add_person(
                database, first, last, personal, now)
            assert person is not None
            if person.status != "pending":
                echo(f"  {person.full_name} ({person.login}) : compte déjà activé")
                continue
            issued = first_login.send_activation_link(
                database, _settings(), compose, person, now=now,
                origin=audit.CLI, reason="demo")
        link = _settings().url(f"/activation/{issued.secret}")
        echo(f"  {person.full_name} ({person.login}) : {link}")
    if current_app.config["MAIL_VIEWER"]:
        echo(f"Courriels envoyés : {_settings().url('/dev/courriels/')}")
    # And one person without a personal address: the sésame path, with their letter.
    with db.transaction(database):
        row = next(iter(database.query(
            "SELECT login FROM people WHERE first_name = ? AND last_name = ?"
            " AND personal_email IS NULL", DEMO_LETTER_PERSON)), None)
        login = row["login"] if row else add_person(database, *DEMO_LETTER_PERSON, None,
                                                    now).login
    letters_path = Path(current_app.instance_path) / "courriers-demo.pdf"
    letters_path.unlink(missing_ok=True)
    status = next(iter(database.query("SELECT status FROM people WHERE login = ?",
                                      [login])))["status"]
    if status == "pending":
        echo(f"Parcours sésame{NBSP}: le courrier de {' '.join(DEMO_LETTER_PERSON)} "
                   f"({login}) et son sésame sont dans {letters_path}")
        click.get_current_context().invoke(sesame, logins=(login,), everyone=False,
                                           letters_path=letters_path)


@click.command("invite")
@click.argument("logins", nargs=-1)
@click.option("--all", "everyone", is_flag=True,
              help="Chaque personne en attente qui a une adresse personnelle et pas de lien "
                   "valable.")
@with_appcontext
def invite(logins: tuple[str, ...], everyone: bool) -> None:
    """Send an activation link to each LOGIN, or --all who need one.

    Earlier links of the same person stop working.
    """
    if bool(logins) == everyone:
        raise click.UsageError("Indiquez des identifiants, ou --all (pas les deux).")
    database = _db()
    if everyone:
        logins = tuple(helpdesk.invitation_candidates(database, _now(), _today()))
    queued = 0
    with _progress(len(logins), "Invitations") as bar:
        for login in logins:
            try:
                helpdesk.resend(database, _settings(), compose, login, now=_now(),
                                reason="invite")
            except LookupError:
                echo(f"{login} : identifiant inconnu", err=True)
            except helpdesk.Refused as error:
                echo(f"{login} : {error}", err=True)
            else:
                queued += 1
            bar.update(1)
    echo(f"{queued} courriel(s) d'invitation mis en file d'envoi.")
    if queued < len(logins):
        raise SystemExit(1)


@click.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted.")
@with_appcontext
def send_mail(loop: bool) -> None:
    """Handle « 1ère connexion » requests and deliver the outbox through SMTP (for cron)."""
    from wizard.web.delivery import deliver_once

    app = current_app._get_current_object()
    if app.config["MAIL_BACKEND"] != "smtp":
        echo("WIZARD_MAIL_BACKEND n'est pas « smtp »\u00a0: les courriels restent dans la "
                   "file (visibles dans la visionneuse de démonstration).")
    while True:
        report = deliver_once(app)
        waiting = next(iter(_db().query(
            "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL"
            " AND failed_at IS NULL")))["n"]
        echo(f"{report.sent} envoyé(s), {report.failed} en échec, {waiting} en attente.")
        if not loop:
            break
        time.sleep(app.config["MAIL_POLL_SECONDS"])


# --- Operators' commands: HR import, sésame letters, helpdesk --------------------------

NBSP = "\u00a0"
# Below this many items a progress bar would only flicker.
PROGRESS_FROM = 200


class _NoBar:
    def update(self, _n: int) -> None:
        """Nothing to show for a short job."""

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        return None


def _progress(total: int, label: str):
    """A progress bar on stderr for long jobs (the summary on stdout stays clean)."""
    if total < PROGRESS_FROM or not sys.stderr.isatty():
        return _NoBar()
    return click.progressbar(length=total, label=label, file=sys.stderr)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _today() -> date:
    """Today in the institution's time zone."""
    return _now().astimezone(_zone()).date()


def _number(n: int) -> str:
    """A count with French digit grouping: 10 000."""
    return f"{n:,}".replace(",", NBSP)


def _plural(n: int, one: str, many: str) -> str:
    return f"{_number(n)} {one if n < 2 else many}"


def _day(iso_date: str | None) -> str:
    """A stored ISO date as 31/01/2026, or a dash."""
    if not iso_date:
        return "—"
    return date.fromisoformat(iso_date).strftime("%d/%m/%Y")


def _moment(moment: datetime | str | None) -> str:
    """A stored moment as local 25/11/2026 à 11 h 00, or a dash."""
    if moment is None:
        return "—"
    if isinstance(moment, str):
        moment = from_iso(moment)
    local = moment.astimezone(_zone())
    return f"{local:%d/%m/%Y} à {local.hour} h {local.minute:02d}"


def _fail(message: str, code: int = 1):
    echo(f"Erreur{NBSP}: {message}", err=True)
    raise SystemExit(code)


# import-staff ----------------------------------------------------------------------------

SHOWN_BY_DEFAULT = 20


@click.command("import-staff")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Affiche le bilan sans rien enregistrer.")
@click.option("--skip-invalid", is_flag=True,
              help="Importe les lignes valides même si d'autres sont rejetées.")
@click.option("--allow-homonyms", is_flag=True,
              help="Importe aussi les lignes qui ressemblent à une personne déjà inscrite "
                   "sous un autre matricule (mêmes nom et prénom, même adresse personnelle "
                   "ou date de naissance).")
@click.option("--encoding", help="Encodage du fichier (utf-8, cp1252…). Détecté sinon.")
@click.option("--delimiter", help="Séparateur (« ; », « , », tab). Détecté sinon.")
@click.option("--verbose", "-v", is_flag=True,
              help=f"Liste chaque personne créée ou mise à jour (sinon les {SHOWN_BY_DEFAULT} "
                   "premières).")
@click.option("--check-directory", is_flag=True,
              help="Dit qui, parmi les personnes du fichier, n'a pas d'entrée dans l'annuaire "
                   "LDAP (WIZARD_DIRECTORY=ldap).")
@with_appcontext
def import_staff(file: Path, dry_run: bool, skip_invalid: bool, allow_homonyms: bool,
                 encoding: str | None, delimiter: str | None, verbose: bool,
                 check_directory: bool = False) -> None:
    """Import an HR export (CSV from SIHAM or a spreadsheet).

    One row per person, keyed by matricule: new people get a login and an institutional
    address, changed rows update the person, rows already imported change nothing. A file
    with rejected rows imports nothing unless --skip-invalid is given.
    """
    config = current_app.config
    try:
        export = hr_import.read_export(
            file.read_bytes(), encoding=encoding,
            delimiter=hr_import.parse_delimiter(delimiter) if delimiter else None)
    except hr_import.ExportError as error:
        _fail(f"{file}{NBSP}: {error}", 2)
    database = _db()
    now = _now()
    with _progress(len(export.rows), "Import") as bar:
        summary = hr_import.import_staff(
            database, export, mail_domain=config["MAIL_DOMAIN"],
            login_rule=config["LOGIN_RULE"], login_max_length=config["LOGIN_MAX_LENGTH"],
            now=now, today=_today(), dry_run=dry_run, skip_invalid=skip_invalid,
            allow_homonyms=allow_homonyms, source=str(file), progress=bar.update)
    _print_import(file, summary, verbose)
    if check_directory:
        _print_without_entry(database, export, summary)
    if summary.rejected and not skip_invalid:
        raise SystemExit(1)


def _print_without_entry(database, export, summary) -> None:
    """`import-staff --check-directory`: who has no entry in the LDAP directory."""
    if not uses_ldap():
        _fail(f"--check-directory{NBSP}: WIZARD_DIRECTORY n'est pas «{NBSP}ldap{NBSP}».")
    directory = directory_for(database)
    try:
        missing = hr_import.without_directory_entry(database, export, summary,
                                                    directory.has_entry)
    except Exception as error:  # noqa: BLE001 - DirectoryUnavailable, said plainly
        _fail(f"annuaire injoignable{NBSP}: {error} (wizard directory check)")
    finally:
        directory.close()
    if not missing:
        echo(f"Annuaire{NBSP}: chaque personne du fichier a son entrée.")
        return
    count = _plural(len(missing), "personne sans entrée", "personnes sans entrée")
    echo(f"Annuaire{NBSP}: {count} (elles ne pourront pas activer leur compte avant "
         f"sa création){NBSP}:")
    for item in missing:
        echo(f"  ligne {item.line}{NBSP}: {item.full_name}, matricule {item.matricule}, "
             f"identifiant {item.login}")


def _print_import(file: Path, summary: hr_import.ImportSummary, verbose: bool) -> None:
    encoding = hr_import.ENCODING_NAMES.get(summary.encoding, summary.encoding)
    delimiter = hr_import.DELIMITER_NAMES.get(summary.delimiter, repr(summary.delimiter))
    echo(f"Fichier{NBSP}: {file} ({encoding}, séparateur {delimiter}, "
               f"{_plural(summary.rows, 'ligne', 'lignes')} de données)")
    if summary.ignored_columns:
        echo(f"Colonnes ignorées{NBSP}: "
                   + ", ".join(f"«{NBSP}{name}{NBSP}»" for name in summary.ignored_columns))
    echo(f"Nouveaux{NBSP}: {_number(len(summary.created))}")
    limit = None if verbose else SHOWN_BY_DEFAULT
    for created in summary.created[:limit]:
        how = "lien par courriel" if created.has_personal_email else "courrier avec sésame"
        echo(f"  {created.matricule:<10} {created.login:<10} "
                   f"{created.institutional_email:<36} {created.full_name} ({how})")
    _more(len(summary.created), limit)
    echo(f"Mis à jour{NBSP}: {_number(len(summary.updated))}")
    for updated in summary.updated[:limit]:
        changes = " ; ".join(_change(name, before, after)
                             for name, (before, after) in updated.changes.items())
        echo(f"  {updated.matricule:<10} {updated.login:<10} {changes}")
        if updated.links_revoked:
            echo(f"  {'':<10} {'':<10} adresse personnelle changée{NBSP}: "
                       f"{_plural(updated.links_revoked, 'lien révoqué', 'liens révoqués')}")
    _more(len(summary.updated), limit)
    echo(f"Inchangés{NBSP}: {_number(summary.unchanged)}")
    echo(f"Rejetés{NBSP}: {_number(len(summary.rejected))}")
    for rejection in summary.rejected:
        echo(f"  ligne {rejection.line}{NBSP}: {rejection.reason}")
    if summary.homonyms:
        echo(f"Doublons probables{NBSP}: {_number(len(summary.homonyms))}")
    for homonym in summary.homonyms:
        done = "importé quand même (--allow-homonyms)" if homonym.imported else "non importé"
        echo(f"  ligne {homonym.line}{NBSP}: {homonym.full_name} (matricule "
             f"{homonym.matricule}) ressemble à {homonym.resembles} ({homonym.same})"
             f"{NBSP}: {done}")
    if any(not homonym.imported for homonym in summary.homonyms):
        echo("  Vérifiez auprès des RH s'il s'agit de la même personne ; sinon, "
                   "relancez avec --allow-homonyms pour importer ces lignes.")
    echo("")
    if summary.dry_run:
        echo("Simulation (--dry-run)\u00a0: rien n'a été enregistré.")
    elif summary.written and not (summary.created or summary.updated):
        echo(f"Rien à changer{NBSP}: la base est déjà à jour.")
    elif summary.written:
        echo("Import enregistré.")
        with_mail = sum(c.has_personal_email for c in summary.created)
        without = len(summary.created) - with_mail
        if with_mail or summary.links_revoked:
            echo("Pour envoyer les liens d'activation\u00a0: wizard invite --all")
        if without:
            echo("Pour les courriers avec sésame\u00a0: "
                       "wizard sesame --all --letters courriers.pdf")
    else:
        echo(f"Rien n'a été importé{NBSP}: "
                   f"{_plural(len(summary.rejected), 'ligne rejetée', 'lignes rejetées')}. "
                   "Corrigez le fichier, ou relancez avec --skip-invalid pour importer les "
                   "autres lignes.")


def _more(total: int, limit: int | None) -> None:
    if limit is not None and total > limit:
        echo(f"  … et {_number(total - limit)} autres (--verbose pour tout afficher)")


_FIELD_LABELS = {"first_name": "prénom", "last_name": "nom", "birth_date": "date de naissance",
                 "category": "catégorie", "service": "service",
                 "personal_email": "mail personnel", "arrival_date": "arrivée",
                 "departure_date": "départ"}


def _change(name: str, before: str | None, after: str | None) -> str:
    label = _FIELD_LABELS.get(name, name)
    if name == "birth_date":
        return f"{label} modifiée"
    if name.endswith("_date"):
        before, after = _day(before), _day(after)
    return f"{label}{NBSP}: {before or '—'} → {after or '—'}"


# sesame ----------------------------------------------------------------------------------


@click.command("sesame")
@click.argument("logins", nargs=-1)
@click.option("--all", "everyone", is_flag=True,
              help="Chaque personne en attente sans adresse personnelle ni sésame valable.")
@click.option("--letters", "letters_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Fichier PDF des courriers à imprimer (ne doit pas déjà exister).")
@with_appcontext
def sesame(logins: tuple[str, ...], everyone: bool, letters_path: Path) -> None:
    """Give a sésame to pending people without a personal address, and print their letters.

    Each gets a new code (replacing any earlier one), valid WIZARD_SESAME_VALID_DAYS days,
    printed in the PDF and nowhere else: print the letters, then delete the file.
    """
    # Imported here: fpdf2 (and fontTools) cost every server process about 20 MB and 0.2 s
    # at start-up, and only this command writes PDFs.
    from wizard.operators import letters

    if bool(logins) == everyone:
        raise click.UsageError("Indiquez des identifiants, ou --all (pas les deux).")
    if letters_path.exists():
        _fail(f"{letters_path} existe déjà{NBSP}: choisissez un autre nom de fichier.", 2)
    config = current_app.config
    database = _db()
    now = _now()
    failed = 0
    if everyone:
        chosen = sesame_codes.candidates(database, now, _today())
    else:
        chosen = []
        for login in logins:
            row = next(iter(database.query("SELECT * FROM people WHERE login = ?",
                                           [login.strip().lower()])), None)
            problem = _why_no_sesame(row)
            if problem:
                echo(f"{login}{NBSP}: {problem}", err=True)
                failed += 1
            else:
                chosen.append(row)
    if not chosen:
        echo("Aucun sésame attribué, aucun courrier."
                   + (f" Chaque personne en attente sans adresse personnelle a déjà un sésame "
                      f"valable (pour en remplacer un{NBSP}: wizard sesame LOGIN --letters …)."
                      if everyone else ""))
        raise SystemExit(1 if failed else 0)
    hasher = app_services().password_hasher
    prepared = []
    with _progress(len(chosen), "Sésames") as bar:
        for row in chosen:
            prepared.append((row, *sesame_codes.prepare(
                row["id"], hasher, now=now, valid_days=config["SESAME_VALID_DAYS"],
                timezone=config["TIMEZONE"])))
            bar.update(1)
    letter_settings = letters.LetterSettings(
        institution=config["INSTITUTION_NAME"], wizard_url=_settings().url("/sesame"),
        helpdesk=french_contact_phrase(config), signature=config["LETTER_SIGNATURE"],
        date_line=f"Le {french_date(_today())}")

    def letter_of(row: dict, issued: sesame_codes.IssuedSesame) -> letters.Letter:
        return letters.Letter(
            full_name=f"{row['first_name']} {row['last_name']}", service=row["service"],
            login=row["login"], institutional_email=row["institutional_email"],
            sesame=issued.printed, expires=_settings().say(issued.expires_at))

    try:
        pdf = letters.render([letter_of(row, issued) for row, issued, _ in prepared],
                             letter_settings)
    except letters.LetterOverflow as error:
        _fail(str(error), 2)
    written = False
    try:
        with db.transaction(database):
            stored = [(row, issued) for row, issued, code_hash in prepared
                      if sesame_codes.store(database, issued, code_hash, now=now,
                                            origin=audit.CLI,
                                            login_key_secret=_settings().code_key)]
            if len(stored) != len(prepared):
                # Someone was activated or disabled meanwhile: no letter for them.
                pdf = letters.render([letter_of(row, issued) for row, issued in stored],
                                     letter_settings)
            audit.record(database, "letters_written", now=now, origin=audit.CLI,
                         file=str(letters_path.resolve()), letters=len(stored))
            _write_private(letters_path, pdf)
            written = True
    except BaseException:
        if written:
            letters_path.unlink(missing_ok=True)
        raise
    expiry = _settings().say(prepared[0][1].expires_at)
    echo(f"{_plural(len(stored), 'sésame attribué', 'sésames attribués')}, "
               f"valable{'s' if len(stored) > 1 else ''} jusqu'au {expiry}{NBSP}:")
    for row, _issued in stored:
        service = f" ({row['service']})" if row["service"] else ""
        echo(f"  {row['login']:<10} {row['first_name']} {row['last_name']}{service}")
    echo(f"Courriers{NBSP}: {letters_path} "
               f"({_plural(len(stored), 'page', 'pages')}, une par personne).")
    echo("Imprimez-les, remettez-les sous pli fermé, puis supprimez le fichier"
               f"{NBSP}: c'est le seul endroit où figurent les sésames.")
    if failed:
        raise SystemExit(1)


def _why_no_sesame(row: dict | None) -> str | None:
    if row is None:
        return "identifiant inconnu"
    if row["status"] != "pending":
        return f"compte {helpdesk.STATUS_LABELS.get(row['status'], row['status'])}"
    if row["personal_email"]:
        return ("a une adresse personnelle\u00a0: envoyez-lui un lien "
                f"(wizard invite {row['login']})")
    return None


def _write_private(path: Path, content: bytes) -> None:
    """Create a file only its owner can read (it holds sésames), refusing to overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


# status ----------------------------------------------------------------------------------

_MAIL_KINDS = {"activation": "lien d'activation", "verification": "vérification (réexpédition)",
               "verification_recovery": "vérification (adresse de secours)",
               "activated": "confirmation d'activation"}
_LINK_STATES = {"valid": "valable jusqu'au", "expired": "expiré depuis le",
                "revoked": "révoqué le", "used": "utilisé le"}


@click.command("status")
@click.argument("who")
@with_appcontext
def status(who: str) -> None:
    """Where someone stands, by LOGIN, address or matricule: step reached, link or sésame,
    mails sent and delivered, failures and locks."""
    database = _db()
    found = helpdesk.find(database, who)
    if not found:
        _fail(f"personne ne correspond à «{NBSP}{who}{NBSP}» (identifiant, adresse ou "
              "matricule).")
    if len(found) > 1:
        echo(f"{_plural(len(found), 'personne correspond', 'personnes correspondent')}"
                   f" à «{NBSP}{who}{NBSP}»{NBSP}:")
    now = _now()
    for index, person in enumerate(found):
        if index:
            echo("")
        _print_status(helpdesk.status(
            database, person, now, login_key_secret=_settings().code_key,
            sesame_lock_after=current_app.config["SESAME_LOCK_AFTER"]), now)
        _print_directory_side(database, person)


def _line(label: str, value: str) -> None:
    echo(f"  {label:<22}{NBSP}: {value}")


def _print_status(view: helpdesk.Status, now: datetime) -> None:
    person = view.person
    echo(f"{person['first_name']} {person['last_name']} — identifiant {person['login']}"
               + (f", matricule {person['matricule']}" if person["matricule"] else ""))
    _line("Adresse universitaire", person["institutional_email"])
    _line("Adresse personnelle", person["personal_email"] or "aucune (parcours sésame)")
    service = person["service"] or "—"
    if person["category"]:
        service += f" ({person['category']})"
    _line("Service", service)
    # What HR knows that a caller can confirm: a helpdesk agent checks who is on the phone.
    _line("Date de naissance", _day(person["birth_date"]))
    _line("Arrivée, départ", f"{_day(person['arrival_date'])}, {_day(person['departure_date'])}")
    state = helpdesk.STATUS_LABELS.get(person["status"], person["status"])
    if person["status"] == "active":
        state += f" le {_moment(person['activated_at'])}"
    elif person["status"] == "disabled" and person["disabled_at"]:
        state += f" le {_moment(person['disabled_at'])}"
    _line("Statut", state)
    step = wording.step_in_progress(view.step)
    if view.step_since and view.step != helpdesk.NOT_STARTED_STEP:
        how = {"sesame": ", entré avec le sésame", "link": ", entré par le lien"}.get(
            view.method or "", "")
        step += f" (dernière action le {_moment(view.step_since)}{how})"
    _line("Étape", step)
    if view.link is None:
        _line("Lien d'activation", "aucun envoyé")
    else:
        state_name = str(view.link_state)
        when = {"valid": view.link.expires_at, "expired": view.link.expires_at,
                "revoked": view.link.revoked_at, "used": view.link.used_at}[state_name]
        _line("Lien d'activation", f"{_LINK_STATES[state_name]} {_moment(when)} "
                                   f"(envoyé le {_moment(view.link.created_at)})")
    if person["sesame_hash"]:
        expires = from_iso(person["sesame_expires_at"])
        if view.sesame_live:
            verb = "valable jusqu'au"
        elif expires <= now:
            verb = "expiré depuis le"
        else:  # locked or disabled: it opens nothing until the helpdesk acts
            verb = "inutilisable (compte verrouillé ou désactivé), prévu jusqu'au"
        _line("Sésame", f"{verb} {_moment(expires)} "
                        f"(remis le {_moment(person['sesame_issued_at'])})")
    elif person["sesame_issued_at"]:
        _line("Sésame", f"annulé (remis le {_moment(person['sesame_issued_at'])})")
    else:
        _line("Sésame", "aucun")
    if person["status"] == "locked" or person["locked_at"]:
        lock = f"VERROUILLÉ depuis le {_moment(person['locked_at'])} — wizard unlock " \
               f"{person['login']}"
    else:
        lock = "non"
    if view.sesame_locked:
        lock += (f" ; SÉSAME BLOQUÉ après {_plural(view.sesame_failures, 'échec', 'échecs')}"
                 f" (le lien et le statut ne changent pas) — wizard unlock {person['login']}")
    elif view.sesame_failures:
        lock += f" ({_plural(view.sesame_failures, 'échec', 'échecs')} de sésame en cours)"
    if view.birth_date_failures:
        lock += (f" ({_plural(view.birth_date_failures, 'échec', 'échecs')} de date de "
                 "naissance en cours)")
    _line("Verrouillage", lock)
    if not view.mails:
        _line("Courriels", "aucun")
    else:
        echo(f"  Courriels ({_number(len(view.mails))}){NBSP}:")
    for sent in view.mails:
        if sent.sent_at:
            delivery = f"envoyé le {_moment(sent.sent_at)}"
        elif sent.failed_at:
            delivery = (f"ABANDONNÉ le {_moment(sent.failed_at)} après "
                        f"{_plural(sent.attempts, 'tentative', 'tentatives')} ; "
                        f"erreur{NBSP}: {sent.last_error}")
        elif sent.attempts:
            delivery = (f"PAS ENVOYÉ, {_plural(sent.attempts, 'tentative', 'tentatives')}"
                        f" ; dernière erreur{NBSP}: {sent.last_error}")
        elif current_app.config["MAIL_BACKEND"] == "outbox":
            delivery = ("gardé dans la boîte de démonstration (mode démonstration"
                        f"{NBSP}: rien ne part, lisez-le sur /dev/courriels/)")
        else:
            delivery = "en attente d'envoi"
        echo(f"    {_moment(sent.queued_at)}  {_MAIL_KINDS.get(sent.kind, sent.kind)} "
                   f"→ {sent.to}{NBSP}: {delivery}")
    if view.incidents:
        echo(f"  Incidents récents{NBSP}:")
        for incident in view.incidents:
            echo(f"    {_moment(incident['at'])}  "
                       + wording.event_sentence(incident["event"], incident["detail"],
                                                _moment))


# resend, unlock --------------------------------------------------------------------------


@click.command("audit")
@click.argument("who")
@click.option("--limit", type=int, default=None, help="Only the newest N events.")
@with_appcontext
def audit_command(who: str, limit: int | None) -> None:
    """The security events of someone, by LOGIN, address or matricule: time, event, IP,
    browser. Never a secret."""
    database = _db()
    found = helpdesk.find(database, who)
    if not found:
        _fail(f"personne ne correspond à «{NBSP}{who}{NBSP}» (identifiant, adresse ou "
              "matricule).")
    for person in found:
        echo(f"{person['first_name']} {person['last_name']} ({person['login']})")
        trail = audit.events(database, person["id"], limit)
        if not trail:
            echo("  aucun événement")
        for event in trail:
            who = wording.ACTORS.get(event["actor"], event["actor"])
            where = ", ".join(part for part in (
                event["ip"] and f"depuis {event['ip']}", wording.browser(event["user_agent"]))
                if part)
            echo(f"  {_moment(event['at'])}  "
                       + wording.event_sentence(event["event"], event["detail"], _moment)
                       + f" — {who}" + (f", {where}" if where else ""))


@click.command("resend")
@click.argument("login")
@with_appcontext
def resend(login: str) -> None:
    """Send a pending person a new activation link; the earlier ones stop working."""
    database = _db()
    try:
        person, revoked = helpdesk.resend(database, _settings(), compose, login, now=_now())
    except LookupError:
        _fail(f"{login}{NBSP}: identifiant inconnu")
    except helpdesk.Refused as error:
        _fail(f"{login}{NBSP}: {error}")
    echo(f"Nouveau lien envoyé à {person['personal_email']} "
               f"({_plural(revoked, 'lien précédent révoqué', 'liens précédents révoqués')}).")
    echo("1 courriel mis en file d'envoi.")


@click.command("unlock")
@click.argument("login")
@with_appcontext
def unlock(login: str) -> None:
    """Lift the lock put on LOGIN after too many wrong sésames; forget its failures."""
    database = _db()
    try:
        result = helpdesk.unlock(database, login, now=_now(),
                                 login_key_secret=_settings().code_key)
    except LookupError:
        _fail(f"{login}{NBSP}: identifiant inconnu")
    except helpdesk.Refused as error:
        _fail(f"{login}{NBSP}: {error}")
    name = result.person["login"]
    if not result.changed:
        echo(f"{name}{NBSP}: rien à déverrouiller "
                   f"({helpdesk.STATUS_LABELS.get(result.status, result.status)}).")
        return
    echo(f"{name}{NBSP}: déverrouillé, statut "
               f"«{NBSP}{helpdesk.STATUS_LABELS.get(result.status, result.status)}{NBSP}» "
               f"({_plural(result.failures_cleared, 'échec effacé', 'échecs effacés')}).")


# disable-departed --------------------------------------------------------------------------


@click.command("disable-departed")
@click.option("--dry-run", is_flag=True, help="Affiche qui serait désactivé, sans rien changer.")
@with_appcontext
def disable_departed(dry_run: bool) -> None:
    """Disable people whose departure date is more than WIZARD_DEPARTED_GRACE_DAYS past.

    Their links and sésame are revoked, which ends their wizard sessions; their login stays
    taken for ever.
    """
    grace = current_app.config["DEPARTED_GRACE_DAYS"]
    today = _today()
    ldap = uses_ldap()
    database = _db()
    done = helpdesk.disable_departed(database, today=today, grace_days=grace, now=_now(),
                                     dry_run=dry_run, lock_in_directory=ldap)
    if ldap and done and not dry_run:
        _sync_directory(database, [item.person["login"] for item in done])
    cutoff = helpdesk.departed_cutoff(today, grace)
    verb = "serait désactivé" if dry_run else "désactivé"
    for item in done:
        person = item.person
        what = [f"{verb}"]
        if item.links_revoked:
            what.append(_plural(item.links_revoked, "lien révoqué", "liens révoqués"))
        if item.sesame_revoked:
            what.append("sésame annulé")
        echo(f"  {person['login']:<10} {person['first_name']} {person['last_name']}, "
                   f"parti le {_day(person['departure_date'])}{NBSP}: {', '.join(what)}")
    if not done:
        echo(f"Personne à désactiver (aucun départ avant le {cutoff:%d/%m/%Y}).")
    elif dry_run:
        echo(f"Simulation (--dry-run){NBSP}: "
                   f"{_plural(len(done), 'compte serait désactivé', 'comptes seraient désactivés')}"
                   f" (départ avant le {cutoff:%d/%m/%Y}) ; rien n'a été changé.")
    else:
        echo(f"{_plural(len(done), 'compte désactivé', 'comptes désactivés')} "
                   f"(départ avant le {cutoff:%d/%m/%Y}).")


# report ----------------------------------------------------------------------------------


def _step_label(name: str) -> str:
    if name in reports.NOT_STARTED_LABELS:
        return reports.NOT_STARTED_LABELS[name]
    if name == "termine":
        return "terminé (compte activé)"
    return f"bloqué à l'étape{NBSP}: {helpdesk.STEP_LABELS.get(name, name)}"


_SHORT_STATUS = {"pending": "en attente", "active": "activés", "locked": "verrouillés",
                 "disabled": "désactivés"}


@click.command("report")
@click.option("--csv", "as_csv", is_flag=True,
              help="Sortie CSV (séparateur « ; ») pour un tableur.")
@with_appcontext
def report(as_csv: bool) -> None:
    """Counts by status, by step reached (where people get stuck) and by service."""
    counts = reports.build(_db(), _now())
    if as_csv:
        _print_report_csv(counts)
        return
    echo(f"Personnes{NBSP}: {_number(counts.total)}")
    echo(f"\nPar statut{NBSP}:")
    for name in reports.STATUSES:
        echo(f"  {helpdesk.STATUS_LABELS[name]:<40} {counts.by_status[name]:>7}")
    echo(f"\nPar étape atteinte (en attente et activés){NBSP}:")
    for name, n in counts.steps_in_order():
        echo(f"  {_step_label(name):<60} {n:>7}")
    echo(f"\nPar service{NBSP}:")
    header = "".join(f"{_SHORT_STATUS[name]:>12}" for name in reports.STATUSES)
    echo(f"  {'service':<40} {'total':>7}{header}")
    for service, by_status in sorted(counts.by_service.items(),
                                     key=lambda item: (-sum(item[1].values()), item[0])):
        cells = "".join(f"{by_status[name]:>12}" for name in reports.STATUSES)
        echo(f"  {service[:40]:<40} {sum(by_status.values()):>7}{cells}")


# A cell starting so is a formula to a spreadsheet; service names come from HR's file.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def _spreadsheet_cell(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula (OWASP's rule: a quote)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _print_report_csv(counts: reports.Report) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    statuses = [helpdesk.STATUS_LABELS[name] for name in reports.STATUSES]
    writer.writerow(["rubrique", "valeur", "total", *statuses])
    for name in reports.STATUSES:
        writer.writerow(["statut", helpdesk.STATUS_LABELS[name], counts.by_status[name]])
    for name, n in counts.steps_in_order():
        writer.writerow(["étape", _step_label(name).replace(NBSP, " "), n])
    for service, by_status in sorted(counts.by_service.items()):
        writer.writerow(["service", _spreadsheet_cell(service), sum(by_status.values()),
                         *(by_status[name] for name in reports.STATUSES)])
    echo(buffer.getvalue(), nl=False)


# directory -------------------------------------------------------------------------------


def _sync_directory(database, logins: list[str] | None) -> bool:
    """Apply the queued directory writes now; say what happened. True if all went."""
    report = apply_directory_queue(database, logins=logins, ignore_backoff=True)
    left = directory_queue.pending_count(database)
    applied = _plural(report.applied, "écriture appliquée", "écritures appliquées")
    echo(f"Annuaire{NBSP}: {applied}, {_number(left)} en attente.")
    for error in report.errors:
        echo(f"  échec{NBSP}: {error} (nouvel essai automatique plus tard)")
    return not report.failed


def _print_directory_side(database, person: dict) -> None:
    """`wizard status`: the person's entry in the LDAP directory and the queued writes."""
    if not uses_ldap():
        return
    directory = directory_for(database)
    try:
        dn = directory.find(person["login"], person["matricule"])
        entry = dn or "AUCUNE ENTRÉE trouvée"
    except Exception as error:  # noqa: BLE001 - the status must print whatever happens
        entry = f"annuaire injoignable ({error})"
    finally:
        directory.close()
    _line("Entrée de l'annuaire", entry)
    side = directory_queue.for_login(database, person["login"])
    last = side.last_applied
    _line("Dernière écriture", f"le {_moment(last['applied_at'])}" if last else "aucune")
    if not side.pending:
        _line("Écritures en attente", "aucune")
    else:
        _line("Écritures en attente", f"{_number(len(side.pending))} — wizard directory sync "
                                      f"{person['login']}")
        for row in side.pending:
            tries = _plural(row["attempts"], "tentative", "tentatives")
            error = f" ; dernière erreur{NBSP}: {row['last_error']}" if row["last_error"] else ""
            echo(f"    {_moment(row['created_at'])}  {tries}{error}")


@click.group("directory")
def directory_group() -> None:
    """L'annuaire LDAP de l'établissement (WIZARD_DIRECTORY=ldap): vérifier la
    configuration, rejouer les écritures en attente."""


@directory_group.command("check")
@click.option("--login", help="Lire l'entrée de cet identifiant plutôt que la première venue.")
@with_appcontext
def directory_check(login: str | None) -> None:
    """Se connecte, s'authentifie, trouve la base, lit une entrée et dit ce qui manque."""
    if not uses_ldap():
        _fail(f"WIZARD_DIRECTORY n'est pas «{NBSP}ldap{NBSP}»{NBSP}: les comptes sont écrits "
              "dans la base SQLite du wizard, il n'y a pas d'annuaire à vérifier.")
    database = _db()
    directory = directory_for(database)
    echo(f"Annuaire {directory.settings.url}, base «{NBSP}{directory.settings.base_dn}"
               f"{NBSP}», mode {directory.settings.entries}, mot de passe par "
               f"{directory.settings.password_method}")
    lines = directory.check(login)
    for ok, line in lines:
        echo(("  ✓ " if ok else "  ✗ ") + line)
    left = directory_queue.pending_count(database)
    echo(f"  Écritures en attente{NBSP}: {_number(left)}")
    if not all(ok for ok, _ in lines):
        raise SystemExit(1)


@directory_group.command("sync")
@click.argument("logins", nargs=-1)
@with_appcontext
def directory_sync(logins: tuple[str, ...]) -> None:
    """Rejoue maintenant les écritures en attente vers l'annuaire (toutes, ou celles des
    LOGIN donnés), sans attendre leur prochain essai."""
    if not uses_ldap():
        _fail(f"WIZARD_DIRECTORY n'est pas «{NBSP}ldap{NBSP}»{NBSP}: rien à rejouer.")
    if not _sync_directory(_db(), [login.strip().lower() for login in logins] or None):
        raise SystemExit(1)
