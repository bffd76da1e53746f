"""A small centre: hall A (queue A, windows 1–2) and hall B (queue B, window 3), a back office."""

from __future__ import annotations

from typing import Any

import pytest

VALID_OLD = "11010519491231002X"  # born 1949: green lane
VALID_YOUNG = "440524198001010013"


@pytest.fixture
def centre(db: Any, users: dict[str, Any]) -> dict[str, Any]:
    from linli.hall.models import Hall, Item, Queue, Window

    a = Hall.objects.create(code="A", name="A厅 综合业务受理")
    b = Hall.objects.create(code="B", name="B厅 专业服务")
    qa = Queue.objects.create(hall=a, prefix="A", name="综合业务受理", mean_service_minutes=8)
    qb = Queue.objects.create(hall=b, prefix="B", name="公安户政", mean_service_minutes=10)
    qz = Queue.objects.create(hall=a, prefix="Z", name="中台", is_backoffice=True)
    item = Item.objects.create(
        code="SB002", name="社会保障卡申领", aliases="社保卡,医保卡", pinyin="shbzksl sbk ybk",
        category="社会保障", hall=a, queue=qa, promised_days=10, channel_citywide=True,
        materials=[{"situation": "首次申领", "materials": ["居民身份证"]}],
    )  # fmt: skip
    w1 = Window.objects.create(hall=a, number=1, clerk=users["window_clerk"])
    w1.skills.set([qa])
    w2 = Window.objects.create(hall=a, number=2)
    w2.skills.set([qa])
    w3 = Window.objects.create(hall=b, number=3)
    w3.skills.set([qb])
    return {
        "A": a,
        "B": b,
        "qa": qa,
        "qb": qb,
        "qz": qz,
        "item": item,
        "w1": w1,
        "w2": w2,
        "w3": w3,
    }


OPEN_MOMENT = (2026, 11, 25, 10, 0)  # a Wednesday, 10:00 local: inside the default 09:00–17:00


@pytest.fixture(autouse=True)
def kiosk_open(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Pin the kiosk's business-hours clock so no test depends on the wall-clock time."""
    from datetime import datetime

    from django.utils import timezone

    from linli.hall import services

    moment = timezone.make_aware(datetime(*OPEN_MOMENT))
    monkeypatch.setattr(services, "kiosk_clock", lambda: moment)
    # Each test builds its own halls through the ORM (rolled back afterwards, the stored
    # configuration version with it): start every test without the previous one's cached copy.
    services.forget_kiosk_config()
    return moment
