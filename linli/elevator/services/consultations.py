"""Questions to the guidance centre and their follow-up.

Every question belongs to a street: its committee's, else the street of whoever logs it. A
question without a committee is the street's own, read by that street (and its district) only.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor

from ..errors import ElevatorError
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
    streets = policy.streets_in_reach(actor.user)
    if entry.subdistrict_id is not None and not streets.filter(pk=entry.subdistrict_id).exists():
        raise PermissionDenied("out of scope")  # another street's question stays that street's
    street = (
        policy.street_of_committee(entry.committee_id)
        if entry.committee_id is not None
        else entry.subdistrict_id or policy.street_of(actor.user)
    )
    if street is None:
        raise ElevatorError(_("请选择居委，以确定咨询所属的街道。"), field="committee")
    if not streets.filter(pk=street).exists():
        raise PermissionDenied("out of scope")
    entry.subdistrict_id = street
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
