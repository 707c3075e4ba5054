"""The HR export: headers, encodings and delimiters detected; rows checked; the import
idempotent by matricule, atomic, and fast; the `import-staff` command's summary."""

import codecs
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from harness import NOW, dump, rows

from wizard.activation import audit, tokens
from wizard.activation.tokens import Purpose
from wizard.operators import hr_import
from wizard.operators.hr_import import ExportError, Row, RowInvalid

DOMAIN = "univ-test.fr"
TODAY = date(2026, 11, 25)
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "sample_hr_export.csv"
NBSP = "\u00a0"

HEADER = ["Matricule", "Nom", "Prénom", "Date de naissance", "Catégorie", "Composante",
          "Mail personnel", "Date d'arrivée", "Date de départ"]
JEAN = ["1001", "Dupont", "Jean", "12/03/1985", "Enseignant", "UFR Sciences",
        "jean.dupont@exemple.org", "01/09/2026", ""]
MARIE = ["1002", "Le Goff", "Marie", "27/06/1991", "BIATSS", "Bibliothèque", "",
         "01/09/2026", ""]
ENGLISH = ["Employee ID", "Last name", "First name", "Birth date", "Category", "Department",
           "Personal email", "Start date", "End date"]
ERIC = ["1003", "N'Diaye", "Jean-Éric", "04/11/1979", "Enseignant-chercheur",
        "IUT de Lannion", "je.ndiaye@exemple.net", "01/10/2026", "31/08/2027"]


def csv_bytes(*data_rows, header=HEADER, delimiter=";", encoding="utf-8", newline="\r\n"):
    lines = [delimiter.join(header), *(delimiter.join(row) for row in data_rows)]
    return (newline.join(lines) + newline).encode(encoding)


def run(store, data, *, dry_run=False, skip_invalid=False, **read):
    export = hr_import.read_export(data, **read)
    return hr_import.import_staff(store, export, mail_domain=DOMAIN,
                                  login_rule="initial_surname", login_max_length=8, now=NOW,
                                  today=TODAY, dry_run=dry_run, skip_invalid=skip_invalid)


def person(store, matricule):
    (found,) = rows(store, "SELECT * FROM people WHERE matricule = ?", [matricule])
    return found


def data_tables(store):
    """Everything but the audit log (an import is always audited, even when it changes
    nothing)."""
    return {name: table for name, table in dump(store).items() if name != "audit"}


# --- Headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "field"), [
    ("Matricule", "matricule"),
    ("MATRICULE", "matricule"),
    ("\ufeffMatricule", "matricule"),
    ("N° agent", "matricule"),
    ("Employee ID", "matricule"),
    ("Nom", "last_name"),
    ("NOM D'USAGE", "last_name"),
    ("Last name", "last_name"),
    ("Surname", "last_name"),
    ("Prénom", "first_name"),
    ("prenom", "first_name"),
    ("  PRÉNOM ", "first_name"),
    ("First Name", "first_name"),
    ("Date de naissance", "birth_date"),
    ("date_de_naissance", "birth_date"),
    ("Birth date", "birth_date"),
    ("Catégorie", "category"),
    ("CATEGORIE", "category"),
    ("Category", "category"),
    ("Composante", "service"),
    ("Service", "service"),
    ("Composante/Service", "service"),
    ("Composante / service", "service"),
    ("Department", "service"),
    ("Mail personnel", "personal_email"),
    ("E-mail personnel", "personal_email"),
    ("Courriel personnel", "personal_email"),
    ("Personal e-mail", "personal_email"),
    ("Date d'arrivée", "arrival_date"),
    ("Date d’arrivée", "arrival_date"),
    ("DATE D'ARRIVEE", "arrival_date"),
    ("Start date", "arrival_date"),
    ("Date de départ", "departure_date"),
    ("date depart", "departure_date"),
    ("End date", "departure_date"),
    ("Téléphone", None),
    ("", None),
])
def test_header_recognised(header, field):
    assert hr_import.field_of_header(header) == field


def test_columns_may_come_in_any_order_and_unknown_ones_are_listed():
    data = csv_bytes(["Dupont", "Téléphone", "Jean", "1001"],
                     header=["NOM", "Téléphone", "prénom", "matricule"])
    export = hr_import.read_export(data)
    assert export.ignored_columns == ["Téléphone"]
    assert export.rows[0].cells == {"last_name": "Dupont", "first_name": "Jean",
                                    "matricule": "1001"}


def test_english_headers():
    data = csv_bytes(["1001", "Dupont", "Jean", "jean@exemple.org"],
                     header=["Employee ID", "Last name", "First name", "Personal email"],
                     delimiter=",")
    (row,) = hr_import.read_export(data).rows
    assert row.cells["personal_email"] == "jean@exemple.org"


def test_missing_required_column_is_named():
    data = csv_bytes(["1001", "Dupont"], header=["Matricule", "Nom"])
    with pytest.raises(ExportError, match="prénom"):
        hr_import.read_export(data)


def test_two_columns_for_one_field_is_an_error():
    data = csv_bytes(["1001", "Dupont", "Durand", "Jean"],
                     header=["Matricule", "Nom", "Nom d'usage", "Prénom"])
    with pytest.raises(ExportError, match="nom"):
        hr_import.read_export(data)


def test_composante_and_service_are_joined():
    data = csv_bytes(["1001", "Dupont", "Jean", "UFR Sciences", "Département de chimie"],
                     header=["Matricule", "Nom", "Prénom", "Composante", "Service"])
    (row,) = hr_import.read_export(data).rows
    assert row.cells["service"] == "UFR Sciences – Département de chimie"


def test_empty_file_is_an_error():
    with pytest.raises(ExportError, match="vide"):
        hr_import.read_export(b"\r\n\r\n")


# --- Encodings and delimiters -------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "prefix", "detected"), [
    ("utf-8", b"", "utf-8"),
    ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ("cp1252", b"", "cp1252"),
    ("utf-16", b"", "utf-16"),
])
def test_encoding_detected(encoding, prefix, detected):
    data = prefix + csv_bytes(ERIC, ["1004", "Œuvrard", "Lætitia", *[""] * 6],
                              encoding=encoding)
    export = hr_import.read_export(data)
    assert export.encoding == detected
    assert [row.cells["first_name"] for row in export.rows] == ["Jean-Éric", "Lætitia"]
    assert export.rows[1].cells["last_name"] == "Œuvrard"


def test_cp1252_punctuation_survives():
    data = csv_bytes(["1001", "D’Arc", "Zoë", *[""] * 6], encoding="cp1252")
    (row,) = hr_import.read_export(data).rows
    assert row.cells["last_name"] == "D’Arc"


def test_forced_encoding_wins():
    # Valid UTF-8 read as Windows-1252 on purpose: mojibake, as asked.
    data = csv_bytes(ERIC, header=ENGLISH)
    (row,) = hr_import.read_export(data, encoding="cp1252").rows
    assert row.cells["first_name"] == "Jean-Ã‰ric"


def test_forced_encoding_that_does_not_fit_is_an_error_with_the_line():
    data = csv_bytes(JEAN, ERIC, header=ENGLISH, encoding="cp1252")
    with pytest.raises(ExportError, match="ligne 3"):
        hr_import.read_export(data, encoding="utf-8")


def test_unknown_encoding_is_an_error():
    with pytest.raises(ExportError, match="encodage inconnu"):
        hr_import.read_export(csv_bytes(JEAN), encoding="klingon")


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiter_detected(delimiter):
    data = csv_bytes(JEAN, MARIE, delimiter=delimiter)
    export = hr_import.read_export(data)
    assert export.delimiter == delimiter
    assert [row.cells["matricule"] for row in export.rows] == ["1001", "1002"]


def test_commas_inside_quoted_values_do_not_fool_the_detection():
    data = ('Matricule;Nom;Prénom;Composante\r\n'
            '1001;Dupont;Jean;"Sciences, technologies, santé"\r\n').encode()
    export = hr_import.read_export(data)
    assert export.delimiter == ";"
    assert export.rows[0].cells["service"] == "Sciences, technologies, santé"


def test_forced_delimiter_wins():
    data = csv_bytes(JEAN, delimiter=";")
    with pytest.raises(ExportError, match="obligatoire"):
        hr_import.read_export(data, delimiter=",")


@pytest.mark.parametrize(("option", "delimiter"), [
    (";", ";"), (",", ","), ("tab", "\t"), ("\\t", "\t"), ("point-virgule", ";")])
def test_delimiter_option(option, delimiter):
    assert hr_import.parse_delimiter(option) == delimiter


def test_delimiter_option_of_several_characters_is_refused():
    with pytest.raises(ExportError):
        hr_import.parse_delimiter(";;")


def test_line_numbers_count_blank_lines_and_the_header():
    data = csv_bytes(JEAN, ["", "", "", "", "", "", "", "", ""], MARIE)
    export = hr_import.read_export(data.replace(b"\r\n", b"\r\n\r\n", 1))
    assert [row.line for row in export.rows] == [3, 5]


# --- Checking rows -----------------------------------------------------------------------


def check(values, header=HEADER):
    cells = {hr_import.field_of_header(name): value for name, value in zip(header, values,
                                                                             strict=True)}
    return hr_import.check_row(Row(line=2, cells=cells), today=TODAY, mail_domain=DOMAIN)


def test_valid_row_is_normalised():
    record = check(["1001", "  Le   Goff ", "Marie", "27/06/1991", "BIATSS", " Bibliothèque ",
                    " Marie.LeGoff@Exemple.FR ", "2026-09-01", "31.08.2027"])
    assert (record.last_name, record.service) == ("Le Goff", "Bibliothèque")
    assert record.personal_email == "marie.legoff@exemple.fr"
    assert (record.birth_date, record.arrival_date, record.departure_date) == \
        ("1991-06-27", "2026-09-01", "2027-08-31")


def test_decomposed_accents_are_composed():
    record = check(["1001", "Lefe\u0300vre", "E\u0301lodie", *[""] * 6])
    assert (record.first_name, record.last_name) == ("Élodie", "Lefèvre")


@pytest.mark.parametrize(("text", "parsed"), [
    ("15/09/2026", date(2026, 9, 15)),
    ("1/9/2026", date(2026, 9, 1)),
    ("15-09-2026", date(2026, 9, 15)),
    ("15.09.2026", date(2026, 9, 15)),
    ("2026-09-15", date(2026, 9, 15)),
    ("2026/09/15", date(2026, 9, 15)),
    ("2026-09-15 00:00:00", date(2026, 9, 15)),
    ("15/09/2026 00:00", date(2026, 9, 15)),
])
def test_dates_as_exports_write_them(text, parsed):
    assert hr_import.parse_date(text) == parsed


@pytest.mark.parametrize(("change", "reason"), [
    ({1: ""}, "nom manquant"),
    ({2: "  "}, "prénom manquant"),
    ({0: ""}, "matricule manquant"),
    ({0: "1,23E+05"}, "matricule invalide"),
    ({1: "Dupont2"}, "nom invalide"),
    ({2: "Jean@"}, "prénom invalide"),
    ({1: "---"}, "nom invalide"),
    ({1: "D" * 101}, "nom trop long"),
    ({3: "31/02/1985"}, "date de naissance invalide : « 31/02/1985 »"),
    ({3: "12/13/1985"}, "date de naissance invalide"),
    ({3: "1985"}, "date de naissance invalide"),
    ({3: "12/03/85"}, "date de naissance invalide"),
    ({3: "12/03/1885"}, "date de naissance invraisemblable"),
    ({3: "01/01/2030"}, "date de naissance dans le futur"),
    ({7: "hier"}, "date d'arrivée invalide"),
    ({7: "01/09/2026", 8: "31/08/2026"}, "date de départ antérieure à la date d'arrivée"),
    ({6: "jean.dupont@"}, "mail personnel invalide : « jean.dupont@ »"),
    ({6: "jean dupont@exemple.org"}, "mail personnel invalide"),
    ({6: "jean.dupont@univ-test.fr"}, "le mail personnel est une adresse de l'établissement"),
    ({5: "S" * 201}, "composante/service trop long"),
])
def test_invalid_row_reason(change, reason):
    values = list(JEAN)
    for index, value in change.items():
        values[index] = value
    with pytest.raises(RowInvalid) as raised:
        check(values)
    assert reason.replace(" :", f"{NBSP}:") in str(raised.value)


def test_row_with_more_cells_than_columns_is_rejected():
    row = Row(line=2, cells={"matricule": "1001", "last_name": "Dupont", "first_name": "Jean"},
              extra=["oops"])
    with pytest.raises(RowInvalid, match="plus de cellules"):
        hr_import.check_row(row, today=TODAY, mail_domain=DOMAIN)


def test_duplicate_matricule_rejects_every_occurrence():
    other_jean = ["1001", "Durand", "Jean", *[""] * 6]
    export = hr_import.read_export(csv_bytes(JEAN, MARIE, other_jean))
    records, rejected = hr_import.check_rows(export.rows, today=TODAY, mail_domain=DOMAIN)
    assert [record.matricule for record in records] == ["1002"]
    assert [(r.line, r.matricule) for r in rejected] == [(2, "1001"), (4, "1001")]
    assert "matricule en double dans le fichier (aussi ligne 4)" in rejected[0].reason


# --- Importing ----------------------------------------------------------------------------


def test_first_import_creates_pending_people(store):
    summary = run(store, csv_bytes(JEAN, MARIE, ERIC))
    assert summary.written
    assert [(c.line, c.login, c.institutional_email, c.has_personal_email)
            for c in summary.created] == [
        (2, "jdupont", "jean.dupont@univ-test.fr", True),
        (3, "mlegoff", "marie.le-goff@univ-test.fr", False),
        (4, "jndiaye", "jean-eric.ndiaye@univ-test.fr", True),
    ]
    assert (summary.unchanged, summary.updated, summary.rejected) == (0, [], [])
    eric = person(store, "1003")
    assert eric["status"] == "pending"
    assert (eric["first_name"], eric["last_name"]) == ("Jean-Éric", "N'Diaye")
    assert (eric["category"], eric["service"]) == ("Enseignant-chercheur", "IUT de Lannion")
    assert (eric["birth_date"], eric["arrival_date"], eric["departure_date"]) == \
        ("1979-11-04", "2026-10-01", "2027-08-31")
    assert person(store, "1002")["personal_email"] is None


def test_second_import_of_the_same_file_changes_nothing(store):
    data = csv_bytes(JEAN, MARIE, ERIC)
    run(store, data)
    before = data_tables(store)
    summary = run(store, data)
    assert (len(summary.created), len(summary.updated), summary.unchanged) == (0, 0, 3)
    assert data_tables(store) == before


def test_same_people_in_another_encoding_and_delimiter_change_nothing(store):
    run(store, csv_bytes(JEAN, MARIE, ERIC))
    before = data_tables(store)
    summary = run(store, codecs.BOM_UTF8 + csv_bytes(ERIC, JEAN, MARIE, delimiter=","))
    assert summary.unchanged == 3
    assert data_tables(store) == before


def test_changed_row_updates_the_person_but_not_login_or_address(store):
    run(store, csv_bytes(JEAN))
    moved = ["1001", "Dupont-Moretti", "Jean", "12/03/1985", "Enseignant-chercheur",
             "UFR Sciences", "jean.dupont@exemple.org", "01/09/2026", "31/08/2028"]
    summary = run(store, csv_bytes(moved))
    (update,) = summary.updated
    assert update.changes == {"last_name": ("Dupont", "Dupont-Moretti"),
                              "category": ("Enseignant", "Enseignant-chercheur"),
                              "departure_date": (None, "2028-08-31")}
    jean = person(store, "1001")
    assert (jean["last_name"], jean["login"], jean["institutional_email"]) == \
        ("Dupont-Moretti", "jdupont", "jean.dupont@univ-test.fr")
    (entry,) = rows(store, "SELECT * FROM audit WHERE event = 'person_updated'")
    assert "Dupont-Moretti" in entry["detail"]


def test_birth_date_change_is_audited_without_its_value(store):
    run(store, csv_bytes(JEAN))
    changed = list(JEAN)
    changed[3] = "13/03/1985"
    run(store, csv_bytes(changed))
    (entry,) = rows(store, "SELECT * FROM audit WHERE event = 'person_updated'")
    assert "1985" not in entry["detail"]
    assert "birth_date" in entry["detail"]


def issue_link(store, person_id):
    return tokens.issue(store, person_id=person_id, purpose=Purpose.ACTIVATION, now=NOW,
                        expires_at=NOW + timedelta(days=1),
                        target_address="jean.dupont@exemple.org")


def test_changed_personal_address_of_a_pending_person_revokes_the_link(store):
    run(store, csv_bytes(JEAN))
    jean = person(store, "1001")
    issued = issue_link(store, jean["id"])
    changed = list(JEAN)
    changed[6] = "jean.dupont@ailleurs.net"
    summary = run(store, csv_bytes(changed))
    assert summary.links_revoked == 1
    assert tokens.get(store, issued.id).state(NOW) is tokens.TokenState.REVOKED
    assert person(store, "1001")["personal_email"] == "jean.dupont@ailleurs.net"


def test_unchanged_personal_address_keeps_the_link(store):
    run(store, csv_bytes(JEAN))
    issued = issue_link(store, person(store, "1001")["id"])
    changed = list(JEAN)
    changed[4] = "Enseignant-chercheur"
    assert run(store, csv_bytes(changed)).links_revoked == 0
    assert tokens.get(store, issued.id).state(NOW) is tokens.TokenState.VALID


def test_changed_personal_address_of_an_active_person_revokes_nothing(store):
    run(store, csv_bytes(JEAN))
    jean = person(store, "1001")
    issued = issue_link(store, jean["id"])
    store.execute("UPDATE people SET status = 'active' WHERE id = ?", [jean["id"]])
    changed = list(JEAN)
    changed[6] = "jean.dupont@ailleurs.net"
    assert run(store, csv_bytes(changed)).links_revoked == 0
    assert tokens.get(store, issued.id).state(NOW) is tokens.TokenState.VALID


def test_homonyms_in_one_file_get_distinct_logins_and_addresses(store):
    first = ["2001", "Martin", "Marie", *[""] * 6]
    second = ["2002", "Martin", "Marie", *[""] * 6]
    summary = run(store, csv_bytes(first, second))
    assert [(c.login, c.institutional_email) for c in summary.created] == [
        ("mmartin", "marie.martin@univ-test.fr"), ("mmartin2", "marie.martin2@univ-test.fr")]


def test_every_new_person_is_audited(store):
    run(store, csv_bytes(JEAN, MARIE))
    events = [row["event"] for row in rows(store, "SELECT event FROM audit ORDER BY id")]
    assert events == ["person_imported", "person_imported", "staff_imported"]


# --- Atomicity -----------------------------------------------------------------------------


BAD_DATE = ["1009", "Durand", "Paul", "31/02/1985", *[""] * 5]


def test_a_file_with_a_rejected_row_imports_nothing(store):
    before = dump(store)
    summary = run(store, csv_bytes(JEAN, BAD_DATE, MARIE))
    assert not summary.written
    assert summary.refused
    assert [(r.line, r.matricule) for r in summary.rejected] == [(3, "1009")]
    # The summary still says what would have been done.
    assert [c.login for c in summary.created] == ["jdupont", "mlegoff"]
    assert dump(store) == before


def test_skip_invalid_imports_the_other_rows(store):
    summary = run(store, csv_bytes(JEAN, BAD_DATE, MARIE), skip_invalid=True)
    assert summary.written
    assert [row["matricule"] for row in rows(store, "SELECT matricule FROM people")] == \
        ["1001", "1002"]
    (entry,) = rows(store, "SELECT * FROM audit WHERE event = 'staff_imported'")
    assert '"rejected": 1' in entry["detail"]


def test_dry_run_writes_nothing_and_says_the_same(store, tmp_path):
    data = csv_bytes(JEAN, MARIE, ERIC)
    before = dump(store)
    dry = run(store, data, dry_run=True)
    assert not dry.written
    assert dump(store) == before
    real = run(store, data)
    assert dry.created == real.created


def test_a_failure_midway_rolls_everything_back(store, monkeypatch):
    calls = []
    original = audit.record

    def failing(db, event, **kwargs):
        calls.append(event)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(db, event, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    before = dump(store)
    with pytest.raises(RuntimeError):
        run(store, csv_bytes(JEAN, MARIE, ERIC))
    assert dump(store) == before


# --- Scale and the sample ------------------------------------------------------------------


def big_export(count):
    firsts = ["Jean", "Marie", "Camille", "Jean-Éric", "Lætitia", "José", "Anne-Sophie"]
    lasts = ["Dupont", "Martin", "Le Goff", "N'Diaye", "Lefèvre", "García-Márquez", "Cœur"]
    data_rows = []
    for i in range(count):
        personal = f"agent{i}@exemple.org" if i % 3 else ""
        # Each its own birth date: the same names and birth date would be a probable
        # duplicate (tests/operators/test_homonyms.py).
        born = f"{1 + i % 28:02d}/{1 + (i // 28) % 12:02d}/{1950 + i // 336}"
        data_rows.append([str(500000 + i), lasts[i % 7], firsts[(i // 7) % 7], born,
                          "BIATSS", f"Service {i % 40}", personal, "01/09/2026", ""])
    return csv_bytes(*data_rows, encoding="cp1252")


def test_ten_thousand_rows_import_in_seconds(store):
    data = big_export(10_000)
    started = time.perf_counter()
    summary = run(store, data)
    elapsed = time.perf_counter() - started
    assert len(summary.created) == 10_000
    logins = [row["login"] for row in rows(store, "SELECT login FROM people")]
    assert len(set(logins)) == 10_000
    assert elapsed < 10, f"10 000 rows took {elapsed:.1f} s"
    started = time.perf_counter()
    again = run(store, data)
    assert again.unchanged == 10_000
    assert time.perf_counter() - started < 10


def test_progress_is_reported_for_every_row(store):
    seen = []
    export = hr_import.read_export(big_export(1000) + b"1\r\n")
    hr_import.import_staff(store, export, mail_domain=DOMAIN, login_rule="initial_surname",
                           login_max_length=8, now=NOW, today=TODAY, progress=seen.append,
                           skip_invalid=True)
    assert sum(seen) == len(export.rows) == 1001


def test_the_sample_file_imports_cleanly(store):
    summary = run(store, SAMPLE.read_bytes())
    assert (summary.encoding, summary.delimiter) == ("cp1252", ";")
    assert summary.rejected == []
    assert len(summary.created) == summary.rows >= 15
    with_mail = [c for c in summary.created if c.has_personal_email]
    assert 0 < len(with_mail) < len(summary.created)
    logins = {c.full_name: c.login for c in summary.created}
    assert logins["Jean-Éric N'Diaye"] == "jndiaye"
    assert logins["Élodie Œuvrard"] == "eoeuvrar"


# --- The command ---------------------------------------------------------------------------


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def write(tmp_path, data, name="export.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_command_prints_the_summary(runner, database):
    result = runner.invoke(args=["import-staff", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Fichier{NBSP}: {SAMPLE} (Windows-1252, séparateur point-virgule, 16 lignes" in out
    assert f"Nouveaux{NBSP}: 16" in out
    assert "jndiaye" in out and "jean-eric.ndiaye@univ-test.fr" in out
    assert f"Mis à jour{NBSP}: 0" in out
    assert f"Rejetés{NBSP}: 0" in out
    assert "Import enregistré." in out
    assert "wizard invite --all" in out
    assert len(rows(database, "SELECT * FROM people")) == 16


def test_command_a_second_time_says_nothing_changed(runner):
    runner.invoke(args=["import-staff", str(SAMPLE)])
    result = runner.invoke(args=["import-staff", str(SAMPLE)])
    assert result.exit_code == 0
    assert f"Inchangés{NBSP}: 16" in result.output
    assert f"Rien à changer{NBSP}: la base est déjà à jour." in result.output


def test_command_lists_rejections_and_imports_nothing(runner, database, tmp_path):
    path = write(tmp_path, csv_bytes(JEAN, BAD_DATE, ["1010", "", "Paul", *[""] * 6]))
    result = runner.invoke(args=["import-staff", path])
    assert result.exit_code == 1
    assert f"Rejetés{NBSP}: 2" in result.output
    assert f"ligne 3{NBSP}: date de naissance invalide{NBSP}: « 31/02/1985 »" in result.output
    assert f"ligne 4{NBSP}: nom manquant" in result.output
    assert "Rien n'a été importé" in result.output
    assert rows(database, "SELECT * FROM people") == []


def test_command_skip_invalid(runner, database, tmp_path):
    path = write(tmp_path, csv_bytes(JEAN, BAD_DATE))
    result = runner.invoke(args=["import-staff", path, "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert len(rows(database, "SELECT * FROM people")) == 1


def test_command_dry_run(runner, database):
    before = dump(database)
    result = runner.invoke(args=["import-staff", str(SAMPLE), "--dry-run"])
    assert result.exit_code == 0
    assert f"Nouveaux{NBSP}: 16" in result.output
    assert "rien n'a été enregistré" in result.output
    assert dump(database) == before


def test_command_encoding_and_delimiter_options(runner, database, tmp_path):
    path = write(tmp_path, csv_bytes(ERIC, delimiter="|", encoding="cp1252"))
    result = runner.invoke(args=["import-staff", path, "--encoding", "cp1252",
                                 "--delimiter", "|"])
    assert result.exit_code == 0, result.output
    assert rows(database, "SELECT first_name FROM people") == [{"first_name": "Jean-Éric"}]


def test_command_unreadable_file_is_an_error(runner, tmp_path):
    path = write(tmp_path, csv_bytes(ERIC, encoding="cp1252"))
    result = runner.invoke(args=["import-staff", path, "--encoding", "utf-8"])
    assert result.exit_code == 2
    assert "n'est pas en UTF-8" in result.stderr


def test_command_lists_twenty_people_unless_verbose(runner, tmp_path):
    path = write(tmp_path, big_export(25))
    result = runner.invoke(args=["import-staff", path, "--dry-run"])
    assert "… et 5 autres (--verbose pour tout afficher)" in result.output
    result = runner.invoke(args=["import-staff", path, "--dry-run", "--verbose"])
    assert "autres" not in result.output
    assert "500024" in result.output


ESCAPE = "\x1b[2J\x1b[31m"  # clear the screen, then red: what a hostile cell would hold


def test_a_cell_with_control_characters_is_refused_without_echoing_it(runner, database,
                                                                      tmp_path):
    """Before, escape sequences in an HR file reached the operator's terminal."""
    hostile = [*JEAN[:5], f"UFR{ESCAPE}Sciences", *JEAN[6:]]
    bidi = ["1002", "Le Goff", "Marie\u202e", *MARIE[3:]]
    result = runner.invoke(args=["import-staff", write(tmp_path, csv_bytes(hostile, bidi))])
    assert result.exit_code == 1
    assert (f"ligne 2{NBSP}: caractère de contrôle dans la colonne «{NBSP}composante/service"
            f"{NBSP}» (refusé)") in result.output
    assert f"ligne 3{NBSP}: caractère de contrôle dans la colonne «{NBSP}prénom" \
        in result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert rows(database, "SELECT * FROM people") == []


def test_the_commands_never_print_a_control_character(runner, database, staff):
    person = staff.add()
    database.execute("UPDATE people SET service = ? WHERE id = ?",
                     [f"UFR{ESCAPE}Sciences", person.id])  # stored before the import refused it
    out = runner.invoke(args=["status", person.login]).output
    assert "\x1b" not in out
    assert "UFR?[2J?[31mSciences" in out
