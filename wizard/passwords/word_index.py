"""The strength estimate's dictionaries as a read-only SQLite file, built in a child process.

zxcvbn's English lists (94,000 words) and our French ones (49,000 entries) cost a serving
process about 30 MB as Python dicts, strings and tuples: a third of a gunicorn worker's
baseline, in every worker. Here they live on disk instead, in one table `words` holding each
word once with its entries (the dictionaries that hold it, in their order, and its rank in
each): `estimator` looks up the substrings of a password in one query, and holds
nothing but SQLite's page cache (1 MiB at most) and a filter of the words' beginnings
(128 KiB). For a 32-character password the query takes 0.15 ms (median), and an estimate
0.1 to 0.3 ms longer than it did with the lists in memory.

- The serving process never loads the lists. zxcvbn 4.5.0's `matching` module imports
  `zxcvbn.frequency_lists` when it is first imported and builds RANKED_DICTIONARIES from it;
  `keep_zxcvbn_lists_out()`, called by `estimator` before it imports zxcvbn,
  registers a placeholder module under that name (an empty FREQUENCY_LISTS), so that
  RANKED_DICTIONARIES starts empty and only ever holds the per-call `user_inputs`.
- The file is built by `python -m wizard.passwords.word_index`, run by `open_index()` as a child
  process, so that the lists never count in a serving process's memory, not even at its
  peak. The builder reads zxcvbn's own `frequency_lists.py` by path, under another module
  name, ranks its lists with zxcvbn's own `matching.build_ranked_dict`, and the French lists
  with `dictionaries`, in the order zxcvbn would hold them: English, then French.
- The file's name carries a hash of everything it is built from (zxcvbn's version and list
  file, wizard/data/*.txt, the builder's code), so a change means a new file, and an
  unchanged checkout reuses the one built by the first start. It lives in the instance
  folder (WIZARD_INSTANCE_PATH, as the app resolves it), or, when that one is not
  writable, in a temporary folder of our own (`<tmp>/sesame-<uid>`, mode 0700). The
  builder writes a temporary file beside it and renames it: workers starting at once may
  each build it, one rename wins, the files are the same.
  An earlier version's file is removed by the next build, once unused for a day.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

from wizard.config import ROOT

# Bump when the file's layout or content changes in a way the hash of the sources misses.
FORMAT = 1

DATA_DIR = Path(__file__).resolve().parent / "data"

# A substring whose first PREFIX_LENGTH characters begin no word needs no lookup: most of a
# password's, unless it is made of words. Index.may_begin tells, from a bit filter of the
# words' beginnings (25,200 in 2^20 bits, 128 KiB: 2.4 % false positives, which only cost a
# lookup). At 32 characters, a password's lookups drop from 1,400 to 280 (median), and the
# estimate's matching takes about as long as with the lists in memory; with 3 characters, 470.
PREFIX_LENGTH = 4
_FILTER_BITS = 1 << 20

# The builder's code: a change in any of them may change the file (dictionaries
# reads the lists, wizard.text.fold makes their forms without accents).
_BUILDER_SOURCES = ("passwords/word_index.py", "passwords/dictionaries.py",
                    "activation/names.py")

_FREQUENCY_LISTS = "zxcvbn.frequency_lists"
_PLACEHOLDER_DOC = ("Placeholder for zxcvbn.frequency_lists, registered by "
                    "wizard.passwords.word_index: the word lists are looked up in an SQLite "
                    "file instead.")

# A process that builds the index in more than this is stuck (it takes about a second).
BUILD_TIMEOUT_SECONDS = 300


class StrengthIndexError(RuntimeError):
    """The index could not be built or opened: the estimate would run without dictionaries."""


def keep_zxcvbn_lists_out() -> None:
    """Register an empty `zxcvbn.frequency_lists` before zxcvbn is imported, if it is not yet.

    zxcvbn 4.5.0's matching.py does `from zxcvbn.frequency_lists import FREQUENCY_LISTS` and
    ranks every list at import; Python's import system takes a module already in sys.modules
    without loading its file. Too late (zxcvbn already imported), this does nothing, and
    `estimator.install()` drops the lists zxcvbn loaded.
    """
    if _FREQUENCY_LISTS not in sys.modules:
        placeholder = types.ModuleType(_FREQUENCY_LISTS, _PLACEHOLDER_DOC)
        placeholder.FREQUENCY_LISTS = {}  # type: ignore[attr-defined]
        sys.modules[_FREQUENCY_LISTS] = placeholder


def real_frequency_lists_loaded() -> bool:
    """Whether zxcvbn's own list module (not the placeholder) was imported in this process."""
    module = sys.modules.get(_FREQUENCY_LISTS)
    return module is not None and module.__doc__ != _PLACEHOLDER_DOC


def zxcvbn_frequency_lists_path() -> Path:
    """zxcvbn's frequency_lists.py, found without importing zxcvbn."""
    spec = importlib.util.find_spec("zxcvbn")
    if spec is None or not spec.submodule_search_locations:
        raise StrengthIndexError("zxcvbn is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "frequency_lists.py"


def load_zxcvbn_frequency_lists() -> dict[str, list[str]]:
    """zxcvbn's FREQUENCY_LISTS, read from its file under another module name.

    For the builder (and the tests): sys.modules["zxcvbn.frequency_lists"] stays whatever it
    is, and nothing of zxcvbn is imported.
    """
    path = zxcvbn_frequency_lists_path()
    spec = importlib.util.spec_from_file_location("wizard._zxcvbn_frequency_lists", path)
    if spec is None or spec.loader is None:
        raise StrengthIndexError(f"cannot read {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FREQUENCY_LISTS


def fingerprint(data_dir: Path = DATA_DIR) -> str:
    """A hash of what the index is built from: zxcvbn, passwords/data/*.txt, the builder."""
    digest = hashlib.sha256(f"format {FORMAT}\nzxcvbn {metadata.version('zxcvbn')}\n".encode())
    here = Path(__file__).resolve().parent.parent  # the wizard package
    sources = [("zxcvbn/frequency_lists.py", zxcvbn_frequency_lists_path())]
    sources += [(name, here / name) for name in _BUILDER_SOURCES]
    sources += [(f"data/{path.name}", path) for path in sorted(Path(data_dir).glob("*.txt"))]
    for name, path in sources:
        content = path.read_bytes()
        digest.update(f"{name} {len(content)}\n".encode())
        digest.update(content)
    return digest.hexdigest()


def index_name(data_dir: Path = DATA_DIR) -> str:
    """The index's file name: it changes whenever its content would."""
    return f"strength-index-{fingerprint(data_dir)[:12]}.sqlite3"


def instance_directory() -> Path:
    """The instance folder, resolved as create_app resolves it."""
    return Path(os.environ.get("WIZARD_INSTANCE_PATH", str(ROOT / "instance")))


# --- Building (in the child process) -------------------------------------------------------


def ranked_dictionaries(data_dir: Path = DATA_DIR) -> dict[str, dict[str, int]]:
    """Every static dictionary, word → rank, in zxcvbn's order: its English lists, ours.

    Loads every list: for the builder and the tests, never a serving process.
    """
    keep_zxcvbn_lists_out()
    from zxcvbn import matching

    from wizard.passwords.dictionaries import FRENCH_LISTS, build_ranked_dictionary

    dictionaries = {name: matching.build_ranked_dict(words)
                    for name, words in load_zxcvbn_frequency_lists().items()}
    for wordlist in FRENCH_LISTS:
        dictionaries[wordlist.name] = build_ranked_dictionary(wordlist.files, data_dir)
    return dictionaries


def build(output: Path, data_dir: Path = DATA_DIR) -> None:
    """Write the index to `output`, atomically (a temporary file beside it, then a rename)."""
    dictionaries = ranked_dictionaries(data_dir)
    entries: dict[str, list[str]] = {}
    for position, ranked in enumerate(dictionaries.values()):
        for word, rank in ranked.items():
            entries.setdefault(word, []).append(f"{position}:{rank}")
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp",
                                         dir=output.parent)
    os.close(handle)
    try:
        connection = sqlite3.connect(temporary)
        try:
            connection.executescript("""
                PRAGMA journal_mode = OFF;
                PRAGMA synchronous = OFF;
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE dictionaries (position INTEGER PRIMARY KEY, name TEXT NOT NULL,
                                           words INTEGER NOT NULL);
                -- entries: "position:rank" for each dictionary holding the word, in order.
                CREATE TABLE words (word TEXT PRIMARY KEY, entries TEXT NOT NULL)
                    WITHOUT ROWID;
                -- The beginnings (PREFIX_LENGTH characters) of the words at least that long.
                CREATE TABLE beginnings (beginning TEXT PRIMARY KEY) WITHOUT ROWID;
            """)
            connection.executemany("INSERT INTO dictionaries VALUES (?, ?, ?)",
                                   [(position, name, len(ranked)) for position, (name, ranked)
                                    in enumerate(dictionaries.items())])
            # In key order, so that pages fill up: a smaller file, fewer pages per lookup.
            connection.executemany("INSERT INTO words VALUES (?, ?)",
                                   ((word, " ".join(entries[word])) for word in sorted(entries)))
            connection.executemany("INSERT INTO beginnings VALUES (?)", (
                (beginning,) for beginning in sorted({word[:PREFIX_LENGTH] for word in entries
                                                      if len(word) >= PREFIX_LENGTH})))
            connection.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("format", str(FORMAT)), ("fingerprint", fingerprint(data_dir)),
                ("longest", str(max(map(len, entries)))), ("prefix_length", str(PREFIX_LENGTH)),
                ("zxcvbn", metadata.version("zxcvbn"))])
            connection.commit()
        finally:
            connection.close()
        os.chmod(temporary, 0o644)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    """Build the index (the command run by `open_index`, or by hand to build it ahead)."""
    import argparse  # here: a serving process never runs this

    parser = argparse.ArgumentParser(
        prog="python -m wizard.passwords.word_index",
        description="Build the password-strength index: zxcvbn's English word lists and the "
                    "French lists of wizard/data in one read-only SQLite file. The app builds "
                    "it at start-up when it is missing (in a child process running this "
                    "command); run it by hand to build it ahead, e.g. in an image.")
    parser.add_argument("--output", type=Path,
                        help="the file to write (default: <instance folder>/" + index_name()
                        + ", where the app looks for it)")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR,
                        help="the folder of the French lists (default: %(default)s)")
    arguments = parser.parse_args(argv)
    output = arguments.output or instance_directory() / index_name(arguments.data_dir)
    started = time.perf_counter()
    build(output, arguments.data_dir)
    print(f"{output} ({output.stat().st_size / 1e6:.1f} MB, "
          f"{time.perf_counter() - started:.1f} s)")
    return 0


# --- Using (in the serving process) --------------------------------------------------------


_FETCH_JSON = ("SELECT words.word, words.entries FROM json_each(?) AS asked "
               "JOIN words ON words.word = asked.value")


class Index:
    """A read-only connection to an index file; one per process, shared by its threads.

    Every lookup runs under policy._ZXCVBN_LOCK (all of zxcvbn does), and SQLite
    serialises the connection's use anyway. A process forked after opening it (gunicorn
    --preload) opens its own: SQLite connections must not cross a fork.
    """

    def __init__(self, path: Path, *, check: bool = False) -> None:
        self.path = Path(path)
        self._pid = -1
        self._connection: sqlite3.Connection | None = None
        connection = self._connect()
        if check:  # every page read once (~20 ms): damage found at start, not mid-request
            verdict = connection.execute("PRAGMA quick_check").fetchone()
            if verdict is None or verdict[0] != "ok":
                raise StrengthIndexError(f"{self.path} is damaged: {verdict}")
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        expected = {"format": str(FORMAT), "prefix_length": str(PREFIX_LENGTH)}
        if any(meta.get(key) != value for key, value in expected.items()) or \
                f"-{meta.get('fingerprint', '')[:12]}." not in self.path.name:
            raise StrengthIndexError(f"{self.path} is not an index of format {FORMAT} "
                                     "matching its name")
        rows = connection.execute(
            "SELECT name, words FROM dictionaries ORDER BY position").fetchall()
        # The dictionaries, in order: an entry's position is an index into `names`.
        self.names: tuple[str, ...] = tuple(name for name, _ in rows)
        self.sizes: dict[str, int] = dict(rows)
        self.longest = int(meta["longest"])
        # A bit per hash of a beginning (Python's string hash: per process, so built here).
        self._beginnings = bytearray(_FILTER_BITS // 8)
        for (beginning,) in connection.execute("SELECT beginning FROM beginnings"):
            bit = hash(beginning) % _FILTER_BITS
            self._beginnings[bit >> 3] |= 1 << (bit & 7)
        self._chunk = connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        try:
            connection.execute(_FETCH_JSON, ("[]",)).fetchall()
            self._json = True
        except sqlite3.OperationalError:  # no such table: json_each
            self._json = False

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            uri = f"file:{quote(str(self.path.resolve()))}?mode=ro&immutable=1"
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            # A small page cache (the default is 2 MiB) and no memory map: the point is to
            # keep the words out of the process's resident memory.
            connection.execute("PRAGMA cache_size = -1024")
            connection.execute("PRAGMA mmap_size = 0")
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def fetch(self, words: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
        """The (dictionary, rank) pairs of those of `words` the index holds, in one query.

        The words go as one JSON array, joined with the table: one statement, prepared once,
        whatever their number, and nearly twice as fast as `word IN (?, ?, …)` (0.22 ms
        against 0.40 ms for 980 words: no temporary index of the values is built). Without
        SQLite's JSON functions (before 3.38, unless built with them), `IN` it is.
        """
        unique = list(dict.fromkeys(words))
        if not unique:
            return {}
        connection = self._connect()
        if self._json:
            # ensure_ascii: a lone surrogate (not UTF-8, so in no dictionary) goes escaped.
            asked = json.dumps(unique)
            if "\\u0000" in asked:
                # SQLite's JSON strings end at a NUL: « sol\0eil » would be looked up as
                # « sol ». No word holds a NUL.
                asked = json.dumps([word for word in unique if "\0" not in word])
            rows = connection.execute(_FETCH_JSON, (asked,)).fetchall()
        else:
            unique = [word for word in unique if _is_utf8(word)]
            rows = []
            for start in range(0, len(unique), self._chunk):
                chunk = unique[start:start + self._chunk]
                rows += connection.execute("SELECT word, entries FROM words WHERE word IN "
                                           f"({','.join('?' * len(chunk))})", chunk).fetchall()
        return {word: self.decode(entries) for word, entries in rows}

    def may_begin(self, beginning: str) -> bool:
        """False if no word begins with these PREFIX_LENGTH characters; True if one may."""
        bit = hash(beginning) % _FILTER_BITS
        return bool(self._beginnings[bit >> 3] >> (bit & 7) & 1)

    def decode(self, entries: str) -> list[tuple[str, int]]:
        """(dictionary, rank) pairs of an entries text, in the dictionaries' order."""
        pairs = []
        for entry in entries.split():
            position, rank = entry.split(":")
            pairs.append((self.names[int(position)], int(rank)))
        return pairs

    def close(self) -> None:
        """Close this process's connection (the next lookup opens another)."""
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None

    def ranks(self, word: str) -> dict[str, int]:
        """dictionary → rank of `word` in each dictionary holding it."""
        return dict(self.fetch([word]).get(word, ()))


def _is_utf8(word: str) -> bool:
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _writable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(directory, os.W_OK | os.X_OK)


def private_temporary_folder() -> Path | None:
    """`<temporary folder>/sesame-<uid>`: ours alone (mode 0700, owned by us, not a link),
    created if missing; None if that name is taken by something else.

    Not the shared temporary folder itself: there, another local user could take the
    index's name first (a file we may not replace, a link), and keep the app from starting.
    """
    folder = Path(tempfile.gettempdir()) / f"sesame-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        status = os.lstat(folder)
    except OSError:
        return None
    if (not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid()
            or status.st_mode & 0o077):
        return None
    return folder


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a link we may not follow, a folder we may not read
        return False


def build_in_child(output: Path, data_dir: Path = DATA_DIR) -> None:
    """Run the builder in a child process: the lists never enter this process's memory."""
    if not sys.executable:
        raise StrengthIndexError("cannot build the password-strength index: no Python "
                                 "interpreter to run (sys.executable is empty)")
    package_parent = str(ROOT)
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [package_parent, *filter(None, [environment.get("PYTHONPATH")])])
    command = [sys.executable, "-m", "wizard.passwords.word_index", "--output", str(output),
               "--data-dir", str(data_dir)]
    try:
        completed = subprocess.run(command, env=environment, capture_output=True, text=True,
                                   timeout=BUILD_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StrengthIndexError(f"cannot build the password-strength index {output}: "
                                 f"{error}") from error
    if completed.returncode != 0:
        raise StrengthIndexError(
            f"cannot build the password-strength index {output}: {' '.join(command)} exited "
            f"with status {completed.returncode}:\n{completed.stderr.strip()[-2000:]}")


# Another index in the same folder, unchanged for this long, is an earlier version's: removed
# after a build. Not at once: another version of the app may share the instance folder.
STALE_AFTER_SECONDS = 24 * 3600


def _remove_stale(folder: Path, keep: str) -> None:
    """Remove the earlier indexes (and abandoned temporary files) of ours in `folder`."""
    now = time.time()
    for path in [*folder.glob("strength-index-*.sqlite3"),
                 *folder.glob(".strength-index-*.tmp")]:
        try:
            status = path.stat()
            if path.name != keep and status.st_uid == os.getuid() \
                    and now - status.st_mtime > STALE_AFTER_SECONDS:
                path.unlink()
        except OSError:
            pass  # gone already, or not ours to remove


def ensure_index(data_dir: Path = DATA_DIR, directory: Path | None = None) -> Path:
    """The index file for these sources, built (in a child process) if it is missing.

    Looked for in `directory` (default: the instance folder), then in a temporary folder of
    our own (`private_temporary_folder`); built in the first of the two that is writable.
    """
    name = index_name(data_dir)
    primary = Path(directory) if directory is not None else instance_directory()
    fallback = private_temporary_folder()
    if _is_file(primary / name):
        return primary / name
    if fallback is not None and _is_file(fallback / name):
        return fallback / name
    errors = []
    for folder in (primary, fallback):
        if folder is None:
            errors.append(f"{Path(tempfile.gettempdir()) / f'sesame-{os.getuid()}'} is "
                          "not a folder of ours alone")
        elif _writable(folder):
            try:
                build_in_child(folder / name, data_dir)
            except StrengthIndexError as error:
                errors.append(str(error))
            else:
                _remove_stale(folder, name)
                return folder / name
        else:
            errors.append(f"{folder} is not writable")
    raise StrengthIndexError("the password-strength index could not be built, and passwords "
                             "cannot be scored without it:\n" + "\n".join(errors))


_UNREADABLE = (sqlite3.DatabaseError, StrengthIndexError, KeyError, ValueError)


def open_index(data_dir: Path = DATA_DIR, directory: Path | None = None) -> Index:
    """Open the index, building it first if needed. A damaged file (every page is checked
    on opening) is built anew, where it was or, if that folder is read-only, in our
    temporary folder."""
    path = ensure_index(data_dir, directory)
    try:
        return Index(path, check=True)
    except _UNREADABLE as error:
        problems = [f"{path}: {error}"]
    for folder in (path.parent, private_temporary_folder()):
        if folder is None or not _writable(folder):
            continue
        try:
            build_in_child(folder / path.name, data_dir)
            return Index(folder / path.name, check=True)
        except _UNREADABLE as again:
            problems.append(f"{folder / path.name}: {again}")
    raise StrengthIndexError("the password-strength index is unreadable and could not be "
                             "rebuilt; delete it and start again:\n" + "\n".join(problems))


if __name__ == "__main__":
    sys.exit(main())
