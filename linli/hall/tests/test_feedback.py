"""What a clerk and the back office see after each action, and the case page (issue #15)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from linli.core.context import Actor
from linli.hall import services
from linli.hall.models import Case, Rating, Ticket, TicketEvent

from .conftest import VALID_OLD

pytestmark = pytest.mark.django_db


def _said(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _serving(centre: dict[str, Any], users: Any) -> Ticket:
    clerk = Actor(users["window_clerk"], "test")
    ticket = services.do_issue_ticket(centre["qa"], VALID_OLD)
    services.do_call_next_ticket(clerk, centre["w1"])
    return services.do_start_ticket(clerk, ticket)


def test_every_window_action_says_what_happened(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    ticket = _serving(centre, users)
    client.force_login(users["window_clerk"])
    finish = reverse("hall:window_finish", args=[1])
    done = client.post(finish, {"ticket": ticket.pk})
    assert _said(done) == ["A001 已办结，可以叫下一位。"]
    page = client.get(reverse("hall:window", args=[1])).content.decode()
    assert finish not in page  # the button has done its job
    second = _serving(centre, users)
    up = client.post(
        reverse("hall:window_escalate", args=[1]), {"ticket": second.pk, "reason": "材料需核验"}
    )
    assert _said(up)[0].startswith("A002 已转中台")


def test_back_office_sees_case_materials_and_note_and_can_finish(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    clerk = Actor(users["window_clerk"], "test")
    ticket = _serving(centre, users)
    case = services.do_open_case(clerk, centre["item"], ticket=ticket)
    services.do_escalate_ticket(clerk, ticket, "户籍信息与系统不一致")
    client.force_login(users["backoffice_clerk"])
    page = client.get(reverse("hall:backoffice")).content.decode()
    assert "户籍信息与系统不一致" in page  # the clerk's note
    assert case.number in page and reverse("hall:case", args=[case.number]) in page
    assert "社会保障卡申领" in page and "居民身份证" in page  # the item and its materials
    done = client.post(reverse("hall:backoffice_finish"), {"ticket": ticket.pk, "note": "已核验"})
    assert _said(done) == ["A001 已由中台办结，居民无需再到窗口。"]
    ticket.refresh_from_db()
    assert ticket.state == "done" and ticket.backoffice_note == "已核验"
    assert TicketEvent.objects.filter(ticket=ticket, action="finish").count() == 1
    assert "没有待处理的转办号" in client.get(reverse("hall:backoffice")).content.decode()


def test_back_office_returns_to_the_window_with_a_note(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    clerk = Actor(users["window_clerk"], "test")
    ticket = _serving(centre, users)
    services.do_escalate_ticket(clerk, ticket, "需要核验")
    client.force_login(users["backoffice_clerk"])
    # finishing without a note is refused, naming what is missing
    refused = client.post(reverse("hall:backoffice_finish"), {"ticket": ticket.pk})
    assert _said(refused) == ["请填写办结说明。"]
    back = client.post(reverse("hall:backoffice_return"), {"ticket": ticket.pk, "note": "可办"})
    assert _said(back)[-1:] == ["A001 已退回 1号窗口，连同处理意见，将优先叫号。"]
    ticket.refresh_from_db()
    assert ticket.state == "returned" and ticket.backoffice_note == "可办"


def test_case_page_shows_item_materials_and_ticket(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    clerk = Actor(users["window_clerk"], "test")
    ticket = _serving(centre, users)
    case = services.do_open_case(clerk, centre["item"], ticket=ticket)
    client.force_login(users["backoffice_clerk"])
    # Never escalated: not the back office's case (it reads only what reached it).
    assert client.get(reverse("hall:case", args=[case.number])).status_code == 404
    client.force_login(users["window_clerk"])  # the clerk who accepted it
    listing = client.get(reverse("hall:cases")).content.decode()
    assert f'href="{reverse("hall:case", args=[case.number])}"' in listing
    page = client.get(reverse("hall:case", args=[case.number])).content.decode()
    assert "社会保障卡申领" in page and "居民身份证" in page and "A001" in page
    changed = client.post(reverse("hall:case", args=[case.number]), {"status": "completed"})
    assert _said(changed) == [f"办件 {case.number} 已改为“办结”。"]
    assert Case.objects.get().status == "completed"
    client.force_login(users["inspector"])
    assert client.get(reverse("hall:case", args=[case.number])).status_code == 403


def test_a_rating_names_the_item_of_the_case_opened_for_the_ticket(
    centre: dict[str, Any], users: Any
) -> None:
    clerk = Actor(users["window_clerk"], "test")
    ticket = _serving(centre, users)
    assert ticket.item_id is None
    services.do_open_case(clerk, centre["item"], ticket=ticket)
    services.do_finish_ticket(clerk, ticket)
    rating = services.do_rate_ticket(Ticket.objects.get(pk=ticket.pk), 5)
    assert Rating.objects.get(pk=rating.pk).item == centre["item"]
