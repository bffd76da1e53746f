"""One filter definition per community list, used by the API lists."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.geo.filters import committee_filter, search_in

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


class PositionFilter(df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=search_in(("name", "address")))
    kind = df.ChoiceFilter(choices=Position.Kind.choices, label=_("类型"))
    parent = df.NumberFilter(field_name="parent_id", label=_("上级阵地"))
    committee = committee_filter("committee")

    class Meta:
        model = Position
        fields = ["q", "kind", "parent", "committee"]


class MenuItemFilter(df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method=search_in(("title", "audience", "provider")))
    family = df.ChoiceFilter(choices=Family.choices, label=_("类别"))
    mode = df.ChoiceFilter(choices=MenuItem.Mode.choices, label=_("预约方式"))
    position = df.NumberFilter(field_name="position_id", label=_("阵地"))

    class Meta:
        model = MenuItem
        fields = ["q", "family", "mode", "position"]


class EventFilter(df.FilterSet):  # type: ignore[misc]
    family = df.ChoiceFilter(choices=Family.choices, label=_("类别"))
    status = df.ChoiceFilter(choices=Event.Status.choices, label=_("状态"))
    series = df.NumberFilter(field_name="series_id", label=_("系列"))
    position = df.NumberFilter(field_name="space__position_id", label=_("阵地"))
    committee = committee_filter("committee")
    starts_from = df.DateFilter(field_name="starts_at", lookup_expr="date__gte", label=_("从"))
    starts_until = df.DateFilter(field_name="starts_at", lookup_expr="date__lte", label=_("到"))

    class Meta:
        model = Event
        fields = ["family", "status", "series", "position", "committee"]


class SignupFilter(df.FilterSet):  # type: ignore[misc]
    event = df.NumberFilter(field_name="event_id", label=_("活动"))
    state = df.ChoiceFilter(choices=Signup.State.choices, label=_("状态"))
    channel = df.ChoiceFilter(choices=Signup.Channel.choices, label=_("方式"))
    checked_in = df.BooleanFilter(
        field_name="checked_in_at", lookup_expr="isnull", exclude=True, label=_("已签到")
    )

    class Meta:
        model = Signup
        fields = ["event", "state", "channel", "checked_in"]


class ServiceOrderFilter(df.FilterSet):  # type: ignore[misc]
    status = df.ChoiceFilter(choices=ServiceOrder.Status.choices, label=_("状态"))
    channel = df.ChoiceFilter(choices=ServiceOrder.Channel.choices, label=_("渠道"))
    family = df.ChoiceFilter(field_name="menu_item__family", choices=Family.choices,
                             label=_("类别"))  # fmt: skip
    position = df.NumberFilter(field_name="position_id", label=_("受理阵地"))
    committee = committee_filter("committee")
    overdue = df.BooleanFilter(method="filter_overdue", label=_("超时"))

    class Meta:
        model = ServiceOrder
        fields = ["status", "channel", "family", "position", "committee", "overdue"]

    def filter_overdue(self, qs: QuerySet[Any], _name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return qs
        late = {"status__in": ServiceOrder.OPEN, "due_by__lt": timezone.localdate()}
        return qs.filter(**late) if value else qs.exclude(**late)


class AllianceOrderFilter(df.FilterSet):  # type: ignore[misc]
    status = df.ChoiceFilter(choices=AllianceOrder.Status.choices, label=_("状态"))
    category = df.ChoiceFilter(field_name="project__category", choices=Category.choices,
                               label=_("类别"))  # fmt: skip
    term = df.CharFilter(field_name="project__term", label=_("学期"))
    school = df.NumberFilter(field_name="school_id", label=_("学校"))
    unit = df.NumberFilter(field_name="project__unit_id", label=_("提供单位"))

    class Meta:
        model = AllianceOrder
        fields = ["status", "category", "term", "school", "unit"]


class VolunteerFilter(df.FilterSet):  # type: ignore[misc]
    team = df.NumberFilter(field_name="teams__team_id", label=_("队伍"))
    committee = committee_filter("committee")

    class Meta:
        model = Volunteer
        fields = ["team", "committee"]
