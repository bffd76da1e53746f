"""Reads of risk data: permission-scoped, with the joins each page needs.

Pages read stored ``Score`` rows (written only by ``services.do_rescore``), never rescore.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.roles import Role
from linli.geo.models import Committee

from . import rules
from .models import Check, Finding, HazardCase, MethodVersion, Photo, Round, Sample, Score

GRADE_ORDER = "ABCD"

_METHODS: dict[tuple[int, str], rules.Method] = {}


def method_of(version: MethodVersion) -> rules.Method:
    """The engine's method for a stored version (cached; a version in use never changes)."""
    key = (version.pk, json.dumps(version.data, sort_keys=True))
    method = _METHODS.get(key)
    if method is None:
        method = rules.load_method(version.data)
        _METHODS.clear() if len(_METHODS) > 32 else None
        _METHODS[key] = method
    return method


def rounds(user: Any) -> QuerySet[Round]:
    """Rounds covering a committee within the user's reach (a round is one street's)."""
    policy.require(user, "risk.view")
    covered = policy.scoped(Round.committees.through.objects.all(), user, "committee_id")
    return Round.objects.select_related("method").filter(pk__in=covered.values("round_id"))


def samples(user: Any, rnd: Round | None = None) -> QuerySet[Sample]:
    """Samples a user may see: inspectors only those assigned to them."""
    qs = Sample.objects.select_related("committee", "building__estate", "inspector", "round")
    if rnd is not None:
        qs = qs.filter(round=rnd)
    if policy.role_of(user) == Role.INSPECTOR:
        return qs.filter(inspector=user)
    policy.require(user, "risk.view")
    return policy.scoped(qs, user, "committee_id")


def my_samples(user: Any) -> QuerySet[Sample]:
    """The samples assigned to an inspector (我的样本), whoever else could see them."""
    policy.require(user, "risk.inspect")
    return Sample.objects.filter(inspector_id=user.pk).select_related(
        "committee", "building__estate", "inspector", "round"
    )


def scores(user: Any) -> QuerySet[Score]:
    """Stored results of the committees within the user's reach."""
    policy.require(user, "risk.view")
    return policy.scoped(Score.objects.select_related("committee"), user, "committee_id")


def _object_level(user: Any) -> bool:
    return policy.role_of(user) in (Role.INSPECTOR, Role.PARTNER)


def committee_choices(user: Any) -> QuerySet[Committee]:
    """The committees a list filter offers: those within reach, or for an inspector or a
    partner body (reached object by object) those of their samples or cases."""
    qs = Committee.objects.order_by("code")
    if policy.role_of(user) == Role.INSPECTOR:
        return qs.filter(pk__in=Sample.objects.filter(inspector_id=user.pk).values("committee_id"))
    if policy.role_of(user) == Role.PARTNER:
        return qs.filter(pk__in=cases(user).values("committee_id"))
    return policy.scoped(qs, user, "pk")


def round_choices(user: Any) -> QuerySet[Round]:
    """The rounds a list filter offers, by the same reach as ``committee_choices``."""
    if policy.role_of(user) == Role.INSPECTOR:
        return Round.objects.filter(
            pk__in=Sample.objects.filter(inspector_id=user.pk).values("round_id")
        )
    if policy.role_of(user) == Role.PARTNER:
        return Round.objects.filter(pk__in=cases(user).values("round_id"))
    if not policy.can(user, "risk.view"):
        return Round.objects.none()
    return rounds(user)


def sample_for_inspection(user: Any, pk: int) -> Sample:
    policy.require(user, "risk.inspect")
    try:
        return (
            Sample.objects.select_related("committee", "building__estate", "round__method")
            .prefetch_related(
                Prefetch("checks", Check.objects.prefetch_related("findings__photos"))
            )
            .get(pk=pk, inspector=user)
        )
    except Sample.DoesNotExist:
        raise PermissionDenied("not your sample") from None


def committees_in(user: Any, rnd: Round) -> QuerySet[Committee]:
    return policy.scoped(rnd.committees.select_related("area").order_by("code"), user, "pk")


def cases(user: Any) -> QuerySet[HazardCase]:
    """Hazard cases: street roles all; committee staff their committee; partners their body's."""
    qs = HazardCase.objects.select_related(
        "committee", "organisation", "round", "finding__check_item__sample__building"
    )
    if policy.role_of(user) == Role.PARTNER:
        org = policy.organisation_scope(user)
        policy.require(user, "risk.rectify")
        return qs.filter(organisation_id=org) if org else qs.none()
    if not (policy.can(user, "risk.view") or policy.can(user, "risk.rectify")):
        raise PermissionDenied("risk.view")
    return policy.scoped(qs, user, "committee_id")


def photo(user: Any, pk: int) -> Photo:
    """A photo, if the user may see its finding or case."""
    p = Photo.objects.select_related("finding__check_item__sample", "case").filter(pk=pk).first()
    if p is None:
        raise PermissionDenied("photo")
    if p.finding is not None:
        sample = p.finding.check_item.sample
        if policy.role_of(user) == Role.INSPECTOR:
            if sample.inspector_id != user.pk:
                raise PermissionDenied("photo")
            return p
        if policy.can(user, "risk.view") and policy.in_scope(user, sample.committee_id):
            return p
        case = HazardCase.objects.filter(finding=p.finding).first()
        if case is not None and cases(user).filter(pk=case.pk).exists():
            return p
        raise PermissionDenied("photo")
    if p.case is not None and cases(user).filter(pk=p.case.pk).exists():
        return p
    raise PermissionDenied("photo")


# --------------------------------------------------------------------------- overview


class CommitteeRef(NamedTuple):
    """What a ranking shows of a committee (a large round reads these, not 6,000 models)."""

    pk: int
    code: str
    name: str
    map_x: int
    map_y: int


@dataclass(slots=True)
class CommitteeRow:
    committee: Committee | CommitteeRef
    value: Decimal | None = None
    grade: str = ""
    units: dict[str, Score] = field(default_factory=dict)
    previous: Decimal | None = None
    previous_grade: str = ""
    rank: int = 0
    submitted: int = 0
    total: int = 0
    # The street picture: the round (and day) each committee's latest grade comes from.
    source_round: Round | None = None
    graded_on: date | None = None

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def previous_round(rnd: Round) -> Round | None:
    """The round before ``rnd`` in the same street (one sharing a committee with it)."""
    through = Round.committees.through.objects
    same = through.filter(committee_id__in=through.filter(round=rnd).values("committee_id"))
    return (
        Round.objects.filter(created_at__lt=rnd.created_at, pk__in=same.values("round_id"))
        .exclude(pk=rnd.pk)
        .order_by("-created_at")
        .first()
    )


DIAGRAM_MAX = 60  # a street diagram is readable up to this many committees
PAGE_SIZE = 50


def overview(user: Any, rnd: Round, *, units: bool = True) -> dict[str, Any]:
    """Committee rows with stored scores, distribution, ranking, change since last round.

    ``units=False`` leaves the unit scores out (load them for one page with ``add_units``),
    so a city-scale round reads one row per committee.
    """
    method = method_of(rnd.method)
    committees = committees_in(user, rnd)
    rows: dict[int, CommitteeRow]
    if units:
        rows = {c.pk: CommitteeRow(c) for c in committees}
    else:  # a large round: only what the ranking needs, no model per committee or score
        rows = {
            ref[0]: CommitteeRow(CommitteeRef._make(ref))
            for ref in committees.select_related(None).values_list(
                "pk", "code", "name", "map_x", "map_y"
            )
        }
    scope = policy.committee_scope(user)
    # Scores and samples belong to the round's committees: filter by scope, not by 6,000 ids.
    mine: dict[str, Any] = {} if scope is None else {"committee_id": scope}
    if units:
        for s in Score.objects.filter(round=rnd, sample=None, **mine):
            row = rows.get(s.committee_id)
            if row is None:
                continue
            if s.unit == "":
                row.value, row.grade = s.value, s.grade
            else:
                row.units[s.unit] = s
    else:
        for committee_id, value, grade in Score.objects.filter(
            round=rnd, sample=None, unit="", **mine
        ).values_list("committee_id", "value", "grade"):
            if committee_id in rows:
                rows[committee_id].value, rows[committee_id].grade = value, grade
    counts = (
        Sample.objects.filter(round=rnd, **mine)
        .values("committee_id")
        .annotate(total=Count("id"), submitted=Count("id", filter=Q(state=Sample.State.SUBMITTED)))
        .values_list("committee_id", "total", "submitted")
    )
    for committee_id, total, submitted in counts:
        counted = rows.get(committee_id)
        if counted is not None:
            counted.total, counted.submitted = total, submitted
    prev = previous_round(rnd)
    if prev is not None:
        for committee_id, value, grade in Score.objects.filter(
            round=prev, sample=None, unit="", **mine
        ).values_list("committee_id", "value", "grade"):
            if committee_id in rows:
                rows[committee_id].previous, rows[committee_id].previous_grade = value, grade
    ordered = list(rows.values())
    ranked = sorted(
        (r for r in ordered if r.value is not None),
        key=lambda r: (-(r.value or 0), r.committee.code),
    )
    for i, r in enumerate(ranked, start=1):
        r.rank = i
    distribution = [
        {"grade": g, "info": method.grade_info(g), "n": sum(1 for r in ordered if r.grade == g)}
        for g in GRADE_ORDER
    ]
    values = [r.value for r in ranked if r.value is not None]
    average = rules.round_half_up(sum(values, Decimal(0)) / len(values)) if values else None
    return {
        "method": method,
        "rows": ordered,
        "ranked": ranked,
        "distribution": distribution,
        "average": average,
        "previous": prev,
        "units": method.units,
    }


def _graded_on() -> Subquery:
    """The day a committee's grade in a round was made: its last sample submission."""
    return Subquery(
        Sample.objects.filter(
            round=OuterRef("round"),
            committee=OuterRef("committee"),
            state=Sample.State.SUBMITTED,
        )
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )


def _latest_score_pk(committee: str, before: Round | None = None) -> Subquery:
    """The pk of a committee's newest committee-level score (optionally before a round)."""
    qs = Score.objects.filter(committee=OuterRef(committee), sample=None, unit="")
    if before is not None:
        qs = qs.filter(round__created_at__lt=before.created_at)
    return Subquery(qs.order_by("-round__created_at", "-round_id").values("pk")[:1])


def _day(moment: Any) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def street_picture(user: Any, latest: Round | None = None) -> dict[str, Any]:
    """Every committee's LATEST grade across rounds, and the recheck the newest round is.

    A round covering only some committees (复查) does not replace the street picture: each
    committee keeps the grade of the newest round that scored it, with that round and day on
    its tile; the distribution and the street average are over these latest grades. When
    ``latest`` covers fewer committees than the picture, ``recheck`` lists its committees with
    the grade before it and the grade it gave. Three queries whatever the number of committees
    or rounds.
    """
    policy.require(user, "risk.view")
    committees = policy.scoped(Committee.objects.order_by("code"), user, "pk").only(
        "pk", "code", "name", "map_x", "map_y"
    )
    rows = {c.pk: CommitteeRow(c) for c in committees}
    mine: dict[str, Any] = {}
    scope = policy.committee_scope(user)
    if scope is not None:
        mine["committee_id"] = scope
    scores = (
        Score.objects.filter(sample=None, unit="", **mine)
        .annotate(newest=_latest_score_pk("committee"), graded_at=_graded_on())
        .filter(pk=F("newest"))
        .select_related("round")
    )
    for s in scores:
        row = rows.get(s.committee_id)
        if row is not None:
            row.value, row.grade, row.source_round = s.value, s.grade, s.round
            row.graded_on = _day(s.graded_at) or _day(s.round.created_at)
    ordered = list(rows.values())
    graded = [r for r in ordered if r.value is not None]
    values = [r.value for r in graded if r.value is not None]
    recheck: list[CommitteeRow] = []
    if latest is not None:
        # Committees of the newest round with the grade each had before it (one query).
        covered = (
            latest.committees.filter(**({"pk": scope} if scope is not None else {}))
            .order_by("code")
            .annotate(
                before_pk=_latest_score_pk("pk", before=latest),
                before_value=Subquery(
                    Score.objects.filter(pk=OuterRef("before_pk")).values("value")[:1]
                ),
                before_grade=Subquery(
                    Score.objects.filter(pk=OuterRef("before_pk")).values("grade")[:1]
                ),
            )
            .values_list("pk", "before_value", "before_grade")
        )
        in_round = list(covered)
        if 0 < len(in_round) < len(ordered):
            for committee_id, before_value, before_grade in in_round:
                row = rows.get(committee_id)
                if row is None:
                    continue
                fresh = row.source_round is not None and row.source_round.pk == latest.pk
                now = row if fresh else None
                recheck.append(
                    CommitteeRow(
                        row.committee,
                        value=now.value if now else None,
                        grade=now.grade if now else "",
                        # SQLite hands a subquery's decimal back as a float: quantize.
                        previous=None
                        if before_value is None
                        else Decimal(str(before_value)).quantize(Decimal("0.01")),
                        previous_grade=before_grade or "",
                        source_round=latest,
                        graded_on=now.graded_on if now else None,
                    )
                )
    method = method_of(latest.method) if latest is not None else None
    distribution = [
        {
            "grade": g,
            "info": method.grade_info(g) if method else None,
            "n": sum(1 for r in graded if r.grade == g),
        }
        for g in GRADE_ORDER
    ]
    return {
        "rows": ordered,
        "graded": len(graded),
        "distribution": distribution,
        "average": rules.round_half_up(sum(values, Decimal(0)) / len(values)) if values else None,
        "recheck": recheck,
    }


def add_units(rnd: Round, rows: list[CommitteeRow]) -> None:
    """Load the unit scores of the given rows (one page of a large round)."""
    by_id = {r.committee.pk: r for r in rows}
    for s in Score.objects.filter(round=rnd, sample=None, committee_id__in=by_id).exclude(unit=""):
        by_id[s.committee_id].units[s.unit] = s


def diagram(rows: list[CommitteeRow]) -> dict[str, Any]:
    """Committees as cells on the street grid (the dashboard's idea), coloured by grade."""
    cells: list[dict[str, Any]] = []
    for index, r in enumerate(rows):
        c = r.committee
        placed = c.map_x or c.map_y
        cells.append(
            {
                "row": r,
                "x": c.map_x if placed else 2 + (index % 5) * 23,
                "y": c.map_y if placed else 8 + (index // 5) * 14,
            }
        )
    height = max((cell["y"] for cell in cells), default=0) + 14
    return {"cells": cells, "height": height}


def committee_detail(user: Any, rnd: Round, committee: Committee) -> dict[str, Any]:
    policy.require(user, "risk.view")
    policy.require_in_scope(user, committee.pk)
    method = method_of(rnd.method)
    scores = list(Score.objects.filter(round=rnd, committee=committee))
    overall = next((s for s in scores if s.sample_id is None and s.unit == ""), None)
    unit_scores = {s.unit: s for s in scores if s.sample_id is None and s.unit}
    sample_scores: dict[int, dict[str, Score]] = {}
    for s in scores:
        if s.sample_id is not None:
            sample_scores.setdefault(s.sample_id, {})[s.unit] = s
    sample_list = list(
        Sample.objects.filter(round=rnd, committee=committee)
        .select_related("building__estate", "inspector")
        .order_by("label")
    )
    findings = list(
        Finding.objects.filter(
            check_item__sample__round=rnd, check_item__sample__committee=committee
        )
        .select_related("check_item__sample", "case")
        .prefetch_related("photos")
        .order_by("grade", "check_item__code", "check_item__sample__label", "position")
    )
    na_checks = set(
        Check.objects.filter(
            sample__round=rnd, sample__committee=committee, status=Check.Status.NA
        ).values_list("sample_id", "code")
    )
    unit_rows = []
    for u in method.units:
        score = unit_scores.get(u.code)
        unit_rows.append(
            {
                "unit": u,
                "score": score,
                "findings": [f for f in findings if f.check_item.code.startswith(u.code)],
                "samples": [sample_scores.get(s.pk, {}).get(u.code) for s in sample_list],
            }
        )
    for smp in sample_list:
        smp.score = sample_scores.get(smp.pk, {}).get("")  # type: ignore[attr-defined]
    ov = overview(user, rnd, units=False) if policy.committee_scope(user) is None else None
    rank = None
    if ov is not None:
        rank = next((r for r in ov["rows"] if r.committee.pk == committee.pk), None)
    return {
        "method": method,
        "overall": overall,
        "unit_rows": unit_rows,
        "samples": sample_list,
        "findings": findings,
        "na_checks": na_checks,
        "radar": radar(method, unit_scores),
        "overview": ov,
        "rank_row": rank,
    }


def radar(method: rules.Method, unit_scores: dict[str, Score]) -> dict[str, Any]:
    """Points of an SVG radar chart (0–100 per unit), with the 20/40/60 band rings."""
    n = len(method.units)
    cx = cy = 150
    radius = 110

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * max(0.0, min(value, 100.0)) / 100
        return round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)

    axes = []
    poly = []
    for i, u in enumerate(method.units):
        s = unit_scores.get(u.code)
        value = float(s.value) if s else 0.0
        ex, ey = point(i, 100)
        # the label sits outside the chart (``point`` clamps values at 100, the rim)
        angle = -math.pi / 2 + 2 * math.pi * i / n
        lx, ly = round(cx + 118 * math.cos(angle), 1), cy + 118 * math.sin(angle)
        # Labels grow away from the chart: left of it they end at the point, right of it they
        # start there, above and below they are centred (so none lies across an axis or another).
        anchor = "start" if lx > cx + 5 else "end" if lx < cx - 5 else "middle"
        # The PDF draws a 10 px label about 17 units high (the chart is scaled into 100 mm).
        if ly > cy + 5:
            ly += 20  # below: the text hangs under the point
        elif abs(ly - cy) <= 5:
            ly += 7  # level with the centre: vertically centred
        else:
            ly -= 2
        axes.append(
            {
                "x": ex,
                "y": ey,
                "lx": lx,
                "ly": round(ly, 1),
                "anchor": anchor,
                "label": u.name_zh,
                "code": u.code,
                "grade": s.grade if s else "—",
            }
        )
        poly.append(point(i, value))
    rings = []
    for level in (20, 40, 60, 100):
        pts = " ".join(f"{x},{y}" for x, y in (point(i, level) for i in range(n)))
        rings.append({"level": level, "points": pts})
    return {
        "axes": axes,
        "rings": rings,
        "points": " ".join(f"{x},{y}" for x, y in poly),
        "dots": [{"x": x, "y": y} for x, y in poly],
        "cx": cx,
        "cy": cy,
    }


def overdue(qs: QuerySet[HazardCase]) -> QuerySet[HazardCase]:
    today = timezone.localdate()
    return qs.exclude(state__in=[HazardCase.State.CLOSED, HazardCase.State.DEFERRED]).filter(
        due_on__lt=today
    )


def escalated(qs: QuerySet[HazardCase]) -> QuerySet[HazardCase]:
    return qs.exclude(state=HazardCase.State.CLOSED).filter(~Q(escalation="committee"))


# --------------------------------------------------------------------------- rectification figures


@dataclass
class FigureRow:
    label: str
    committee: Committee | None
    figures: Any

    def pct(self, value: Any) -> str:
        return "—" if value is None else f"{rules.round_half_up(value * 100, 1)}%"

    @property
    def rectification(self) -> str:
        return self.pct(self.figures.rectification_rate)

    @property
    def overdue(self) -> str:
        return self.pct(self.figures.overdue_rate)

    @property
    def repeat(self) -> str:
        return self.pct(self.figures.repeat_rate)

    @property
    def mean_days(self) -> str:
        m = self.figures.mean_days_to_close
        return "—" if m is None else str(rules.round_half_up(m, 1))


def case_figures(user: Any, as_of: Any = None) -> list[FigureRow]:
    """Rectification rate, overdue rate, mean days to close, repeat rate: per committee and
    for everything the user may see (``rectification.figures``; one query)."""
    from . import rectification as rect

    as_of = as_of or timezone.localdate()
    records: dict[int, list[rect.CaseRecord]] = {}
    names: dict[int, Committee] = {}
    qs = cases(user).select_related(None).select_related("committee", "finding__check_item__sample")
    for c in qs.only(
        "pk",
        "subunit",
        "grade",
        "found_on",
        "due_on",
        "closed_on",
        "committee__name",
        "committee__code",
        "finding__check_item__sample__building_id",
    ):
        names[c.committee_id] = c.committee
        records.setdefault(c.committee_id, []).append(
            rect.CaseRecord(
                str(c.pk),
                str(c.finding.check_item.sample.building_id),
                c.subunit,
                c.grade,
                c.found_on,
                c.due_on,
                c.closed_on,
            )
        )
    rows = [
        FigureRow(names[k].name, names[k], rect.figures(v, as_of))
        for k, v in sorted(records.items(), key=lambda kv: names[kv[0]].code)
    ]
    everything = [r for v in records.values() for r in v]
    if len(rows) > 1:
        rows.append(FigureRow(str(_("合计")), None, rect.figures(everything, as_of)))
    return rows


# --------------------------------------------------------------------------- reminders

#: States in which the responsible unit still has rectification work to do.
WORKING_STATES = (
    HazardCase.State.FOUND,
    HazardCase.State.GRADED,
    HazardCase.State.ASSIGNED,
    HazardCase.State.IN_PROGRESS,
)


def cases_due_by(today: Any, horizon: Any) -> QuerySet[HazardCase]:
    """Street-wide (the schedule acts for no user): cases still being rectified whose deadline
    falls between today and ``horizon``, with what a reminder names."""
    return (
        HazardCase.objects.filter(state__in=WORKING_STATES, due_on__gte=today, due_on__lte=horizon)
        .select_related("committee", "finding")
        .order_by("due_on", "pk")
    )


def safety_department() -> list[Any]:
    """The street's safety office (平安办): who supervises escalated cases (督办)."""
    from linli.core.models import User

    return list(
        User.objects.filter(role=Role.STREET_STAFF, department="safety", is_active=True).order_by(
            "pk"
        )
    )


# --------------------------------------------------------------------------- district comparisons


def street_scores(user: Any, streets: list[int]) -> list[tuple[int, int, Any, Decimal, str]]:
    """Every committee-level score of the given streets' committees as ``(street, committee,
    round created, value, grade)``, in one query: the district comparison's risk figures
    (``dashboard.rules.risk_figures``). Aggregates for the comparison only: the caller
    (``dashboard.district``) decides the streets and shows no committee."""
    policy.require(user, "risk.view")
    rows = Score.objects.filter(
        committee__subdistrict_id__in=streets, sample=None, unit=""
    ).values_list(
        "committee__subdistrict_id", "committee_id", "round__created_at", "value", "grade"
    )
    return [(s, c, when, Decimal(str(v)), g) for s, c, when, v, g in rows.order_by()]


def street_cases(user: Any, streets: list[int], today: date) -> dict[int, dict[str, int]]:
    """Hazard cases per street: all, closed, and open past their deadline (``overdue``'s
    rule) as of ``today``; one grouped query (aggregates for the district comparison)."""
    policy.require(user, "risk.view")
    open_past_due = Q(due_on__lt=today) & ~Q(
        state__in=[HazardCase.State.CLOSED, HazardCase.State.DEFERRED]
    )
    rows = (
        HazardCase.objects.filter(committee__subdistrict_id__in=streets)
        .values("committee__subdistrict_id")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(state=HazardCase.State.CLOSED)),
            overdue=Count("id", filter=open_past_due),
        )
        .order_by()
    )
    return {
        r["committee__subdistrict_id"]: {k: r[k] for k in ("total", "closed", "overdue")}
        for r in rows
    }


# --------------------------------------------------------------------------- operations screen


def street_operations(
    user: Any, street_id: int, today: date, horizon: date, top: int = 5
) -> dict[str, Any]:
    """The hazards' part of the street operations screen: open, overdue, due today, due by
    ``horizon`` (the next working day), major (A) and supervised (督办) cases in one grouped
    query, and the ``top`` most urgent open cases (committee and sub-unit, no names)."""
    qs = cases(user).select_related(None).filter(committee__subdistrict_id=street_id).order_by()
    is_open = ~Q(state=HazardCase.State.CLOSED)
    working = ~Q(state__in=[HazardCase.State.CLOSED, HazardCase.State.DEFERRED])
    counts = qs.aggregate(
        open=Count("id", filter=is_open),
        overdue=Count("id", filter=working & Q(due_on__lt=today)),
        due_today=Count("id", filter=working & Q(due_on=today)),
        due_next=Count("id", filter=working & Q(due_on__gt=today, due_on__lte=horizon)),
        grade_a=Count("id", filter=is_open & Q(grade="A")),
        escalated=Count("id", filter=is_open & ~Q(escalation="committee")),
    )
    urgent = list(
        qs.filter(working, due_on__lte=horizon)
        .order_by("due_on", "grade", "pk")
        .values("committee__name", "subunit", "grade", "due_on")[:top]
    )
    return {**{k: int(v or 0) for k, v in counts.items()}, "top": urgent}
