"""One filter definition per risk list, shared by the list page and the API list.

The querysets handed in are already reach-scoped (``queries``); the committee and round choices
are too, so a committee or round outside the user's reach is a field error, not an empty list.
A bad value (an unknown state, a grade E, a round that is not a number) is named by its field:
the API answers 400, the page shows the message and the unfiltered list.
"""

from __future__ import annotations

from typing import Any

import django_filters as df
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget
from drf_spectacular.utils import extend_schema_field

from linli.core import policy
from linli.core.ids import plain_int
from linli.core.roles import Level
from linli.geo.filters import StreetChoice, street_filter
from linli.geo.models import Committee

from . import queries
from .models import HazardCase, Round, Sample, Score

GRADE_CHOICES = [(g, g) for g in ("A", "B", "C", "D")]
OPEN = "open"  # every state but closed (未销号), a choice of the case list's state filter


def _rounds(request: Any) -> QuerySet[Round]:
    """The rounds a list filter offers; for an account reaching several streets each carries
    its street's name (``street_name``), as every street names its yearly round alike."""
    user = getattr(request, "user", None)
    qs = queries.round_choices(user)
    r = policy.reach(user) if user is not None else None
    if r is not None and r.place is not None and r.level in (Level.STREET, Level.COMMITTEE):
        return qs
    return qs.annotate(street_name=F("subdistrict__name"))


def _committees(request: Any) -> QuerySet[Committee]:
    return queries.committee_choices(getattr(request, "user", None))


class CommitteeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A committee by its id (the drop-downs) or by its code (``?committee=HN01``: older
    bookmarks and links), looked up among the committees the user may see only."""

    def to_python(self, value: Any) -> Committee | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        choices: QuerySet[Committee] = (
            self.queryset if self.queryset is not None else Committee.objects.none()
        )
        found: Committee | None = None
        pk = plain_int(text)
        if pk is not None:
            found = choices.filter(pk=pk).first()
        if found is None:
            found = choices.filter(code=text).first()
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
            )
        return found


@extend_schema_field({"type": "string", "description": "居委：id 或居委代码"})
class CommitteeFilter(df.ModelChoiceFilter):  # type: ignore[misc]
    """The committee filter of every risk list: an id or a code, within the user's reach."""

    field_class = CommitteeChoiceField


def committee_filter() -> df.ModelChoiceFilter:
    """A drop-down of the committees the user may see (an id, or a committee code, in the
    query string)."""
    return CommitteeFilter(
        field_name="committee", label=_("居委"), queryset=_committees, empty_label=_("全部")
    )


class RoundChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A round by its name, followed by its street's when ``_rounds`` added it."""

    def label_from_instance(self, obj: Any) -> str:
        street = getattr(obj, "street_name", None)
        return f"{obj.name} · {street}" if street else str(obj.name)


class RoundChoiceFilter(df.ModelChoiceFilter):  # type: ignore[misc]
    field_class = RoundChoiceField


def round_filter() -> df.ModelChoiceFilter:
    return RoundChoiceFilter(
        field_name="round", label=_("轮次"), queryset=_rounds, empty_label=_("全部")
    )


class RoundFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    status = df.ChoiceFilter(empty_label=_("全部"), choices=Round.Status.choices, label=_("状态"))
    street = street_filter("committees__subdistrict")

    class Meta:
        model = Round
        fields = ["status", "street"]

    def filter_queryset(self, queryset: QuerySet[Round]) -> QuerySet[Round]:
        # A round's committees are many rows: one round once, however many match.
        qs: QuerySet[Round] = super().filter_queryset(queryset)
        return qs.distinct() if self.form.cleaned_data.get("street") else qs


class ScoreFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    """Stored results; ``?sample__isnull=true&unit=`` gives committee values and grades."""

    street = street_filter("committee__subdistrict")
    round = round_filter()
    committee = committee_filter()
    unit = df.CharFilter(label=_("单元"))
    grade = df.ChoiceFilter(empty_label=_("全部"), choices=GRADE_CHOICES, label=_("等级"))
    sample = df.NumberFilter(field_name="sample_id", label=_("样本"))
    sample__isnull = df.BooleanFilter(
        field_name="sample", lookup_expr="isnull", label=_("居委结果"), widget=BooleanWidget
    )

    class Meta:
        model = Score
        fields = ["street", "round", "committee", "unit", "grade", "sample", "sample__isnull"]


class SampleFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    """A round's samples (the samples page, the API) and an inspector's own (我的样本)."""

    street = street_filter("committee__subdistrict")
    round = round_filter()
    committee = committee_filter()
    state = df.ChoiceFilter(empty_label=_("全部"), choices=Sample.State.choices, label=_("状态"))
    q = df.CharFilter(label=_("小区、楼栋或样本号"), method="filter_address")

    class Meta:
        model = Sample
        fields = ["street", "round", "committee", "state", "q"]

    def filter_address(self, qs: QuerySet[Sample], _name: str, value: str) -> QuerySet[Sample]:
        """An address as the inspector says it: estate, building or sample label."""
        text = value.strip()[:40]
        if not text:
            return qs
        return qs.filter(
            Q(building__estate__name__icontains=text)
            | Q(building__name__icontains=text)
            | Q(label__iexact=text)
        )


class CaseFilter(StreetChoice, df.FilterSet):  # type: ignore[misc]
    street = street_filter("committee__subdistrict")
    round = round_filter()
    committee = committee_filter()
    state = df.ChoiceFilter(
        empty_label=_("全部"),
        choices=[(OPEN, _("未销号")), *HazardCase.State.choices],
        label=_("状态"),
        method="filter_state",
    )
    grade = df.ChoiceFilter(empty_label=_("全部"), choices=GRADE_CHOICES, label=_("等级"))
    escalation = df.CharFilter(label=_("督办层级"))
    overdue = df.BooleanFilter(label=_("仅逾期"), method="filter_overdue", widget=BooleanWidget)
    escalated = df.BooleanFilter(
        label=_("督办清单"), method="filter_escalated", widget=BooleanWidget
    )

    class Meta:
        model = HazardCase
        fields = [
            "street",
            "round",
            "committee",
            "state",
            "grade",
            "escalation",
            "overdue",
            "escalated",
        ]

    def filter_state(self, qs: QuerySet[HazardCase], _name: str, value: str) -> Any:
        if value == OPEN:
            return qs.exclude(state=HazardCase.State.CLOSED)
        return qs.filter(state=value)

    def filter_overdue(self, qs: QuerySet[HazardCase], _name: str, value: bool | None) -> Any:
        return queries.overdue(qs) if value else qs

    def filter_escalated(self, qs: QuerySet[HazardCase], _name: str, value: bool | None) -> Any:
        return queries.escalated(qs) if value else qs
