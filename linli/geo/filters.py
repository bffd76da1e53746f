"""One filter definition per list, shared by the list page and the API list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import (
    Building,
    Committee,
    Entrance,
    Estate,
    Household,
    HousingType,
    Resident,
    Structure,
)


def _search(fields: tuple[str, ...]) -> Callable[[Any, QuerySet[Any], str, str], QuerySet[Any]]:
    """A filter method matching ``value`` in any of ``fields`` (case-insensitive)."""

    def method(_self: Any, qs: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        query = Q()
        for field in fields:
            query |= Q(**{f"{field}__icontains": value})
        return qs.filter(query)

    return method


class CommitteeFilter(df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=_search(("name", "code", "address")))
    area = df.NumberFilter(field_name="area_id", label=_("片区"))

    class Meta:
        model = Committee
        fields = ["q", "area"]


class EstateFilter(df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=_search(("name", "address")))
    committee = df.NumberFilter(field_name="committee_id", label=_("居委"))
    kind = df.ChoiceFilter(choices=Estate.Kind.choices, label=_("类别"))

    class Meta:
        model = Estate
        fields = ["q", "committee", "kind"]


class BuildingFilter(df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=_search(("name", "address")))
    committee = df.NumberFilter(field_name="committee_id", label=_("居委"))
    estate = df.NumberFilter(field_name="estate_id", label=_("小区/弄"))
    housing_type = df.ChoiceFilter(choices=HousingType.choices, label=_("房屋类型"))
    structure = df.ChoiceFilter(choices=Structure.choices, label=_("结构"))
    heritage_protected = df.BooleanFilter(label=_("风貌保护"))
    has_lift = df.BooleanFilter(label=_("有电梯"))

    class Meta:
        model = Building
        fields = [
            "q",
            "committee",
            "estate",
            "housing_type",
            "structure",
            "heritage_protected",
            "has_lift",
        ]


class EntranceFilter(df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=_search(("number", "address")))
    committee = df.NumberFilter(field_name="building__committee_id", label=_("居委"))
    building = df.NumberFilter(field_name="building_id", label=_("楼栋"))

    class Meta:
        model = Entrance
        fields = ["q", "committee", "building"]


class HouseholdFilter(df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=_search(("room", "entrance__address")))
    committee = df.NumberFilter(field_name="committee_id", label=_("居委"))
    entrance = df.NumberFilter(field_name="entrance_id", label=_("门牌"))
    building = df.NumberFilter(field_name="entrance__building_id", label=_("楼栋"))
    min_area = df.NumberFilter(
        field_name="exclusive_area", lookup_expr="gte", label=_("面积不小于")
    )
    max_area = df.NumberFilter(
        field_name="exclusive_area", lookup_expr="lte", label=_("面积不大于")
    )

    class Meta:
        model = Household
        fields = ["q", "committee", "building", "entrance", "min_area", "max_area"]


class ResidentFilter(df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("姓名"), field_name="name", lookup_expr="icontains")
    committee = df.NumberFilter(field_name="committee_id", label=_("居委"))
    household = df.NumberFilter(field_name="household_id", label=_("户"))
    lives_alone = df.BooleanFilter(label=_("独居"))

    class Meta:
        model = Resident
        fields = ["q", "committee", "household", "lives_alone"]
