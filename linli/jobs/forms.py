from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ScheduleForm(forms.Form):
    enabled = forms.BooleanField(label=_("启用"), required=False)
    minute = forms.CharField(label=_("分"), max_length=60, required=False)
    hour = forms.CharField(label=_("时"), max_length=60, required=False)
    day_of_week = forms.CharField(
        label=_("星期"), max_length=40, required=False, help_text=_("0 或 7 为星期日，* 为每天")
    )
    every_seconds = forms.IntegerField(label=_("间隔（秒）"), required=False, min_value=10)
