"""The wizard's state machine: the current step is derived from recorded facts, never stored.

A person may revisit any step up to the current one; a step further on is not reachable.
Recording a fact is the services' business (enrolment.py); this module only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Step(Enum):
    """The wizard's steps in order. MAIL_VERIFICATION is part of the mail step."""

    CHARTER = "charte"
    DIRECTORY = "annuaire"
    MAIL = "messagerie"
    MAIL_VERIFICATION = "verification"
    PASSWORD = "mot-de-passe"
    DONE = "termine"

    @property
    def index(self) -> int:
        """Position in the flow, 0 for the first step."""
        return ORDER.index(self)


ORDER: list[Step] = list(Step)


@dataclass(frozen=True)
class Facts:
    """What an enrolment has recorded so far, as the state machine needs it."""

    charter_accepted: bool = False
    directory_answered: bool = False
    mail_answered: bool = False
    forwarding_needs_verification: bool = False
    completed: bool = False

    @classmethod
    def from_row(cls, row: dict) -> Facts:
        """Read the facts from an `enrolments` row."""
        return cls(
            charter_accepted=row["charter_accepted_at"] is not None,
            directory_answered=row["directory_listed"] is not None,
            mail_answered=row["mail_answered_at"] is not None,
            forwarding_needs_verification=(
                row["forward_to"] is not None and row["forward_verified_at"] is None
            ),
            completed=row["completed_at"] is not None,
        )


@dataclass(frozen=True)
class Progress:
    """Where an enrolment stands: its current step, and what may be visited."""

    facts: Facts

    @property
    def current(self) -> Step:
        """The first step whose fact is missing."""
        facts = self.facts
        if facts.completed:
            return Step.DONE
        if not facts.charter_accepted:
            return Step.CHARTER
        if not facts.directory_answered:
            return Step.DIRECTORY
        if not facts.mail_answered:
            return Step.MAIL
        if facts.forwarding_needs_verification:
            return Step.MAIL_VERIFICATION
        return Step.PASSWORD

    def may_visit(self, step: Step) -> bool:
        """Whether `step` may be shown: any step up to the current one, nothing after.

        Once completed, only the done page remains. The verification page exists only
        while a forwarding address waits for verification.
        """
        current = self.current
        if current is Step.DONE:
            return step is Step.DONE
        if step is Step.MAIL_VERIFICATION:
            return current is Step.MAIL_VERIFICATION
        return step.index <= current.index

    def is_finished(self, step: Step) -> bool:
        """Whether the step's fact is recorded (the progress bar marks it done)."""
        return step.index < self.current.index and step is not Step.MAIL_VERIFICATION
