"""One filter definition per lift-retrofit list, shared by the list page and the API list.

The querysets they narrow come from ``queries`` and are already reach-scoped; the committee
drop-down offers only the committees the asking user reaches, and district and city accounts get a
street drop-down of the streets they reach (``StreetChoice``). A page with bad filter input
shows the field's error and an empty list (``apply``); the API answers 400 naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters as df
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from linli.geo.filters import StreetChoice, committee_filter, search_in, street_filter, yes_no

from .models import STAGE_CHOICES, Consultation, OwnedUnit, Project, Scope, Vote


class ProjectFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    q = df.CharFilter(
        label=_("搜索"),
        method=search_in(("name", "committee__name", "building__name")),
        widget=forms.TextInput(attrs={"placeholder": _("项目、居委或楼栋")}),
    )
    stage = df.ChoiceFilter(choices=STAGE_CHOICES, label=_("阶段"), empty_label=_("全部"))
    street = street_filter("committee__subdistrict")
    committee = committee_filter("committee")
    uses_shared_ground = yes_no(_("占用小区共有部分"))

    class Meta:
        model = Project
        fields = ["q", "stage", "street", "committee", "uses_shared_ground"]


class VoteFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    project = df.NumberFilter(field_name="project_id", label=_("项目"))
    street = street_filter("project__committee__subdistrict")
    scope = df.ChoiceFilter(choices=Scope.choices, label=_("表决范围"), empty_label=_("全部"))
    open = yes_no(_("进行中"))

    class Meta:
        model = Vote
        fields = ["project", "street", "scope", "open"]


class ConsultationFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    state = df.ChoiceFilter(
        choices=[("open", _("待回访")), ("done", _("已办结"))],
        method="filter_state",
        label=_("状态"),
        empty_label=_("全部"),
    )
    channel = df.ChoiceFilter(
        choices=Consultation.Channel.choices, label=_("方式"), empty_label=_("全部")
    )
    street = street_filter("subdistrict")
    committee = committee_filter("committee")

    class Meta:
        model = Consultation
        fields = ["state", "channel", "street", "committee"]

    def filter_state(self, qs: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        return qs.filter(done=value == "done")


class RollFilter(df.FilterSet):  # type: ignore[misc]
    """The roll of a project: every unit, or only those of the lift's own building."""

    scope = df.ChoiceFilter(
        choices=[("building", _("本幢（本单元）"))],
        method="filter_scope",
        label=_("范围"),
        empty_label=_("全部（小区）"),
    )

    class Meta:
        model = OwnedUnit
        fields = ["scope"]

    def filter_scope(self, qs: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        return qs.filter(in_building=True) if value == "building" else qs


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
