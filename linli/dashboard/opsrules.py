"""The street operations screen (城运中心 wall): plain facts in, panels out.

Pure (no Django), so what the wall calls urgent -- the red and amber thresholds, what is counted,
which items are shown first -- is decided here and tested directly. ``opsqueries`` gathers the
facts in a constant number of queries; the views translate the labels (``gettext_noop`` marks
them) and link the figures to the list pages.

Nothing here holds personal data: committees, ticket numbers, places and counts only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Level = Literal["ok", "amber", "red"]
_RANK: Mapping[Level, int] = {"ok": 0, "amber": 1, "red": 2}


def gettext_noop(message: str) -> str:
    """Marks a label for translation; the view translates it when shown."""
    return message


# --- thresholds (docs/ops.md) -------------------------------------------------------------------
WAIT_AMBER_MINUTES = 20  # the longest wait in the hall
WAIT_RED_MINUTES = 45
PER_WINDOW_AMBER = 4  # people waiting per open window
PER_WINDOW_RED = 8
EXTINGUISHER_RED_SHARE = 0.10  # overdue extinguishers as a share of the street's units
TOP = 5  # items listed per panel: the wall has room for five lines
QUEUES_SHOWN = 6


def worst(*levels: Level) -> Level:
    """The most urgent of the levels ("ok" for none)."""
    return max(levels, key=lambda lv: _RANK[lv], default="ok")


@dataclass(frozen=True)
class Text:
    """A label to translate and the values it names (``%(name)s`` placeholders)."""

    msgid: str
    params: Mapping[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """One big number; ``total`` makes it "n / total"; ``link`` names a drill-down list."""

    key: str
    label: str
    value: int
    level: Level = "ok"
    total: int | None = None
    unit: str = ""
    link: str | None = None


@dataclass(frozen=True)
class Item:
    text: Text
    level: Level = "ok"


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    figures: tuple[Figure, ...]
    items: tuple[Item, ...]
    empty: str  # shown when there is no item
    link: str | None = None

    @property
    def level(self) -> Level:
        return worst(*(f.level for f in self.figures), *(i.level for i in self.items))


def _level_at(value: float, amber: float, red: float) -> Level:
    if value >= red:
        return "red"
    if value >= amber:
        return "amber"
    return "ok"


def _any(value: int | None, level: Level) -> Level:
    return level if value else "ok"


# --- the hall ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFacts:
    prefix: str
    name: str
    waiting: int
    longest_wait_minutes: int  # of the person waiting longest in this queue (0: nobody)


@dataclass(frozen=True)
class HallFacts:
    queues: Sequence[QueueFacts]
    windows_open: int  # active windows with a clerk signed on
    windows: int  # active windows
    serving: int  # tickets called or being served now


def hall_panel(f: HallFacts) -> Panel:
    """Waiting now: red when nobody serves a queue that waits, or the wait or load is long."""
    waiting = sum(q.waiting for q in f.queues)
    longest = max((q.longest_wait_minutes for q in f.queues if q.waiting), default=0)
    if waiting and not f.windows_open:
        load: Level = "red"
    else:
        load = _level_at(waiting / max(f.windows_open, 1), PER_WINDOW_AMBER, PER_WINDOW_RED)
    wait_level = _level_at(longest, WAIT_AMBER_MINUTES, WAIT_RED_MINUTES)
    queues = sorted(
        (q for q in f.queues if q.waiting),
        key=lambda q: (-q.longest_wait_minutes, -q.waiting, q.prefix),
    )[:QUEUES_SHOWN]
    items = tuple(
        Item(
            Text(
                gettext_noop("%(prefix)s %(name)s：%(n)s 人等候，最长 %(m)s 分钟"),
                {"prefix": q.prefix, "name": q.name, "n": q.waiting, "m": q.longest_wait_minutes},
            ),
            _level_at(q.longest_wait_minutes, WAIT_AMBER_MINUTES, WAIT_RED_MINUTES),
        )
        for q in queues
    )
    return Panel(
        "hall",
        gettext_noop("大厅排队"),
        (
            Figure("waiting", gettext_noop("等候人数"), waiting, load, link="hall_waiting"),
            Figure(
                "longest_wait",
                gettext_noop("最长等候"),
                longest,
                wait_level,
                unit=gettext_noop("分钟"),
            ),
            Figure(
                "windows_open",
                gettext_noop("开放窗口"),
                f.windows_open,
                "red" if waiting and not f.windows_open else "ok",
                total=f.windows,
            ),
            Figure("serving", gettext_noop("正在办理"), f.serving, link="hall_serving"),
        ),
        items,
        gettext_noop("无人等候"),
        link="hall",
    )


# --- hazards -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HazardRow:
    committee: str
    subunit: str
    grade: str
    due_on: date | None


@dataclass(frozen=True)
class HazardFacts:
    open: int
    overdue: int  # still being rectified, deadline passed
    due_today: int
    due_next: int  # due after today, by the next working day (the street's calendar)
    grade_a: int  # open A-grade (重大) hazards
    top: Sequence[HazardRow]  # the most urgent open cases (earliest deadline first)


def hazard_text(row: HazardRow, today: date) -> Item:
    base = {"committee": row.committee, "subunit": row.subunit, "grade": row.grade}
    if row.due_on is None:
        return Item(Text(gettext_noop("%(committee)s %(subunit)s %(grade)s级 未定期限"), base))
    days = (row.due_on - today).days
    if days < 0:
        return Item(
            Text(
                gettext_noop("%(committee)s %(subunit)s %(grade)s级 逾期 %(days)s 天"),
                {**base, "days": -days},
            ),
            "red",
        )
    if days == 0:
        return Item(
            Text(gettext_noop("%(committee)s %(subunit)s %(grade)s级 今日到期"), base), "amber"
        )
    return Item(
        Text(
            gettext_noop("%(committee)s %(subunit)s %(grade)s级 %(date)s 到期"),
            {**base, "date": row.due_on.strftime("%m-%d")},
        )
    )


def hazard_panel(f: HazardFacts, today: date) -> Panel:
    """Overdue is red; due today or by the next working day amber; major (A) hazards amber."""
    rows = sorted(f.top, key=lambda r: (r.due_on or date.max, r.grade, r.committee, r.subunit))
    return Panel(
        "hazards",
        gettext_noop("隐患整改"),
        (
            Figure(
                "overdue",
                gettext_noop("已逾期"),
                f.overdue,
                _any(f.overdue, "red"),
                link="hazards_overdue",
            ),
            Figure(
                "due_today",
                gettext_noop("今日到期"),
                f.due_today,
                _any(f.due_today, "amber"),
                link="hazards_open",
            ),
            Figure(
                "due_next",
                gettext_noop("下一工作日"),
                f.due_next,
                _any(f.due_next, "amber"),
                link="hazards_open",
            ),
            Figure(
                "grade_a",
                gettext_noop("A级未销号"),
                f.grade_a,
                _any(f.grade_a, "amber"),
                total=f.open,
                link="hazards_a",
            ),
        ),
        tuple(hazard_text(r, today) for r in rows[:TOP]),
        gettext_noop("没有待整改隐患"),
        link="hazards_open",
    )


# --- fire equipment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitteeCount:
    committee: str
    n: int


@dataclass(frozen=True)
class EquipmentFacts:
    extinguishers: int
    overdue: int  # maintenance or replacement overdue
    inspection_due: int  # routine inspection due today or before
    sprinklers_overdue: int
    sprinkler_faults: int
    worst: Sequence[CommitteeCount]  # committees with the most overdue extinguishers


def equipment_panel(f: EquipmentFacts) -> Panel:
    """A faulty sprinkler is red; overdue extinguishers amber, red from a tenth of the units."""
    if f.overdue and f.overdue >= EXTINGUISHER_RED_SHARE * f.extinguishers:
        overdue: Level = "red"
    else:
        overdue = _any(f.overdue, "amber")
    rows = sorted((c for c in f.worst if c.n), key=lambda c: (-c.n, c.committee))[:TOP]
    return Panel(
        "equipment",
        gettext_noop("消防设施"),
        (
            Figure(
                "overdue",
                gettext_noop("灭火器逾期"),
                f.overdue,
                overdue,
                total=f.extinguishers,
                link="fire_overdue",
            ),
            Figure(
                "inspection_due",
                gettext_noop("巡查到期"),
                f.inspection_due,
                _any(f.inspection_due, "amber"),
                link="fire_inspection",
            ),
            Figure(
                "sprinklers_overdue",
                gettext_noop("喷淋检查逾期"),
                f.sprinklers_overdue,
                _any(f.sprinklers_overdue, "amber"),
                link="fire",
            ),
            Figure(
                "sprinkler_faults",
                gettext_noop("喷淋故障"),
                f.sprinkler_faults,
                _any(f.sprinkler_faults, "red"),
                link="fire",
            ),
        ),
        tuple(
            Item(
                Text(
                    gettext_noop("%(committee)s：%(n)s 具逾期"),
                    {"committee": c.committee, "n": c.n},
                ),
                overdue,
            )
            for c in rows
        ),
        gettext_noop("没有逾期设备"),
        link="fire_overdue",
    )


# --- escalations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EscalatedTicket:
    number: str
    queue: str
    day: date
    minutes: int  # since it was handed to the back office


@dataclass(frozen=True)
class EscalationFacts:
    """``None``: the viewer may not read that part (it is left off the panel)."""

    backoffice: int | None = None  # tickets with the back office (中台处理中)
    oldest: Sequence[EscalatedTicket] = ()
    cases_overdue: int | None = None  # 办件 past their promised date
    hazards_escalated: int | None = None  # hazards supervised above the committee (督办)


def escalation_panel(f: EscalationFacts, today: date) -> Panel:
    """Hall escalations still open from an earlier day and overdue cases are red."""
    figures: list[Figure] = []
    items: list[Item] = []
    if f.backoffice is not None:
        stuck = any(t.day < today for t in f.oldest)
        figures.append(
            Figure("backoffice", gettext_noop("中台处理中"), f.backoffice,
                   "red" if stuck else _any(f.backoffice, "amber"), link="hall_backoffice")
        )  # fmt: skip
        for t in sorted(f.oldest, key=lambda t: (t.day, -t.minutes, t.number))[:TOP]:
            params: dict[str, str | int] = {"number": t.number, "queue": t.queue}
            if t.day < today:
                items.append(
                    Item(
                        Text(gettext_noop("%(number)s %(queue)s 转中台 %(date)s，未办结"),
                             {**params, "date": t.day.strftime("%m-%d")}),
                        "red",
                    )
                )  # fmt: skip
            else:
                items.append(
                    Item(
                        Text(gettext_noop("%(number)s %(queue)s 转中台 %(m)s 分钟"),
                             {**params, "m": t.minutes}),
                        "amber",
                    )
                )  # fmt: skip
    if f.cases_overdue is not None:
        figures.append(
            Figure("cases_overdue", gettext_noop("办件逾期"), f.cases_overdue,
                   _any(f.cases_overdue, "red"), link="hall_cases_overdue")
        )  # fmt: skip
    if f.hazards_escalated is not None:
        figures.append(
            Figure("hazards_escalated", gettext_noop("隐患督办"), f.hazards_escalated,
                   _any(f.hazards_escalated, "amber"), link="hazards_escalated")
        )  # fmt: skip
    return Panel(
        "escalations",
        gettext_noop("督办与转办"),
        tuple(figures),
        tuple(items),
        # The list is of the back office's tickets; without them there is no list.
        gettext_noop("中台没有待办的排队号") if f.backoffice is not None else "",
    )


# --- lift projects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockRow:
    """A lift project's clock that calls for action (``elevator.stages.clocks``)."""

    project_id: int
    project: str
    committee: str
    label: str  # the clock's label (msgid)
    status: Literal["overdue", "due_soon"]
    due: date


@dataclass(frozen=True)
class LiftFacts:
    clocks: Sequence[ClockRow]
    objections_open: int
    votes_closing: int  # open votes whose deadline is within the warning days


def lift_panel(f: LiftFacts, today: date) -> Panel:
    """A missed deadline is red; a clock running out, an open objection, a closing vote amber."""
    overdue = sum(1 for c in f.clocks if c.status == "overdue")
    due_soon = len(f.clocks) - overdue
    projects = len({c.project_id for c in f.clocks})
    rows = sorted(f.clocks, key=lambda c: (c.status != "overdue", c.due, c.project, c.label))
    items = []
    for c in rows[:TOP]:
        days = (c.due - today).days
        params: dict[str, str | int] = {"project": c.project, "clock": c.label}
        if c.status == "overdue":
            items.append(
                Item(Text(gettext_noop("%(project)s 逾期 %(days)s 天：%(clock)s"),
                          {**params, "days": -days}), "red")
            )  # fmt: skip
        else:
            items.append(
                Item(Text(gettext_noop("%(project)s %(date)s 到期：%(clock)s"),
                          {**params, "date": c.due.strftime("%m-%d")}), "amber")
            )  # fmt: skip
    return Panel(
        "lifts",
        gettext_noop("加装电梯"),
        (
            Figure(
                "projects",
                gettext_noop("需处理项目"),
                projects,
                "red" if overdue else _any(projects, "amber"),
                link="lifts",
            ),
            Figure("overdue", gettext_noop("已逾期"), overdue, _any(overdue, "red"), link="lifts"),
            Figure(
                "due_soon",
                gettext_noop("即将到期"),
                due_soon,
                _any(due_soon, "amber"),
                link="lifts",
            ),
            Figure(
                "objections",
                gettext_noop("未结异议"),
                f.objections_open,
                _any(f.objections_open, "amber"),
                link="lift_projects",
            ),
        ),
        tuple(items),
        gettext_noop("没有待处理的加梯事项"),
        link="lifts",
    )


# --- today's activities --------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    title: str
    place: str
    starts: datetime  # local time
    ends: datetime
    confirmed: int
    capacity: int


@dataclass(frozen=True)
class ActivityFacts:
    events: int  # today's open events
    ongoing: int
    signed_up: int  # confirmed seats of today's events
    attended: int  # checked in
    rows: Sequence[EventRow]  # today's events still to come or under way, soonest first


def activity_panel(f: ActivityFacts, now: datetime) -> Panel:
    """Information, not alarm: the day's activities, those under way first."""
    rows = sorted(f.rows, key=lambda e: (not e.starts <= now < e.ends, e.starts, e.title))
    items = []
    for e in rows[:TOP]:
        params: dict[str, str | int] = {
            "start": e.starts.strftime("%H:%M"), "end": e.ends.strftime("%H:%M"),
            "title": e.title, "place": e.place, "n": e.confirmed, "capacity": e.capacity,
        }  # fmt: skip
        if e.starts <= now < e.ends:
            text = gettext_noop(
                "进行中 %(start)s–%(end)s %(n)s/%(capacity)s人 %(title)s · %(place)s"
            )
        else:
            text = gettext_noop("%(start)s–%(end)s %(n)s/%(capacity)s人 %(title)s · %(place)s")
        items.append(Item(Text(text, params)))
    return Panel(
        "activities",
        gettext_noop("今日活动"),
        (
            Figure("events", gettext_noop("今日活动"), f.events, link="activities"),
            Figure("ongoing", gettext_noop("进行中"), f.ongoing, link="activities"),
            Figure("signed_up", gettext_noop("报名人数"), f.signed_up),
            Figure("attended", gettext_noop("已签到"), f.attended, total=f.signed_up),
        ),
        tuple(items),
        gettext_noop("今天没有更多活动"),
        link="activities",
    )


# --- the screen ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenFacts:
    """Every panel's facts; ``None`` for a panel the viewer may not read (it is not shown)."""

    today: date
    now: datetime  # local time
    hall: HallFacts | None = None
    hazards: HazardFacts | None = None
    equipment: EquipmentFacts | None = None
    escalations: EscalationFacts | None = None
    lifts: LiftFacts | None = None
    activities: ActivityFacts | None = None


def screen(f: ScreenFacts) -> list[Panel]:
    """The panels in their fixed places on the wall (an unreadable panel leaves no gap)."""
    panels: list[Panel] = []
    if f.hall is not None:
        panels.append(hall_panel(f.hall))
    if f.hazards is not None:
        panels.append(hazard_panel(f.hazards, f.today))
    if f.escalations is not None and (
        f.escalations.backoffice is not None
        or f.escalations.cases_overdue is not None
        or f.escalations.hazards_escalated is not None
    ):
        panels.append(escalation_panel(f.escalations, f.today))
    if f.equipment is not None:
        panels.append(equipment_panel(f.equipment))
    if f.lifts is not None:
        panels.append(lift_panel(f.lifts, f.today))
    if f.activities is not None:
        panels.append(activity_panel(f.activities, f.now))
    return panels
