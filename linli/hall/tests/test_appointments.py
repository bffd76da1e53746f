"""Appointments: slots with a walk-in reserve, booking, cancelling, check-in by ID swipe."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core import workcalendar
from linli.core.context import Actor
from linli.core.models import AuditRecord
from linli.hall import services
from linli.hall.models import Appointment, Queue, Slot, Ticket

from .conftest import VALID_OLD, VALID_YOUNG

pytestmark = pytest.mark.django_db
OTHER = "440524188001010014"


@pytest.fixture
def slot(centre: dict[str, Any]) -> Slot:
    Queue.objects.create(hall=centre["A"], prefix="Y", name="预约")
    tomorrow = timezone.localdate() + timedelta(days=1)
    return Slot.objects.create(
        item=centre["item"], day=tomorrow, starts_at=time(9, 0), capacity=3, walk_in_reserve=1
    )


def test_walk_in_reserve_is_not_bookable(slot: Slot) -> None:
    services.do_book_appointment(slot, VALID_OLD)
    services.do_book_appointment(slot, VALID_YOUNG)
    with pytest.raises(services.HallError) as exc:
        services.do_book_appointment(slot, OTHER)  # 3 places, 1 kept for walk-ins
    assert exc.value.code == "slot_full"
    with pytest.raises(services.HallError) as again:
        services.do_book_appointment(slot, VALID_OLD)
    assert again.value.code in {"already_booked", "slot_full"}
    assert AuditRecord.objects.filter(action="hall.appointment.book").count() == 2


def test_cancel_frees_the_place(slot: Slot) -> None:
    first = services.do_book_appointment(slot, VALID_OLD)
    services.do_book_appointment(slot, VALID_YOUNG)
    with pytest.raises(services.HallError):
        services.do_cancel_appointment(first.code, VALID_YOUNG)  # someone else's ID
    services.do_cancel_appointment(first.code.lower(), VALID_OLD)
    assert services.do_book_appointment(slot, OTHER).status == "booked"


def test_check_in_turns_booking_into_y_ticket(client: Any, slot: Slot) -> None:
    appointment = services.do_book_appointment(slot, VALID_YOUNG)
    on_the_day = timezone.make_aware(datetime.combine(slot.day, time(8, 50)))
    ticket = services.do_check_in_appointment(VALID_YOUNG, now=on_the_day)
    assert ticket.number == "Y001" and ticket.priority == "green"
    assert ticket.source == "appointment" and ticket.item == slot.item
    assert timezone.localtime(ticket.appointment_at).time() == time(9, 0)
    appointment.refresh_from_db()
    assert appointment.status == "checked_in" and appointment.ticket == ticket
    with pytest.raises(services.HallError) as exc:
        services.do_check_in_appointment(VALID_YOUNG, now=on_the_day)
    assert exc.value.code == "no_booking"


def test_kiosk_check_in_button(client: Any, slot: Slot) -> None:
    slot.day = timezone.localdate()
    slot.starts_at = time(23, 59)
    slot.save()
    services.do_book_appointment(slot, VALID_OLD)
    url = reverse("hall:kiosk", args=["A"])
    page = client.get(url).content.decode()
    assert "预约签到" in page and ">Y<" in page.replace("\n", "")
    response = client.post(url, {"checkin": "1", "id_number": VALID_OLD})
    assert response.status_code == 302
    assert Ticket.objects.get().number == "Y001"
    refused = client.post(url, {"checkin": "1", "id_number": VALID_YOUNG})
    assert refused.status_code == 400 and "今天没有您的预约" in refused.content.decode()


def test_public_booking_page(client: Any, slot: Slot) -> None:
    url = reverse("hall:book")
    page = client.get(url, {"item": "SB002"}).content.decode()
    assert "余 2" in page
    response = client.post(url, {"item": "SB002", "slot": slot.pk, "id_number": VALID_OLD})
    assert (
        response.status_code == 200 and Appointment.objects.get().code in response.content.decode()
    )
    assert VALID_OLD not in response.content.decode()


def test_slots_are_opened_by_managers_on_working_days(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    workcalendar.sync_from_package(Actor.system("test"))  # the street calendar (core)
    made = services.do_create_slots(
        Actor(users["street_admin"], "t"), centre["item"], date(2026, 9, 30), date(2026, 10, 12),
        [time(9, 0), time(14, 0)], 4, 1,
    )  # fmt: skip
    # National Day 2026: 1–7 Oct off, Saturday 10 Oct a 调休 working day, Sunday 11 Oct off.
    days = sorted(set(Slot.objects.values_list("day", flat=True)))
    assert days == [date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10),
                    date(2026, 10, 12)]  # fmt: skip
    assert made == 2 * 5
    client.force_login(users["window_clerk"])
    assert client.get(reverse("hall:slots")).status_code == 403
    client.force_login(users["street_admin"])
    assert client.get(reverse("hall:slots")).status_code == 200
    with pytest.raises(services.HallError):
        services.do_create_slots(
            Actor(users["street_admin"], "t"), centre["item"], date(2026, 9, 30),
            date(2026, 9, 30), [time(9, 0)], 2, 3,
        )  # fmt: skip


def test_a_booking_made_under_the_aes_suite_is_found_during_the_move_to_sm(
    settings: Any, slot: Slot
) -> None:
    settings.LINLI_CRYPTO_SUITE, settings.LINLI_CRYPTO_SUITE_PREVIOUS = "aes", ""
    appointment = services.do_book_appointment(slot, VALID_YOUNG)
    # SM suite alone: the booking's ID hash (no copy of the number is kept) no longer matches.
    settings.LINLI_CRYPTO_SUITE = "sm"
    with pytest.raises(services.HallError) as unknown:
        services.do_cancel_appointment(appointment.code, VALID_YOUNG)
    assert unknown.value.code == "unknown"
    # During the move both suites are accepted: the same person is still the same person.
    settings.LINLI_CRYPTO_SUITE_PREVIOUS = "aes"
    with pytest.raises(services.HallError) as twice:
        services.do_book_appointment(slot, VALID_YOUNG)
    assert twice.value.code == "already_booked"
    on_the_day = timezone.make_aware(datetime.combine(slot.day, time(8, 50)))
    assert services.do_check_in_appointment(VALID_YOUNG, now=on_the_day).number == "Y001"
