"""French word lists for zxcvbn: leaked and common passwords, common words, names, places,
sports clubs and words of daily life (pet names, affection words, food, animals).

zxcvbn 4.5.0 ships English lists only, so it takes « soleil » or « Montpellier » for rare
strings. The lists here live in `wizard/passwords/data/` (their sources and licences are in
`wizard/passwords/data/README.md`). They are read by the builder of the strength index
(`word_index`, in a child process), not by a serving process: 68,000 entries as Python
dicts would take 8 MB of every worker.

A list file is UTF-8, one entry per line, most common first: an entry's rank is its line
number among the entries, which is what zxcvbn expects of its own lists. Lines starting with
"#" are comments, except the marker "#@ unranked": the entries after it carry no frequency
(an alphabetical list, say), so they all get one rank, the middle of their span. A list may
span several files (a short ranked head written for the project, then a long unranked
tail): ranks carry on from one file to the next and an entry keeps its first, best rank.

Each entry is also registered in the forms people type it in: without spaces, hyphens and
apostrophes (« saint-étienne » → « saintétienne »), and without accents (« hélène » →
« helene », « cœur » → « coeur »).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from wizard.text import fold

UNRANKED_MARKER = "#@ unranked"

# Characters people drop when they turn a name into a password.
_SEPARATORS = str.maketrans("", "", " -'’.")


@dataclass(frozen=True)
class WordList:
    """One zxcvbn dictionary built from one or more files of wizard/data."""

    name: str
    files: tuple[str, ...]
    kind: str  # what feedback calls a match in it: passwords, words, names, places, sports


FRENCH_LISTS: tuple[WordList, ...] = (
    # The leaks' ranking first (real frequencies), then the hand-typed patterns it misses.
    WordList("french_passwords", ("fr_leaked_passwords.txt", "fr_passwords.txt"), "passwords"),
    WordList("french_words", ("fr_common_words.txt",), "words"),
    WordList("french_first_names",
             ("fr_first_names_frequent.txt", "fr_first_names.txt"), "names"),
    WordList("french_surnames", ("fr_surnames_frequent.txt", "fr_surnames.txt"), "names"),
    WordList("french_places", ("fr_places.txt",), "places"),
    WordList("french_sports", ("fr_sports.txt",), "sports"),
    WordList("french_daily_life", ("fr_daily_life.txt",), "words"),
)

KIND_OF_DICTIONARY: dict[str, str] = {wordlist.name: wordlist.kind for wordlist in FRENCH_LISTS}


def variants(entry: str) -> list[str]:
    """The forms of an entry worth matching: as written, run together, without accents."""
    written = unicodedata.normalize("NFC", entry.strip().lower())
    run_together = written.translate(_SEPARATORS)
    forms = [written, run_together]
    if not written.isascii():
        forms += [fold(written), fold(run_together)]
    unique: list[str] = []
    for form in forms:
        if form and form not in unique:
            unique.append(form)
    return unique


def _read_entries(filename: str, data_dir: Path | None = None) -> tuple[list[str], list[str]]:
    """The ranked entries of a file (of passwords/data, or of `data_dir`), then its unranked
    ones."""
    folder = (Path(data_dir) if data_dir is not None
              else resources.files("wizard.passwords") / "data")
    text = (folder / filename).read_text(encoding="utf-8")
    ranked: list[str] = []
    unranked: list[str] = []
    target = ranked
    for line in text.splitlines():
        line = line.strip()
        if line == UNRANKED_MARKER:
            target = unranked
        elif line and not line.startswith("#"):
            target.append(line)
    return ranked, unranked


def build_ranked_dictionary(filenames: tuple[str, ...],
                            data_dir: Path | None = None) -> dict[str, int]:
    """word → rank (1 is the most common), from list files read in order."""
    ranks: dict[str, int] = {}
    next_rank = 1
    for filename in filenames:
        ranked, unranked = _read_entries(filename, data_dir)
        for entry in ranked:
            forms = variants(entry)
            if forms and forms[0] not in ranks:
                for form in forms:
                    ranks.setdefault(form, next_rank)
                next_rank += 1
        fresh = [forms for forms in map(variants, unranked) if forms and forms[0] not in ranks]
        shared_rank = next_rank + len(fresh) // 2
        for forms in fresh:
            for form in forms:
                ranks.setdefault(form, shared_rank)
        next_rank += len(fresh)
    return ranks


@cache
def french_dictionaries() -> dict[str, dict[str, int]]:
    """Every French dictionary, by zxcvbn dictionary name; built once per process.

    For the index builder and the tests: a serving process reads the index instead.
    """
    return {wordlist.name: build_ranked_dictionary(wordlist.files) for wordlist in FRENCH_LISTS}
