"""Retention: ticket, case, appointment and locker personal data anonymised after the
configured number of days, newer data and open cases kept, statistics unchanged, audited."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from linli.core.context import Actor
from linli.core.models import AuditRecord
from linli.hall import queries, rules, services
from linli.hall.models import Appointment, Case, Locker, Pickup, Queue, Slot, Ticket

from .conftest import VALID_OLD, VALID_YOUNG

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
AGO = timedelta(days=200)


def _served_case(clerk: Actor, centre: dict[str, Any], number: str) -> Case:
    ticket = services.do_issue_ticket(centre["qa"], number)
    services.do_call_next_ticket(clerk, centre["w1"])
    services.do_start_ticket(clerk, ticket)
    services.do_finish_ticket(clerk, ticket)
    return services.do_open_case(clerk, centre["item"], ticket=ticket, phone=PHONE, note="王先生")


def _age(case: Case, slot: Slot) -> None:
    """Move a served ticket, its case and pickup and a slot 200 days into the past."""
    Ticket.objects.filter(pk=case.ticket_id).update(
        day=F("day") - AGO, issued_at=F("issued_at") - AGO,
        first_called_at=F("first_called_at") - AGO, called_at=F("called_at") - AGO,
        started_at=F("started_at") - AGO, ended_at=F("ended_at") - AGO,
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(
        accepted_on=F("accepted_on") - AGO, due_on=F("due_on") - AGO,
        closed_on=F("closed_on") - AGO,
    )  # fmt: skip
    Pickup.objects.filter(case=case).update(
        deposited_at=F("deposited_at") - AGO, expires_at=F("expires_at") - AGO,
        collected_at=F("collected_at") - AGO,
    )  # fmt: skip
    Slot.objects.filter(pk=slot.pk).update(day=F("day") - AGO)


@pytest.fixture
def history(centre: dict[str, Any], users: Any) -> dict[str, Any]:
    clerk = Actor(users["window_clerk"], "t")
    Queue.objects.create(hall=centre["A"], prefix="Y", name="预约")
    tomorrow = timezone.localdate() + timedelta(days=1)
    old_slot = Slot.objects.create(item=centre["item"], day=tomorrow, starts_at=time(9, 0),
                                   capacity=3)  # fmt: skip
    new_slot = Slot.objects.create(item=centre["item"], day=tomorrow, starts_at=time(10, 0),
                                   capacity=3)  # fmt: skip
    old_appointment = services.do_book_appointment(old_slot, VALID_OLD, phone=PHONE)
    new_appointment = services.do_book_appointment(new_slot, VALID_YOUNG, phone=PHONE)
    old_case = _served_case(clerk, centre, VALID_OLD)
    services.do_set_case_status(clerk, old_case, "completed")
    pickup = services.do_deposit_pickup(
        clerk, old_case, Locker.objects.create(hall=centre["A"], number=1)
    )
    services.do_collect_pickup(pickup.code, VALID_OLD)
    open_case = _served_case(clerk, centre, VALID_YOUNG)
    _age(old_case, old_slot)
    Case.objects.filter(pk=open_case.pk).update(accepted_on=F("accepted_on") - AGO)
    return {"old_case": old_case, "open_case": open_case, "pickup": pickup,
            "old_appointment": old_appointment, "new_appointment": new_appointment}  # fmt: skip


def test_old_personal_data_is_anonymised_newer_kept_statistics_unchanged(
    settings: Any, users: Any, history: dict[str, Any]
) -> None:
    settings.LINLI_HALL_RETENTION_DAYS = 180
    today = timezone.localdate()
    span = (today - AGO - timedelta(days=1), today)
    before = queries.statistics(users["street_admin"], *span)
    assert before["total"] == 2 and before["served"] == 2

    counts = services.do_purge_personal_data()

    assert counts == {"tickets": 1, "cases": 1, "appointments": 1, "pickups": 1}
    old = Case.objects.select_related("ticket").get(pk=history["old_case"].pk)
    assert (old.id_hash, old.phone_cipher, old.phone_masked, old.note) == ("", "", "", "")
    assert old.ticket.id_hash == "" and old.ticket.age_band  # the age band is not identifying
    assert old.status == "completed" and old.closed_on == today - AGO  # what statistics count
    assert Pickup.objects.get(pk=history["pickup"].pk).code == ""
    gone = Appointment.objects.get(pk=history["old_appointment"].pk)
    assert (gone.id_hash, gone.phone_cipher, gone.phone_masked) == ("", "", "")
    # Newer data, and an open case however old, keep theirs: they are still being worked on.
    kept = Case.objects.select_related("ticket").get(pk=history["open_case"].pk)
    assert kept.id_hash and kept.phone_cipher and kept.ticket.id_hash
    assert queries.find_case(kept.number, VALID_YOUNG) == kept
    booked = Appointment.objects.get(pk=history["new_appointment"].pk)
    assert booked.id_hash and booked.phone_masked == "139****5678"
    # Nobody finds the anonymised case by the applicant's number any more.
    assert queries.find_case(old.number, VALID_OLD) is None
    assert queries.statistics(users["street_admin"], *span) == before
    record = AuditRecord.objects.get(action="hall.retention.purge")
    assert record.details == {
        "before": (today - timedelta(days=180)).isoformat(), "days": 180,
        "tickets": 1, "cases": 1, "appointments": 1, "pickups": 1,
    }  # fmt: skip
    assert services.do_purge_personal_data() == {
        "tickets": 0, "cases": 0, "appointments": 0, "pickups": 0
    }  # fmt: skip


def test_a_longer_retention_keeps_the_same_data(settings: Any, history: dict[str, Any]) -> None:
    settings.LINLI_HALL_RETENTION_DAYS = 365
    assert services.do_purge_personal_data() == {
        "tickets": 0, "cases": 0, "appointments": 0, "pickups": 0
    }  # fmt: skip
    assert Case.objects.get(pk=history["old_case"].pk).id_hash


def test_the_scheduled_task_runs_the_purge(settings: Any, history: dict[str, Any]) -> None:
    from django_celery_beat.models import PeriodicTask

    from linli.hall import tasks

    schedule = PeriodicTask.objects.get(name="linli.hall.purge_personal_data")
    assert schedule.task == "linli.hall.tasks.purge_personal_data" and schedule.enabled
    assert (schedule.crontab.hour, schedule.crontab.minute) == ("4", "15")
    assert tasks.purge_personal_data()["cases"] == 1


@pytest.mark.parametrize(("days", "cutoff"), [(180, date(2026, 6, 5)), (8, date(2026, 11, 24))])
def test_retention_cutoff(days: int, cutoff: date) -> None:
    assert rules.retention_cutoff(date(2026, 12, 2), days) == cutoff


@pytest.mark.parametrize("days", [0, 7, -1, "180", 180.0, True])
def test_a_retention_shorter_than_a_locker_holds_or_not_a_number_is_refused(days: Any) -> None:
    with pytest.raises(rules.RetentionSettingError, match="LINLI_HALL_RETENTION_DAYS"):
        rules.retention_cutoff(date(2026, 12, 2), days)
