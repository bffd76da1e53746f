"""Hall set-up forms: halls, queues (with the 中台 and items), lockers — hall.manage, audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from linli.core.models import AuditRecord
from linli.hall.models import Hall, Item, Locker, Queue

pytestmark = pytest.mark.django_db

HALL = {
    "code": "c",
    "name": "C厅 24小时",
    "opens_at": "08:30",
    "closes_at": "20:00",
}


@pytest.mark.parametrize("role", ["window_clerk", "street_staff", "committee_staff", "partner"])
def test_setup_forms_need_hall_manage(
    client: Any, centre: dict[str, Any], users: Any, role: str
) -> None:
    client.force_login(users[role])
    assert client.post(reverse("hall:setup_hall"), HALL).status_code == 403
    locker = {"hall": centre["A"].pk, "number": 9}
    assert client.post(reverse("hall:setup_locker"), locker).status_code == 403
    assert not Hall.objects.filter(code="C").exists() and not Locker.objects.exists()


def test_create_and_edit_hall(client: Any, centre: dict[str, Any], users: Any) -> None:
    client.force_login(users["street_admin"])
    url = reverse("hall:setup_hall")
    client.post(url, HALL)
    hall = Hall.objects.get(code="C")
    assert str(hall.opens_at) == "08:30:00" and hall.name == "C厅 24小时"
    assert AuditRecord.objects.filter(action="hall.hall.create").exists()
    client.post(url, {**HALL, "pk": hall.pk, "name": "C厅", "closes_at": "21:00"})
    hall.refresh_from_db()
    assert hall.name == "C厅" and str(hall.closes_at) == "21:00:00"
    assert AuditRecord.objects.filter(action="hall.hall.update").exists()
    bad = client.post(url, {**HALL, "code": "A"}, follow=True).content.decode()
    assert "已存在" in bad or "already exists" in bad
    bad = client.post(url, {**HALL, "code": "D", "opens_at": "21:00"}, follow=True)
    assert (
        "开门时间应早于关门时间" in bad.content.decode()
        and not Hall.objects.filter(code="D").exists()
    )
    assert "C厅" in client.get(reverse("hall:setup")).content.decode()


def test_create_queue_backoffice_and_items(client: Any, centre: dict[str, Any], users: Any) -> None:
    client.force_login(users["street_admin"])
    url = reverse("hall:setup_queue")
    item = centre["item"]
    client.post(url, {"hall": centre["B"].pk, "prefix": "c", "name": "医保",
                      "mean_service_minutes": "12", "sort": "3", "items": [item.pk]})  # fmt: skip
    queue = Queue.objects.get(prefix="C")
    item.refresh_from_db()
    assert item.queue == queue and item.hall == centre["B"]
    record = AuditRecord.objects.get(action="hall.queue.create")
    assert record.details["items"] == ["SB002"]
    # prefix is unique: it numbers the tickets (C001…) every day
    response = client.post(url, {"hall": centre["A"].pk, "prefix": "C",
                                 "name": "重复", "mean_service_minutes": "5", "sort": "0"},
                           follow=True)  # fmt: skip
    assert Queue.objects.filter(prefix="C").count() == 1 and "字头" in response.content.decode()
    response = client.post(url, {"hall": centre["A"].pk, "prefix": "1",
                                 "name": "坏", "mean_service_minutes": "5", "sort": "0"},
                           follow=True)  # fmt: skip
    assert "英文字母" in response.content.decode()
    # turning a queue into the back office takes it off the front windows
    centre["w3"].skills.add(queue)
    client.post(url, {"pk": queue.pk, "hall": centre["B"].pk, "prefix": "C",
                      "name": "医保中台", "is_backoffice": "1", "mean_service_minutes": "12",
                      "sort": "3"})  # fmt: skip
    queue.refresh_from_db()
    assert queue.is_backoffice and queue not in centre["w3"].skills.all()
    assert AuditRecord.objects.filter(action="hall.queue.update").exists()
    kiosk = client.get(reverse("hall:kiosk", args=["B"])).content.decode()
    assert "医保中台" not in kiosk
    assert Item.objects.get(pk=item.pk).queue == queue


def test_create_and_edit_locker(client: Any, centre: dict[str, Any], users: Any) -> None:
    client.force_login(users["street_admin"])
    url = reverse("hall:setup_locker")
    client.post(url, {"hall": centre["A"].pk, "number": "7", "active": "1"})
    locker = Locker.objects.get(number=7)
    assert locker.active and locker.hall == centre["A"]
    client.post(url, {"pk": locker.pk, "hall": centre["B"].pk, "number": "7"})
    locker.refresh_from_db()
    assert not locker.active and locker.hall == centre["B"]
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"hall.locker.create", "hall.locker.update"} <= actions
    # numbers are per hall: hall B has its 7 now, hall A may have one too
    refused = client.post(url, {"hall": centre["B"].pk, "number": "7", "active": "1"}, follow=True)
    assert Locker.objects.filter(number=7).count() == 1
    assert "柜号：本大厅已存在 7 号柜。" in refused.content.decode()
    client.post(url, {"hall": centre["A"].pk, "number": "7", "active": "1"})
    assert Locker.objects.filter(number=7).count() == 2
    assert "7" in client.get(reverse("hall:setup")).content.decode()


def test_web_workers_do_not_load_the_pinyin_dictionary() -> None:
    """Only saving a catalogue item needs pypinyin (≈ 45 MB with its phrases): loading the
    URLs and views — what every web worker does — must not import it."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; django.setup(); import linli.urls, linli.hall.views, sys;"
        "print('pypinyin' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    assert out.stdout.strip() == "False"
    from linli.hall.services import pinyin_initials

    assert pinyin_initials("人民调解", "银行账户") == "rmtj yhzh"  # phrases: the right readings


def test_a_window_takes_only_its_own_halls_queues(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    """Hall A's board showed a hall B number at a hall A window that took hall B's queue."""
    client.force_login(users["street_admin"])
    url = reverse("hall:setup")
    w2, qa, qb = centre["w2"], centre["qa"], centre["qb"]
    response = client.post(
        reverse("hall:setup_window"), {"window": w2.pk, "queues": [qa.pk, qb.pk], "active": "1"},
        follow=True,
    )  # fmt: skip
    assert "不能受理其他大厅的队列：B" in response.content.decode()
    assert list(w2.skills.all()) == [qa]
    # the set-up page offers each window its own hall's queues only
    page = client.get(url).content.decode()
    assert f'form="win-{w2.pk}" name="queues" value="{qa.pk}"' in page
    assert f'form="win-{w2.pk}" name="queues" value="{qb.pk}"' not in page
    assert f'form="win-{centre["w3"].pk}" name="queues" value="{qb.pk}"' in page


def test_a_queue_moved_to_another_hall_leaves_the_old_halls_windows(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    client.force_login(users["street_admin"])
    qb = centre["qb"]
    client.post(reverse("hall:setup_queue"), {"pk": qb.pk, "hall": centre["A"].pk,
                                              "prefix": "B", "name": "公安户政",
                                              "mean_service_minutes": "10", "sort": "0"})  # fmt: skip
    qb.refresh_from_db()
    assert qb.hall == centre["A"] and list(qb.windows.all()) == []


def test_each_halls_board_shows_its_own_windows_and_numbers(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    from linli.core.context import Actor
    from linli.hall import services

    clerk = users["window_clerk"]
    actor = Actor(clerk, "test")
    services.do_issue_ticket(centre["qa"])
    services.do_issue_ticket(centre["qb"])
    services.do_call_next_ticket(actor, centre["w1"])
    w3 = centre["w3"]
    w3.clerk = clerk
    w3.save()
    services.do_call_next_ticket(actor, w3)
    a = client.get(reverse("hall:board_data", args=["A"])).json()
    b = client.get(reverse("hall:board_data", args=["B"])).json()
    assert [w["number"] for w in a["windows"]] == [1, 2]
    assert [w["ticket"] for w in a["windows"]] == ["A001", None]
    assert [c["number"] for c in a["calls"]] == ["A001"]
    assert [w["number"] for w in b["windows"]] == [3]
    assert [c["number"] for c in b["calls"]] == ["B001"]
    assert [w["ticket"] for w in b["windows"]] == ["B001"]


def test_each_setup_form_has_its_own_address(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    client.force_login(users["street_admin"])
    page = client.get(reverse("hall:setup")).content.decode()
    for name in ("setup_hall", "setup_queue", "setup_locker", "setup_window"):
        assert f'action="{reverse("hall:" + name)}"' in page
    assert 'name="form"' not in page
    assert client.get(reverse("hall:setup_hall")).status_code == 405  # forms post only
    bad = {"hall": centre["A"].pk, "opens": "8 点", "closes": "17:30"}
    response = client.post(reverse("hall:setup_hours"), bad, follow=True)
    assert "请检查日期和时间的格式。" in response.content.decode()
    centre["A"].refresh_from_db()
    assert str(centre["A"].opens_at) == "09:00:00"
