"""One filter definition per list: the page and the API list narrow the same way, and a bad
filter value is a field error (400), never a server error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core.context import Actor
from linli.hall import services
from linli.hall.models import Item

pytestmark = pytest.mark.django_db


def _serve_two(centre: dict[str, Any], users: Any) -> list[Any]:
    """Two served tickets with a case each; the first case completed."""
    clerk = Actor(users["window_clerk"], "t")
    cases = []
    for _n in range(2):
        ticket = services.do_issue_ticket(centre["qa"])
        services.do_call_next_ticket(clerk, centre["w1"])
        services.do_start_ticket(clerk, ticket)
        cases.append(services.do_open_case(clerk, centre["item"], ticket=ticket))
        services.do_finish_ticket(clerk, ticket)
    services.do_set_case_status(clerk, cases[0], "completed")
    return cases


def _api(client: Any, url: str, params: dict[str, str]) -> list[str]:
    body = client.get(url, params).json()
    return sorted(row.get("number") or row.get("code") for row in body["results"])


def _on_page(content: bytes, candidates: list[str]) -> list[str]:
    text = content.decode()
    return sorted(c for c in candidates if re.search(rf"\b{re.escape(c)}\b", text))


def test_case_status_narrows_the_page_and_the_api_alike(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    done, open_ = _serve_two(centre, users)
    client.force_login(users["street_admin"])
    numbers = [done.number, open_.number]
    params = {"status": "completed"}
    page = client.get(reverse("hall:cases"), params)
    assert page.status_code == 200
    assert _on_page(page.content, numbers) == [done.number]
    assert _api(client, "/api/v1/hall/cases/", params) == [done.number]


def test_ticket_state_narrows_the_page_and_the_api_alike(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    _serve_two(centre, users)
    waiting = services.do_issue_ticket(centre["qa"])
    client.force_login(users["street_admin"])
    params = {"state": "waiting", "day": timezone.localdate().isoformat()}
    page = client.get(reverse("hall:tickets"), params)
    assert page.status_code == 200
    assert _on_page(page.content, ["A001", "A002", "A003"]) == [waiting.number]
    assert _api(client, "/api/v1/hall/tickets/", params) == [waiting.number]


def test_item_hall_narrows_the_page_and_the_api_alike(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    Item.objects.create(code="GA001", name="居住证办理", category="公安户政",
                        hall=centre["B"], queue=centre["qb"])  # fmt: skip
    client.force_login(users["street_admin"])
    page = client.get(reverse("hall:items"), {"hall": "B"})
    assert page.status_code == 200
    assert _on_page(page.content, ["SB002", "GA001"]) == ["GA001"]
    assert _api(client, "/api/v1/hall/items/", {"hall": "B"}) == ["GA001"]
    assert _api(client, "/api/v1/hall/items/", {"channel": "citywide"}) == ["SB002"]


def test_bad_ratings_filter_keeps_the_bad_ones(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    clerk = Actor(users["window_clerk"], "t")
    for stars in (1, 5):
        ticket = services.do_issue_ticket(centre["qa"], item=centre["item"])
        services.do_call_next_ticket(clerk, centre["w1"])
        services.do_start_ticket(clerk, ticket)
        services.do_finish_ticket(clerk, ticket)
        services.do_rate_ticket(ticket, stars, comment=f"评价{stars}星")
    client.force_login(users["street_admin"])
    bad = client.get(reverse("hall:ratings"), {"bad": "1"}).content.decode()
    assert "评价1星" in bad and "评价5星" not in bad
    every = client.get(reverse("hall:ratings")).content.decode()
    assert "评价1星" in every and "评价5星" in every


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/hall/cases/", {"due_on": "tomorrow"}, "due_on"),
        ("/api/v1/hall/cases/", {"status": "lost"}, "status"),
        ("/api/v1/hall/tickets/", {"day": "2026-13-40"}, "day"),
        ("/api/v1/hall/tickets/", {"queue": "ZZ"}, "queue"),
        ("/api/v1/hall/items/", {"hall": "Q"}, "hall"),
        ("/api/v1/hall/items/", {"channel": "fax"}, "channel"),
    ],
)
def test_bad_api_filter_names_the_field(
    client: Any, centre: dict[str, Any], users: Any, url: str, params: dict[str, str], field: str
) -> None:
    client.force_login(users["street_admin"])
    response = client.get(url, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]


@pytest.mark.parametrize(
    ("name", "params", "label"),
    [
        ("hall:cases", {"status": "lost"}, "状态"),
        ("hall:tickets", {"day": "not-a-day"}, "日期"),
        ("hall:tickets", {"queue": "ZZ"}, "队列"),
        ("hall:items", {"hall": "Q"}, "大厅"),
        ("hall:case_export", {"status": "lost"}, "状态"),
        ("hall:ticket_export", {"window": "x"}, "窗口"),
        ("hall:item_export", {"channel": "fax"}, "办理渠道"),
    ],
)
def test_bad_page_filter_answers_400_naming_the_field(
    client: Any, centre: dict[str, Any], users: Any, name: str, params: dict[str, str], label: str
) -> None:
    client.force_login(users["street_admin"])
    response = client.get(reverse(name), params)
    assert response.status_code == 400
    assert f"{label}：" in response.content.decode()


def test_all_days_lists_escalations_left_open_from_an_earlier_day(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    """The operations screen's back-office figure opens this list: an escalation still open
    from yesterday must be on it, with its date."""
    from datetime import timedelta

    from linli.hall.models import Ticket

    old, new = services.do_issue_ticket(centre["qa"]), services.do_issue_ticket(centre["qa"])
    yesterday = timezone.localdate() - timedelta(days=1)
    Ticket.objects.filter(pk__in=[old.pk, new.pk]).update(state="escalated")
    Ticket.objects.filter(pk=old.pk).update(day=yesterday)
    client.force_login(users["street_admin"])
    today = client.get(reverse("hall:tickets"), {"state": "escalated"}).content
    assert _on_page(today, [old.number, new.number]) == [new.number]
    every = client.get(reverse("hall:tickets"), {"state": "escalated", "all_days": "1"})
    assert every.status_code == 200
    assert f"{yesterday:%Y-%m-%d}" in every.content.decode()
    assert sorted(t.number for t in every.context["page"]) == sorted([old.number, new.number])
