"""Demo registry for the demo street: extinguishers, sprinklers, charging sites, two stations.

Deterministic (fixed seed) and idempotent (the app's rows are deleted first). Dates are
relative to ``timezone.localdate()`` — the same "today" the due lists use — so the demo
always shows items overdue, due within 30 days and due within 90 days, whenever it is built.

The demo street is smaller than the real one (about 420 lane door numbers, not the article's
thousands), so the sprinkler programme is scaled: the 2026 programme covers the not yet
equipped lane door numbers of 14 committees. Demo buildings have no coordinates; buildings
without any get a position derived from their committee's place on the street diagram
(``Committee.map_x``/``map_y``) plus a small deterministic offset, so the reach analysis has
something to compute. A real street imports real coordinates through the building sheet.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from linli.core.models import Organisation
from linli.geo.models import Building, Committee, Entrance, Household, Subdistrict

from . import queries, rules, services
from .models import (
    ChargingSite,
    CheckRecord,
    DutyShift,
    EbikeEstimate,
    Extinguisher,
    KitItem,
    PlanState,
    Sprinkler,
    Station,
    StationMember,
    WorkPlan,
    WorkPlanItem,
)
from .rules import add_years

SEED = 20260119
TYPES = ["powder"] * 6 + ["water"] * 3 + ["clean_agent", "co2"]
LIFE = {"water": (6, 3, 1), "powder": (10, 5, 2), "clean_agent": (10, 5, 2), "co2": (12, 5, 2)}
RATINGS = {"water": "MSWZ/3", "powder": "MFZ/ABC4", "clean_agent": "MJZ/4", "co2": "MT/3"}
PROPERTY = "徐房物业"
CONTRACTOR = "申消喷淋工程"
MEMBER_NAMES = [
    "王建华",
    "李国强",
    "张伟",
    "刘洋",
    "陈杰",
    "杨磊",
    "赵勇",
    "黄涛",
    "周明",
    "吴刚",
    "徐斌",
    "孙超",
    "朱军",
]


def wipe() -> None:
    """Remove the fire demo data (run before the demo street is rebuilt)."""
    WorkPlan.objects.all().delete()
    CheckRecord.objects.all().delete()
    DutyShift.objects.all().delete()
    KitItem.objects.all().delete()
    StationMember.objects.all().delete()
    Station.objects.all().delete()
    ChargingSite.objects.all().delete()
    EbikeEstimate.objects.all().delete()
    Sprinkler.objects.all().delete()
    Extinguisher.objects.all().delete()


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def _years(on: date, years: float) -> date:
    return on - timedelta(days=round(years * 365.25))


def _extinguisher(
    rng: random.Random, on: date, serial: str, committee: Committee, **place: Any
) -> Extinguisher:
    kind = rng.choice(TYPES)
    scrap, first, every = LIFE[kind]
    age_years = rng.uniform(0.2, scrap + 0.08)  # a few just past their scrap date
    made = _years(on, age_years)
    maintained = None
    if age_years > first:
        # Mostly maintained on time; some a little late (overdue or due soon).
        cycles_since_first = (age_years - first) / every
        last_due_age = age_years - first - int(cycles_since_first) * every  # years since then
        if rng.random() < 0.9:
            lag = rng.uniform(-0.05, 0.15) if rng.random() < 0.85 else rng.uniform(0.9, 1.02)
            back = max(0.0, last_due_age - lag if lag < last_due_age else last_due_age * 0.5)
            maintained = max(made, _years(on, back))
    inspected = on - _days(rng, 0, 34)
    placed = min(on, made + _days(rng, 10, 200))
    return Extinguisher(
        serial=serial,
        committee=committee,
        type=kind,
        rating=RATINGS[kind],
        manufactured=made,
        last_maintained=maintained,
        last_inspected=max(inspected, placed),
        placed_on=placed,
        gauge="none" if kind == "co2" else ("red" if rng.random() < 0.01 else "green"),
        scrap_condition="corrosion_over_third" if rng.random() < 0.003 else "",
        **place,
    )


def _position(rng: random.Random, committee: Committee) -> tuple[Decimal, Decimal]:
    lon = 121.4380 + committee.map_x * 0.00020 + rng.uniform(-0.0012, 0.0012)
    lat = 31.2200 - committee.map_y * 0.00025 + rng.uniform(-0.0010, 0.0010)
    return Decimal(f"{lon:.6f}"), Decimal(f"{lat:.6f}")


def build() -> dict[str, int]:
    rng = random.Random(SEED)
    on = timezone.localdate()
    with transaction.atomic():
        wipe()
        committees = list(Committee.objects.order_by("code"))
        if not committees:
            return {}
        property_co, _c = Organisation.objects.get_or_create(
            name=PROPERTY, defaults={"kind": Organisation.Kind.PROPERTY}
        )
        contractor, _c = Organisation.objects.get_or_create(
            name=CONTRACTOR, defaults={"kind": Organisation.Kind.CONTRACTOR}
        )
        places = random.Random(SEED + 1)  # apart, so a rebuild draws the same registry
        # Positions for buildings that have none (see the module docstring).
        unplaced = list(Building.objects.filter(lon__isnull=True).select_related("committee"))
        for b in unplaced:
            b.lon, b.lat = _position(places, b.committee)
        Building.objects.bulk_update(unplaced, ["lon", "lat"], batch_size=1000)

        entrances = list(
            Entrance.objects.select_related("building__committee", "building__estate").order_by(
                "building__committee__code", "building_id", "id"
            )
        )
        households = {
            r["entrance_id"]: r["n"]
            for r in Household.objects.values("entrance_id").annotate(n=Count("id"))
        }

        # Extinguishers: one set per door number (per floor landing), more in blocks.
        exts: list[Extinguisher] = []
        n = 0
        for e in entrances:
            b = e.building
            per = {"lane": (3, 6), "garden": (2, 4), "public": (6, 10), "commercial": (8, 12)}
            low, high = per.get(b.housing_type, (3, 6))
            for k in range(rng.randint(low, high)):
                n += 1
                ext = _extinguisher(
                    rng,
                    on,
                    f"MHQ-{b.committee.code}-{n:05d}",
                    b.committee,
                    building=b,
                    entrance=e,
                    spot=f"{k % max(1, b.floors) + 1}楼楼梯口",
                    assigned_to=property_co if b.committee.code in ("HN01", "HN02") else None,
                )
                ext.half_monthly = b.housing_type == "commercial" and k == 0
                if n % 40 in (7, 19):
                    # Always some overdue and some due within 30 days, whatever the date.
                    first = LIFE[ext.type][1]
                    shift = -rng.randint(1, 60) if n % 40 == 7 else rng.randint(0, 30)
                    ext.manufactured = add_years(on + timedelta(days=shift), -first)
                    ext.last_maintained = None
                    ext.placed_on = ext.manufactured
                exts.append(ext)
        for ext in exts:
            services.prepare(ext, on)
        Extinguisher.objects.bulk_create(exts, batch_size=2000)

        # Sprinklers: lane door numbers; about half equipped earlier, the rest in the 2026
        # programme for 14 committees (HN15 and HN16 are not in it), part-done.
        sprs: list[Sprinkler] = []
        programme_codes = {c.code for c in committees[:14]}
        for e in entrances:
            b = e.building
            if b.housing_type != "lane":
                continue
            hh = households.get(e.pk, 3)
            heads = max(4, hh * 2 + rng.randint(-1, 2))
            spr = Sprinkler(entrance=e, committee=b.committee, heads=heads, households=hh)
            spr.design_pressure = Decimal("0.100")
            spr.contractor = contractor
            if rng.random() < 0.5 or b.committee.code not in programme_codes:
                spr.status = "installed"
                spr.programme = "2021"
                spr.installed_on = on - _days(rng, 800, 1500)
                spr.last_service = on - _days(rng, 30, 390)
                spr.last_end_of_line = on - _days(rng, 5, 100)
                spr.last_visual = on - _days(rng, 0, 40)
                spr.last_pressure = Decimal(rng.choice(["0.060", "0.080", "0.050", "0.025"]))
                if rng.random() < 0.04:
                    spr.fault = "喷头被涂料覆盖"
            else:
                spr.programme = "2026"
                if rng.random() < 0.55:
                    spr.status = "installed"
                    spr.installed_on = on - _days(rng, 10, 200)
                    spr.last_visual = min(on, spr.installed_on + _days(rng, 0, 20))
                else:
                    spr.status = "planned"
            services.prepare(spr, on)
            sprs.append(spr)
        Sprinkler.objects.bulk_create(sprs, batch_size=2000)

        # Charging: 10 cabinet sites (2024, in service), 10 more this year, 5 central sites.
        sites: list[ChargingSite] = []
        states = ["in_service"] * 4 + ["building"] * 3 + ["planned"] * 3
        for i in range(10):
            c = committees[i % len(committees)]
            sites.append(ChargingSite(
                committee=c, name=f"{c.name[:2]}智能充电柜{i + 1}号", kind="cabinet",
                status="in_service", programme="2024", bays=rng.choice([10, 12, 16, 20]),
                has_detector=True, has_camera=True, assigned_to=property_co,
            ))  # fmt: skip
        for i in range(10):
            c = committees[(i + 6) % len(committees)]
            sites.append(ChargingSite(
                committee=c, name=f"{c.name[:2]}智能充电柜{i + 11}号", kind="cabinet",
                status=states[i], programme="2026", bays=rng.choice([12, 16, 20]),
                has_detector=True, has_camera=states[i] == "in_service",
            ))  # fmt: skip
        for i in range(5):
            c = committees[(i * 3) % len(committees)]
            sites.append(ChargingSite(
                committee=c, name=f"{c.name[:2]}集中充电场所{i + 1}号", kind="central",
                status="in_service", programme="2023", bays=rng.choice([40, 60, 80]),
                has_sprinkler=True, has_detector=True, has_camera=i != 3,
            ))  # fmt: skip
        ChargingSite.objects.bulk_create(sites)
        hh_by_committee = {
            r["committee_id"]: r["n"]
            for r in Household.objects.values("committee_id").annotate(n=Count("id"))
        }
        EbikeEstimate.objects.bulk_create(
            [
                EbikeEstimate(
                    committee=c,
                    ebikes=round(hh_by_committee.get(c.pk, 0) * rng.uniform(0.25, 0.4)),
                    as_of=on,
                )
                for c in committees
            ]
        )

        # Two micro fire stations; the second is short of trained members on some shifts.
        stations = []
        for index, (code, name, trained) in enumerate(
            (("HN01", "陕新微型消防站", 6), ("HN09", "安福微型消防站", 4))
        ):
            c = next((x for x in committees if x.code == code), committees[-1])
            lon, lat = _position(random.Random(index), c)
            st = Station.objects.create(
                committee=c, name=name, address=f"{c.address}", lon=lon, lat=lat
            )
            members = [
                StationMember.objects.create(
                    station=st, name=MEMBER_NAMES[index * 6], role="leader", trained=True
                )
            ]
            for k in range(trained + 1):
                members.append(
                    StationMember.objects.create(
                        station=st,
                        name=MEMBER_NAMES[(index * 6 + k + 1) % len(MEMBER_NAMES)],
                        trained=k < trained,
                    )
                )
            tz = timezone.get_current_timezone()
            start_day = on - timedelta(days=3)
            for day in range(7):
                for shift in range(3):
                    start = datetime.combine(
                        start_day + timedelta(days=day), time(8 * shift), tzinfo=tz
                    )
                    s = DutyShift.objects.create(
                        station=st, start=start, end=start + timedelta(hours=8)
                    )
                    size = 3 if index == 0 or (day + shift) % 3 else 2
                    pool = [m for m in members if m.trained]
                    on_duty = [pool[(day * 3 + shift + j) % len(pool)] for j in range(size)]
                    s.members.set(on_duty)
            for item, every in (
                ("消防摩托车", 30),
                ("灭火器", 30),
                ("水带、水枪", 90),
                ("防护装备（头盔、战斗服、手套、靴、逃生面罩）", 90),
                ("破拆工具（斧、撬棍）", 90),
                ("对讲机", 30),
            ):
                KitItem.objects.create(
                    station=st,
                    name=item,
                    interval_days=every,
                    last_checked=on - _days(rng, 0, every + 10),
                )
            stations.append(st)

        # Inspection history for one committee (陕新), so the record lists show something.
        hn01 = [e for e in exts if e.committee.code == "HN01" and e.last_inspected]
        CheckRecord.objects.bulk_create(
            [
                CheckRecord(
                    committee=e.committee,
                    extinguisher=e,
                    kind="inspection",
                    done_on=e.last_inspected,
                    passed=e.gauge != "red",
                    gauge=e.gauge if e.gauge != "none" else "",
                    note="" if e.gauge != "red" else "压力不足",
                )
                for e in hn01
                if e.last_inspected is not None
            ]
        )
        plans = _issued_plan(exts, property_co, on)
    return {
        "plans": plans,
        "extinguishers": len(exts),
        "overdue": sum(1 for e in exts if e.next_due < on),
        "due_30": sum(1 for e in exts if on <= e.next_due <= on + timedelta(days=30)),
        "sprinklers": len(sprs),
        "programme_2026": sum(1 for s in sprs if s.programme == "2026"),
        "charging_sites": len(sites),
        "stations": len(stations),
        "buildings_placed": len(unplaced),
    }


def build_street(street: Subdistrict, per_committee: int = 4) -> dict[str, int]:
    """A small fire presence for another street of the district demo (``linli demo
    --district``): ``per_committee`` extinguishers in each of the street's committees (in its
    first building, when it has one), the first of every other committee overdue for its first
    maintenance whatever the date, and one micro fire station. Deterministic per street;
    running it again replaces the street's extinguishers and station."""
    rng = random.Random(f"{SEED}-{street.code}")
    on = timezone.localdate()
    committees = list(Committee.objects.filter(subdistrict=street).order_by("code"))
    if not committees:
        return {"extinguishers": 0, "overdue": 0, "stations": 0}
    first_building: dict[int, Building] = {}
    for b in Building.objects.filter(committee__in=committees).order_by("committee_id", "id"):
        first_building.setdefault(b.committee_id, b)
    with transaction.atomic():
        Extinguisher.objects.filter(committee__in=committees).delete()
        Station.objects.filter(committee__in=committees).delete()
        exts: list[Extinguisher] = []
        overdue = 0
        for index, committee in enumerate(committees):
            building = first_building.get(committee.pk)
            for k in range(per_committee):
                ext = _extinguisher(
                    rng, on, f"MHQ-{committee.code}-{k + 1:03d}", committee,
                    building=building, spot=f"{k + 1}楼楼梯口",
                )  # fmt: skip
                if k == 0 and index % 2 == 0:  # its first maintenance 1–60 days late
                    first = LIFE[ext.type][1]
                    ext.manufactured = add_years(on - _days(rng, 1, 60), -first)
                    ext.last_maintained = None
                    ext.placed_on = ext.manufactured
                    ext.scrap_condition = ""
                services.prepare(ext, on)
                overdue += int(ext.next_due is not None and ext.next_due < on)
                exts.append(ext)
        Extinguisher.objects.bulk_create(exts)
        home = committees[0]
        Station.objects.create(
            committee=home, name=f"{street.name}微型消防站", address=home.address or street.name
        )
    return {"extinguishers": len(exts), "overdue": overdue, "stations": 1}


def _issued_plan(exts: list[Extinguisher], partner: Organisation, on: date) -> int:
    """A saved batch plan of one committee, issued to the property company (the demo partner
    then sees it in its work list and records on units not otherwise assigned to it)."""
    units = [e for e in exts if e.committee.code == "HN03"]
    if not units:
        return 0
    by_site: dict[int | None, list[Extinguisher]] = {}
    for e in units:
        by_site.setdefault(e.building_id, []).append(e)
    plan = WorkPlan.objects.create(
        name="本月送修更换计划（示例）",
        committee=units[0].committee,
        within_days=30,
        state=PlanState.ISSUED,
        partner=partner,
        issued_at=timezone.now(),
    )
    items = []
    for group in by_site.values():
        bp = rules.batch_plan([queries.rule_extinguisher(e) for e in group], on, within_days=30)
        objects = {e.serial: e for e in group}
        first = group[0]
        site = f"{first.building.estate.name} {first.building.name}" if first.building else ""
        for batch in bp.batches:
            for life in batch.items:
                items.append(
                    WorkPlanItem(
                        plan=plan,
                        extinguisher=objects[life.extinguisher_id],
                        site=site[:120],
                        batch=batch.number,
                        kind=str(life.next_due_kind),
                        due_on=life.next_due,
                    )
                )
    WorkPlanItem.objects.bulk_create(items)
    return 1


def build_district() -> dict[str, int]:
    """The district demo's fire registry: ``build_street`` for every other street of the demo
    street's district that has committees. Run after ``build`` and ``geo.demo.build_district``."""
    from linli.geo import demo as geo_demo

    home = geo_demo.home_street()
    counts = {"streets": 0, "extinguishers": 0, "overdue": 0, "stations": 0}
    if home is None:
        return counts
    others = (
        Subdistrict.objects.filter(district=home.district_id, committees__isnull=False)
        .exclude(pk=home.pk)
        .distinct()
        .order_by("code")
    )
    for street in others:
        made = build_street(street)
        counts["streets"] += 1
        for key in ("extinguishers", "overdue", "stations"):
            counts[key] += made[key]
    return counts
