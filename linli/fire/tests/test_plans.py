"""Saved batch plans: save, issue to a partner, the partner records the work, staff track it."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from linli.core.context import Actor
from linli.core.models import AuditRecord, Organisation, User
from linli.fire import services
from linli.fire.models import Extinguisher, PlanState, WorkPlan, WorkPlanItem
from linli.notices.models import Notice

from .factories import due_extinguisher, extinguisher, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def contractor() -> Organisation:
    return Organisation.objects.create(name="申安消防维保", kind="contractor")


@pytest.fixture
def contractor_user(contractor: Organisation) -> User:
    user = User(username="weibao", role="partner", organisation=contractor)
    user.set_password("pw-for-tests-123")
    user.save()
    return user


def _due_units(street: Any) -> list[Extinguisher]:
    """Two overdue units and one fine unit in committee 1, one overdue in committee 2."""
    made = [due_extinguisher(street, serial=f"DUE-{i}") for i in range(2)]
    extinguisher(street, serial="FINE")
    due_extinguisher(street, key="2", serial="OTHER-C2")
    return made


def _save(users: Any, street: Any, name: str = "十二月送修") -> WorkPlan:
    return services.do_save_plan(
        Actor(users["street_admin"]), name=name, committee_id=street["c1"].pk, within_days=30
    )


def test_save_plan_keeps_the_due_units_with_batch_and_date(users: Any, street: Any) -> None:
    due = _due_units(street)
    plan = _save(users, street)
    items = list(plan.items.order_by("extinguisher__serial"))
    assert [i.extinguisher.serial for i in items] == ["DUE-0", "DUE-1"]
    assert all(i.kind == "maintain" and i.done_on is None for i in items)
    assert {i.due_on for i in items} == {u.next_due for u in due}
    # Three units at the building: at most a quarter (1) away at once, so two batches.
    assert sorted(i.batch for i in items) == [1, 2]
    assert plan.state == PlanState.DRAFT
    assert AuditRecord.objects.filter(action="fire.plan.save", object_id=str(plan.pk)).exists()


@pytest.mark.parametrize(
    ("name", "committee", "within", "field"),
    [("", "c1", 30, "name"), ("x" * 81, "c1", 30, "name"), ("计划", None, 30, "committee"),
     ("计划", "c1", 400, "within"), ("计划", "c2", 0, "within")],
)  # fmt: skip
def test_save_plan_names_the_bad_field_and_writes_nothing(
    users: Any, street: Any, name: str, committee: str | None, within: int, field: str
) -> None:
    extinguisher(street, key="2", serial="FINE-C2")  # c2 has nothing due
    due_extinguisher(street, serial="DUE-C1")
    with pytest.raises(services.FireError) as caught:
        services.do_save_plan(
            Actor(users["street_admin"]),
            name=name,
            committee_id=street[committee].pk if committee else None,
            within_days=within,
        )
    assert caught.value.field == field
    assert not WorkPlan.objects.exists() and not WorkPlanItem.objects.exists()


def test_only_registry_editors_of_the_committee_save_and_issue(
    users: Any, street: Any, contractor: Organisation
) -> None:
    _due_units(street)
    for role in ("street_staff", "partner", "auditor"):
        with pytest.raises(PermissionDenied):
            services.do_save_plan(
                Actor(users[role]), name="x", committee_id=street["c1"].pk, within_days=30
            )
    with pytest.raises(PermissionDenied):  # another committee's clerk
        services.do_save_plan(
            Actor(users["committee_staff_2"]), name="x", committee_id=street["c1"].pk,
            within_days=30,
        )  # fmt: skip
    plan = services.do_save_plan(
        Actor(users["committee_staff"]), name="居委计划", committee_id=street["c1"].pk,
        within_days=30,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.do_issue_plan(Actor(users["committee_staff_2"]), plan, contractor.pk)


def test_issue_notifies_the_partner_and_cannot_repeat(
    users: Any, street: Any, contractor: Organisation, contractor_user: User
) -> None:
    _due_units(street)
    plan = _save(users, street)
    with pytest.raises(services.FireError) as caught:
        services.do_issue_plan(Actor(users["street_admin"]), plan, None)
    assert caught.value.field == "partner"
    school = Organisation.objects.create(name="某小学", kind="school")
    with pytest.raises(services.FireError):  # not a maintenance body
        services.do_issue_plan(Actor(users["street_admin"]), plan, school.pk)
    issued = services.do_issue_plan(Actor(users["street_admin"]), plan, contractor.pk)
    assert issued.state == PlanState.ISSUED and issued.partner == contractor
    notice = Notice.objects.get(user=contractor_user, kind="fire.plan_issued")
    assert "十二月送修" in notice.text and "2具" in notice.text
    assert AuditRecord.objects.filter(action="fire.plan.issue", object_id=str(plan.pk)).exists()
    with pytest.raises(services.FireError):
        services.do_issue_plan(Actor(users["street_admin"]), issued, contractor.pk)


def _photo() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(buffer, "JPEG")
    return SimpleUploadedFile("done.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_partner_sees_only_its_plans_and_records_the_work(
    client: Any, users: Any, street: Any, contractor: Organisation, contractor_user: User
) -> None:
    due = _due_units(street)
    plan = _save(users, street)
    other = _save(users, street, name="未下发的计划")
    client.force_login(contractor_user)
    # Before issue: the plan and its units are out of reach.
    assert client.get(f"/fire/plans/{plan.pk}/").status_code == 404
    assert client.get(f"/fire/extinguishers/{due[0].pk}/").status_code == 403
    services.do_issue_plan(Actor(users["street_admin"]), plan, contractor.pk)

    listing = client.get("/fire/plans/").content.decode()
    assert "十二月送修" in listing and "未下发的计划" not in listing
    assert client.get(f"/fire/plans/{other.pk}/").status_code == 404
    # The property company of the test street (another partner) does not see it either.
    client.force_login(users["partner"])
    assert client.get(f"/fire/plans/{plan.pk}/").status_code == 404
    assert "十二月送修" not in client.get("/fire/plans/").content.decode()
    assert client.get("/api/v1/fire/plans/").json()["count"] == 0

    client.force_login(contractor_user)
    page = client.get(f"/fire/plans/{plan.pk}/").content.decode()
    assert "登记完成" in page
    # The existing record form, with the plan's kind preselected and the way back.
    form = client.get(
        f"/fire/extinguishers/{due[0].pk}/?kind=maintenance&next=/fire/plans/{plan.pk}/"
    )
    assert (
        form.status_code == 200 and '<option value="maintenance" selected>' in form.content.decode()
    )
    done_on = today() - timedelta(days=1)
    response = client.post(
        f"/fire/extinguishers/{due[0].pk}/",
        {"kind": "maintenance", "done_on": done_on.isoformat(), "passed": "1", "gauge": "green",
         "note": "已送修换药", "photo": _photo(), "next": f"/fire/plans/{plan.pk}/"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"/fire/plans/{plan.pk}/"
    item = WorkPlanItem.objects.get(plan=plan, extinguisher=due[0])
    assert item.done_on == done_on and item.record is not None and item.record.photo
    assert item.record.organisation == contractor
    # An inspection is not the plan's work: the other unit stays open.
    client.post(
        f"/fire/extinguishers/{due[1].pk}/",
        {"kind": "inspection", "done_on": today().isoformat(), "passed": "1", "gauge": "green"},
    )
    assert WorkPlanItem.objects.get(plan=plan, extinguisher=due[1]).done_on is None

    # Staff see the progress.
    client.force_login(users["street_admin"])
    page = client.get(f"/fire/plans/{plan.pk}/").content.decode()
    assert "已送修换药" in page and f"{done_on:%Y-%m-%d} 完成" in page
    api = client.get("/api/v1/fire/plans/?state=issued").json()
    assert [(p["name"], p["items_done"], p["items_total"], p["items_overdue"])
            for p in api["results"]] == [("十二月送修", 1, 2, 1)]  # fmt: skip
    assert client.get("/api/v1/fire/plans/?overdue=false").json()["count"] == 0
    assert client.get("/api/v1/fire/plans/?state=draft").json()["results"][0]["name"] == (
        "未下发的计划"
    )


def test_plan_pages_save_and_issue(
    client: Any, users: Any, street: Any, contractor: Organisation
) -> None:
    _due_units(street)
    client.force_login(users["committee_staff"])
    page = client.get("/fire/batches/").content.decode()
    assert "保存为计划" in page
    response = client.post("/fire/plans/new/", {"name": "", "within": "30"}, follow=True)
    assert "请填写计划名称" in response.content.decode() and not WorkPlan.objects.exists()
    response = client.post("/fire/plans/new/", {"name": "居委计划", "within": "30"})
    plan = WorkPlan.objects.get()
    assert response["Location"] == f"/fire/plans/{plan.pk}/" and plan.committee == street["c1"]
    response = client.post(f"/fire/plans/{plan.pk}/issue/", {"partner": contractor.pk}, follow=True)
    assert "计划已下发给申安消防维保" in response.content.decode()
    # A clerk of another committee cannot see it.
    client.force_login(users["committee_staff_2"])
    assert client.get(f"/fire/plans/{plan.pk}/").status_code == 404


def test_plan_list_queries_do_not_grow(client: Any, users: Any, street: Any) -> None:
    _due_units(street)
    _save(users, street)
    client.force_login(users["street_admin"])

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = ["/fire/plans/", "/api/v1/fire/plans/", "/fire/"]
    before = {u: count(u) for u in urls}
    plan = WorkPlan.objects.get()
    detail = count(f"/fire/plans/{plan.pk}/")
    for i in range(3):
        due_extinguisher(street, serial=f"MORE-{i}")
        _save(users, street, name=f"更多{i}")
    assert {u: count(u) for u in urls} == before
    bigger = WorkPlan.objects.get(name="更多2")
    assert count(f"/fire/plans/{bigger.pk}/") == detail
