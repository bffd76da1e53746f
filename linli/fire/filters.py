"""One filter definition per registry list, shared by the list page and the API list."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _

from linli.geo.filters import StreetChoice, committee_filter, search_in, street_filter, yes_no

from .models import (
    ChargingKind,
    ChargingSite,
    ChargingStatus,
    CheckKind,
    CheckRecord,
    DueKind,
    Extinguisher,
    ExtinguisherType,
    PlanState,
    Sprinkler,
    SprinklerStatus,
    Station,
    WorkPlan,
)


class ExtinguisherFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=search_in(("serial", "spot", "building__name")))
    street = street_filter("committee__subdistrict")
    committee = committee_filter("committee")
    type = df.ChoiceFilter(empty_label=_("全部"), choices=ExtinguisherType.choices, label=_("类型"))
    next_due_kind = df.ChoiceFilter(
        empty_label=_("全部"), choices=DueKind.choices, label=_("到期事项")
    )
    building = df.NumberFilter(field_name="building_id", widget=forms.HiddenInput)
    half_monthly = yes_no(_("半月巡查"))

    class Meta:
        model = Extinguisher
        fields = ["q", "street", "committee", "type", "next_due_kind", "building", "half_monthly"]


class SprinklerFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(
        label=_("搜索"), method=search_in(("entrance__address", "entrance__building__name"))
    )
    street = street_filter("committee__subdistrict")
    committee = committee_filter("committee")
    status = df.ChoiceFilter(
        empty_label=_("全部"), choices=SprinklerStatus.choices, label=_("状态")
    )
    programme = df.CharFilter(label=_("实施批次"))
    has_fault = df.BooleanFilter(
        label=_("有故障"),
        method="filter_fault",
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )

    class Meta:
        model = Sprinkler
        fields = ["q", "street", "committee", "status", "programme", "has_fault"]

    def filter_fault(self, qs: Any, _name: str, value: bool) -> Any:
        return qs.exclude(fault="") if value else qs.filter(fault="")


class ChargingFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=search_in(("name", "address")))
    street = street_filter("committee__subdistrict")
    committee = committee_filter("committee")
    kind = df.ChoiceFilter(empty_label=_("全部"), choices=ChargingKind.choices, label=_("类别"))
    status = df.ChoiceFilter(empty_label=_("全部"), choices=ChargingStatus.choices, label=_("状态"))

    class Meta:
        model = ChargingSite
        fields = ["q", "street", "committee", "kind", "status"]


class StationFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=search_in(("name", "address")))
    street = street_filter("committee__subdistrict")
    committee = committee_filter("committee")

    class Meta:
        model = Station
        fields = ["q", "street", "committee"]


class RecordFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    street = street_filter("committee__subdistrict")
    committee = committee_filter("committee")
    kind = df.ChoiceFilter(empty_label=_("全部"), choices=CheckKind.choices, label=_("类别"))
    passed = yes_no(_("合格"))
    since = df.DateFilter(field_name="done_on", lookup_expr="gte", label=_("起始日期"))

    class Meta:
        model = CheckRecord
        fields = ["street", "committee", "kind", "passed", "since"]


class PlanFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=search_in(("name",)))
    street = street_filter("committee__subdistrict")
    committee = committee_filter("committee")
    state = df.ChoiceFilter(empty_label=_("全部"), choices=PlanState.choices, label=_("状态"))
    partner = df.NumberFilter(field_name="partner_id", label=_("维保单位"))
    overdue = df.BooleanFilter(method="filter_overdue", label=_("有逾期未完成"))

    class Meta:
        model = WorkPlan
        fields = ["q", "street", "committee", "state", "partner", "overdue"]

    def filter_overdue(self, qs: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return qs
        return qs.filter(n_overdue__gt=0) if value else qs.filter(n_overdue=0)
