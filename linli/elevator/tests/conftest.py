"""A six-storey block of 12 flats of 50 m² (the domain doc's worked example) in each committee."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from linli.core.context import Actor
from linli.core.identity import check_character, mask_id_number


def id_number(n: int) -> str:
    first17 = f"31010419700101{n:03d}"
    return first17 + check_character(first17)


@pytest.fixture
def block(street: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    """Project 加梯项目1号 on a block in HN01 and 加梯项目2号 in HN02, rolls built, votes open."""
    from linli.elevator import services
    from linli.elevator.models import Project
    from linli.geo.models import Building, Entrance, Estate, Household, Resident
    from linli.geo.services import identity_hash

    actor = Actor(users["street_admin"], "test")
    out: dict[str, Any] = {"actor": actor}
    n = 0
    for key in ("1", "2"):
        committee = street[f"c{key}"]
        estate = Estate.objects.create(committee=committee, name=f"新村{key}", kind="estate")
        building = Building.objects.create(
            estate=estate, committee=committee, name="1号楼", housing_type="public",
            structure="brick_concrete", floors=6,
        )  # fmt: skip
        entrance = Entrance.objects.create(building=building, number="1号")
        for floor in range(1, 7):
            for k in (1, 2):
                hh = Household.objects.create(
                    entrance=entrance, committee=committee, room=f"{floor}0{k}", floor=floor,
                    exclusive_area=Decimal("50.00"),
                )  # fmt: skip
                n += 1
                number = id_number(n)
                Resident.objects.create(
                    household=hh, committee=committee, name=f"业主{key}{floor}0{k}",
                    id_hash=identity_hash(number), id_masked=mask_id_number(number),
                )  # fmt: skip
        project = services.do_save_project(
            actor, Project(building=building, name=f"加梯项目{key}号", works_cost_fen=50_000_000)
        )
        services.do_build_roll(actor, project)
        vote = services.do_open_vote(actor, project, "building", "SH-801-building", project_date())
        out[f"p{key}"] = project
        out[f"v{key}"] = vote
        out[f"building{key}"] = building
    return out


def project_date() -> Any:
    from datetime import date

    return date(2026, 3, 1)
