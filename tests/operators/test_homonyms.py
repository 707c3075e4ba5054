"""An HR row that looks like someone already registered under another matricule is a
probable duplicate: flagged, and imported only with --allow-homonyms."""

from __future__ import annotations

import pytest
from harness import rows
from test_helpdesk_commands import NBSP, invoke

pytestmark = pytest.mark.dates

HEADER = "Matricule;Nom;Prénom;Date de naissance;Mail personnel\n"
FIRST = HEADER + "2026001;Lefèvre;Claire;12/03/1985;claire.lefevre@exemple.org\n"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def export(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def claire(runner, database, tmp_path):
    invoke(runner, "import-staff", export(tmp_path, "first.csv", FIRST))
    database.execute("UPDATE people SET status = 'active' WHERE login = 'clefevre'")
    database.conn.commit()


@pytest.mark.parametrize(("row", "same"), [
    ("2026777;LEFEVRE;Claire;;claire.lefevre@exemple.org", "même adresse personnelle"),
    ("2026777;Lefèvre;Claire;12/03/1985;autre@exemple.org", "même date de naissance"),
])
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_probable_duplicate_is_flagged_and_held_back(runner, database, tmp_path, claire,
                                                       row, same, dry_run):
    args = ["import-staff", export(tmp_path, "second.csv", HEADER + row + "\n")]
    output = invoke(runner, *args, *(["--dry-run"] if dry_run else [])).output
    assert f"Doublons probables{NBSP}: 1" in output
    assert (f"ligne 2{NBSP}: Claire " in output and "(matricule 2026777) ressemble à clefevre"
            f" ({same}){NBSP}: non importé" in output)
    assert "--allow-homonyms" in output
    assert rows(database, "SELECT login FROM people ORDER BY id") == [{"login": "clefevre"}]


def test_allow_homonyms_imports_them(runner, database, tmp_path, claire):
    second = export(tmp_path, "second.csv",
                    HEADER + "2026777;Lefèvre;Claire;;claire.lefevre@exemple.org\n")
    output = invoke(runner, "import-staff", second, "--allow-homonyms").output
    assert "ressemble à clefevre" in output and "importé quand même" in output
    assert [r["login"] for r in rows(database, "SELECT login FROM people ORDER BY id")] == [
        "clefevre", "clefevre2"]


def test_a_true_homonym_is_imported_without_a_word(runner, database, tmp_path, claire):
    second = export(tmp_path, "second.csv",
                    HEADER + "2026778;Lefèvre;Claire;01/01/1990;c.lefevre@ailleurs.example\n")
    output = invoke(runner, "import-staff", second).output
    assert "Doublons probables" not in output
    assert len(rows(database, "SELECT login FROM people")) == 2


def test_a_second_import_of_the_same_file_changes_nothing(runner, database, tmp_path, claire):
    output = invoke(runner, "import-staff", export(tmp_path, "again.csv", FIRST)).output
    assert "Doublons probables" not in output
    assert len(rows(database, "SELECT login FROM people")) == 1
