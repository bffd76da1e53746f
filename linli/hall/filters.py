"""One filter definition per hall list, shared by the list page and the API list.

The drop-downs offer only what the user reaches (their streets' halls and queues); a value
outside them is a field error (400 on the API, a message naming the field on the page).
District and city accounts also narrow every list to one street (``street``: the street of
the row's hall; ``StreetChoice`` drops it for accounts of one street).
"""

from __future__ import annotations

from typing import Any

import django_filters as df
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from linli.geo.filters import StreetChoice, street_filter

from . import queries
from .models import Case, Item, Queue, Rating, Ticket


def _halls(request: Any) -> Any:
    return queries.halls(getattr(request, "user", None))


def _queues(request: Any) -> Any:
    return queries.in_reach(
        Queue.objects.filter(is_backoffice=False), getattr(request, "user", None), "hall"
    )


def _flag(label: Any, method: str) -> df.BooleanFilter:
    """A check box of the page (``?overdue=1``) that the API takes as ``true``/``false`` too."""
    return df.BooleanFilter(label=label, method=method, widget=forms.CheckboxInput)


CHANNELS = {
    "window": ("channel_window", _("窗口办理")),
    "self": ("channel_self_service", _("自助办理")),
    "online": ("channel_online", _("一网通办")),
    "citywide": ("channel_citywide", _("全市通办")),
}


class ItemFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(label=_("搜索"), method="filter_q")
    street = street_filter("hall__subdistrict")
    hall = df.ModelChoiceFilter(
        field_name="hall", to_field_name="code", queryset=_halls, label=_("大厅")
    )
    category = df.CharFilter(label=_("类别"))
    channel = df.ChoiceFilter(
        label=_("办理渠道"),
        choices=[(key, label) for key, (_field, label) in CHANNELS.items()],
        method="filter_channel",
    )
    channel_online = df.BooleanFilter(label=_("一网通办"))
    channel_citywide = df.BooleanFilter(label=_("全市通办"))
    active = df.BooleanFilter(label=_("在用"))

    class Meta:
        model = Item
        fields = ["q", "street", "hall", "category", "channel", "channel_online",
                  "channel_citywide", "active"]  # fmt: skip

    def filter_q(self, qs: QuerySet[Item], _name: str, value: str) -> QuerySet[Item]:
        return queries.search_items(qs, value)

    def filter_channel(self, qs: QuerySet[Item], _name: str, value: str) -> QuerySet[Item]:
        return qs.filter(**{CHANNELS[value][0]: True})


class CaseFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(field_name="number", lookup_expr="icontains", label=_("办件编号"))
    street = street_filter("item__hall__subdistrict")
    status = df.ChoiceFilter(choices=Case.Status.choices, label=_("状态"))
    overdue = _flag(_("只看超期"), "filter_overdue")
    citywide = df.BooleanFilter(label=_("全市通办"))
    due_on = df.DateFilter(label=_("承诺办结日期"))

    class Meta:
        model = Case
        fields = ["q", "street", "status", "overdue", "citywide", "due_on"]

    def filter_overdue(self, qs: QuerySet[Case], _name: str, value: bool) -> QuerySet[Case]:
        return qs.filter(pk__in=queries.overdue_cases().values("pk")) if value else qs


class TicketFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(field_name="number", lookup_expr="icontains", label=_("号码"))
    street = street_filter("queue__hall__subdistrict")
    day = df.DateFilter(label=_("日期"))
    state = df.ChoiceFilter(choices=Ticket.State.choices, label=_("状态"))
    priority = df.CharFilter(label=_("优先级"))
    queue = df.ModelChoiceFilter(
        field_name="queue", to_field_name="prefix", queryset=_queues, label=_("队列")
    )
    window = df.NumberFilter(field_name="window__number", label=_("窗口"))

    class Meta:
        model = Ticket
        fields = ["q", "street", "day", "state", "priority", "queue", "window"]


class RatingFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    street = street_filter("item__hall__subdistrict")
    bad = _flag(_("只看差评（1–2 星）"), "filter_bad")

    class Meta:
        model = Rating
        fields = ["street", "bad"]

    def filter_bad(self, qs: QuerySet[Rating], _name: str, value: bool) -> QuerySet[Rating]:
        return qs.filter(stars__lte=2) if value else qs


def field_errors(filterset: df.FilterSet) -> list[str]:
    """``label：message`` for every invalid filter value, for the page's messages."""
    out: list[str] = []
    for field, errors in filterset.errors.items():
        label = filterset.form.fields[field].label if field in filterset.form.fields else field
        out.extend(f"{label}：{error}" for error in errors)
    return out
