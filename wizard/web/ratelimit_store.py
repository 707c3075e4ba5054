"""Rate-limit counters in a SQLite file, shared by every gunicorn worker on the host.

Flask-Limiter's `memory://` store counts per process: with two workers every limit was
doubled. This store (`sqlite:///path`, the default: beside the database) keeps the fixed
windows in one small table, each count one UPSERT statement, atomic across processes.
For several hosts, use `redis://` instead.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from limits.storage import Storage

BUSY_TIMEOUT_MS = 10_000


class SqliteStorage(Storage):
    """`limits` storage for the fixed-window strategy (Flask-Limiter's default)."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        self.path = (uri or "").removeprefix("sqlite://") or ":memory:"
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _conn(self) -> sqlite3.Connection:
        # One connection per thread and process (gunicorn forks after the app is built).
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            for _ in range(100):  # another worker may be turning the new file to WAL
                try:
                    conn.execute("PRAGMA journal_mode = WAL")
                    break
                except sqlite3.OperationalError:
                    time.sleep(0.02)
            conn.execute("PRAGMA synchronous = OFF")  # counters: losing a second is fine
            conn.execute("CREATE TABLE IF NOT EXISTS limits (key TEXT PRIMARY KEY,"
                         " count INTEGER NOT NULL, expires_at REAL NOT NULL)")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        self._local.incrs = getattr(self._local, "incrs", 0) + 1
        if self._local.incrs % 1000 == 0:
            self.sweep()
        row = self._conn().execute(
            "INSERT INTO limits (key, count, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET"
            " count = CASE WHEN expires_at <= ? THEN excluded.count"
            "         ELSE count + excluded.count END,"
            " expires_at = CASE WHEN expires_at <= ? THEN excluded.expires_at"
            "              ELSE expires_at END"
            " RETURNING count", [key, amount, now + expiry, now, now]).fetchone()
        return int(row[0])

    def get(self, key: str) -> int:
        row = self._conn().execute("SELECT count FROM limits WHERE key = ? AND expires_at > ?",
                                   [key, time.time()]).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._conn().execute("SELECT expires_at FROM limits WHERE key = ?",
                                   [key]).fetchone()
        return float(row[0]) if row and row[0] > time.time() else time.time()

    def check(self) -> bool:
        try:
            self._conn().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._conn().execute("DELETE FROM limits").rowcount

    def clear(self, key: str) -> None:
        self._conn().execute("DELETE FROM limits WHERE key = ?", [key])

    def sweep(self) -> int:
        """Forget the windows that ended (called now and then; the table stays small)."""
        return self._conn().execute("DELETE FROM limits WHERE expires_at <= ?",
                                    [time.time()]).rowcount
