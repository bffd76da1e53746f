"""District comparisons: streets side by side, ranked per figure, and who may see which row.

Pure (no Django): the page and the PDF hand in each street's figures, already aggregated by
one grouped query per figure in the domain apps, and get back the rows the viewer may read.

Ranks are competition ranks over the streets that have a value (1, 1, 3 …), rank 1 being the
best street for that figure (lowest risk, highest survey score …). The district average is the
plain mean over those streets. A district or city account sees every street of its district;
a street account sees its own street's row, its rank per figure and the district average — no
other street's row, and no scale taken from another street's value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from linli.core.roles import Level


def gettext_noop(message: str) -> str:
    """Marks a label for the message catalogue without importing Django; pages translate it."""
    return message


LOW = "low"  # a lower value is better (risk, overdue work, waiting)
HIGH = "high"  # a higher value is better (survey score, ratings, activity)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    domain: str  # the app whose read permission shows the figure: risk, fire, hall, …
    better: str  # LOW or HIGH
    unit: str = ""  # shown after the value: "%", gettext_noop("分钟") …
    places: int = 1  # decimal places shown


FIGURES: tuple[Figure, ...] = (
    Figure("ab_share", gettext_noop("A/B 级居委占比"), "risk", LOW, "%"),
    Figure("risk_mean", gettext_noop("平均风险值"), "risk", LOW, "", 2),
    Figure("risk_trend", gettext_noop("风险值变化"), "risk", LOW, "", 2),
    Figure("rectified", gettext_noop("隐患整改率"), "risk", HIGH, "%"),
    Figure("overdue_hazards", gettext_noop("逾期隐患"), "risk", LOW, "", 0),
    Figure("survey", gettext_noop("居民安全感得分"), "risk", HIGH),
    Figure("fire_overdue", gettext_noop("消防设施逾期占比"), "fire", LOW, "%"),
    Figure("fire_overdue_n", gettext_noop("逾期消防设施"), "fire", LOW, "", 0),
    Figure("hall_wait", gettext_noop("平均等候时间"), "hall", LOW, gettext_noop("分钟")),
    Figure("hall_rating", gettext_noop("好差评平均星级"), "hall", HIGH, gettext_noop("星"), 2),
    Figure("lifts_running", gettext_noop("加装电梯已投运"), "elevator", HIGH, "", 0),
    Figure("lifts_active", gettext_noop("加装电梯在办"), "elevator", HIGH, "", 0),
    Figure("activities", gettext_noop("社区活动场次"), "community", HIGH, "", 0),
    Figure("attendance", gettext_noop("活动签到人次"), "community", HIGH, "", 0),
)
BY_KEY: Mapping[str, Figure] = {f.key: f for f in FIGURES}

# Lift projects by stage (``elevator.stages.Stage`` numbers), in four phases for the bars.
LIFT_PHASES: tuple[tuple[str, range], ...] = (
    (gettext_noop("征询"), range(4)),
    (gettext_noop("审批"), range(4, 7)),
    (gettext_noop("施工"), range(7, 9)),
    (gettext_noop("投运"), range(9, 12)),
)
RUNNING_FROM = 9  # from the joint completion acceptance on, a lift is built and in use


@dataclass(frozen=True)
class Viewer:
    """What an account may see of the comparison: every street of the district, or its own
    street's row only (``own``)."""

    sees_all: bool
    own: int | None = None


def viewer_for(level: Level | str | None, street: int | None) -> Viewer | None:
    """The viewer an account of reach ``level`` is (None: it may see no comparison).

    District and city accounts read every street; a street account reads its own street
    (``street``, None when it has none: then it reads nothing). Committee and object-level
    accounts compare nothing."""
    if level in (Level.DISTRICT, Level.CITY):
        return Viewer(sees_all=True)
    if level == Level.STREET and street is not None:
        return Viewer(sees_all=False, own=street)
    return None


@dataclass(frozen=True)
class StreetFigures:
    """One street's figures (None: no data for that figure) and the extras the page draws."""

    street: int
    name: str
    values: Mapping[str, Decimal | None]
    lift_stages: Mapping[int, int] = field(default_factory=dict)
    survey_years: Mapping[int, Decimal | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    value: Decimal | None
    rank: int | None
    bar: int  # 0–100: the bar's length against the largest value the viewer sees


@dataclass(frozen=True)
class Row:
    street: int
    name: str
    cells: Mapping[str, Cell]
    phases: tuple[tuple[str, int], ...]
    survey_ranks: tuple[tuple[int, int | None, int], ...]  # (year, rank, streets ranked)


@dataclass(frozen=True)
class Comparison:
    figures: tuple[Figure, ...]
    rows: tuple[Row, ...]
    average: Mapping[str, Decimal | None]
    average_bar: Mapping[str, int]
    ranked: Mapping[str, int]  # how many streets have a value, per figure
    streets: int  # streets in the district
    sort: str
    years: tuple[int, ...]
    sees_all: bool


def quantize(value: Decimal | Fraction | int | None, places: int = 1) -> Decimal | None:
    """Half-up to ``places`` decimals (exact from a fraction); None stays None."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in per cent, one decimal (None when there is no whole)."""
    return quantize(Fraction(part * 100, whole)) if whole else None


def mean(values: Iterable[Decimal | None], places: int = 2) -> Decimal | None:
    """The mean of the values that are there (None when none is)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return quantize(Fraction(sum(present, Decimal(0))) / len(present), places)


def ranks(values: Mapping[int, Decimal | None], better: str) -> dict[int, int]:
    """Competition ranks (1 best; equal values share a rank, the next rank skips) of the
    streets that have a value."""
    if better not in (LOW, HIGH):
        raise ValueError(f"better: {better!r} is neither {LOW!r} nor {HIGH!r}")
    present = [(k, v) for k, v in values.items() if v is not None]
    sign = 1 if better == LOW else -1
    ordered = sorted(present, key=lambda kv: sign * kv[1])
    out: dict[int, int] = {}
    for position, (key, value) in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        same = previous is not None and previous[1] == value
        out[key] = out[previous[0]] if same and previous is not None else position
    return out


def risk_figures(
    scores: Iterable[tuple[int, int, datetime, Decimal, str]],
) -> dict[int, dict[str, Decimal | None]]:
    """Per street, from committee-level scores ``(street, committee, when, value, grade)``
    (any order; ``when`` orders a committee's rounds): each committee's latest score gives the
    share of A/B committees and the mean value; the trend is that mean minus the mean of the
    same committees' previous scores (None where no committee has one)."""
    by_committee: dict[tuple[int, int], list[tuple[datetime, Decimal, str]]] = {}
    for street, committee, when, value, grade in scores:
        by_committee.setdefault((street, committee), []).append((when, value, grade))
    latest: dict[int, list[tuple[Decimal, str]]] = {}
    pairs: dict[int, list[tuple[Decimal, Decimal]]] = {}
    for (street, _committee), history in by_committee.items():
        history.sort(key=lambda h: h[0])
        _when, value, grade = history[-1]
        latest.setdefault(street, []).append((value, grade))
        if len(history) > 1:
            pairs.setdefault(street, []).append((value, history[-2][1]))
    out: dict[int, dict[str, Decimal | None]] = {}
    for street, graded in latest.items():
        out[street] = {
            "ab_share": share(sum(1 for _v, g in graded if g in "AB"), len(graded)),
            "risk_mean": mean(v for v, _g in graded),
            "risk_trend": mean(now - then for now, then in pairs.get(street, [])),
        }
    return out


def lift_phases(stages: Mapping[int, int]) -> tuple[tuple[str, int], ...]:
    """Projects per phase (``LIFT_PHASES``) from projects per stage."""
    return tuple(
        (label, sum(n for stage, n in stages.items() if stage in span))
        for label, span in LIFT_PHASES
    )


def compare(
    streets: Sequence[StreetFigures],
    viewer: Viewer,
    figures: Sequence[Figure] = FIGURES,
    sort: str = "",
) -> Comparison:
    """The comparison a viewer reads: every street's row (sorted by ``sort``, best first, then
    by name) for a viewer who sees all; the own street's row alone otherwise (none when the own
    street is not among ``streets``). Ranks and averages are over all ``streets`` either way.

    ``sort`` must be the key of one of ``figures`` or empty (by name)."""
    keys = [f.key for f in figures]
    if sort and sort not in keys:
        raise ValueError(f"sort: unknown figure {sort!r}")
    by_figure = {f.key: {s.street: s.values.get(f.key) for s in streets} for f in figures}
    rank = {f.key: ranks(by_figure[f.key], f.better) for f in figures}
    average = {f.key: mean(by_figure[f.key].values(), f.places) for f in figures}
    years = tuple(sorted({y for s in streets for y in s.survey_years}))
    year_ranks = {y: ranks({s.street: s.survey_years.get(y) for s in streets}, HIGH) for y in years}
    visible = [s for s in streets if viewer.sees_all or s.street == viewer.own]
    scale = {
        f.key: max(
            (abs(v) for v in [*(s.values.get(f.key) for s in visible), average[f.key]] if v),
            default=Decimal(0),
        )
        for f in figures
    }

    def bar(key: str, value: Decimal | None) -> int:
        top = scale[key]
        return int(quantize(abs(value) * 100 / top, 0) or 0) if value and top else 0

    rows = [
        Row(
            street=s.street,
            name=s.name,
            cells={
                k: Cell(s.values.get(k), rank[k].get(s.street), bar(k, s.values.get(k)))
                for k in keys
            },
            phases=lift_phases(s.lift_stages),
            survey_ranks=tuple((y, year_ranks[y].get(s.street), len(year_ranks[y])) for y in years),
        )
        for s in visible
    ]
    rows.sort(key=lambda r: r.name)
    if sort:
        rows.sort(key=lambda r: (r.cells[sort].rank is None, r.cells[sort].rank or 0))
    return Comparison(
        figures=tuple(figures),
        rows=tuple(rows),
        average=average,
        average_bar={k: bar(k, average[k]) for k in keys},
        ranked={k: len(rank[k]) for k in keys},
        streets=len(streets),
        sort=sort,
        years=years,
        sees_all=viewer.sees_all,
    )


def visible_figures(readable_domains: Iterable[str]) -> tuple[Figure, ...]:
    """The figures of the domains the viewer may read (its role's ``<domain>.view``)."""
    domains = set(readable_domains)
    return tuple(f for f in FIGURES if f.domain in domains)
