"""Notices of the service centre: residents' SMS (case done, pick-up, appointment) and the
daily and hourly schedules (case deadlines, follow-ups of bad ratings, lockers)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core import crypto
from linli.core.context import Actor
from linli.core.workdays import PLAIN_WEEK, WorkCalendar
from linli.hall import rules, services, tasks
from linli.hall.models import Appointment, Case, Locker, Pickup, Rating, Slot
from linli.hall.rules import CaseReminder, FollowUpReminder
from linli.notices.models import Notice

from .conftest import VALID_OLD, VALID_YOUNG

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
MON = date(2026, 12, 7)


# --------------------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 3), None),  # Thursday: two working days before Monday
        (date(2026, 12, 4), CaseReminder.DUE),  # Friday: the working day before
        (date(2026, 12, 6), CaseReminder.DUE),  # Sunday
        (MON, CaseReminder.DUE),  # the day itself
        (date(2026, 12, 8), CaseReminder.OVERDUE),
    ],
)
def test_case_reminder_one_working_day_before(today: date, expected: CaseReminder | None) -> None:
    assert rules.case_reminder("accepted", MON, today, PLAIN_WEEK) is expected
    assert rules.case_reminder("in_progress", MON, today, PLAIN_WEEK) is expected


def test_finished_cases_are_never_reminded() -> None:
    for status in ("completed", "returned"):
        assert rules.case_reminder(status, MON, date(2026, 12, 20)) is None


def test_case_reminder_skips_holidays() -> None:
    holiday = WorkCalendar.of([date(2026, 12, 4)])  # Friday off
    assert rules.case_reminder("accepted", MON, date(2026, 12, 3), holiday) is CaseReminder.DUE


def test_follow_up_reminder() -> None:
    due = date(2026, 12, 4)
    assert rules.follow_up_reminder(due, False, date(2026, 12, 1)) is FollowUpReminder.OPEN
    assert rules.follow_up_reminder(due, False, due) is FollowUpReminder.DUE
    assert rules.follow_up_reminder(due, False, date(2026, 12, 9)) is FollowUpReminder.DUE
    assert rules.follow_up_reminder(due, True, due) is None
    assert rules.follow_up_reminder(None, False, due) is None


# --------------------------------------------------------------------------- residents' SMS


def _sms(kind: str) -> list[Notice]:
    return list(Notice.objects.filter(kind=kind, channel="sms").order_by("pk"))


@pytest.fixture
def clerk(users: Any) -> Actor:
    return Actor(users["window_clerk"], "t")


@pytest.fixture
def serving(centre: dict[str, Any], clerk: Actor) -> Any:
    ticket = services.do_issue_ticket(centre["qa"], VALID_OLD)
    services.do_call_next_ticket(clerk, centre["w1"])
    services.do_start_ticket(clerk, ticket)
    return ticket


def test_the_phone_is_kept_encrypted_and_masked(
    centre: dict[str, Any], clerk: Actor, serving: Any
) -> None:
    case = services.do_open_case(clerk, centre["item"], ticket=serving, phone="139 1234 5678")
    case.refresh_from_db()
    assert case.phone_masked == "139****5678"
    assert PHONE not in case.phone_cipher
    assert crypto.decrypt(case.phone_cipher, services.PHONE_PURPOSE) == PHONE


def test_a_bad_phone_names_the_field_and_writes_nothing(
    centre: dict[str, Any], clerk: Actor, serving: Any
) -> None:
    with pytest.raises(services.HallError) as exc:
        services.do_open_case(clerk, centre["item"], ticket=serving, phone="12345")
    assert exc.value.field == "phone"
    assert not Case.objects.exists()


def test_case_done_and_pickup_ready_go_to_the_residents_phone(
    centre: dict[str, Any], clerk: Actor, serving: Any
) -> None:
    case = services.do_open_case(clerk, centre["item"], ticket=serving, phone=PHONE)
    services.do_set_case_status(clerk, case, "completed")
    [done] = _sms("hall.case_done")
    assert done.address_masked == "139****5678"
    assert done.params == {"item": "社会保障卡申领", "case": case.number}
    assert done.text == f"您办理的社会保障卡申领（办件编号{case.number}）已办结。"
    assert done.key == f"hall.case_done:{case.pk}"

    locker = Locker.objects.create(hall=centre["A"], number=7)
    pickup = services.do_deposit_pickup(clerk, case, locker)
    [ready] = _sms("hall.pickup_ready")
    assert ready.address_masked == "139****5678"
    assert ready.params == {"locker": "7", "code": pickup.code}
    assert ready.text.startswith(f"您的办件材料已存入7号柜，取件码{pickup.code}")


def test_no_phone_no_sms(centre: dict[str, Any], clerk: Actor, serving: Any) -> None:
    case = services.do_open_case(clerk, centre["item"], ticket=serving)
    services.do_set_case_status(clerk, case, "completed")
    services.do_deposit_pickup(clerk, case, Locker.objects.create(hall=centre["A"], number=1))
    assert not Notice.objects.exists()


def test_the_lockers_page_says_whether_the_resident_was_told(
    client: Any, centre: dict[str, Any], clerk: Actor, serving: Any, users: Any
) -> None:
    case = services.do_open_case(clerk, centre["item"], ticket=serving, phone=PHONE)
    services.do_set_case_status(clerk, case, "completed")
    locker = Locker.objects.create(hall=centre["A"], number=3)
    client.force_login(users["window_clerk"])
    page = client.post(
        reverse("hall:lockers"), {"case": case.number, "locker": locker.pk}, follow=True
    ).content.decode()
    assert "已短信通知居民（139****5678）" in page
    assert "短信通知未接入" not in page


def test_the_window_form_takes_the_phone(
    client: Any, centre: dict[str, Any], serving: Any, users: Any
) -> None:
    client.force_login(users["window_clerk"])
    url = reverse("hall:window_open_case", args=[1])
    client.post(url, {"ticket": serving.pk, "item": centre["item"].pk, "phone": PHONE})
    assert Case.objects.get().phone_masked == "139****5678"
    page = client.get(reverse("hall:window", args=[1])).content.decode()
    assert "139****5678" in page and PHONE not in page


# --------------------------------------------------------------------------- lockers, hourly


def _deposited(centre: dict[str, Any], clerk: Actor, serving: Any, days_ago: float) -> Pickup:
    case = services.do_open_case(clerk, centre["item"], ticket=serving, phone=PHONE)
    services.do_set_case_status(clerk, case, "completed")
    pickup = services.do_deposit_pickup(
        clerk, case, Locker.objects.create(hall=centre["A"], number=2)
    )
    at = timezone.now() - timedelta(days=days_ago)
    Pickup.objects.filter(pk=pickup.pk).update(
        deposited_at=at, expires_at=at + timedelta(days=services.HOLD_DAYS)
    )
    return pickup


def test_the_hourly_task_reminds_on_day_five_once(
    centre: dict[str, Any], clerk: Actor, serving: Any
) -> None:
    pickup = _deposited(centre, clerk, serving, days_ago=5.1)
    assert tasks.expire_lockers.delay().get() == {"reminded": 1, "expired": 0}
    reminder = _sms("hall.pickup_ready")[-1]
    assert reminder.key == f"hall.pickup_ready:{pickup.pk}:reminder"
    assert reminder.params == {"locker": "2", "code": pickup.code}
    assert tasks.expire_lockers.delay().get() == {"reminded": 0, "expired": 0}
    assert len(_sms("hall.pickup_ready")) == 2  # the deposit's and the reminder


def test_the_hourly_task_expires_and_the_page_no_longer_does(
    client: Any, centre: dict[str, Any], clerk: Actor, serving: Any, users: Any
) -> None:
    pickup = _deposited(centre, clerk, serving, days_ago=7.5)
    client.force_login(users["window_clerk"])
    assert client.get(reverse("hall:lockers")).status_code == 200
    pickup.refresh_from_db()
    assert pickup.status == "waiting"  # opening the page changes nothing
    assert tasks.expire_lockers.delay().get() == {"reminded": 1, "expired": 1}
    pickup.refresh_from_db()
    assert pickup.status == "expired"
    assert len(_sms("hall.pickup_ready")) == 1  # no reminder for a result already expired


# --------------------------------------------------------------------------- case deadlines


@pytest.fixture
def managers(users: Any) -> list[Any]:
    manager = users["street_staff"]
    manager.department = "service_centre"
    manager.save()
    return [manager]


def _inbox(user: Any) -> list[str]:
    return [n.key for n in Notice.objects.filter(user=user, channel="inbox").order_by("pk")]


def test_case_deadlines_remind_the_clerk_then_the_managers(
    centre: dict[str, Any], clerk: Actor, serving: Any, users: Any, managers: list[Any]
) -> None:
    today = timezone.localdate()
    due = services.do_open_case(clerk, centre["item"], ticket=serving)
    late = services.do_open_case(clerk, centre["item"], ticket=serving)
    later = services.do_open_case(clerk, centre["item"], ticket=serving)
    done = services.do_open_case(clerk, centre["item"], ticket=serving)
    Case.objects.filter(pk=due.pk).update(due_on=today)
    Case.objects.filter(pk=late.pk).update(due_on=today - timedelta(days=1))
    Case.objects.filter(pk=later.pk).update(due_on=today + timedelta(days=20))
    Case.objects.filter(pk=done.pk).update(due_on=today - timedelta(days=1), status="completed")

    assert tasks.case_deadlines.delay().get() == {"due": 1, "overdue": 1, "follow_ups": 0}

    yesterday = today - timedelta(days=1)
    assert _inbox(users["window_clerk"]) == [  # the most urgent first
        f"hall.case_deadline:{late.pk}:{yesterday}:overdue",
        f"hall.case_deadline:{due.pk}:{today}:due",
    ]
    assert _inbox(managers[0]) == [f"hall.case_deadline:{late.pk}:{yesterday}:overdue"]
    notice = Notice.objects.get(user=users["window_clerk"], key__endswith=":due")
    assert notice.params == {
        "case": due.number, "item": "社会保障卡申领", "due": str(today),
        "url": f"/hall/cases/?q={due.number}",
    }  # fmt: skip
    before = Notice.objects.count()
    tasks.case_deadlines.delay()
    assert Notice.objects.count() == before


def test_a_case_without_a_clerk_goes_to_the_managers(
    centre: dict[str, Any], users: Any, managers: list[Any]
) -> None:
    centre["item"].channel_self_service = True
    centre["item"].save()
    case = services.do_open_case(
        Actor(None, "terminal", "kiosk"), centre["item"], id_number=VALID_YOUNG
    )
    Case.objects.filter(pk=case.pk).update(due_on=timezone.localdate())
    services.do_send_case_reminders()
    assert _inbox(managers[0]) == [f"hall.case_deadline:{case.pk}:{timezone.localdate()}:due"]


def test_bad_ratings_are_followed_up(
    centre: dict[str, Any], clerk: Actor, serving: Any, users: Any, managers: list[Any]
) -> None:
    serving.item = centre["item"]
    serving.save(update_fields=["item"])
    services.do_finish_ticket(clerk, serving)
    rating = services.do_rate_ticket(serving, 2, "等太久")
    services.do_rate_case(
        services.do_set_case_status(
            clerk, services.do_open_case(clerk, centre["item"], ticket=serving), "completed"
        ),
        5,
    )
    assert services.do_send_case_reminders()["follow_ups"] == 1
    [notice] = Notice.objects.filter(kind="hall.rating_followup")
    assert notice.user == managers[0]
    assert notice.params == {
        "window": "1号窗口", "stars": "2", "item": "社会保障卡申领",
        "due": str(rating.follow_up_due), "url": "/hall/ratings/",
    }  # fmt: skip
    assert notice.key == f"hall.rating_followup:{rating.pk}:open"
    services.do_send_case_reminders()
    assert Notice.objects.filter(kind="hall.rating_followup").count() == 1
    # On the deadline day it comes again; once followed up, never.
    assert rating.follow_up_due is not None
    services.do_send_case_reminders(rating.follow_up_due)
    assert Notice.objects.filter(kind="hall.rating_followup").count() == 2
    Rating.objects.filter(pk=rating.pk).update(follow_up_done_at=timezone.now())
    services.do_send_case_reminders(rating.follow_up_due + timedelta(days=3))
    assert Notice.objects.filter(kind="hall.rating_followup").count() == 2


def test_without_a_centre_manager_the_street_admin_is_told(
    centre: dict[str, Any], clerk: Actor, serving: Any, users: Any
) -> None:
    services.do_finish_ticket(clerk, serving)
    services.do_rate_ticket(serving, 1)
    services.do_send_case_reminders()
    assert Notice.objects.get(kind="hall.rating_followup").user == users["street_admin"]


# --------------------------------------------------------------------------- appointments


@pytest.fixture
def tomorrow_slot(centre: dict[str, Any]) -> Slot:
    return Slot.objects.create(
        item=centre["item"],
        day=timezone.localdate() + timedelta(days=1),
        starts_at=time(9, 30),
        capacity=5,
    )


def test_appointment_reminders_the_day_before(
    client: Any, tomorrow_slot: Slot, centre: dict[str, Any]
) -> None:
    response = client.post(
        reverse("hall:book"),
        {"item": "SB002", "slot": tomorrow_slot.pk, "id_number": VALID_OLD, "phone": PHONE},
    )
    assert response.status_code == 200
    booked = Appointment.objects.get()
    assert booked.phone_masked == "139****5678"
    services.do_book_appointment(tomorrow_slot, VALID_YOUNG)  # no phone: no reminder
    cancelled = services.do_book_appointment(
        tomorrow_slot, "440524188001010014", phone="13800001111"
    )
    services.do_cancel_appointment(cancelled.code, "440524188001010014")

    assert tasks.appointment_reminders.delay().get() == 1
    [sms] = _sms("hall.appointment_reminder")
    day = tomorrow_slot.day
    assert sms.address_masked == "139****5678"
    assert sms.params == {
        "date": f"{day.month}月{day.day}日", "time": "09:30", "hall": "A厅 综合业务受理",
        "item": "社会保障卡申领",
    }  # fmt: skip
    assert sms.key == f"hall.appointment_reminder:{booked.pk}"
    tasks.appointment_reminders.delay()
    assert len(_sms("hall.appointment_reminder")) == 1


@pytest.mark.parametrize(
    "name",
    ["linli.hall.case_deadlines", "linli.hall.appointment_reminders", "linli.hall.expire_lockers"],
)
def test_the_schedule_rows_run_the_tasks(name: str, users: Any, centre: dict[str, Any]) -> None:
    from django_celery_beat.models import PeriodicTask

    from linli.core.models import AuditRecord
    from linli.jobs import schedules

    row = PeriodicTask.objects.get(name=name)
    schedules.do_run_schedule_now(
        Actor(users["street_admin"]), row
    )  # raises if the task is not registered
    assert AuditRecord.objects.filter(action="jobs.schedule.run", object_id=str(row.pk)).exists()


def test_the_pickup_sms_is_delivered_once_after_commit(
    centre: dict[str, Any], clerk: Actor, serving: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """From the service to the SMS channel: the template and its parameters, to the phone."""
    from linli.notices.channels import MemorySmsBackend

    MemorySmsBackend.outbox.clear()
    case = services.do_open_case(clerk, centre["item"], ticket=serving, phone=PHONE)
    services.do_set_case_status(clerk, case, "completed")
    with django_capture_on_commit_callbacks(execute=True):
        pickup = services.do_deposit_pickup(
            clerk, case, Locker.objects.create(hall=centre["A"], number=5)
        )
    [message] = [m for m in MemorySmsBackend.outbox if m.kind == "hall.pickup_ready"]
    assert message.address == PHONE
    assert message.template_params == {"locker": "5", "code": pickup.code}
    [notice] = _sms("hall.pickup_ready")
    assert notice.state == "sent"
    MemorySmsBackend.outbox.clear()
