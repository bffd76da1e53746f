"""Stage machine, documents per stage, and the published clocks."""

from __future__ import annotations

from datetime import date

import pytest

from linli.core.workdays import WorkCalendar
from linli.elevator.stages import (
    DOCUMENT_LABELS,
    Clock,
    ProjectDates,
    Stage,
    StageError,
    add_months,
    allowed_next,
    clocks,
    missing_documents,
    required_documents,
    transition_problems,
)


def by_name(found: list[Clock]) -> dict[str, Clock]:
    return {clock.name: clock for clock in found}


def test_twelve_stages_in_the_published_order() -> None:
    assert [stage.value for stage in Stage] == list(range(12))
    assert Stage.PLANNING_NOTICE.label == "规划设计方案公示"
    assert Stage.OPERATION.label == "运行维护"


def test_allowed_next_goes_forward_or_back_to_the_intent_survey_before_works() -> None:
    assert allowed_next(Stage.ORGANISE) == (Stage.INTENT_SURVEY,)
    assert allowed_next(Stage.CONSULTATION) == (Stage.RESULT_NOTICE, Stage.INTENT_SURVEY)
    assert allowed_next(Stage.PLANNING_NOTICE) == (Stage.SAFETY_REVIEW, Stage.INTENT_SURVEY)
    assert allowed_next(Stage.WORKS_START) == (Stage.INSTALLATION,)
    assert allowed_next(Stage.OPERATION) == ()


def test_every_required_document_has_a_chinese_label() -> None:
    for stage in Stage:
        for kind in required_documents(stage, works_cost_fen=0):
            assert kind in DOCUMENT_LABELS


def test_works_need_a_filing_under_one_million_and_a_permit_from_one_million() -> None:
    assert required_documents(Stage.WORKS_START, works_cost_fen=99_999_999) == ("works_filing",)
    permit = required_documents(Stage.WORKS_START, works_cost_fen=100_000_000)
    assert permit == ("construction_permit",)
    with pytest.raises(StageError, match="works_cost_fen"):
        required_documents(Stage.WORKS_START)
    with pytest.raises(StageError) as caught:
        required_documents(Stage.WORKS_START, works_cost_fen=-1)
    assert (caught.value.field, caught.value.message) == ("works_cost_fen", "must not be negative")


def test_moving_forward_needs_the_stage_documents_and_a_passed_consultation() -> None:
    documents = ["consultation_ballots", "retrofit_agreement"]
    assert missing_documents(Stage.CONSULTATION, documents) == ("cost_sharing_table",)
    problems = transition_problems(Stage.CONSULTATION, Stage.RESULT_NOTICE, documents)
    assert problems == ("missing document: cost_sharing_table", "the consultation has not passed")
    documents.append("cost_sharing_table")
    assert (
        transition_problems(
            Stage.CONSULTATION, Stage.RESULT_NOTICE, documents, consultation_passed=True
        )
        == ()
    )
    # going back to rework the plan needs nothing
    assert transition_problems(Stage.CONSULTATION, Stage.INTENT_SURVEY, []) == ()
    assert transition_problems(Stage.ORGANISE, Stage.CONSULTATION, []) == (
        "stage 0 cannot move to stage 2",
    )


def test_planning_notice_runs_ten_days_then_seven_days_for_written_feedback() -> None:
    dates = ProjectDates(planning_notice_start=date(2024, 3, 1))
    found = by_name(clocks(dates, today=date(2024, 3, 5)))
    # the posting day is not counted (Civil Code art. 201)
    assert found["planning_notice"].due == date(2024, 3, 11)
    assert found["planning_feedback"].due == date(2024, 3, 18)
    assert found["planning_notice"].status == "due_soon"
    assert found["planning_feedback"].status == "ok"
    assert found["planning_notice"].kind == "period"

    after = by_name(clocks(dates, today=date(2024, 3, 12)))
    assert after["planning_notice"].status == "done"
    assert after["planning_feedback"].status == "due_soon"
    assert by_name(clocks(dates, today=date(2024, 3, 19)))["planning_feedback"].status == "done"


def test_feedback_window_ending_on_a_day_off_moves_to_the_next_working_day() -> None:
    # 2024-03-02 + 17 = Tuesday 19 March; with 19 March a holiday it ends on Wednesday 20 March
    dates = ProjectDates(planning_notice_start=date(2024, 3, 2))
    plain = by_name(clocks(dates, today=date(2024, 3, 2)))["planning_feedback"]
    assert plain.due == date(2024, 3, 19)
    holiday = WorkCalendar.of(holidays=[date(2024, 3, 19)])
    moved = by_name(clocks(dates, today=date(2024, 3, 2), calendar=holiday))
    assert moved["planning_feedback"].due == date(2024, 3, 20)


def test_use_registration_within_thirty_days_of_entering_service() -> None:
    dates = ProjectDates(entered_service=date(2024, 5, 1))
    registration = by_name(clocks(dates, today=date(2024, 5, 10)))["use_registration"]
    assert registration.due == date(2024, 5, 31)
    assert (registration.status, registration.days_left) == ("ok", 21)
    assert by_name(clocks(dates, date(2024, 5, 25)))["use_registration"].status == "due_soon"
    assert by_name(clocks(dates, date(2024, 6, 1)))["use_registration"].status == "overdue"
    registered = ProjectDates(entered_service=date(2024, 5, 1), use_registered=date(2024, 5, 20))
    done = by_name(clocks(registered, date(2024, 6, 1)))["use_registration"]
    assert (done.status, done.done_on) == ("done", date(2024, 5, 20))


def test_maintenance_at_least_every_fifteen_days() -> None:
    dates = ProjectDates(entered_service=date(2024, 5, 1), last_maintenance=date(2024, 6, 3))
    maintenance = by_name(clocks(dates, date(2024, 6, 10)))["maintenance"]
    assert (maintenance.due, maintenance.status) == (date(2024, 6, 18), "ok")
    assert by_name(clocks(dates, date(2024, 6, 15)))["maintenance"].status == "due_soon"
    assert by_name(clocks(dates, date(2024, 6, 19)))["maintenance"].status == "overdue"
    first = by_name(clocks(ProjectDates(entered_service=date(2024, 5, 1)), date(2024, 5, 2)))
    assert first["maintenance"].due == date(2024, 5, 16)


def test_yearly_inspection_requested_one_month_before_expiry() -> None:
    dates = ProjectDates(entered_service=date(2024, 5, 1), last_inspection=date(2024, 4, 20))
    found = by_name(clocks(dates, date(2025, 3, 1)))
    assert found["inspection"].due == date(2025, 4, 20)
    assert found["inspection_request"].due == date(2025, 3, 20)
    assert found["inspection_request"].status == "ok"
    late = by_name(clocks(dates, date(2025, 3, 21)))
    assert late["inspection_request"].status == "overdue"
    assert late["inspection"].status == "ok"
    requested = ProjectDates(
        last_inspection=date(2024, 4, 20), inspection_requested=date(2025, 3, 10)
    )
    assert by_name(clocks(requested, date(2025, 3, 21)))["inspection_request"].status == "done"
    stale = ProjectDates(last_inspection=date(2024, 4, 20), inspection_requested=date(2024, 3, 1))
    assert by_name(clocks(stale, date(2025, 3, 21)))["inspection_request"].status == "overdue"


def test_certificate_date_overrides_the_one_year_rule_and_months_clamp() -> None:
    dates = ProjectDates(last_inspection=date(2024, 1, 5), inspection_due=date(2025, 3, 31))
    found = by_name(clocks(dates, date(2025, 1, 1)))
    assert found["inspection"].due == date(2025, 3, 31)
    assert found["inspection_request"].due == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_clocks_are_sorted_soonest_first_and_only_started_ones_show() -> None:
    assert clocks(ProjectDates(), date(2024, 1, 1)) == []
    dates = ProjectDates(
        planning_notice_start=date(2024, 1, 1),
        entered_service=date(2024, 6, 1),
        last_inspection=date(2024, 5, 20),
    )
    found = clocks(dates, date(2024, 6, 5))
    assert [clock.due for clock in found] == sorted(clock.due for clock in found)
    assert {clock.name for clock in found} == {
        "planning_notice",
        "planning_feedback",
        "use_registration",
        "maintenance",
        "inspection_request",
        "inspection",
    }


def test_due_soon_window_can_be_set_per_clock() -> None:
    dates = ProjectDates(entered_service=date(2024, 5, 1))
    found = by_name(clocks(dates, date(2024, 5, 10), due_soon={"use_registration": 30}))
    assert found["use_registration"].status == "due_soon"
