"""Failed secret checks and the brakes they put on: a wait per network, then a lock.

Counted by the login as typed (normalised), before anything is looked up, so that an
unknown login is slowed down and answered exactly like a real one. What is stored is a
keyed hash of it (`key`): a typed login may be a mistyped sésame, and never lies in the
database in clear.

Following NIST SP 800-63B (5.2.2), the brakes throttle rather than lock:

- a try is counted as a failure *before* its secret is checked, in the same transaction
  as the check of the brakes (`reserve`), so parallel tries count exactly; a success
  then forgets the failures (`clear`);
- after `wait_after` consecutive failures *from one network* (an IPv4 address, an IPv6
  /64), that network gets one try per `wait`: a stranger's failures slow the stranger
  down, not the person typing the right sésame elsewhere;
- after `lock_after` consecutive failures from anywhere (at most 100, NIST's bound), the
  login's sésame opens nothing until the helpdesk unlocks it (`wizard unlock`). That
  lock is only the sésame's: the person's status, links and mailbox path are untouched.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlite_utils import Database

from wizard.clock import from_iso, to_iso


@dataclass(frozen=True)
class Brakes:
    """After `wait_after` failures from one network, one try per `wait` from it; after
    `lock_after` failures from anywhere, the secret is locked."""

    wait_after: int = 5
    wait: timedelta = timedelta(minutes=15)
    lock_after: int = 100


class Gate(StrEnum):
    """Whether a secret may be checked now."""

    OPEN = "open"
    WAIT = "wait"
    LOCKED = "locked"


@dataclass(frozen=True)
class Reservation:
    """The brakes' answer to one try: whether its check may run, and the failures on
    record for the login once this try is counted (when it may run)."""

    gate: Gate
    failures: int


def key(login: str, secret: bytes) -> str:
    """The key under which a typed login's failures are counted: an HMAC of the login
    normalised (case, surrounding spaces), with a key derived from the app's secret."""
    normalised = login.strip().lower()[:100]
    return hmac.new(secret, b"typed login:" + normalised.encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()


def network(ip: str | None) -> str:
    """The network a try comes from: the IPv4 address, or the IPv6 /64 (one host's)."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def failures(db: Database, login_key: str, kind: str) -> int:
    """Consecutive failures on record for a login (since its last success or unlock)."""
    return next(iter(db.query(
        "SELECT count(*) AS n FROM attempts WHERE login_key = ? AND kind = ?",
        [login_key, kind])))["n"]


def reserve(db: Database, login_key: str, kind: str, now: datetime, brakes: Brakes,
            ip: str | None) -> Reservation:
    """Check the brakes and, if they let this try through, count it as a failure now.

    Call inside a write transaction (BEGIN IMMEDIATE): the check and the count are one,
    so N parallel tries let exactly as many checks through as the brakes allow. A try
    that then succeeds calls `clear`.
    """
    on_record = failures(db, login_key, kind)
    if on_record >= brakes.lock_after:
        return Reservation(Gate.LOCKED, on_record)
    row = next(iter(db.query(
        "SELECT count(*) AS n, max(at) AS last FROM attempts"
        " WHERE login_key = ? AND kind = ? AND ip = ?",
        [login_key, kind, network(ip)])))
    if row["n"] >= brakes.wait_after and now - from_iso(row["last"]) < brakes.wait:
        return Reservation(Gate.WAIT, on_record)
    return Reservation(Gate.OPEN, record_failure(db, login_key, kind, now, ip))


def record_failure(db: Database, login_key: str, kind: str, now: datetime,
                   ip: str | None) -> int:
    """Count one failure; return how many are on record now."""
    db.execute("INSERT INTO attempts (login_key, kind, at, ip) VALUES (?, ?, ?, ?)",
               [login_key, kind, to_iso(now), network(ip)])
    return failures(db, login_key, kind)


def clear(db: Database, login_key: str, kind: str | None = None) -> int:
    """Forget the failures (after a success, or when the helpdesk unlocks)."""
    if kind is None:
        return db.execute("DELETE FROM attempts WHERE login_key = ?", [login_key]).rowcount
    return db.execute("DELETE FROM attempts WHERE login_key = ? AND kind = ?",
                      [login_key, kind]).rowcount
