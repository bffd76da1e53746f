"""Deadlines of hazard cases: escalation (督办) of overdue cases and the daily reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from linli.core import audit, policy
from linli.core.context import Actor
from linli.core.workcalendar import work_calendar
from linli.notices import services as notices

from .. import rectification as rect
from ..models import (
    HazardCase,
)
from ..queries import method_of


def do_refresh_escalation(actor: Actor, today: date | None = None) -> int:
    """Count a new overdue event for open cases past their deadline (run daily); escalate."""
    policy.require(actor.user, "risk.manage")
    return len(do_escalate_overdue(actor, today or timezone.localdate()))


def do_escalate_overdue(actor: Actor, today: date) -> list[HazardCase]:
    """Escalate (督办) open cases newly past their deadline and tell who supervises them.

    The one escalation path: the cases page's button (``do_refresh_escalation``, which checks the
    permission) and the daily schedule (``do_send_hazard_reminders``) both come here.
    """
    escalated = []
    with transaction.atomic():
        for case in (
            HazardCase.objects.select_related("round__method", "committee", "finding")
            .exclude(state__in=[HazardCase.State.CLOSED, HazardCase.State.DEFERRED])
            .filter(due_on__lt=today, overdue_count=0)
        ):
            method = method_of(case.round.method)
            case.overdue_count = 1
            case.escalation = rect.escalation_level(
                case.grade, 1, case.escalation, method=method
            ).value
            case.save(update_fields=["overdue_count", "escalation"])
            escalated.append(case)
        if escalated:
            audit.record(
                actor,
                "risk.case.escalate",
                details={"cases": len(escalated), "on": today.isoformat()},
                object_type="risk.hazardcase",
            )
            _notify_overdue(escalated, today)
    return escalated


def _hazard_label(case: HazardCase) -> str:
    text = f"{case.committee.name} {case.subunit} {case.finding.description}"
    return text if len(text) <= 60 else text[:59] + "…"


def _case_url(case: HazardCase) -> str:
    return f"/risk/cases/{case.pk}/"


def _notify_overdue(cases: Sequence[HazardCase], today: date) -> None:
    """Overdue: the responsible unit and the street's safety office (the case is escalated)."""
    from .. import queries

    supervisors = queries.safety_department()
    for case in cases:
        assert case.due_on is not None
        params = {
            "hazard": _hazard_label(case),
            "due": case.due_on.isoformat(),
            "days": str((today - case.due_on).days),
            "url": _case_url(case),
        }
        key = f"risk.hazard_overdue:{case.pk}:{case.due_on.isoformat()}"
        notices.do_send_to_unit(
            "risk.hazard_overdue", params, key=key,
            committee=case.committee_id, partner=case.organisation_id,
        )  # fmt: skip
        for user in supervisors:
            notices.do_send_notice("risk.hazard_overdue", params, key=key, user=user)


def do_send_hazard_reminders(today: date | None = None) -> dict[str, int]:
    """The daily schedule: escalate overdue cases (and say so), and remind the responsible
    unit (committee, and the partner body the case is assigned to) 3 working days before a
    rectification deadline and on the day. Each reminder is keyed by case and deadline, so a
    re-run sends nothing twice and a moved deadline is reminded afresh."""
    from .. import queries

    today = today or timezone.localdate()
    counts = {"due": 0, "today": 0, "overdue": 0}
    with transaction.atomic():
        counts["overdue"] = len(do_escalate_overdue(Actor.system("risk reminders"), today))
        calendar = work_calendar()
        horizon = rect.reminder_horizon(today, calendar)
        for case in queries.cases_due_by(today, horizon):
            stage = rect.deadline_reminder(case.due_on, today, calendar)
            if stage is None or case.due_on is None:
                continue
            due = case.due_on.isoformat()
            if stage is rect.DeadlineReminder.TODAY:
                kind, params = "risk.hazard_today", {"hazard": _hazard_label(case)}
            else:
                kind, params = "risk.hazard_due", {"hazard": _hazard_label(case), "due": due}
            params["url"] = _case_url(case)
            notices.do_send_to_unit(
                kind, params, key=f"{kind}:{case.pk}:{due}",
                committee=case.committee_id, partner=case.organisation_id,
            )  # fmt: skip
            counts[stage.value] += 1
    return counts
