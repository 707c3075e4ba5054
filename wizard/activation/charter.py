"""The IT charter the person accepts: its text, version and fingerprint."""

from __future__ import annotations

import hashlib
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from markdown_it import MarkdownIt

SAMPLE = Path(__file__).with_name("charter_sample.txt")


# The Markdown the charter may use: headings, lists, emphasis, paragraphs. No raw HTML (it
# is shown as text), no links, no images: the institution's text cannot inject anything.
_MARKDOWN = MarkdownIt("zero").enable(["heading", "list", "emphasis"])


def render_markdown(text: str) -> str:
    """The charter's Markdown subset as HTML, headings one level down (the page has the h1)."""
    tokens = _MARKDOWN.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})


@dataclass(frozen=True)
class Charter:
    """A charter text as shown, with what an acceptance records."""

    version: str
    text: str

    @property
    def sha256(self) -> str:
        """Fingerprint of the exact text accepted."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @cached_property
    def html(self) -> str:
        """The text as HTML: its headings and lists rendered, anything else escaped."""
        return render_markdown(self.text)


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
