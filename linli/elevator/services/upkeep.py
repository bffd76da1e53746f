"""After the lift is in service: maintenance records."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from linli.core import audit
from linli.core.context import Actor

from ..models import MaintenanceRecord, Project
from .base import _manage


def do_add_maintenance(actor: Actor, project: Project, on: date, by: str, notes: str) -> None:
    _manage(actor, project.committee_id)
    with transaction.atomic():
        rec = MaintenanceRecord.objects.create(project=project, on=on, by=by, notes=notes)
        audit.record(actor, "elevator.maintenance.add", rec, details={"project": project.pk})
