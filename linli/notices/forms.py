"""Forms of the notice pages: the delivery log filter and the opt-out record."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .catalogue import KINDS
from .models import Channel, State


class LogFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *State.choices]
    )
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        choices=[("", _("全部")), *((k, _(v.title)) for k, v in KINDS.items())],
    )
    channel = forms.ChoiceField(
        label=_("渠道"), required=False, choices=[("", _("全部")), *Channel.choices]
    )


class OptOutForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=200,
        required=False,
        help_text=_("例如：居民本人到窗口申请，不再接收短信通知。"),
    )
