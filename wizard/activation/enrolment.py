"""An enrolment: the facts a person has recorded so far, read as typed values.

The services that record each fact live beside this module, one topic each:
`first_login` (« 1ère connexion », activation links), `identity_proof` (link or sésame,
date of birth), `answers` (charter, directory, mail, recovery address), `verification`
(addresses proven by link or code) and `completion` (the password, the account). Every
service re-checks its guard inside its transaction, so two tabs or a double click cannot
record a fact out of order or activate twice; mails are queued to the outbox in the same
transaction as the change that causes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from wizard.activation import people
from wizard.activation.people import Person
from wizard.activation.steps import Facts, Progress, Step
from wizard.activation.tokens import Purpose
from wizard.clock import from_iso, to_iso


class StepRefused(Exception):
    """A fact was posted for a step the enrolment may not record now."""

    def __init__(self, current: Step):
        super().__init__(f"current step is {current.value}")
        self.current = current


@dataclass(frozen=True)
class Verified:
    """One kind of address that must be verified: where it is stored, and its step."""

    purpose: Purpose
    address_column: str
    verified_column: str
    waiting_step: Step
    mail_kind: str


FORWARDING = Verified(Purpose.VERIFY_ADDRESS, "forward_to", "forward_verified_at",
                      Step.MAIL_VERIFICATION, "verification")
RECOVERY = Verified(Purpose.VERIFY_RECOVERY, "recovery_address", "recovery_verified_at",
                    Step.RECOVERY_VERIFICATION, "verification_recovery")
BY_PURPOSE = {kind.purpose: kind for kind in (FORWARDING, RECOVERY)}


@dataclass(frozen=True)
class Enrolment:
    """An enrolment's recorded facts, its person and where it stands."""

    id: int
    person: Person
    row: dict

    @property
    def progress(self) -> Progress:
        """The derived position in the flow."""
        return Progress(Facts.from_row(self.row, needs_recovery=self.needs_recovery))

    @property
    def needs_recovery(self) -> bool:
        """The sésame path asks for a recovery address when HR had no personal address.

        Once answered the step stays on the path, even after completion made the recovery
        address the personal one: the done page counts the steps the person went through.
        """
        return self.row["method"] == "sesame" and (
            not self.person.personal_email or self.row["recovery_address"] is not None)

    @property
    def recovery_address(self) -> str | None:
        """The recovery address given on the sésame path (empty: declined), if any."""
        return self.row["recovery_address"]

    @property
    def proven_personal_address(self) -> str | None:
        """The one personal address the person has shown they own, for the directory: the
        recovery address verified on the sésame path, else HR's address the link went to."""
        if self.row["recovery_address"] and self.row["recovery_verified_at"]:
            return self.row["recovery_address"]
        return self.person.personal_email if self.row["method"] == "link" else None

    def proven_addresses(self) -> set[str]:
        """Addresses the person has shown they own: forwarding there needs no verification."""
        proven = set()
        if self.person.personal_email and self.row["method"] == "link":
            proven.add(self.person.personal_email)
        if self.row["recovery_address"] and self.row["recovery_verified_at"]:
            proven.add(self.row["recovery_address"])
        return proven

    @property
    def forward_to(self) -> str | None:
        """The forwarding address chosen, if any."""
        return self.row["forward_to"]

    @property
    def keep_copy(self) -> bool:
        """Whether a copy stays in the institutional mailbox (default yes)."""
        return self.row["keep_copy"] is None or bool(self.row["keep_copy"])

    @property
    def listed(self) -> bool | None:
        """The directory answer: True to appear, False for liste rouge, None if unanswered."""
        value = self.row["directory_listed"]
        return None if value is None else bool(value)

    @property
    def method(self) -> str:
        """How the person proved who they are: "link" or "sesame"."""
        return self.row["method"]

    @property
    def charter_accepted(self) -> bool:
        """Whether the charter was accepted."""
        return self.row["charter_accepted_at"] is not None

    @property
    def completed_at(self) -> datetime | None:
        """When the account was activated, if it was."""
        value = self.row["completed_at"]
        return from_iso(value) if value else None

    def pending_address(self, kind: Verified) -> str | None:
        """The address of `kind` (forwarding or recovery) as chosen, verified or not."""
        return self.row[kind.address_column]

    def is_verified(self, kind: Verified) -> bool:
        """Whether the address of `kind` was proven."""
        return self.row[kind.verified_column] is not None


def load(db: Database, enrolment_id: int) -> Enrolment | None:
    """Read an enrolment with its person."""
    rows = list(db.query("SELECT * FROM enrolments WHERE id = ?", [enrolment_id]))
    if not rows:
        return None
    person = people.get(db, rows[0]["person_id"])
    if person is None:
        return None
    return Enrolment(id=enrolment_id, person=person, row=rows[0])


def require(db: Database, enrolment_id: int, *allowed: Step) -> Enrolment:
    """The enrolment, if it may record a fact for one of `allowed` now (else StepRefused)."""
    enrolment = load(db, enrolment_id)
    if enrolment is None:
        raise LookupError(enrolment_id)
    progress = enrolment.progress
    if not any(progress.may_visit(step) for step in allowed):
        raise StepRefused(progress.current)
    return enrolment


def touch(db: Database, enrolment_id: int, now: datetime, **columns: object) -> None:
    """Write `columns` of the enrolment and its last change time (inside a transaction)."""
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.execute(
        f"UPDATE enrolments SET {assignments}, updated_at = ? WHERE id = ?",
        [*columns.values(), to_iso(now), enrolment_id],
    )
