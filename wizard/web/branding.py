"""The institution's look and its services: colours that keep their contrast, the theme's
stylesheet, the contacts, and what to use next for each staff category.

Flask-free: the views serve what these functions return.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from wizard.activation.lifetimes import unbreakable_times
from wizard.text import fold

# WCAG 2.2: 4.5:1 for text, 3:1 for large text and for the parts of controls.
TEXT_CONTRAST = 4.5

WHITE = "#ffffff"
BLACK = "#0b0c0c"
# The page's background behind cards (see static/css/sesame.css, --bg).
PAGE_BACKGROUND = "#f6f7f9"

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")

LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg", ".webp": "image/webp"}


def parse_color(value: str) -> tuple[int, int, int]:
    """`#rrggbb` (or `#rgb`) as three 0–255 integers; ValueError for anything else."""
    match = _HEX.match(value.strip())
    if not match:
        raise ValueError(f"not a #rrggbb colour: {value!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: tuple[int, int, int]) -> str:
    """Three 0–255 integers as `#rrggbb`."""
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(color: str) -> float:
    """Relative luminance (WCAG 2.x definition), 0 for black to 1 for white."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = parse_color(color)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(first: str, second: str) -> float:
    """The contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def darken(color: str, amount: float) -> str:
    """The colour mixed with black: 0 unchanged, 1 black."""
    return to_hex(tuple(c * (1 - amount) for c in parse_color(color)))  # type: ignore[arg-type]


def readable_on(color: str) -> str:
    """Black or white text, whichever contrasts more with `color`."""
    return WHITE if contrast(color, WHITE) >= contrast(color, BLACK) else BLACK


def readable_against(color: str, backgrounds: Iterable[str],
                     ratio: float = TEXT_CONTRAST) -> str:
    """`color`, darkened just enough to be read as text on each of `backgrounds`."""
    backgrounds = list(backgrounds)
    for step in range(21):
        candidate = darken(color, step / 20)
        if all(contrast(candidate, bg) >= ratio for bg in backgrounds):
            return candidate
    return BLACK


@dataclass(frozen=True)
class Theme:
    """The colours a stylesheet needs, derived from the configured ones."""

    brand: str
    brand_dark: str
    on_brand: str
    link: str
    header: str
    on_header: str

    def css(self) -> str:
        """The theme as CSS custom properties, read by static/css/sesame.css."""
        return (":root {\n"
                f"  --brand: {self.brand};\n"
                f"  --brand-dark: {self.brand_dark};\n"
                f"  --on-brand: {self.on_brand};\n"
                f"  --link: {self.link};\n"
                f"  --header: {self.header};\n"
                f"  --on-header: {self.on_header};\n"
                "}\n")


def theme(brand_color: str, header_color: str = "") -> Theme:
    """Derive the theme from the configured colours (ValueError if one is not #rrggbb).

    Whatever the colours, text keeps a 4.5:1 contrast: the text on the brand and header
    colours is black or white (a mid tone too close to both is darkened a little), and
    links are darkened until they read on white and on the page's grey.
    """
    brand, on_brand = _with_text(to_hex(parse_color(brand_color)))
    header, on_header = (_with_text(to_hex(parse_color(header_color)))
                         if header_color.strip() else (brand, on_brand))
    # The hover shade: darker when the text on it is white, lighter-looking otherwise.
    brand_dark = darken(brand, 0.2) if on_brand == WHITE else darken(brand, 0.1)
    if contrast(brand_dark, on_brand) < TEXT_CONTRAST:
        brand_dark = brand
    return Theme(brand=brand, brand_dark=brand_dark, on_brand=on_brand,
                 link=readable_against(brand, [WHITE, PAGE_BACKGROUND]),
                 header=header, on_header=on_header)


def _with_text(background: str) -> tuple[str, str]:
    """A background and the text colour to write on it: black or white, and when neither
    reaches 4.5:1 (a few mid tones), the background darkened just enough for white."""
    text = readable_on(background)
    if contrast(background, text) >= TEXT_CONTRAST:
        return background, text
    return readable_against(background, [WHITE]), WHITE


def logo_type(path: Path) -> str | None:
    """The MIME type of a logo file, or None when it is not a kind we serve."""
    return LOGO_TYPES.get(path.suffix.lower())


# --- Contacts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Helpdesk:
    """How to reach the helpdesk, in one language."""

    email: str
    phone: str
    address: str
    hours: str
    url: str

    @property
    def phone_uri(self) -> str:
        """The number as a `tel:` link (digits and a leading +)."""
        return "tel:" + re.sub(r"[^\d+]", "", self.phone)


def helpdesk(config: dict, language: str) -> Helpdesk:
    """The helpdesk's contacts from configuration; the hours in `language` when given."""
    hours = config["HELPDESK_HOURS"]
    if language == "en" and config.get("HELPDESK_HOURS_EN"):
        hours = config["HELPDESK_HOURS_EN"]
    return Helpdesk(email=config["HELPDESK_EMAIL"], phone=config["HELPDESK_PHONE"],
                    address=config["HELPDESK_ADDRESS"], hours=unbreakable_times(hours),
                    url=config["HELPDESK_URL"])


# The article's contracted forms after « de » and « à ».
_ARTICLES = {"l'": ("l'", "de l'", "à l'"), "la": ("la ", "de la ", "à la "),
             "le": ("le ", "du ", "au "), "les": ("les ", "des ", "aux "),
             "none": ("", "de ", "à "), "": ("", "de ", "à ")}


@dataclass(frozen=True)
class Institution:
    """The institution's name in the forms sentences need: « l'Université de Lille »,
    « de l'Université de Lille », « à l'Université de Lille » (in English, the name)."""

    name: str
    the: str
    of: str
    at: str


def _article(config: dict) -> str:
    return str(config.get("INSTITUTION_ARTICLE") or "none").strip().lower()


def institution(config: dict, language: str) -> Institution:
    """The institution's name with its article (INSTITUTION_ARTICLE), in `language`."""
    name = config["INSTITUTION_NAME"]
    if language != "fr":
        return Institution(name=name, the=name, of=name, at=name)
    the, of, at = _ARTICLES.get(_article(config), _ARTICLES["none"])
    return Institution(name=name, the=the + name, of=of + name, at=at + name)


def check_institution_article(config: dict) -> None:
    """Refuse an article the sentences cannot use, at start-up."""
    article = _article(config)
    if article not in _ARTICLES:
        raise ValueError("WIZARD_INSTITUTION_ARTICLE: expected l', la, le, les or none, "
                         f"got {article!r}")


def french_contact_phrase(config: dict) -> str:
    """The helpdesk as one French phrase, for the printed letters."""
    details = [config[key] for key in ("HELPDESK_EMAIL", "HELPDESK_PHONE", "HELPDESK_HOURS")
               if config.get(key)]
    return "l'assistance informatique" + (f" ({', '.join(details)})" if details else "")


# --- What to use next ------------------------------------------------------------------

# The demo institution's services (NEXT_SERVICES unset). Categories are matched without
# regard to case, accents, spaces or hyphens: « Enseignant-chercheur » = « enseignant
# chercheur ».
DEMO_SERVICES: list[dict] = [
    {"name": "ENT", "url": "https://ent.univ-demo.fr",
     "fr": "L'environnement numérique de travail\u00a0: la porte d'entrée vers tous les "
           "services, avec votre identifiant et votre mot de passe.",
     "en": "The digital workspace: the way in to every service, with your login and "
           "password."},
    {"name": {"fr": "Messagerie", "en": "Webmail"}, "url": "https://webmail.univ-demo.fr",
     "fr": "Votre boîte universitaire, dans le navigateur.",
     "en": "Your university mailbox, in the browser."},
    {"name": "Moodle", "url": "https://moodle.univ-demo.fr",
     "categories": ["enseignant", "enseignant-chercheur", "enseignant chercheur",
                    "chercheur", "contractuel enseignant", "ater", "vacataire"],
     "fr": "La plateforme pédagogique\u00a0: vos cours et vos étudiants.",
     "en": "The learning platform: your courses and your students."},
    {"name": {"fr": "Portail RH", "en": "HR portal"}, "url": "https://rh.univ-demo.fr",
     "fr": "Vos congés, vos bulletins de paie et vos formations.",
     "en": "Your leave, your payslips and your training."},
]


@dataclass(frozen=True)
class Service:
    """One service on the done page, in the person's language."""

    name: str
    url: str
    description: str


def _category_key(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text or ""))


def _in(value, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or value.get("fr") or next(iter(value.values()), ""))
    return str(value or "")


def services_for(services: list[dict] | None, category: str | None,
                 language: str) -> list[Service]:
    """The services someone of `category` uses, in `language`, in the configured order.

    A service without categories is for everyone; one with categories, only for people of
    those categories (someone whose category HR did not give sees only the former).
    """
    chosen = []
    mine = _category_key(category)
    for entry in DEMO_SERVICES if services is None else services:
        wanted = {_category_key(c) for c in entry.get("categories") or []}
        if wanted and mine not in wanted:
            continue
        description = entry.get(language) or entry.get("fr") or entry.get("description", "")
        chosen.append(Service(name=_in(entry.get("name"), language),
                              url=str(entry.get("url") or ""),
                              description=_in(description, language)))
    return chosen
