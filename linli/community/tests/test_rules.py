"""The sign-up engine: every rule of issue 12 §4 with exact cases, and property tests."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.community.rules import (
    CANCELLED,
    CONFIRMED,
    DUPLICATE,
    GENERAL,
    HELD,
    LEFT_WAITLIST,
    REJECTED,
    STAFF,
    UNKNOWN,
    WAITLISTED,
    Operation,
    Roster,
    SignupError,
    parse_request,
    run,
)
from linli.community.rules import replay as replay_roster


def op(
    minute: int, kind: str, person: str, channel: str | None = None, day: int = 1
) -> dict[str, str]:
    out = {"at": f"2026-12-{day:02d}T09:{minute:02d}", "op": kind, "person": person}
    if channel is not None:
        out["channel"] = channel
    return out


def signup(minute: int, person: str, channel: str = "online", day: int = 1) -> dict[str, str]:
    return op(minute, "signup", person, channel, day)


def cancel(minute: int, person: str, day: int = 1) -> dict[str, str]:
    return op(minute, "cancel", person, None, day)


def replay(capacity: int, ops: list[dict[str, str]], **extra: object) -> dict[str, object]:
    return run({"capacity": capacity, "operations": ops, **extra})


def results(out: dict[str, object]) -> list[tuple[str, str]]:
    return [(r["person"], r["result"]) for r in out["results"]]  # type: ignore[index, union-attr]


# -- seats without holds ---------------------------------------------------------------------
def test_online_signups_fill_general_seats_then_wait() -> None:
    out = replay(2, [signup(0, "a"), signup(1, "b"), signup(2, "c")])
    assert out["confirmed"] == [
        {"person": "a", "channel": "online", "seat": "general"},
        {"person": "b", "channel": "online", "seat": "general"},
    ]
    assert out["waitlist"] == [{"person": "c", "channel": "online"}]
    assert out["results"] == [
        {"index": 0, "person": "a", "result": "confirmed", "seat": "general"},
        {"index": 1, "person": "b", "result": "confirmed", "seat": "general"},
        {"index": 2, "person": "c", "result": "waitlisted"},
    ]
    assert out["promotions"] == []


def test_channel_defaults_to_online() -> None:
    out = replay(1, [{"at": "2026-12-01T09:00", "op": "signup", "person": "a"}])
    assert out["confirmed"] == [{"person": "a", "channel": "online", "seat": "general"}]


def test_empty_operations_give_empty_answer() -> None:
    assert replay(5, []) == {"confirmed": [], "waitlist": [], "results": [], "promotions": []}


# -- held seats --------------------------------------------------------------------------------
def test_online_cannot_take_a_held_seat() -> None:
    out = replay(2, [signup(0, "a"), signup(1, "b")], reserved_offline=1)
    assert results(out) == [("a", "confirmed"), ("b", "waitlisted")]


def test_staff_takes_held_seat_first_then_general() -> None:
    out = replay(3, [signup(0, "s1", "staff"), signup(1, "s2", "staff"), signup(2, "o1")],
                 reserved_offline=1)  # fmt: skip
    assert out["confirmed"] == [
        {"person": "s1", "channel": "staff", "seat": "held"},
        {"person": "s2", "channel": "staff", "seat": "general"},
        {"person": "o1", "channel": "online", "seat": "general"},
    ]


def test_staff_waits_when_both_kinds_are_full() -> None:
    out = replay(2, [signup(0, "o1"), signup(1, "s1", "staff"), signup(2, "s2", "staff")],
                 reserved_offline=1)  # fmt: skip
    assert results(out) == [("o1", "confirmed"), ("s1", "confirmed"), ("s2", "waitlisted")]


def test_all_seats_held_means_online_always_waits_without_release() -> None:
    out = replay(2, [signup(0, "o1"), signup(1, "s1", "staff")], reserved_offline=2)
    assert results(out) == [("o1", "waitlisted"), ("s1", "confirmed")]
    assert out["confirmed"] == [{"person": "s1", "channel": "staff", "seat": "held"}]


# -- release -------------------------------------------------------------------------------------
def test_release_seats_the_waitlist_in_order_dated_release_at() -> None:
    ops = [signup(0, "o1"), signup(1, "o2"), signup(2, "o3"), signup(0, "o4", day=2)]
    out = replay(3, ops, reserved_offline=2, release_at="2026-12-01T12:00")
    assert results(out) == [("o1", "confirmed"), ("o2", "waitlisted"), ("o3", "waitlisted"),
                            ("o4", "waitlisted")]  # fmt: skip
    assert out["promotions"] == [
        {"person": "o2", "at": "2026-12-01T12:00", "seat": "general"},
        {"person": "o3", "at": "2026-12-01T12:00", "seat": "general"},
    ]
    assert [s["person"] for s in out["confirmed"]] == ["o1", "o2", "o3"]  # type: ignore[index, union-attr]
    assert out["waitlist"] == [{"person": "o4", "channel": "online"}]


def test_release_happens_at_an_operation_exactly_at_release_at() -> None:
    ops = [signup(0, "o1"), {"at": "2026-12-01T12:00", "op": "signup", "person": "o2"}]
    out = replay(1, ops, reserved_offline=1, release_at="2026-12-01T12:00")
    assert out["promotions"] == [{"person": "o1", "at": "2026-12-01T12:00", "seat": "general"}]
    assert results(out) == [("o1", "waitlisted"), ("o2", "waitlisted")]


def test_no_release_when_no_operation_reaches_it() -> None:
    out = replay(1, [signup(0, "o1"), signup(1, "o2")], reserved_offline=1,
                 release_at="2026-12-05T00:00")  # fmt: skip
    assert out["promotions"] == []
    assert out["waitlist"] == [
        {"person": "o1", "channel": "online"},
        {"person": "o2", "channel": "online"},
    ]


def test_seated_keep_held_label_after_release_and_later_seats_are_general() -> None:
    ops = [signup(0, "s1", "staff"), signup(0, "s2", "staff", day=2)]
    out = replay(3, ops, reserved_offline=2, release_at="2026-12-02T00:00")
    assert out["confirmed"] == [
        {"person": "s1", "channel": "staff", "seat": "held"},
        {"person": "s2", "channel": "staff", "seat": "general"},
    ]


def test_after_release_online_takes_any_free_seat() -> None:
    ops = [signup(0, "o1"), signup(0, "o2", day=2), signup(1, "o3", day=2)]
    out = replay(2, ops, reserved_offline=1, release_at="2026-12-02T00:00")
    assert results(out) == [("o1", "confirmed"), ("o2", "confirmed"), ("o3", "waitlisted")]


def test_release_promotes_only_as_many_as_there_are_free_seats() -> None:
    ops = [signup(0, "s1", "staff"), signup(1, "o1"), signup(2, "o2"), signup(3, "o3"),
           cancel(0, "o3", day=2)]  # fmt: skip
    out = replay(3, ops, reserved_offline=2, release_at="2026-12-02T00:00")
    # One general seat (o1), one held seat taken (s1), one held free: one promotion at release.
    assert out["promotions"] == [{"person": "o2", "at": "2026-12-02T00:00", "seat": "general"}]
    assert results(out)[-1] == ("o3", "left_waitlist")


# -- one place per person -------------------------------------------------------------------------
def test_duplicate_signup_by_seated_or_waiting_is_rejected() -> None:
    out = replay(1, [signup(0, "a"), signup(1, "b"), signup(2, "a", "staff"), signup(3, "b")])
    assert out["results"][2] == {
        "index": 2,
        "person": "a",
        "result": "rejected",
        "reason": "duplicate",
    }  # type: ignore[index]
    assert out["results"][3] == {
        "index": 3,
        "person": "b",
        "result": "rejected",
        "reason": "duplicate",
    }  # type: ignore[index]
    assert out["waitlist"] == [{"person": "b", "channel": "online"}]


def test_a_person_may_sign_up_again_after_cancelling() -> None:
    out = replay(2, [signup(0, "a"), cancel(1, "a"), signup(2, "a")])
    assert results(out) == [("a", "confirmed"), ("a", "cancelled"), ("a", "confirmed")]


# -- cancels -------------------------------------------------------------------------------------
def test_cancel_frees_general_seat_for_the_first_waiting_person() -> None:
    out = replay(1, [signup(0, "a"), signup(1, "b"), signup(2, "c"), cancel(3, "a")])
    assert out["results"][3] == {"index": 3, "person": "a", "result": "cancelled"}  # type: ignore[index]
    assert out["promotions"] == [{"person": "b", "at": "2026-12-01T09:03", "seat": "general"}]
    assert out["confirmed"] == [{"person": "b", "channel": "online", "seat": "general"}]
    assert out["waitlist"] == [{"person": "c", "channel": "online"}]


def test_freed_general_seat_goes_to_a_waiting_staff_signup_too() -> None:
    ops = [signup(0, "s1", "staff"), signup(1, "o1"), signup(2, "s2", "staff"), cancel(3, "o1")]
    out = replay(2, ops, reserved_offline=1)
    assert out["promotions"] == [{"person": "s2", "at": "2026-12-01T09:03", "seat": "general"}]


def test_freed_held_seat_goes_to_the_first_waiting_staff_signup_skipping_online() -> None:
    ops = [signup(0, "s1", "staff"), signup(1, "o1"), signup(2, "o2"), signup(3, "s2", "staff"),
           cancel(4, "s1")]  # fmt: skip
    out = replay(2, ops, reserved_offline=1)
    assert out["promotions"] == [{"person": "s2", "at": "2026-12-01T09:04", "seat": "held"}]
    assert out["waitlist"] == [{"person": "o2", "channel": "online"}]
    assert out["confirmed"] == [
        {"person": "o1", "channel": "online", "seat": "general"},
        {"person": "s2", "channel": "staff", "seat": "held"},
    ]


def test_freed_held_seat_stays_free_when_only_online_wait() -> None:
    ops = [signup(0, "s1", "staff"), signup(1, "o1"), signup(2, "o2"), cancel(3, "s1"),
           signup(4, "o3"), signup(5, "s2", "staff")]  # fmt: skip
    out = replay(2, ops, reserved_offline=1)
    assert out["promotions"] == []
    assert results(out)[4:] == [("o3", "waitlisted"), ("s2", "confirmed")]
    assert out["confirmed"][-1] == {"person": "s2", "channel": "staff", "seat": "held"}  # type: ignore[index]


def test_held_seat_left_free_is_filled_at_release() -> None:
    ops = [signup(0, "s1", "staff"), signup(1, "o1"), signup(2, "o2"), cancel(3, "s1"),
           signup(0, "o3", day=2)]  # fmt: skip
    out = replay(2, ops, reserved_offline=1, release_at="2026-12-02T00:00")
    assert out["promotions"] == [{"person": "o2", "at": "2026-12-02T00:00", "seat": "general"}]
    assert results(out)[-1] == ("o3", "waitlisted")


def test_after_release_a_freed_held_seat_goes_to_anyone_as_general() -> None:
    ops = [signup(0, "s1", "staff"), signup(1, "o1"), signup(2, "o2"), cancel(0, "s1", day=2)]
    out = replay(2, ops, reserved_offline=1, release_at="2026-12-02T00:00")
    assert out["promotions"] == [{"person": "o2", "at": "2026-12-02T09:00", "seat": "general"}]


def test_cancel_by_waiting_person_leaves_the_waitlist() -> None:
    out = replay(1, [signup(0, "a"), signup(1, "b"), cancel(2, "b")])
    assert out["results"][2] == {"index": 2, "person": "b", "result": "left_waitlist"}  # type: ignore[index]
    assert out["waitlist"] == []
    assert out["promotions"] == []


def test_cancel_by_stranger_or_twice_is_rejected_unknown() -> None:
    out = replay(1, [cancel(0, "x"), signup(1, "a"), cancel(2, "a"), cancel(3, "a")])
    assert out["results"][0] == {
        "index": 0,
        "person": "x",
        "result": "rejected",
        "reason": "unknown",
    }  # type: ignore[index]
    assert out["results"][3] == {
        "index": 3,
        "person": "a",
        "result": "rejected",
        "reason": "unknown",
    }  # type: ignore[index]


def test_release_before_a_cancel_then_the_cancel_promotes_at_its_own_time() -> None:
    ops = [signup(0, "a"), signup(1, "b"), signup(2, "c"), cancel(5, "a", day=2)]
    out = replay(2, ops, reserved_offline=1, release_at="2026-12-02T00:00")
    assert out["promotions"] == [
        {"person": "b", "at": "2026-12-02T00:00", "seat": "general"},
        {"person": "c", "at": "2026-12-02T09:05", "seat": "general"},
    ]


def test_equal_times_are_allowed() -> None:
    out = replay(2, [signup(0, "a"), signup(0, "b")])
    assert results(out) == [("a", "confirmed"), ("b", "confirmed")]


# -- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"operations": []}, "capacity"),
        ({"capacity": 0, "operations": []}, "capacity"),
        ({"capacity": -3, "operations": []}, "capacity"),
        ({"capacity": 2.5, "operations": []}, "capacity"),
        ({"capacity": True, "operations": []}, "capacity"),
        ({"capacity": "3", "operations": []}, "capacity"),
        ({"capacity": 3, "reserved_offline": 4, "operations": []}, "reserved_offline"),
        ({"capacity": 3, "reserved_offline": -1, "operations": []}, "reserved_offline"),
        ({"capacity": 3, "release_at": "2026-12-01 12:00", "operations": []}, "release_at"),
        ({"capacity": 3, "release_at": "2026-02-30T12:00", "operations": []}, "release_at"),
        ({"capacity": 3}, "operations"),
        ({"capacity": 3, "operations": {}}, "operations"),
        ({"capacity": 3, "operations": [], "colour": 1}, "colour"),
        ({"capacity": 3, "operations": ["x"]}, "operations[0]"),
        ({"capacity": 3, "operations": [{"op": "signup", "person": "a"}]}, "operations[0].at"),
        (
            {
                "capacity": 3,
                "operations": [{"at": "2026-12-01T25:00", "op": "signup", "person": "a"}],
            },
            "operations[0].at",
        ),
        (
            {
                "capacity": 3,
                "operations": [{"at": "2026-12-01T09:00:00", "op": "signup", "person": "a"}],
            },
            "operations[0].at",
        ),
        (
            {"capacity": 3, "operations": [{"at": 5, "op": "signup", "person": "a"}]},
            "operations[0].at",
        ),
        ({"capacity": 3, "operations": [signup(1, "a"), signup(0, "b")]}, "operations[1].at"),
        (
            {
                "capacity": 3,
                "operations": [
                    signup(1, "a"),
                    {"at": "2026-12-01T09:02", "op": "book", "person": "b"},
                ],
            },
            "operations[1].op",
        ),
        (
            {"capacity": 3, "operations": [{"at": "2026-12-01T09:02", "person": "b"}]},
            "operations[0].op",
        ),
        (
            {
                "capacity": 3,
                "operations": [signup(1, "a"), signup(2, "b"), signup(3, "c", "phone")],
            },
            "operations[2].channel",
        ),
        (
            {"capacity": 3, "operations": [{"at": "2026-12-01T09:02", "op": "signup"}]},
            "operations[0].person",
        ),
        (
            {
                "capacity": 3,
                "operations": [{"at": "2026-12-01T09:02", "op": "signup", "person": ""}],
            },
            "operations[0].person",
        ),
        (
            {
                "capacity": 3,
                "operations": [{"at": "2026-12-01T09:02", "op": "cancel", "person": 7}],
            },
            "operations[0].person",
        ),
        (
            {
                "capacity": 3,
                "operations": [
                    {"at": "2026-12-01T09:02", "op": "signup", "person": "a", "seat": "x"}
                ],
            },
            "operations[0].seat",
        ),
    ],
)
def test_bad_input_names_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(SignupError) as caught:
        parse_request(data)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_bad_input_is_not_an_object() -> None:
    with pytest.raises(SignupError) as caught:
        parse_request([1, 2])
    assert caught.value.field == "input"


def test_release_at_is_parsed_to_a_time() -> None:
    request = parse_request({"capacity": 2, "release_at": "2026-12-01T12:30", "operations": []})
    assert request.release_at == datetime(2026, 12, 1, 12, 30)
    assert request.reserved_offline == 0


# -- the roster used directly (as the services do) -------------------------------------------
T0 = datetime(2026, 12, 1, 9, 0)


@pytest.mark.parametrize(
    ("capacity", "reserved", "field", "message"),
    [
        (2.0, 0, "capacity", "must be a whole number"),
        (True, 0, "capacity", "must be a whole number"),
        (0, 0, "capacity", "must be at least 1"),
        (3, "1", "reserved_offline", "must be a whole number"),
        (3, False, "reserved_offline", "must be a whole number"),
        (3, 4, "reserved_offline", "must be between 0 and 3"),
        (3, -1, "reserved_offline", "must be between 0 and 3"),
    ],
)
def test_a_roster_refuses_bad_numbers(
    capacity: object, reserved: object, field: str, message: str
) -> None:
    with pytest.raises(SignupError) as caught:
        Roster(capacity, reserved)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.message) == (field, message)


def test_free_seats_and_waiting_positions() -> None:
    roster = Roster(3, reserved_offline=1)
    assert roster.free() == 3
    for person in ("a", "b", "c", "d"):
        roster.apply(Operation(T0, "signup", person))
    assert (roster.free_held(), roster.free_general(), roster.free()) == (1, 0, 1)
    assert [roster.waiting_position(p) for p in ("a", "c", "d", "zoe")] == [None, 1, 2, None]
    assert roster.status_of("zoe") is None


def test_staff_may_release_early_and_a_second_release_does_nothing() -> None:
    roster = Roster(2, reserved_offline=1)
    roster.apply(Operation(T0, "signup", "a"))
    roster.apply(Operation(T0, "signup", "b"))
    early = datetime(2026, 12, 1, 10, 0)
    promotions = roster.release(early)
    assert [(p.person, p.at, p.seat) for p in promotions] == [("b", early, GENERAL)]
    assert roster.released
    assert roster.release(datetime(2026, 12, 1, 11, 0)) == ()
    assert [s.person for s in roster.confirmed] == ["a", "b"]


def test_release_needs_a_time_to_date_the_promotions() -> None:
    roster = Roster(2, reserved_offline=1)
    roster.apply(Operation(T0, "signup", "a"))
    with pytest.raises(SignupError) as caught:
        roster.release()
    assert (caught.value.field, caught.value.message) == (
        "release_at",
        "no release time to date the promotions with",
    )
    assert not roster.released


def test_an_unknown_operation_is_refused() -> None:
    roster = Roster(2)
    with pytest.raises(SignupError) as caught:
        roster.apply(Operation(T0, "book", "a"))
    assert (caught.value.field, caught.value.message) == ("op", "unknown operation 'book'")
    assert roster.confirmed == []


def test_replay_refuses_operations_going_back_in_time() -> None:
    later = datetime(2026, 12, 1, 9, 5)
    with pytest.raises(SignupError) as caught:
        replay_roster(2, [Operation(later, "signup", "a"), Operation(T0, "signup", "b")])
    assert (caught.value.field, caught.value.message) == (
        "operations[1].at",
        "earlier than the operation before",
    )


# -- properties -------------------------------------------------------------------------------
PEOPLE = [f"p{i}" for i in range(8)]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    capacity = draw(st.integers(1, 6))
    reserved = draw(st.integers(0, capacity))
    n = draw(st.integers(0, 30))
    minutes = sorted(draw(st.lists(st.integers(0, 120), min_size=n, max_size=n)))
    ops = []
    for minute in minutes:
        kind = draw(st.sampled_from(["signup", "signup", "cancel"]))
        person = draw(st.sampled_from(PEOPLE))
        entry = {
            "at": f"2026-12-01T{8 + minute // 60:02d}:{minute % 60:02d}",
            "op": kind,
            "person": person,
        }
        if kind == "signup":
            entry["channel"] = draw(st.sampled_from(["online", "staff"]))
        ops.append(entry)
    data: dict[str, object] = {
        "capacity": capacity,
        "reserved_offline": reserved,
        "operations": ops,
    }
    release = draw(st.one_of(st.none(), st.integers(0, 130)))
    if release is not None:
        data["release_at"] = f"2026-12-01T{8 + release // 60:02d}:{release % 60:02d}"
    return data


def _roster_and_ops(data: dict[str, object]) -> tuple[Roster, tuple[Operation, ...]]:
    request = parse_request(data)
    return Roster(
        request.capacity, request.reserved_offline, request.release_at
    ), request.operations


def _check_invariants(roster: Roster) -> None:
    capacity, reserved = roster.capacity, roster.reserved_offline
    seated = [s.person for s in roster.confirmed]
    waiting = [w.person for w in roster.waitlist]
    # No more seated than capacity.
    assert len(seated) <= capacity
    # Everyone is seated, waiting or gone, exactly once.
    assert len(seated) + len(waiting) == len(set(seated) | set(waiting))
    # Held seats are only ever staff sign-ups, and never more than were reserved.
    held = [s for s in roster.confirmed if s.seat == HELD]
    assert all(s.channel == STAFF for s in held)
    assert len(held) <= reserved
    general = len(seated) - len(held)
    if not roster.released:
        assert general <= capacity - reserved
        if waiting:  # nobody waits while a general seat is free
            assert general == capacity - reserved
        if any(w.channel == STAFF for w in roster.waitlist):  # nor staff while a held one is
            assert len(held) == reserved
    elif waiting:  # after release nobody waits while any seat is free
        assert len(seated) == capacity


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_invariants_hold_after_every_operation(data: dict[str, object]) -> None:
    roster, ops = _roster_and_ops(data)
    _check_invariants(roster)
    for operation in ops:
        roster.apply(operation)
        _check_invariants(roster)


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_results_and_promotions_account_for_everyone(data: dict[str, object]) -> None:
    """Replaying each result and promotion on sets of people gives exactly the final lists."""
    roster, ops = _roster_and_ops(data)
    seated: set[str] = set()
    waiting: set[str] = set()
    for operation in ops:
        outcome = roster.apply(operation)
        person = operation.person
        for promo in outcome.promotions:
            assert promo.person in waiting
            waiting.discard(promo.person)
            seated.add(promo.person)
            assert promo.at <= operation.at
        if outcome.result == CONFIRMED:
            assert person not in seated | waiting
            seated.add(person)
        elif outcome.result == WAITLISTED:
            assert person not in seated | waiting
            waiting.add(person)
        elif outcome.result == CANCELLED:
            assert person in seated
            seated.discard(person)
        elif outcome.result == LEFT_WAITLIST:
            assert person in waiting
            waiting.discard(person)
        else:
            assert outcome.result == REJECTED
            assert outcome.reason == (DUPLICATE if person in seated | waiting else UNKNOWN)
        assert seated == {s.person for s in roster.confirmed}
        assert waiting == {w.person for w in roster.waitlist}
        assert [w.person for w in roster.waitlist if w.person in waiting] == [
            w.person for w in roster.waitlist
        ]


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_promotions_are_dated_in_order_and_held_ones_before_release(
    data: dict[str, object],
) -> None:
    out = run(data)
    dates = [p["at"] for p in out["promotions"]]  # type: ignore[index, union-attr]
    assert dates == sorted(dates)
    for promo in out["promotions"]:  # type: ignore[union-attr]
        if promo["seat"] == "held":  # type: ignore[index]
            assert data.get("release_at") is None or promo["at"] < data["release_at"]  # type: ignore[index, operator]


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_waitlist_keeps_signup_order(data: dict[str, object]) -> None:
    out = run(data)
    order = [r["person"] for r in out["results"] if r["result"] == "waitlisted"]  # type: ignore[index, union-attr]
    waiting = [w["person"] for w in out["waitlist"]]  # type: ignore[index, union-attr]
    last_index = {p: max(i for i, q in enumerate(order) if q == p) for p in waiting}
    assert [last_index[p] for p in waiting] == sorted(last_index[p] for p in waiting)
