"""Forms of the risk pages (validation of shape only; rules live in services and rules.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.models import Organisation, User
from linli.core.roles import Role
from linli.geo.models import Committee

from .models import MethodVersion


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiImageField(forms.FileField):
    widget = MultiFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update(
            {"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
        )

    def clean(self, data: Any, initial: Any = None) -> Any:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultiImageField, self).clean(d, initial) for d in items]


class RoundForm(forms.Form):
    name = forms.CharField(label=_("轮次名称"), max_length=60, initial="2026 年度")
    method = forms.ModelChoiceField(label=_("方法版本"), queryset=MethodVersion.objects.all())
    committees = forms.ModelMultipleChoiceField(
        label=_("覆盖居委"),
        queryset=Committee.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
    )
    samples_per_committee = forms.IntegerField(
        label=_("每居委样本数"), min_value=1, max_value=20, initial=3
    )
    seed = forms.CharField(
        label=_("抽样种子"),
        max_length=64,
        required=False,
        help_text=_("留空则自动生成；记录在案，任何人可用它重复抽样。"),
    )
    assessor = forms.CharField(label=_("评估机构"), max_length=80, required=False)


class AssignForm(forms.Form):
    inspector = forms.ModelChoiceField(
        label=_("检查员"),
        queryset=User.objects.filter(role=Role.INSPECTOR, is_active=True),
        required=False,
    )


class FindingForm(forms.Form):
    likelihood = forms.TypedChoiceField(
        label=_("可能性 L"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)], initial=3
    )
    severity_reason = forms.ChoiceField(
        label=_("严重性上调 +1（可选）"), required=False, choices=[]
    )
    description = forms.CharField(label=_("问题描述"), max_length=300)
    location = forms.CharField(label=_("位置"), max_length=100, required=False)
    rule_breached = forms.CharField(label=_("违反条款"), max_length=150, required=False)
    major_fire_hazard = forms.BooleanField(label=_("重大火灾隐患要素（GB 35181）"), required=False)
    photos = MultiImageField(label=_("照片"))

    def __init__(self, *args: Any, reasons: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        kwargs.setdefault("auto_id", False)  # one form per sub-unit on a page: labels wrap inputs
        super().__init__(*args, **kwargs)
        field = self.fields["severity_reason"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("不上调")), *reasons]


class MethodCopyForm(forms.Form):
    version = forms.SlugField(label=_("新版本号"), max_length=40)
    title = forms.CharField(label=_("名称"), max_length=120)


class MethodEditForm(forms.Form):
    text = forms.CharField(
        label=_("方法数据（JSON）"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
    )


class CaseAssignForm(forms.Form):
    """交办: the responsible party (or partner body), the interim measure, the deadline."""

    responsible = forms.CharField(label=_("责任方"), max_length=100, required=False)
    organisation = forms.ModelChoiceField(
        label=_("责任单位（合作单位）"), queryset=Organisation.objects.all(), required=False
    )
    interim_measure = forms.CharField(label=_("临时措施"), max_length=300, required=False)
    due_on = forms.DateField(
        label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CaseStartForm(forms.Form):
    """开始整改; an A-grade case brings its five-point plan (五落实)."""

    measures = forms.CharField(label=_("整改措施"), max_length=300, required=False)
    funding = forms.CharField(label=_("资金"), max_length=100, required=False)
    deadline = forms.DateField(
        label=_("完成期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    plan_responsible = forms.CharField(label=_("责任人"), max_length=100, required=False)
    emergency_plan = forms.CharField(label=_("应急预案"), max_length=300, required=False)

    def plan(self) -> dict[str, str]:
        d = self.cleaned_data
        return {
            "measures": d["measures"],
            "funding": d["funding"],
            "deadline": d["deadline"].isoformat() if d["deadline"] else "",
            "responsible": d["plan_responsible"],
            "emergency_plan": d["emergency_plan"],
        }


class CasePhotosForm(forms.Form):
    """申请复查 and 当场整改销号: photos of the rectified place."""

    photos = MultiImageField(label=_("整改照片"))


class CaseRejectForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=300, required=False)


class CaseDeferForm(forms.Form):
    interim_control = forms.CharField(label=_("长期管控措施"), max_length=300, required=False)
    review_on = forms.DateField(
        label=_("复核日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CaseConfirmForm(forms.Form):
    """A step with nothing to fill in (sign, approve, resume): the button alone."""
