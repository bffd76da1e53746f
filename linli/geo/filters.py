"""One filter definition per list, shared by the list page and the API list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters as df
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from linli.core import policy
from linli.core.widgets import FastSelect

from .models import (
    Area,
    Building,
    Committee,
    Entrance,
    Estate,
    Household,
    HousingType,
    Resident,
    Structure,
)


def search_in(fields: tuple[str, ...]) -> Callable[[QuerySet[Any], str, str], QuerySet[Any]]:
    """A filter method matching ``value`` in any of ``fields`` (case-insensitive).

    django-filter calls a callable ``method`` as ``method(queryset, name, value)`` (no filter
    set argument, unlike a method named by string)."""

    def method(qs: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        query = Q()
        for field in fields:
            query |= Q(**{f"{field}__icontains": value})
        return qs.filter(query)

    return method


def _committees(request: Any) -> Any:
    from . import queries

    return (
        queries.committees(getattr(request, "user", None))
        .select_related(None)
        .only("pk", "name", "code")
    )


def _areas(request: Any) -> Any:
    """The areas (片区) of the streets the user reaches."""
    return policy.scoped_street(
        Area.objects.all(), getattr(request, "user", None), "subdistrict_id"
    ).order_by("name")


def committee_filter(path: str) -> df.ModelChoiceFilter:
    """A drop-down of the committees the user may see (ids in the query string)."""
    return df.ModelChoiceFilter(
        field_name=path,
        label=_("居委"),
        queryset=_committees,
        empty_label=_("全部"),
        widget=FastSelect,
    )


def _streets(request: Any) -> Any:
    streets = policy.streets_in_reach(getattr(request, "user", None))
    return streets.only("pk", "name").order_by("name")


def street_filter(path: str) -> df.ModelChoiceFilter:
    """A drop-down of the streets the user reaches, for district and city accounts; ``path``
    leads to the street's id (``"committee__subdistrict"`` for committee-linked rows).

    Put ``StreetChoice`` first among the filter set's bases: it drops the field for accounts
    that reach one street or fewer, whose lists are already one street's."""
    return df.ModelChoiceFilter(
        field_name=path,
        label=_("街道"),
        queryset=_streets,
        empty_label=_("全部"),
        widget=FastSelect,
    )


class StreetChoice:
    """Filter-set mixin: offer the ``street`` filter only to accounts reaching several streets.

    One count query per list; a street or committee account never sees the field, and a
    ``street`` in its query string is ignored (its rows are one street's anyway)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = kwargs.get("request")
        user = getattr(request, "user", None)
        filters: dict[str, Any] = self.filters  # type: ignore[attr-defined]
        if "street" in filters and policy.streets_in_reach(user).count() <= 1:
            del filters["street"]


def yes_no(label: Any) -> df.BooleanFilter:
    return df.BooleanFilter(
        label=label,
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )


def parent(path: str, label: Any) -> df.NumberFilter:
    """Narrow to one parent (links from detail pages use it); not shown in the filter form."""
    return df.NumberFilter(field_name=path, label=label, widget=forms.HiddenInput)


class CommitteeFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=search_in(("name", "code", "address")))
    street = street_filter("subdistrict")
    area = df.ModelChoiceFilter(
        field_name="area", label=_("片区"), queryset=_areas, empty_label=_("全部")
    )

    class Meta:
        model = Committee
        fields = ["q", "street", "area"]


class EstateFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=search_in(("name", "address")))
    street = street_filter("committee__subdistrict")
    committee = committee_filter("committee")
    kind = df.ChoiceFilter(empty_label=_("全部"), choices=Estate.Kind.choices, label=_("类别"))

    class Meta:
        model = Estate
        fields = ["q", "street", "committee", "kind"]


class BuildingFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=search_in(("name", "address")))
    street = street_filter("committee__subdistrict")
    committee = committee_filter("committee")
    estate = parent("estate_id", _("小区/弄"))
    housing_type = df.ChoiceFilter(
        empty_label=_("全部"), choices=HousingType.choices, label=_("房屋类型")
    )
    structure = df.ChoiceFilter(empty_label=_("全部"), choices=Structure.choices, label=_("结构"))
    heritage_protected = yes_no(_("风貌保护"))
    has_lift = yes_no(_("有电梯"))

    class Meta:
        model = Building
        fields = [
            "q",
            "street",
            "committee",
            "estate",
            "housing_type",
            "structure",
            "heritage_protected",
            "has_lift",
        ]


class EntranceFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=search_in(("number", "address")))
    street = street_filter("building__committee__subdistrict")
    committee = committee_filter("building__committee")
    building = parent("building_id", _("楼栋"))

    class Meta:
        model = Entrance
        fields = ["q", "street", "committee", "building"]


class HouseholdFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=search_in(("room", "entrance__address")))
    street = street_filter("committee__subdistrict")
    committee = committee_filter("committee")
    entrance = parent("entrance_id", _("门牌"))
    building = parent("entrance__building_id", _("楼栋"))
    min_area = df.NumberFilter(
        field_name="exclusive_area", lookup_expr="gte", label=_("面积不小于")
    )
    max_area = df.NumberFilter(
        field_name="exclusive_area", lookup_expr="lte", label=_("面积不大于")
    )

    class Meta:
        model = Household
        fields = ["q", "street", "committee", "building", "entrance", "min_area", "max_area"]


class ResidentFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("姓名"), field_name="name", lookup_expr="icontains")
    street = street_filter("committee__subdistrict")
    committee = committee_filter("committee")
    household = parent("household_id", _("户"))
    lives_alone = yes_no(_("独居"))

    class Meta:
        model = Resident
        fields = ["q", "street", "committee", "household", "lives_alone"]
