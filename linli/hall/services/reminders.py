"""Reminders the schedule sends: case deadlines, rating follow-ups, appointments."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.workdays import add_working_days
from linli.notices import services as notices

from .. import rules
from .common import resident_phone, work_calendar


def do_send_case_reminders(today: date | None = None) -> dict[str, int]:
    """Daily: a case due the next working day (or today) reminds the clerk who accepted it (the
    centre's managers when there is none); an overdue case reminds the clerk and the managers;
    a bad rating announces its follow-up to the managers, and again on its deadline. Each is
    keyed by object, date and stage, so a re-run the same day sends nothing twice."""
    from .. import queries

    today = today or timezone.localdate()
    calendar = work_calendar()
    counts = {"due": 0, "overdue": 0, "follow_ups": 0}
    with transaction.atomic():
        managers = queries.centre_managers()
        horizon = add_working_days(today, rules.CASE_REMIND_WORKING_DAYS, calendar)
        for case in queries.open_cases_due_by(horizon):
            stage = rules.case_reminder(case.status, case.due_on, today, calendar)
            if stage is None:
                continue
            clerk = [case.clerk] if case.clerk is not None and case.clerk.is_active else []
            if stage is rules.CaseReminder.DUE:
                recipients = clerk or managers
            else:
                recipients = clerk + [m for m in managers if m not in clerk]
            params = {
                "case": case.number, "item": case.item.name, "due": case.due_on.isoformat(),
                "url": f"/hall/cases/?q={case.number}",
            }  # fmt: skip
            key = f"hall.case_deadline:{case.pk}:{case.due_on.isoformat()}:{stage.value}"
            for user in recipients:
                notices.do_send_notice("hall.case_deadline", params, key=key, user=user)
            counts[stage.value] += 1
        for rating in queries.open_follow_ups():
            follow = rules.follow_up_reminder(rating.follow_up_due, False, today)
            if follow is None or rating.follow_up_due is None:
                continue
            params = {
                "window": str(rating.window) if rating.window else _("服务中心"),
                "stars": str(rating.stars),
                "item": rating.item.name if rating.item else _("未指定事项"),
                "due": rating.follow_up_due.isoformat(),
                "url": "/hall/ratings/",
            }
            key = f"hall.rating_followup:{rating.pk}:{follow.value}"
            for user in managers:
                notices.do_send_notice("hall.rating_followup", params, key=key, user=user)
            counts["follow_ups"] += 1
    return counts


def do_send_appointment_reminders(today: date | None = None) -> int:
    """Daily at 17:00: an SMS to everyone booked for tomorrow who left a number (once each)."""
    from .. import queries

    today = today or timezone.localdate()
    sent = 0
    with transaction.atomic():
        for appointment in queries.booked_on(today + timedelta(days=1)):
            slot = appointment.slot
            phone = resident_phone(appointment)
            if phone is None:
                continue
            params = {
                "date": f"{slot.day.month}月{slot.day.day}日",
                "time": slot.starts_at.strftime("%H:%M"),
                "hall": slot.item.hall.name,
                "item": slot.item.name,
            }
            notices.do_send_notice(
                "hall.appointment_reminder", params,
                key=f"hall.appointment_reminder:{appointment.pk}", phone=phone,
            )  # fmt: skip
            sent += 1
    return sent
