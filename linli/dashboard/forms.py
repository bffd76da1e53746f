"""Forms of the top layer's pages (shape only; rules live in risk's services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

FULL = "display:block;width:100%;box-sizing:border-box"


class AcceptFactForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=40)
    likelihood = forms.TypedChoiceField(
        label=_("可能性 L"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)]
    )
    severity_reason = forms.ChoiceField(
        label=_("严重性上调 +1（可选）"), required=False, choices=[]
    )
    description = forms.CharField(
        label=_("问题描述"), max_length=300, widget=forms.Textarea(attrs={"rows": 3, "style": FULL})
    )
    location = forms.CharField(
        label=_("位置"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"style": FULL}),
    )

    def __init__(self, *args: Any, reasons: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        kwargs.setdefault("auto_id", False)  # one form per fact on a page: labels wrap inputs
        super().__init__(*args, **kwargs)
        field = self.fields["severity_reason"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("不上调")), *reasons]
