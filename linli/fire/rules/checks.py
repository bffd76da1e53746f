"""Periodic checks: half-monthly inspections and the simple sprinklers' schedule.

Pure (no Django, no I/O, no clock); see ``linli.fire.rules``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from .base import FireRuleError, add_months

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


def scheduled(
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
        return scheduled(
            last_inspected, since, on, days=HALF_MONTH_DAYS, record=record, field="last_inspected"
        )
    return scheduled(last_inspected, since, on, months=1, record=record, field="last_inspected")


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
        visual=scheduled(
            last_visual,
            installed_on,
            on,
            months=VISUAL_EVERY_MONTHS,
            record=record,
            field="last_visual",
        ),
        end_of_line=scheduled(
            last_end_of_line,
            installed_on,
            on,
            months=END_OF_LINE_EVERY_MONTHS,
            record=record,
            field="last_end_of_line",
        ),
        service=scheduled(
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
