"""The street operations screen (/ops/): who opens it, which street, what it shows, its JSON,
and a constant number of queries however much the street and the city hold.

Streets B (天平路, 徐汇区) and C (华阳路, 长宁区) come from ``streets.build``, each object named
with its marker; each street gets a hall with waiting tickets and a ticket at the back office,
an overdue hazard, an overdue extinguisher, a lift in service and an activity today.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.core.roles import Role

from . import streets

pytestmark = pytest.mark.django_db


def _street_work(s: dict[str, Any], marker: str, n: int = 1) -> None:
    """Work of every module in street ``s``: ``n`` of each kind."""
    from linli.community import models as cm
    from linli.elevator import models as em
    from linli.fire import models as fm
    from linli.hall import models as hm
    from linli.risk import models as rm

    today = timezone.localdate()
    now = timezone.now()
    hall = hm.Hall.objects.filter(subdistrict=s["street"]).first()
    if hall is None:
        hall = hm.Hall.objects.create(
            code=marker[-1], name=f"{marker}大厅", subdistrict=s["street"]
        )
        hm.Queue.objects.create(hall=hall, prefix=marker[-1], name=f"{marker}综合受理")
        hm.Window.objects.create(hall=hall, number=10 + ord(marker[-1]) % 10)
    queue = hall.queues.first()
    assert queue is not None
    start = hm.Ticket.objects.filter(queue=queue).count()
    for i in range(n):
        seq = start + i + 1
        for state in ("waiting", "escalated"):
            hm.Ticket.objects.create(
                queue=queue, day=today, seq=seq if state == "waiting" else 500 + seq,
                number=f"{queue.prefix}{seq:03d}", token=uuid.uuid4().hex, source="anonymous",
                state=state, issued_at=now - timedelta(minutes=30),
                escalation_reason="张三 户口迁移" if state == "escalated" else "",
            )  # fmt: skip
    case = s["case"]
    for _i in range(n):
        finding = rm.Finding.objects.create(
            check_item=case.finding.check_item, likelihood=3, severity=4, grade="B",
            description=f"{marker}占用通道",
        )  # fmt: skip
        rm.HazardCase.objects.create(
            finding=finding, round=case.round, committee=s["committee"], subunit="XF02",
            grade="B", state="assigned", found_on=today - timedelta(days=20),
            due_on=today - timedelta(days=2),
        )  # fmt: skip
    for i in range(n):
        unit = fm.Extinguisher.objects.get(pk=s["extinguisher"].pk)
        unit.pk = None
        unit.serial = f"{marker}-X{uuid.uuid4().hex[:6]}{i}"
        unit.next_due = today - timedelta(days=5)
        unit.save()
    for i in range(n):
        em.Project.objects.create(
            committee=s["committee"], building=s["building"], name=f"{marker}加梯{i}",
            entered_service=today - timedelta(days=60),
        )  # fmt: skip
    space = s["event"].space
    for i in range(n):
        starts = now - timedelta(minutes=30)
        cm.Event.objects.create(
            title=f"{marker}今日活动{i}", space=space, starts_at=starts,
            ends_at=starts + timedelta(hours=2), capacity=10, committee=s["committee"],
        )  # fmt: skip


@pytest.fixture
def world() -> dict[str, Any]:
    from linli.geo.models import City, District

    b = streets.build("ZQB", "310104003")
    c = streets.build("ZQC", "310105001")
    _street_work(b, "ZQB")
    _street_work(c, "ZQC")
    from linli.core.models import User

    xuhui = District.objects.get(code="310104")
    users = {
        "b_admin": b["admin"],
        "c_admin": c["admin"],
        "b_staff": User.objects.create(
            username="b_staff", role=Role.STREET_STAFF, subdistrict=b["street"]
        ),
        "committee": User.objects.create(
            username="b_committee", role=Role.COMMITTEE_STAFF, committee=b["committee"]
        ),
        "window": User.objects.create(
            username="b_window", role=Role.WINDOW_CLERK, subdistrict=b["street"]
        ),
        "backoffice": User.objects.create(
            username="b_backoffice", role=Role.BACKOFFICE_CLERK, subdistrict=b["street"]
        ),
        "inspector": User.objects.create(username="inspector1", role=Role.INSPECTOR),
        "partner": User.objects.create(username="partner1", role=Role.PARTNER),
        "auditor": User.objects.create(username="auditor1", role=Role.AUDITOR),
        "city": User.objects.create(
            username="city1", role=Role.CITY_VIEWER, city=City.objects.get(code="310000")
        ),
    }
    for role in (Role.DISTRICT_SAFETY, Role.DISTRICT_CIVIL, Role.DISTRICT_HOUSING):
        users[role.value] = User.objects.create(
            username=f"x_{role.value}", role=role, district=xuhui
        )
    return {"b": b, "c": c, "users": users}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _panel(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(p for p in data["panels"] if p["key"] == key)


def _figure(data: dict[str, Any], panel: str, key: str) -> Any:
    return next(f for f in _panel(data, panel)["figures"] if f["key"] == key)["value"]


def test_a_street_admin_sees_every_panel_of_its_own_street_only(world: Any) -> None:
    client = _client(world["users"]["b_admin"])
    page = client.get("/ops/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "天平路街道" in text and "ZQB居委" in text and "ZQC" not in text
    data = client.get("/ops/data/").json()
    assert data["street"] == {"code": "310104003", "name": "天平路街道"}
    assert [p["key"] for p in data["panels"]] == [
        "hall", "hazards", "escalations", "equipment", "lifts", "activities",
    ]  # fmt: skip
    assert _figure(data, "hall", "waiting") == 1
    assert _figure(data, "hazards", "overdue") == 1
    assert _figure(data, "escalations", "backoffice") == 1
    assert _figure(data, "equipment", "overdue") == 1
    assert _figure(data, "lifts", "projects") == 1
    assert _figure(data, "activities", "events") == 1
    assert _panel(data, "hazards")["level"] == "red"
    body = str(data)
    assert "ZQB居委 XF02 B级 逾期 2 天" in body
    assert "ZQC" not in body
    # The escalation's free-text reason may name a person: never on the wall.
    assert "张三" not in body and "张三" not in text


def test_a_street_account_cannot_ask_for_another_street(world: Any) -> None:
    client = _client(world["users"]["b_admin"])
    assert client.get("/ops/?street=310105001").status_code == 404
    assert client.get("/ops/data/?street=310105001").status_code == 404
    assert client.get("/ops/data/?street=x'--").status_code == 404
    assert client.get("/ops/data/?street=310104003").status_code == 200


def test_a_district_office_chooses_one_of_its_streets_and_sees_its_own_modules(world: Any) -> None:
    users = world["users"]
    safety = _client(users["district_safety"])
    chooser = safety.get("/ops/")
    assert chooser.status_code == 200
    assert "?street=310104003" in chooser.content.decode()
    assert "310105001" not in chooser.content.decode()  # 长宁区 is another district
    answer = safety.get("/ops/data/")
    assert answer.status_code == 400
    assert answer.json()["field"] == "street"
    data = safety.get("/ops/data/?street=310104003").json()
    assert [p["key"] for p in data["panels"]] == ["hazards", "escalations", "equipment"]
    assert _figure(data, "hazards", "overdue") == 1
    assert [f["key"] for f in _panel(data, "escalations")["figures"]] == ["hazards_escalated"]
    assert "ZQC" not in str(data)
    assert safety.get("/ops/data/?street=310105001").status_code == 404
    civil = _client(users["district_civil"]).get("/ops/data/?street=310104003").json()
    assert [p["key"] for p in civil["panels"]] == ["hall", "escalations", "activities"]
    housing = _client(users["district_housing"]).get("/ops/data/?street=310104003").json()
    assert [p["key"] for p in housing["panels"]] == ["equipment", "lifts"]


@pytest.mark.parametrize(
    "who", ["committee", "window", "backoffice", "inspector", "partner", "auditor", "city"]
)
def test_roles_without_a_street_or_district_read_are_refused(world: Any, who: str) -> None:
    client = _client(world["users"][who])
    assert client.get("/ops/").status_code == 403
    assert client.get("/ops/data/?street=310104003").status_code == 403


def test_anonymous_is_sent_to_log_in() -> None:
    response = Client().get("/ops/data/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_json_contract(world: Any) -> None:
    data = _client(world["users"]["b_staff"]).get("/ops/data/").json()
    assert set(data) == {"street", "generated_at", "time", "day", "poll_seconds", "level", "panels"}
    assert data["day"] == timezone.localdate().isoformat()
    assert 15 <= data["poll_seconds"] <= 30
    assert data["level"] == "red"
    for p in data["panels"]:
        assert set(p) == {"key", "title", "level", "link", "empty", "figures", "items"}
        assert p["level"] in ("ok", "amber", "red")
        for f in p["figures"]:
            assert set(f) == {"key", "label", "value", "total", "unit", "level", "link"}
            assert isinstance(f["value"], int)
        for i in p["items"]:
            assert set(i) == {"text", "level"}


def test_figures_link_to_the_filtered_lists_the_viewer_may_open(world: Any) -> None:
    users = world["users"]
    admin = _client(users["b_admin"]).get("/ops/data/").json()
    hazards = {f["key"]: f["link"] for f in _panel(admin, "hazards")["figures"]}
    assert hazards["overdue"] == "/risk/cases/?state=open&overdue=1"
    assert {f["key"]: f["link"] for f in _panel(admin, "equipment")["figures"]}["overdue"] == (
        "/fire/due/?list=overdue"
    )
    assert _panel(admin, "lifts")["link"] == "/elevator/reminders/"
    # The list pages show what the figure counts.
    listed = _client(users["b_admin"]).get(hazards["overdue"]).content.decode()
    assert "ZQB居委" in listed
    # The back office's list holds every day's open escalations, as the panel counts them.
    escalations = {f["key"]: f["link"] for f in _panel(admin, "escalations")["figures"]}
    assert escalations["backoffice"] == "/hall/tickets/?state=escalated&all_days=1"


def test_a_figure_changes_with_the_data(world: Any) -> None:
    client = _client(world["users"]["b_admin"])
    before = client.get("/ops/data/").json()
    _street_work(world["b"], "ZQB", n=2)
    after = client.get("/ops/data/").json()
    assert _figure(before, "hazards", "overdue") == 1
    assert _figure(after, "hazards", "overdue") == 3
    assert _figure(after, "hall", "waiting") == 3


def test_the_query_count_stays_the_same_as_the_street_and_the_city_grow(world: Any) -> None:
    client = _client(world["users"]["b_admin"])
    client.get("/ops/data/")  # caches (calendar, session) warm

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/ops/data/").status_code == 200
        return len(queries)

    small = count()
    _street_work(world["b"], "ZQB", n=8)
    _street_work(world["c"], "ZQC", n=8)
    assert count() == small
    assert small <= 30, small


def test_the_lift_clocks_match_the_reminders_page(world: Any) -> None:
    """The database pre-selects projects that may have a clock due; every project's clocks
    computed one by one (as the reminders page does) find the same ones."""
    import random

    from linli.core import workcalendar
    from linli.elevator import models as em
    from linli.elevator import queries, services

    b = world["b"]
    today = timezone.localdate()
    rnd = random.Random(7)

    def some_day() -> date | None:
        return today + timedelta(days=rnd.randint(-420, 60)) if rnd.random() < 0.6 else None

    for i in range(120):
        project = em.Project.objects.create(
            committee=b["committee"], building=b["building"], name=f"ZQB随机{i}",
            planning_notice_start=some_day(), entered_service=some_day(),
            use_registered=some_day(), last_inspection=some_day(),
            inspection_due=some_day(), inspection_requested=some_day(),
        )  # fmt: skip
        if rnd.random() < 0.5:
            em.MaintenanceRecord.objects.create(project=project, on=some_day() or today, by="维保")
    calendar = workcalendar.work_calendar()
    expected = sorted(
        (p.pk, c.label, c.status, c.due)
        for p in queries.projects(b["admin"]).filter(committee__subdistrict=b["street"])
        for c in services.project_clocks(p, today, calendar)
        if c.status in ("overdue", "due_soon")
    )
    found = queries.street_operations(b["admin"], b["street"].pk, today, calendar)
    assert expected, "the random projects have clocks due"
    assert (
        sorted((c["project_id"], c["label"], c["status"], c["due"]) for c in found["clocks"])
        == expected
    )
