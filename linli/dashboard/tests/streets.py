"""A second and a third street for the tenancy tests: one object of every kind a page names,
each carrying the street's marker in its name so a page that shows it is caught.

Street A is the demo's 湖南路街道 (徐汇区); street B is 天平路街道 in the same district; street C
is 华阳路街道 in 长宁区. ``build(marker, street_code)`` makes B's or C's objects.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from linli.core.context import Actor
from linli.core.models import User
from linli.core.roles import Role


def build(marker: str, street_code: str) -> dict[str, Any]:
    """Places, a resident, a risk round with a hazard case, fire equipment, a lift project with
    a vote, a community position with an event, and a street admin of the street."""
    from linli.community import models as cm
    from linli.elevator import models as em
    from linli.fire import models as fm
    from linli.fire import services as fire_services
    from linli.geo import divisions
    from linli.geo import models as gm
    from linli.risk import models as rm
    from linli.risk import services as risk_services

    divisions.load(Actor.system("tenancy test"))
    street = gm.Subdistrict.objects.get(code=street_code)
    c = gm.Committee.objects.create(
        subdistrict=street, code=f"{marker}01", name=f"{marker}居委", map_x=50, map_y=50
    )
    estate = gm.Estate.objects.create(committee=c, name=f"{marker}小区", kind="estate")
    building = gm.Building.objects.create(
        estate=estate, committee=c, name=f"{marker}1号楼", housing_type="public",
        structure="brick_concrete", floors=6, year_built=1985,
    )  # fmt: skip
    entrance = gm.Entrance.objects.create(building=building, number=f"{marker}1号")
    household = gm.Household.objects.create(
        entrance=entrance, committee=c, room=f"{marker}101", floor=1,
        exclusive_area=Decimal("55.00"),
    )  # fmt: skip
    resident = gm.Resident.objects.create(household=household, committee=c, name=f"{marker}居民")

    today = timezone.localdate()
    rnd = rm.Round.objects.create(
        name=f"{marker} 2026 年度", method=risk_services.default_version(), seed=marker
    )
    rnd.committees.add(c)
    sample = rm.Sample.objects.create(
        round=rnd, committee=c, building=building, label="S1", stratum="public", draw_record={}
    )
    check = rm.Check.objects.create(sample=sample, code="XF01")
    finding = rm.Finding.objects.create(
        check_item=check, likelihood=3, severity=4, grade="C", description=f"{marker}楼道堆物"
    )
    case = rm.HazardCase.objects.create(
        finding=finding, round=rnd, committee=c, subunit="XF01", grade="C", state="graded",
        found_on=today - timedelta(days=3), due_on=today + timedelta(days=10),
        responsible=f"{marker}物业",
    )  # fmt: skip

    extinguisher = fm.Extinguisher(
        committee=c, building=building, entrance=entrance, spot=f"{marker}楼道",
        serial=f"{marker}-E1", type="powder", manufactured=today - timedelta(days=400),
        placed_on=today - timedelta(days=300),
    )  # fmt: skip
    fire_services.refresh_extinguisher(extinguisher)
    extinguisher.save()
    charging = fm.ChargingSite.objects.create(
        committee=c, name=f"{marker}充电棚", kind="central", bays=10
    )

    project = em.Project.objects.create(committee=c, building=building, name=f"{marker}加梯")

    position = cm.Position.objects.create(
        kind="centre", name=f"{marker}社区党群服务中心", address=f"{marker}路1号",
        committee=c,
    )  # fmt: skip
    space = cm.Space.objects.create(position=position, name=f"{marker}活动室", capacity=20)
    starts = timezone.now() + timedelta(days=5)
    event = cm.Event.objects.create(
        title=f"{marker}活动", space=space, starts_at=starts, ends_at=starts + timedelta(hours=2),
        capacity=10, committee=c,
    )  # fmt: skip

    admin = User.objects.create(
        username=f"{marker.lower()}_admin", role=Role.STREET_ADMIN, subdistrict=street
    )
    return {
        "street": street, "committee": c, "estate": estate, "building": building,
        "entrance": entrance, "household": household, "resident": resident, "round": rnd,
        "sample": sample, "case": case, "extinguisher": extinguisher, "charging": charging,
        "project": project, "position": position, "event": event, "admin": admin,
    }  # fmt: skip
