"""Input forms; each hands its cleaned data to one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core import policy
from linli.geo.models import Building, Entrance

from . import rules
from .models import (
    DOCUMENT_CHOICES,
    STAGE_CHOICES,
    Channel,
    Choice,
    Consultation,
    Objection,
    Owner,
    Project,
    Scope,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads


class ProjectForm(forms.ModelForm):  # type: ignore[type-arg]
    works_cost_yuan = forms.DecimalField(
        label=_("工程造价（元）"), required=False, min_value=0, decimal_places=2
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "building",
            "entrance",
            "applicant_group",
            "party_branch",
            "uses_shared_ground",
            "lift_position",
            "stops",
            "planning_notice_start",
            "entered_service",
            "use_registered",
            "last_inspection",
            "inspection_due",
            "inspection_requested",
            "use_management_unit",
            "maintenance_company",
            "maintenance_contract_until",
        ]
        widgets = dict.fromkeys(
            (
                "planning_notice_start",
                "entered_service",
                "use_registered",
                "last_inspection",
                "inspection_due",
                "inspection_requested",
                "maintenance_contract_until",
            ),
            DATE,
        )
        help_texts = {
            "applicant_group": _("三人小组或申请人代表，每行一位"),
            "uses_shared_ground": _("电梯占用小区共有部分时，须另行进行小区范围表决"),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        buildings = policy.scoped(
            Building.objects.select_related("estate").filter(
                housing_type__in=["public", "commercial"]
            ),
            user,
            "committee_id",
        )
        self.fields["building"].queryset = buildings  # type: ignore[attr-defined]
        self.fields["entrance"].queryset = policy.scoped(  # type: ignore[attr-defined]
            Entrance.objects.select_related("building__estate").filter(
                building__housing_type__in=["public", "commercial"]
            ),
            user,
            "building__committee_id",
        )
        if self.instance.works_cost_fen is not None:
            self.fields["works_cost_yuan"].initial = self.instance.works_cost_fen / 100

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        yuan = data.get("works_cost_yuan")
        self.instance.works_cost_fen = None if yuan is None else int(yuan * 100)
        return data


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.CharField(
        label=_("身份"), max_length=50, help_text=_("如：业主代表、居委、业委会、物业")
    )
    party = forms.BooleanField(label=_("临时党支部成员"), required=False)


class StageForm(forms.Form):
    target = forms.TypedChoiceField(label=_("转到阶段"), coerce=int, choices=STAGE_CHOICES)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料"), choices=DOCUMENT_CHOICES)
    title = forms.CharField(label=_("标题"), max_length=100, required=False)
    file = forms.FileField(
        label=_("文件"), required=False, help_text=_("PDF、PNG 或 JPG，不超过 10 MB")
    )


class VoteForm(forms.Form):
    scope = forms.ChoiceField(label=_("表决范围"), choices=Scope.choices)
    rule = forms.ChoiceField(label=_("表决规则"), choices=())
    opens = forms.DateField(label=_("开始日期"), widget=DATE)
    closes = forms.DateField(
        label=_("截止日期"),
        widget=DATE,
        help_text=_(
            "开始当天，系统向名册中留有手机号的业主发送表决通知短信；截止前 3 天提醒居委。"
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens"), data.get("closes")
        if opens and closes and closes < opens:
            self.add_error("closes", _("截止日期不能早于开始日期。"))
        return data

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [  # type: ignore[attr-defined]
            (name, f"{name} · {rules.ruleset(name).title}") for name in rules.available_rulesets()
        ]


class BallotForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("业主"), queryset=Owner.objects.none())
    choice = forms.ChoiceField(label=_("意见"), choices=Choice.choices, widget=forms.RadioSelect)
    channel = forms.ChoiceField(
        label=_("方式"), choices=[c for c in Channel.choices if c[0] != Channel.ONLINE]
    )
    proxy_note = forms.CharField(
        label=_("委托说明"),
        max_length=200,
        required=False,
        help_text=_("委托代理时必填：委托人、受托人、授权委托书日期"),
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
            self.fields["owner"].label_from_instance = _owner_label  # type: ignore[attr-defined]


def _owner_label(owner: Owner) -> str:
    """Name and rooms, so two owners of the same name can be told apart (units prefetched)."""
    rooms = [f"{u.household.entrance.number} {u.household.room}" for u in owner.units.all()]
    more = "…" if len(rooms) > 2 else ""
    return f"{owner.name}（{'、'.join(rooms[:2])}{more}）" if rooms else owner.name


class OwnerLoginForm(forms.Form):
    code = forms.CharField(
        label=_("个人码"),
        max_length=20,
        help_text=_("印在征询通知上，如 ABCD-EFGH-JKMN"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    tail = forms.CharField(
        label=_("身份证号后四位"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )


class OwnerChoiceForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("我的意见"), choices=Choice.choices, widget=forms.RadioSelect
    )


class ObjectionForm(forms.Form):
    objector = forms.ModelChoiceField(
        label=_("提出人（名册中的业主）"), queryset=Owner.objects.none(), required=False
    )
    objector_label = forms.CharField(
        label=_("提出人（不在名册中，如相邻住户）"), max_length=50, required=False
    )
    raised = forms.DateField(label=_("提出日期"), widget=DATE)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))
    mediators = forms.ModelMultipleChoiceField(
        label=_("老娘舅（三人调解小组）"),
        queryset=Owner.objects.none(),
        required=False,
        help_text=_("选三位热心业主"),
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["objector"].queryset = owners  # type: ignore[attr-defined]
            self.fields["mediators"].queryset = owners  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE)
    notes = forms.CharField(label=_("记录"), widget=forms.Textarea(attrs={"rows": 3}))


class SettleForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=Objection.Status.choices)
    agreement = forms.CharField(
        label=_("调解协议"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class RoundTableForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE)
    agenda = forms.CharField(label=_("议程"), widget=forms.Textarea(attrs={"rows": 3}))
    attendance = forms.CharField(
        label=_("出席"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("每行一位")
    )
    minutes = forms.CharField(
        label=_("纪要"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class MaintenanceForm(forms.Form):
    on = forms.DateField(label=_("保养日期"), widget=DATE)
    by = forms.CharField(label=_("维保人员"), max_length=50)
    notes = forms.CharField(label=_("内容"), max_length=200, required=False)


class CostForm(forms.Form):
    METHODS = [
        ("coefficients", _("楼层系数 × 面积")),
        ("segments", _("分段分摊（电梯法则）")),
        ("hybrid", _("混合：固定部分 + 分段")),
        ("area", _("按专有面积（民法典默认）")),
    ]
    cost = forms.DecimalField(label=_("工程总价（元）"), min_value=1, decimal_places=2)
    subsidy = forms.CharField(
        label=_("补贴规则"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项：名称,比例,封顶（元），如 市级补贴,2/5,240000"),
        required=False,
    )
    method = forms.ChoiceField(label=_("分摊方法"), choices=METHODS)
    coefficients = forms.CharField(
        label=_("楼层系数"),
        required=False,
        help_text=_("从二层起，用逗号分隔，如 0.6,0.8,1.0,1.2,1.4"),
    )
    fixed_share = forms.CharField(label=_("混合法固定部分比例"), required=False, initial="1/2")
    exempt_ground_floor = forms.BooleanField(label=_("底层免缴"), required=False, initial=True)
    maintenance = forms.DecimalField(label=_("年维保费（元）"), required=False, min_value=0)
    inspection = forms.DecimalField(label=_("年检验费（元）"), required=False, min_value=0)
    electricity = forms.DecimalField(label=_("年电费（元）"), required=False, min_value=0)
    insurance = forms.DecimalField(label=_("年保险费（元）"), required=False, min_value=0)
    reserve = forms.DecimalField(label=_("年备用金（元）"), required=False, min_value=0)


class ConsultationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Consultation
        fields = [
            "at",
            "channel",
            "asker",
            "committee",
            "project",
            "question",
            "answer",
            "follow_up",
            "done",
        ]
        widgets = {
            "at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "follow_up": DATE,
            "question": forms.Textarea(attrs={"rows": 3}),
            "answer": forms.Textarea(attrs={"rows": 3}),
        }
