"""The IT charter the person accepts: its text, version and fingerprint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

SAMPLE = Path(__file__).with_name("charter_sample.txt")


@dataclass(frozen=True)
class Charter:
    """A charter text as shown, with what an acceptance records."""

    version: str
    text: str

    @property
    def sha256(self) -> str:
        """Fingerprint of the exact text accepted."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def paragraphs(self) -> list[str]:
        """The text split on blank lines, for display."""
        return [p.strip() for p in self.text.split("\n\n") if p.strip()]


def load(path: str | Path | None, instance_path: str | Path, version: str) -> Charter:
    """Read the configured charter, else `instance/charter.txt`, else the shipped sample."""
    candidates = [Path(path)] if path else [Path(instance_path) / "charter.txt", SAMPLE]
    for candidate in candidates:
        if candidate.is_file():
            return Charter(version=version, text=candidate.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"charter text not found: {candidates[0]}")
