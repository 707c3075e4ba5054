"""The HR export (SIHAM): reading a spreadsheet's CSV, checking each row, importing people.

An export is whatever a spreadsheet saved: UTF-8 with or without BOM, or Windows-1252;
commas or semicolons; French or English headers, with or without accents, in any case.
The reading detects all of it; the caller may force the encoding and the delimiter.

The import is idempotent by matricule: a row already imported as it is changes nothing, a
changed row updates the person (never their login or address), a new matricule is a new
pending person with a login and an institutional address. It runs in one transaction: a
file with rejected rows imports nothing unless asked to skip them, and a dry run computes
exactly the same summary, then rolls back.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlite_utils import Database

from wizard.activation import audit, people, tokens
from wizard.activation.names import is_plausible_address, normalize_address
from wizard.activation.tokens import Purpose
from wizard.clock import to_iso
from wizard.db import transaction
from wizard.text import control_characters, fold

# The person's fields, in the order a summary shows them.
FIELDS = ("matricule", "last_name", "first_name", "birth_date", "category", "service",
          "personal_email", "arrival_date", "departure_date")
REQUIRED = ("matricule", "last_name", "first_name")
DATE_FIELDS = ("birth_date", "arrival_date", "departure_date")

# Headers as an export may spell them, once folded (lowercase ASCII, punctuation as spaces).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "matricule": ("matricule", "numero de matricule", "no matricule", "n matricule",
                  "numero agent", "n agent", "no agent", "identifiant rh", "id rh",
                  "employee id", "employee number", "staff id", "staff number",
                  "personnel number"),
    "last_name": ("nom", "nom d usage", "nom usuel", "nom de famille", "last name",
                  "lastname", "surname", "family name"),
    "first_name": ("prenom", "prenom usuel", "first name", "firstname", "given name",
                   "forename"),
    "birth_date": ("date de naissance", "date naissance", "naissance", "ne le", "ne e le",
                   "birth date", "birthdate", "date of birth", "dob"),
    "category": ("categorie", "categorie de personnel", "categorie d emploi",
                 "type de personnel", "population", "category", "staff category",
                 "staff type"),
    "service": ("composante", "service", "composante service", "composante ou service",
                "structure", "structure d affectation", "affectation", "unite",
                "department", "unit", "faculty"),
    "personal_email": ("mail personnel", "mail perso", "email personnel", "e mail personnel",
                       "courriel personnel", "adresse mail personnelle",
                       "adresse electronique personnelle", "adresse personnelle",
                       "mel personnel", "personal email", "personal e mail", "personal mail",
                       "private email", "private e mail"),
    "arrival_date": ("date d arrivee", "date arrivee", "arrivee", "date d entree",
                     "date entree", "date de prise de fonction", "date de debut",
                     "arrival date", "start date", "hire date"),
    "departure_date": ("date de depart", "date depart", "depart", "date de sortie",
                       "date sortie", "date de fin", "date de fin de contrat",
                       "departure date", "end date", "leaving date"),
}
_FIELD_OF_HEADER = {alias: name for name, aliases in HEADER_ALIASES.items()
                    for alias in aliases}

# Fields two columns may feed: "Composante" and "Service" side by side make one service.
_JOINED_FIELDS = {"service": " – "}

DELIMITERS = (";", ",", "\t", "|")
DELIMITER_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation",
                   "|": "barre verticale"}

ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 avec BOM", "cp1252": "Windows-1252",
                  "utf-16": "UTF-16", "latin-1": "ISO-8859-1"}

MAX_NAME_LENGTH = 100
MAX_TEXT_LENGTH = 200
_MATRICULE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
# Letters of any script, combining accents, spaces, hyphens, apostrophes and dots (St.).
_NAME_PUNCTUATION = set(" -'’ʼ.")


class ExportError(ValueError):
    """The file as a whole cannot be read: encoding, headers, required columns."""


# --- Reading ------------------------------------------------------------------------------


def normalize_header(text: str) -> str:
    """Fold a header for matching: « Date d'arrivée » → "date d arrivee"."""
    # Punctuation (’, /, -) becomes a space before folding, which would drop non-ASCII marks.
    spaced = re.sub(r"[^\w]+|_", " ", text.replace("\ufeff", ""))
    return " ".join(re.split(r"[^a-z0-9]+", fold(spaced))).strip()


def field_of_header(text: str) -> str | None:
    """The person's field a column header stands for, if it is one we know."""
    return _FIELD_OF_HEADER.get(normalize_header(text))


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode an export; return (text, encoding used). Detects UTF-8 (BOM or not), UTF-16
    with a BOM, else Windows-1252. A forced `encoding` is used as given."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ExportError(f"encodage inconnu\u00a0: « {encoding} »") from None
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as error:
            raise ExportError(_undecodable(data, error, codec)) from None
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # Five bytes have no Windows-1252 meaning; ISO-8859-1 reads everything.
        return data.decode("latin-1"), "latin-1"


def _undecodable(data: bytes, error: UnicodeDecodeError, codec: str) -> str:
    line = data[: error.start].count(b"\n") + 1
    return (f"le fichier n'est pas en {ENCODING_NAMES.get(codec, codec)}\u00a0: octet "
            f"illisible ligne {line}")


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def detect_delimiter(text: str) -> str:
    """The delimiter under which the header line has the most known columns."""
    header = _first_line(text)

    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        return sum(field_of_header(cell) is not None for cell in cells), len(cells)

    return max(DELIMITERS, key=score)


@dataclass(frozen=True)
class Row:
    """One data row of the export: its line number in the file and its cells by field."""

    line: int
    cells: dict[str, str]
    extra: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Export:
    """A decoded, split export: how it was read, its columns and its rows."""

    encoding: str
    delimiter: str
    columns: dict[str, list[int]]
    ignored_columns: list[str]
    rows: list[Row]


def parse_delimiter(option: str) -> str:
    """Read a --delimiter option: the character itself or its name (tab, semicolon…)."""
    named = {"tab": "\t", "tabulation": "\t", "\\t": "\t", "semicolon": ";",
             "point-virgule": ";", "comma": ",", "virgule": ",", "pipe": "|"}
    value = named.get(option.strip().lower(), option)
    if len(value) != 1:
        raise ExportError(f"séparateur invalide\u00a0: « {option} » (un seul caractère)")
    return value


def read_export(data: bytes, *, encoding: str | None = None,
                delimiter: str | None = None) -> Export:
    """Decode and split an export, mapping its headers to the person's fields."""
    text, used = decode(data, encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    chosen = delimiter or detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=chosen)
    header: list[str] | None = None
    for cells in reader:
        if any(cell.strip() for cell in cells):
            header = cells
            break
    if header is None:
        raise ExportError("le fichier est vide")
    columns: dict[str, list[int]] = {}
    ignored = []
    for index, name in enumerate(header):
        field_name = field_of_header(name)
        if field_name is None:
            if name.strip():
                ignored.append(name.strip())
            continue
        columns.setdefault(field_name, []).append(index)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        found = ", ".join(f"« {h.strip()} »" for h in header if h.strip()) or "aucune"
        raise ExportError(
            f"colonne(s) obligatoire(s) absente(s)\u00a0: {', '.join(_LABELS[m] for m in missing)}"
            f" (colonnes lues avec le séparateur « {_show(chosen)} »\u00a0: {found})")
    doubled = [name for name, indexes in columns.items()
               if len(indexes) > 1 and name not in _JOINED_FIELDS]
    if doubled:
        raise ExportError("plusieurs colonnes pour\u00a0: "
                          + ", ".join(_LABELS[name] for name in doubled))
    rows = []
    width = len(header)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ExportError(f"ligne {line}\u00a0: {error}") from None
        if not any(cell.strip() for cell in cells):
            continue
        values = {}
        for name, indexes in columns.items():
            parts = [cells[i].strip() for i in indexes if i < len(cells) and cells[i].strip()]
            values[name] = _JOINED_FIELDS.get(name, "").join(dict.fromkeys(parts))
        extra = [cell for cell in cells[width:] if cell.strip()]
        rows.append(Row(line=line, cells=values, extra=extra))
    return Export(encoding=used, delimiter=chosen, columns=columns, ignored_columns=ignored,
                  rows=rows)


def _show(delimiter: str) -> str:
    return "\\t" if delimiter == "\t" else delimiter


# --- Checking -----------------------------------------------------------------------------


_LABELS = {"matricule": "matricule", "last_name": "nom", "first_name": "prénom",
           "birth_date": "date de naissance", "category": "catégorie",
           "service": "composante/service", "personal_email": "mail personnel",
           "arrival_date": "date d'arrivée", "departure_date": "date de départ"}


@dataclass(frozen=True)
class StaffRecord:
    """A row that passed every check, in the form stored in `people`."""

    line: int
    matricule: str
    first_name: str
    last_name: str
    birth_date: str | None = None
    category: str | None = None
    service: str | None = None
    personal_email: str | None = None
    arrival_date: str | None = None
    departure_date: str | None = None

    @property
    def full_name(self) -> str:
        """First name then surname."""
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Rejection:
    """A row refused, with its line in the file and why (in French, for the operator)."""

    line: int
    matricule: str | None
    reason: str


class RowInvalid(ValueError):
    """One row cannot be imported; the message says why."""


_DATE_PATTERNS = [
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), ("y", "m", "d")),
]
# A spreadsheet may add a midnight time to a date cell.
_MIDNIGHT = re.compile(r"[ T]00:00(:00(\.0+)?)?$")


def parse_date(text: str) -> date:
    """Read a date as exports write it: 15/09/2026, 15-09-2026, 15.09.2026 or 2026-09-15."""
    cleaned = _MIDNIGHT.sub("", text.strip())
    for pattern, order in _DATE_PATTERNS:
        found = pattern.match(cleaned)
        if found:
            parts = dict(zip(order, (int(g) for g in found.groups()), strict=True))
            return date(parts["y"], parts["m"], parts["d"])  # ValueError when impossible
    raise ValueError(text)


def clean_name(text: str) -> str:
    """NFC (a Mac export may decompose é), spaces collapsed, ends trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _check_name(value: str, label: str) -> str:
    name = clean_name(value)
    if not name:
        raise RowInvalid(f"{label} manquant")
    if len(name) > MAX_NAME_LENGTH:
        raise RowInvalid(f"{label} trop long ({len(name)} caractères)")
    odd = [ch for ch in name if not (ch in _NAME_PUNCTUATION
                                     or unicodedata.category(ch)[0] in "LM")]
    if odd:
        raise RowInvalid(f"{label} invalide (caractère « {odd[0]} »)\u00a0: « {name} »")
    if not any(unicodedata.category(ch)[0] == "L" for ch in name):
        raise RowInvalid(f"{label} invalide\u00a0: « {name} »")
    return name


def check_row(row: Row, *, today: date, mail_domain: str) -> StaffRecord:
    """Turn a row into a record, or raise RowInvalid with the first reason found."""
    cells = row.cells
    for name, value in cells.items():
        if control_characters(value or ""):
            # Never echoed: an escape sequence would reach the operator's terminal.
            raise RowInvalid(f"caractère de contrôle dans la colonne "
                             f"«\u00a0{_LABELS.get(name, name)}\u00a0» (refusé)")
    if row.extra:
        raise RowInvalid("plus de cellules que de colonnes (un séparateur dans une valeur\u00a0?)")
    matricule = cells.get("matricule", "").strip()
    if not matricule:
        raise RowInvalid("matricule manquant")
    if not _MATRICULE.match(matricule):
        raise RowInvalid(f"matricule invalide\u00a0: « {matricule} »")
    last_name = _check_name(cells.get("last_name", ""), "nom")
    first_name = _check_name(cells.get("first_name", ""), "prénom")
    dates: dict[str, str | None] = {}
    for name in DATE_FIELDS:
        raw = cells.get(name, "").strip()
        if not raw:
            dates[name] = None
            continue
        try:
            value = parse_date(raw)
        except ValueError:
            raise RowInvalid(f"{_LABELS[name]} invalide\u00a0: « {raw} »") from None
        if not 1900 <= value.year <= 2100:
            raise RowInvalid(f"{_LABELS[name]} invraisemblable\u00a0: « {raw} »")
        dates[name] = value.isoformat()
    if dates["birth_date"] and dates["birth_date"] >= today.isoformat():
        raise RowInvalid(f"date de naissance dans le futur\u00a0: « {cells['birth_date']} »")
    if (dates["arrival_date"] and dates["departure_date"]
            and dates["departure_date"] < dates["arrival_date"]):
        raise RowInvalid("date de départ antérieure à la date d'arrivée")
    personal = cells.get("personal_email", "").strip()
    if personal:
        personal = normalize_address(personal)
        if not is_plausible_address(personal):
            raise RowInvalid(f"mail personnel invalide\u00a0: « {cells['personal_email']} »")
        if personal.endswith("@" + mail_domain.lower()):
            raise RowInvalid(f"le mail personnel est une adresse de l'établissement\u00a0: "
                             f"« {personal} »")
    texts = {}
    for name in ("category", "service"):
        value = clean_name(cells.get(name, ""))
        if len(value) > MAX_TEXT_LENGTH:
            raise RowInvalid(f"{_LABELS[name]} trop long ({len(value)} caractères)")
        texts[name] = value or None
    return StaffRecord(line=row.line, matricule=matricule, first_name=first_name,
                       last_name=last_name, personal_email=personal or None, **dates, **texts)


def check_rows(rows: Iterable[Row], *, today: date,
               mail_domain: str) -> tuple[list[StaffRecord], list[Rejection]]:
    """Check every row; a matricule seen on several rows rejects all of them."""
    records: list[StaffRecord] = []
    rejected: list[Rejection] = []
    for row in rows:
        try:
            records.append(check_row(row, today=today, mail_domain=mail_domain))
        except RowInvalid as error:
            rejected.append(Rejection(row.line, row.cells.get("matricule") or None, str(error)))
    lines: dict[str, list[int]] = {}
    for record in records:
        lines.setdefault(record.matricule, []).append(record.line)
    doubled = {matricule: found for matricule, found in lines.items() if len(found) > 1}
    if doubled:
        # Which row is right cannot be known: none of them is imported.
        for record in records:
            if record.matricule in doubled:
                others = ", ".join(str(n) for n in doubled[record.matricule]
                                   if n != record.line)
                rejected.append(Rejection(record.line, record.matricule,
                                          f"matricule en double dans le fichier (aussi ligne"
                                          f"{'s' if ',' in others else ''} {others})"))
        records = [record for record in records if record.matricule not in doubled]
    rejected.sort(key=lambda rejection: rejection.line)
    return records, rejected


# --- Importing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    """A person the import registered."""

    line: int
    matricule: str
    login: str
    institutional_email: str
    full_name: str
    has_personal_email: bool


@dataclass(frozen=True)
class Updated:
    """A person whose HR record changed: field → (before, after)."""

    line: int
    matricule: str
    login: str
    full_name: str
    changes: dict[str, tuple[str | None, str | None]]
    links_revoked: int = 0


@dataclass(frozen=True)
class Homonym:
    """A new row that looks like someone already registered under another matricule: the
    same names and the same personal address or birth date. Held back unless allowed."""

    line: int
    matricule: str
    full_name: str
    resembles: str  # the login of the person it looks like
    same: str  # what else matches, in French: « même adresse personnelle »…
    imported: bool = False


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run or refused, would have done)."""

    encoding: str
    delimiter: str
    rows: int
    created: list[Created] = field(default_factory=list)
    updated: list[Updated] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    homonyms: list[Homonym] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False

    @property
    def links_revoked(self) -> int:
        """Activation links revoked because the personal address they went to changed."""
        return sum(update.links_revoked for update in self.updated)

    @property
    def refused(self) -> bool:
        """Nothing was written because rows were rejected and not to be skipped."""
        return bool(self.rejected) and not self.written and not self.dry_run


_COMPARED = ("first_name", "last_name", "birth_date", "category", "service",
             "personal_email", "arrival_date", "departure_date")
# Shown in the audit log as changed, without their values.
_PRIVATE = {"birth_date"}


class _Rollback(Exception):
    pass


def import_staff(db: Database, export: Export, *, mail_domain: str, login_rule: str,
                 login_max_length: int, now: datetime, today: date,
                 origin: audit.Origin = audit.CLI, dry_run: bool = False,
                 skip_invalid: bool = False, allow_homonyms: bool = False,
                 source: str = "",
                 progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Import the export's people in one transaction; return the summary.

    Written only when not a dry run and when no row was rejected, or `skip_invalid`.
    A new row resembling someone already registered (a probable duplicate under a new
    matricule) is held back, unless `allow_homonyms`. `progress(n)` is called as rows are
    handled (n rows since the last call).
    """
    records, rejected = check_rows(export.rows, today=today, mail_domain=mail_domain)
    summary = ImportSummary(encoding=export.encoding, delimiter=export.delimiter,
                            rows=len(export.rows), rejected=rejected,
                            ignored_columns=export.ignored_columns, dry_run=dry_run)
    if progress and rejected:
        progress(len(rejected))
    commit = not dry_run and (not rejected or skip_invalid)
    try:
        with transaction(db):
            _apply(db, records, summary, mail_domain=mail_domain, login_rule=login_rule,
                   login_max_length=login_max_length, now=now, origin=origin,
                   progress=progress, allow_homonyms=allow_homonyms)
            audit.record(db, "staff_imported", now=now, origin=origin, source=source,
                         created=len(summary.created), updated=len(summary.updated),
                         unchanged=summary.unchanged, rejected=len(rejected),
                         skipped_invalid=bool(rejected))
            if not commit:
                raise _Rollback
    except _Rollback:
        pass
    else:
        summary.written = True
    return summary


def _apply(db: Database, records: list[StaffRecord], summary: ImportSummary, *,
           mail_domain: str, login_rule: str, login_max_length: int, now: datetime,
           origin: audit.Origin, progress: Callable[[int], None] | None,
           allow_homonyms: bool = False) -> None:
    existing = {row["matricule"]: row for row in db.query(
        "SELECT id, matricule, login, status, " + ", ".join(_COMPARED)
        + " FROM people WHERE matricule IS NOT NULL")}
    by_name: dict[tuple[str, str], list[dict]] = {}
    for row in db.query("SELECT login, matricule, first_name, last_name, personal_email,"
                        " birth_date FROM people"):
        by_name.setdefault(_name_key(row["first_name"], row["last_name"]), []).append(row)
    allocator = people.identity_allocator(db, domain=mail_domain, rule=login_rule,
                                          max_length=login_max_length)
    stamp = to_iso(now)
    pending_progress = 0
    for record in records:
        known = existing.get(record.matricule)
        if known is None:
            homonym = _homonym(record, by_name)
            if homonym is not None:
                summary.homonyms.append(replace(homonym, imported=allow_homonyms))
            if homonym is None or allow_homonyms:
                created = _create(db, allocator, record, stamp, now, origin)
                summary.created.append(created)
                by_name.setdefault(_name_key(record.first_name, record.last_name), []).append(
                    {"login": created.login, "matricule": record.matricule,
                     "personal_email": record.personal_email,
                     "birth_date": record.birth_date})
        else:
            update = _update(db, known, record, now, origin)
            if update is None:
                summary.unchanged += 1
            else:
                summary.updated.append(update)
        pending_progress += 1
        if progress and pending_progress >= 250:
            progress(pending_progress)
            pending_progress = 0
    if progress and pending_progress:
        progress(pending_progress)


def _name_key(first_name: str, last_name: str) -> tuple[str, str]:
    """Names compared without accents, case, spaces, hyphens or apostrophes."""
    return tuple("".join(ch for ch in fold(name) if ch.isalnum())  # type: ignore[return-value]
                 for name in (first_name, last_name))


def _homonym(record: StaffRecord, by_name: dict[tuple[str, str], list[dict]]) -> Homonym | None:
    """The person a new row probably duplicates: same names, another matricule, and the
    same personal address or birth date."""
    for other in by_name.get(_name_key(record.first_name, record.last_name), []):
        if other["matricule"] == record.matricule:
            continue
        same = [label for label, mine, theirs in (
            ("même adresse personnelle", record.personal_email, other["personal_email"]),
            ("même date de naissance", record.birth_date, other["birth_date"]))
            if mine and theirs and mine.lower() == theirs.lower()]
        if same:
            return Homonym(line=record.line, matricule=record.matricule,
                           full_name=record.full_name, resembles=other["login"],
                           same=" et ".join(same))
    return None


def _create(db: Database, allocator, record: StaffRecord, stamp: str, now: datetime,
            origin: audit.Origin) -> Created:
    login, address = allocator.allocate(record.first_name, record.last_name)
    cursor = db.execute(
        "INSERT INTO people (matricule, first_name, last_name, login, institutional_email,"
        " personal_email, category, service, birth_date, arrival_date, departure_date,"
        " status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
        [record.matricule, record.first_name, record.last_name, login, address,
         record.personal_email, record.category, record.service, record.birth_date,
         record.arrival_date, record.departure_date, stamp])
    audit.record(db, "person_imported", now=now, origin=origin, person_id=cursor.lastrowid,
                 matricule=record.matricule, login=login, address=address)
    return Created(line=record.line, matricule=record.matricule, login=login,
                   institutional_email=address, full_name=record.full_name,
                   has_personal_email=record.personal_email is not None)


def _update(db: Database, known: dict, record: StaffRecord, now: datetime,
            origin: audit.Origin) -> Updated | None:
    changes = {name: (known[name], getattr(record, name)) for name in _COMPARED
               if known[name] != getattr(record, name)}
    if (changes.get("personal_email", (None, None))[1] is None
            and known["status"] != "pending"):
        # HR's empty cell does not erase the address the person gave and verified (the
        # sésame path's recovery address) once the account is activated.
        changes.pop("personal_email", None)
    if not changes:
        return None
    assignments = ", ".join(f"{name} = ?" for name in changes)
    db.execute(f"UPDATE people SET {assignments} WHERE id = ?",
               [after for _, after in changes.values()] + [known["id"]])
    revoked = 0
    if "personal_email" in changes and known["status"] == "pending":
        # The link went to an address HR no longer vouches for.
        revoked = tokens.revoke(db, person_id=known["id"], purpose=Purpose.ACTIVATION, now=now)
    audit.record(db, "person_updated", now=now, origin=origin, person_id=known["id"],
                 matricule=record.matricule, links_revoked=revoked,
                 changes={name: ("modifiée" if name in _PRIVATE else list(values))
                          for name, values in changes.items()})
    return Updated(line=record.line, matricule=record.matricule, login=known["login"],
                   full_name=record.full_name, changes=changes, links_revoked=revoked)


@dataclass(frozen=True)
class WithoutEntry:
    """A person of the export the directory has no entry for."""

    line: int | None
    matricule: str
    login: str
    full_name: str


def without_directory_entry(db: Database, export: Export, summary: ImportSummary,
                            has_entry: Callable[[str, str | None], bool]) -> list[WithoutEntry]:
    """The people of the export (new, updated or unchanged; not the disabled) whom the
    directory has no entry for: with provisioned entries, they could not activate."""
    found: list[WithoutEntry] = []
    new = {created.matricule: created for created in summary.created}
    lines = {row.cells.get("matricule", "").strip(): row.line for row in export.rows}
    for matricule, line in lines.items():
        if not matricule:
            continue
        if matricule in new and not summary.written:  # a dry run: not in the database yet
            created = new[matricule]
            login, name = created.login, created.full_name
        else:
            row = next(iter(db.query("SELECT login, first_name, last_name, status FROM people"
                                     " WHERE matricule = ?", [matricule])), None)
            if row is None or row["status"] == "disabled":
                continue
            login, name = row["login"], f"{row['first_name']} {row['last_name']}"
        if not has_entry(login, matricule):
            found.append(WithoutEntry(line=line, matricule=matricule, login=login,
                                      full_name=name))
    return found
