"""The weak and strong password tables (tests/passwords/tables/, written by
`scripts/password_tables.py generate`): what they hold, and the share the policy refuses.

The weak table is made of passwords a bare zxcvbn meter calls strong (score 3 or 4) and a
cracker's mangling rules find among their first guesses; the strong one of passphrases and
random strings that must stay accepted. docs/passwords.md gives the shares measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TABLES = Path(__file__).resolve().parent / "tables"


def read_table(name: str) -> list[str]:
    lines = (TABLES / name).read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line and not line.startswith("# ")]


WEAK = read_table("weak_french.txt")
STRONG = read_table("strong.txt")


def plain_zxcvbn_scores(passwords: list[str]) -> list[int]:
    """zxcvbn 4.5.0's own scores, in a fresh interpreter (this one changed its matchers)."""
    code = ("import json, sys\nfrom zxcvbn import zxcvbn\n"
            "print(json.dumps([zxcvbn(p, max_length=128)['score'] "
            "for p in json.load(sys.stdin)]))")
    completed = subprocess.run([sys.executable, "-c", code], input=json.dumps(passwords),
                               capture_output=True, text=True, check=True, timeout=120)
    return json.loads(completed.stdout)


def test_the_tables_are_big_enough_and_long_enough():
    assert len(WEAK) >= 200 and len(set(WEAK)) == len(WEAK)
    assert len(STRONG) >= 200 and len(set(STRONG)) == len(STRONG)
    assert min(map(len, WEAK)) >= 12
    assert min(map(len, STRONG)) >= 14


def test_plain_zxcvbn_calls_every_weak_password_strong():
    """Each weak password fools a bare zxcvbn meter: that is the point of the table."""
    scores = plain_zxcvbn_scores(WEAK)
    fooled = [password for password, score in zip(WEAK, scores, strict=True) if score < 3]
    assert fooled == []
