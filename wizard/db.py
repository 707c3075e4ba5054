"""The SQLite database: connection settings, the schema's migrations, transactions."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations
from sqlite_utils.utils import dedupe_keys

BUSY_TIMEOUT_MS = 10_000

migrations = Migrations("sesame")


class _Database(Database):
    """sqlite-utils' Database, with reads that cost one statement instead of three.

    `Database.query` runs each statement inside a SAVEPOINT … RELEASE pair, so that a
    statement turning out to return no rows can be undone. A SELECT cannot write: ours
    run directly: one statement a read instead of three.
    """

    def query(self, sql, params=None):
        if not sql.lstrip()[:6].upper() == "SELECT":
            return super().query(sql, params)
        if self._tracer:
            self._tracer(sql, params)
        cursor = self.conn.execute(sql, params if params is not None else ())
        keys = dedupe_keys(d[0] for d in cursor.description)
        return (dict(zip(keys, row, strict=True)) for row in cursor)


def connect(path: str | Path) -> Database:
    """Open the database file with the settings every connection needs."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _switch_to_wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return _Database(conn)


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """`PRAGMA journal_mode = WAL`, tried again while another connection holds the file.

    While one process turns a new file to WAL, another's same PRAGMA can fail with
    "database is locked" at once, without waiting for the busy timeout (SQLite does not
    call the busy handler there): two gunicorn workers starting on a fresh database did,
    about one start in three. So it waits here, as long as the busy timeout would.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def migrate(db: Database) -> None:
    """Bring the schema up to date; safe to run at every start, from several processes.

    The write lock is taken first, so two workers starting together migrate one at a time.
    """
    with transaction(db):
        migrations.apply(db)


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """Run a block as one write transaction, taking the write lock at once.

    BEGIN IMMEDIATE rather than sqlite-utils' deferred BEGIN: a service reads, checks its
    guard, then writes; a deferred transaction that upgrades to a write under concurrency
    fails with "database is locked" instead of waiting for the busy timeout.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.execute("COMMIT")


def claim_next(db: Database, table: str, due: str, params: dict, *, until: str) -> dict | None:
    """Claim the oldest row of a queue `table` that is `due` (SQL on the named `params`)
    until `until`, and return it; None when nothing is due.

    A look without the write lock first: most passes find nothing due, and each worker's
    loop passes twice a second. Then one statement finds and claims the row, so another
    worker cannot take it in between.
    """
    if db.execute(f"SELECT 1 FROM {table} WHERE {due} LIMIT 1", params).fetchone() is None:
        return None
    with transaction(db):
        cursor = db.execute(
            f"UPDATE {table} SET claimed_until = :until WHERE id = ("
            f" SELECT id FROM {table} WHERE {due} ORDER BY id LIMIT 1) RETURNING *",
            {**params, "until": until})
        row = cursor.fetchone()
        columns = [c[0] for c in cursor.description or []]
        cursor.fetchall()
    return dict(zip(columns, row, strict=True)) if row else None


@migrations()
def m001_initial(db: Database) -> None:
    """People, their enrolment facts, tokens, the outbox, the audit log, the directory."""
    db.execute(
        """
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            matricule TEXT UNIQUE,
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            login TEXT NOT NULL UNIQUE,
            institutional_email TEXT NOT NULL UNIQUE,
            personal_email TEXT,
            category TEXT,
            service TEXT,
            birth_date TEXT,
            arrival_date TEXT,
            departure_date TEXT,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'active', 'locked', 'disabled')),
            created_at TEXT NOT NULL,
            activated_at TEXT,
            last_link_sent_at TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE enrolments (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL UNIQUE REFERENCES people(id),
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            charter_version TEXT,
            charter_sha256 TEXT,
            charter_accepted_at TEXT,
            charter_ip TEXT,
            directory_listed INTEGER,
            directory_answered_at TEXT,
            mail_answered_at TEXT,
            forward_to TEXT,
            keep_copy INTEGER,
            forward_verified_at TEXT,
            completed_at TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE tokens (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            purpose TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            code_hash TEXT,
            code_tries INTEGER NOT NULL DEFAULT 0,
            target_address TEXT,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            revoked_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX tokens_person_purpose ON tokens(person_id, purpose)")
    db.execute(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            person_id INTEGER REFERENCES people(id),
            to_addr TEXT NOT NULL,
            subject TEXT NOT NULL,
            body_text TEXT NOT NULL,
            body_html TEXT NOT NULL,
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            claimed_until TEXT,
            sent_at TEXT,
            last_error TEXT
        )
        """
    )
    db.execute("CREATE INDEX outbox_pending ON outbox(sent_at, next_attempt_at)")
    db.execute(
        """
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            person_id INTEGER REFERENCES people(id),
            actor TEXT NOT NULL,
            event TEXT NOT NULL,
            ip TEXT,
            user_agent TEXT,
            detail TEXT
        )
        """
    )
    db.execute("CREATE INDEX audit_person ON audit(person_id, at)")
    db.execute(
        """
        CREATE TABLE accounts (
            login TEXT PRIMARY KEY,
            person_id INTEGER NOT NULL UNIQUE REFERENCES people(id),
            email TEXT NOT NULL,
            listed INTEGER NOT NULL,
            forward_to TEXT,
            keep_copy INTEGER,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )


@migrations()
def m002_hr_and_sesame(db: Database) -> None:
    """The sésame (hash and expiry), locks and departures; logins are never given twice.

    People are never deleted and a login never changes: triggers refuse both, so a login
    once given (even to someone who left) can never be handed to someone else.
    """
    for column in ("sesame_hash", "sesame_expires_at", "sesame_issued_at", "locked_at",
                   "disabled_at"):
        db.execute(f"ALTER TABLE people ADD COLUMN {column} TEXT")
    db.execute(
        """
        CREATE TRIGGER people_never_deleted BEFORE DELETE ON people
        BEGIN SELECT RAISE(ABORT, 'people are never deleted: disable them instead'); END
        """
    )
    db.execute(
        """
        CREATE TRIGGER people_login_never_changes BEFORE UPDATE OF login ON people
        WHEN NEW.login IS NOT OLD.login
        BEGIN SELECT RAISE(ABORT, 'a login once given never changes'); END
        """
    )
    db.execute("CREATE INDEX people_status ON people(status)")


@migrations()
def m003_sesame_path(db: Database) -> None:
    """The sésame path: how identity was proven, the recovery address, failed attempts."""
    db.execute("ALTER TABLE enrolments ADD COLUMN method TEXT NOT NULL DEFAULT 'link'")
    db.execute("ALTER TABLE enrolments ADD COLUMN recovery_address TEXT")
    db.execute("ALTER TABLE enrolments ADD COLUMN recovery_verified_at TEXT")
    # Keyed by the login as typed (normalised), not by person: an unknown login is
    # counted and slowed down exactly like a real one.
    db.execute(
        """
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            login_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            ip TEXT
        )
        """
    )
    db.execute("CREATE INDEX attempts_key ON attempts(login_key, kind, at)")


@migrations()
def m005_link_requests(db: Database) -> None:
    """« 1ère connexion » requests, recorded by the page and handled by the mail worker."""
    db.execute(
        """
        CREATE TABLE link_requests (
            id INTEGER PRIMARY KEY,
            identifier TEXT NOT NULL,
            requested_at TEXT NOT NULL,
            ip TEXT,
            user_agent TEXT
        )
        """
    )


@migrations()
def m006_remembered_language(db: Database) -> None:
    """The language a person last used the wizard in (their mails follow it), and the one
    a « 1ère connexion » request was made in."""
    db.execute("ALTER TABLE people ADD COLUMN language TEXT")
    db.execute("ALTER TABLE link_requests ADD COLUMN language TEXT")


@migrations()
def m007_birth_date_check(db: Database) -> None:
    """The optional date-of-birth check after identity is proven."""
    db.execute("ALTER TABLE enrolments ADD COLUMN birth_date_required INTEGER NOT NULL"
               " DEFAULT 0")
    db.execute("ALTER TABLE enrolments ADD COLUMN birth_date_checked_at TEXT")


@migrations()
def m008_sesame_fingerprint(db: Database) -> None:
    """The sésame's keyed fingerprint, kept on the enrolment from the sésame's check to
    completion: the password step compares with it instead of spending an argon2 check."""
    db.execute("ALTER TABLE enrolments ADD COLUMN sesame_fingerprint TEXT")


@migrations()
def m009_wizard_sessions(db: Database) -> None:
    """Wizard sessions on the server: the cookie holds only a random id."""
    db.execute(
        """
        CREATE TABLE wizard_sessions (
            id INTEGER PRIMARY KEY,
            sid_hash TEXT NOT NULL UNIQUE,
            enrolment_id INTEGER NOT NULL REFERENCES enrolments(id),
            method TEXT NOT NULL,
            proof_id INTEGER NOT NULL,
            sesame_issued_at TEXT,
            started_at TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            done INTEGER NOT NULL DEFAULT 0,
            ended_at TEXT,
            ended_why TEXT
        )
        """
    )
    db.execute("CREATE INDEX wizard_sessions_enrolment ON wizard_sessions(enrolment_id)")


@migrations()
def m010_outbox_failed(db: Database) -> None:
    """A message given up (a permanent refusal, or too many tries): when."""
    db.execute("ALTER TABLE outbox ADD COLUMN failed_at TEXT")


@migrations()
def m011_attempts_keyed(db: Database) -> None:
    """Failures are now counted under a keyed hash of the typed login: the rows kept
    under the login in clear (which may be a mistyped sésame) are forgotten."""
    db.execute("DELETE FROM attempts")


@migrations()
def m014_directory_writes(db: Database) -> None:
    """The directory queue: writes without a secret (liste rouge, forwarding, recovery
    address, markers, locks) waiting to be applied to the LDAP directory; the claim of a
    password step writing to it."""
    db.execute(
        """
        CREATE TABLE directory_writes (
            id INTEGER PRIMARY KEY,
            person_id INTEGER REFERENCES people(id),
            login TEXT NOT NULL,
            matricule TEXT,
            changes TEXT NOT NULL,
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            claimed_until TEXT,
            applied_at TEXT,
            last_error TEXT
        )
        """
    )
    db.execute("CREATE INDEX directory_writes_pending ON directory_writes(applied_at,"
               " next_attempt_at)")
    db.execute("CREATE INDEX directory_writes_login ON directory_writes(login, id)")
    # A password step writing to the remote directory, outside the write lock, claims the
    # enrolment until then (a double click waits for it rather than writing twice).
    db.execute("ALTER TABLE enrolments ADD COLUMN directory_claimed_until TEXT")
