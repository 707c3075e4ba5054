#!/usr/bin/env python3
"""The weak and strong password tables: how many of each the strength rules refuse.

Two tables live in tests/passwords/tables/ (one password a line; tests read them):

- `weak_french.txt`: passwords of 12 characters or more built the way French people build
  weak ones (a word, first name, city, club or pet name from the lists Sésame ships, its
  case or l33t varied, plus a year, a few digits, a département or postcode, a date, one
  to three symbols), kept only when plain zxcvbn 4.5.0 (English lists, no French, years up
  to 2019) scores them 3 or 4: the ones a bare zxcvbn meter would call strong;
- `strong.txt`: generated passphrases of 3 to 5 French words (drawn from the 10,000 most
  common words of `fr_common_words.txt`, with or without separators) and random strings of
  14 to 20 printable ASCII characters.

`generate` writes both tables again (deterministic for a given --seed); `measure` (the
default) prints, for each table, the share refused by plain zxcvbn (score below 3), by
the estimator alone (zxcvbn taught French, without the mangling pass: `estimator.estimate`),
and by the whole policy (`passwords.evaluate`: the meter's and the submit's verdict), as a
Markdown table for docs/passwords.md. Plain zxcvbn runs in a child process: the wizard's
process keeps zxcvbn's lists out of memory and changes its matchers.

    .venv/bin/python scripts/password_tables.py [measure] [--show-accepted]
    .venv/bin/python scripts/password_tables.py generate [--seed 13]

To measure another version of the code on the same tables (the landed one, say), give its
tree: `git worktree add /tmp/landed 978730c` then
`.venv/bin/python scripts/password_tables.py measure --wizard-from /tmp/landed`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TABLES = ROOT / "tests" / "passwords" / "tables"
WEAK = TABLES / "weak_french.txt"
STRONG = TABLES / "strong.txt"

WEAK_COUNT = 250
PASSPHRASES = 150
RANDOM_STRINGS = 100

# Plain zxcvbn 4.5.0, in a fresh interpreter: the English lists, nothing of ours.
_PLAIN_ZXCVBN = """
import json, sys
from zxcvbn import zxcvbn
for line in sys.stdin:
    print(zxcvbn(json.loads(line), max_length=128)["score"], flush=True)
"""


def plain_zxcvbn_scores(passwords: list[str]) -> list[int]:
    """zxcvbn 4.5.0's own score of each password, as a bare zxcvbn meter would show it."""
    completed = subprocess.run(
        [sys.executable, "-c", _PLAIN_ZXCVBN], check=True, capture_output=True, text=True,
        input="".join(json.dumps(password) + "\n" for password in passwords))
    return [int(line) for line in completed.stdout.split()]


def read_table(path: Path) -> list[str]:
    """The passwords of a table file: every line but comments ("# ") and blank ones."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line and not line.startswith("# ")]


def write_table(path: Path, header: str, passwords: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    path.write_text(comment + "".join(f"{p}\n" for p in passwords), encoding="utf-8")


# --- Generating ----------------------------------------------------------------------------


def _ranked(filenames: tuple[str, ...], limit: int | None = None) -> list[str]:
    """The entries of shipped lists, best rank first, as letters only (no accents)."""
    from wizard.passwords.dictionaries import build_ranked_dictionary

    ranks = build_ranked_dictionary(filenames[:1] if limit == 0 else filenames)
    words = sorted((rank, word) for word, rank in ranks.items()
                   if word.isascii() and word.isalpha() and len(word) >= 3)
    unique = list(dict.fromkeys(word for _rank, word in words))
    return unique[:limit] if limit else unique


def weak_bases() -> dict[str, list[str]]:
    """The bases a weak password is built on, by kind, from the lists the package ships."""
    from wizard.passwords.dictionaries import FRENCH_LISTS

    files = {wordlist.name: wordlist.files for wordlist in FRENCH_LISTS}
    bases = {
        "password": _ranked(files["french_passwords"], 5000),
        "word": _ranked(files["french_words"], 5000),
        "first name": _ranked(files["french_first_names"], 800),
        # The ranked head only: the tail is alphabetical, its first entries no commoner
        # than its last.
        "surname": _ranked(files["french_surnames"], 0),
        "place": _ranked(files["french_places"]),
        "club": _ranked(files["french_sports"]),
    }
    if "french_daily_life" in files:
        bases["daily life"] = _ranked(files["french_daily_life"])
    return bases


_L33T = {"a": "@", "e": "3", "i": "1", "o": "0", "s": "$"}
SYMBOLS = "!!!!!!??.*@#$&-_+"


def _case(rng: random.Random, word: str) -> str:
    choice = rng.random()
    if choice < 0.6:
        return word.capitalize()
    if choice < 0.8:
        return word
    if choice < 0.9:
        return word.upper()
    return "".join(_L33T.get(ch, ch) for ch in word.capitalize())


def _symbols(rng: random.Random) -> str:
    symbol = rng.choice(SYMBOLS)
    return symbol * rng.choice([1, 1, 2, 2, 3])


def _year(rng: random.Random) -> str:
    return str(rng.choice([rng.randint(1940, 2039), rng.randint(1960, 2010),
                           rng.randint(2015, 2030)]))


def _date(rng: random.Random) -> str:
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    return f"{day:02d}{month:02d}{_year(rng)}"


def _departement(rng: random.Random) -> str:
    return rng.choice([f"{rng.randint(1, 95):02d}", "2A", "2B", "971", "972", "974"])


def _postcode(rng: random.Random) -> str:
    return rng.choice([f"{rng.randint(1, 95):02d}000", f"{rng.randint(1, 95):02d}"
                       f"{rng.randint(0, 9)}{rng.randint(0, 9)}0"])


def _digits(rng: random.Random) -> str:
    return rng.choice(["123", "1234", "12345", "123456", "1234567", "0000", "007", "69",
                       "01", "11", "000", "111", str(rng.randint(0, 9)),
                       str(rng.randint(100, 999))])


# How weak passwords are built: (name, function of (rng, base) → password).
PATTERNS = [
    ("base + year + symbols", lambda r, b: _case(r, b) + _year(r) + _symbols(r)),
    ("base + year + symbols", lambda r, b: _case(r, b) + _year(r) + _symbols(r)),
    ("base + year", lambda r, b: _case(r, b) + _year(r)),
    ("base + 2 digits + symbols", lambda r, b: _case(r, b) + f"{r.randint(0, 99):02d}"
     + _symbols(r)),
    ("base + digits + symbols", lambda r, b: _case(r, b) + _digits(r) + _symbols(r)),
    ("base + département + symbols", lambda r, b: _case(r, b) + _departement(r)
     + _symbols(r)),
    ("base + postcode", lambda r, b: _case(r, b) + _postcode(r)),
    ("base + date", lambda r, b: _case(r, b) + _date(r)),
    ("base + symbols + year", lambda r, b: _case(r, b) + _symbols(r) + _year(r)),
    ("symbols + base + year", lambda r, b: _symbols(r) + _case(r, b) + _year(r)),
    ("year + base + symbols", lambda r, b: _year(r) + _case(r, b) + _symbols(r)),
    ("base + 123456 + symbol", lambda r, b: _case(r, b) + "123456" + r.choice("!?.*")),
]


def generate_weak(rng: random.Random, count: int) -> list[str]:
    """`count` weak passwords of 12+ characters that plain zxcvbn scores 3 or 4."""
    bases = weak_bases()
    kinds = list(bases)
    chosen: list[str] = []
    while len(chosen) < count:
        candidates = []
        while len(candidates) < 4 * count:
            kind = rng.choice(kinds)
            _name, build = rng.choice(PATTERNS)
            password = build(rng, rng.choice(bases[kind]))
            if len(password) >= 12 and not password.startswith("#"):
                candidates.append(password)
        candidates = [p for p in dict.fromkeys(candidates) if p not in chosen]
        for password, score in zip(candidates, plain_zxcvbn_scores(candidates), strict=True):
            if score >= 3 and len(chosen) < count:
                chosen.append(password)
    return chosen


def generate_strong(rng: random.Random) -> list[str]:
    """Passphrases of 3 to 5 common French words, and random printable ASCII strings."""
    from wizard.passwords.dictionaries import FRENCH_LISTS

    files = next(wordlist.files for wordlist in FRENCH_LISTS if wordlist.name == "french_words")
    words = [word for word in _ranked(files, 10_000) if 4 <= len(word) <= 10]
    phrases = []
    for _ in range(PASSPHRASES):
        picked = rng.sample(words, rng.choice([3, 3, 4, 4, 5]))
        separator = rng.choice([" ", " ", "-", ".", "_", ""])
        if not separator:
            picked = [word.capitalize() for word in picked]
        phrases.append(separator.join(picked))
    alphabet = string.ascii_letters + string.digits + string.punctuation
    randoms = []
    while len(randoms) < RANDOM_STRINGS:
        candidate = "".join(rng.choice(alphabet) for _ in range(rng.randint(14, 20)))
        if not candidate.startswith("#"):
            randoms.append(candidate)
    return phrases + randoms


def generate(seed: int) -> None:
    rng = random.Random(seed)
    weak = generate_weak(rng, WEAK_COUNT)
    write_table(WEAK, f"""Weak French passwords that plain zxcvbn 4.5.0 scores 3 or 4 (generated by
scripts/password_tables.py generate --seed {seed}: do not edit by hand). Each is a base from
the lists in wizard/passwords/data (common passwords, words, first names, surnames, places,
clubs, daily-life words), its case or l33t varied, with a year, digits, a département, a
postcode, a date or symbols added; 12 characters or more.""", weak)
    strong = generate_strong(rng)
    write_table(STRONG, f"""Strong passwords (generated by scripts/password_tables.py generate
--seed {seed}: do not edit by hand): {PASSPHRASES} passphrases of 3 to 5 words drawn from
the 10,000 most common French words (4 to 10 letters), with a space, a hyphen, a dot, an
underscore or nothing between them; {RANDOM_STRINGS} random strings of 14 to 20 printable
ASCII characters.""",
                strong)
    print(f"{WEAK.relative_to(ROOT)}: {len(weak)} passwords; "
          f"{STRONG.relative_to(ROOT)}: {len(strong)} passwords")


# --- Measuring -----------------------------------------------------------------------------


def verdicts(passwords: list[str]) -> dict[str, list[bool]]:
    """For each password, whether it is refused: by plain zxcvbn, by the French-aware
    estimate alone, and by the whole policy (`evaluate`, for someone with no known words)."""
    from wizard.passwords import PasswordPolicy, estimator, evaluate, policy

    rules = PasswordPolicy()
    estimated = []
    for password in passwords:
        with policy._ZXCVBN_LOCK:
            result = estimator.estimate(password[:policy.SCORED_PREFIX], [],
                                        policy.SCORED_PREFIX)
        estimated.append(result["score"] < rules.min_score)
    return {
        "plain zxcvbn 4.5.0": [score < rules.min_score
                               for score in plain_zxcvbn_scores(passwords)],
        "the estimator alone": estimated,
        "evaluate()": [
            not evaluate(password, password, policy=rules, user_inputs=()).acceptable
            for password in passwords],
    }


def measure(show_accepted: bool) -> None:
    tables = {"weak French passwords": read_table(WEAK), "strong passwords": read_table(STRONG)}
    results = {name: verdicts(passwords) for name, passwords in tables.items()}
    columns = list(next(iter(results.values())))
    print("| Table | Passwords | " + " | ".join(f"Refused by {c}" for c in columns) + " |")
    print("|---|---:|" + "---:|" * len(columns))
    for name, by_column in results.items():
        total = len(tables[name])
        shares = [f"{sum(refused)} ({100 * sum(refused) / total:.1f} %)"
                  for refused in by_column.values()]
        print(f"| {name} | {total} | " + " | ".join(shares) + " |")
    if show_accepted:
        after = columns[-1]
        for name, passwords in tables.items():
            wrong = [p for p, refused in zip(passwords, results[name][after], strict=True)
                     if refused == (name == "strong passwords")]
            print(f"\n{name}, wrongly {'refused' if name == 'strong passwords' else 'accepted'}"
                  f" ({len(wrong)}):")
            for password in wrong:
                print("   ", password)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="The weak and strong password tables (tests/passwords/tables/): the share "
                    "each estimate refuses (measure), or the tables written again (generate).")
    commands = parser.add_subparsers(dest="command")
    measure_command = commands.add_parser(
        "measure", help="print the refused shares as a Markdown table (the default)")
    measure_command.add_argument("--wizard-from", type=Path, metavar="TREE",
                                 help="measure the wizard package of this checkout instead "
                                      "(another version of the code, same tables)")
    measure_command.add_argument("--show-accepted", action="store_true",
                                 help="also list the weak passwords accepted and the strong "
                                      "ones refused")
    generate_command = commands.add_parser("generate", help="write both tables again")
    generate_command.add_argument("--seed", type=int, default=13,
                                  help="random seed (default: %(default)s)")
    arguments = parser.parse_args(argv)
    if arguments.command == "generate":
        generate(arguments.seed)
    else:
        tree = getattr(arguments, "wizard_from", None)
        if tree is not None:
            sys.path.insert(0, str(tree.resolve()))
            os.chdir(tree)  # its word-index builder (python -m, a child) starts from there
        measure(getattr(arguments, "show_accepted", False))


if __name__ == "__main__":
    main()
