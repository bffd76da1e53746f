"""Lockers: deposit a finished case, collect with code + ID, reminder on day 5, expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from linli.core.context import Actor
from linli.core.models import AuditRecord
from linli.hall import services
from linli.hall.models import Locker, Pickup

from .conftest import VALID_OLD, VALID_YOUNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(centre: dict[str, Any], users: Any) -> Any:
    clerk = Actor(users["window_clerk"], "t")
    ticket = services.do_issue_ticket(centre["qa"], VALID_OLD)
    services.do_call_next_ticket(clerk, centre["w1"])
    services.do_start_ticket(clerk, ticket)
    case = services.do_open_case(clerk, centre["item"], ticket=ticket)
    return case


def test_deposit_and_collect(
    client: Any, centre: dict[str, Any], users: Any, finished: Any
) -> None:
    clerk = Actor(users["window_clerk"], "t")
    locker = Locker.objects.create(hall=centre["A"], number=1)
    with pytest.raises(services.HallError) as exc:
        services.do_deposit_pickup(clerk, finished, locker)
    assert exc.value.code == "case_open"
    services.do_set_case_status(clerk, finished, "completed")
    with pytest.raises(PermissionDenied):
        services.do_deposit_pickup(Actor(users["auditor"], "t"), finished, locker)
    pickup = services.do_deposit_pickup(clerk, finished, locker)
    assert len(pickup.code) == 6 and pickup.status == "waiting"
    with pytest.raises(services.HallError):
        services.do_deposit_pickup(clerk, finished, locker)  # the compartment is taken
    url = reverse("hall:terminal_pickup")
    wrong = client.post(url, {"code": pickup.code, "id_number": VALID_YOUNG})
    assert wrong.status_code == 400 and "取件码或身份证不正确" in wrong.content.decode()
    ok = client.post(url, {"code": pickup.code, "id_number": VALID_OLD})
    assert ok.status_code == 200 and "1 号柜门已打开" in ok.content.decode()
    pickup.refresh_from_db()
    assert pickup.status == "collected" and pickup.collected_at is not None
    assert AuditRecord.objects.filter(action="hall.pickup.collect").exists()


def test_reminder_and_expiry(centre: dict[str, Any], users: Any, finished: Any) -> None:
    clerk = Actor(users["window_clerk"], "t")
    services.do_set_case_status(clerk, finished, "completed")
    locker = Locker.objects.create(hall=centre["A"], number=2)
    start = timezone.now() - timedelta(days=8)
    pickup = services.do_deposit_pickup(clerk, finished, locker, now=start)
    assert services.do_sweep_lockers(now=start + timedelta(days=5, hours=1)) == {
        "reminded": 1,
        "expired": 0,
    }
    with pytest.raises(services.HallError) as exc:
        services.do_collect_pickup(pickup.code, VALID_OLD, now=start + timedelta(days=7, hours=1))
    assert exc.value.code == "expired"
    assert services.do_sweep_lockers() == {"reminded": 0, "expired": 1}
    assert Pickup.objects.get().status == "expired"


def test_lockers_page(client: Any, centre: dict[str, Any], users: Any, finished: Any) -> None:
    services.do_set_case_status(Actor(users["window_clerk"], "t"), finished, "completed")
    locker = Locker.objects.create(hall=centre["A"], number=3)
    client.force_login(users["committee_staff"])
    assert client.get(reverse("hall:lockers")).status_code == 403
    client.force_login(users["window_clerk"])
    response = client.post(reverse("hall:lockers"), {"case": finished.number, "locker": locker.pk})
    assert response.status_code == 302
    page = client.get(reverse("hall:lockers")).content.decode()
    assert finished.number in page and "取件码" in page
