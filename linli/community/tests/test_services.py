"""Seats, orders, bookings, wishes, volunteers, alliance and projects through the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.community import services
from linli.community.errors import CommunityError
from linli.community.models import (
    AllianceOrder,
    Event,
    HourRecord,
    PracticalProject,
    ServiceOrder,
    Signup,
    TeamMember,
)
from linli.core.context import Actor
from linli.core.models import AuditRecord

from .conftest import at

PUBLIC = Actor(None, "127.0.0.1")


def phone(n: int) -> str:
    return f"139{n:08d}"


def states(event: Event) -> list[tuple[str, str, str]]:
    return [
        (s.name, s.state, s.seat)
        for s in Signup.objects.filter(event=event, state__in=["confirmed", "waitlisted"]).order_by(
            "state", "rank"
        )
    ]


# --- seats ----------------------------------------------------------------------------------


def test_online_signups_take_general_seats_then_wait(event: Event) -> None:
    r1 = services.do_sign_up(PUBLIC, event.pk, "王阿姨", phone(1))
    r2 = services.do_sign_up(PUBLIC, event.pk, "李伯伯", phone(2))
    r3 = services.do_sign_up(PUBLIC, event.pk, "张老师", phone(3))
    assert (r1.result, r2.result, r3.result) == ("confirmed", "confirmed", "waitlisted")
    assert r3.waiting_position == 1
    assert r1.signup.seat == "general"
    stored = Signup.objects.get(pk=r1.signup.pk)
    assert stored.phone_masked == "139****0001"
    assert phone(1) not in stored.phone_cipher
    assert not AuditRecord.objects.filter(details__icontains=phone(1)).exists()


def test_staff_counter_takes_the_held_seat(event: Event, net: dict[str, Any], users: Any) -> None:
    services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))
    services.do_sign_up(PUBLIC, event.pk, "乙", phone(2))
    staff = services.do_sign_up(net["actor"], event.pk, "丙", phone(3), channel="staff")
    assert (staff.result, staff.signup.seat) == ("confirmed", "held")
    assert staff.signup.entered_by == net["dangqun"]


def test_counter_signup_needs_the_serve_permission(event: Event, users: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.do_sign_up(PUBLIC, event.pk, "丙", phone(3), channel="staff")
    with pytest.raises(PermissionDenied):
        services.do_sign_up(Actor(users["street_staff"]), event.pk, "丙", phone(3), channel="staff")


def test_duplicate_phone_is_refused(event: Event) -> None:
    services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))
    with pytest.raises(CommunityError) as caught:
        services.do_sign_up(PUBLIC, event.pk, "甲2", "139 0000 0001")
    assert caught.value.code == "duplicate"
    assert Signup.objects.filter(event=event).count() == 1


def test_bad_phone_and_name_are_refused_naming_the_field(event: Event) -> None:
    with pytest.raises(CommunityError) as caught:
        services.do_sign_up(PUBLIC, event.pk, "甲", "12345")
    assert caught.value.field == "phone"
    with pytest.raises(CommunityError) as caught:
        services.do_sign_up(PUBLIC, event.pk, " ", phone(1))
    assert caught.value.field == "name"


def test_cancel_promotes_the_first_waiting_and_notifies_after_commit(
    event: Event, django_capture_on_commit_callbacks: Any
) -> None:
    a = services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))
    services.do_sign_up(PUBLIC, event.pk, "乙", phone(2))
    services.do_sign_up(PUBLIC, event.pk, "丙", phone(3))
    with (
        mock.patch.object(services.signups, "notify_promotion") as notify,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.do_cancel_signup(PUBLIC, a.signup.token)
    promoted = Signup.objects.get(name="丙")
    assert (promoted.state, promoted.seat) == ("confirmed", "general")
    assert promoted.promoted_at is not None
    notify.assert_called_once_with(promoted.pk)
    assert Signup.objects.get(name="甲").state == "cancelled"


def test_the_promoted_person_gets_one_sms(
    event: Event, django_capture_on_commit_callbacks: Any
) -> None:
    from linli.notices.models import Notice

    a = services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))
    services.do_sign_up(PUBLIC, event.pk, "乙", phone(2))
    services.do_sign_up(PUBLIC, event.pk, "丙", phone(3))
    with django_capture_on_commit_callbacks(execute=True):
        services.do_cancel_signup(PUBLIC, a.signup.token)
    promoted = Signup.objects.get(name="丙")
    notice = Notice.objects.get(kind="community.promoted")
    assert notice.channel == "sms" and notice.address_masked == promoted.phone_masked
    assert event.title[:30] in notice.text and "已由候补转为正式名额" in notice.text
    services.notify_promotion(promoted.pk)  # a retry sends nothing more
    assert Notice.objects.filter(kind="community.promoted").count() == 1


def test_cancel_twice_or_unknown_token_is_refused(event: Event) -> None:
    a = services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))
    services.do_cancel_signup(PUBLIC, a.signup.token)
    with pytest.raises(CommunityError):
        services.do_cancel_signup(PUBLIC, a.signup.token)
    with pytest.raises(CommunityError):
        services.do_cancel_signup(PUBLIC, "nope")


def test_release_at_merges_the_pools_and_promotes(
    event: Event, django_capture_on_commit_callbacks: Any
) -> None:
    services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))
    services.do_sign_up(PUBLIC, event.pk, "乙", phone(2))
    services.do_sign_up(PUBLIC, event.pk, "丙", phone(3))
    later = event.release_at + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        promoted = services.do_release_due_seats(Actor.system("test"))
    assert promoted == 1
    event.refresh_from_db()
    assert event.released
    assert Signup.objects.get(name="丙").seat == "general"
    assert Signup.objects.get(name="丙").promoted_at == event.release_at


def test_signup_after_release_time_releases_first(event: Event) -> None:
    services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))
    services.do_sign_up(PUBLIC, event.pk, "乙", phone(2))
    services.do_sign_up(PUBLIC, event.pk, "丙", phone(3))
    with mock.patch("django.utils.timezone.now", return_value=event.release_at):
        late = services.do_sign_up(PUBLIC, event.pk, "丁", phone(4))
    assert late.result == "waitlisted"
    assert Signup.objects.get(name="丙").state == "confirmed"


def test_staff_may_release_early(event: Event, net: dict[str, Any], users: Any) -> None:
    services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))
    services.do_sign_up(PUBLIC, event.pk, "乙", phone(2))
    services.do_sign_up(PUBLIC, event.pk, "丙", phone(3))
    with pytest.raises(PermissionDenied):
        services.do_release_held_seats(Actor(users["street_staff"]), event.pk, early=True)
    assert len(services.do_release_held_seats(net["actor"], event.pk, early=True)) == 1


def test_signup_closed_once_started_or_cancelled(event: Event, net: dict[str, Any]) -> None:
    with (
        mock.patch("django.utils.timezone.now", return_value=event.starts_at),
        pytest.raises(CommunityError) as caught,
    ):
        services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))
    assert caught.value.code == "closed"
    services.do_cancel_event(net["actor"], event, "天气")
    with pytest.raises(CommunityError):
        services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))


def test_database_refuses_two_live_places_for_one_person(event: Event) -> None:
    a = services.do_sign_up(PUBLIC, event.pk, "甲", phone(1)).signup
    with pytest.raises(IntegrityError), transaction.atomic():
        Signup.objects.create(
            event=event, person_key=a.person_key, name="甲", phone_cipher="x", phone_masked="x",
            channel="online", state="waitlisted", rank=99, token="t2", created=timezone.now(),
        )  # fmt: skip


def test_check_in_at_the_door(event: Event, net: dict[str, Any], users: Any) -> None:
    a = services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))
    services.do_sign_up(PUBLIC, event.pk, "乙", phone(2))
    w = services.do_sign_up(PUBLIC, event.pk, "丙", phone(3))
    with pytest.raises(CommunityError) as caught:
        services.do_check_in(net["actor"], a.signup.token)
    assert caught.value.code == "not_now"
    with mock.patch("django.utils.timezone.now", return_value=event.starts_at):
        done = services.do_check_in(net["actor"], a.signup.token)
        assert done.checked_in_at == event.starts_at
        with pytest.raises(CommunityError) as caught:
            services.do_check_in(net["actor"], a.signup.token)
        assert caught.value.code == "already"
        with pytest.raises(CommunityError) as caught:
            services.do_check_in(net["actor"], w.signup.token)
        assert caught.value.code == "not_confirmed"
        with pytest.raises(PermissionDenied):
            services.do_check_in(Actor(users["street_staff"]), a.signup.token)


def test_committee_staff_check_in_only_their_own_events(
    net: dict[str, Any], street: Any, users: Any
) -> None:
    own = services.do_create_event(
        Actor(users["committee_staff"]), title="陕新读书会", space=net["room"],
        starts_at=at(2, 10), ends_at=at(2, 11), capacity=5, committee_id=street["c1"].pk,
    )  # fmt: skip
    a = services.do_sign_up(PUBLIC, own.pk, "甲", phone(1))
    with mock.patch("django.utils.timezone.now", return_value=own.starts_at):
        with pytest.raises(PermissionDenied):
            services.do_check_in(Actor(users["committee_staff_2"]), a.signup.token)
        services.do_check_in(Actor(users["committee_staff"]), a.signup.token)
    with pytest.raises(PermissionDenied):
        services.do_create_event(
            Actor(users["committee_staff"]), title="跨界", space=net["room"], starts_at=at(3, 10),
            ends_at=at(3, 11), capacity=5, committee_id=street["c2"].pk,
        )  # fmt: skip


# --- rooms ---------------------------------------------------------------------------------------


def test_a_room_cannot_be_double_booked(event: Event, net: dict[str, Any]) -> None:
    with pytest.raises(CommunityError) as caught:
        services.do_create_event(
            net["actor"], title="撞车", space=net["hall"], starts_at=at(1, 19), ends_at=at(1, 20),
            capacity=10,
        )  # fmt: skip
    assert caught.value.code == "double_booked"
    assert Event.objects.count() == 1
    with pytest.raises(CommunityError):
        services.do_place_order(
            PUBLIC, position=net["centre"], requester_kind="resident", requester_name="甲",
            phone=phone(9), space=net["hall"], starts_at=at(1, 18), ends_at=at(1, 19),
        )  # fmt: skip
    assert ServiceOrder.objects.count() == 0
    # The next slot is free.
    order = services.do_place_order(
        PUBLIC, position=net["centre"], requester_kind="resident", requester_name="甲",
        phone=phone(9), space=net["hall"], starts_at=at(1, 19, 30), ends_at=at(1, 20),
    )  # fmt: skip
    assert order.slots.count() == 1


def test_cancelling_an_order_frees_the_room(net: dict[str, Any]) -> None:
    kw = {"position": net["centre"], "requester_kind": "organisation", "requester_name": "某公司",
          "space": net["room"], "starts_at": at(2, 9), "ends_at": at(2, 10)}  # fmt: skip
    order = services.do_place_order(PUBLIC, **kw)
    services.do_advance_order(net["actor"], order.pk, "cancel")
    services.do_place_order(PUBLIC, **kw)
    assert ServiceOrder.objects.count() == 2


def test_series_creates_weekday_events_and_skips_taken_days(net: dict[str, Any]) -> None:
    from datetime import time

    from linli.community.models import Series

    series = Series.objects.create(
        title="晚间一小时", space=net["hall"], start_time=time(18, 30), end_time=time(19, 30),
        capacity=40, reserved_offline=5, partners="徐汇区图书馆、衡复风貌馆、永乐股份",
    )  # fmt: skip
    first = timezone.localdate() + timedelta(days=7)
    last = first + timedelta(days=13)
    created, skipped = services.do_schedule_series(net["actor"], series, first, last)
    assert created == 10 and skipped == 0
    events = list(Event.objects.filter(series=series))
    assert all(
        e.starts_at.astimezone(timezone.get_current_timezone()).isoweekday() <= 5 for e in events
    )
    assert all(e.release_at == e.starts_at - timedelta(hours=4) for e in events)
    assert {e.partner for e in events} == {"徐汇区图书馆", "衡复风貌馆", "永乐股份"}
    assert services.do_schedule_series(net["actor"], series, first, last) == (0, 10)


# --- orders -----------------------------------------------------------------------------------


def test_order_loop_with_dispatch_and_rating(net: dict[str, Any]) -> None:
    order = services.do_place_order(
        PUBLIC, position=net["centre"], menu_item=net["lecture"], requester_kind="resident",
        requester_name="王阿姨", phone=phone(5), people=10,
    )  # fmt: skip
    assert order.number.startswith("FW") and order.status == "ordered"
    assert order.due_by == timezone.localdate() + timedelta(days=3)
    services.do_advance_order(net["actor"], order.pk, "accept")
    with pytest.raises(CommunityError):
        services.do_advance_order(net["actor"], order.pk, "dispatch")
    services.do_advance_order(net["actor"], order.pk, "dispatch", to_team=net["team"])
    with pytest.raises(CommunityError):
        services.do_advance_order(net["actor"], order.pk, "rate", rating=5)
    services.do_advance_order(net["actor"], order.pk, "deliver")
    with pytest.raises(CommunityError):
        services.do_advance_order(net["actor"], order.pk, "rate", rating=6)
    done = services.do_advance_order(net["actor"], order.pk, "rate", rating=5, feedback="很好")
    assert (done.status, done.rating, done.dispatched_team) == ("rated", 5, net["team"])


def test_phone_orders_need_staff_and_overdue_is_flagged(net: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.do_place_order(
            PUBLIC, position=net["centre"], menu_item=net["lecture"], requester_kind="resident",
            requester_name="王阿姨", phone=phone(5), channel="phone",
        )  # fmt: skip
    order = services.do_place_order(
        net["actor"], position=net["centre"], menu_item=net["lecture"], requester_kind="resident",
        requester_name="王阿姨", phone=phone(5), channel="phone",
    )  # fmt: skip
    assert not services.is_overdue(order)
    assert services.is_overdue(order, timezone.localdate() + timedelta(days=4))
    services.do_advance_order(net["actor"], order.pk, "accept")
    services.do_advance_order(net["actor"], order.pk, "deliver")
    order.refresh_from_db()
    assert not services.is_overdue(order, timezone.localdate() + timedelta(days=4))


def test_order_errors_name_the_field(net: dict[str, Any]) -> None:
    with pytest.raises(CommunityError) as caught:
        services.do_place_order(PUBLIC, position=net["centre"], requester_kind="resident",
                             requester_name="甲", phone=phone(1))  # fmt: skip
    assert caught.value.field == "menu_item"
    with pytest.raises(CommunityError) as caught:
        services.do_place_order(PUBLIC, position=net["centre"], menu_item=net["lecture"],
                             requester_kind="resident", requester_name="甲", phone=phone(1),
                             people=41)  # fmt: skip
    assert caught.value.field == "people"
    with pytest.raises(CommunityError) as caught:
        services.do_place_order(PUBLIC, position=net["station"], menu_item=net["lecture"],
                             requester_kind="resident", requester_name="甲", phone=phone(1))  # fmt: skip
    assert caught.value.field == "menu_item"


# --- wishes -----------------------------------------------------------------------------------


def test_a_wish_becomes_a_menu_item(net: dict[str, Any]) -> None:
    wish = services.do_make_wish(PUBLIC, "希望开设老年人智能手机课", "赵", phone(7))
    assert wish.phone_masked == "139****0007"
    item = services.do_adopt_wish(
        net["actor"], wish, position=net["centre"], family="civilisation", title="智能手机课堂",
        audience="老年居民", capacity=20, duration_minutes=90, mode="appointment",
    )  # fmt: skip
    wish.refresh_from_db()
    assert (wish.status, wish.menu_item) == ("adopted", item)
    with pytest.raises(CommunityError):
        services.do_decline_wish(net["actor"], wish, "重复")


# --- volunteers -------------------------------------------------------------------------------


def test_volunteer_hours_qr_self_report_approval_and_certificate(
    net: dict[str, Any], event: Event
) -> None:
    actor = net["actor"]
    v = services.do_register_volunteer(actor, net["team"], "陈志愿", phone(8), "11010519491231002X")
    assert v.id_masked == "110105********002X" and v.phone_masked == "139****0008"
    assert TeamMember.objects.filter(team=net["team"], volunteer=v).exists()
    shift = services.do_create_shift(
        actor, net["team"], "活动引导", event.starts_at, event.ends_at, event=event
    )
    with mock.patch("django.utils.timezone.now", return_value=event.starts_at):
        rec = services.do_scan_shift(actor, shift, v)
    assert rec.status == "pending"
    with mock.patch(
        "django.utils.timezone.now", return_value=event.starts_at + timedelta(minutes=75)
    ):
        rec = services.do_scan_shift(actor, shift, v)
    assert (rec.minutes, rec.status, rec.source) == (75, "approved", "qr")
    own = services.do_report_hours(actor, v, net["team"], timezone.localdate(), 120, "建筑导览")
    assert own.status == "pending"
    services.do_decide_hours(actor, own, approve=True)
    corr = services.do_request_correction(actor, own, 150, "少记半小时")
    services.do_decide_correction(actor, corr, accept=True)
    own.refresh_from_db()
    assert own.minutes == 150
    cert = services.do_issue_certificate(actor, v, net["team"])
    assert cert.minutes == 225
    street = net["team"].subdistrict.code if net["team"].subdistrict_id else "LL"
    assert cert.number == f"{street}-{timezone.localdate():%Y}-00001"
    again = services.do_issue_certificate(actor, v, net["team"])
    assert again.number == f"{street}-{timezone.localdate():%Y}-00002"
    assert HourRecord.objects.filter(volunteer=v, status="approved").count() == 2


def test_self_reported_hours_cannot_be_in_the_future(net: dict[str, Any]) -> None:
    v = services.do_register_volunteer(net["actor"], net["team"], "陈志愿", phone(8))
    with pytest.raises(CommunityError) as caught:
        services.do_report_hours(
            net["actor"], v, net["team"], timezone.localdate() + timedelta(days=1), 60, "x"
        )
    assert caught.value.field == "on"


# --- alliance --------------------------------------------------------------------------------


def test_school_orders_unit_accepts_schedules_delivers_school_feeds_back(
    net: dict[str, Any],
) -> None:
    school, unit = Actor(net["school_user"]), Actor(net["unit_user"])
    order = services.do_order_alliance_project(school, net["project"], 35, "四年级")
    assert order.school == net["school"]
    with pytest.raises(CommunityError):
        services.do_advance_alliance_order(school, order.pk, "accept")
    with pytest.raises(CommunityError):
        services.do_advance_alliance_order(
            Actor(net["school2_user"]), order.pk, "feedback", rating=5
        )
    services.do_advance_alliance_order(unit, order.pk, "accept")
    services.do_advance_alliance_order(
        unit, order.pk, "schedule", scheduled_at=at(10, 14), place="学校礼堂"
    )
    services.do_advance_alliance_order(unit, order.pk, "deliver")
    with pytest.raises(CommunityError):
        services.do_advance_alliance_order(unit, order.pk, "feedback", rating=5)
    done = services.do_advance_alliance_order(
        school, order.pk, "feedback", rating=5, feedback="孩子们很喜欢"
    )
    assert (done.status, done.rating) == ("closed", 5)


def test_units_cannot_order_and_capacity_holds(net: dict[str, Any]) -> None:
    with pytest.raises(CommunityError):
        services.do_order_alliance_project(Actor(net["unit_user"]), net["project"], 10, "四年级")
    with pytest.raises(CommunityError) as caught:
        services.do_order_alliance_project(Actor(net["school_user"]), net["project"], 41, "四年级")
    assert caught.value.field == "students"
    assert AllianceOrder.objects.count() == 0


# --- practical projects ------------------------------------------------------------------------


def test_budget_must_add_up_to_the_fen(net: dict[str, Any], street: Any) -> None:
    bad = PracticalProject(title="颐德坊密码门禁", kind="gates", committee=street["c2"],
                           place="颐德坊", owner="新乐居民区党总支", resident_fen=1_000_00,
                           subsidy_fen=2_000_00, other_fen=0, budget_fen=3_000_01)  # fmt: skip
    with pytest.raises(CommunityError) as caught:
        services.do_save_project(net["actor"], bad)
    assert caught.value.field == "budget_fen"
    bad.budget_fen = 3_000_00
    services.do_save_project(net["actor"], bad)
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticalProject.objects.filter(pk=bad.pk).update(budget_fen=1)


def test_contributions_and_lane_decisions(net: dict[str, Any], street: Any, users: Any) -> None:
    project = services.do_save_project(net["actor"], PracticalProject(
        title="颐德坊密码门禁", kind="gates", committee=street["c1"], place="颐德坊",
        owner="党总支", resident_fen=300_00, subsidy_fen=700_00, budget_fen=1000_00,
    ))  # fmt: skip
    services.do_record_contribution(net["actor"], project, "1号", 150_00, "R001")
    with pytest.raises(CommunityError):
        services.do_record_contribution(net["actor"], project, "1号", 10_00, "R002")
    with pytest.raises(CommunityError):
        services.do_record_contribution(net["actor"], project, "2号", 200_00, "R003")
    decision = services.do_record_decision(
        net["actor"], project, timezone.localdate(), "安装五扇密码门", 9, 6, 1, 1
    )
    assert decision.passed
    with pytest.raises(PermissionDenied):
        services.do_record_contribution(
            Actor(users["committee_staff_2"]), project, "3号", 1_00, "R004"
        )
