"""Many streets in one installation: every centre is set up alike (hall A, queue A, window 1,
locker 1, the standard item codes), and every address names one street's hall or item."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from linli.core.context import Actor
from linli.hall import queries, services
from linli.hall.errors import HallError
from linli.hall.models import Hall, Item, Locker, Queue, Ticket, Window

pytestmark = pytest.mark.django_db


def _admin(username: str, street: Any) -> Any:
    from linli.core.models import User

    user = User(username=username, role="street_admin", department="service_centre")
    user.subdistrict = street
    user.set_password("pw-for-tests-123")
    user.save()
    return user


def _centre(admin: Any, name: str) -> dict[str, Any]:
    """A centre set up the way every centre is, through the set-up services."""
    actor = Actor(admin, "test")
    hall = services.do_save_hall(actor, Hall(code="A", name=f"{name}A厅"))
    queue = services.do_save_queue(actor, Queue(hall=hall, prefix="A", name="综合受理"))
    services.do_save_queue(actor, Queue(hall=hall, prefix="Z", name="中台", is_backoffice=True))
    locker = services.do_save_locker(actor, Locker(hall=hall, number=1))
    window = Window.objects.create(hall=hall, number=1)
    window.skills.set([queue])
    item = Item.objects.create(
        code="SB002", name=f"{name}社保卡", pinyin="sbk", category="社会保障", hall=hall,
        queue=queue, channel_self_service=True,
    )  # fmt: skip
    return {"hall": hall, "queue": queue, "locker": locker, "window": window, "item": item}


@pytest.fixture
def streets(street: dict[str, Any]) -> dict[str, Any]:
    from linli.geo.models import Subdistrict

    one = street["subdistrict"]  # code S1
    two = Subdistrict.objects.create(code="S2", name="天平路街道", district=one.district)
    admins = {"S1": _admin("admin_s1", one), "S2": _admin("admin_s2", two)}
    return {
        "S1": _centre(admins["S1"], "湖南"),
        "S2": _centre(admins["S2"], "天平"),
        "admins": admins,
        "streets": {"S1": one, "S2": two},
    }


def test_two_streets_set_up_the_same_centre(streets: dict[str, Any]) -> None:
    one, two = streets["S1"], streets["S2"]
    assert one["hall"].subdistrict.code == "S1" and two["hall"].subdistrict.code == "S2"
    assert (one["hall"].key, two["hall"].key) == ("S1-A", "S2-A")
    assert Queue.objects.filter(prefix="A").count() == 2
    assert Window.objects.filter(number=1).count() == Locker.objects.filter(number=1).count() == 2
    assert Item.objects.filter(code="SB002").count() == 2


def test_the_kiosk_and_board_by_key_serve_their_streets_hall(
    client: Any, streets: dict[str, Any]
) -> None:
    page = client.get(reverse("hall:kiosk", args=["S2-A"])).content.decode()
    assert "天平A厅" in page and "湖南A厅" not in page
    answer = client.post(reverse("hall:kiosk_ticket", args=["S2-A"]), {"queue": "A"})
    assert answer.status_code == 201 and answer.json()["number"] == "A001"
    assert Ticket.objects.get().queue == streets["S2"]["queue"]
    slip = client.get(answer.json()["slip"]).content.decode()
    assert "请到" not in slip  # served in the hall whose kiosk issued it
    assert reverse("hall:kiosk", args=["S2-A"]) in slip
    board = client.get(reverse("hall:board_data", args=["S1-A"])).json()
    assert board["hall"] == {"code": "A", "key": "S1-A", "name": "湖南A厅"}
    assert board["waiting_total"] == 0  # street S2's ticket is not on street S1's board
    assert client.get(reverse("hall:board", args=["S2-A"])).status_code == 200
    assert client.get(reverse("hall:board", args=["S3-A"])).status_code == 404


def test_a_bare_code_two_streets_share_names_no_hall(client: Any, streets: dict[str, Any]) -> None:
    assert client.get(reverse("hall:kiosk", args=["A"])).status_code == 404
    answer = client.post(reverse("hall:kiosk_ticket", args=["A"]), {"queue": "A"})
    assert answer.status_code == 404 and answer.json()["code"] == "unknown_queue"
    assert client.get(reverse("hall:board", args=["A"])).status_code == 404
    assert client.get(reverse("hall:board_data", args=["A"])).status_code == 404
    assert not Ticket.objects.exists()


def test_a_bare_code_one_hall_has_still_names_it(client: Any, streets: dict[str, Any]) -> None:
    """Kiosks set up before the second street (``/hall/kiosk/B/``) keep working."""
    hall = services.do_save_hall(
        Actor(streets["admins"]["S1"], "test"), Hall(code="B", name="湖南B厅")
    )
    services.do_save_queue(
        Actor(streets["admins"]["S1"], "test"), Queue(hall=hall, prefix="B", name="户政")
    )
    assert "湖南B厅" in client.get(reverse("hall:kiosk", args=["B"])).content.decode()
    answer = client.post(reverse("hall:kiosk_ticket", args=["B"]), {"queue": "B"})
    assert answer.status_code == 201 and Ticket.objects.get().queue.hall == hall
    assert client.get(reverse("hall:board_data", args=["B"])).json()["hall"]["key"] == "S1-B"


def test_the_kiosk_by_key_reads_nothing_in_the_steady_state(
    client: Any, streets: dict[str, Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("hall:kiosk_ticket", args=["S1-A"])
    assert client.post(url, {"queue": "A"}).status_code == 201  # loads the configuration
    with CaptureQueriesContext(connection) as captured:
        assert client.post(url, {"queue": "A"}).json()["number"] == "A002"
    assert not [q for q in captured.captured_queries if q["sql"].startswith("SELECT")]


def test_the_kiosk_search_shows_its_own_streets_items(client: Any, streets: dict[str, Any]) -> None:
    page = client.get(reverse("hall:kiosk", args=["S1-A"]), {"q": "sbk"}).content.decode()
    assert "湖南社保卡" in page and "天平社保卡" not in page


def test_a_streets_terminal_never_shows_another_streets_item(
    client: Any, streets: dict[str, Any]
) -> None:
    consult = reverse("hall:terminal_consult")
    found = client.get(consult, {"q": "社保卡", "street": "S1"}).content.decode()
    assert "湖南社保卡" in found and "天平社保卡" not in found
    assert reverse("hall:terminal_item", args=["SB002"]) + "?street=S1" in found
    item = reverse("hall:terminal_item", args=["SB002"])
    page = client.get(item, {"street": "S2"}).content.decode()
    assert "天平社保卡" in page and "湖南社保卡" not in page
    apply = client.get(reverse("hall:terminal_apply"), {"street": "S1"}).content.decode()
    assert "湖南社保卡" in apply and "天平社保卡" not in apply
    chosen = client.get(reverse("hall:terminal_apply"), {"street": "S1", "item": "SB002"})
    assert chosen.context["item"] == streets["S1"]["item"]
    # Without its street a terminal of this installation first asks for it.
    assert client.get(item).status_code == 302
    menu = client.get(reverse("hall:terminal")).content.decode()
    assert "?street=S1" in menu and "?street=S2" in menu
    assert client.get(item, {"street": "S9"}).status_code == 404


def test_a_one_street_terminal_needs_no_street(client: Any, centre: dict[str, Any]) -> None:
    found = client.get(reverse("hall:terminal_consult"), {"q": "社保卡"}).content.decode()
    assert "社会保障卡申领" in found and "?street=" not in found
    page = client.get(reverse("hall:terminal_item", args=["SB002"]))
    assert page.status_code == 200 and page.context["item"] == centre["item"]


def test_setup_refuses_a_prefix_another_hall_of_the_street_uses(
    client: Any, streets: dict[str, Any]
) -> None:
    admin = streets["admins"]["S1"]
    actor = Actor(admin, "test")
    other = services.do_save_hall(actor, Hall(code="B", name="湖南B厅"))
    with pytest.raises(HallError) as caught:
        services.do_save_queue(actor, Queue(hall=other, prefix="A", name="户政"))
    assert caught.value.code == "prefix_taken" and caught.value.field == "prefix"
    client.force_login(admin)
    data = {"hall": other.pk, "prefix": "A", "name": "户政", "mean_service_minutes": "8"}
    page = client.post(reverse("hall:setup_queue"), {**data, "sort": "1"}, follow=True)
    assert "字头：A 已用于本街道" in page.content.decode()
    # the same hall's prefix twice: the same answer, no database error
    data["hall"] = streets["S1"]["hall"].pk
    page = client.post(reverse("hall:setup_queue"), {**data, "sort": "1"}, follow=True)
    assert "字头：A 已用于本街道" in page.content.decode()
    assert Queue.objects.filter(prefix="A").count() == 2  # one per street


def test_setup_refuses_a_hall_code_twice_in_a_street_and_odd_codes(
    client: Any, streets: dict[str, Any]
) -> None:
    client.force_login(streets["admins"]["S1"])
    hall = {"name": "又一个", "opens_at": "09:00", "closes_at": "17:00"}
    page = client.post(reverse("hall:setup_hall"), {**hall, "code": "a"}, follow=True)
    assert "代码：本街道已存在代码为 A 的大厅。" in page.content.decode()
    page = client.post(reverse("hall:setup_hall"), {**hall, "code": "A-1"}, follow=True)
    assert "大厅代码为 1–4 个大写英文字母或数字。" in page.content.decode()
    assert Hall.objects.count() == 2


def test_staff_item_pages_name_the_hall(client: Any, streets: dict[str, Any]) -> None:
    from linli.core.models import User

    district = User(username="district", role="district_civil")
    district.district = streets["streets"]["S1"].district
    district.save()
    client.force_login(district)
    url = reverse("hall:item", args=["SB002"])
    choose = client.get(url).content.decode()
    assert f"{url}?hall=S1-A" in choose and f"{url}?hall=S2-A" in choose
    page = client.get(url, {"hall": "S2-A"})
    assert page.context["item"] == streets["S2"]["item"]
    client.force_login(streets["admins"]["S1"])
    assert client.get(url).context["item"] == streets["S1"]["item"]  # its street's only
    listed = client.get(reverse("hall:items")).content.decode()
    assert f"{url}?hall=S1-A" in listed and "S2-A" not in listed


def test_window_numbers_repeat_per_hall(client: Any, streets: dict[str, Any]) -> None:
    from linli.core.models import User

    actor = Actor(streets["admins"]["S1"], "test")
    other = services.do_save_hall(actor, Hall(code="B", name="湖南B厅"))
    queue = services.do_save_queue(actor, Queue(hall=other, prefix="B", name="户政"))
    second = Window.objects.create(hall=other, number=1)
    second.skills.set([queue])
    clerk = User(username="clerk", role="window_clerk")
    clerk.subdistrict = streets["streets"]["S1"]
    clerk.save()
    assert queries.window_by_number(clerk, 1) is None  # two windows 1 in the street
    assert queries.window_by_number(clerk, 1, "S1-B") == second
    client.force_login(clerk)
    url = reverse("hall:window_take", args=[1])
    assert client.post(url).status_code == 404
    answer = client.post(f"{url}?hall=S1-B")
    assert answer["Location"] == reverse("hall:window", args=[1]) + "?hall=S1-B"
    second.refresh_from_db()
    assert second.clerk == clerk
    assert queries.window_by_number(clerk, 1) == second  # the one the clerk is on duty at
    assert client.get(reverse("hall:window", args=[1])).context["window"] == second


def test_check_in_takes_the_kiosks_streets_bookings_only(streets: dict[str, Any]) -> None:
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from linli.hall.models import Slot

    from .conftest import VALID_YOUNG

    for key in ("S1", "S2"):
        actor = Actor(streets["admins"][key], "test")
        services.do_save_queue(actor, Queue(hall=streets[key]["hall"], prefix="Y", name="预约"))
    day = timezone.localdate() + timedelta(days=1)
    slot = Slot.objects.create(
        item=streets["S1"]["item"], day=day, starts_at=time(9, 0), capacity=3
    )
    services.do_book_appointment(slot, VALID_YOUNG)
    on_the_day = timezone.make_aware(datetime.combine(day, time(8, 50)))
    with pytest.raises(HallError) as caught:
        services.do_check_in_appointment(VALID_YOUNG, now=on_the_day, hall=streets["S2"]["hall"])
    assert caught.value.code == "no_booking"
    ticket = services.do_check_in_appointment(
        VALID_YOUNG, now=on_the_day, hall=streets["S1"]["hall"]
    )
    assert ticket.queue.hall == streets["S1"]["hall"] and ticket.number == "Y001"


def test_the_booking_page_lists_one_streets_items(client: Any, streets: dict[str, Any]) -> None:
    from datetime import time, timedelta

    from django.utils import timezone

    from linli.hall.models import Slot

    day = timezone.localdate() + timedelta(days=1)
    for key in ("S1", "S2"):
        Slot.objects.create(item=streets[key]["item"], day=day, starts_at=time(9, 0), capacity=3)
    assert "?street=S2" in client.get(reverse("hall:book")).content.decode()
    page = client.get(reverse("hall:book"), {"street": "S2", "item": "SB002"})
    assert page.context["item"] == streets["S2"]["item"]
    assert list(page.context["items"]) == [streets["S2"]["item"]]


def test_district_statistics_keep_each_streets_hall_and_window_apart(
    streets: dict[str, Any],
) -> None:
    """Both streets have hall A and window 1: a district account's figures count them apart,
    named by the hall's key; a street's own figures keep the short window name."""
    from datetime import timedelta

    from django.utils import timezone

    from linli.core.models import User

    now = timezone.now()
    for code, served in (("S1", 2), ("S2", 1)):
        centre = streets[code]
        for n in range(served):
            ticket = services.do_issue_ticket(centre["queue"])
            Ticket.objects.filter(pk=ticket.pk).update(
                window=centre["window"], state="done", first_called_at=now,
                started_at=now, ended_at=now + timedelta(minutes=5 + n),
            )  # fmt: skip
    district = User(username="district", role="district_civil")
    district.district = streets["streets"]["S1"].district
    district.save()
    day = timezone.localdate()
    figures = queries.statistics(district, day, day)
    assert figures["by_hall"] == [("S1-A", 2), ("S2-A", 1)]
    assert figures["by_window"] == [("S1-A 1号窗口", 2), ("S2-A 1号窗口", 1)]
    own = queries.statistics(streets["admins"]["S2"], day, day)
    assert own["by_hall"] == [("S2-A", 1)] and own["by_window"] == [("1号窗口", 1)]
