"""Forms parse and validate; services save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.identity import check_id_number

from .models import Building, Committee, Entrance, Estate, Household, Resident


class CommitteeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Committee
        fields = ["code", "name", "area", "address", "map_x", "map_y"]


class EstateForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Estate
        fields = ["committee", "name", "kind", "address", "management"]


class BuildingForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Building
        fields = [
            "estate", "name", "address", "housing_type", "structure", "year_built", "floors",
            "heritage_protected", "has_lift", "lon", "lat",
        ]  # fmt: skip


class EntranceForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Entrance
        fields = ["building", "number", "address"]


class HouseholdForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Household
        fields = ["entrance", "room", "floor", "exclusive_area"]


class ResidentForm(forms.ModelForm):  # type: ignore[type-arg]
    id_number = forms.CharField(
        label=_("身份证号"), required=False, max_length=18,
        help_text=_("留空则不修改。保存后只显示遮蔽号码。"),
    )  # fmt: skip
    phone = forms.CharField(label=_("手机号"), required=False, max_length=11)

    class Meta:
        model = Resident
        fields = ["household", "name", "relation", "lives_alone"]

    def clean_id_number(self) -> str:
        value: str = self.cleaned_data["id_number"].strip()
        if value:
            checked = check_id_number(value)
            if not checked.valid or checked.number is None:
                raise forms.ValidationError(
                    _("身份证号无效：%(reason)s"), params={"reason": checked.reason}
                )
            return checked.number
        return value

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"].strip()
        if value and not (value.isdigit() and len(value) == 11):
            raise forms.ValidationError(_("手机号应为 11 位数字"))
        return value
