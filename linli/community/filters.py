"""One filter definition per community list, shared by the list page and the API list.

The querysets they narrow come from ``queries`` and are already reach-scoped; the committee
drop-down offers only the committees the asking user reaches; district and city accounts also
get a street drop-down (``StreetChoice``: offered only to accounts reaching several streets),
narrowing by the row's own street (``subdistrict``, set on every row by the services). A page
with bad filter input shows the field's error and an empty list (``apply``); the API answers
400 naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters as df
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.geo.filters import StreetChoice, committee_filter, search_in, street_filter

from .models import (
    AllianceOrder,
    Category,
    Event,
    Family,
    MenuItem,
    Position,
    ServiceOrder,
    Signup,
    Volunteer,
)


class PositionFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    street = street_filter("subdistrict")
    q = df.CharFilter(label=_("搜索"), method=search_in(("name", "address")))
    kind = df.ChoiceFilter(choices=Position.Kind.choices, label=_("类型"))
    parent = df.NumberFilter(field_name="parent_id", label=_("上级阵地"))
    committee = committee_filter("committee")

    class Meta:
        model = Position
        fields = ["street", "q", "kind", "parent", "committee"]


class MenuItemFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    street = street_filter("position__subdistrict")
    q = df.CharFilter(label=_("搜索"), method=search_in(("title", "audience", "provider")))
    family = df.ChoiceFilter(choices=Family.choices, label=_("类别"))
    mode = df.ChoiceFilter(choices=MenuItem.Mode.choices, label=_("预约方式"))
    position = df.NumberFilter(field_name="position_id", label=_("阵地"))

    class Meta:
        model = MenuItem
        fields = ["street", "q", "family", "mode", "position"]


class EventFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    street = street_filter("subdistrict")
    family = df.ChoiceFilter(choices=Family.choices, label=_("类别"))
    status = df.ChoiceFilter(choices=Event.Status.choices, label=_("状态"))
    series = df.NumberFilter(field_name="series_id", label=_("系列"))
    position = df.NumberFilter(field_name="space__position_id", label=_("阵地"))
    committee = committee_filter("committee")
    starts_from = df.DateFilter(field_name="starts_at", lookup_expr="date__gte", label=_("从"))
    starts_until = df.DateFilter(field_name="starts_at", lookup_expr="date__lte", label=_("到"))

    class Meta:
        model = Event
        fields = ["street", "family", "status", "series", "position", "committee"]


class SignupFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    street = street_filter("event__subdistrict")
    event = df.NumberFilter(field_name="event_id", label=_("活动"))
    state = df.ChoiceFilter(choices=Signup.State.choices, label=_("状态"))
    channel = df.ChoiceFilter(choices=Signup.Channel.choices, label=_("方式"))
    checked_in = df.BooleanFilter(
        field_name="checked_in_at", lookup_expr="isnull", exclude=True, label=_("已签到")
    )

    class Meta:
        model = Signup
        fields = ["street", "event", "state", "channel", "checked_in"]


class ServiceOrderFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    street = street_filter("subdistrict")
    status = df.ChoiceFilter(
        choices=ServiceOrder.Status.choices, label=_("状态"), empty_label=_("全部")
    )
    channel = df.ChoiceFilter(
        choices=ServiceOrder.Channel.choices, label=_("渠道"), empty_label=_("全部")
    )
    family = df.ChoiceFilter(field_name="menu_item__family", choices=Family.choices,
                             label=_("类别"))  # fmt: skip
    position = df.NumberFilter(field_name="position_id", label=_("受理阵地"))
    committee = committee_filter("committee")
    overdue = df.BooleanFilter(
        method="filter_overdue",
        label=_("超时"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )

    class Meta:
        model = ServiceOrder
        fields = ["street", "status", "channel", "family", "position", "committee", "overdue"]

    def filter_overdue(self, qs: QuerySet[Any], _name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return qs
        late = {"status__in": ServiceOrder.OPEN, "due_by__lt": timezone.localdate()}
        return qs.filter(**late) if value else qs.exclude(**late)


class AllianceOrderFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    street = street_filter("school__subdistrict")
    status = df.ChoiceFilter(choices=AllianceOrder.Status.choices, label=_("状态"))
    category = df.ChoiceFilter(field_name="project__category", choices=Category.choices,
                               label=_("类别"))  # fmt: skip
    term = df.CharFilter(field_name="project__term", label=_("学期"))
    school = df.NumberFilter(field_name="school_id", label=_("学校"))
    unit = df.NumberFilter(field_name="project__unit_id", label=_("提供单位"))

    class Meta:
        model = AllianceOrder
        fields = ["street", "status", "category", "term", "school", "unit"]


class VolunteerFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    street = street_filter("subdistrict")
    team = df.NumberFilter(field_name="teams__team_id", label=_("队伍"))
    committee = committee_filter("committee")

    class Meta:
        model = Volunteer
        fields = ["street", "team", "committee"]


def apply(
    filterset: type[df.FilterSet], data: Mapping[str, Any], queryset: QuerySet[Any], request: Any
) -> tuple[df.FilterSet, QuerySet[Any]]:
    """The page's list narrowed by the query string; bad input leaves the list empty and the
    field's error on the form, so nobody reads an unfiltered list as the filtered one."""
    fs = filterset(data or None, queryset=queryset, request=request)
    if not fs.is_bound:
        return fs, queryset
    if not fs.is_valid():
        return fs, queryset.none()
    return fs, fs.qs
