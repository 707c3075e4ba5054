"""Printable sésame letters: one A4 page per person, as a PDF.

Drawn with DejaVu Sans Condensed (and DejaVu Sans Mono for the codes), shipped in fonts/ with their
licence and embedded in the PDF (subset): every name prints as HR wrote it, « Łukasz
Nguyễn-Şahin » or « Αικατερίνη » alike. A character the font lacks (Chinese, say) prints
as « ? », never as a missing glyph.

The letters are the only place a sésame is ever written in clear: the file must be printed,
then deleted.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

NBSP = "\u00a0"

FONTS = Path(__file__).resolve().parent / "fonts"  # DejaVu 2.37, licence in fonts/LICENSE
SANS, SANS_BOLD, MONO_BOLD = (FONTS / "DejaVuSansCondensed.ttf",
                              FONTS / "DejaVuSansCondensed-Bold.ttf",
                              FONTS / "DejaVuSansMono-Bold.ttf")


class LetterOverflow(ValueError):
    """The configured texts make a letter longer than its page."""


@dataclass(frozen=True)
class Letter:
    """What one letter says to one person."""

    full_name: str
    service: str | None
    login: str
    institutional_email: str
    sesame: str
    expires: str


@dataclass(frozen=True)
class LetterSettings:
    """What every letter of a batch shares."""

    institution: str
    wizard_url: str
    helpdesk: str
    signature: str
    date_line: str


@cache
def _covered() -> frozenset[int]:
    """The characters both text fonts can draw (the monospaced one prints only logins and
    sésames, in ASCII)."""
    covered = None
    for path in (SANS, SANS_BOLD):
        with TTFont(path, lazy=True) as font:
            points = frozenset(font.getBestCmap())
        covered = points if covered is None else covered & points
    return covered or frozenset()


def printable(text: str) -> str:
    """Text the shipped fonts can draw: a character they lack becomes « ? »."""
    text = unicodedata.normalize("NFC", text)
    covered = _covered()
    return "".join(ch if ord(ch) in covered or ch in "\n" else "?" for ch in text)


def french(text: str) -> str:
    """French typography: a non-breaking space before : ; ? ! and inside « »."""
    for mark in (":", ";", "?", "!", "»"):
        text = text.replace(f" {mark}", f"{NBSP}{mark}")
    return text.replace("« ", f"«{NBSP}")


class _Pdf(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font("DejaVu", "", SANS)
        self.add_font("DejaVu", "B", SANS_BOLD)
        self.add_font("DejaVuMono", "B", MONO_BOLD)
        self.set_margins(20, 18, 20)
        # Each letter is laid out to fit its page; an overflow would be a bug, not page 2.
        self.set_auto_page_break(False)

    def finish(self) -> bytes:
        """The PDF's bytes; the font files fpdf2 keeps open are closed."""
        try:
            return bytes(self.output())
        finally:
            self.close_fonts()

    def close_fonts(self) -> None:
        """Close the font files fpdf2 opened (it reads them lazily, and never closes them)."""
        for font in self.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()

    def say(self, text: str, *, size: float = 10.5, style: str = "", height: float = 5.2,
            align: str = "L", width: float = 0, family: str = "DejaVu") -> None:
        self.set_font(family, style, size)
        self.multi_cell(width, height, printable(french(text)), align=align,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _field(pdf: _Pdf, label: str, value: str, *, mono: bool = False) -> None:
    pdf.set_x(pdf.l_margin + 4)
    pdf.set_font("DejaVu", "", 10.5)
    pdf.cell(58, 7.5, printable(french(label + " :")), new_x=XPos.RIGHT, new_y=YPos.TOP)
    if mono:
        pdf.set_font("DejaVuMono", "B", 15)
    else:
        pdf.set_font("DejaVu", "B", 10.5)
    pdf.multi_cell(0, 7.5, printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _draw(pdf: _Pdf, letter: Letter, settings: LetterSettings) -> None:
    pdf.add_page()
    top = pdf.get_y()
    pdf.say(settings.institution, size=13, style="B", width=95, height=6)
    pdf.set_xy(115, top)
    pdf.say(settings.date_line, align="R", height=6)

    # The addressee where a window envelope shows it.
    pdf.set_xy(115, 42)
    pdf.say("Personnel et confidentiel", size=8.5, style="B", width=75, height=4.5)
    pdf.set_x(115)
    pdf.say(_clip(letter.full_name, 60), size=11, style="B", width=75, height=5.5)
    if letter.service:
        pdf.set_x(115)
        pdf.say(_clip(letter.service, 90), size=9.5, width=75, height=4.6)

    pdf.set_y(max(82, pdf.get_y() + 6))
    pdf.say("Objet : activation de votre compte informatique", style="B")
    pdf.ln(3)
    pdf.say(f"Bonjour {_clip(letter.full_name, 60)},")
    pdf.ln(1.5)
    pdf.say("Bienvenue ! Votre compte informatique a été créé. "
            "Pour l'activer, rendez-vous sur le site d'activation avec votre identifiant et "
            "votre sésame, un code provisoire qui vous est strictement personnel.")
    pdf.ln(3)

    box_top = pdf.get_y()
    pdf.ln(2)
    _field(pdf, "Site d'activation", settings.wizard_url)
    _field(pdf, "Identifiant", letter.login)
    _field(pdf, "Sésame", letter.sesame, mono=True)
    _field(pdf, "Valable jusqu'au", letter.expires)
    _field(pdf, "Votre adresse électronique", letter.institutional_email)
    pdf.ln(2)
    pdf.set_draw_color(90, 90, 90)
    pdf.rect(pdf.l_margin, box_top, pdf.w - pdf.l_margin - pdf.r_margin, pdf.get_y() - box_top)
    pdf.ln(4)

    pdf.say("Les étapes", style="B", size=11.5, height=6)
    steps = [
        f"Ouvrez {settings.wizard_url} dans votre navigateur et vérifiez l'adresse affichée.",
        "Saisissez votre identifiant et votre sésame, tels qu'imprimés ci-dessus.",
        "Acceptez la charte informatique et dites si vous souhaitez figurer dans l'annuaire.",
        "Indiquez une adresse électronique personnelle de secours, puis confirmez-la avec le "
        "code qui vous y sera envoyé.",
        "Choisissez ce que devient votre courrier électronique, puis votre mot de passe : "
        "votre compte est alors actif et le sésame ne sert plus.",
    ]
    for number, step in enumerate(steps, start=1):
        pdf.set_x(pdf.l_margin + 2)
        pdf.set_font("DejaVu", "B", 10.5)
        pdf.cell(6, 5.2, f"{number}.", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.say(step, width=0)
        pdf.ln(0.8)
    pdf.say("Vous pouvez vous interrompre et reprendre plus tard avec le même sésame, sur "
            "n'importe quel appareil, jusqu'à sa date d'expiration.", size=9.5, height=4.8)
    # For staff who do not read French: the wizard speaks English too.
    pdf.say("Not reading French? The activation site is in English too: choose \"English\" "
            "at the top of its pages.", size=9.5, height=4.8)
    pdf.ln(4)

    pdf.say("Attention aux messages frauduleux", style="B", size=11.5, height=6)
    pdf.say("Nous ne vous demanderons jamais votre mot de passe, ni par courriel, ni par "
            "téléphone. Ne communiquez votre sésame à personne et détruisez ce courrier une "
            "fois votre compte activé.")
    pdf.ln(4)

    pdf.say("Besoin d'aide ?", style="B", size=11.5, height=6)
    pdf.say(f"Contactez {settings.helpdesk}. Courrier perdu ou sésame expiré ? Un nouveau "
            "sésame vous sera remis.")
    pdf.ln(5)
    pdf.say(settings.signature, align="R")
    if pdf.get_y() > pdf.h - 16:
        raise LetterOverflow("le courrier ne tient pas sur une page : raccourcissez "
                             "les contacts de l'assistance (WIZARD_HELPDESK_*) ou "
                             "WIZARD_LETTER_SIGNATURE")

    pdf.set_y(pdf.h - 14)
    pdf.say(f"{settings.institution} – document personnel, à ne pas transmettre", size=7.5,
            align="C", height=4)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def render(letters: list[Letter], settings: LetterSettings,
           progress: Callable[[int], None] | None = None) -> bytes:
    """The PDF of every letter, one page each, in the order given."""
    pdf = _Pdf()
    pdf.set_title(printable(f"Courriers d'activation – {settings.institution}"))
    pdf.set_creator("Sésame")
    try:
        for letter in letters:
            _draw(pdf, letter, settings)
            if progress:
                progress(1)
    except BaseException:
        pdf.close_fonts()
        raise
    return pdf.finish()
