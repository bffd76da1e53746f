"""Excel import/export of micro fire station members, duty shifts and kit items."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.test import TestCase
from openpyxl import Workbook, load_workbook

from linli.core.models import AuditRecord
from linli.fire.models import DutyShift, KitItem, Station, StationMember
from linli.fire.sheets import SHEETS

from .factories import today


def _sheet(kind: str, rows: list[list[Any]]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(SHEETS[kind].labels())
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "x.xlsx"
    return out


def _post(client: Any, kind: str, rows: list[list[Any]]) -> Any:
    """Upload, let the import job run (eagerly, after commit), and open the page it leads to."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/fire/registry/{kind}/import/", {"file": _sheet(kind, rows)})
    assert response.status_code == 302
    return client.get(response["Location"])


def _stations(street: Any) -> tuple[Station, Station]:
    own = Station.objects.create(committee=street["c1"], name="陕新站")
    other = Station.objects.create(committee=street["c2"], name="新乐站")
    return own, other


def test_good_files_import_members_shifts_and_kit_audited(login: Any, street: Any) -> None:
    own, _other = _stations(street)
    client = login("committee_staff")
    page = client.get(f"/fire/stations/{own.pk}/").content.decode()
    assert "/fire/registry/members/import/" in page and "/fire/registry/kit/export/" in page
    members = [
        ["HN01", "陕新站", "王站长", "站长", "是"],
        ["HN01", "陕新站", "李队员", "队员", "否"],
    ]
    assert "import-done" in _post(client, "members", members).content.decode()
    assert StationMember.objects.filter(station=own).count() == 2
    assert not StationMember.objects.get(name="李队员").trained
    shifts = [["HN01", "陕新站", "2026-03-01 08:00", "2026-03-01 20:00", "王站长、李队员"]]
    assert "import-done" in _post(client, "shifts", shifts).content.decode()
    shift = DutyShift.objects.get(station=own)
    assert {m.name for m in shift.members.all()} == {"王站长", "李队员"}
    checked = (today() - timedelta(days=3)).isoformat()
    kit = [["HN01", "陕新站", "灭火毯", 4, 30, checked], ["HN01", "陕新站", "水带", 2, 90, None]]
    assert "import-done" in _post(client, "kit", kit).content.decode()
    assert KitItem.objects.get(name="灭火毯").quantity == 4
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {
        "fire.stationmember.import",
        "fire.dutyshift.import",
        "fire.kititem.import",
    } <= actions
    # importing again updates instead of duplicating
    members[1][4] = "是"
    assert "import-done" in _post(client, "members", members).content.decode()
    assert StationMember.objects.filter(station=own).count() == 2
    assert StationMember.objects.get(name="李队员").trained


def test_one_bad_row_rejects_the_whole_file_naming_row_and_column(login: Any, street: Any) -> None:
    own, _other = _stations(street)
    StationMember.objects.create(station=own, name="王站长", role="leader")
    client = login("committee_staff")
    rows = [
        ["HN01", "陕新站", "赵队员", "队员", "是"],
        ["HN01", "陕新站", "钱队员", "司机", "是"],
    ]
    text = _post(client, "members", rows).content.decode()
    assert "<td>3</td><td>职务</td>" in text
    assert not StationMember.objects.filter(name="赵队员").exists()
    shifts = [
        ["HN01", "陕新站", "2026-03-01 08:00", "2026-03-01 20:00", "王站长"],
        ["HN01", "陕新站", "2026-03-02 08:00", "2026-03-02 07:00", "王站长"],
        ["HN01", "陕新站", "2026-03-03 08:00", "2026-03-03 20:00", "不存在"],
    ]
    text = _post(client, "shifts", shifts).content.decode()
    assert "<td>3</td><td>结束</td>" in text and "<td>4</td><td>值班队员</td>" in text
    bad_time = [["HN01", "陕新站", "明天", "2026-03-04 20:00", ""]]
    assert "<td>2</td><td>开始</td>" in _post(client, "shifts", bad_time).content.decode()
    assert not DutyShift.objects.exists()
    future = (today() + timedelta(days=2)).isoformat()
    kit = [["HN01", "陕新站", "灭火毯", 4, 30, None], ["HN01", "陕新站", "水带", 2, 90, future]]
    text = _post(client, "kit", kit).content.decode()
    assert "<td>3</td><td>上次检查</td>" in text and not KitItem.objects.exists()
    # another committee's station is out of scope for committee staff
    text = _post(client, "kit", [["HN02", "新乐站", "水带", 1, 30, None]]).content.decode()
    assert "<td>2</td><td>居委代码</td>" in text or "无权导入其他居委的数据" in text
    assert not KitItem.objects.exists()
    assert not AuditRecord.objects.filter(action__endswith=".import").exists()


def test_export_reimports_cleanly_and_is_scoped(login: Any, street: Any) -> None:
    own, other = _stations(street)
    leader = StationMember.objects.create(station=own, name="王站长", role="leader")
    StationMember.objects.create(station=other, name="外站队员")
    on = today()
    shift = DutyShift.objects.create(
        station=own,
        start=DutyShift._meta.get_field("start").to_python("2026-03-01T08:00:00+08:00"),
        end=DutyShift._meta.get_field("end").to_python("2026-03-01T20:00:00+08:00"),
    )
    shift.members.add(leader)
    KitItem.objects.create(station=own, name="灭火毯", interval_days=30, last_checked=on)
    client = login("committee_staff")
    for kind in ("members", "shifts", "kit"):
        data = client.get(f"/fire/registry/{kind}/export/").content
        rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
        assert len(rows) == 2 and "新乐站" not in str(rows)
        upload = io.BytesIO(data)
        upload.name = "x.xlsx"
        response = client.post(f"/fire/registry/{kind}/import/", {"file": upload})
        assert response.status_code == 302, response.content.decode()[:2000]
    assert StationMember.objects.filter(station=own).count() == 1
    assert DutyShift.objects.get().start == shift.start
    assert list(DutyShift.objects.get().members.all()) == [leader]
    assert KitItem.objects.get().last_checked == on
    assert login("partner").get("/fire/registry/members/import/").status_code == 403
