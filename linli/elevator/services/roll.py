"""The owner roll: built from the geo households, owners merged, developer units marked."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.context import Actor
from linli.geo.labels import join_place
from linli.geo.models import Household, Resident

from ..errors import ElevatorError, RollInUse
from ..models import Ballot, OwnedUnit, Owner, Project
from .base import _manage
from .owners import _set_tail

HIGH_RISE_FLOORS = 10  # 高层住宅: ten storeys or more


def _high_rise(floors: int) -> bool:
    return floors >= HIGH_RISE_FLOORS


def do_build_roll(actor: Actor, project: Project) -> int:
    """(Re)build the project's owner roll from the geo households; returns the unit count.

    Building scope: the project's building (or its stairwell). Estate scope, when the lift
    uses shared ground: every household of the estate. The owner of a household is its
    registered head; heads with the same identity hash are one owner. Refused once ballots exist.
    """
    _manage(actor, project.committee_id)
    if Ballot.objects.filter(vote__project=project).exists():
        raise RollInUse(_("已有表决票，不能重建业主名册。"))
    households = Household.objects.select_related("entrance__building")
    if project.uses_shared_ground:
        households = households.filter(entrance__building__estate_id=project.building.estate_id)
    elif project.entrance_id:
        households = households.filter(entrance_id=project.entrance_id)
    else:
        households = households.filter(entrance__building_id=project.building_id)
    households = households.order_by("entrance__building__name", "entrance__number", "room")
    heads: dict[int, Resident] = {}
    for resident in Resident.objects.filter(household__in=households).order_by("id"):
        known = heads.get(resident.household_id)
        if known is None or (
            resident.relation == Resident.Relation.HEAD and known.relation != Resident.Relation.HEAD
        ):
            heads[resident.household_id] = resident
    with transaction.atomic():
        project.owners.all().delete()
        by_hash: dict[str, Owner] = {}
        count = 0
        for hh in households:
            building = hh.entrance.building
            in_building = (
                hh.entrance_id == project.entrance_id
                if project.entrance_id
                else building.pk == project.building_id
            )
            head = heads.get(hh.pk)
            if head is not None and head.id_hash and head.id_hash in by_hash:
                owner = by_hash[head.id_hash]
            else:
                owner = Owner.objects.create(
                    project=project,
                    name=head.name if head else f"{hh.entrance} {hh.room} 业主（未登记）",
                    id_hash=(head.id_hash or "") if head else "",
                    id_masked=head.id_masked if head else "",
                    phone_masked=head.phone_masked if head else "",
                    phone_cipher=head.phone_cipher if head else "",
                )
                if head is not None and head.id_masked:
                    _set_tail(owner, head.id_masked[-4:])
                if head is not None and head.id_hash:
                    by_hash[head.id_hash] = owner
            OwnedUnit.objects.create(
                project=project,
                owner=owner,
                household=hh,
                area=hh.exclusive_area,
                floor=hh.floor,
                building_label=join_place(building.name, hh.entrance.number),
                high_rise=_high_rise(building.floors),
                in_building=in_building,
            )
            count += 1
        audit.record(actor, "elevator.roll.build", project, details={"units": count})
    return count


def do_merge_owners(actor: Actor, project: Project, owner_ids: Iterable[int]) -> Owner:
    """Several units of one owner count once with the summed area: move them to one owner."""
    _manage(actor, project.committee_id)
    owners = list(project.owners.filter(pk__in=list(owner_ids)).order_by("pk"))
    if len(owners) < 2:
        raise ElevatorError(_("请选择至少两位业主合并。"))
    if Ballot.objects.filter(owner__in=owners).exists():
        raise RollInUse(_("已投票的业主不能合并。"))
    keep, rest = owners[0], owners[1:]
    with transaction.atomic():
        OwnedUnit.objects.filter(owner__in=rest).update(owner=keep)
        Owner.objects.filter(pk__in=[o.pk for o in rest]).delete()
        audit.record(actor, "elevator.roll.merge", keep, details={"merged": [o.pk for o in rest]})
    return keep


def do_mark_developer_units(actor: Actor, project: Project, unit_ids: Iterable[int]) -> Owner:
    """All undelivered developer units are one owner: move the units to that owner."""
    _manage(actor, project.committee_id)
    units = list(project.units.filter(pk__in=list(unit_ids)))
    if not units:
        raise ElevatorError(_("请选择开发商未售房屋。"))
    with transaction.atomic():
        dev, _created = Owner.objects.get_or_create(
            project=project, developer=True, defaults={"name": "开发商（未售房屋）"}
        )
        old = {u.owner_id for u in units} - {dev.pk}
        OwnedUnit.objects.filter(pk__in=[u.pk for u in units]).update(owner=dev)
        Owner.objects.filter(pk__in=old, units__isnull=True).delete()
        audit.record(
            actor, "elevator.roll.developer", dev, details={"units": [u.pk for u in units]}
        )
    return dev
