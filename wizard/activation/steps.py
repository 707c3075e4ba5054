"""The wizard's state machine: the current step is derived from recorded facts, never stored.

A person may revisit any step up to the current one; a step further on is not reachable.
Recording a fact is the services' business (answers.py, verification.py…); this module
only reads them. `LABELS` names the steps for everyone: the pages (translated), the CLI
and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Step(Enum):
    """The wizard's steps in order.

    BIRTH_DATE exists only where the institution asks it (off by default). RECOVERY
    exists only on the sésame path (HR had no personal address). The two
    *_VERIFICATION steps are the waiting pages of the step before them.
    """

    BIRTH_DATE = "date-de-naissance"
    CHARTER = "charte"
    DIRECTORY = "annuaire"
    RECOVERY = "adresse-de-secours"
    RECOVERY_VERIFICATION = "verification-secours"
    MAIL = "messagerie"
    MAIL_VERIFICATION = "verification"
    PASSWORD = "mot-de-passe"
    DONE = "termine"

    @property
    def index(self) -> int:
        """Position in the flow, 0 for the first step."""
        return ORDER.index(self)


ORDER: list[Step] = list(Step)
WAITING_PAGES = {Step.RECOVERY_VERIFICATION: Step.RECOVERY,
                 Step.MAIL_VERIFICATION: Step.MAIL}


def N_(text: str) -> str:  # noqa: N802 (gettext's name for "translated later")
    """Mark `text` for the catalogs (babel.cfg's keyword); the web layer translates it."""
    return text


# The steps' names, in French: the progress indicator, the page titles, `wizard status`
# and the reports all say them so.
LABELS: dict[Step, str] = {
    Step.BIRTH_DATE: N_("Date de naissance"),
    Step.CHARTER: N_("Charte"),
    Step.DIRECTORY: N_("Annuaire"),
    Step.RECOVERY: N_("Adresse de secours"),
    Step.RECOVERY_VERIFICATION: N_("Vérification de l'adresse de secours"),
    Step.MAIL: N_("Messagerie"),
    Step.MAIL_VERIFICATION: N_("Vérification de l'adresse de redirection"),
    Step.PASSWORD: N_("Mot de passe"),
    Step.DONE: N_("Terminé"),
}


@dataclass(frozen=True)
class Facts:
    """What an enrolment has recorded so far, as the state machine needs it."""

    needs_birth_date: bool = False
    birth_date_checked: bool = False
    charter_accepted: bool = False
    directory_answered: bool = False
    needs_recovery: bool = False
    recovery_answered: bool = False
    recovery_needs_verification: bool = False
    mail_answered: bool = False
    forwarding_needs_verification: bool = False
    completed: bool = False

    @classmethod
    def from_row(cls, row: dict, *, needs_recovery: bool = False) -> Facts:
        """Read the facts from an `enrolments` row; `needs_recovery` comes from the path."""
        return cls(
            needs_birth_date=bool(row.get("birth_date_required")),
            birth_date_checked=row.get("birth_date_checked_at") is not None,
            charter_accepted=row["charter_accepted_at"] is not None,
            directory_answered=row["directory_listed"] is not None,
            needs_recovery=needs_recovery,
            recovery_answered=row.get("recovery_address") is not None,
            # An empty address is a declined one (where not required): nothing to verify.
            recovery_needs_verification=(
                bool(row.get("recovery_address"))
                and row.get("recovery_verified_at") is None
            ),
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
        if facts.needs_birth_date and not facts.birth_date_checked:
            return Step.BIRTH_DATE
        if not facts.charter_accepted:
            return Step.CHARTER
        if not facts.directory_answered:
            return Step.DIRECTORY
        if facts.needs_recovery and not facts.recovery_answered:
            return Step.RECOVERY
        if facts.needs_recovery and facts.recovery_needs_verification:
            return Step.RECOVERY_VERIFICATION
        if not facts.mail_answered:
            return Step.MAIL
        if facts.forwarding_needs_verification:
            return Step.MAIL_VERIFICATION
        return Step.PASSWORD

    def applies(self, step: Step) -> bool:
        """Whether the step is part of this enrolment's path at all."""
        if step in (Step.RECOVERY, Step.RECOVERY_VERIFICATION):
            return self.facts.needs_recovery
        if step is Step.BIRTH_DATE:
            return self.facts.needs_birth_date
        return True

    def may_visit(self, step: Step) -> bool:
        """Whether `step` may be shown: any step up to the current one, nothing after.

        Once completed, only the done page remains. A waiting page exists only while its
        address waits for verification.
        """
        current = self.current
        if current is Step.DONE:
            return step is Step.DONE
        if not self.applies(step):
            return False
        if step in WAITING_PAGES:
            return current is step
        return step.index <= current.index

    def is_finished(self, step: Step) -> bool:
        """Whether the step's fact is recorded (the progress bar marks it done)."""
        return (step.index < self.current.index and step not in WAITING_PAGES
                and self.applies(step))

    @property
    def visible_steps(self) -> list[Step]:
        """The steps the progress indicator lists, in order, for this path."""
        return [step for step in ORDER if step not in WAITING_PAGES and self.applies(step)]

    def position(self, step: Step) -> int:
        """1-based position of a step (a waiting page counts as its step) in the indicator."""
        return self.visible_steps.index(WAITING_PAGES.get(step, step)) + 1
