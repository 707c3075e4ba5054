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
