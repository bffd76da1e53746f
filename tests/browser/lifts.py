"""A lane building of twelve owners for the lift retrofit's browser tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from linli.core.identity import check_character, mask_id_number


def owner_number(n: int) -> str:
    """The n-th owner's identity number (a valid-checksum fiction)."""
    first17 = f"31010419700101{n:03d}"
    return first17 + check_character(first17)


def lane_building(street: dict[str, Any]) -> Any:
    """陕新新村 3号楼: six floors, two flats each, one owner per flat (业主101 … 业主602)."""
    from linli.geo.models import Building, Entrance, Estate, Household, Resident
    from linli.geo.services import identity_hash

    committee = street["c1"]
    estate = Estate.objects.create(committee=committee, name="陕新新村", kind="estate")
    building = Building.objects.create(
        estate=estate, committee=committee, name="3号楼", housing_type="public",
        structure="brick_concrete", floors=6,
    )  # fmt: skip
    entrance = Entrance.objects.create(building=building, number="1号")
    n = 0
    for floor in range(1, 7):
        for k in (1, 2):
            n += 1
            hh = Household.objects.create(
                entrance=entrance, committee=committee, room=f"{floor}0{k}", floor=floor,
                exclusive_area=Decimal("50.00"),
            )  # fmt: skip
            Resident.objects.create(
                household=hh, committee=committee, name=f"业主{floor}0{k}",
                id_hash=identity_hash(owner_number(n)), id_masked=mask_id_number(owner_number(n)),
            )  # fmt: skip
    return building
