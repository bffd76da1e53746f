"""Questions to the guidance centre and their follow-up."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction

from linli.core import audit, policy
from linli.core.context import Actor

from ..models import Consultation


def do_save_consultation(actor: Actor, entry: Consultation, changed: Sequence[str] = ()) -> None:
    """A question to the guidance centre (phone, visit, online) and its follow-up."""
    policy.require(actor.user, "elevator.manage")
    scope = policy.committee_scope(actor.user)
    if scope is not None:
        if entry.committee_id not in (None, scope):
            raise PermissionDenied("out of scope")
        entry.committee_id = scope
    if entry.project is not None and entry.committee_id is None:
        entry.committee_id = entry.project.committee_id
    policy.require_in_scope(actor.user, entry.committee_id)
    if entry.project is not None:
        policy.require_in_scope(actor.user, entry.project.committee_id)
    with transaction.atomic():
        created = entry.pk is None
        if created:
            entry.by = actor.user
        entry.save()
        audit.record(
            actor,
            "elevator.consultation.create" if created else "elevator.consultation.update",
            entry,
            object_repr=f"consultation {entry.pk}",
            details={"fields": sorted(changed)},
        )
