"""The IT charter the person accepts: its text, version and fingerprint."""

from __future__ import annotations

import hashlib
import stat
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


# Charters read, by file (inode, change and modification times, size) and version: the
# charter page reads the file's status only (an operator's new text is still shown at once,
# even one copied with its old modification time).
_read: dict[tuple, Charter] = {}


def load(path: str | Path | None, instance_path: str | Path, version: str) -> Charter:
    """Read the configured charter, else `instance/charter.txt`, else the shipped sample."""
    candidates = [Path(path)] if path else [Path(instance_path) / "charter.txt", SAMPLE]
    for candidate in candidates:
        try:
            status = candidate.stat()
        except OSError:
            continue
        if not stat.S_ISREG(status.st_mode):
            continue
        key = (str(candidate), status.st_ino, status.st_ctime_ns, status.st_mtime_ns,
               status.st_size, version)
        charter = _read.get(key)
        if charter is None:
            charter = Charter(version=version, text=candidate.read_text(encoding="utf-8"))
            if len(_read) >= 32:
                _read.clear()
            _read[key] = charter
        return charter
    raise FileNotFoundError(f"charter text not found: {candidates[0]}")
