"""The message catalogs: every French text of the product has its English translation, the
English catalog translates nothing that no longer exists, and translations keep their
placeholders and markup. The French text is the message id (see babel.cfg)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["en"]  # French is the source: its catalog is the code and the templates


def _ids(message_id) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (message_id,)


@pytest.fixture(scope="module")
def source() -> Catalog:
    """Every message the code and the templates use, as `make messages` extracts them."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords={**DEFAULT_KEYWORDS, "_l": None}):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    assert len(catalog) > 100, "extraction found almost nothing: is babel.cfg right?"
    return catalog


def catalog_of(language: str) -> Catalog:
    """The checked-in catalog of `language`."""
    path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    assert path.is_file(), f"{path} is missing"
    with path.open("rb") as po:
        return read_po(po, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(source, language):
    catalog = catalog_of(language)
    missing, empty, fuzzy = [], [], []
    for message in source:
        if not message.id:
            continue
        found = catalog.get(message.id)
        if found is None:
            missing.append(message.id)
        elif any(not text for text in _ids(found.string)):
            empty.append(message.id)
        elif found.fuzzy:
            fuzzy.append(message.id)
    assert (missing, empty, fuzzy) == ([], [], []), (
        f"translations/{language}: run `make messages`, then translate "
        f"(missing, empty, fuzzy)")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_of_a_message_that_is_gone(source, language):
    stale = [m.id for m in catalog_of(language) if m.id and source.get(m.id) is None]
    assert stale == [], f"translations/{language} translates texts no longer used"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders(language):
    problems = [(m.id, [str(e) for e in errors])
                for m, errors in catalog_of(language).check() if errors]
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_markup(language):
    tag = re.compile(r"</?[a-z]+(?:\s[^>]*)?>")
    different = []
    for message in catalog_of(language):
        if not message.id:
            continue
        for original, translated in zip(_ids(message.id), _ids(message.string), strict=False):
            if sorted(tag.findall(original)) != sorted(tag.findall(translated)):
                different.append((original, translated))
    assert different == []


def test_french_texts_follow_french_typography(source):
    # A non-breaking space (U+00A0) before : ; ! ? and inside « », never a plain one.
    wrong = re.compile(r"[ \u202f][:;!?»]|« ")
    sloppy = [text for message in source if message.id for text in _ids(message.id)
              if wrong.search(re.sub(r"<[^>]+>|https?://\S+", "", text))]
    assert sloppy == []


UNIT = re.compile(r"(?:\d|%\(\w+\)[sd]|\{\w+\}) (?:caractères?|chiffres?|heures?|minutes?|jours?"
                  r"|h \d\d)\b")


def test_numbers_keep_their_unit_on_the_same_line(source):
    # « 10 caractères », « 24 heures », « 23 h 59 »: a non-breaking space, never a break.
    loose = [text for message in source if message.id for text in _ids(message.id)
             if UNIT.search(text)]
    assert loose == []
