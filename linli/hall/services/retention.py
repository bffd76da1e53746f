"""Retention: anonymising old personal data while every statistic stays (celery beat)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from linli.core import audit
from linli.core.context import Actor

from .. import rules
from ..models import (
    Appointment,
    Case,
    Pickup,
    Ticket,
)
from .common import local_day


def do_purge_personal_data(now: datetime | None = None) -> dict[str, int]:
    """Anonymise the personal data of tickets, closed cases, appointments and locker pickups
    older than ``LINLI_HALL_RETENTION_DAYS`` (default 180): ID hashes, phones (encrypted and
    masked), pickup codes and staff notes are blanked in place, so every statistic -- counted
    from the rows' times, states, items and windows -- is unchanged. Open cases and waiting
    pickups keep theirs. One transaction, audited with the counts; a rerun changes nothing.
    Run daily by the schedule (``tasks.purge_personal_data``)."""
    from django.conf import settings
    from django.db.models import Q

    now = now or timezone.now()
    days = getattr(settings, "LINLI_HALL_RETENTION_DAYS", rules.RETENTION_DEFAULT_DAYS)
    cutoff = rules.retention_cutoff(local_day(now), days)
    since = timezone.make_aware(datetime.combine(cutoff, datetime.min.time()))
    with transaction.atomic():
        tickets = Ticket.objects.filter(day__lt=cutoff).filter(
            ~Q(id_hash="") | ~Q(escalation_reason="") | ~Q(backoffice_note="")
        )
        counts = {"tickets": tickets.update(id_hash="", escalation_reason="", backoffice_note="")}
        cases = Case.objects.filter(
            status__in=[rules.CaseStatus.COMPLETED, rules.CaseStatus.RETURNED],
            closed_on__lt=cutoff,
        ).filter(~Q(id_hash="") | ~Q(phone_cipher="") | ~Q(phone_masked="") | ~Q(note=""))
        counts["cases"] = cases.update(id_hash="", phone_cipher="", phone_masked="", note="")
        appointments = Appointment.objects.filter(slot__day__lt=cutoff).filter(
            ~Q(id_hash="") | ~Q(phone_cipher="") | ~Q(phone_masked="")
        )
        counts["appointments"] = appointments.update(id_hash="", phone_cipher="", phone_masked="")
        pickups = Pickup.objects.filter(deposited_at__lt=since).exclude(
            status=Pickup.Status.WAITING
        )
        counts["pickups"] = pickups.exclude(code="").update(code="")
        audit.record(
            Actor.system("hall retention"), "hall.retention.purge", object_type="hall.ticket",
            details={"before": cutoff.isoformat(), "days": days, **counts},
        )  # fmt: skip
    return counts
