"""Portable extinguishers: lifecycle (GB 50444, GA 95), due windows, batch plans.

Pure (no Django, no I/O, no clock); see ``linli.fire.rules``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from .base import FireRuleError, add_years, check_unique_ids

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
    check_unique_ids(e.id for e in items)
    result = []
    for ext in items:
        life = lifecycle(ext, on)
        result.append(DueItem(life, due_window(life.next_due, on, days), (life.next_due - on).days))
    result.sort(key=lambda d: (d.lifecycle.next_due, d.lifecycle.extinguisher_id))
    return result


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
    check_unique_ids(e.id for e in site_items)
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
