"""The state machine: the current step is derived from the recorded facts."""

import pytest

from wizard.activation.steps import ORDER, Facts, Progress, Step

NOTHING = Facts()
CHARTER = Facts(charter_accepted=True)
DIRECTORY = Facts(charter_accepted=True, directory_answered=True)
MAIL = Facts(charter_accepted=True, directory_answered=True, mail_answered=True)
WAITING = Facts(charter_accepted=True, directory_answered=True, mail_answered=True,
                forwarding_needs_verification=True)
COMPLETED = Facts(charter_accepted=True, directory_answered=True, mail_answered=True,
                  completed=True)

# The sésame path: HR had no personal address, so a recovery address comes first.
SESAME = Facts(charter_accepted=True, directory_answered=True, needs_recovery=True)
SESAME_WAITING = Facts(charter_accepted=True, directory_answered=True, needs_recovery=True,
                       recovery_answered=True, recovery_needs_verification=True)
SESAME_RECOVERED = Facts(charter_accepted=True, directory_answered=True, needs_recovery=True,
                         recovery_answered=True)
SESAME_MAIL = Facts(charter_accepted=True, directory_answered=True, needs_recovery=True,
                    recovery_answered=True, mail_answered=True)


@pytest.mark.parametrize(("facts", "current"), [
    (NOTHING, Step.CHARTER),
    (CHARTER, Step.DIRECTORY),
    (DIRECTORY, Step.MAIL),
    (MAIL, Step.PASSWORD),
    (WAITING, Step.MAIL_VERIFICATION),
    (COMPLETED, Step.DONE),
    (SESAME, Step.RECOVERY),
    (SESAME_WAITING, Step.RECOVERY_VERIFICATION),
    (SESAME_RECOVERED, Step.MAIL),
    (SESAME_MAIL, Step.PASSWORD),
    # Recovery facts do not matter on the link path.
    (Facts(charter_accepted=True, directory_answered=True, recovery_answered=True,
           recovery_needs_verification=True), Step.MAIL),
    # The first missing fact wins, whatever was recorded after it.
    (Facts(directory_answered=True, mail_answered=True), Step.CHARTER),
    (Facts(charter_accepted=True, mail_answered=True), Step.DIRECTORY),
    (Facts(charter_accepted=True, directory_answered=True,
           forwarding_needs_verification=True), Step.MAIL),
    # Completion ends the flow even if a later change reopened a fact.
    (Facts(completed=True), Step.DONE),
    (Facts(charter_accepted=True, directory_answered=True, mail_answered=True,
           forwarding_needs_verification=True, completed=True), Step.DONE),
])
def test_current_step_is_the_first_missing_fact(facts, current):
    assert Progress(facts).current is current


@pytest.mark.parametrize(("facts", "visitable"), [
    (NOTHING, {Step.CHARTER}),
    (CHARTER, {Step.CHARTER, Step.DIRECTORY}),
    (DIRECTORY, {Step.CHARTER, Step.DIRECTORY, Step.MAIL}),
    (WAITING, {Step.CHARTER, Step.DIRECTORY, Step.MAIL, Step.MAIL_VERIFICATION}),
    (MAIL, {Step.CHARTER, Step.DIRECTORY, Step.MAIL, Step.PASSWORD}),
    (COMPLETED, {Step.DONE}),
    (SESAME, {Step.CHARTER, Step.DIRECTORY, Step.RECOVERY}),
    (SESAME_WAITING, {Step.CHARTER, Step.DIRECTORY, Step.RECOVERY,
                      Step.RECOVERY_VERIFICATION}),
    (SESAME_RECOVERED, {Step.CHARTER, Step.DIRECTORY, Step.RECOVERY, Step.MAIL}),
    (SESAME_MAIL, {Step.CHARTER, Step.DIRECTORY, Step.RECOVERY, Step.MAIL, Step.PASSWORD}),
])
@pytest.mark.parametrize("step", ORDER, ids=lambda step: step.value)
def test_may_visit_up_to_the_current_step_only(facts, visitable, step):
    assert Progress(facts).may_visit(step) is (step in visitable)


@pytest.mark.parametrize(("facts", "finished"), [
    (NOTHING, set()),
    (CHARTER, {Step.CHARTER}),
    (WAITING, {Step.CHARTER, Step.DIRECTORY, Step.MAIL}),
    (MAIL, {Step.CHARTER, Step.DIRECTORY, Step.MAIL}),
    (COMPLETED, {Step.CHARTER, Step.DIRECTORY, Step.MAIL, Step.PASSWORD}),
    (SESAME_WAITING, {Step.CHARTER, Step.DIRECTORY, Step.RECOVERY}),
    (SESAME_MAIL, {Step.CHARTER, Step.DIRECTORY, Step.RECOVERY, Step.MAIL}),
])
@pytest.mark.parametrize("step", ORDER, ids=lambda step: step.value)
def test_finished_steps_are_those_before_the_current_one(facts, finished, step):
    assert Progress(facts).is_finished(step) is (step in finished)


def test_steps_are_in_flow_order():
    assert [step.index for step in ORDER] == list(range(len(ORDER)))
    assert ORDER[0] is Step.BIRTH_DATE and ORDER[-1] is Step.DONE


def test_birth_date_comes_first_only_where_asked():
    asked = Progress(Facts(needs_birth_date=True))
    assert asked.current is Step.BIRTH_DATE
    assert not asked.may_visit(Step.CHARTER)
    checked = Progress(Facts(needs_birth_date=True, birth_date_checked=True))
    assert checked.current is Step.CHARTER and checked.may_visit(Step.BIRTH_DATE)
    assert not Progress(Facts()).may_visit(Step.BIRTH_DATE)
    assert Step.BIRTH_DATE not in Progress(Facts()).visible_steps


def _row(**columns):
    row = {"charter_accepted_at": None, "directory_listed": None, "mail_answered_at": None,
           "forward_to": None, "forward_verified_at": None, "completed_at": None}
    row.update(columns)
    return row


T = "2026-11-25T10:00:00.000000Z"


@pytest.mark.parametrize(("row", "facts"), [
    (_row(), NOTHING),
    (_row(charter_accepted_at=T), CHARTER),
    (_row(charter_accepted_at=T, directory_listed=0), DIRECTORY),
    (_row(charter_accepted_at=T, directory_listed=1, mail_answered_at=T), MAIL),
    (_row(charter_accepted_at=T, directory_listed=1, mail_answered_at=T,
          forward_to="a@exemple.org"), WAITING),
    (_row(charter_accepted_at=T, directory_listed=1, mail_answered_at=T,
          forward_to="a@exemple.org", forward_verified_at=T), MAIL),
    (_row(charter_accepted_at=T, directory_listed=0, mail_answered_at=T, completed_at=T),
     COMPLETED),
])
def test_facts_are_read_from_an_enrolment_row(row, facts):
    assert Facts.from_row(row) == facts


def test_facts_read_the_recovery_address_on_the_sesame_path():
    row = _row(charter_accepted_at=T, directory_listed=1,
               recovery_address="secours@exemple.org", recovery_verified_at=None)
    assert Facts.from_row(row, needs_recovery=True) == SESAME_WAITING
    row["recovery_verified_at"] = T
    assert Facts.from_row(row, needs_recovery=True) == SESAME_RECOVERED


def test_progress_indicator_lists_the_steps_of_the_path():
    assert Progress(MAIL).visible_steps == [Step.CHARTER, Step.DIRECTORY, Step.MAIL,
                                            Step.PASSWORD, Step.DONE]
    assert Progress(SESAME).visible_steps == [Step.CHARTER, Step.DIRECTORY, Step.RECOVERY,
                                              Step.MAIL, Step.PASSWORD, Step.DONE]


def test_waiting_page_takes_the_position_of_its_step():
    assert Progress(WAITING).position(Step.MAIL_VERIFICATION) == 3
    assert Progress(SESAME_WAITING).position(Step.RECOVERY_VERIFICATION) == 3
    assert Progress(SESAME_WAITING).position(Step.MAIL) == 4


def test_liste_rouge_counts_as_an_answer():
    facts = Facts.from_row(_row(charter_accepted_at=T, directory_listed=0))
    assert facts.directory_answered
