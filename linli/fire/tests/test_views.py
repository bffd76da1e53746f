"""Pages and API: the role matrix, committee scope, partner scope, imports, exports, queries."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from linli.core.models import AuditRecord, Organisation
from linli.fire.models import ChargingSite, Extinguisher, Station
from linli.fire.sheets import SHEETS

from .factories import due_extinguisher, extinguisher, sprinkler, today

pytestmark = pytest.mark.django_db

PAGES = [
    "/fire/", "/fire/due/", "/fire/due/?list=overdue", "/fire/due/?list=inspection",
    "/fire/batches/", "/fire/programme/", "/fire/coverage/",
    "/fire/registry/extinguishers/", "/fire/registry/sprinklers/", "/fire/registry/charging/",
    "/fire/registry/stations/", "/fire/registry/records/",
]  # fmt: skip
APIS = ["/api/v1/fire/extinguishers/", "/api/v1/fire/sprinklers/", "/api/v1/fire/charging-sites/"]

READERS = {"street_admin", "street_staff", "committee_staff", "partner"}


@pytest.mark.parametrize("role", ["street_admin", "street_staff", "committee_staff", "inspector",
                                  "window_clerk", "backoffice_clerk", "partner", "auditor"])  # fmt: skip
def test_role_matrix_of_pages_and_api(login: Any, street: Any, role: str) -> None:
    client = login(role)
    expected = 200 if role in READERS else 403
    for url in PAGES + APIS:
        assert client.get(url).status_code == expected, url
    change = 200 if role in {"street_admin", "committee_staff"} else 403
    assert client.get("/fire/registry/extinguishers/new/").status_code == change
    assert client.get("/fire/registry/extinguishers/import/").status_code == change


def test_anonymous_is_sent_to_login(client: Any, street: Any) -> None:
    assert client.get("/fire/").status_code == 302
    assert client.get(APIS[0]).status_code in (401, 403)


def test_committee_sees_only_its_equipment(login: Any, street: Any) -> None:
    mine = extinguisher(street, serial="MINE-1")
    other = extinguisher(street, key="2", serial="OTHER-2")
    client = login("committee_staff")
    page = client.get("/fire/registry/extinguishers/").content.decode()
    assert "MINE-1" in page and "OTHER-2" not in page
    assert client.get(f"/fire/extinguishers/{mine.pk}/").status_code == 200
    assert client.get(f"/fire/extinguishers/{other.pk}/").status_code == 403
    api = client.get(APIS[0]).json()
    assert [r["serial"] for r in api["results"]] == ["MINE-1"]
    assert client.get(f"{APIS[0]}{other.pk}/").status_code == 404
    export = client.get("/fire/registry/extinguishers/export/")
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["MINE-1"]


def test_contractor_sees_its_assigned_work(login: Any, street: Any) -> None:
    org = Organisation.objects.get(name="徐房物业")
    assigned = due_extinguisher(street, serial="ASSIGNED", assigned_to=org)
    due_extinguisher(street, serial="NOT-MINE")
    client = login("partner")
    page = client.get("/fire/due/?list=overdue").content.decode()
    assert "ASSIGNED" in page and "NOT-MINE" not in page
    response = client.post(
        f"{APIS[0]}{assigned.pk}/records/",
        {"kind": "maintenance", "done_on": today().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assigned.refresh_from_db()
    assert assigned.last_maintained == today()
    other = Extinguisher.objects.get(serial="NOT-MINE")
    assert client.get(f"/fire/extinguishers/{other.pk}/").status_code == 403


def test_record_on_the_page_leaves_the_due_list(login: Any, street: Any) -> None:
    on = today()
    obj = extinguisher(street, serial="INSPECT-ME", last_inspected=on - timedelta(days=45))
    client = login("committee_staff")
    assert "INSPECT-ME" in client.get("/fire/due/?list=inspection").content.decode()
    response = client.post(
        f"/fire/extinguishers/{obj.pk}/",
        {"kind": "inspection", "done_on": on.isoformat(), "passed": "1", "gauge": "green",
         "next": "/fire/due/?list=inspection"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/fire/due/?list=inspection"
    assert "INSPECT-ME" not in client.get("/fire/due/?list=inspection").content.decode()
    assert AuditRecord.objects.filter(action="fire.record.inspection").exists()


def test_record_form_shows_errors_and_refuses_readers(login: Any, street: Any) -> None:
    obj = extinguisher(street)
    client = login("committee_staff")
    response = client.post(
        f"/fire/extinguishers/{obj.pk}/",
        {
            "kind": "maintenance",
            "done_on": (today() + timedelta(days=2)).isoformat(),
            "passed": "1",
        },
    )
    assert response.status_code == 200 and "日期不能晚于今天" in response.content.decode()
    reader = login("street_staff")  # no department: may read, may not record
    assert reader.post(f"/fire/extinguishers/{obj.pk}/", {}).status_code == 403


def _sheet(rows: list[list[Any]], labels: list[str]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(labels)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "x.xlsx"
    return out


def _import(client: Any, kind: str, upload: Any) -> Any:
    """Upload, let the import job run (eagerly, after commit), and open the page it leads to."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/fire/registry/{kind}/import/", {"file": upload})
    assert response.status_code == 302
    return client.get(response["Location"])


def test_import_is_atomic_and_names_rows(login: Any, street: Any) -> None:
    labels = SHEETS["extinguishers"].labels()
    on = today()
    good = [
        "G-1",
        "HN01",
        "长乐路100弄",
        "1支弄",
        "1号",
        "楼梯口",
        "干粉",
        "MFZ/ABC4",
        (on - timedelta(days=100)).isoformat(),
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    bad = [
        "G-2",
        "HN01",
        None,
        None,
        None,
        "",
        "泡沫",
        "",
        "2020-01-01",
        "2019-01-01",
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    future = [
        "G-3",
        "HN01",
        None,
        None,
        None,
        "",
        "水基型",
        "",
        (on + timedelta(days=3)).isoformat(),
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    other = ["G-4", "HN02", None, None, None, "", "干粉", "", "2024-01-01",
             None, None, None, None, None, None, None]  # fmt: skip
    client = login("committee_staff")
    response = _import(client, "extinguishers", _sheet([good, bad, future, other], labels))
    text = response.content.decode()
    assert response.status_code == 200 and "应为以下之一" in text  # the type 泡沫, row 3
    response = _import(client, "extinguishers", _sheet([good, future, other], labels))
    text = response.content.decode()
    assert "日期不能晚于今天" in text and "无权导入其他居委的数据" in text
    assert "<td>3</td><td>生产日期</td>" in text
    assert not Extinguisher.objects.exists()
    response = _import(client, "extinguishers", _sheet([good], labels))
    assert "导入完成：新增 1 条，更新 0 条。" in response.content.decode()
    created = Extinguisher.objects.get(serial="G-1")
    assert created.entrance == street["entrance1"] and created.next_due is not None
    assert AuditRecord.objects.filter(action="fire.extinguisher.import").exists()


def test_export_imports_back(login: Any, street: Any) -> None:
    extinguisher(street, serial="RT-1")
    sprinkler(street)
    client = login("street_admin")
    Station.objects.create(committee=street["c1"], name="站三")
    ChargingSite.objects.create(committee=street["c1"], name="柜一", kind="cabinet", bays=12)
    for kind in ("extinguishers", "sprinklers", "charging", "stations"):
        data = client.get(f"/fire/registry/{kind}/export/").content
        upload = io.BytesIO(data)
        upload.name = "x.xlsx"
        page = _import(client, kind, upload).content.decode()
        assert "import-done" in page, page[:2000]


def _grow(street: Any, n: int, start: int) -> None:
    for i in range(start, start + n):
        key = "1" if i % 2 else "2"
        due_extinguisher(
            street, key=key, serial=f"Q{i}", last_inspected=today() - timedelta(days=40)
        )


@pytest.mark.parametrize("role", ["street_admin", "committee_staff", "partner"])
def test_query_counts_do_not_grow_with_the_data(login: Any, street: Any, role: str) -> None:
    client = login(role)
    sprinkler(street)
    urls = [*PAGES, *APIS, f"/fire/batches/?committee={street['c1'].pk}", "/fire/due/export/",
            "/fire/registry/extinguishers/export/"]  # fmt: skip

    def counts() -> dict[str, int]:
        out = {}
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            out[url] = len(ctx)
        return out

    _grow(street, 4, 0)
    small = counts()
    _grow(street, 30, 100)
    assert counts() == small


def test_station_page_and_coverage(login: Any, street: Any) -> None:
    from decimal import Decimal

    building = street["building1"]
    building.lon, building.lat = Decimal("121.440000"), Decimal("31.210000")
    building.save()
    far = street["building2"]
    far.lon, far.lat = Decimal("121.460000"), Decimal("31.210000")
    far.save()
    st = Station.objects.create(
        committee=street["c1"], name="站一", lon=Decimal("121.440500"), lat=Decimal("31.210000")
    )
    client = login("street_admin")
    page = client.get("/fire/coverage/").content.decode()
    assert "超出 3 分钟的楼栋 1 栋" in page and "缺站长" in page
    assert client.get(f"/fire/stations/{st.pk}/").status_code == 200
    assert client.get("/fire/coverage/?speed=2000").status_code == 200
    assert login("committee_staff_2").get(f"/fire/stations/{st.pk}/").status_code == 403


def test_demo_builds_due_and_overdue_items(street: Any) -> None:
    from linli.fire import demo

    counts = demo.build()
    assert counts["extinguishers"] > 0 and counts["stations"] == 2
    again = demo.build()
    assert again["buildings_placed"] == 0  # positions are kept from the first run
    counts.pop("buildings_placed")
    again.pop("buildings_placed")
    assert again == counts and counts["overdue"] > 0
    assert Extinguisher.objects.count() == counts["extinguishers"]


def test_station_members_roster_and_kit_are_kept_on_the_page(login: Any, street: Any) -> None:
    st = Station.objects.create(committee=street["c1"], name="站二")
    client = login("committee_staff")
    base = f"/fire/stations/{st.pk}"
    assert (
        client.post(
            f"{base}/add/members/", {"name": "王站长", "role": "leader", "trained": "on"}
        ).status_code
        == 302
    )
    member = st.members.get()
    on = today()
    response = client.post(
        f"{base}/add/shifts/",
        {"start": f"{on}T08:00", "end": f"{on}T16:00", "members": [member.pk]},
    )
    assert response.status_code == 302
    # The members are saved with the shift and named in its audit record.
    assert list(st.shifts.get().members.all()) == [member]
    shift_audit = AuditRecord.objects.get(action="fire.dutyshift.create")
    assert shift_audit.details["members"] == [member.pk]
    bad = client.post(f"{base}/add/shifts/", {"start": f"{on}T16:00", "end": f"{on}T08:00"})
    assert bad.status_code == 200 and st.shifts.count() == 1
    assert (
        client.post(
            f"{base}/add/kit/", {"name": "对讲机", "quantity": 2, "interval_days": 30}
        ).status_code
        == 302
    )
    kit = st.kit.get()
    assert client.post(f"{base}/kit/{kit.pk}/check/").status_code == 302
    kit.refresh_from_db()
    assert kit.last_checked == on
    page = client.get(f"{base}/").content.decode()
    assert "王站长" in page and "不足 3 人的班次" in page
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"fire.stationmember.create", "fire.dutyshift.create", "fire.kititem.create",
            "fire.kititem.check"} <= actions  # fmt: skip
    assert client.post(f"{base}/remove/members/{member.pk}/").status_code == 302
    assert not st.members.exists()
    other = login("committee_staff_2")
    assert other.post(f"{base}/add/members/", {"name": "x", "role": "member"}).status_code == 403
    assert other.post(f"{base}/kit/{kit.pk}/check/").status_code == 403
    assert login("partner").post(f"{base}/kit/{kit.pk}/check/").status_code == 403


def test_linli_demo_can_run_twice(db: Any) -> None:
    """The demo street is rebuilt (places first) over an existing fire registry."""
    from linli.fire import demo
    from linli.geo import demo as geo_demo

    geo_demo.build(with_residents=False)
    first = demo.build()
    geo_demo.build(with_residents=False)
    again = demo.build()
    assert first == again and first["extinguishers"] > 1000
    assert first["overdue"] > 0 and first["due_30"] > 0 and first["programme_2026"] > 0
