"""Text folding shared by every room: names, logins, dictionaries, the theme's words."""

from __future__ import annotations

import unicodedata

# Letters NFKD does not decompose into an ASCII base; without these they would vanish
# (Đặng -> "ang", Łukasz -> "ukasz", Søren -> "sren").
_FOLD = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "Đ": "D",
         "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "þ": "th", "Þ": "TH",
         "ı": "i"}


def fold(text: str) -> str:
    """Fold to lowercase ASCII: accents dropped, œ→oe, æ→ae, ß→ss."""
    text = "".join(_FOLD.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and not unicodedata.combining(ch)
                   ).lower()


def control_characters(text: str) -> list[str]:
    """The control and format characters of a text (escape sequences, bidi overrides):
    what must never reach an operator's terminal."""
    return [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf")]


def printable(text: str, *, keep: str = "\n") -> str:
    """A text safe to print on a terminal: each control or format character (but those
    in `keep`) shown as « ? » (an ESC from an HR file cannot move the cursor, recolour
    the screen or rewrite a line)."""
    return "".join("?" if ch not in keep and unicodedata.category(ch) in ("Cc", "Cf")
                   else ch for ch in text)
