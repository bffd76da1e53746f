"""Forms of the fire pages: registry edits, imports and the phone record form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    ChargingSite,
    CheckKind,
    DutyShift,
    Extinguisher,
    Gauge,
    KitItem,
    Sprinkler,
    Station,
    StationMember,
)

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class ExtinguisherForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Extinguisher
        fields = [
            "serial",
            "committee",
            "building",
            "entrance",
            "spot",
            "type",
            "rating",
            "manufactured",
            "last_maintained",
            "last_inspected",
            "gauge",
            "half_monthly",
            "scrap_condition",
            "placed_on",
            "assigned_to",
        ]
        widgets = {
            "manufactured": DATE,
            "last_maintained": DATE,
            "last_inspected": DATE,
            "placed_on": DATE,
        }


class SprinklerForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Sprinkler
        fields = [
            "entrance",
            "status",
            "programme",
            "heads",
            "households",
            "installed_on",
            "contractor",
            "design_pressure",
            "last_visual",
            "last_end_of_line",
            "last_pressure",
            "last_service",
            "fault",
        ]
        widgets = {
            "installed_on": DATE,
            "last_visual": DATE,
            "last_end_of_line": DATE,
            "last_service": DATE,
        }


class ChargingSiteForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ChargingSite
        fields = [
            "committee",
            "name",
            "address",
            "kind",
            "status",
            "programme",
            "bays",
            "has_sprinkler",
            "has_detector",
            "has_camera",
            "assigned_to",
        ]


class StationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Station
        fields = ["committee", "name", "address", "lon", "lat"]

    def validate_unique(self) -> None:
        """The name is checked by ``services.do_save_item`` within the whole street, with the
        error on the name field; the database's narrower key (per committee) would only add
        an error for the whole form saying less."""


class MemberForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = StationMember
        fields = ["name", "role", "trained"]


class ShiftForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = DutyShift
        fields = ["start", "end", "members"]
        widgets = {
            "start": forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
            "end": forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
            "members": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, station: Station, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        assert isinstance(members, forms.ModelMultipleChoiceField)
        members.queryset = station.members.all()


class KitForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = KitItem
        fields = ["name", "quantity", "interval_days", "last_checked"]
        widgets = {"last_checked": DATE}


class CheckForm(forms.Form):
    """One inspection or maintenance record; big controls for a phone."""

    kind = forms.ChoiceField(label=_("记录类别"))
    done_on = forms.DateField(label=_("日期"), widget=DATE)
    passed = forms.TypedChoiceField(
        label=_("结果"),
        choices=[("1", _("合格")), ("0", _("不合格"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    gauge = forms.ChoiceField(
        label=_("压力表"), choices=[("", "—"), *Gauge.choices], required=False
    )
    pressure = forms.DecimalField(
        label=_("末端压力(MPa)"), max_digits=5, decimal_places=3, min_value=0, required=False
    )
    new_manufactured = forms.DateField(
        label=_("新灭火器生产日期（更换时填写）"), widget=DATE, required=False
    )
    new_serial = forms.CharField(label=_("新编号（更换时可填）"), max_length=40, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    photo = forms.FileField(
        label=_("照片（可选，JPEG/PNG/WebP，不超过 5 MB）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: Any, sprinkler: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sprinkler:
            kinds = [CheckKind.VISUAL, CheckKind.END_OF_LINE, CheckKind.SERVICE]
            for name in ("gauge", "new_manufactured", "new_serial"):
                del self.fields[name]
        else:
            kinds = [CheckKind.INSPECTION, CheckKind.MAINTENANCE, CheckKind.REPLACEMENT]
            del self.fields["pressure"]
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(k.value, k.label) for k in kinds]


class EbikeForm(forms.Form):
    ebikes = forms.IntegerField(label=_("电动自行车估计数"), min_value=0, max_value=1_000_000)
