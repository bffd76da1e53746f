"""Reads of the fire registry: permission-scoped, with the joins each list needs.

Committee staff see their committee; street staff and the street admin see the street; a
partner (contractor, property company) sees only the work assigned to its organisation.

The ``risk_*`` functions at the end are for the top layer (dashboard): they read the
registry of one committee as the rule engine's types, so ``rules.risk_facts`` gives the
facts an inspector may accept into an assessment (XF03, XF04, XF07, WY05).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from linli.core import policy
from linli.core.models import Organisation
from linli.core.roles import Role
from linli.geo.models import Building, Committee

from . import rules
from .models import (
    ChargingSite,
    ChargingStatus,
    CheckRecord,
    EbikeEstimate,
    Extinguisher,
    KitItem,
    PlanState,
    Sprinkler,
    SprinklerStatus,
    Station,
    WorkPlan,
    WorkPlanItem,
)

# The organisations a batch plan can be issued to: maintenance contractors and property firms.
PARTNER_KINDS = (Organisation.Kind.CONTRACTOR, Organisation.Kind.PROPERTY)


def rule_extinguisher(obj: Extinguisher) -> rules.Extinguisher:
    flags = {c: obj.scrap_condition == c for c in rules.ScrapCondition}
    return rules.Extinguisher(
        id=str(obj.serial or obj.pk),
        type=obj.type,
        manufactured=obj.manufactured,
        last_maintained=obj.last_maintained,
        hydraulic_test_failed=flags[rules.ScrapCondition("hydraulic_test_failed")],
        corrosion_over_third=flags[rules.ScrapCondition("corrosion_over_third")],
        deformed_or_patched=flags[rules.ScrapCondition("deformed_or_patched")],
        nameplate_unreadable=flags[rules.ScrapCondition("nameplate_unreadable")],
        was_in_fire=flags[rules.ScrapCondition("was_in_fire")],
    )


def is_partner(user: Any) -> bool:
    return policy.role_of(user) == Role.PARTNER


def _require_read(user: Any) -> None:
    if not (
        policy.can(user, "fire.view") or (is_partner(user) and policy.can(user, "fire.record"))
    ):
        raise PermissionDenied("fire.view")


def can_read(user: Any) -> bool:
    try:
        _require_read(user)
    except PermissionDenied:
        return False
    return True


def _scope(qs: QuerySet[Any], user: Any, org_field: str | None) -> QuerySet[Any]:
    _require_read(user)
    if is_partner(user):
        if org_field is None:
            return qs.none()
        return qs.filter(**{org_field: policy.organisation_scope(user)})
    return policy.scoped(qs, user, "committee_id")


def extinguishers(user: Any) -> QuerySet[Extinguisher]:
    qs = Extinguisher.objects.select_related(
        "committee", "building__estate", "entrance", "assigned_to"
    )
    if is_partner(user):
        _require_read(user)
        org = policy.organisation_scope(user)
        if org is None:
            return qs.none()
        # Its assigned units, and the units of plans issued to it.
        on_plan = WorkPlanItem.objects.filter(
            extinguisher=OuterRef("pk"), plan__partner_id=org, plan__state=PlanState.ISSUED
        )
        return qs.filter(Q(assigned_to_id=org) | Exists(on_plan))
    return _scope(qs, user, "assigned_to_id")


def sprinklers(user: Any) -> QuerySet[Sprinkler]:
    return _scope(
        Sprinkler.objects.select_related("committee", "entrance__building__estate", "contractor"),
        user,
        "contractor_id",
    )


def charging_sites(user: Any) -> QuerySet[ChargingSite]:
    return _scope(
        ChargingSite.objects.select_related("committee", "assigned_to"), user, "assigned_to_id"
    )


def stations(user: Any) -> QuerySet[Station]:
    return _scope(
        Station.objects.select_related("committee").annotate(
            n_members=Count("members", distinct=True),
            n_kit=Count("kit", distinct=True),
        ),
        user,
        None,
    )


def records(user: Any) -> QuerySet[CheckRecord]:
    qs = CheckRecord.objects.select_related(
        "committee", "extinguisher", "sprinkler__entrance", "by"
    )
    if is_partner(user):
        _require_read(user)
        org = policy.organisation_scope(user)
        return qs.filter(organisation_id=org) if org is not None else qs.none()
    return _scope(qs, user, None)


def committees(user: Any) -> QuerySet[Committee]:
    if is_partner(user):
        return Committee.objects.none()
    return policy.scoped(Committee.objects.all(), user, "pk")


# --------------------------------------------------------------------------- due lists

WINDOWS = {"overdue": None, "30": 30, "90": 90}


def due_extinguishers(user: Any, on: date, window: str = "30") -> QuerySet[Extinguisher]:
    """Extinguishers to maintain or replace: overdue, or due by ``on`` + 30 / 90 days."""
    qs = extinguishers(user)
    if window == "overdue":
        return qs.filter(next_due__lt=on)
    days = WINDOWS.get(window) or 30
    return qs.filter(next_due__lte=on + timedelta(days=days))


def inspection_due(user: Any, on: date, days: int = 0) -> QuerySet[Extinguisher]:
    """Extinguishers whose routine (monthly or half-monthly) inspection is due by ``on``+days."""
    return extinguishers(user).filter(next_inspection__lte=on + timedelta(days=days))


def sprinklers_due(user: Any, on: date, days: int = 0) -> QuerySet[Sprinkler]:
    return sprinklers(user).filter(next_check__lte=on + timedelta(days=days))


@dataclass(frozen=True)
class CommitteeDue:
    committee: Committee
    total: int
    overdue: int
    soon: int  # due today up to 30 days (the engine's "soon")
    upcoming: int  # 31 to 90 days
    inspection: int  # routine inspection due or overdue today


def due_counts(user: Any, on: date) -> list[CommitteeDue]:
    """Street-wide (or own-committee) counts by committee: one grouped query."""
    qs = extinguishers(user).select_related(None).order_by()
    rows: dict[int, dict[str, Any]] = {
        r["committee_id"]: dict(r)
        for r in qs.values("committee_id").annotate(
            total=Count("id"),
            overdue=Count("id", filter=Q(next_due__lt=on)),
            soon=Count("id", filter=Q(next_due__gte=on, next_due__lte=on + timedelta(days=30))),
            upcoming=Count(
                "id",
                filter=Q(
                    next_due__gt=on + timedelta(days=30), next_due__lte=on + timedelta(days=90)
                ),
            ),
            inspection=Count("id", filter=Q(next_inspection__lte=on)),
        )
    }
    out = []
    for committee in committees(user).order_by("code") if not is_partner(user) else []:
        r = rows.get(committee.pk, {})
        out.append(
            CommitteeDue(
                committee,
                r.get("total", 0),
                r.get("overdue", 0),
                r.get("soon", 0),
                r.get("upcoming", 0),
                r.get("inspection", 0),
            )
        )
    return out


@dataclass(frozen=True)
class SitePlan:
    site: str
    building_id: int | None
    plan: rules.BatchPlan
    objects: dict[str, Extinguisher]


def batch_plans(user: Any, committee_id: int, on: date, within_days: int = 30) -> list[SitePlan]:
    """Per site (building, or the committee's loose spots) of one committee: ``batch_plan``.

    Only sites with something due are read in full (the quarter is of every unit at the site).
    """
    policy.require_in_scope(user, committee_id)
    base = extinguishers(user).filter(committee_id=committee_id)
    horizon = on + timedelta(days=within_days)
    due_sites = set(
        base.filter(next_due__lte=horizon)
        .order_by()
        .values_list("building_id", flat=True)
        .distinct()
    )
    if not due_sites:
        return []
    q = Q(building_id__in=[b for b in due_sites if b is not None])
    if None in due_sites:
        q |= Q(building_id__isnull=True)
    by_site: dict[int | None, list[Extinguisher]] = {}
    for ext in base.filter(q).order_by("building_id", "serial"):
        by_site.setdefault(ext.building_id, []).append(ext)
    out = []
    for building_id, items in by_site.items():
        plan = rules.batch_plan([rule_extinguisher(e) for e in items], on, within_days=within_days)
        if not plan.batches:
            continue
        first = items[0]
        name = (
            f"{first.building.estate.name} {first.building.name}"
            if first.building
            else str(first.committee)
        )
        out.append(SitePlan(name, building_id, plan, {e.serial: e for e in items}))
    out.sort(key=lambda s: (s.plan.batches[0].items[0].next_due, s.site))
    return out


# --------------------------------------------------------------------------- programmes


@dataclass(frozen=True)
class ProgrammeRow:
    committee: Committee
    planned: int  # door numbers in the programme
    installed: int
    heads_planned: int
    heads_installed: int
    households_planned: int
    households_installed: int

    @property
    def percent(self) -> int:
        return round(100 * self.installed / self.planned) if self.planned else 0


def sprinkler_programme(user: Any, programme: str) -> list[ProgrammeRow]:
    inst = Q(status=SprinklerStatus.INSTALLED)
    qs = (
        sprinklers(user)
        .select_related(None)
        .filter(programme=programme)
        .order_by()
        .values("committee_id")
        .annotate(
            planned=Count("id"),
            installed=Count("id", filter=inst),
            heads_planned=Sum("heads"),
            heads_installed=Sum("heads", filter=inst),
            households_planned=Sum("households"),
            households_installed=Sum("households", filter=inst),
        )
    )
    rows = {r["committee_id"]: r for r in qs}
    out = []
    for c in committees(user).order_by("code"):
        r = rows.get(c.pk)
        if r:
            out.append(
                ProgrammeRow(
                    c,
                    r["planned"],
                    r["installed"],
                    r["heads_planned"] or 0,
                    r["heads_installed"] or 0,
                    r["households_planned"] or 0,
                    r["households_installed"] or 0,
                )
            )
    return out


def programmes(user: Any) -> list[str]:
    names = (
        sprinklers(user)
        .select_related(None)
        .exclude(programme="")
        .order_by()
        .values_list("programme", flat=True)
        .distinct()
    )
    return sorted(
        set(names),
        reverse=True,
    )


def charging_progress(user: Any) -> list[dict[str, Any]]:
    qs = (
        charging_sites(user)
        .select_related(None)
        .order_by()
        .values("kind", "programme", "status")
        .annotate(n=Count("id"), bays=Sum("bays"))
    )
    return [dict(r) for r in qs.order_by("kind", "programme", "status")]


# --------------------------------------------------------------------------- coverage


def bays_and_ebikes(user: Any) -> tuple[dict[str, int], dict[str, int], dict[str, Committee]]:
    """Bays in service and estimated e-bikes by committee code."""
    cs = {c.code: c for c in committees(user)}
    by_id = {c.pk: c.code for c in cs.values()}
    bays = {
        by_id[r["committee_id"]]: r["bays"] or 0
        for r in charging_sites(user)
        .select_related(None)
        .filter(status=ChargingStatus.IN_SERVICE)
        .order_by()
        .values("committee_id")
        .annotate(bays=Sum("bays"))
        if r["committee_id"] in by_id
    }
    ebikes = {
        by_id[e.committee_id]: e.ebikes
        for e in EbikeEstimate.objects.filter(committee_id__in=by_id)
    }
    return ebikes, bays, cs


def charging_gaps(user: Any, bays_per_ebike: Decimal | int = 1) -> list[rules.ChargingGap]:
    ebikes, bays, cs = bays_and_ebikes(user)
    ebikes = {k: ebikes.get(k, 0) for k in cs}
    return rules.charging_gap(ebikes, bays, bays_per_ebike=bays_per_ebike)


def reach_inputs(
    user: Any, committee_id: int | None = None
) -> tuple[list[rules.Location], list[rules.Location], int, dict[str, Building]]:
    """Stations anywhere (a station serves across committee lines) and the user's buildings.

    Returns (stations, buildings with coordinates, buildings without, buildings by id).
    """
    _require_read(user)
    station_locs = [
        rules.Location(str(s.pk), s.lon, s.lat)
        for s in Station.objects.filter(lon__isnull=False, lat__isnull=False)
        if s.lon is not None and s.lat is not None
    ]
    bqs = policy.scoped(
        Building.objects.select_related("estate", "committee"), user, "committee_id"
    )
    if is_partner(user):
        bqs = bqs.none()
    if committee_id is not None:
        bqs = bqs.filter(committee_id=committee_id)
    located = {}
    missing = 0
    for b in bqs.only(
        "id", "name", "lon", "lat", "committee__name", "committee__code", "estate__name"
    ):
        if b.lon is None or b.lat is None:
            missing += 1
        else:
            located[str(b.pk)] = b
    locs = [
        rules.Location(k, b.lon, b.lat)
        for k, b in located.items()
        if b.lon is not None and b.lat is not None
    ]
    return station_locs, locs, missing, located


GAP_MAP_MAX = 3000  # buildings drawn on the gap map; beyond, only those with a gap


def gap_map(user: Any, speed_m_per_min: int = 200) -> dict[str, Any]:
    """The street map of coverage gaps: every located building of the user's scope with what
    it lacks (``rules.coverage_gaps``), the stations with their 3-minute reach, placed by
    ``rules.map_frame``. Four queries whatever the number of buildings."""
    stations, buildings, _missing, by_id = reach_inputs(user)
    if not buildings:
        return {"frame": None, "points": [], "stations": [], "counts": {}}
    n_ext = dict(
        _scope(Extinguisher.objects.all(), user, "assigned_to_id")
        .filter(building_id__isnull=False)
        .values_list("building_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    planned = dict(
        _scope(Sprinkler.objects.all(), user, "contractor_id")
        .filter(status=SprinklerStatus.PLANNED)
        .values_list("entrance__building_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    equipment = [
        rules.BuildingEquipment(loc, n_ext.get(int(loc.id), 0), planned.get(int(loc.id), 0))
        for loc in buildings
    ]
    gaps = rules.coverage_gaps(equipment, stations, speed_m_per_min=speed_m_per_min)
    frame = rules.map_frame([*buildings, *stations], margin=30)
    located = dict(zip((b.id for b in buildings), buildings, strict=True))
    drawn = [g for g in gaps if g.gaps] if len(gaps) > GAP_MAP_MAX else gaps
    points = []
    for g in drawn[:GAP_MAP_MAX]:
        x, y = frame.point(located[g.building_id])
        b = by_id[g.building_id]
        points.append({"building": b, "x": x, "y": y, "gaps": [str(k) for k in g.gaps]})
    names = {str(s.pk): s.name for s in Station.objects.only("id", "name")}
    reach = frame.metres(speed_m_per_min * rules.REACH_MINUTES)
    station_points = [
        {"name": names.get(st.id, ""), "xy": frame.point(st), "r": reach} for st in stations
    ]
    counts = {str(k): sum(1 for g in gaps if k in g.gaps) for k in rules.Gap}
    counts["ok"] = sum(1 for g in gaps if not g.gaps)
    return {"frame": frame, "points": points, "stations": station_points, "counts": counts}


def station_status(user: Any, on: date) -> list[tuple[Station, rules.StationGaps, list[Any]]]:
    """Each station with its gaps (leader, trained members, short shifts) and kit checks."""
    out = []
    qs = stations(user).prefetch_related("members", "shifts__members", "kit")
    for station in qs:
        members = [rules.StationMember(str(m.pk), m.role, m.trained) for m in station.members.all()]
        roster = [
            rules.Shift(str(s.pk), s.start, s.end, frozenset(str(m.pk) for m in s.members.all()))
            for s in station.shifts.all()
        ]
        gaps = rules.station_gaps(members, roster)
        kit = rules.kit_due(
            [
                rules.KitItem(str(k.pk), k.name, k.interval_days, k.last_checked)
                for k in station.kit.all()
            ],
            on,
        )
        out.append((station, gaps, kit))
    return out


# --------------------------------------------------------------------------- risk link


@dataclass(frozen=True)
class RiskInputs:
    """The registry of one committee as the engine's types, for ``rules.risk_facts``."""

    extinguishers: list[rules.Extinguisher]
    sprinklers: list[rules.Sprinkler]
    charging: list[rules.ChargingGap]
    reach: list[rules.Reach]


def risk_inputs(user: Any, committee_id: int, *, speed_m_per_min: int = 200) -> RiskInputs:
    """Read one committee's registry for the risk link (the dashboard combines it)."""
    policy.require_in_scope(user, committee_id)
    exts = [
        rule_extinguisher(e)
        for e in extinguishers(user).select_related(None).filter(committee_id=committee_id)
    ]
    sprs = [
        rules.Sprinkler(
            str(s.entrance_id),
            s.installed_on,
            s.last_visual,
            s.last_end_of_line,
            s.last_service,
            s.last_pressure,
            (s.fault,) if s.fault else (),
        )
        for s in sprinklers(user)
        .select_related(None)
        .filter(committee_id=committee_id, status=SprinklerStatus.INSTALLED)
        if s.installed_on is not None
    ]
    code = Committee.objects.only("code").get(pk=committee_id).code
    charging = [g for g in charging_gaps(user) if g.committee == code]
    st, bl, _missing, _by_id = reach_inputs(user, committee_id)
    reach = rules.station_reach(st, bl, speed_m_per_min=speed_m_per_min) if st else []
    return RiskInputs(exts, sprs, charging, reach)


def risk_facts(user: Any, committee_id: int, on: date) -> list[rules.RiskFact]:
    """Suggested findings (XF03, XF04, XF07, WY05) for one committee on ``on``."""
    inputs = risk_inputs(user, committee_id)
    return rules.risk_facts(
        on,
        extinguishers=inputs.extinguishers,
        sprinklers=inputs.sprinklers,
        charging=inputs.charging,
        reach=inputs.reach,
    )


def equipment_work(user: Any, committee_id: int, on: date) -> dict[str, int]:
    """Counts of the equipment work for a white paper's priority actions (one committee)."""
    policy.require_in_scope(user, committee_id)
    ext = extinguishers(user).select_related(None).filter(committee_id=committee_id).order_by()
    counts = ext.aggregate(
        replace=Count("id", filter=Q(next_due__lte=on, next_due_kind="replace")),
        maintain=Count("id", filter=Q(next_due__lte=on, next_due_kind="maintain")),
    )
    spr = sprinklers(user).select_related(None).filter(committee_id=committee_id).order_by()
    counts.update(
        spr.aggregate(
            sprinkler_faults=Count("id", filter=~Q(fault="")),
            sprinklers_overdue=Count("id", filter=Q(next_check__lt=on)),
            sprinklers_planned=Count("id", filter=Q(status=SprinklerStatus.PLANNED)),
        )
    )
    return {k: int(v or 0) for k, v in counts.items()}


# --------------------------------------------------------------------------- reminders


@dataclass(frozen=True)
class ReminderItem:
    """One registry item as the weekly reminder sees it: its units and its due dates."""

    committee_id: int
    partner_id: int | None
    dues: list[rules.DueDate]


def reminder_items(on: date) -> Iterator[ReminderItem]:
    """Every extinguisher, installed sprinkler and station kit item that may be due by
    ``on`` + 90 days, street-wide (the scheduled reminder acts for no user: each unit is
    then told only about its own items). Streamed, in three queries."""
    horizon = on + timedelta(days=rules.UPCOMING_DAYS)
    extinguishers = (
        Extinguisher.objects.filter(Q(next_due__lte=horizon) | Q(next_inspection__lt=on))
        .order_by("pk")
        .values_list(
            "committee_id", "assigned_to_id", "next_due", "next_inspection", "half_monthly"
        )
    )
    for committee_id, partner_id, next_due, next_inspection, half in extinguishers.iterator(2000):
        dues = rules.extinguisher_due_dates(next_due, next_inspection, half_monthly=half)
        yield ReminderItem(committee_id, partner_id, dues)
    sprinklers = (
        Sprinkler.objects.filter(
            status=SprinklerStatus.INSTALLED, installed_on__isnull=False, next_check__lte=horizon
        )
        .order_by("pk")
        .values_list(
            "committee_id",
            "contractor_id",
            "installed_on",
            "last_visual",
            "last_end_of_line",
            "last_service",
        )
    )
    for row in sprinklers.iterator(2000):
        committee_id, partner_id, installed, visual, end_of_line, service = row
        if installed is not None:  # filtered above; the type does not know
            dues = rules.sprinkler_due_dates(installed, visual, end_of_line, service)
            yield ReminderItem(committee_id, partner_id, dues)
    kit = KitItem.objects.order_by("pk").values_list(
        "station__committee_id", "last_checked", "interval_days"
    )
    for committee_id, last_checked, interval in kit.iterator(2000):
        yield ReminderItem(committee_id, None, [rules.kit_due_date(last_checked, interval, on)])


def unit_names(
    committee_ids: Iterable[int], partner_ids: Iterable[int]
) -> tuple[dict[int, str], dict[int, str]]:
    committees = dict(Committee.objects.filter(pk__in=set(committee_ids)).values_list("pk", "name"))
    partners = dict(Organisation.objects.filter(pk__in=set(partner_ids)).values_list("pk", "name"))
    return committees, partners


# --------------------------------------------------------------------------- work plans


def plans(user: Any) -> QuerySet[WorkPlan]:
    """Saved batch plans with progress counts (one query): staff by committee scope, a partner
    only the plans issued to it."""
    qs = WorkPlan.objects.select_related("committee", "partner", "created_by")
    if is_partner(user):
        _require_read(user)
        org = policy.organisation_scope(user)
        qs = qs.filter(partner_id=org, state=PlanState.ISSUED) if org else qs.none()
    else:
        if not policy.can(user, "fire.view"):
            raise PermissionDenied("fire.view")
        qs = policy.scoped(qs, user, "committee_id")
    on = timezone.localdate()
    return qs.annotate(
        n_items=Count("items"),
        n_done=Count("items", filter=Q(items__done_on__isnull=False)),
        n_overdue=Count("items", filter=Q(items__done_on__isnull=True, items__due_on__lt=on)),
    ).order_by("-created_at", "-pk")


def plan_items(plan: WorkPlan) -> QuerySet[WorkPlanItem]:
    return plan.items.select_related(
        "extinguisher__building__estate", "extinguisher__entrance", "record"
    ).order_by("batch", "due_on", "site", "id")


def plan_partners() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind__in=PARTNER_KINDS).order_by("name")


# --------------------------------------------------------------------------- district comparisons


def street_overdue(user: Any, streets: list[int], on: date) -> dict[int, dict[str, int]]:
    """Per street: extinguishers and installed sprinklers (``total``) and how many are past
    their due date or check on ``on`` (``overdue``); one grouped query per kind (aggregates
    for the district comparison: the caller, ``dashboard.district``, decides the streets)."""
    policy.require(user, "fire.view")
    out: dict[int, dict[str, int]] = {}
    extinguishers = (
        Extinguisher.objects.filter(committee__subdistrict_id__in=streets)
        .values_list("committee__subdistrict_id")
        .annotate(total=Count("id"), overdue=Count("id", filter=Q(next_due__lt=on)))
        .order_by()
    )
    sprinklers = (
        Sprinkler.objects.filter(
            committee__subdistrict_id__in=streets, status=SprinklerStatus.INSTALLED
        )
        .values_list("committee__subdistrict_id")
        .annotate(total=Count("id"), overdue=Count("id", filter=Q(next_check__lt=on)))
        .order_by()
    )
    for rows in (extinguishers, sprinklers):
        for street, total, overdue in rows:
            figures = out.setdefault(street, {"total": 0, "overdue": 0})
            figures["total"] += total
            figures["overdue"] += overdue
    return out


# --------------------------------------------------------------------------- operations screen


def street_operations(user: Any, street_id: int, on: date, top: int = 5) -> dict[str, Any]:
    """The equipment's part of the street operations screen: extinguishers overdue and due
    for inspection, sprinklers overdue and faulty (two grouped queries), and the ``top``
    committees with the most overdue extinguishers (one)."""
    ext = extinguishers(user).select_related(None).filter(committee__subdistrict_id=street_id)
    overdue = Q(next_due__lt=on)
    counts = ext.order_by().aggregate(
        extinguishers=Count("id"),
        overdue=Count("id", filter=overdue),
        inspection_due=Count("id", filter=Q(next_inspection__lte=on)),
    )
    counts.update(
        sprinklers(user)
        .select_related(None)
        .filter(committee__subdistrict_id=street_id)
        .order_by()
        .aggregate(
            sprinklers_overdue=Count("id", filter=Q(next_check__lt=on)),
            sprinkler_faults=Count("id", filter=~Q(fault="")),
        )
    )
    worst = list(
        ext.filter(overdue)
        .order_by()
        .values("committee_id", "committee__name")
        .annotate(n=Count("id"))
        .order_by("-n", "committee__name")[:top]
    )
    return {**{k: int(v or 0) for k, v in counts.items()}, "worst": worst}
