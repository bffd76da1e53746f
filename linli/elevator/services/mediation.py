"""Objections and their mediation (老娘舅), and round-table meetings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.context import Actor

from ..errors import ElevatorError
from ..models import MediationSession, Objection, Owner, Project, RoundTable
from .base import _manage


def do_add_objection(
    actor: Actor,
    project: Project,
    *,
    objector: Owner | None,
    objector_label: str,
    reason: str,
    raised: date,
    mediators: Sequence[Owner] = (),
) -> Objection:
    _manage(actor, project.committee_id)
    if len(mediators) > 3:
        raise ElevatorError(_("老娘舅调解小组由三位业主组成。"), field="mediators")
    if objector is None and not objector_label.strip():
        raise ElevatorError(_("请选择或填写提出人。"), field="objector")
    with transaction.atomic():
        obj = Objection.objects.create(
            project=project,
            objector=objector,
            objector_label=objector_label.strip(),
            reason=reason,
            raised=raised,
        )
        obj.mediators.set(mediators)
        audit.record(actor, "elevator.objection.add", obj, details={"project": project.pk})
    return obj


def do_add_mediation_session(
    actor: Actor, objection: Objection, on: date, notes: str
) -> MediationSession:
    _manage(actor, objection.project.committee_id)
    with transaction.atomic():
        session = objection.sessions.create(on=on, notes=notes)
        audit.record(
            actor, "elevator.mediation.session", session, details={"objection": objection.pk}
        )
    return session


def do_settle_objection(actor: Actor, objection: Objection, status: str, agreement: str) -> None:
    _manage(actor, objection.project.committee_id)
    if status not in Objection.Status.values:
        raise ElevatorError(_("未知的状态。"), field="status")
    with transaction.atomic():
        objection.status = status
        objection.agreement = agreement
        objection.save(update_fields=["status", "agreement"])
        audit.record(actor, "elevator.objection.settle", objection, details={"status": status})


def do_add_round_table(
    actor: Actor, project: Project, on: date, agenda: str, attendance: str, minutes: str
) -> RoundTable:
    _manage(actor, project.committee_id)
    with transaction.atomic():
        table = project.round_tables.create(
            on=on, agenda=agenda, attendance=attendance, minutes=minutes
        )
        audit.record(actor, "elevator.round_table.add", table, details={"project": project.pk})
    return table
