"""Fire-safety facility rules: extinguisher lifecycle, check schedules, batch plans, coverage.

Pure functions over plain data (no Django, no I/O, no clock) so that the web pages, the API,
the reminders and ``linli fire lifecycle`` compute the same dates from the same rules. The rules
are those of the fire-equipment domain document (GB 50444, GA 95, the micro-fire-station community
standard); where the standards are silent, the choice made here is listed in
``docs/engines/fire.md``.
"""

from __future__ import annotations

import calendar
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

__all__ = [
    "DEFAULT_SPEED_M_PER_MIN",
    "EARTH_RADIUS_M",
    "END_OF_LINE_EVERY_MONTHS",
    "END_OF_LINE_MIN_MPA",
    "HALF_MONTH_DAYS",
    "MIN_ON_DUTY_PER_SHIFT",
    "MIN_TRAINED_MEMBERS",
    "MONTHLY_CHECK_DAYS",
    "QUARTERLY_CHECK_DAYS",
    "REACH_MINUTES",
    "SERVICE_EVERY_MONTHS",
    "SERVICE_LIFE",
    "SOON_DAYS",
    "UPCOMING_DAYS",
    "VISUAL_EVERY_MONTHS",
    "WY05",
    "XF03",
    "XF04",
    "XF07",
    "YEARLY_CHECK_DAYS",
    "Action",
    "Batch",
    "BatchPlan",
    "ChargingGap",
    "CheckStatus",
    "DueDate",
    "DueItem",
    "DueWindow",
    "EquipmentNotice",
    "Extinguisher",
    "ExtinguisherType",
    "FireRuleError",
    "KitItem",
    "KitStatus",
    "Lifecycle",
    "Location",
    "Reach",
    "ReminderCounts",
    "RiskFact",
    "ScheduledCheck",
    "ScrapCondition",
    "ServiceLife",
    "Shift",
    "ShortShift",
    "Sprinkler",
    "SprinklerSchedule",
    "StationGaps",
    "StationMember",
    "StationRole",
    "add_months",
    "add_years",
    "batch_limit",
    "batch_plan",
    "buildings_out_of_reach",
    "charging_gap",
    "count_windows",
    "due_window",
    "due_within",
    "end_of_line_ok",
    "equipment_notices",
    "extinguisher_due_dates",
    "haversine_m",
    "inspection_due",
    "item_window",
    "kit_due",
    "kit_due_date",
    "lifecycle",
    "prevalence_likelihood",
    "reminder_week",
    "reminder_window",
    "risk_facts",
    "sprinkler_due_dates",
    "sprinkler_schedule",
    "station_gaps",
    "station_reach",
]


class FireRuleError(ValueError):
    """Input that breaks a rule, naming the record and the field so staff can fix that row.

    ``code`` is stable (for the Django layer to map to a translated message); the text is English.
    """

    def __init__(self, record: str, field: str, message: str, code: str) -> None:
        super().__init__(f"{record or '-'}: {field}: {message}")
        self.record = record
        self.field = field
        self.message = message
        self.code = code


# ---------------------------------------------------------------------------
# Calendar arithmetic


def add_months(day: date, months: int) -> date:
    """Shift by calendar months; a day the target month lacks becomes its last day.

    So 31 January + 1 month is 28 (or 29) February: a schedule never skips a month.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month_index = divmod(index, 12)
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """Shift by whole years; 29 February lands on 28 February in a common year (domain rule)."""
    return add_months(day, 12 * years)


# ---------------------------------------------------------------------------
# Portable extinguishers (GB 50444-2008 table 5.4.3, GA 95-2015)


class ExtinguisherType(StrEnum):
    """Extinguisher agent; the value is the identifier used in JSON and the database."""

    WATER = "water"  # 水基型
    POWDER = "powder"  # 干粉
    CLEAN_AGENT = "clean_agent"  # 洁净气体
    CO2 = "co2"  # 二氧化碳


@dataclass(frozen=True)
class ServiceLife:
    """Years to scrapping (报废), to the first maintenance (送修), and between later ones."""

    scrap_years: int
    first_maintenance_years: int
    maintenance_every_years: int


SERVICE_LIFE: Mapping[ExtinguisherType, ServiceLife] = MappingProxyType(
    {
        ExtinguisherType.WATER: ServiceLife(6, 3, 1),
        ExtinguisherType.POWDER: ServiceLife(10, 5, 2),
        ExtinguisherType.CLEAN_AGENT: ServiceLife(10, 5, 2),
        ExtinguisherType.CO2: ServiceLife(12, 5, 2),
    }
)


class ScrapCondition(StrEnum):
    """Findings that force scrapping whatever the age (GA 95 chapter 7).

    Each value is also the name of the boolean flag on ``Extinguisher``.
    """

    HYDRAULIC_TEST_FAILED = "hydraulic_test_failed"  # 水压试验不合格
    CORROSION_OVER_THIRD = "corrosion_over_third"  # 锈蚀面积超过筒体三分之一
    DEFORMED_OR_PATCHED = "deformed_or_patched"  # 筒体变形或焊补
    NAMEPLATE_UNREADABLE = "nameplate_unreadable"  # 铭牌或生产日期无法辨认
    WAS_IN_FIRE = "was_in_fire"  # 经历过火灾


class Action(StrEnum):
    """What the extinguisher needs on a given day."""

    OK = "ok"
    MAINTAIN = "maintain"  # 送修
    REPLACE = "replace"  # 报废更换


@dataclass(frozen=True)
class Extinguisher:
    """One extinguisher as the registry knows it; ``type`` is checked by ``lifecycle``."""

    id: str
    type: str
    manufactured: date
    last_maintained: date | None = None
    hydraulic_test_failed: bool = False
    corrosion_over_third: bool = False
    deformed_or_patched: bool = False
    nameplate_unreadable: bool = False
    was_in_fire: bool = False

    @property
    def scrap_conditions(self) -> frozenset[ScrapCondition]:
        """The forced-scrapping flags that are set."""
        return frozenset(c for c in ScrapCondition if bool(getattr(self, c.value)))


@dataclass(frozen=True)
class Lifecycle:
    """Dates and the due action of one extinguisher on one day.

    ``next_maintenance`` is None when the next maintenance would fall on or after the scrap date
    (replacement comes first). ``next_due``/``next_due_kind`` name the next thing to do; they are
    on or before the day exactly when ``action`` is not ``ok``.
    """

    extinguisher_id: str
    type: ExtinguisherType
    scrap_date: date
    next_maintenance: date | None
    next_due: date
    next_due_kind: Action
    action: Action
    scrap_conditions: frozenset[ScrapCondition]


def _extinguisher_type(ext: Extinguisher) -> ExtinguisherType:
    try:
        return ExtinguisherType(ext.type)
    except ValueError:
        expected = ", ".join(t.value for t in ExtinguisherType)
        raise FireRuleError(
            ext.id,
            "type",
            f"unknown extinguisher type {ext.type!r} (expected {expected})",
            "unknown_type",
        ) from None


def lifecycle(ext: Extinguisher, on: date) -> Lifecycle:
    """Scrap date, next maintenance and the action due on ``on`` (the due day itself is due)."""
    kind = _extinguisher_type(ext)
    if ext.manufactured > on:
        raise FireRuleError(
            ext.id, "manufactured", f"manufacture date {ext.manufactured} is after {on}", "after_on"
        )
    if ext.last_maintained is not None:
        if ext.last_maintained > on:
            raise FireRuleError(
                ext.id,
                "last_maintained",
                f"maintenance date {ext.last_maintained} is after {on}",
                "after_on",
            )
        if ext.last_maintained < ext.manufactured:
            raise FireRuleError(
                ext.id,
                "last_maintained",
                f"maintenance date {ext.last_maintained} is before manufacture {ext.manufactured}",
                "before_manufacture",
            )
    life = SERVICE_LIFE[kind]
    scrap_date = add_years(ext.manufactured, life.scrap_years)
    if ext.last_maintained is None:
        candidate = add_years(ext.manufactured, life.first_maintenance_years)
    else:
        candidate = add_years(ext.last_maintained, life.maintenance_every_years)
    next_maintenance = candidate if candidate < scrap_date else None
    conditions = ext.scrap_conditions

    if conditions:
        # Found on inspection; due now, or since the scrap date if that passed earlier.
        action, next_due, due_kind = Action.REPLACE, min(scrap_date, on), Action.REPLACE
    elif on >= scrap_date:
        action, next_due, due_kind = Action.REPLACE, scrap_date, Action.REPLACE
    elif next_maintenance is not None:
        action = Action.MAINTAIN if on >= next_maintenance else Action.OK
        next_due, due_kind = next_maintenance, Action.MAINTAIN
    else:
        action, next_due, due_kind = Action.OK, scrap_date, Action.REPLACE
    return Lifecycle(
        extinguisher_id=ext.id,
        type=kind,
        scrap_date=scrap_date,
        next_maintenance=next_maintenance,
        next_due=next_due,
        next_due_kind=due_kind,
        action=action,
        scrap_conditions=conditions,
    )


def _check_unique_ids(ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for record_id in ids:
        if record_id in seen:
            raise FireRuleError(record_id, "id", f"duplicate id {record_id!r}", "duplicate_id")
        seen.add(record_id)


# ---------------------------------------------------------------------------
# Due windows (work lists)

SOON_DAYS = 30
UPCOMING_DAYS = 90


class DueWindow(StrEnum):
    """Work-list bucket by days left to ``next_due``."""

    OVERDUE = "overdue"  # due date already passed
    SOON = "soon"  # due today or within 30 days
    UPCOMING = "upcoming"  # due in 31 to 90 days
    OK = "ok"  # more than 90 days away


@dataclass(frozen=True)
class DueItem:
    """One extinguisher in a work list."""

    lifecycle: Lifecycle
    window: DueWindow
    days_left: int  # negative when overdue


def due_window(
    next_due: date, on: date, days: tuple[int, int] = (SOON_DAYS, UPCOMING_DAYS)
) -> DueWindow:
    """Bucket a due date: past → overdue; 0..30 days → soon; 31..90 → upcoming; else ok."""
    soon, upcoming = days
    if not 0 <= soon <= upcoming:
        raise ValueError("windows must satisfy 0 <= soon <= upcoming")
    left = (next_due - on).days
    if left < 0:
        return DueWindow.OVERDUE
    if left <= soon:
        return DueWindow.SOON
    if left <= upcoming:
        return DueWindow.UPCOMING
    return DueWindow.OK


def due_within(
    items: Iterable[Extinguisher], on: date, days: tuple[int, int] = (SOON_DAYS, UPCOMING_DAYS)
) -> list[DueItem]:
    """Classify every extinguisher into a work-list window, most urgent first."""
    items = list(items)
    _check_unique_ids(e.id for e in items)
    result = []
    for ext in items:
        life = lifecycle(ext, on)
        result.append(DueItem(life, due_window(life.next_due, on, days), (life.next_due - on).days))
    result.sort(key=lambda d: (d.lifecycle.next_due, d.lifecycle.extinguisher_id))
    return result


# ---------------------------------------------------------------------------
# Periodic checks (inspection, sprinklers, kit)

HALF_MONTH_DAYS = 15


class CheckStatus(StrEnum):
    """State of a periodic check on a given day."""

    OK = "ok"
    DUE = "due"  # due today
    OVERDUE = "overdue"  # due day passed


_STATUS_RANK = {CheckStatus.OK: 0, CheckStatus.DUE: 1, CheckStatus.OVERDUE: 2}


@dataclass(frozen=True)
class ScheduledCheck:
    """The last time a check was done, when it is next due, and its status."""

    last_done: date | None
    next_date: date
    status: CheckStatus


def _check_status(next_date: date, on: date) -> CheckStatus:
    if next_date > on:
        return CheckStatus.OK
    return CheckStatus.DUE if next_date == on else CheckStatus.OVERDUE


def _scheduled(
    last_done: date | None,
    start: date | None,
    on: date,
    *,
    months: int = 0,
    days: int = 0,
    record: str,
    field: str,
) -> ScheduledCheck:
    """Next check = (last check, else ``start``) + interval; with neither it is due today."""
    if last_done is not None:
        if last_done > on:
            raise FireRuleError(record, field, f"date {last_done} is after {on}", "after_on")
        if start is not None and last_done < start:
            raise FireRuleError(
                record, field, f"date {last_done} is before the start {start}", "before_start"
            )
    base = last_done if last_done is not None else start
    next_date = on if base is None else add_months(base, months) + timedelta(days=days)
    return ScheduledCheck(last_done, next_date, _check_status(next_date, on))


def inspection_due(
    last_inspected: date | None,
    on: date,
    *,
    half_monthly: bool = False,
    since: date | None = None,
    record: str = "",
) -> ScheduledCheck:
    """Routine extinguisher inspection: monthly, or every 15 days (crowded places, basements).

    Never inspected: counted from ``since`` (placement date) if given, else due today.
    """
    if since is not None and since > on:
        raise FireRuleError(record, "since", f"date {since} is after {on}", "after_on")
    if half_monthly:
        return _scheduled(
            last_inspected, since, on, days=HALF_MONTH_DAYS, record=record, field="last_inspected"
        )
    return _scheduled(last_inspected, since, on, months=1, record=record, field="last_inspected")


# ---------------------------------------------------------------------------
# Simple sprinklers (简易喷淋), per door number

END_OF_LINE_MIN_MPA = Decimal("0.03")
VISUAL_EVERY_MONTHS = 1
END_OF_LINE_EVERY_MONTHS = 3
SERVICE_EVERY_MONTHS = 12


@dataclass(frozen=True)
class SprinklerSchedule:
    """Monthly visual check, quarterly end-of-line test, yearly contractor service."""

    visual: ScheduledCheck
    end_of_line: ScheduledCheck
    service: ScheduledCheck

    @property
    def status(self) -> CheckStatus:
        """The worst of the three."""
        return max(
            (self.visual.status, self.end_of_line.status, self.service.status),
            key=_STATUS_RANK.__getitem__,
        )


def sprinkler_schedule(
    installed_on: date,
    last_visual: date | None,
    last_end_of_line: date | None,
    last_service: date | None,
    on: date,
    *,
    record: str = "",
) -> SprinklerSchedule:
    """Next date and status of each check; a check never done counts from installation."""
    if installed_on > on:
        raise FireRuleError(
            record, "installed_on", f"installation date {installed_on} is after {on}", "after_on"
        )
    return SprinklerSchedule(
        visual=_scheduled(
            last_visual,
            installed_on,
            on,
            months=VISUAL_EVERY_MONTHS,
            record=record,
            field="last_visual",
        ),
        end_of_line=_scheduled(
            last_end_of_line,
            installed_on,
            on,
            months=END_OF_LINE_EVERY_MONTHS,
            record=record,
            field="last_end_of_line",
        ),
        service=_scheduled(
            last_service,
            installed_on,
            on,
            months=SERVICE_EVERY_MONTHS,
            record=record,
            field="last_service",
        ),
    )


def end_of_line_ok(pressure_mpa: Decimal | int | str, *, record: str = "") -> bool:
    """End-of-line pressure passes at ≥ 0.03 MPa, compared exactly.

    Floats are refused: 0.03 as a float is slightly below 0.03 and would fail the edge.
    """
    if isinstance(pressure_mpa, bool | float):
        raise TypeError("pass the pressure as Decimal, int or str, not float")
    try:
        value = Decimal(pressure_mpa)
    except InvalidOperation:
        raise FireRuleError(
            record, "pressure_mpa", f"not a number: {pressure_mpa!r}", "invalid_value"
        ) from None
    if not value.is_finite() or value < 0:
        raise FireRuleError(
            record, "pressure_mpa", f"not a valid pressure: {pressure_mpa!r}", "invalid_value"
        )
    return value >= END_OF_LINE_MIN_MPA


@dataclass(frozen=True)
class Sprinkler:
    """A door number's sprinkler installation as the registry knows it (for risk facts)."""

    id: str
    installed_on: date
    last_visual: date | None = None
    last_end_of_line: date | None = None
    last_service: date | None = None
    last_pressure_mpa: Decimal | None = None
    faults: tuple[str, ...] = ()  # open faults from the last visual check or service

    def schedule(self, on: date) -> SprinklerSchedule:
        """``sprinkler_schedule`` for this installation."""
        return sprinkler_schedule(
            self.installed_on,
            self.last_visual,
            self.last_end_of_line,
            self.last_service,
            on,
            record=self.id,
        )


# ---------------------------------------------------------------------------
# Batch maintenance and replacement plan


@dataclass(frozen=True)
class Batch:
    """Extinguishers taken away together, and the same-type units to put in their place."""

    number: int
    items: tuple[Lifecycle, ...]
    substitutes: Mapping[ExtinguisherType, int]


@dataclass(frozen=True)
class BatchPlan:
    """A site's due extinguishers split so that at most ``limit`` are away at once."""

    site_size: int
    limit: int
    batches: tuple[Batch, ...]


def batch_limit(site_size: int) -> int:
    """A quarter of the site, rounded down, but at least one (else nothing could ever go)."""
    return max(1, site_size // 4)


def batch_plan(site_items: Sequence[Extinguisher], on: date, *, within_days: int = 0) -> BatchPlan:
    """Split one site's due extinguishers into batches, most urgent first.

    ``site_items`` is every extinguisher of the site (the quarter is of all of them); an item is
    due when its next due date is at most ``within_days`` after ``on``. Units going for
    replacement count as away too, and their substitute is the new unit.
    """
    if within_days < 0:
        raise ValueError("within_days must not be negative")
    _check_unique_ids(e.id for e in site_items)
    horizon = on + timedelta(days=within_days)
    due = [life for life in (lifecycle(e, on) for e in site_items) if life.next_due <= horizon]
    due.sort(key=lambda life: (life.next_due, life.extinguisher_id))
    limit = batch_limit(len(site_items))
    batches = []
    for number, start in enumerate(range(0, len(due), limit), start=1):
        chunk = tuple(due[start : start + limit])
        counts = Counter(life.type for life in chunk)
        substitutes = {t: counts[t] for t in ExtinguisherType if counts[t]}
        batches.append(Batch(number, chunk, MappingProxyType(substitutes)))
    return BatchPlan(len(site_items), limit, tuple(batches))


# ---------------------------------------------------------------------------
# Micro fire stations (微型消防站)

MIN_TRAINED_MEMBERS = 5
MIN_ON_DUTY_PER_SHIFT = 3


class StationRole(StrEnum):
    """Role in a micro fire station."""

    LEADER = "leader"  # 站长
    MEMBER = "member"  # 队员


@dataclass(frozen=True)
class StationMember:
    """A station member; only trained people count toward staffing."""

    id: str
    role: str = StationRole.MEMBER
    trained: bool = True


@dataclass(frozen=True)
class Shift:
    """One duty shift (a concrete period, e.g. 2025-03-01 08:00 to 20:00)."""

    id: str
    start: datetime
    end: datetime
    member_ids: frozenset[str]


@dataclass(frozen=True)
class ShortShift:
    """A shift with fewer trained people on duty than required."""

    shift_id: str
    on_duty: int
    missing: int


@dataclass(frozen=True)
class StationGaps:
    """What a station lacks against the community standard."""

    missing_leader: bool
    trained_members: int  # trained members besides the leader
    members_short: int
    short_shifts: tuple[ShortShift, ...]
    uncovered: tuple[tuple[datetime, datetime], ...]  # periods with no shift at all
    roster_empty: bool

    @property
    def ok(self) -> bool:
        """True when the station meets every staffing rule."""
        return not (
            self.missing_leader
            or self.members_short
            or self.short_shifts
            or self.uncovered
            or self.roster_empty
        )


def station_gaps(
    members: Sequence[StationMember],
    roster: Sequence[Shift],
    *,
    period: tuple[datetime, datetime] | None = None,
) -> StationGaps:
    """Leader, at least 5 trained members, at least 3 trained on every shift, 24 h cover.

    Coverage is checked over ``period`` (default: from the first shift start to the last end).
    """
    _check_unique_ids(m.id for m in members)
    _check_unique_ids(s.id for s in roster)
    by_id = {m.id: m for m in members}
    for member in members:
        if member.role not in {r.value for r in StationRole}:
            raise FireRuleError(member.id, "role", f"unknown role {member.role!r}", "invalid_value")
    leaders = [m for m in members if m.role == StationRole.LEADER]
    trained = sum(1 for m in members if m.trained and m.role == StationRole.MEMBER)

    short: list[ShortShift] = []
    for shift in roster:
        if shift.end <= shift.start:
            raise FireRuleError(shift.id, "end", "shift ends before it starts", "invalid_value")
        unknown = sorted(shift.member_ids - by_id.keys())
        if unknown:
            raise FireRuleError(
                shift.id, "member_ids", f"unknown member {unknown[0]!r}", "unknown_member"
            )
        on_duty = sum(1 for mid in shift.member_ids if by_id[mid].trained)
        if on_duty < MIN_ON_DUTY_PER_SHIFT:
            short.append(ShortShift(shift.id, on_duty, MIN_ON_DUTY_PER_SHIFT - on_duty))

    uncovered: list[tuple[datetime, datetime]] = []
    if period is None and roster:
        period = (min(s.start for s in roster), max(s.end for s in roster))
    if period is not None:
        begin, finish = period
        cursor = begin
        for shift in sorted(roster, key=lambda s: s.start):
            if shift.start > cursor:
                gap_end = min(shift.start, finish)
                if cursor < gap_end:
                    uncovered.append((cursor, gap_end))
            cursor = max(cursor, shift.end)
        if cursor < finish:
            uncovered.append((cursor, finish))

    return StationGaps(
        missing_leader=not leaders,
        trained_members=trained,
        members_short=max(0, MIN_TRAINED_MEMBERS - trained),
        short_shifts=tuple(short),
        uncovered=tuple(uncovered),
        roster_empty=not roster,
    )


@dataclass(frozen=True)
class KitItem:
    """A piece of station kit with its check interval in days."""

    id: str
    name: str
    interval_days: int
    last_checked: date | None = None


@dataclass(frozen=True)
class KitStatus:
    """A kit item and its next check."""

    item: KitItem
    check: ScheduledCheck


def kit_due(items: Iterable[KitItem], on: date) -> list[KitStatus]:
    """Next check of every kit item, most urgent first; never checked means due today."""
    items = list(items)
    _check_unique_ids(i.id for i in items)
    result = []
    for item in items:
        if item.interval_days <= 0:
            raise FireRuleError(
                item.id, "interval_days", "interval must be positive", "invalid_value"
            )
        check = _scheduled(
            item.last_checked,
            None,
            on,
            days=item.interval_days,
            record=item.id,
            field="last_checked",
        )
        result.append(KitStatus(item, check))
    result.sort(key=lambda k: (k.check.next_date, k.item.id))
    return result


# ---------------------------------------------------------------------------
# Coverage: 3-minute reach and charging capacity

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
DEFAULT_SPEED_M_PER_MIN = Decimal(200)  # straight-line metres per minute, turnout included
REACH_MINUTES = 3


@dataclass(frozen=True)
class Location:
    """A station or a building at WGS84 longitude/latitude in degrees."""

    id: str
    lon: float | Decimal
    lat: float | Decimal


@dataclass(frozen=True)
class Reach:
    """A building's nearest station, straight-line distance and travel time."""

    building_id: str
    station_id: str | None  # None when there is no station at all
    distance_m: Decimal | None  # rounded to 0.1 m
    minutes: Decimal | None  # rounded half up to 0.01 min; compared as shown
    limit_minutes: Decimal
    in_reach: bool


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres on a spherical Earth (error < 0.5 %, ample here)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _coordinates(loc: Location) -> tuple[float, float]:
    """Checked (lon, lat) as floats; a database may hand over Decimal degrees."""
    result = []
    for name, value, bound in (("lon", loc.lon, 180), ("lat", loc.lat, 90)):
        number = float(value) if isinstance(value, int | float | Decimal) else math.nan
        if isinstance(value, bool) or not -bound <= number <= bound:
            raise FireRuleError(loc.id, name, f"not a WGS84 {name}: {value!r}", "invalid_value")
        result.append(number)
    return result[0], result[1]


def station_reach(
    stations: Sequence[Location],
    buildings: Sequence[Location],
    *,
    speed_m_per_min: Decimal | int = DEFAULT_SPEED_M_PER_MIN,
    minutes: Decimal | int = REACH_MINUTES,
) -> list[Reach]:
    """Every building's nearest station and travel minutes; exactly the limit is in reach."""
    speed = Decimal(speed_m_per_min)
    limit = Decimal(minutes)
    if not speed.is_finite() or speed <= 0:
        raise ValueError("speed_m_per_min must be positive")
    if not limit.is_finite() or limit < 0:
        raise ValueError("minutes must not be negative")
    _check_unique_ids(s.id for s in stations)
    _check_unique_ids(b.id for b in buildings)
    station_points = [(s.id, _coordinates(s)) for s in stations]
    result = []
    for building in buildings:
        lon, lat = _coordinates(building)
        best: tuple[float, str] | None = None
        for station_id, (station_lon, station_lat) in station_points:
            d = haversine_m(lon, lat, station_lon, station_lat)
            if best is None or (d, station_id) < best:
                best = (d, station_id)
        if best is None:
            result.append(Reach(building.id, None, None, None, limit, False))
            continue
        distance = Decimal(best[0]).quantize(Decimal("0.1"), ROUND_HALF_UP)
        travel = (distance / speed).quantize(Decimal("0.01"), ROUND_HALF_UP)
        result.append(Reach(building.id, best[1], distance, travel, limit, travel <= limit))
    return result


def buildings_out_of_reach(
    stations: Sequence[Location],
    buildings: Sequence[Location],
    *,
    speed_m_per_min: Decimal | int = DEFAULT_SPEED_M_PER_MIN,
    minutes: Decimal | int = REACH_MINUTES,
) -> list[Reach]:
    """The buildings no station reaches within ``minutes`` (3 by the standard)."""
    reach = station_reach(stations, buildings, speed_m_per_min=speed_m_per_min, minutes=minutes)
    return [r for r in reach if not r.in_reach]


# ---------------------------------------------------------------------------
# Coverage gaps on the street map


class Gap(StrEnum):
    """What a building lacks: its own equipment, or a micro fire station within reach."""

    NO_EXTINGUISHER = "no_extinguisher"  # no extinguisher registered at the building
    SPRINKLER_PENDING = "sprinkler_pending"  # a door number's sprinkler planned, not installed
    OUT_OF_REACH = "out_of_reach"  # no station within the 3-minute reach


@dataclass(frozen=True)
class BuildingEquipment:
    """One building at a position, with the counts of equipment registered there."""

    location: Location
    extinguishers: int = 0
    sprinklers_planned: int = 0


@dataclass(frozen=True)
class BuildingGaps:
    building_id: str
    gaps: tuple[Gap, ...]


def coverage_gaps(
    buildings: Sequence[BuildingEquipment],
    stations: Sequence[Location],
    *,
    speed_m_per_min: Decimal | int = DEFAULT_SPEED_M_PER_MIN,
) -> list[BuildingGaps]:
    """Every building's gaps, in input order (an empty tuple: nothing missing)."""
    reach = station_reach(
        stations, [b.location for b in buildings], speed_m_per_min=speed_m_per_min
    )
    out = []
    for building, r in zip(buildings, reach, strict=True):
        if building.extinguishers < 0 or building.sprinklers_planned < 0:
            raise FireRuleError(building.location.id, "count", "negative count", "invalid_value")
        gaps = []
        if building.extinguishers == 0:
            gaps.append(Gap.NO_EXTINGUISHER)
        if building.sprinklers_planned:
            gaps.append(Gap.SPRINKLER_PENDING)
        if not r.in_reach:
            gaps.append(Gap.OUT_OF_REACH)
        out.append(BuildingGaps(building.location.id, tuple(gaps)))
    return out


@dataclass(frozen=True)
class MapFrame:
    """A local flat projection of WGS84 points onto a drawing ``width`` wide."""

    min_lon: float
    max_lat: float
    x_scale: float  # drawing units per degree of longitude
    y_scale: float  # drawing units per degree of latitude
    margin: float
    width: float
    height: float

    def point(self, loc: Location) -> tuple[float, float]:
        lon, lat = _coordinates(loc)
        x = self.margin + (lon - self.min_lon) * self.x_scale
        y = self.margin + (self.max_lat - lat) * self.y_scale
        return round(x, 1), round(y, 1)

    def metres(self, m: float | Decimal) -> float:
        """A distance in metres as drawing units (north-south scale)."""
        return round(float(m) / METRES_PER_DEGREE_LAT * self.y_scale, 1)


METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180


def map_frame(points: Sequence[Location], *, width: float = 1000, margin: float = 20) -> MapFrame:
    """Fit the points into a drawing ``width`` wide, keeping true proportions (longitude is
    shortened by cos(latitude) as on the ground); the height follows from the area's shape."""
    if not points:
        raise ValueError("no points to frame")
    coords = [_coordinates(p) for p in points]
    lons, lats = [c[0] for c in coords], [c[1] for c in coords]
    mid = math.radians((min(lats) + max(lats)) / 2)
    span_x = (max(lons) - min(lons)) * math.cos(mid)
    span_y = max(lats) - min(lats)
    inner = width - 2 * margin
    # One point (or a line): a frame of about 500 m so the drawing is still meaningful.
    span = max(span_x, span_y, 500 / METRES_PER_DEGREE_LAT)
    y_scale = inner / span
    height = 2 * margin + span_y * y_scale
    return MapFrame(
        min(lons), max(lats), y_scale * math.cos(mid), y_scale, margin, width, round(height, 1)
    )


@dataclass(frozen=True)
class ChargingGap:
    """Charging capacity against the estimated e-bikes of one committee."""

    committee: str
    ebikes: int
    bays: int
    needed: int  # bays the target ratio asks for
    shortfall: int
    ratio: Decimal | None  # bays per e-bike, 2 decimals; None without e-bikes


def charging_gap(
    ebikes_estimated: Mapping[str, int],
    bays: Mapping[str, int],
    *,
    bays_per_ebike: Decimal | int = 1,
) -> list[ChargingGap]:
    """Per committee: bays needed (e-bikes × target, rounded up), shortfall and bays per e-bike.

    A committee missing from one mapping has 0 there; the result is sorted by committee.
    """
    target = Decimal(bays_per_ebike)
    if not target.is_finite() or target < 0:
        raise ValueError("bays_per_ebike must not be negative")
    result = []
    for committee in sorted(ebikes_estimated.keys() | bays.keys()):
        count = ebikes_estimated.get(committee, 0)
        capacity = bays.get(committee, 0)
        for name, value in (("ebikes_estimated", count), ("bays", capacity)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise FireRuleError(committee, name, f"not a count: {value!r}", "invalid_value")
        needed = int((count * target).to_integral_value(ROUND_CEILING))
        ratio = (
            (Decimal(capacity) / count).quantize(Decimal("0.01"), ROUND_HALF_UP) if count else None
        )
        result.append(
            ChargingGap(committee, count, capacity, needed, max(0, needed - capacity), ratio)
        )
    return result


# ---------------------------------------------------------------------------
# Risk link: registry facts as suggested findings for the assessment

XF03 = "XF03"  # 灭火器
XF04 = "XF04"  # 简易喷淋/喷淋
XF07 = "XF07"  # 电动自行车停放充电
WY05 = "WY05"  # 应急预案与处置力量


@dataclass(frozen=True)
class RiskFact:
    """A suggested finding; the inspector accepts or rejects it in the risk app."""

    subunit: str
    description: str  # Chinese, for the inspector and the white paper
    likelihood: int  # L from the prevalence rule
    defective: int
    checked: int
    evidence: tuple[str, ...]  # ids of the defective items

    @property
    def share(self) -> Fraction:
        """Share of the checked points that are defective."""
        return Fraction(self.defective, self.checked)


def prevalence_likelihood(defective: int, checked: int) -> int | None:
    """L from the share defective: <10 % → 2, 10–<30 % → 3, 30–60 % → 4, >60 % → 5.

    None when nothing is defective (no finding). Exact: the edges 10 % and 30 % go up a band;
    60 % stays at 4 because the rule says "> 60 %".
    """
    if checked <= 0 or not 0 <= defective <= checked:
        raise ValueError("need 0 <= defective <= checked and checked > 0")
    if defective == 0:
        return None
    share = Fraction(defective, checked)
    if share < Fraction(1, 10):
        return 2
    if share < Fraction(3, 10):
        return 3
    if share <= Fraction(6, 10):
        return 4
    return 5


def _percent(defective: int, checked: int) -> str:
    value = (Decimal(100 * defective) / checked).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value.normalize():f}%"


def _fact(
    subunit: str, description: str, defective: int, checked: int, evidence: Sequence[str]
) -> RiskFact:
    likelihood = prevalence_likelihood(defective, checked)
    if likelihood is None:  # pragma: no cover - facts are only built for defects
        raise AssertionError("a fact needs at least one defect")
    return RiskFact(subunit, description, likelihood, defective, checked, tuple(evidence))


def risk_facts(
    on: date,
    *,
    extinguishers: Sequence[Extinguisher] = (),
    sprinklers: Sequence[Sprinkler] = (),
    charging: Sequence[ChargingGap] = (),
    reach: Sequence[Reach] = (),
) -> list[RiskFact]:
    """Suggested findings from the registry of one assessment scope (a sample or a committee).

    XF03: extinguishers whose action on ``on`` is maintain or replace. XF04: door numbers with
    a recorded fault, an end-of-line pressure below 0.03 MPa, or a check past its due day. XF07:
    one fact per committee short of charging bays. WY05: buildings beyond the station reach.
    """
    facts: list[RiskFact] = []

    if extinguishers:
        _check_unique_ids(e.id for e in extinguishers)
        lives = [lifecycle(e, on) for e in extinguishers]
        replace = [x.extinguisher_id for x in lives if x.action is Action.REPLACE]
        maintain = [x.extinguisher_id for x in lives if x.action is Action.MAINTAIN]
        bad = sorted(replace + maintain)
        if bad:
            total = len(lives)
            facts.append(
                _fact(
                    XF03,
                    f"灭火器超出使用或维修期限：共 {total} 具，{len(bad)} 具不合格"
                    f"（占 {_percent(len(bad), total)}），其中需报废更换 {len(replace)} 具、"
                    f"逾期未送修 {len(maintain)} 具。",
                    len(bad),
                    total,
                    bad,
                )
            )

    if sprinklers:
        _check_unique_ids(s.id for s in sprinklers)
        faulty, low, late = [], [], []
        for s in sprinklers:
            if s.faults:
                faulty.append(s.id)
            if s.last_pressure_mpa is not None and not end_of_line_ok(
                s.last_pressure_mpa, record=s.id
            ):
                low.append(s.id)
            if s.schedule(on).status is CheckStatus.OVERDUE:
                late.append(s.id)
        bad = sorted(set(faulty) | set(low) | set(late))
        if bad:
            total = len(sprinklers)
            facts.append(
                _fact(
                    XF04,
                    f"简易喷淋存在故障或检查逾期：共 {total} 个门牌，{len(bad)} 个有问题"
                    f"（占 {_percent(len(bad), total)}），其中有故障 {len(faulty)} 个、"
                    f"末端试水压力低于 {END_OF_LINE_MIN_MPA} MPa {len(low)} 个、"
                    f"检查逾期 {len(late)} 个。",
                    len(bad),
                    total,
                    bad,
                )
            )

    for gap in charging:
        if gap.shortfall > 0:
            facts.append(
                _fact(
                    XF07,
                    f"{gap.committee} 电动自行车充电能力不足：估计 {gap.ebikes} 辆，"
                    f"充电车位 {gap.bays} 个，缺口 {gap.shortfall} 个"
                    f"（占所需 {_percent(gap.shortfall, gap.needed)}）。",
                    gap.shortfall,
                    gap.needed,
                    (gap.committee,),
                )
            )

    if reach:
        _check_unique_ids(r.building_id for r in reach)
        far = sorted(r.building_id for r in reach if not r.in_reach)
        if far:
            total = len(reach)
            limit = max(r.limit_minutes for r in reach)
            facts.append(
                _fact(
                    WY05,
                    f"{len(far)} 栋楼超出微型消防站 {limit.normalize():f} 分钟到场范围"
                    f"（共 {total} 栋，占 {_percent(len(far), total)}）。",
                    len(far),
                    total,
                    far,
                )
            )
    return facts


# ---------------------------------------------------------------------------
# Weekly reminders to each responsible unit (committee, partner)

MONTHLY_CHECK_DAYS = 28  # a monthly check: never less than 28 days apart
QUARTERLY_CHECK_DAYS = 89  # quarterly
YEARLY_CHECK_DAYS = 365  # yearly


@dataclass(frozen=True)
class DueDate:
    """One date an item falls due, with how often that check comes round.

    ``every_days`` is None for one-off lifecycle dates (maintenance, replacement). A check that
    comes round at least as often as a reminder window is always inside it, so it is reminded
    only once overdue: a monthly check would otherwise fill the 30-day list every week.
    """

    due: date
    every_days: int | None = None


@dataclass(frozen=True)
class ReminderCounts:
    """How many items of one unit are overdue, due within 30 days, due in 31 to 90 days."""

    overdue: int = 0
    soon: int = 0
    upcoming: int = 0

    def __add__(self, other: ReminderCounts) -> ReminderCounts:
        return ReminderCounts(
            self.overdue + other.overdue, self.soon + other.soon, self.upcoming + other.upcoming
        )


def reminder_window(
    due: DueDate, on: date, days: tuple[int, int] = (SOON_DAYS, UPCOMING_DAYS)
) -> DueWindow:
    """Overdue once the date has passed; else soon (0–30 days) or upcoming (31–90 days), but a
    routine check only counts in a window longer than its interval."""
    soon, upcoming = days
    window = due_window(due.due, on, days)
    if window is DueWindow.OVERDUE or due.every_days is None:
        return window
    if window is DueWindow.SOON and due.every_days <= soon:
        return DueWindow.OK
    if window is DueWindow.UPCOMING and due.every_days <= upcoming:
        return DueWindow.OK
    return window


_WINDOW_RANK = {DueWindow.OK: 0, DueWindow.UPCOMING: 1, DueWindow.SOON: 2, DueWindow.OVERDUE: 3}


def item_window(dues: Iterable[DueDate], on: date) -> DueWindow:
    """The most urgent window over all of one item's dates (OK when it has none)."""
    return max(
        (reminder_window(d, on) for d in dues), key=_WINDOW_RANK.__getitem__, default=DueWindow.OK
    )


def count_windows(windows: Iterable[DueWindow]) -> ReminderCounts:
    tally = Counter(windows)
    return ReminderCounts(
        tally[DueWindow.OVERDUE], tally[DueWindow.SOON], tally[DueWindow.UPCOMING]
    )


def extinguisher_due_dates(
    next_due: date, next_inspection: date, *, half_monthly: bool = False
) -> list[DueDate]:
    """Maintenance or replacement (one-off) and the routine inspection (monthly or 15 days)."""
    return [
        DueDate(next_due),
        DueDate(next_inspection, HALF_MONTH_DAYS if half_monthly else MONTHLY_CHECK_DAYS),
    ]


def sprinkler_due_dates(
    installed_on: date,
    last_visual: date | None,
    last_end_of_line: date | None,
    last_service: date | None,
) -> list[DueDate]:
    """The next monthly, quarterly and yearly check; a check never done counts from installation.

    Unlike ``sprinkler_schedule`` this never refuses a row: a weekly reminder must not stop
    because one record carries a date in the future (that row is simply not due).
    """
    return [
        DueDate(add_months(last_visual or installed_on, VISUAL_EVERY_MONTHS), MONTHLY_CHECK_DAYS),
        DueDate(
            add_months(last_end_of_line or installed_on, END_OF_LINE_EVERY_MONTHS),
            QUARTERLY_CHECK_DAYS,
        ),
        DueDate(add_months(last_service or installed_on, SERVICE_EVERY_MONTHS), YEARLY_CHECK_DAYS),
    ]


def kit_due_date(last_checked: date | None, interval_days: int, on: date) -> DueDate:
    """A station kit item: last check + interval; never checked means due today (``kit_due``)."""
    due = on if last_checked is None else last_checked + timedelta(days=interval_days)
    return DueDate(due, interval_days)


@dataclass(frozen=True)
class EquipmentNotice:
    """One reminder to send to a unit: ``days`` is None for the overdue notice."""

    kind: str
    count: int
    days: int | None = None


def equipment_notices(counts: ReminderCounts) -> list[EquipmentNotice]:
    """What one unit is told this week: overdue items, items due within 30 and within 90 days.

    The 90-day notice counts the items due in 31 to 90 days only, so no item is counted twice.
    """
    out = []
    if counts.overdue:
        out.append(EquipmentNotice("fire.equipment_overdue", counts.overdue))
    if counts.soon:
        out.append(EquipmentNotice("fire.equipment_due", counts.soon, SOON_DAYS))
    if counts.upcoming:
        out.append(EquipmentNotice("fire.equipment_due", counts.upcoming, UPCOMING_DAYS))
    return out


def reminder_week(on: date) -> str:
    """The ISO week of a day (``2026-W49``): the weekly reminder is sent once per unit and week."""
    year, week, _weekday = on.isocalendar()
    return f"{year}-W{week:02d}"
