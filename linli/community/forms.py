"""Input for the community pages: parse and validate, then hand to a service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core import policy
from linli.geo.models import Area, Committee

from .models import (
    AllianceProject,
    Family,
    MenuItem,
    Position,
    PracticalProject,
    ServiceOrder,
    Space,
    VolunteerTeam,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SignupForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
        help_text=_("只用于活动通知与候补转正提醒，屏幕上只显示后四位。"),
    )


class OrderForm(forms.Form):
    """A resident or organisation orders a menu item or books a room of one position."""

    requester_kind = forms.ChoiceField(label=_("下单方"), choices=ServiceOrder.Requester.choices)
    requester_name = forms.CharField(label=_("姓名或单位名称"), max_length=100)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    menu_item = forms.ModelChoiceField(
        label=_("服务项目"), queryset=MenuItem.objects.none(), required=False
    )
    space = forms.ModelChoiceField(
        label=_("预订空间"), queryset=Space.objects.none(), required=False
    )
    starts_at = forms.DateTimeField(label=_("开始时间"), required=False, widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), required=False, widget=DATETIME)
    people = forms.IntegerField(label=_("人数"), min_value=1, initial=1)
    note = forms.CharField(
        label=_("需求说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, position: Position, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["menu_item"].queryset = position.menu.filter(active=True)  # type: ignore[attr-defined]
        self.fields["space"].queryset = position.spaces.filter(bookable=True)  # type: ignore[attr-defined]
        if staff:
            self.fields["channel"] = forms.ChoiceField(
                label=_("渠道"),
                choices=[c for c in ServiceOrder.Channel.choices if c[0] != "online"],
            )


class DispatchForm(forms.Form):
    to_position = forms.ModelChoiceField(
        label=_("派至阵地"), queryset=Position.objects.all(), required=False
    )
    to_team = forms.ModelChoiceField(
        label=_("派至志愿者队伍"), queryset=VolunteerTeam.objects.all(), required=False
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评价"), choices=[(i, "★" * i) for i in range(5, 0, -1)], coerce=int
    )
    feedback = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class WishForm(forms.Form):
    text = forms.CharField(
        label=_("您的心愿"), max_length=500, widget=forms.Textarea(attrs={"rows": 4})
    )
    name = forms.CharField(label=_("称呼（可不填）"), max_length=50, required=False)
    phone = forms.CharField(label=_("手机号（可不填，便于回复）"), max_length=20, required=False)


class AdoptWishForm(forms.Form):
    position = forms.ModelChoiceField(label=_("阵地"), queryset=Position.objects.all())
    family = forms.ChoiceField(label=_("类别"), choices=Family.choices)
    title = forms.CharField(label=_("服务项目名称"), max_length=100)
    audience = forms.CharField(label=_("服务对象"), max_length=100)
    capacity = forms.IntegerField(label=_("人数上限"), min_value=1, initial=20)
    duration_minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=15, initial=60)
    mode = forms.ChoiceField(label=_("预约方式"), choices=MenuItem.Mode.choices)
    answer = forms.CharField(label=_("答复"), required=False, max_length=500)


class AllianceOrderForm(forms.Form):
    project = forms.ModelChoiceField(label=_("美育项目"), queryset=AllianceProject.objects.all())
    students = forms.IntegerField(label=_("学生人数"), min_value=1)
    grade = forms.CharField(label=_("年级"), max_length=20)
    wish = forms.CharField(label=_("希望时间/说明"), max_length=200, required=False)


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(label=_("排期"), widget=DATETIME)
    place = forms.CharField(label=_("地点"), max_length=100)


class HoursForm(forms.Form):
    on = forms.DateField(label=_("服务日期"), widget=DATE)
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=1, max_value=24 * 60)
    content = forms.CharField(label=_("服务内容"), max_length=100)


class EventForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    space = forms.ModelChoiceField(
        label=_("地点"),
        queryset=Space.objects.select_related("position").order_by("position__sort"),
    )
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME)
    capacity = forms.IntegerField(label=_("名额"), min_value=1)
    reserved_offline = forms.IntegerField(
        label=_("为电话/现场报名保留"), min_value=0, initial=0, required=False
    )
    release_at = forms.DateTimeField(
        label=_("保留名额释放时间"), widget=DATETIME, required=False,
        help_text=_("到点后保留名额并入网上名额，候补按顺序转正。"),
    )  # fmt: skip
    family = forms.ChoiceField(label=_("类别"), choices=Family.choices, initial="culture")
    audience = forms.CharField(label=_("对象"), max_length=100, required=False)
    partner = forms.CharField(label=_("合作单位"), max_length=100, required=False)
    description = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ScheduleSeriesForm(forms.Form):
    first = forms.DateField(label=_("从"), widget=DATE)
    last = forms.DateField(label=_("到"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first and last and (last < first or (last - first).days > 92):
            raise forms.ValidationError(_("结束日期须在开始日期之后，且不超过三个月。"))
        return data


def _fen(value: Decimal | None) -> int:
    """Yuan with at most two decimals as whole fen (exact, never a float)."""
    return int((value or Decimal(0)) * 100)


YUAN = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal(0)}


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=PracticalProject.Kind.choices)
    area = forms.ModelChoiceField(label=_("片区"), queryset=Area.objects.all(), required=False)
    committee = forms.ModelChoiceField(
        label=_("居委"), queryset=Committee.objects.all(), required=False
    )
    place = forms.CharField(label=_("地点"), max_length=100)
    owner = forms.CharField(label=_("责任主体"), max_length=100)
    pain_point = forms.CharField(
        label=_("群众痛点"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    resident = forms.DecimalField(label=_("居民筹资（元）"), initial=0, **YUAN)  # type: ignore[arg-type]
    subsidy = forms.DecimalField(label=_("政府补贴（元）"), initial=0, **YUAN)  # type: ignore[arg-type]
    other = forms.DecimalField(label=_("其他来源（元）"), initial=0, **YUAN)  # type: ignore[arg-type]
    budget = forms.DecimalField(
        label=_("预算总额（元）"),
        help_text=_("须等于三项来源之和，精确到分。"),
        **YUAN,  # type: ignore[arg-type]
    )
    beneficiaries = forms.IntegerField(label=_("受益户数"), min_value=0, initial=0)
    status = forms.ChoiceField(label=_("状态"), choices=PracticalProject.Status.choices)
    public = forms.BooleanField(label=_("公开进度"), required=False, initial=True)

    def amounts(self) -> dict[str, int]:
        d = self.cleaned_data
        return {
            "resident_fen": _fen(d["resident"]),
            "subsidy_fen": _fen(d["subsidy"]),
            "other_fen": _fen(d["other"]),
            "budget_fen": _fen(d["budget"]),
        }


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=100)
    due = forms.DateField(label=_("计划日期"), widget=DATE)
    done_on = forms.DateField(label=_("完成日期"), widget=DATE, required=False)
    photo = forms.FileField(label=_("照片（JPG/PNG）"), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ContributionForm(forms.Form):
    household = forms.CharField(label=_("门牌/户"), max_length=50)
    amount = forms.DecimalField(label=_("金额（元）"), **YUAN)  # type: ignore[arg-type]
    receipt = forms.CharField(label=_("收据号"), max_length=30)


class DecisionForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE)
    motion = forms.CharField(label=_("议题"), max_length=200)
    members = forms.IntegerField(label=_("应到人数"), min_value=1)
    agree = forms.IntegerField(label=_("同意"), min_value=0)
    against = forms.IntegerField(label=_("反对"), min_value=0)
    abstain = forms.IntegerField(label=_("弃权"), min_value=0)


# --- staff forms: the network, spaces, menus and series -------------------------------------

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WEEKDAYS = [
    ("1", _("周一")), ("2", _("周二")), ("3", _("周三")), ("4", _("周四")),
    ("5", _("周五")), ("6", _("周六")), ("7", _("周日")),
]  # fmt: skip


class PositionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Position.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    parent = forms.ModelChoiceField(
        label=_("上级阵地"), queryset=Position.objects.order_by("sort", "name"), required=False,
        help_text=_("三大阵地不填；服务站挂在阵地下，服务点挂在阵地或服务站下。"),
    )  # fmt: skip
    address = forms.CharField(label=_("地址"), max_length=100)
    committee = forms.ModelChoiceField(
        label=_("所在居委"), queryset=Committee.objects.order_by("code"), required=False
    )
    map_x = forms.IntegerField(label=_("示意图横坐标（0–100，西→东）"), min_value=0, max_value=100)
    map_y = forms.IntegerField(label=_("示意图纵坐标（0–100，北→南）"), min_value=0, max_value=100)
    hours = forms.CharField(label=_("开放时间"), max_length=100, required=False)
    contact = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话（办公）"), max_length=30, required=False)
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sort = forms.IntegerField(label=_("排序"), min_value=0, initial=0, required=False)

    def __init__(self, *args: Any, committee_locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if committee_locked:
            del self.fields["committee"]

    def data_for_service(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        parent, committee = d.pop("parent", None), d.pop("committee", None)
        d["parent_id"] = parent.pk if parent else None
        d["committee_id"] = committee.pk if committee else None
        return d


class PositionStaffForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    duties = forms.CharField(
        label=_("岗位职责"), max_length=200,
        help_text=_("全岗通：一人多岗，用顿号或逗号分隔，如 接待、政策咨询、活动组织。"),
    )  # fmt: skip


class SpaceForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=50)
    capacity = forms.IntegerField(label=_("容纳人数"), min_value=1)
    equipment = forms.CharField(label=_("设备"), max_length=200, required=False)
    bookable = forms.BooleanField(label=_("可预约"), required=False, initial=True)


class MenuItemForm(forms.Form):
    family = forms.ChoiceField(label=_("类别"), choices=Family.choices)
    title = forms.CharField(label=_("服务项目"), max_length=100)
    audience = forms.CharField(label=_("服务对象"), max_length=100)
    capacity = forms.IntegerField(label=_("人数上限"), min_value=1)
    duration_minutes = forms.IntegerField(
        label=_("时长（分钟）"), min_value=15, max_value=24 * 60, initial=60
    )
    mode = forms.ChoiceField(label=_("预约方式"), choices=MenuItem.Mode.choices)
    provider = forms.CharField(label=_("提供方"), max_length=100, required=False)
    lead_days = forms.IntegerField(label=_("受理时限（天）"), min_value=0, max_value=90, initial=3)
    description = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    active = forms.BooleanField(label=_("上架"), required=False, initial=True)


class SeriesForm(forms.Form):
    title = forms.CharField(label=_("系列名称"), max_length=100)
    space = forms.ModelChoiceField(
        label=_("空间"),
        queryset=Space.objects.select_related("position").order_by("position__sort", "name"),
    )
    weekdays = forms.MultipleChoiceField(
        label=_("星期"), choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "cm-weekdays"}),
        initial=["1", "2", "3", "4", "5"],
    )  # fmt: skip
    start_time = forms.TimeField(label=_("开始"), widget=TIME)
    end_time = forms.TimeField(label=_("结束"), widget=TIME)
    capacity = forms.IntegerField(label=_("每场人数"), min_value=1)
    reserved_offline = forms.IntegerField(
        label=_("为现场/电话报名保留"), min_value=0, initial=0, required=False
    )
    release_hours = forms.IntegerField(
        label=_("保留座位提前释放（小时）"), min_value=0, max_value=336, initial=4
    )
    partners = forms.CharField(
        label=_("合作单位（顿号分隔，按日轮换）"), max_length=200, required=False
    )
    audience = forms.CharField(label=_("对象"), max_length=100, required=False)

    def data_for_service(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["weekdays"] = ",".join(d["weekdays"])
        return d


# --- the volunteer's own phone page -----------------------------------------------------------


class VolunteerLoginForm(forms.Form):
    code = forms.CharField(
        label=_("个人码"),
        max_length=20,
        help_text=_("队长发给您的 8 位码，如 ABCD-EFGH"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    tail = forms.CharField(
        label=_("手机号后四位"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class VolunteerHoursForm(forms.Form):
    team = forms.ModelChoiceField(label=_("队伍"), queryset=VolunteerTeam.objects.none())
    on = forms.DateField(label=_("服务日期"), widget=DATE)
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=1, max_value=24 * 60)
    content = forms.CharField(label=_("服务内容"), max_length=100)

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        field.queryset = teams  # type: ignore[attr-defined]
        if len(teams) == 1:  # one team: nothing to choose
            field.empty_label = None  # type: ignore[attr-defined]


class CorrectionForm(forms.Form):
    minutes = forms.IntegerField(label=_("应为（分钟）"), min_value=1, max_value=24 * 60)
    reason = forms.CharField(label=_("理由"), max_length=200)


def narrow_to_reach(form: forms.BaseForm, user: Any) -> Any:
    """Offer in every drop-down of ``form`` only what lies within the user's reach: committees,
    areas, positions, spaces and teams of other streets are neither listed nor accepted."""
    from . import queries

    paths = {
        Committee: ("pk", ""),
        Position: ("committee_id", "subdistrict_id"),
        Space: ("position__committee_id", "position__subdistrict_id"),
        VolunteerTeam: ("position__committee_id", "subdistrict_id"),
    }
    for field in form.fields.values():
        qs = getattr(field, "queryset", None)
        if qs is None:
            continue
        if qs.model is Area or (qs.model is Committee and policy.committee_scope(user)):
            # Committee staff choose among their street's committees (the services then put
            # what they make in their own committee, whatever was chosen).
            field.queryset = policy.scoped_street(qs, user, "subdistrict_id")  # type: ignore[attr-defined]
        elif qs.model is Committee:
            field.queryset = policy.scoped(qs, user, "pk")  # type: ignore[attr-defined]
        elif qs.model in paths:
            # A committee's rows by the committee; the street's own by the street.
            committee_path, street_path = paths[qs.model]
            field.queryset = queries.in_reach(qs, user, committee_path, street_path)  # type: ignore[attr-defined]
    return form
