"""The demo builds the two stories of the issue, deterministically and idempotently."""

from __future__ import annotations

from typing import Any

import pytest

from linli.core.models import User
from linli.elevator import services
from linli.elevator.models import Project, Vote

pytestmark = pytest.mark.django_db


def test_demo_projects(db: Any) -> None:
    from linli.elevator import demo
    from linli.geo import demo as geo_demo

    geo_demo.build(with_residents=False)
    first = demo.build()
    again = demo.build()
    assert first == again
    assert first["passed_stage"] == 7 and first["wuzhong_stage"] == 2
    wuzhong = Project.objects.get(committee__code="HN07")
    estate_vote = Vote.objects.get(project=wuzhong, scope="estate")
    result = services.tally_vote(estate_vote)
    types = result.groups["type"]
    high, low = types["高层"].breakdown.total.owners, types["多层"].breakdown.total.owners
    assert 5 <= high / low <= 7  # about six high-rise owners to one multi-storey owner
    assert wuzhong.objections.filter(status="agreed", sessions__isnull=False).exists()
    passed = Project.objects.get(stage=7)
    assert all(services.tally_vote(v).passed for v in passed.votes.all())


def test_the_district_demo_gives_another_street_lifts_at_two_stages(
    street: dict[str, Any],
) -> None:
    """``build_district`` (called by ``linli demo --district``) for one other street: a project
    in consultation with its vote open, one further on with its vote passed, both run by the
    street's housing office and read by that street only."""
    from decimal import Decimal

    from linli.elevator import demo, queries
    from linli.geo import demo as geo_demo
    from linli.geo.models import Building, Entrance, Household, Subdistrict

    other = street["subdistrict"]
    Subdistrict.objects.create(code=geo_demo.HOME_STREET, name="演示街道", district=other.district)
    block = Building.objects.create(
        estate=street["estate1"], committee=street["c1"], name="9号楼", housing_type="public",
        structure="brick_concrete", floors=6,
    )  # fmt: skip
    for number in ("1号", "2号"):
        entrance = Entrance.objects.create(building=block, number=number)
        for floor in range(1, 7):
            Household.objects.create(
                entrance=entrance, committee=street["c1"], room=f"{floor}01", floor=floor,
                exclusive_area=Decimal("52.00"),
            )  # fmt: skip
    first = demo.build_district()
    assert first == {"streets": 1, "projects": 2, "ballots": first["ballots"]}
    made = list(Project.objects.order_by("stage"))
    assert [p.stage for p in made] == [2, 4]
    assert {p.committee.subdistrict_id for p in made} == {other.pk}
    talking, planned = made
    (open_vote,) = talking.votes.all()
    assert open_vote.open
    assert 0 < open_vote.ballots.filter(current=True).count() < talking.owners.count()
    (closed,) = planned.votes.all()
    assert not closed.open and services.tally_vote(closed).passed
    office = User.objects.get(username=f"housing_{other.code}")
    assert set(queries.projects(office)) == set(made)
    names = [(p.name, p.stage) for p in made]
    Project.objects.all().delete()
    again = demo.build_district()
    assert again == first
    assert [(p.name, p.stage) for p in Project.objects.order_by("stage")] == names
