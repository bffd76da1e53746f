"""Set-up forms: halls, queues, lockers (validation only; saving goes through services)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import HALL_CODE, Hall, Item, Locker, Queue


class StreetUnique:
    """Codes, prefixes and numbers are unique per street or hall: the set-up services check
    them and name the field, so the form leaves the database's constraints on them alone."""

    street_unique: tuple[str, ...] = ()

    def _get_validation_exclusions(self) -> set[str]:
        excluded: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]
        return excluded | set(self.street_unique)


class HallForm(StreetUnique, forms.ModelForm):  # type: ignore[type-arg]
    street_unique = ("code",)

    class Meta:
        model = Hall
        fields = ["code", "name", "opens_at", "closes_at"]
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip().upper()
        HALL_CODE(code)  # letters and digits: the hall's key joins street and code with "-"
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and opens >= closes:
            raise forms.ValidationError(_("开门时间应早于关门时间。"))
        return data


class QueueForm(StreetUnique, forms.ModelForm):  # type: ignore[type-arg]
    street_unique = ("prefix",)
    items = forms.ModelMultipleChoiceField(
        queryset=Item.objects.filter(active=True),
        required=False,
        label=_("归入本队列的事项"),
    )

    class Meta:
        model = Queue
        fields = ["hall", "name", "prefix", "is_backoffice", "mean_service_minutes", "sort"]

    def clean_prefix(self) -> str:
        prefix = str(self.cleaned_data["prefix"]).strip().upper()
        if not re.fullmatch(r"[A-Z]{1,3}", prefix):
            raise forms.ValidationError(_("字头为 1–3 个英文字母，每天从 001 起编号。"))
        return prefix

    def clean_mean_service_minutes(self) -> float:
        value = float(self.cleaned_data["mean_service_minutes"])
        if value <= 0:
            raise forms.ValidationError(_("平均办理分钟应大于 0。"))
        return value


class LockerForm(StreetUnique, forms.ModelForm):  # type: ignore[type-arg]
    street_unique = ("number",)

    class Meta:
        model = Locker
        fields = ["hall", "number", "active"]

    def clean_number(self) -> int:
        number = int(self.cleaned_data["number"])
        if number < 1:
            raise forms.ValidationError(_("柜号从 1 开始。"))
        return number
