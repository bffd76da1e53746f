"""The street's working-day calendar: reading it (cached per process) and changing it (audited).

One table, ``core.CalendarDay``, serves every deadline of Linli (hall cases and business days,
risk rectification and re-inspection, elevator periods). It is seeded from the
``chinesecalendar`` package (``sync_from_package``, run by a migration, ``linli calendar sync``
and a daily job) and overridden day by day by the street admin (``set_day``/``clear_day``).
The arithmetic is pure and lives in ``linli.core.workdays``.

Reads are cached per process under the calendar's version stamp (``core.CalendarVersion``,
through ``core.stamps.StampedCache``): ``work_calendar()`` costs one primary-key read of the
stamp and reloads the days only when another process (or this one) changed them. Paths that
cannot spend even that (the hall kiosk) keep the version with their copy and check it inside
the statement that does their work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, policy
from .context import Actor
from .errors import DomainError
from .models import CalendarDay, CalendarVersion
from .stamps import StampedCache
from .workdays import WorkCalendar
from .workdays import missing_coming_year as missing_coming_year_rule

PERMISSION = "calendar.manage"


class CalendarError(DomainError):
    code = "calendar"


@dataclass(frozen=True)
class CachedCalendar:
    version: int
    calendar: WorkCalendar
    covered_years: frozenset[int]


# Per process and database, replaced whole, never mutated (threads may read it freely).
_CACHE: StampedCache[CachedCalendar] = StampedCache(CalendarVersion)


# --- the version stamp -------------------------------------------------------------------------


def version() -> int:
    """The stored calendar version (creating its row, with a number no cache holds, if missing)."""
    return _CACHE.stamp()


def mark_changed() -> None:
    """Move the stamp (inside the changing transaction): every process reloads on next use."""
    _CACHE.changed()


# --- reading -------------------------------------------------------------------------------------


def _covered(rows: list[tuple[date, str, str]]) -> frozenset[int]:
    """Years whose holiday notice is in the table: from the package, or entered by the street
    with its 1 January (元旦 is in every notice)."""
    years = {d.year for d, _k, s in rows if s == CalendarDay.Source.PACKAGE}
    years |= {
        d.year for d, k, _s in rows if (d.month, d.day) == (1, 1) and k == CalendarDay.Kind.HOLIDAY
    }
    return frozenset(years)


def cached(stamp: int | None = None) -> CachedCalendar:
    """The calendar at the stored version (one stamp read; the days only when they changed).

    ``stamp``: a version the caller has just read (saves the stamp read).
    """
    stamp = version() if stamp is None else stamp
    found = _CACHE.get()
    if found is not None and found.version == stamp:
        return found
    rows = list(CalendarDay.objects.order_by().values_list("day", "kind", "source"))
    calendar = WorkCalendar.of(
        (d for d, k, _s in rows if k == CalendarDay.Kind.HOLIDAY),
        (d for d, k, _s in rows if k == CalendarDay.Kind.WORKDAY),
    )
    return _CACHE.put(CachedCalendar(stamp, calendar, _covered(rows)))


def work_calendar() -> WorkCalendar:
    """Holidays and 调休 working days as stored now (for every deadline)."""
    return cached().calendar


def missing_coming_year(today: date, covered_years: frozenset[int]) -> int | None:
    """See ``workdays.missing_coming_year`` (re-exported for the views)."""
    return missing_coming_year_rule(today, covered_years)


def coming_year_missing(today: date | None = None) -> int | None:
    """The coming year, from 1 November on, when neither the package nor the street has it."""
    return missing_coming_year_rule(today or timezone.localdate(), cached().covered_years)


def days_from(first: date, last: date) -> list[CalendarDay]:
    """The stored days in ``[first, last]``, for the calendar page."""
    return list(CalendarDay.objects.filter(day__gte=first, day__lte=last).order_by("day"))


def forget() -> None:
    """Drop this process's cached copy (tests; the next read reloads)."""
    _CACHE.forget()


# --- the package -------------------------------------------------------------------------------


def package_days() -> tuple[Mapping[date, str], Mapping[date, str]]:
    """(days off, 调休 working days) with their holiday's name, from ``chinesecalendar``."""
    from chinese_calendar import constants

    return constants.holidays, constants.workdays


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@dataclass(frozen=True)
class SyncResult:
    added: int
    changed: int
    removed: int
    kept_street: int
    years: tuple[int, ...]


def sync_from_package(
    actor: Actor,
    holidays: Mapping[date, str] | None = None,
    workdays: Mapping[date, str] | None = None,
) -> SyncResult:
    """Bring the package's days into the table; the street's own entries stay as they are.

    Idempotent: a second run changes nothing. ``holidays``/``workdays`` default to the installed
    package (passing them loads a notice the package does not have yet). Package rows of a day
    the package no longer lists are removed (a corrected notice).
    """
    if holidays is None or workdays is None:
        package_holidays, package_workdays = package_days()
        holidays = package_holidays if holidays is None else holidays
        workdays = package_workdays if workdays is None else workdays
    wanted: dict[date, tuple[str, str]] = {}
    for day, name in holidays.items():
        wanted[day] = (CalendarDay.Kind.HOLIDAY, HOLIDAY_NAMES.get(name, name)[:60])
    for day, name in workdays.items():
        wanted[day] = (CalendarDay.Kind.WORKDAY, HOLIDAY_NAMES.get(name, name)[:60])
    with transaction.atomic():
        stored = {c.day: c for c in CalendarDay.objects.select_for_update().order_by()}
        add, change = [], []
        kept = 0
        for day, (kind, name) in wanted.items():
            current = stored.get(day)
            if current is None:
                add.append(CalendarDay(day=day, kind=kind, name=name, source="package"))
            elif current.source == CalendarDay.Source.STREET:
                kept += 1
            elif (current.kind, current.name) != (kind, name):
                current.kind, current.name = kind, name
                change.append(current)
        gone = [
            c.pk
            for d, c in stored.items()
            if c.source == CalendarDay.Source.PACKAGE and d not in wanted
        ]
        CalendarDay.objects.bulk_create(add, batch_size=500)
        CalendarDay.objects.bulk_update(change, ["kind", "name"], batch_size=500)
        CalendarDay.objects.filter(pk__in=gone).delete()
        result = SyncResult(
            len(add), len(change), len(gone), kept, tuple(sorted({d.year for d in wanted}))
        )
        if add or change or gone:
            mark_changed()
            audit.record(
                actor,
                "core.calendar.sync",
                object_type="core.calendarday",
                details={
                    "added": result.added,
                    "changed": result.changed,
                    "removed": result.removed,
                    "years": [min(result.years), max(result.years)] if result.years else [],
                },
            )
    return result


# --- the street's overrides ----------------------------------------------------------------------


def may_change(user: Any) -> bool:
    """The calendar serves every street of the installation: a street's admin changes it only
    where that street is the installation's only one (or the account reaches every street)."""
    return policy.can(user, PERMISSION) and policy.reaches_every_street(user)


def _require_change(user: Any) -> None:
    policy.require(user, PERMISSION)
    if not policy.reaches_every_street(user):
        raise PermissionDenied(_("日历对本系统的所有街道有效，只能由覆盖全部街道的管理员调整。"))


def set_day(actor: Actor, day: date, kind: str, name: str = "") -> CalendarDay:
    """The street declares a day a day off or a working day (overrides the package's entry)."""
    _require_change(actor.user)
    if kind not in CalendarDay.Kind.values:
        raise CalendarError(_("请选择节假日或调休上班。"), code="bad_kind", field="kind")
    name = name.strip()
    if len(name) > 60:
        raise CalendarError(_("名称最多 60 个字。"), code="name_too_long", field="name")
    with transaction.atomic():
        before = CalendarDay.objects.select_for_update().filter(day=day).first()
        entry, _created = CalendarDay.objects.update_or_create(
            day=day, defaults={"kind": kind, "name": name, "source": CalendarDay.Source.STREET}
        )
        mark_changed()
        audit.record(
            actor,
            "core.calendar.set",
            entry,
            details={
                "kind": kind,
                "before": None if before is None else f"{before.source}:{before.kind}",
            },
        )
    return entry


def clear_day(actor: Actor, day: date) -> CalendarDay | None:
    """Remove the street's entry of a day: the package's entry (if any) applies again."""
    _require_change(actor.user)
    holidays, workdays = package_days()
    with transaction.atomic():
        entry = CalendarDay.objects.select_for_update().filter(day=day).first()
        if entry is None or entry.source != CalendarDay.Source.STREET:
            raise CalendarError(_("这一天没有街道调整。"), code="no_override", field="day")
        entry.delete()
        restored = None
        if day in holidays or day in workdays:
            kind = CalendarDay.Kind.HOLIDAY if day in holidays else CalendarDay.Kind.WORKDAY
            name = holidays.get(day) or workdays.get(day) or ""
            restored = CalendarDay.objects.create(
                day=day,
                kind=kind,
                name=HOLIDAY_NAMES.get(name, name)[:60],
                source=CalendarDay.Source.PACKAGE,
            )
        mark_changed()
        audit.record(
            actor, "core.calendar.clear", object_type="core.calendarday", object_repr=str(day)
        )
    return restored
