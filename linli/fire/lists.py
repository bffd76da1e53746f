"""The fire registers' lists: what each shows, how it filters and sorts, its sheet.

Shared by the list pages and the export job (which rebuilds the user's filtered list from
the saved query string, under the user's own scope).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import django_filters as df
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.lists import Cell, filter_sort, kind_or_404
from linli.core.sheets import Sheet

from . import filters, queries
from . import forms as fire_forms
from .models import CheckRecord, Extinguisher
from .sheets import SHEETS

L = gettext_lazy


def _link(name: str, obj: Model, text: str) -> tuple[str, str]:
    return (text, reverse(name, args=[obj.pk]))


def _place(o: Extinguisher) -> str:
    parts = []
    if o.building is not None:
        parts.append(f"{o.building.estate.name} {o.building.name}")
    if o.entrance is not None:
        parts.append(o.entrance.number)
    if o.spot:
        parts.append(o.spot)
    return " ".join(parts) or "—"


def _d(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _yes(value: bool) -> str:
    return _("有") if value else _("无")


@dataclass(frozen=True)
class ListKind:
    key: str
    title: Any
    query: Callable[[Any], QuerySet[Any]]
    filterset: type[df.FilterSet]
    columns: tuple[tuple[Any, Callable[[Any], Cell]], ...]
    sorts: dict[str, Any]
    sheet: Sheet | None = None
    form: type[forms.ModelForm] | None = None  # type: ignore[type-arg]


KINDS: dict[str, ListKind] = {
    k.key: k
    for k in (
        ListKind(
            "extinguishers", L("灭火器"), queries.extinguishers, filters.ExtinguisherFilter,
            (
                (L("编号"), lambda o: _link("fire:extinguisher", o, o.serial)),
                (L("居委"), lambda o: o.committee.name),
                (L("位置"), _place),
                (L("类型"), lambda o: f"{o.get_type_display()} {o.rating}".strip()),
                (L("生产日期"), lambda o: _d(o.manufactured)),
                (L("上次维修"), lambda o: _d(o.last_maintained)),
                (L("下次到期"), lambda o: f"{_d(o.next_due)} {o.get_next_due_kind_display()}"),
                (L("报废日期"), lambda o: _d(o.scrap_date)),
                (L("下次巡查"), lambda o: _d(o.next_inspection)),
            ),
            {"serial": L("编号"), "next_due": L("下次到期"), "manufactured": L("生产日期"),
             "next_inspection": L("下次巡查")},
            SHEETS["extinguishers"], fire_forms.ExtinguisherForm,
        ),
        ListKind(
            "sprinklers", L("简易喷淋"), queries.sprinklers, filters.SprinklerFilter,
            (
                (L("门牌"), lambda o: _link("fire:sprinkler", o, str(o.entrance))),
                (L("居委"), lambda o: o.committee.name),
                (L("状态"), lambda o: o.get_status_display()),
                (L("批次"), lambda o: o.programme or "—"),
                (L("喷头数"), lambda o: str(o.heads)),
                (L("覆盖户数"), lambda o: str(o.households)),
                (L("安装日期"), lambda o: _d(o.installed_on)),
                (L("施工/维保单位"), lambda o: o.contractor.name if o.contractor else "—"),
                (L("下次检查"), lambda o: _d(o.next_check)),
                (L("故障"), lambda o: o.fault or "—"),
            ),
            {"next_check": L("下次检查"), "heads": L("喷头数"), "installed_on": L("安装日期")},
            SHEETS["sprinklers"], fire_forms.SprinklerForm,
        ),
        ListKind(
            "charging", L("充电场所"), queries.charging_sites, filters.ChargingFilter,
            (
                (L("名称"), lambda o: o.name),
                (L("居委"), lambda o: o.committee.name),
                (L("类别"), lambda o: o.get_kind_display()),
                (L("状态"), lambda o: o.get_status_display()),
                (L("批次"), lambda o: o.programme or "—"),
                (L("充电位"), lambda o: str(o.bays)),
                (L("喷淋"), lambda o: _yes(o.has_sprinkler)),
                (L("烟感"), lambda o: _yes(o.has_detector)),
                (L("监控"), lambda o: _yes(o.has_camera)),
            ),
            {"name": L("名称"), "bays": L("充电位")},
            SHEETS["charging"], fire_forms.ChargingSiteForm,
        ),
        ListKind(
            "stations", L("微型消防站"), queries.stations, filters.StationFilter,
            (
                (L("名称"), lambda o: _link("fire:station", o, o.name)),
                (L("居委"), lambda o: o.committee.name),
                (L("地址"), lambda o: o.address or "—"),
                (L("队员"), lambda o: str(o.n_members)),
                (L("器材"), lambda o: str(o.n_kit)),
            ),
            {"name": L("名称")},
            SHEETS["stations"], fire_forms.StationForm,
        ),
        ListKind(
            "records", L("巡查维保记录"), queries.records, filters.RecordFilter,
            (
                (L("日期"), lambda o: _d(o.done_on)),
                (L("类别"), lambda o: o.get_kind_display()),
                (L("设施"), lambda o: _record_target(o)),
                (L("居委"), lambda o: o.committee.name),
                (L("结果"), lambda o: _("合格") if o.passed else _("不合格")),
                (L("说明"), lambda o: o.note or "—"),
                (L("照片"), lambda o: (_("查看"), reverse("fire:photo", args=[o.pk]))
                 if o.photo else "—"),
                (L("记录人"), lambda o: str(o.by) if o.by else "—"),
            ),
            {"done_on": L("日期")},
        ),
    )
}  # fmt: skip


def _record_target(o: CheckRecord) -> Cell:
    if o.extinguisher is not None:
        return _link("fire:extinguisher", o.extinguisher, o.extinguisher.serial)
    if o.sprinkler is not None:
        return _link("fire:sprinkler", o.sprinkler, str(o.sprinkler.entrance))
    return "—"


def _kind(key: str) -> ListKind:
    return kind_or_404(KINDS, key)


def filtered(
    user: Any, data: Mapping[str, Any], kind: ListKind
) -> tuple[df.FilterSet, QuerySet[Any], str]:
    """The register as ``user`` may see it, filtered and sorted by the query ``data``."""
    if not queries.can_read(user):
        raise PermissionDenied("fire.view")
    return filter_sort(user, data, kind.filterset, kind.query(user), kind.sorts, stable=True)


def station_parts(user: Any, kind: str) -> QuerySet[Any]:
    """Members, shifts or kit of the stations the user may see, in sheet order."""
    model = SHEETS[kind].model
    stations = queries.stations(user).values("pk")
    qs = model._default_manager.filter(station__in=stations).select_related("station__committee")
    if kind == "shifts":
        qs = qs.prefetch_related("members")
    return qs.order_by("station__committee__code", "station__name", "pk")


def committee_param(user: Any, data: Mapping[str, Any]) -> int | None:
    """The committee a list is narrowed to: the user's own, or one they may see."""
    scope = policy.committee_scope(user)
    if scope is not None:
        return scope
    try:
        chosen = int(data.get("committee", ""))
    except ValueError:
        return None
    return chosen if queries.committees(user).filter(pk=chosen).exists() else None


DUE_LISTS = {
    "overdue": L("已逾期"),
    "30": L("30 天内到期（含逾期）"),
    "90": L("90 天内到期（含逾期）"),
    "inspection": L("巡查到期（今天及以前）"),
}


def due_queryset(
    user: Any, data: Mapping[str, Any], which: str, on: date
) -> QuerySet[Extinguisher]:
    if which == "inspection":
        qs = queries.inspection_due(user, on).order_by("next_inspection", "serial")
    else:
        qs = queries.due_extinguishers(user, on, which).order_by("next_due", "serial")
    committee = committee_param(user, data)
    if committee is not None:
        qs = qs.filter(committee_id=committee)
    return qs


def _due_row(o: Extinguisher, which: str, on: date) -> dict[str, Any]:
    due = o.next_inspection if which == "inspection" else o.next_due
    days = (due - on).days
    return {
        "obj": o,
        "place": _place(o),
        "due": due,
        "days": days,
        "what": _("巡查") if which == "inspection" else o.get_next_due_kind_display(),
        "late": -days,
        "state": "overdue" if days < 0 else ("today" if days == 0 else "soon"),
    }
