"""Micro fire stations (微型消防站): members, duty shifts and kit.

Pure (no Django, no I/O, no clock); see ``linli.fire.rules``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from .base import FireRuleError, check_unique_ids
from .checks import ScheduledCheck, scheduled

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
    check_unique_ids(m.id for m in members)
    check_unique_ids(s.id for s in roster)
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
    check_unique_ids(i.id for i in items)
    result = []
    for item in items:
        if item.interval_days <= 0:
            raise FireRuleError(
                item.id, "interval_days", "interval must be positive", "invalid_value"
            )
        check = scheduled(
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
