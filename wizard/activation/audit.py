"""The audit log: who did what, when, from where. Never a secret."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from wizard.clock import to_iso


@dataclass(frozen=True)
class Origin:
    """Where an action came from: a browser (IP, user agent) or an operator's command."""

    actor: str = "person"
    ip: str | None = None
    user_agent: str | None = None


CLI = Origin(actor="operator")


def record(db: Database, event: str, *, now: datetime, origin: Origin,
           person_id: int | None = None, **detail: object) -> None:
    """Append an event; `detail` must hold no secret (tokens, codes, passwords)."""
    db.execute(
        "INSERT INTO audit (at, person_id, actor, event, ip, user_agent, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [to_iso(now), person_id, origin.actor, event, origin.ip,
         (origin.user_agent or "")[:300] or None,
         json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None],
    )


def events(db: Database, person_id: int, limit: int | None = None) -> list[dict]:
    """A person's audit trail, oldest first (the newest `limit` events if given)."""
    rows = list(db.query(
        "SELECT at, actor, event, ip, user_agent, detail FROM audit WHERE person_id = ?"
        " ORDER BY id DESC" + (" LIMIT ?" if limit else ""),
        [person_id, limit] if limit else [person_id]))
    return list(reversed(rows))
