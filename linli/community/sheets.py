"""The community's Excel sheets (``core.sheets``): approved volunteer hours in the fields of
民政部令第67号, for the city's volunteer site. Export only: hours are recorded by scanning,
by the volunteer or by the leader, never by importing a sheet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from linli.core import excel
from linli.core.excel import Column, write_workbook
from linli.core.sheets import Resolution, Sheet, choice_label

from .models import HourRecord


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def _iso(on: date) -> str:
    return on.isoformat()


class HoursSheet(Sheet):
    """Approved hours, one row per record: who, which team, when, what, how long, recorded
    how and by whom."""

    name = "volunteer-hours"
    title = gettext_lazy("志愿服务记录")
    model = HourRecord
    permission = "community.view"
    columns = (
        Column("name", gettext_noop("姓名"), excel.text(50)),
        Column("id_number", gettext_noop("身份证号（脱敏）"), excel.text(18), required=False),
        Column("phone", gettext_noop("手机号（脱敏）"), excel.text(11)),
        Column("team", gettext_noop("服务队伍"), excel.text(100)),
        Column("on", gettext_noop("服务日期"), excel.iso_date),
        Column("content", gettext_noop("服务内容"), excel.text(200)),
        Column("hours", gettext_noop("服务时长（小时）"), excel.text(10)),
        Column("source", gettext_noop("记录来源"), excel.choice(HourRecord.Source)),
        Column("issuer", gettext_noop("记录单位"), excel.text(100), required=False),
        Column("contact", gettext_noop("联系方式"), excel.text(100), required=False),
    )
    export_columns = (
        ("volunteer__name", None),
        ("volunteer__id_masked", None),
        ("volunteer__phone_masked", None),
        ("team__name", None),
        ("on", _iso),
        ("content", None),
        ("minutes", _hours),
        ("source", choice_label(HourRecord.Source)),
        ("issuing_unit", None),
        ("team__issuer_contact", None),
    )

    def export_query(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        # The team's issuer, else its position (VolunteerTeam.issuing_unit), in the one query.
        unit = Coalesce(NullIf(F("team__issuer"), Value("")), F("team__position__name"), Value(""))
        return super().export_query(qs.annotate(issuing_unit=unit))

    def labels(self) -> list[str]:
        """The column headers in the reader's language."""
        return [_(c.label) for c in self.columns]

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        raise NotImplementedError("volunteer hours are not imported")

    def workbook(self, records: QuerySet[HourRecord]) -> bytes:
        """The export of ``records`` (already narrowed to the reader's reach)."""
        qs: QuerySet[Any] = self.export_query(records)
        return write_workbook(str(self.title), self.labels(), (self.export_row(v) for v in qs))


HOURS = HoursSheet()
