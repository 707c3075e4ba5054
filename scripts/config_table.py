"""Rewrite README.md's configuration table from wizard/config.py (the one source of truth).

Usage: .venv/bin/python scripts/config_table.py
"""

from __future__ import annotations

import re
from pathlib import Path

from wizard.config import SETTINGS

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- config:start -->", "<!-- config:end -->"


def table() -> str:
    """The Markdown table of every setting."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for setting in SETTINGS:
        default = "—" if setting.default in (None, "") else f"`{setting.default}`"
        lines.append(f"| `WIZARD_{setting.name}` | {default} | {setting.doc} |")
    return "\n".join(lines)


def main() -> None:
    """Replace the table between the markers, in place."""
    text = README.read_text(encoding="utf-8")
    if START not in text:
        raise SystemExit(f"README.md has no {START} marker")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    README.write_text(pattern.sub(f"{START}\n{table()}\n{END}", text), encoding="utf-8")
    print(f"{len(SETTINGS)} settings written to README.md")


if __name__ == "__main__":
    main()
