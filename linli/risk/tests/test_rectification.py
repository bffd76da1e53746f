"""Tests of the hazard-case rules: transitions, deadlines, escalation, sign-off, figures."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from fractions import Fraction
from importlib import resources
from typing import Any

import pytest

from linli.core.workdays import WorkCalendar
from linli.risk.rectification import (
    FIVE_IMPLEMENTATIONS,
    Action,
    CaseRecord,
    CaseState,
    EscalationLevel,
    TransitionError,
    add_months,
    allowed_transitions,
    default_deadlines,
    escalation_level,
    figures,
    is_overdue,
    missing_plan_items,
    reinspection_due,
    required_signoffs,
    transition,
)
from linli.risk.rules import load_method

# An illustrative National Day calendar (not the official 2026 schedule): 1-7 October off,
# Saturday 10 October worked.
NATIONAL_DAY = WorkCalendar.of(
    holidays=[date(2026, 10, d) for d in range(1, 8)],
    extra_workdays=[date(2026, 10, 10)],
)
PLAN = dict.fromkeys(FIVE_IMPLEMENTATIONS, "x")
S = CaseState
A = Action


# --------------------------------------------------------------------------- transitions


def test_allowed_transitions() -> None:
    assert dict(allowed_transitions("found")) == {A.GRADE: S.GRADED}
    assert dict(allowed_transitions(S.REINSPECTION_REQUESTED)) == {
        A.APPROVE: S.CLOSED,
        A.REJECT: S.IN_PROGRESS,
    }
    assert dict(allowed_transitions(S.CLOSED)) == {}


def test_full_cycle_of_a_c_case_with_one_rejection() -> None:
    state = transition(S.FOUND, A.GRADE, grade="C")
    state = transition(state, A.ASSIGN, grade="C", responsible="物业")
    state = transition(state, A.START, grade="C")
    state = transition(state, A.REQUEST_REINSPECTION, evidence_photos=2)
    state = transition(state, A.REJECT, reason="堆物未清完")
    assert state is S.IN_PROGRESS
    state = transition(state, A.REQUEST_REINSPECTION, evidence_photos=1)
    assert transition(state, A.APPROVE, grade="C") is S.CLOSED


def test_wrong_action_names_the_allowed_ones() -> None:
    with pytest.raises(TransitionError) as info:
        transition(S.IN_PROGRESS, A.APPROVE, grade="C")
    assert str(info.value) == (
        "cannot approve a case in state in_progress (allowed: request_reinspection, defer)"
    )
    with pytest.raises(TransitionError, match="none, the case is closed"):
        transition(S.CLOSED, A.REJECT, reason="x")
    with pytest.raises(TransitionError, match="unknown action 'fix'"):
        transition(S.FOUND, "fix")
    with pytest.raises(TransitionError, match="unknown case state 'lost'"):
        transition("lost", A.GRADE, grade="A")


@pytest.mark.parametrize(
    ("state", "action", "kwargs", "message"),
    [
        (S.FOUND, A.GRADE, {"grade": "E"}, "grade must be one of A, B, C, D"),
        (S.GRADED, A.ASSIGN, {"grade": "C"}, "a responsible party is required"),
        (
            S.GRADED,
            A.ASSIGN,
            {"grade": "B", "responsible": "物业"},
            "a grade B case needs an interim",
        ),
        (
            S.GRADED,
            A.ASSIGN,
            {"grade": "A", "responsible": "物业"},
            "a grade A case needs an interim",
        ),
        (S.ASSIGNED, A.START, {"grade": "A"}, "needs a plan naming measures, funding, deadline"),
        (
            S.ASSIGNED,
            A.START,
            {"grade": "A", "plan": {**PLAN, "funding": " "}},
            "needs a plan naming funding",
        ),
        (S.IN_PROGRESS, A.REQUEST_REINSPECTION, {}, "at least one evidence photo"),
        (
            S.REINSPECTION_REQUESTED,
            A.APPROVE,
            {"grade": "B"},
            "needs sign-off by committee, street",
        ),
        (
            S.REINSPECTION_REQUESTED,
            A.APPROVE,
            {"grade": "A", "signoffs": ["committee"]},
            "needs sign-off by street",
        ),
        (S.REINSPECTION_REQUESTED, A.REJECT, {"reason": ""}, "a reason is required"),
        (S.IN_PROGRESS, A.DEFER, {}, "an interim control measure is required"),
        (
            S.IN_PROGRESS,
            A.DEFER,
            {"interim_control": "限流", "today": date(2026, 5, 1)},
            "defer: a review date and today's date are required",
        ),
        (
            S.IN_PROGRESS,
            A.DEFER,
            {"interim_control": "限流", "review_on": date(2026, 5, 2)},
            "defer: a review date and today's date are required",
        ),
        (
            S.GRADED,
            A.CLOSE_ON_SPOT,
            {"grade": "C", "today": date(2026, 5, 1)},
            "close_on_spot: the found date and today's date are required",
        ),
        (
            S.GRADED,
            A.CLOSE_ON_SPOT,
            {"grade": "C", "found_on": date(2026, 5, 1)},
            "close_on_spot: the found date and today's date are required",
        ),
        (
            S.IN_PROGRESS,
            A.DEFER,
            {"interim_control": "限流", "review_on": date(2026, 5, 1), "today": date(2026, 5, 1)},
            "the review date must be after today",
        ),
        (
            S.GRADED,
            A.CLOSE_ON_SPOT,
            {"grade": "C", "found_on": date(2026, 5, 1), "today": date(2026, 5, 2)},
            "only possible on the day the hazard was found",
        ),
        (
            S.GRADED,
            A.CLOSE_ON_SPOT,
            {"grade": "C", "found_on": date(2026, 5, 1), "today": date(2026, 5, 1)},
            "at least one evidence photo",
        ),
    ],
)
def test_transition_requirements(
    state: CaseState, action: Action, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(TransitionError, match=message):
        transition(state, action, **kwargs)


def test_a_and_b_close_with_both_signoffs() -> None:
    for grade in ("A", "B"):
        state = transition(
            S.REINSPECTION_REQUESTED, A.APPROVE, grade=grade, signoffs=["street", "committee"]
        )
        assert state is S.CLOSED
    assert transition(S.ASSIGNED, A.START, grade="A", plan=PLAN) is S.IN_PROGRESS
    assert (
        transition(S.GRADED, A.ASSIGN, grade="B", responsible="物业", interim_measure="警示")
        is S.ASSIGNED
    )


def test_defer_and_resume() -> None:
    state = transition(
        S.ASSIGNED,
        A.DEFER,
        interim_control="加装临时喷淋",
        review_on=date(2026, 9, 1),
        today=date(2026, 6, 1),
    )
    assert state is S.DEFERRED
    assert transition(state, A.RESUME) is S.IN_PROGRESS


def test_close_on_the_spot_same_day() -> None:
    found = date(2026, 9, 26)
    state = transition(
        S.GRADED, A.CLOSE_ON_SPOT, grade="D", found_on=found, today=found, evidence_photos=1
    )
    assert state is S.CLOSED
    with pytest.raises(TransitionError, match="sign-off"):
        transition(
            S.GRADED, A.CLOSE_ON_SPOT, grade="A", found_on=found, today=found, evidence_photos=1
        )


def test_required_signoffs() -> None:
    assert required_signoffs("A") == required_signoffs("B") == {"committee", "street"}
    assert required_signoffs("C") == required_signoffs("D") == frozenset()


def test_missing_plan_items() -> None:
    assert missing_plan_items(PLAN) == ()
    assert missing_plan_items(None) == FIVE_IMPLEMENTATIONS
    assert missing_plan_items({"measures": "更换软管", "deadline": ""}) == (
        "funding",
        "deadline",
        "responsible",
        "emergency_plan",
    )


# --------------------------------------------------------------------------- deadlines


def test_d_deadline_on_a_saturday_moves_to_monday() -> None:
    found = date(2026, 3, 5)  # Thursday; + 30 days = Saturday 4 April
    d = default_deadlines("D", found)
    assert d.rectify_due == date(2026, 4, 6)
    assert (d.interim_due, d.plan_due, d.interim_hours) == (None, None, None)
    qingming = WorkCalendar.of(holidays=[date(2026, 4, 6)])
    assert default_deadlines("D", found, qingming).rectify_due == date(2026, 4, 7)


def test_c_deadline_in_a_holiday_moves_past_it() -> None:
    d = default_deadlines("C", date(2026, 9, 16), NATIONAL_DAY)  # + 15 = 1 October
    assert d.rectify_due == date(2026, 10, 8)
    assert default_deadlines("C", date(2026, 3, 2)).rectify_due == date(2026, 3, 17)


def test_b_deadline_has_interim_measure_within_24_hours() -> None:
    d = default_deadlines("B", date(2026, 9, 30), NATIONAL_DAY)
    assert d.interim_hours == 24
    assert d.interim_due == date(2026, 10, 1)  # interim measures do not wait for holidays
    assert d.rectify_due == date(2026, 10, 8)  # 7 October is a holiday
    assert d.plan_due is None


def test_a_deadline_is_interim_and_plan_the_plan_sets_the_rest() -> None:
    d = default_deadlines("A", date(2026, 9, 24), NATIONAL_DAY)
    assert d.interim_due == date(2026, 9, 25)
    assert d.plan_due == date(2026, 10, 8)  # + 7 = 1 October, a holiday
    assert d.rectify_due is None
    plain = default_deadlines("A", date(2026, 3, 2))
    assert plain.plan_due == date(2026, 3, 9)


def test_on_the_spot_is_the_same_day_even_on_a_weekend() -> None:
    d = default_deadlines("A", date(2026, 9, 26), on_the_spot=True)
    assert d.on_the_spot
    assert d.rectify_due == date(2026, 9, 26)
    assert (d.interim_due, d.plan_due) == (None, None)


def test_deadlines_reject_unknown_grade() -> None:
    with pytest.raises(ValueError, match="grade must be one of"):
        default_deadlines("E", date(2026, 3, 2))


def test_reinspection_due_in_three_working_days() -> None:
    assert reinspection_due(date(2026, 3, 5)) == date(2026, 3, 10)  # Thu -> Fri, Mon, Tue
    assert reinspection_due(date(2026, 9, 29), NATIONAL_DAY) == date(2026, 10, 9)
    assert reinspection_due(date(2026, 10, 8), NATIONAL_DAY) == date(2026, 10, 12)  # Sat worked


def test_deadlines_follow_the_method_data() -> None:
    text = (resources.files("linli.risk") / "methods" / "linli-2026.json").read_text("utf-8")
    data = copy.deepcopy(json.loads(text))
    data["version"] = "test-deadlines"
    data["rectification"]["rectify_days"]["D"] = 20
    data["rectification"]["roll_to_working_day"] = False
    data["rectification"]["reinspection_working_days"] = 5
    method = load_method(data)
    found = date(2026, 3, 5)
    assert default_deadlines("D", found, method=method).rectify_due == found + timedelta(days=20)
    assert reinspection_due(date(2026, 3, 5), method=method) == date(2026, 3, 12)


# --------------------------------------------------------------------------- escalation


@pytest.mark.parametrize(
    ("grade", "overdue", "current", "expected"),
    [
        ("A", 0, "committee", "supervision_list"),
        ("B", 0, "committee", "committee"),
        ("C", 1, "committee", "street_department"),
        ("D", 2, "committee", "supervision_list"),
        ("C", 3, "committee", "supervision_list"),
        ("C", 0, "street_department", "street_department"),  # never lowered
        ("C", 1, "street_department", "street_department"),  # idempotent
        ("C", 1, "supervision_list", "supervision_list"),
    ],
)
def test_escalation_level(grade: str, overdue: int, current: str, expected: str) -> None:
    assert escalation_level(grade, overdue, current) is EscalationLevel(expected)


def test_escalation_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        escalation_level("C", -1)
    with pytest.raises(ValueError, match="grade"):
        escalation_level("X", 0)


def test_is_overdue() -> None:
    due = date(2026, 5, 8)
    assert not is_overdue(due, date(2026, 5, 8))
    assert is_overdue(due, date(2026, 5, 9))
    assert not is_overdue(due, date(2026, 6, 1), closed_on=date(2026, 5, 8))
    assert is_overdue(due, date(2026, 6, 1), closed_on=date(2026, 5, 9))
    assert not is_overdue(None, date(2030, 1, 1))


# --------------------------------------------------------------------------- figures


def case(
    cid: str, key: str, grade: str, found: str, due: str | None, closed: str | None
) -> CaseRecord:
    sample, subunit = key.split("/")
    return CaseRecord(
        id=cid,
        sample=sample,
        subunit=subunit,
        grade=grade,
        found_on=date.fromisoformat(found),
        due_on=date.fromisoformat(due) if due else None,
        closed_on=date.fromisoformat(closed) if closed else None,
    )


def test_figures() -> None:
    cases = [
        case("c1", "长乐路300弄/XF01", "C", "2026-01-05", "2026-01-20", "2026-01-15"),
        case("c2", "长乐路300弄/XF01", "D", "2026-03-01", "2026-03-31", "2026-04-10"),
        case("c3", "新乐路1号/DQ01", "B", "2026-05-01", "2026-05-08", None),
        case("c4", "新乐路1号/RQ01", "A", "2026-06-20", None, None),
        case("c5", "襄阳北路10号/HJ01", "D", "2026-06-25", "2026-07-25", None),
        case("c6", "襄阳北路10号/HJ01", "C", "2026-07-05", "2026-07-20", None),  # after as_of
        case("c7", "长乐路300弄/XF01", "C", "2024-10-01", "2024-10-31", "2024-11-10"),
    ]
    f = figures(cases, date(2026, 6, 30))
    assert (f.cases, f.closed) == (6, 3)
    assert f.rectification_rate == Fraction(1, 2)
    assert (f.overdue, f.overdue_base) == (3, 4)  # c2 closed late, c3 open past due, c7 late
    assert f.overdue_rate == Fraction(3, 4)
    assert f.mean_days_to_close == 30  # (10 + 40 + 40) / 3
    assert f.repeats == 1  # c1 reopened by c2; c7 closed more than 12 months before c1
    assert f.repeat_rate == Fraction(1, 3)


def test_figures_as_of_earlier_date_ignores_later_facts() -> None:
    cases = [
        case("c1", "S/XF01", "C", "2026-01-05", "2026-01-20", "2026-01-15"),
        case("c2", "S/XF01", "D", "2026-03-01", "2026-03-31", "2026-04-10"),
    ]
    f = figures(cases, date(2026, 3, 31))
    assert (f.cases, f.closed, f.overdue, f.overdue_base) == (2, 1, 0, 1)
    assert f.repeats == 1


def test_repeat_window_is_twelve_calendar_months() -> None:
    closed = "2025-02-28"
    inside = [
        case("c1", "S/XF01", "C", "2025-02-01", None, closed),
        case("c2", "S/XF01", "C", "2026-02-28", None, None),
    ]
    assert figures(inside, date(2026, 12, 31)).repeats == 1
    outside = [inside[0], case("c2", "S/XF01", "C", "2026-03-01", None, None)]
    assert figures(outside, date(2026, 12, 31)).repeats == 0
    other_subunit = [inside[0], case("c2", "S/XF02", "C", "2026-01-01", None, None)]
    assert figures(other_subunit, date(2026, 12, 31)).repeats == 0


def test_figures_of_nothing_are_none() -> None:
    f = figures([], date(2026, 1, 1))
    assert f.cases == 0
    assert f.rectification_rate is None
    assert f.overdue_rate is None
    assert f.mean_days_to_close is None
    assert f.repeat_rate is None


def test_figures_reject_bad_records() -> None:
    with pytest.raises(ValueError, match="closed before it was found"):
        figures([case("c1", "S/X", "C", "2026-02-01", None, "2026-01-01")], date(2026, 3, 1))
    with pytest.raises(ValueError, match="duplicate case id"):
        figures(
            [
                case("c1", "S/X", "C", "2026-02-01", None, None),
                case("c1", "S/X", "C", "2026-02-02", None, None),
            ],
            date(2026, 3, 1),
        )


def test_add_months() -> None:
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)
