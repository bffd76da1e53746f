"""District comparisons (区级对比): each street's figures from the five domains, side by side.

The frame is one district: a street account's own district, a district account's district, a
city account's district of choice (the first of its city that has committees by default).
Each domain hands in its figures for all the district's streets in one grouped query per
figure (``street_*`` in its ``queries``); ``rules.compare`` then ranks the streets and keeps
the rows the viewer may read. A figure is shown to a viewer whose role reads its domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.community import queries as community_queries
from linli.core import policy
from linli.core.roles import Level
from linli.elevator import queries as elevator_queries
from linli.fire import queries as fire_queries
from linli.geo.models import District, Subdistrict
from linli.hall import queries as hall_queries
from linli.risk import queries as risk_queries
from linli.risk import survey

from . import rules

PERMISSION = "compare.view"
HALL_DAYS = 90  # the hall's waiting times and ratings: the last 90 days
ACTIVITY_DAYS = 365  # community activities: the last 12 months
DOMAINS = ("risk", "fire", "hall", "elevator", "community")


@dataclass(frozen=True)
class Frame:
    """The district compared, the districts the viewer may switch to, and the viewer."""

    district: District | None
    choices: tuple[District, ...]
    viewer: rules.Viewer


def frame(user: Any, district_code: str = "") -> Frame:
    """The district a user compares (``district_code`` chooses one for a city account).

    Raises PermissionDenied for an account that may compare nothing, and ValueError naming
    ``district`` for a code outside the account's city."""
    policy.require(user, PERMISSION)
    reach = policy.reach(user)
    level = reach.level if reach is not None else None
    own = policy.street_of(user)
    viewer = rules.viewer_for(level, own)
    if viewer is None or reach is None or reach.place is None:
        raise PermissionDenied(PERMISSION)
    if own is not None:
        street = Subdistrict.objects.select_related("district").get(pk=own)
        return Frame(street.district, (), viewer)
    if reach.level != Level.CITY:
        return Frame(District.objects.filter(pk=reach.place).first(), (), viewer)
    choices = tuple(
        District.objects.filter(city_id=reach.place)
        .annotate(n=Count("subdistricts__committees"))
        .filter(n__gt=0)
        .order_by("code")
    )
    if district_code:
        chosen = next((d for d in choices if d.code == district_code), None)
        if chosen is None:
            raise ValueError("district")
        return Frame(chosen, choices, viewer)
    return Frame(choices[0] if choices else None, choices, viewer)


def readable_domains(user: Any) -> list[str]:
    return [d for d in DOMAINS if policy.can(user, f"{d}.view")]


def comparison(user: Any, fr: Frame, sort: str = "") -> rules.Comparison:
    """The comparison of ``fr``'s district for ``user``: a constant number of queries, one
    per figure, whatever the number of streets. ``sort`` must name a shown figure (ValueError
    naming ``sort`` otherwise)."""
    domains = readable_domains(user)
    figures = rules.visible_figures(domains)
    if sort and sort not in {f.key for f in figures}:
        raise ValueError("sort")
    if fr.district is None:
        return rules.compare([], fr.viewer, figures)
    streets = list(
        Subdistrict.objects.filter(district=fr.district)
        .annotate(n=Count("committees"))
        .filter(n__gt=0)
        .order_by("code")
        .values_list("pk", "name")
    )
    ids = [pk for pk, _name in streets]
    values: dict[int, dict[str, Decimal | None]] = {pk: {} for pk in ids}
    years: dict[int, dict[int, Decimal | None]] = {}
    stages: dict[int, dict[int, int]] = {}
    today = timezone.localdate()
    if "risk" in domains:
        for street, figures_of in rules.risk_figures(risk_queries.street_scores(user, ids)).items():
            values[street].update(figures_of)
        for street, c in risk_queries.street_cases(user, ids, today).items():
            values[street]["rectified"] = rules.share(c["closed"], c["total"])
            values[street]["overdue_hazards"] = Decimal(c["overdue"])
        years = survey.street_scores(user, ids)
        for street, by_year in years.items():
            values[street]["survey"] = by_year[max(by_year)]
    if "fire" in domains:
        for street, f in fire_queries.street_overdue(user, ids, today).items():
            values[street]["fire_overdue"] = rules.share(f["overdue"], f["total"])
            values[street]["fire_overdue_n"] = Decimal(f["overdue"])
    if "hall" in domains:
        since = today - timedelta(days=HALL_DAYS)
        for street, h in hall_queries.street_service(user, ids, since).items():
            wait, stars = h.get("wait_minutes"), h.get("stars")
            values[street]["hall_wait"] = rules.quantize(Decimal(str(wait)) if wait else None)
            values[street]["hall_rating"] = rules.quantize(
                Decimal(str(stars)) if stars else None, 2
            )
    if "elevator" in domains:
        stages = elevator_queries.street_stages(user, ids)
        for street, by_stage in stages.items():
            running = sum(n for s, n in by_stage.items() if s >= rules.RUNNING_FROM)
            values[street]["lifts_running"] = Decimal(running)
            values[street]["lifts_active"] = Decimal(sum(by_stage.values()) - running)
    if "community" in domains:
        end = timezone.now()
        start = end - timedelta(days=ACTIVITY_DAYS)
        for street, a in community_queries.street_activity(user, ids, start, end).items():
            values[street]["activities"] = Decimal(a["events"])
            values[street]["attendance"] = Decimal(a["attended"])
    rows = [
        rules.StreetFigures(
            pk, name, values[pk], lift_stages=stages.get(pk, {}), survey_years=years.get(pk, {})
        )
        for pk, name in streets
    ]
    return rules.compare(rows, fr.viewer, figures, sort)


DOMAIN_TITLES = {
    "risk": gettext_lazy("安全风险"),
    "fire": gettext_lazy("消防设施"),
    "hall": gettext_lazy("受理中心"),
    "elevator": gettext_lazy("加装电梯"),
    "community": gettext_lazy("党群服务"),
}


# The bars' colours (SVG fill attributes: the PDF renderer takes no CSS fill).
DOMAIN_COLOURS = {
    "risk": "#c62828", "fire": "#ef6c00", "hall": "#1d4f91", "elevator": "#6a1b9a",
    "community": "#2e7d32",
}  # fmt: skip
PHASE_COLOURS = ("#90caf9", "#1e88e5", "#ef6c00", "#2e7d32")


def _text(figure: rules.Figure, value: Decimal | None) -> str:
    if value is None:
        return "—"
    shown = rules.quantize(value, figure.places)
    sign = "+" if figure.key == "risk_trend" and value > 0 else ""
    if figure.unit in ("", "%"):
        return f"{sign}{shown}{figure.unit}"
    return f"{sign}{shown} {_(figure.unit)}"


def layout(c: rules.Comparison) -> list[dict[str, Any]]:
    """The comparison as the page and the PDF lay it out: one section per domain, each with
    its figures' columns, a row per visible street and the district average."""
    sections = []
    for domain in DOMAINS:
        figures = [f for f in c.figures if f.domain == domain]
        if not figures:
            continue
        rows = [
            {
                "street": r.street,
                "name": r.name,
                "cells": [
                    {
                        "figure": f,
                        "text": _text(f, r.cells[f.key].value),
                        "rank": r.cells[f.key].rank,
                        "of": c.ranked[f.key],
                        "bar": r.cells[f.key].bar,
                    }
                    for f in figures
                ],
                "phases": r.phases,
            }
            for r in c.rows
        ]
        average = [
            {"figure": f, "text": _text(f, c.average[f.key]), "bar": c.average_bar[f.key]}
            for f in figures
        ]
        sections.append(
            {"domain": domain, "title": DOMAIN_TITLES[domain], "figures": figures,
             "rows": rows, "average": average, "colour": DOMAIN_COLOURS[domain]}
        )  # fmt: skip
    return sections


def phase_bars(c: rules.Comparison) -> list[dict[str, Any]]:
    """Each visible street's lift projects as one stacked bar of the four phases (x and width
    in per cent of the largest street total the viewer sees)."""
    top = max((sum(n for _l, n in r.phases) for r in c.rows), default=0)
    bars = []
    for r in c.rows:
        x = 0.0
        parts = []
        for index, (label, n) in enumerate(r.phases):
            width = 100 * n / top if top else 0.0
            parts.append({"label": label, "n": n, "x": round(x, 2), "w": round(width, 2),
                          "colour": PHASE_COLOURS[index]})  # fmt: skip
            x += width
        bars.append({"name": r.name, "parts": parts, "total": sum(n for _l, n in r.phases)})
    return bars


def survey_lines(c: rules.Comparison) -> list[dict[str, Any]]:
    """Each visible street's survey rank per year, and the points of a small line (rank 1 at
    the top) for the years it was ranked in."""
    years = c.years
    lines = []
    for r in c.rows:
        points = []
        for i, (_year, rank, of) in enumerate(r.survey_ranks):
            if rank is None:
                continue
            x = 10 + (80 * i / (len(years) - 1) if len(years) > 1 else 40)
            y = 5 + (30 * (rank - 1) / (of - 1) if of > 1 else 0)
            points.append(f"{x:.1f},{y:.1f}")
        lines.append({"name": r.name, "ranks": r.survey_ranks, "points": " ".join(points)})
    return lines


def generated_at() -> datetime:
    return timezone.localtime()
