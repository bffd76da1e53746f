"""Two streets, one installation: a street's hall rows (halls, queues, windows, items, tickets,
cases, lockers, slots) are read and changed by that street's accounts only; district accounts
read their district's streets."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from linli.core.context import Actor
from linli.hall import services
from linli.hall.models import Hall, Item, Locker, Queue, Ticket, Window
from linli.hall.sheets import ITEMS

pytestmark = pytest.mark.django_db


def _user(username: str, role: str, **place: Any) -> Any:
    from linli.core.models import User

    user = User(username=username, role=role, **place)
    if role == "street_admin":
        user.department = "service_centre"
    user.set_password("pw-for-tests-123")
    user.save()
    return user


def _centre(street: Any, letter: str, number: int) -> dict[str, Any]:
    hall = Hall.objects.create(code=letter, name=f"{letter}厅", subdistrict=street)
    queue = Queue.objects.create(hall=hall, prefix=letter, name=f"{letter}综合受理")
    Queue.objects.create(hall=hall, prefix=f"{letter}Z", name="中台", is_backoffice=True)
    item = Item.objects.create(
        code=f"{letter}001", name=f"{letter}事项", category="综合", hall=hall, queue=queue
    )
    window = Window.objects.create(hall=hall, number=number)
    window.skills.set([queue])
    locker = Locker.objects.create(hall=hall, number=number)
    return {"hall": hall, "queue": queue, "item": item, "window": window, "locker": locker}


@pytest.fixture
def two(street: dict[str, Any]) -> dict[str, Any]:
    """Street A (the shared fixture's street) and street B of the same district, each with its
    hall, staff and one ticket served to the middle of its window's work."""
    from linli.geo.models import Subdistrict

    a = street["subdistrict"]
    b = Subdistrict.objects.create(code="S2", name="天平路街道", district=a.district)
    made: dict[str, Any] = {"A": _centre(a, "A", 1), "B": _centre(b, "B", 2)}
    for key, sub in (("a", a), ("b", b)):
        made[f"admin_{key}"] = _user(f"admin_{key}", "street_admin", subdistrict=sub)
        made[f"clerk_{key}"] = _user(f"clerk_{key}", "window_clerk", subdistrict=sub)
        made[f"office_{key}"] = _user(f"office_{key}", "backoffice_clerk", subdistrict=sub)
    made["district"] = _user("district", "district_civil", district=a.district)
    for key in ("A", "B"):
        clerk = Actor(made[f"clerk_{key.lower()}"], "test")
        services.do_take_window(clerk, made[key]["window"])
        ticket = services.do_issue_ticket(made[key]["queue"])
        services.do_call_next_ticket(clerk, made[key]["window"])
        made[key]["ticket"] = services.do_start_ticket(clerk, ticket)
    return made


def _said(response: Any) -> str:
    return response.content.decode()


def test_a_window_clerk_cannot_reach_another_streets_window_or_ticket(
    client: Any, two: dict[str, Any]
) -> None:
    client.force_login(two["clerk_b"])
    assert client.get(reverse("hall:window", args=[1])).status_code == 404  # street A's window
    assert client.post(reverse("hall:window_take", args=[1])).status_code == 404
    chooser = _said(client.get(reverse("hall:window_choose") + "?change=1"))
    assert "2号窗口" in chooser and "1号窗口" not in chooser
    ticket_a = two["A"]["ticket"]
    # at the clerk's own window, street A's ticket is not found
    for name in ("window_finish", "window_escalate", "window_no_show"):
        response = client.post(reverse("hall:" + name, args=[2]), {"ticket": ticket_a.pk})
        assert response.status_code == 404
    ticket_a.refresh_from_db()
    assert ticket_a.state == "serving"
    # nor street A's queue or item on the clerk's own ticket
    ticket_b = two["B"]["ticket"]
    transfer = {"ticket": ticket_b.pk, "queue": two["A"]["queue"].pk, "reason": "x"}
    assert client.post(reverse("hall:window_transfer", args=[2]), transfer).status_code == 404
    case = {"ticket": ticket_b.pk, "item": two["A"]["item"].pk}
    assert client.post(reverse("hall:window_open_case", args=[2]), case).status_code == 404
    page = _said(client.get(reverse("hall:window", args=[2])))
    assert "B事项" in page and "A事项" not in page and "A综合受理" not in page


def test_the_services_refuse_another_streets_rows_whoever_calls_them(two: dict[str, Any]) -> None:
    clerk_b = Actor(two["clerk_b"], "test")
    with pytest.raises(PermissionDenied):
        services.do_take_window(clerk_b, two["A"]["window"])
    with pytest.raises(PermissionDenied):
        services.do_finish_ticket(clerk_b, two["A"]["ticket"])
    with pytest.raises(PermissionDenied):
        services.do_open_case(clerk_b, two["A"]["item"], ticket=two["B"]["ticket"])
    office_b = Actor(two["office_b"], "test")
    clerk_a = Actor(two["clerk_a"], "test")
    services.do_escalate_ticket(clerk_a, two["A"]["ticket"], "核验")
    with pytest.raises(PermissionDenied):
        services.do_finish_ticket_in_backoffice(office_b, two["A"]["ticket"], "办结")
    admin_b = Actor(two["admin_b"], "test")
    with pytest.raises(PermissionDenied):
        services.do_set_hall_hours(admin_b, two["A"]["hall"], "08:00", "18:00")
    assert Ticket.objects.get(pk=two["A"]["ticket"].pk).state == "escalated"


def test_the_back_office_sees_and_returns_its_own_streets_tickets_only(
    client: Any, two: dict[str, Any]
) -> None:
    services.do_escalate_ticket(Actor(two["clerk_a"], "test"), two["A"]["ticket"], "材料A")
    services.do_escalate_ticket(Actor(two["clerk_b"], "test"), two["B"]["ticket"], "材料B")
    client.force_login(two["office_b"])
    page = _said(client.get(reverse("hall:backoffice")))
    assert "材料B" in page and "材料A" not in page
    note = {"ticket": two["A"]["ticket"].pk, "note": "可办"}
    assert client.post(reverse("hall:backoffice_return"), note).status_code == 404
    assert client.post(reverse("hall:backoffice_finish"), note).status_code == 404
    assert Ticket.objects.get(pk=two["A"]["ticket"].pk).state == "escalated"


def test_set_up_shows_and_changes_the_managers_own_street_only(
    client: Any, two: dict[str, Any]
) -> None:
    client.force_login(two["admin_b"])
    page = _said(client.get(reverse("hall:setup")))
    assert "B厅" in page and "A厅" not in page and "A综合受理" not in page
    hall_a, window_a = two["A"]["hall"], two["A"]["window"]
    edit = {"pk": hall_a.pk, "code": "A", "name": "改名", "opens_at": "08:00", "closes_at": "18:00"}
    assert client.post(reverse("hall:setup_hall"), edit).status_code == 404
    hours = {"hall": hall_a.pk, "opens": "08:00", "closes": "18:00"}
    assert client.post(reverse("hall:setup_hours"), hours).status_code == 404
    skills = {"window": window_a.pk, "queues": [two["A"]["queue"].pk], "active": "1"}
    assert client.post(reverse("hall:setup_window"), skills).status_code == 404
    queue = {"hall": hall_a.pk, "prefix": "X", "name": "插队", "mean_service_minutes": "5",
             "sort": "0"}  # fmt: skip
    said = _said(client.post(reverse("hall:setup_queue"), queue, follow=True))
    assert "大厅" in said and not Queue.objects.filter(prefix="X").exists()
    take = {**queue, "hall": two["B"]["hall"].pk, "items": [two["A"]["item"].pk]}
    client.post(reverse("hall:setup_queue"), take)
    assert not Queue.objects.filter(prefix="X").exists()
    assert Item.objects.get(code="A001").queue == two["A"]["queue"]
    locker = {"pk": two["A"]["locker"].pk, "hall": two["B"]["hall"].pk, "number": "9"}
    assert client.post(reverse("hall:setup_locker"), locker).status_code == 404
    hall_a.refresh_from_db()
    assert hall_a.name == "A厅" and str(hall_a.opens_at) == "09:00:00"
    # a hall the manager creates belongs to the manager's street
    new = {"code": "C", "name": "C厅", "opens_at": "09:00", "closes_at": "17:00"}
    client.post(reverse("hall:setup_hall"), new)
    assert Hall.objects.get(code="C").subdistrict == two["B"]["hall"].subdistrict


def test_lists_and_api_show_each_street_its_own_rows_and_the_district_both(
    client: Any, two: dict[str, Any]
) -> None:
    for user, shown, hidden in (("admin_b", "B001", "A001"), ("admin_a", "A001", "B001")):
        client.force_login(two[user])
        page = _said(client.get(reverse("hall:items")))
        assert shown in page and hidden not in page
        codes = [r["code"] for r in client.get("/api/v1/hall/items/").json()["results"]]
        assert codes == [shown]
        numbers = [r["number"] for r in client.get("/api/v1/hall/tickets/").json()["results"]]
        assert numbers == [f"{shown[0]}001"]
        assert client.get(reverse("hall:item", args=[hidden])).status_code == 404
        assert (
            client.get(reverse("hall:ticket", args=[two[hidden[0]]["ticket"].pk])).status_code
            == 404
        )
    client.force_login(two["district"])
    codes = sorted(r["code"] for r in client.get("/api/v1/hall/items/").json()["results"])
    assert codes == ["A001", "B001"]


def test_a_hall_without_a_street_is_no_streets_once_there_are_two(
    client: Any, two: dict[str, Any]
) -> None:
    orphan = Hall.objects.create(code="O", name="无街道厅")
    queue = Queue.objects.create(hall=orphan, prefix="O", name="无街道队列")
    Item.objects.create(code="O001", name="无街道事项", category="综合", hall=orphan, queue=queue)
    for user in ("admin_a", "admin_b", "district"):
        client.force_login(two[user])
        codes = [r["code"] for r in client.get("/api/v1/hall/items/").json()["results"]]
        assert "O001" not in codes


def test_the_catalogue_import_refuses_another_streets_hall_and_items(
    client: Any, two: dict[str, Any]
) -> None:
    def sheet(rows: list[list[Any]]) -> io.BytesIO:
        book = Workbook()
        book.active.append(ITEMS.labels())
        for row in rows:
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        out.seek(0)
        out.name = "items.xlsx"  # type: ignore[attr-defined]
        return out

    row = ["{code}", "事项", "", "综合", "{hall}", "{hall}", "是", "否", "否", "否", "", 0, "", ""]
    into_a = [c.format(code="N001", hall="A") if isinstance(c, str) else c for c in row]
    take_a = [c.format(code="A001", hall="B") if isinstance(c, str) else c for c in row]
    client.force_login(two["admin_b"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("hall:item_import"), {"file": sheet([into_a, take_a])})
    text = _said(client.get(response["Location"]))
    assert '<td data-label="行">2</td><td data-label="列">大厅</td>' in text
    assert "无权导入其他街道的数据" in text
    assert not Item.objects.filter(code="N001").exists()
    assert Item.objects.get(code="A001").hall == two["A"]["hall"]
    # Codes repeat from street to street: street B's A001 is its own, street A's is untouched.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("hall:item_import"), {"file": sheet([take_a])})
    assert "导入完成：新增 1 条，更新 0 条。" in _said(client.get(response["Location"]))
    assert Item.objects.get(code="A001", hall=two["A"]["hall"]).name == "A事项"
    assert Item.objects.get(code="A001", hall=two["B"]["hall"]).name == "事项"


def test_a_district_account_narrows_the_lists_to_one_street(
    client: Any, two: dict[str, Any]
) -> None:
    street_b = two["B"]["hall"].subdistrict_id
    client.force_login(two["district"])
    page = _said(client.get(reverse("hall:items"), {"street": street_b}))
    assert 'name="street"' in page and "天平路街道" in page
    assert "B001" in page and "A001" not in page
    api = client.get("/api/v1/hall/items/", {"street": street_b}).json()["results"]
    assert [r["code"] for r in api] == ["B001"]
    api = client.get("/api/v1/hall/tickets/", {"street": street_b}).json()["results"]
    assert [r["number"] for r in api] == ["B001"]
    for url in (reverse("hall:tickets"), reverse("hall:cases"), reverse("hall:ratings")):
        response = client.get(url, {"street": street_b})
        assert response.status_code == 200 and 'name="street"' in _said(response)
    # a street it does not reach is a field error naming the filter, not a list
    bad = client.get(reverse("hall:items"), {"street": "999999"})
    assert bad.status_code == 400 and "街道" in _said(bad)
    # an account of one street is never offered the choice
    client.force_login(two["admin_b"])
    assert 'name="street"' not in _said(client.get(reverse("hall:items")))
