"""Mail: the outbox every message is written to, and the delivery that empties it.

A message is queued in the same transaction as the change that caused it, and only a
delivery loop talks to SMTP: an SMTP outage delays mail, never loses it. Each message is
claimed before it is sent, so two delivery loops never send the same message.
"""

from __future__ import annotations

import hashlib
import logging
import os
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlite_utils import Database

from wizard.clock import backoff, from_iso, to_iso, utcnow
from wizard.db import claim_next

log = logging.getLogger(__name__)

# A claimed message that is neither sent nor failed after this long (a worker killed
# mid-send) is offered again.
CLAIM_SECONDS = 120

# Tries before a message is given up (with the backoff capped at MAIL_RETRY_MAX_SECONDS,
# 600 s by default, about two days); a permanent refusal (5xx) gives it up at once.
MAX_ATTEMPTS = 300


def is_permanent(error: Exception) -> bool:
    """Whether the relay refused the message for good (a 5xx reply): trying again would
    get the same answer."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


@dataclass(frozen=True)
class Rendered:
    """A mail ready to queue: subject and both bodies."""

    subject: str
    text: str
    html: str


# Services receive a composer that renders a mail by its kind from a context; the Flask
# layer provides one backed by the templates in templates/emails/.
Composer = Callable[[str, dict], Rendered]


def queue(db: Database, *, kind: str, to: str, rendered: Rendered, now: datetime,
          person_id: int | None = None) -> int:
    """Write a message to the outbox; call inside the transaction that caused it."""
    cursor = db.execute(
        "INSERT INTO outbox (kind, person_id, to_addr, subject, body_text, body_html,"
        " created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [kind, person_id, to, rendered.subject, rendered.text, rendered.html,
         to_iso(now), to_iso(now)],
    )
    return cursor.lastrowid


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP relay."""

    host: str
    port: int
    security: str = "none"  # none | starttls | ssl
    username: str = ""
    password: str = ""
    timeout: float = 10.0


class SmtpTransport:
    """Sends messages through one SMTP conversation per batch."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    def open(self) -> smtplib.SMTP:
        """Connect, secure and log in as configured."""
        s = self.settings
        if s.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                client.starttls(context=ssl.create_default_context())
        if s.username:
            client.login(s.username, s.password)
        return client


def build_message(row: dict, *, sender: str, domain: str) -> EmailMessage:
    """Turn an outbox row into a MIME message (text with an HTML alternative)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["to_addr"]
    message["Subject"] = row["subject"]
    message["Date"] = format_datetime(from_iso(row["created_at"]))
    # Stable per outbox row, every retry alike: a receiver can tell a retry from a new
    # message. The row's id, and a digest of when and to whom it was queued (ids start
    # again in a fresh database).
    message["Message-ID"] = message_id(row, domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row["body_text"])
    message.add_alternative(row["body_html"], subtype="html")
    for part in message.iter_parts():
        del part["MIME-Version"]  # the top-level header says it once (RFC 2045)
    return message


def message_id(row: dict, domain: str) -> str:
    """The Message-ID of an outbox row: the same on every delivery attempt."""
    digest = hashlib.sha256(f"{row['created_at']}|{row['to_addr']}".encode()).hexdigest()
    return f"<sesame.{row['id']}.{digest[:16]}@{domain}>"


_DUE = ("sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= :now"
        " AND (claimed_until IS NULL OR claimed_until <= :now)")


def _claim(db: Database, now: datetime) -> dict | None:
    return claim_next(db, "outbox", _DUE, {"now": to_iso(now)},
                      until=to_iso(now + timedelta(seconds=CLAIM_SECONDS)))


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    failed: int = 0


def deliver_due(db: Database, transport: SmtpTransport, *, sender: str, domain: str,
                retry_base: float, retry_max: float, keep_bodies: bool = False,
                now: Callable[[], datetime] = utcnow, limit: int = 100) -> DeliveryReport:
    """Send every message that is due, one SMTP conversation for the batch.

    A failure reschedules the message with exponential backoff; the error is recorded.
    A permanent refusal (5xx), or `MAX_ATTEMPTS` failures, gives the message up: marked
    failed (`wizard status` shows it), its bodies erased. Once sent, bodies are emptied
    unless `keep_bodies`: they carry links and codes.
    """
    report = DeliveryReport()
    client: smtplib.SMTP | None = None
    try:
        for _ in range(limit):
            row = _claim(db, now())
            if row is None:
                break
            try:
                if client is None:
                    client = transport.open()
                client.send_message(build_message(row, sender=sender, domain=domain))
            except Exception as error:  # any failure: rescheduled, never lost nor stuck
                attempts = row["attempts"] + 1
                reason = f"{type(error).__name__}: {error}"[:500]
                if is_permanent(error) or attempts >= MAX_ATTEMPTS:
                    db.execute(
                        "UPDATE outbox SET attempts = ?, failed_at = ?, claimed_until = NULL,"
                        " last_error = ?, body_text = '', body_html = '' WHERE id = ?",
                        [attempts, to_iso(now()), reason, row["id"]])
                    log.warning("mail %s (outbox row %s) given up after %s attempt(s): %s",
                                row["kind"], row["id"], attempts, reason)
                    report.failed += 1
                    client = _close(client)
                    continue  # the relay answers: the next message may go through
                wait = backoff(attempts, base=retry_base, maximum=retry_max)
                db.execute(
                    "UPDATE outbox SET attempts = ?, next_attempt_at = ?, claimed_until = NULL,"
                    " last_error = ? WHERE id = ?",
                    [attempts, to_iso(now() + timedelta(seconds=wait)), reason, row["id"]],
                )
                log.warning("mail %s to outbox row %s failed (attempt %s), retry in %.0f s",
                            row["kind"], row["id"], attempts, wait)
                report.failed += 1
                client = _close(client)
                # The relay is likely down: leave the rest for the next pass.
                break
            scrub = "" if not keep_bodies else None
            db.execute(
                "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, claimed_until = NULL,"
                " last_error = NULL, body_text = coalesce(?, body_text),"
                " body_html = coalesce(?, body_html) WHERE id = ?",
                [to_iso(now()), scrub, scrub, row["id"]],
            )
            log.info("mail %s sent (outbox row %s)", row["kind"], row["id"])
            report.sent += 1
    finally:
        _close(client)
    return report


def _close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    return None


class DeliveryLoop(threading.Thread):
    """Background thread that runs `deliver` every `interval` seconds, or when woken."""

    def __init__(self, deliver: Callable[[], DeliveryReport], interval: float):
        super().__init__(name="sesame-mail-delivery", daemon=True)
        self._deliver = deliver
        self._interval = interval
        self._wake = threading.Event()
        self._stopping = threading.Event()

    def wake(self) -> None:
        """Ask for a delivery pass now (after a request queued a message)."""
        self._wake.set()

    def stop(self) -> None:
        """End the loop after the current pass."""
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        """Deliver until stopped; an unexpected error is logged, never fatal."""
        # One per server process: the log shows how many deliver side by side.
        log.info("mail worker started in process %s", os.getpid())
        while not self._stopping.is_set():
            try:
                self._deliver()
            except Exception:
                log.exception("mail delivery pass failed")
            self._wake.wait(self._interval)
            self._wake.clear()
