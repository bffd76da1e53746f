"""The export of approved volunteer hours (``sheets.HoursSheet`` on ``core.sheets``): the
fields of 民政部令第67号, masked identity, hours in the reader's reach, headers in the reader's
language."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from linli.community import services
from linli.community.sheets import HOURS

HEADERS = ["姓名", "身份证号（脱敏）", "手机号（脱敏）", "服务队伍", "服务日期", "服务内容",
           "服务时长（小时）", "记录来源", "记录单位", "联系方式"]  # fmt: skip


def _rows(response: Any) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == [str(HOURS.title)]
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def hours(net: dict[str, Any], street: dict[str, Any]) -> dict[str, Any]:
    team = net["team"]
    team.issuer, team.issuer_contact = "湖南路街道党群服务中心", "021-64370000"
    team.save()
    mine = services.do_register_volunteer(
        net["actor"], team, "陕新志愿者", "13900000011", "11010519491231002X", street["c1"].pk
    )
    theirs = services.do_register_volunteer(
        net["actor"], team, "新乐志愿者", "13900000012", committee_id=street["c2"].pk
    )
    day = timezone.localdate() - timedelta(days=2)
    services.do_report_hours(net["actor"], mine, team, day, 90, "音乐导赏", source="leader")
    services.do_report_hours(net["actor"], theirs, team, day, 30, "读书会", source="leader")
    pending = services.do_report_hours(net["actor"], mine, team, day, 45, "未审")
    return {"day": day, "pending": pending}


def test_export_has_the_columns_and_approved_rows(
    client: Client, net: dict[str, Any], hours: dict[str, Any]
) -> None:
    client.force_login(net["dangqun"])
    response = client.get(reverse("community:volunteers_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="volunteer-hours.xlsx"'
    header, *rows = _rows(response)
    assert list(header) == HEADERS
    day = hours["day"].isoformat()
    contact = ("湖南路街道党群服务中心", "021-64370000")
    assert sorted(rows) == sorted([
        ("陕新志愿者", "110105********002X", "139****0011", "衡复音乐阅读者", day, "音乐导赏",
         1.5, "队长录入", *contact),
        ("新乐志愿者", None, "139****0012", "衡复音乐阅读者", day, "读书会", 0.5, "队长录入",
         *contact),
    ])  # fmt: skip
    text = repr(rows)
    assert "13900000011" not in text and "11010519491231002X" not in text
    assert "未审" not in text  # pending hours are not certified


def test_export_keeps_to_the_readers_committee(
    client: Client, users: dict[str, Any], hours: dict[str, Any]
) -> None:
    client.force_login(users["committee_staff"])
    _header, *rows = _rows(client.get(reverse("community:volunteers_export")))
    assert [r[0] for r in rows] == ["陕新志愿者"]


def test_export_headers_read_in_english(
    client: Client, net: dict[str, Any], hours: dict[str, Any]
) -> None:
    client.force_login(net["dangqun"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the switch in the header
    header, *rows = _rows_in("en", client.get(reverse("community:volunteers_export")))
    with translation.override("en"):
        assert list(header) == [translation.gettext(h) for h in HEADERS]
        source = translation.gettext("队长录入")
    assert header[0] == "Name" and header[3] == "Team" and header[4] == "Service date"
    assert {r[7] for r in rows} == {source} and source != "队长录入"


def _rows_in(language: str, response: Any) -> list[tuple[Any, ...]]:
    with translation.override(language):
        return _rows(response)


def test_the_sheet_is_export_only() -> None:
    with pytest.raises(NotImplementedError):
        HOURS.resolve([], None)


def test_a_team_without_an_issuer_is_signed_by_its_position(
    client: Client, net: dict[str, Any], hours: dict[str, Any]
) -> None:
    """Every street's teams: with no issuer named, the street's own centre signs, not
    another street's."""
    team = net["team"]
    team.issuer = ""
    team.save()
    assert team.issuing_unit == team.position.name == "社区党群服务中心"
    client.force_login(net["dangqun"])
    header, *rows = _rows(client.get(reverse("community:volunteers_export")))
    column = list(header).index("记录单位")
    assert rows and {row[column] for row in rows} == {"社区党群服务中心"}
