"""The request's database connection: `get_db()` and its teardown, as in Flask's tutorial,
with one connection kept per thread from one request to the next."""

from __future__ import annotations

import threading

from flask import Flask, current_app, g
from sqlite_utils import Database

from wizard import db

# Each thread keeps its connection from one request to the next. Opening one cost more than
# most requests' queries: the file, its WAL index and the schema read anew (~0.25 ms), and
# ~0.6 ms when the previous close, the last one, had checkpointed and removed the WAL.
_THREAD = threading.local()


def init_database(app: Flask) -> None:
    """Migrate the app's database and close the request's connection at teardown."""
    connection = db.connect(app.config["DATABASE"])
    try:
        db.migrate(connection)
    finally:
        connection.close()
    app.teardown_appcontext(_close_db)


def get_db() -> Database:
    """The request's database connection (this thread's), opened on first use."""
    if "db" not in g:
        g.db = thread_connection(current_app.config["DATABASE"])
    return g.db


def thread_connection(path: str) -> Database:
    """This thread's connection to `path`, kept between uses."""
    kept = getattr(_THREAD, "db", None)
    if kept is not None and kept[0] == path:
        return kept[1]
    if kept is not None:
        kept[1].close()
    connection = db.connect(path)
    _THREAD.db = (path, connection)
    return connection


def _close_db(error: BaseException | None = None) -> None:
    connection = g.pop("db", None)
    if connection is None:
        return
    if error is not None or connection.conn.in_transaction:
        # Never carry a failure or an open transaction into the next request: that one
        # starts on a fresh connection.
        forget_thread_connection()


def forget_thread_connection() -> None:
    """Close this thread's kept connection; the next use opens a fresh one."""
    kept = getattr(_THREAD, "db", None)
    _THREAD.db = None
    if kept is not None:
        kept[1].close()
