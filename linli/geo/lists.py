"""The place and people lists: what each shows, how it filters and sorts, its sheet.

Shared by the list pages and the export job (which rebuilds the user's filtered list from
the saved query string, under the user's own scope).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import django_filters as df
from django import forms
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.lists import Cell, filter_sort, kind_or_404
from linli.core.sheets import Sheet

from . import filters, queries
from . import forms as geo_forms
from .sheets import SHEETS


@dataclass(frozen=True)
class ListKind:
    key: str
    title: Any
    query: Callable[[Any], QuerySet[Any]]
    filterset: type[df.FilterSet]
    sheet: Sheet
    form: type[forms.ModelForm]  # type: ignore[type-arg]
    columns: tuple[tuple[Any, Callable[[Any], Cell]], ...]
    sorts: dict[str, Any]
    view_perm: str = "geo.view"
    change_perm: str = "geo.change"


def _link(kind: str, obj: Model, text: str) -> tuple[str, str]:
    return (text, reverse("geo:detail", args=[kind, obj.pk]))


L = gettext_lazy
KINDS: dict[str, ListKind] = {
    k.key: k
    for k in (
        ListKind(
            "committees", L("居委"), queries.committees, filters.CommitteeFilter,
            SHEETS["committees"], geo_forms.CommitteeForm,
            (
                (L("代码"), lambda o: o.code),
                (L("居委"), lambda o: _link("committees", o, o.name)),
                (L("片区"), lambda o: o.area.name if o.area else "—"),
                (L("地址"), lambda o: o.address),
            ),
            {"code": L("代码"), "name": L("名称")},
        ),
        ListKind(
            "estates", L("小区/弄"), queries.estates, filters.EstateFilter,
            SHEETS["estates"], geo_forms.EstateForm,
            (
                (L("小区/弄"), lambda o: _link("estates", o, o.name)),
                (L("类别"), lambda o: o.get_kind_display()),
                (L("居委"), lambda o: o.committee.name),
                (L("物业管理形式"), lambda o: o.get_management_display()),
                (L("地址"), lambda o: o.address),
            ),
            {"name": L("名称"), "committee": L("居委")},
        ),
        ListKind(
            "buildings", L("楼栋"), queries.buildings, filters.BuildingFilter,
            SHEETS["buildings"], geo_forms.BuildingForm,
            (
                (L("楼栋"), lambda o: _link("buildings", o, f"{o.estate.name} {o.name}")),
                (L("居委"), lambda o: o.committee.name),
                (L("房屋类型"), lambda o: o.get_housing_type_display()),
                (L("结构"), lambda o: o.get_structure_display()),
                (L("建成年份"), lambda o: str(o.year_built or "—")),
                (L("层数"), lambda o: str(o.floors)),
                (L("风貌保护"), lambda o: _("是") if o.heritage_protected else _("否")),
                (L("电梯"), lambda o: _("有") if o.has_lift else _("无")),
            ),
            {
                "name": L("名称"),
                "year_built": L("建成年份"),
                "floors": L("层数"),
                "committee": L("居委"),
            },
        ),
        ListKind(
            "entrances", L("门牌"), queries.entrances, filters.EntranceFilter,
            SHEETS["entrances"], geo_forms.EntranceForm,
            (
                (L("门牌"), lambda o: _link("entrances", o, o.address or o.number)),
                (L("楼栋"), lambda o: f"{o.building.estate.name} {o.building.name}"),
                (L("居委"), lambda o: o.building.committee.name),
            ),
            {"number": L("门牌号"), "address": L("地址")},
        ),
        ListKind(
            "households", L("户"), queries.households, filters.HouseholdFilter,
            SHEETS["households"], geo_forms.HouseholdForm,
            (
                (L("户"), lambda o: _link("households", o, f"{o.entrance} {o.room}")),
                (L("楼层"), lambda o: str(o.floor)),
                (L("专有面积(㎡)"), lambda o: f"{o.exclusive_area:.2f}"),
                (L("居委"), lambda o: o.committee.name),
            ),
            {"room": L("室号"), "floor": L("楼层"), "exclusive_area": L("面积")},
        ),
        ListKind(
            "residents", L("居民"), queries.residents, filters.ResidentFilter,
            SHEETS["residents"], geo_forms.ResidentForm,
            (
                (L("姓名"), lambda o: _link("residents", o, o.name)),
                (L("身份证号"), lambda o: o.id_masked or "—"),
                (L("手机号"), lambda o: o.phone_masked or "—"),
                (L("性别"), lambda o: o.get_sex_display()),
                (L("户"), lambda o: f"{o.household.entrance} {o.household.room}"),
                (L("居委"), lambda o: o.committee.name),
            ),
            {"name": L("姓名"), "birth_year": L("出生年份")},
            view_perm="people.view",
            change_perm="people.change",
        ),
    )
}  # fmt: skip


def _kind(key: str) -> ListKind:
    return kind_or_404(KINDS, key)


def filtered(
    user: Any, data: Mapping[str, Any], kind: ListKind
) -> tuple[df.FilterSet, QuerySet[Any], str]:
    """The list as ``user`` may see it, filtered and sorted by the query ``data``."""
    policy.require(user, kind.view_perm)
    return filter_sort(user, data, kind.filterset, kind.query(user), kind.sorts)
