"""Where people stand, counted: by status, by step reached (where they get stuck), by
service. Read-only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from wizard.activation import enrolment, sesames
from wizard.activation.steps import ORDER, Step
from wizard.activation.tokens import Purpose
from wizard.clock import to_iso

STATUSES = ("pending", "active", "locked", "disabled")

# Before the wizard: why a pending person has not started.
NOT_STARTED = ("jamais-invite", "invitation-valable", "invitation-expiree")
NOT_STARTED_LABELS = {
    "jamais-invite": "pas commencé\u00a0: ni lien ni sésame reçu",
    "invitation-valable": "pas commencé\u00a0: lien ou sésame encore valable",
    "invitation-expiree": "pas commencé\u00a0: lien ou sésame expiré",
}

NO_SERVICE = "(sans service)"


@dataclass
class Report:
    """The counts of one moment."""

    total: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_step: Counter = field(default_factory=Counter)
    by_service: dict[str, Counter] = field(default_factory=dict)

    def steps_in_order(self) -> list[tuple[str, int]]:
        """Steps reached by pending people, first to last, then `termine` for the active."""
        order = [*NOT_STARTED, *(step.value for step in ORDER)]
        known = [(name, self.by_step[name]) for name in order if self.by_step[name]]
        others = sorted((name, n) for name, n in self.by_step.items() if name not in order)
        return known + others


def build(db: Database, now: datetime) -> Report:
    """Count everyone; a pending person's step is derived from their enrolment's facts."""
    report = Report()
    live_links = {row["person_id"] for row in db.query(
        "SELECT DISTINCT person_id FROM tokens WHERE purpose = ? AND used_at IS NULL"
        " AND revoked_at IS NULL AND expires_at > ?", [str(Purpose.ACTIVATION), to_iso(now)])}
    ever_linked = {row["person_id"] for row in db.query(
        "SELECT DISTINCT person_id FROM tokens WHERE purpose = ?", [str(Purpose.ACTIVATION)])}
    enrolments = {row["person_id"]: row["id"] for row in db.query(
        "SELECT id, person_id FROM enrolments")}
    for person in db.query("SELECT * FROM people"):
        report.total += 1
        status = person["status"]
        report.by_status[status] += 1
        service = person["service"] or NO_SERVICE
        report.by_service.setdefault(service, Counter())[status] += 1
        if status == "active":
            report.by_step[Step.DONE.value] += 1
        elif status == "pending":
            report.by_step[_pending_step(db, person, now, enrolments, live_links,
                                         ever_linked)] += 1
    return report


def _pending_step(db: Database, person: dict, now: datetime, enrolments: dict[int, int],
                  live_links: set[int], ever_linked: set[int]) -> str:
    enrolment_id = enrolments.get(person["id"])
    if enrolment_id is not None:
        loaded = enrolment.load(db, enrolment_id)
        if loaded is not None:
            return loaded.progress.current.value
    if person["id"] in live_links or sesames.is_live(person, now):
        return "invitation-valable"
    if person["id"] in ever_linked or person["sesame_issued_at"]:
        return "invitation-expiree"
    return "jamais-invite"
