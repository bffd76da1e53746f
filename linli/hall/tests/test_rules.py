"""Queue rules: numbering, state machine, routing, ageing, no-shows, cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.core.workdays import WorkCalendar
from linli.hall.rules import (
    DEFAULT_POLICY,
    GREEN,
    NORMAL,
    TERMINAL_STATES,
    TRANSITIONS,
    CaseStatus,
    HallRuleError,
    TicketAction,
    TicketState,
    WaitingTicket,
    case_due_date,
    case_is_overdue,
    check_case_transition,
    check_prefixes,
    check_transition,
    choose_next,
    estimate_wait_minutes,
    fifo,
    format_ticket_number,
    minutes,
    order_waiting,
    parse_ticket_number,
    people_ahead,
    policy_from_name,
    priority_ageing,
    priority_class,
    requeue,
    requeue_rank,
    unanswered_call_action,
)


def ticket(
    tid: int,
    issued: float,
    *,
    skill: str = "general",
    priority: str = NORMAL,
    prefix: str = "A",
    appointment: float | None = None,
    returned: bool = False,
    requeue_at: float | None = None,
) -> WaitingTicket:
    return WaitingTicket(
        id=tid,
        number=format_ticket_number(prefix, tid),
        skill=skill,
        issued_at=issued,
        priority=GREEN if priority == GREEN else NORMAL,
        appointment_at=appointment,
        requeue_rank=requeue_at,
        returned=returned,
    )


# --- numbering ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "seq", "expected"),
    [
        ("A", 1, "A001"),
        ("B", 42, "B042"),
        ("Y", 999, "Y999"),
        ("L", 1000, "L1000"),
        ("C", 12345, "C12345"),
    ],
)
def test_ticket_numbers_are_readable_and_grow_past_999(
    prefix: str, seq: int, expected: str
) -> None:
    assert format_ticket_number(prefix, seq) == expected
    assert parse_ticket_number(expected) == (prefix, seq)


@pytest.mark.parametrize("seq", [0, -1, True, 1.0, "1"])
def test_bad_sequence_is_refused(seq: object) -> None:
    with pytest.raises(HallRuleError) as info:
        format_ticket_number("A", seq)  # type: ignore[arg-type]
    assert info.value.code == "bad_sequence"


@pytest.mark.parametrize("prefix", ["", "a", "A1", "ABCD", "甲", None])
def test_bad_prefix_is_refused(prefix: object) -> None:
    with pytest.raises(HallRuleError) as info:
        format_ticket_number(prefix, 1)  # type: ignore[arg-type]
    assert info.value.code == "bad_prefix"


@pytest.mark.parametrize(
    "number", ["A1", "A01", "A000", "A0999", "a001", "001", "A-001", "", "A 001"]
)
def test_parse_refuses_what_format_would_not_print(number: str) -> None:
    with pytest.raises(HallRuleError) as info:
        parse_ticket_number(number)
    assert info.value.code == "bad_ticket_number"


@given(st.sampled_from(["A", "B", "C", "Y", "L", "BC"]), st.integers(min_value=1, max_value=10**7))
def test_format_and_parse_round_trip(prefix: str, seq: int) -> None:
    assert parse_ticket_number(format_ticket_number(prefix, seq)) == (prefix, seq)


def test_two_queues_may_not_share_a_prefix() -> None:
    assert check_prefixes({"hall_a": "A", "tax": "C"}) == {"hall_a": "A", "tax": "C"}
    with pytest.raises(HallRuleError) as info:
        check_prefixes({"hall_a": "A", "tax": "A"})
    assert info.value.code == "duplicate_prefix"


# --- state machine -----------------------------------------------------------

ALLOWED = [
    (state, action, target)
    for state, moves in TRANSITIONS.items()
    for action, target in moves.items()
]
FORBIDDEN = [
    (state, action)
    for state in TicketState
    for action in TicketAction
    if action not in TRANSITIONS[state]
]


@pytest.mark.parametrize(("state", "action", "target"), ALLOWED)
def test_every_allowed_transition(
    state: TicketState, action: TicketAction, target: TicketState
) -> None:
    assert check_transition(state.value, action.value) is target


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_every_forbidden_transition(state: TicketState, action: TicketAction) -> None:
    with pytest.raises(HallRuleError) as info:
        check_transition(state.value, action.value)
    assert info.value.code == "forbidden_transition"


def test_the_documented_lifecycle() -> None:
    expected = {
        ("waiting", "call"): "called",
        ("called", "recall"): "called",
        ("called", "start"): "serving",
        ("called", "no_show"): "no_show",
        ("no_show", "requeue"): "waiting",
        ("serving", "finish"): "done",
        ("serving", "transfer"): "transferred",
        ("serving", "escalate"): "escalated",
        ("escalated", "return"): "returned",
        ("returned", "call"): "called",
        ("waiting", "cancel"): "cancelled",
    }
    for (state, action), target in expected.items():
        assert check_transition(state, action) == target
    assert {"done", "transferred", "cancelled"} == {s.value for s in TERMINAL_STATES}


def test_unknown_state_and_action_have_their_own_codes() -> None:
    with pytest.raises(HallRuleError) as info:
        check_transition("lost", "call")
    assert info.value.code == "unknown_state"
    with pytest.raises(HallRuleError) as info:
        check_transition("waiting", "teleport")
    assert info.value.code == "unknown_action"


def test_recall_up_to_the_limit_then_no_show() -> None:
    assert check_transition("called", "recall", recalls=0, max_recalls=2) == "called"
    assert check_transition("called", "recall", recalls=1, max_recalls=2) == "called"
    with pytest.raises(HallRuleError) as info:
        check_transition("called", "recall", recalls=2, max_recalls=2)
    assert info.value.code == "recall_limit"
    steps = [unanswered_call_action(n, max_recalls=2) for n in range(4)]
    assert steps == ["recall", "recall", "no_show", "no_show"]
    assert unanswered_call_action(0, max_recalls=0) == "no_show"
    for recalls, limit in ((-1, 2), (0, -1)):
        with pytest.raises(HallRuleError) as info:
            unanswered_call_action(recalls, max_recalls=limit)
        assert (info.value.code, info.value.message) == (
            "bad_argument",
            "recall counts must not be negative",
        )


# --- no-show re-queue ---------------------------------------------------------


def test_no_show_goes_k_places_back() -> None:
    line = ["A002", "A003", "A004", "A005", "A006"]
    assert requeue(line, "A001", 3) == ["A002", "A003", "A004", "A001", "A005", "A006"]
    assert requeue(line, "A001", 0) == ["A001", *line]
    assert requeue(line, "A001", 99) == [*line, "A001"]
    assert requeue([], "A001", 3) == ["A001"]
    assert line == ["A002", "A003", "A004", "A005", "A006"]  # pure: input untouched


def test_requeue_moves_an_entry_already_in_line() -> None:
    assert requeue(["A001", "A002", "A003", "A004"], "A001", 2) == ["A002", "A003", "A001", "A004"]


def test_requeue_rank_places_the_ticket_k_back_for_the_router() -> None:
    waiting = [ticket(i, float(i)) for i in range(2, 8)]
    rank = requeue_rank(waiting, now=20.0, policy=DEFAULT_POLICY, places=3)
    back = ticket(1, 0.0, requeue_at=rank)
    order = [t.id for t in order_waiting([*waiting, back], 20.0)]
    assert order == [2, 3, 4, 1, 5, 6, 7]
    # later arrivals still fall in behind it
    later = ticket(9, 21.0)
    assert [t.id for t in order_waiting([*waiting, back, later], 22.0)][3] == 1
    first = requeue_rank(waiting, now=20.0, places=0)
    assert order_waiting([*waiting, ticket(1, 0.0, requeue_at=first)], 20.0)[0].id == 1
    assert requeue_rank([], now=20.0) == 20.0


def test_negative_places_are_refused() -> None:
    with pytest.raises(HallRuleError):
        requeue(["A001"], "A002", -1)
    with pytest.raises(HallRuleError):
        requeue_rank([], now=0.0, places=-1)


# --- routing -----------------------------------------------------------------


def test_fifo_serves_in_issue_order_whatever_the_class() -> None:
    waiting = [ticket(3, 5.0, priority=GREEN), ticket(1, 1.0), ticket(2, 2.0, priority=GREEN)]
    served = []
    while waiting:
        tid = choose_next({"general"}, waiting, 10.0, fifo)
        served.append(tid)
        waiting = [t for t in waiting if t.id != tid]
    assert served == [1, 2, 3]


def test_window_only_takes_tickets_it_has_the_skill_for() -> None:
    waiting = [ticket(1, 0.0, skill="tax"), ticket(2, 5.0, skill="social")]
    assert choose_next({"social"}, waiting, 10.0) == 2
    assert choose_next({"tax", "social"}, waiting, 10.0) == 1
    assert choose_next({"housing"}, waiting, 10.0) is None
    assert choose_next({"tax"}, [], 10.0) is None


def test_green_lane_gets_a_time_credit_not_absolute_precedence() -> None:
    policy = priority_ageing(10.0)
    normal = ticket(1, 100.0)
    green_soon = ticket(2, 108.0, priority=GREEN)  # 8 min later: within the credit
    green_late = ticket(3, 112.0, priority=GREEN)  # 12 min later: beyond the credit
    assert choose_next({"general"}, [normal, green_soon], 115.0, policy) == 2
    assert choose_next({"general"}, [normal, green_late], 115.0, policy) == 1
    exactly = ticket(4, 110.0, priority=GREEN)  # a tie goes to the earlier ticket
    assert choose_next({"general"}, [normal, exactly], 115.0, policy) == 1


def test_returned_from_back_office_goes_first() -> None:
    waiting = [
        ticket(1, 0.0, priority=GREEN),
        ticket(2, 1.0),
        ticket(3, 50.0, returned=True),
    ]
    assert choose_next({"general"}, waiting, 60.0, fifo) == 3
    assert choose_next({"general"}, waiting, 60.0, priority_ageing()) == 3
    # …but only at a window with the skill
    assert choose_next({"tax"}, [*waiting, ticket(4, 2.0, skill="tax")], 60.0) == 4


def test_appointment_counts_from_its_slot_or_arrival_if_late() -> None:
    policy = priority_ageing(10.0)
    walk_in = ticket(1, 100.0)
    early = ticket(2, 80.0, priority=GREEN, prefix="Y", appointment=130.0)  # slot 130 → rank 120
    assert choose_next({"general"}, [walk_in, early], 125.0, policy) == 1
    late = ticket(3, 105.0, priority=GREEN, prefix="Y", appointment=60.0)  # came late → rank 95
    assert choose_next({"general"}, [walk_in, late], 125.0, policy) == 3


def test_ties_are_broken_by_issue_time_then_number() -> None:
    a = WaitingTicket(id="x", number="A002", skill="s", issued_at=5.0)
    b = WaitingTicket(id="y", number="A010", skill="s", issued_at=5.0)
    c = WaitingTicket(id="z", number="A001", skill="s", issued_at=6.0)
    for order in ([a, b, c], [c, b, a], [b, c, a]):
        assert choose_next({"s"}, order, 10.0, fifo) == "x"
    big = WaitingTicket(id="big", number="A1000", skill="s", issued_at=5.0)
    small = WaitingTicket(id="small", number="A999", skill="s", issued_at=5.0)
    assert choose_next({"s"}, [big, small], 10.0, fifo) == "small"


def test_a_number_that_is_not_a_ticket_number_sorts_by_its_text() -> None:
    normal = WaitingTicket(id="n", number="A002", skill="s", issued_at=5.0)
    odd = WaitingTicket(id="odd", number="Z-7", skill="s", issued_at=5.0)
    first = WaitingTicket(id="first", number="0-legacy", skill="s", issued_at=5.0)
    for order in ([odd, normal, first], [normal, first, odd]):
        assert [t.id for t in order_waiting(order, 10.0, fifo)] == ["first", "n", "odd"]


def test_policy_names_and_bad_credit() -> None:
    assert policy_from_name("fifo") is fifo
    assert policy_from_name("priority_ageing", 5)(ticket(1, 20.0, priority=GREEN), 0.0) == 15.0
    with pytest.raises(HallRuleError) as info:
        policy_from_name("vip_first")
    assert info.value.code == "unknown_policy"
    with pytest.raises(HallRuleError):
        priority_ageing(-1)


arrival = st.tuples(
    st.just("arrive"),
    st.floats(min_value=0, max_value=30, allow_nan=False),
    st.sampled_from([NORMAL, GREEN]),
    st.sampled_from(["x", "y"]),
)
call = st.tuples(
    st.just("call"),
    st.floats(min_value=0, max_value=30, allow_nan=False),
    st.sampled_from([frozenset({"x"}), frozenset({"y"}), frozenset({"x", "y"})]),
)


@settings(max_examples=150, deadline=None)
@given(
    events=st.lists(st.one_of(arrival, call), max_size=60),
    credit=st.floats(min_value=0, max_value=30, allow_nan=False),
)
def test_ageing_never_lets_a_green_ticket_overtake_a_much_older_normal_one(
    events: list[tuple[object, ...]], credit: float
) -> None:
    """No normal ticket is overtaken by a green one issued more than ``credit`` after it."""
    policy = priority_ageing(credit)
    now = 0.0
    waiting: list[WaitingTicket] = []
    for n, event in enumerate(events, start=1):
        now += float(event[1])  # type: ignore[arg-type]
        if event[0] == "arrive":
            waiting.append(ticket(n, now, priority=str(event[2]), skill=str(event[3])))
            continue
        skills = event[2]
        assert isinstance(skills, frozenset)
        chosen_id = choose_next(skills, waiting, now, policy)
        eligible = [t for t in waiting if t.skill in skills]
        if chosen_id is None:
            assert not eligible
            continue
        chosen = next(t for t in waiting if t.id == chosen_id)
        assert chosen.skill in skills
        if chosen.priority == GREEN:
            for other in eligible:
                if other.priority == NORMAL:
                    assert not chosen.issued_at > other.issued_at + credit
        else:
            # among normal tickets the order stays first come, first served
            assert all(chosen.issued_at <= t.issued_at for t in eligible if t.priority == NORMAL)
        waiting.remove(chosen)


# --- slip figures and green lane -----------------------------------------------


def test_people_ahead_counts_only_the_same_line() -> None:
    waiting = [ticket(1, 0.0), ticket(2, 1.0, skill="tax"), ticket(3, 2.0), ticket(4, 3.0)]
    assert people_ahead(4, waiting, 5.0) == 2
    assert people_ahead(2, waiting, 5.0) == 0
    with pytest.raises(HallRuleError) as info:
        people_ahead(99, waiting, 5.0)
    assert info.value.code == "unknown_ticket"


def test_estimated_wait_for_the_slip() -> None:
    assert estimate_wait_minutes(5, 3, 6.0) == 12.0
    assert estimate_wait_minutes(0, 2, 10.0) == 5.0
    assert estimate_wait_minutes(4, 0, 10.0) is None
    for ahead, minutes_each in ((-1, 6.0), (3, -0.5)):
        with pytest.raises(HallRuleError) as info:
            estimate_wait_minutes(ahead, 2, minutes_each)
        assert (info.value.code, info.value.message) == (
            "bad_argument",
            "ahead and service time must not be negative",
        )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"age": 59}, NORMAL),
        ({"age": 60}, GREEN),
        ({"age": None}, NORMAL),
        ({"age": 30, "disability": True}, GREEN),
        ({"age": 30, "pregnant": True}, GREEN),
        ({"appointment": True}, GREEN),
    ],
)
def test_green_lane_eligibility(kwargs: dict[str, object], expected: str) -> None:
    assert priority_class(**kwargs) == expected  # type: ignore[arg-type]


def test_minutes_needs_an_aware_datetime() -> None:
    shanghai = timezone(timedelta(hours=8))
    a = datetime(2024, 3, 1, 9, 0, tzinfo=shanghai)
    assert minutes(a + timedelta(minutes=90)) - minutes(a) == pytest.approx(90.0)
    assert minutes(datetime(2024, 3, 1, 1, 0, tzinfo=UTC)) == pytest.approx(minutes(a))
    with pytest.raises(HallRuleError):
        minutes(datetime(2024, 3, 1, 9, 0))


# --- cases ---------------------------------------------------------------------


def test_case_status_flow() -> None:
    assert check_case_transition("accepted", "in_progress") is CaseStatus.IN_PROGRESS
    assert check_case_transition("in_progress", "completed") is CaseStatus.COMPLETED
    assert check_case_transition("accepted", "returned") is CaseStatus.RETURNED
    for status, target in [
        ("completed", "in_progress"),
        ("returned", "accepted"),
        ("in_progress", "accepted"),
    ]:
        with pytest.raises(HallRuleError) as info:
            check_case_transition(status, target)
        assert info.value.code == "forbidden_transition"
    with pytest.raises(HallRuleError):
        check_case_transition("accepted", "lost")


def test_case_deadline_in_working_days_skips_holidays() -> None:
    friday = date(2024, 9, 27)
    national_day = WorkCalendar.of(
        holidays=[date(2024, 10, d) for d in range(1, 8)],
        extra_workdays=[date(2024, 9, 29), date(2024, 10, 12)],  # 调休 Sunday and Saturday
    )
    assert case_due_date(friday, 3) == date(2024, 10, 2)
    assert case_due_date(friday, 3, national_day) == date(2024, 10, 8)
    assert case_is_overdue("in_progress", date(2024, 10, 2), date(2024, 10, 3))
    assert not case_is_overdue("completed", date(2024, 10, 2), date(2024, 10, 3))
    assert not case_is_overdue("accepted", date(2024, 10, 2), date(2024, 10, 2))
