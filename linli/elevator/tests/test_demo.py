"""The demo builds the two stories of the issue, deterministically and idempotently."""

from __future__ import annotations

from typing import Any

import pytest

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
