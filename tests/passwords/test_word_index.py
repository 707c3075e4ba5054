"""The strength estimate's word index: built once in a child process, named after what it is
built from, safe to build twice at once, and the only copy of the word lists a serving
process has."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from wizard.passwords import dictionaries, word_index

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **environment: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter, from the checkout, with a clean WIZARD_* slate."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("WIZARD_")}
    env.update(environment)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def copy_data(folder: Path) -> Path:
    """A copy of wizard/passwords/data, with a comment added: the same lists, but another
    index name, so that no index built elsewhere (the instance folder, the temporary one)
    answers."""
    copy = folder / "data"
    shutil.copytree(word_index.DATA_DIR, copy)
    with (copy / "fr_sports.txt").open("a", encoding="utf-8") as sports:
        sports.write("\n# A copy for the tests.\n")
    return copy


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of wizard/passwords/data, free to change."""
    return copy_data(tmp_path)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """An index built from a copy of wizard/passwords/data: (the data folder, the index file)."""
    folder = tmp_path_factory.mktemp("built")
    data = copy_data(folder)
    return data, word_index.ensure_index(data, folder / "instance")


def test_the_same_lists_give_the_same_name(tmp_path):
    shutil.copytree(word_index.DATA_DIR, tmp_path / "data")
    assert word_index.index_name(tmp_path / "data") == word_index.index_name()
    name = word_index.index_name()
    assert name.startswith("strength-index-") and name.endswith(".sqlite3")


def test_the_index_is_built_once_and_reused(built):
    data, path = built
    assert path.name == word_index.index_name(data) != word_index.index_name()
    before = path.stat()
    assert word_index.ensure_index(data, path.parent) == path
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), "rebuilt"
    assert sorted(item.name for item in path.parent.iterdir()) == [path.name]


def test_the_index_holds_every_dictionary_in_zxcvbn_order(built):
    _data, path = built
    index = word_index.Index(path)
    try:
        assert index.names[:6] == ("passwords", "english_wikipedia", "female_names", "surnames",
                                   "us_tv_and_film", "male_names")
        assert index.names[6:] == tuple(wordlist.name for wordlist
                                        in dictionaries.FRENCH_LISTS)
        assert index.ranks("password")["passwords"] == 2  # zxcvbn's own rank
        assert index.ranks("soleil")["french_words"] < 2000
        assert index.ranks("not-a-word") == {}
        assert index.longest == 25
        connection = sqlite3.connect(path)
        schema = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'words'")
        assert "WITHOUT ROWID" in schema.fetchone()[0]
        connection.close()
    finally:
        index.close()


def test_a_changed_list_gives_another_index(built, data_copy, tmp_path):
    _data, path = built
    with (data_copy / "fr_places.txt").open("a", encoding="utf-8") as places:
        places.write("\nTrifouilly-les-Oies\n")
    assert word_index.index_name(data_copy) != path.name
    # The earlier version's index, unused for two days, goes; yesterday's may still serve.
    instance = tmp_path / "instance"
    instance.mkdir()
    old, recent = instance / "strength-index-0123456789ab.sqlite3", instance / path.name
    for earlier in (old, recent):
        shutil.copy(path, earlier)
    os.utime(old, (old.stat().st_atime, old.stat().st_mtime - 2 * 24 * 3600))
    changed = word_index.ensure_index(data_copy, instance)
    assert changed.name == word_index.index_name(data_copy)
    assert sorted(instance.iterdir()) == sorted([changed, recent])
    index = word_index.Index(changed)
    try:
        assert "french_places" in index.ranks("trifouillylesoies")
    finally:
        index.close()


def test_two_builders_at_once_both_succeed(data_copy, tmp_path):
    """Two workers starting together: each builds, one rename wins, both open the index."""
    code = f"""
        from pathlib import Path
        from wizard.passwords import word_index
        index = word_index.open_index(Path({str(data_copy)!r}), Path({str(tmp_path)!r}))
        print(index.path, index.ranks("soleil")["french_words"])
    """
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("WIZARD_")}
    workers = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(2)]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
    assert outputs[0][0] == outputs[1][0]
    assert [item.name for item in tmp_path.iterdir() if item.name != "data"] == [
        word_index.index_name(data_copy)], "one index, no temporary file left"


def test_the_instance_folder_is_where_the_app_says(monkeypatch, tmp_path):
    monkeypatch.setenv("WIZARD_INSTANCE_PATH", str(tmp_path / "elsewhere"))
    assert word_index.instance_directory() == tmp_path / "elsewhere"
    monkeypatch.delenv("WIZARD_INSTANCE_PATH")
    assert word_index.instance_directory() == ROOT / "instance"


def test_an_unwritable_instance_folder_falls_back_to_the_temporary_folder(built, monkeypatch,
                                                                          tmp_path):
    data, _path = built
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    (tmp_path / "a-file").write_text("not a folder")
    path = word_index.ensure_index(data, tmp_path / "a-file" / "instance")
    ours = tmp_path / "tmp" / f"sesame-{os.getuid()}"
    assert path == ours / word_index.index_name(data)
    assert stat.S_IMODE(ours.stat().st_mode) == 0o700
    assert word_index.ensure_index(data, tmp_path / "a-file" / "instance") == path


def test_a_temporary_folder_someone_else_could_write_is_not_used(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    planted = tmp_path / f"sesame-{os.getuid()}"
    planted.mkdir(mode=0o777)
    planted.chmod(0o777)
    assert word_index.private_temporary_folder() is None
    planted.rmdir()
    planted.symlink_to(tmp_path, target_is_directory=True)
    assert word_index.private_temporary_folder() is None


def test_a_damaged_index_in_a_read_only_folder_is_rebuilt_in_our_temporary_one(
        built, monkeypatch, tmp_path):
    data, path = built
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    read_only = tmp_path / "instance"
    read_only.mkdir()
    damaged = read_only / path.name
    damaged.write_bytes(path.read_bytes()[:-8192] + b"\0" * 8192)  # its last pages zeroed
    read_only.chmod(0o555)
    monkeypatch.setattr(word_index, "_writable", lambda folder: folder != read_only)
    try:
        index = word_index.open_index(data, read_only)
        try:
            assert index.path.parent == tmp_path / "tmp" / f"sesame-{os.getuid()}"
            assert index.ranks("soleil")
        finally:
            index.close()
    finally:
        read_only.chmod(0o755)


def test_an_unreadable_index_is_built_anew(built, tmp_path):
    data, path = built
    broken = tmp_path / path.name
    broken.write_bytes(b"not an SQLite file" * 100)
    index = word_index.open_index(data, tmp_path)
    try:
        assert index.path == broken and index.ranks("soleil")
    finally:
        index.close()


def test_a_failed_build_is_a_clear_error(data_copy, monkeypatch, tmp_path):
    (data_copy / "fr_places.txt").unlink()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(word_index.StrengthIndexError,
                       match="(?s)could not be built.*fr_places.txt"):
        word_index.ensure_index(data_copy, tmp_path / "instance")
    assert not list((tmp_path / "instance").iterdir()), "no temporary file left"


def test_the_command_has_help():
    completed = subprocess.run([sys.executable, "-m", "wizard.passwords.word_index", "--help"],
                               cwd=ROOT, capture_output=True, text=True, check=False)
    assert completed.returncode == 0
    assert "--output" in completed.stdout and "--data-dir" in completed.stdout


def test_lookups_take_any_string(built):
    _data, path = built
    index = word_index.Index(path)
    try:
        found = index.fetch(["soleil", "\ud800soleil", "sol\x00eil", "", "soleil"])
        assert list(found) == ["soleil"]
    finally:
        index.close()


# --- The serving process ------------------------------------------------------------------

# Measured on the reference machine: importing wizard.passwords and scoring one password,
# after the libraries every worker imports anyway (Flask, argon2, sqlite3), adds 2.4 MB of
# resident memory, and the peak 2.5 MB; with the word lists in Python objects it added
# 31 MB (zxcvbn's English lists 12 MB, the French lists 8 MB, a merged index of both
# 10.5 MB). 8 MB leaves room for another allocator or Python build, and fails if any one of
# the three comes back, even for a moment (the peak).
SERVER_MEMORY_BOUND_MB = 8

SERVER = """
    import gc, json, sys

    def memory_mb(field):
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith(field + ":"):
                        return int(line.split()[1]) / 1024
        except OSError:
            return None  # not Linux: no measure

    import argon2, sqlite3, wizard.web.app  # what a serving process has loaded already
    before = memory_mb("VmRSS")
    import wizard.passwords as passwords
    verdict = passwords.evaluate("Montpellier34!soleil", "", policy=passwords.PasswordPolicy(),
                                 user_inputs=["jean", "dupont"])
    after, peak = memory_mb("VmRSS"), memory_mb("VmHWM")
    from zxcvbn import matching
    from wizard.passwords import dictionaries, estimator, word_index
    print(json.dumps({
        "zxcvbn_list_module_loaded": word_index.real_frequency_lists_loaded(),
        "index": str(estimator._index.path),
        "score": verdict.score,
        "grown_mb": None if before is None else after - before,
        "peak_over_before_mb": None if before is None else peak - before,
        "lists_in_modules": sorted(name for name, module in list(sys.modules.items())
                                   if getattr(module, "FREQUENCY_LISTS", None)),
        "ranked_dictionaries": sorted(matching.RANKED_DICTIONARIES),
        "french_dictionaries_read": dictionaries.french_dictionaries.cache_info()
                                    .currsize,
        "big_containers": [len(item) for item in gc.get_objects()
                           if isinstance(item, (list, tuple, dict, set)) and len(item) > 5000],
    }))
"""


def test_a_serving_process_holds_no_word_list(tmp_path):
    """Start-up on a fresh instance folder: the index is built by a child process, and the
    serving process never holds a word list, not even at its peak."""
    (tmp_path / "tmp").mkdir()
    completed = run_python(SERVER, WIZARD_INSTANCE_PATH=str(tmp_path / "instance"),
                           TMPDIR=str(tmp_path / "tmp"))
    assert completed.returncode == 0, completed.stderr
    found = json.loads(completed.stdout)
    assert found["index"] == str(tmp_path / "instance" / word_index.index_name())
    assert found["score"] >= 1  # scored with the dictionaries
    assert found["zxcvbn_list_module_loaded"] is False  # the placeholder stands in
    assert found["lists_in_modules"] == []
    assert found["ranked_dictionaries"] == []  # not even the last person's words
    assert found["french_dictionaries_read"] == 0
    assert found["big_containers"] == []
    if found["grown_mb"] is not None:
        assert found["grown_mb"] < SERVER_MEMORY_BOUND_MB, found
        # Had the lists been read here (to build the index, say), the peak (VmHWM) would
        # show them, even once freed.
        assert found["peak_over_before_mb"] < SERVER_MEMORY_BOUND_MB, found
