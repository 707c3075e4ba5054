"""The printable sésame letters: one page per person, correct French, and the `sesame`
command that gives the codes and writes the PDF (the only place a code exists)."""

import io
import re
import stat
import unicodedata
from pathlib import Path

import pytest
from harness import rows, today
from pypdf import PdfReader

from wizard.activation import sesames
from wizard.operators import letters
from wizard.web.services import Services

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)

NBSP = "\u00a0"
SETTINGS = letters.LetterSettings(
    institution="Université de Test",
    wizard_url="https://sesame.univ-test.fr/sesame",
    helpdesk="l'assistance informatique (assistance@univ-test.fr, 01 23 45 67 89)",
    signature="La direction du numérique",
    date_line="Le 25 novembre 2026")


def letter(**changes):
    values = dict(full_name="Jean-Éric N'Diaye", service="UFR Sciences et techniques",
                  login="jndiaye", institutional_email="jean-eric.ndiaye@univ-test.fr",
                  sesame="K7QF9 M2XPA", expires="vendredi 25 décembre 2026 à 23 h 59")
    values.update(changes)
    return letters.Letter(**values)


def pages(pdf: bytes) -> list[str]:
    """The text of each page, whitespace collapsed.

    fpdf2 keeps a non-breaking space's word together on a line, then draws it as a plain
    space (PDF word spacing ignores U+00A0), so the text read back has plain spaces.
    """
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


SESAME_ON_PAGE = re.compile(r"Sésame\s*:\s*([A-Z0-9]{5}) ([A-Z0-9]{5})")


def codes_in(pdf: bytes) -> dict[str, str]:
    """login → code, read back from the letters."""
    found = {}
    for text in pages(pdf):
        login = re.search(r"Identifiant\s*:\s*(\S+)", text).group(1)
        code = SESAME_ON_PAGE.search(text)
        found[login] = code.group(1) + code.group(2)
    return found


def test_one_page_per_letter():
    batch = [letter(), letter(full_name="Marie Le Goff", login="mlegoff"), letter()]
    assert len(pages(letters.render(batch, SETTINGS))) == 3


def test_a_letter_says_everything_in_french():
    (text,) = pages(letters.render([letter()], SETTINGS))
    for expected in [
        "Université de Test", "Le 25 novembre 2026",
        "Jean-Éric N'Diaye", "UFR Sciences et techniques",
        "Objet : activation de votre compte informatique",
        "Identifiant : jndiaye",
        "Sésame : K7QF9 M2XPA",
        "Valable jusqu'au : vendredi 25 décembre 2026 à 23 h 59",
        "jean-eric.ndiaye@univ-test.fr",
        "https://sesame.univ-test.fr/sesame",
        "Les étapes",
        "Nous ne vous demanderons jamais votre mot de passe",
        "assistance@univ-test.fr, 01 23 45 67 89",
        "Besoin d'aide ?",
        "La direction du numérique",
    ]:
        assert expected in text, expected


def test_the_longest_names_still_fit_on_one_page():
    long = letter(full_name="Marie-Charlotte-Éléonore " + "de La Tour d'Auvergne " * 4,
                  service="Laboratoire " * 18,
                  institutional_email="a" * 60 + "@univ-test.fr")
    assert len(pages(letters.render([long, letter()], SETTINGS))) == 2


def test_a_helpdesk_text_too_long_for_the_page_is_refused():
    chatty = letters.LetterSettings(**{**SETTINGS.__dict__, "helpdesk": "blabla " * 400})
    with pytest.raises(letters.LetterOverflow):
        letters.render([letter()], chatty)


@pytest.mark.parametrize(("text", "printed"), [
    ("Lætitia Cœur « é » – ’", "Lætitia Cœur « é » – ’"),
    ("Łukasz Wróbel", "Łukasz Wróbel"),
    ("Đặng Minh", "Đặng Minh"),
    ("李", "?"),  # outside the shipped font: a visible mark, never a missing glyph
])
def test_printable_keeps_what_the_shipped_font_draws(text, printed):
    assert letters.printable(text) == printed


def test_french_typography():
    assert letters.french("Besoin d'aide ? « Oui » : non ; si !") == \
        f"Besoin d'aide{NBSP}? «{NBSP}Oui{NBSP}»{NBSP}: non{NBSP}; si{NBSP}!"


def test_a_question_mark_never_starts_a_line():
    narrow = letters._Pdf()
    narrow.add_page()
    # At 58 mm a plain space would leave the "?" alone on the second line.
    narrow.say("Courrier perdu ou sésame expiré ?", width=58)
    (text,) = [page.extract_text() for page in PdfReader(io.BytesIO(narrow.finish())).pages]
    assert not any(line.startswith("?") for line in text.splitlines())
    assert "expiré ?" in text


@pytest.mark.parametrize("name", [
    "Łukasz Nguyễn-Şahin",  # Polish, Vietnamese, Turkish
    "Grzegorz Brzęczyszczykiewicz",  # Polish
    "Nguyễn Thị Minh Khai",  # Vietnamese
    "Çağrı Işık Öztürk",  # Turkish
    "Αικατερίνη Παπαδοπούλου",  # Greek
])
def test_every_name_prints_as_hr_wrote_it(name):
    (text,) = pages(letters.render([letter(full_name=name)], SETTINGS))
    assert unicodedata.normalize("NFC", name) in unicodedata.normalize("NFC", text)


def test_the_letters_embed_the_shipped_unicode_font():
    reader = PdfReader(io.BytesIO(letters.render([letter()], SETTINGS)))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}
    assert names and all("DejaVu" in name for name in names), names
    for key in fonts:
        descendant = fonts[key].get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()  # embedded


def test_the_font_licence_is_shipped_beside_it():
    folder = Path(letters.__file__).parent / "fonts"
    assert {"DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf", "DejaVuSansMono-Bold.ttf",
            "LICENSE"} <= {path.name for path in folder.iterdir()}
    assert "Bitstream Vera" in (folder / "LICENSE").read_text()


# --- The command ---------------------------------------------------------------------------


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def import_sample(runner):
    from test_hr_import import SAMPLE

    result = runner.invoke(args=["import-staff", str(SAMPLE)])
    assert result.exit_code == 0, result.output


def without_address(database):
    """Who gets a sésame: no personal address, not gone yet."""
    return [row["login"] for row in rows(
        database, "SELECT login FROM people WHERE personal_email IS NULL"
        " AND (departure_date IS NULL OR departure_date >= ?) ORDER BY login",
        [today().isoformat()])]


def test_sesame_all_writes_one_letter_per_person_without_address(runner, database, tmp_path,
                                                                 app):
    import_sample(runner)
    path = tmp_path / "courriers.pdf"
    result = runner.invoke(args=["sesame", "--all", "--letters", str(path)])
    assert result.exit_code == 0, result.output
    expected = without_address(database)
    assert f"{len(expected)} sésames attribués" in result.output
    pdf = path.read_bytes()
    codes = codes_in(pdf)
    assert sorted(codes) == expected
    hasher = Services(app).password_hasher
    for login, code in codes.items():
        assert sesames.check_sesame(database, hasher, login, code,
                                    sesames.from_iso("2026-11-25T00:00:00.000000Z")) \
            is not None, login
        assert code not in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_sesame_all_twice_gives_nothing_new(runner, tmp_path):
    import_sample(runner)
    runner.invoke(args=["sesame", "--all", "--letters", str(tmp_path / "a.pdf")])
    result = runner.invoke(args=["sesame", "--all", "--letters", str(tmp_path / "b.pdf")])
    assert result.exit_code == 0
    assert "Aucun sésame attribué" in result.output
    assert not (tmp_path / "b.pdf").exists()


def test_sesame_for_a_login_replaces_the_earlier_one(runner, database, tmp_path, app):
    import_sample(runner)
    runner.invoke(args=["sesame", "mlegoff", "--letters", str(tmp_path / "a.pdf")])
    old = codes_in((tmp_path / "a.pdf").read_bytes())["mlegoff"]
    result = runner.invoke(args=["sesame", "mlegoff", "--letters", str(tmp_path / "b.pdf")])
    assert result.exit_code == 0, result.output
    new = codes_in((tmp_path / "b.pdf").read_bytes())["mlegoff"]
    hasher = Services(app).password_hasher
    now = sesames.from_iso("2026-11-25T00:00:00.000000Z")
    assert sesames.check_sesame(database, hasher, "mlegoff", old, now) is None
    assert sesames.check_sesame(database, hasher, "mlegoff", new, now) is not None


def test_sesame_refuses_someone_with_a_personal_address(runner, tmp_path):
    import_sample(runner)
    result = runner.invoke(args=["sesame", "jndiaye", "mlegoff",
                                 "--letters", str(tmp_path / "a.pdf")])
    assert result.exit_code == 1
    assert f"jndiaye{NBSP}: a une adresse personnelle" in result.stderr
    assert sorted(codes_in((tmp_path / "a.pdf").read_bytes())) == ["mlegoff"]


def test_sesame_never_overwrites_a_file(runner, tmp_path, database):
    import_sample(runner)
    path = tmp_path / "a.pdf"
    path.write_bytes(b"earlier letters")
    result = runner.invoke(args=["sesame", "--all", "--letters", str(path)])
    assert result.exit_code == 2
    assert path.read_bytes() == b"earlier letters"
    assert rows(database, "SELECT * FROM people WHERE sesame_hash IS NOT NULL") == []


def test_sesame_needs_logins_or_all(runner, tmp_path):
    assert runner.invoke(args=["sesame", "--letters", str(tmp_path / "a.pdf")]).exit_code == 2
    assert runner.invoke(args=["sesame", "--all", "jdupont",
                               "--letters", str(tmp_path / "a.pdf")]).exit_code == 2
    assert runner.invoke(args=["sesame", "--all"]).exit_code == 2


def test_letters_unwritable_means_no_sesame_stored(runner, tmp_path, database):
    import_sample(runner)
    result = runner.invoke(args=["sesame", "--all",
                                 "--letters", str(tmp_path / "missing" / "a.pdf")])
    assert result.exit_code != 0
    assert rows(database, "SELECT * FROM people WHERE sesame_hash IS NOT NULL") == []
    assert rows(database, "SELECT * FROM audit WHERE event = 'sesame_issued'") == []
