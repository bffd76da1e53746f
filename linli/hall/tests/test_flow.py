"""Ticketing, calling, back office, cases and ratings, as a resident and a clerk see them."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from linli.core import workcalendar
from linli.core.context import Actor
from linli.core.models import AuditRecord
from linli.hall import queries, services
from linli.hall.models import Case, Rating, Ticket, TicketEvent

from .conftest import VALID_OLD, VALID_YOUNG

pytestmark = pytest.mark.django_db


def _actor(user: Any) -> Actor:
    return Actor(user, "test")


def test_numbers_per_queue_per_day(centre: dict[str, Any]) -> None:
    now = timezone.now()
    a1 = services.do_issue_ticket(centre["qa"], now=now)
    a2 = services.do_issue_ticket(centre["qa"], now=now)
    b1 = services.do_issue_ticket(centre["qb"], now=now)
    tomorrow = services.do_issue_ticket(centre["qa"], now=now + timedelta(days=1))
    assert [a1.number, a2.number, b1.number, tomorrow.number] == ["A001", "A002", "B001", "A001"]


def test_id_swipe_keeps_only_hash_and_age_band(centre: dict[str, Any]) -> None:
    ticket = services.do_issue_ticket(centre["qa"], VALID_OLD.lower())
    assert ticket.source == "id_card"
    assert ticket.priority == "green"  # born 1949
    assert ticket.age_band.endswith("-" + ticket.age_band.split("-")[0][:-1] + "9")
    assert len(ticket.id_hash) == 64
    stored = " ".join(str(v) for v in Ticket.objects.filter(pk=ticket.pk).values().get().values())
    assert VALID_OLD not in stored and VALID_OLD[:14] not in stored
    young = services.do_issue_ticket(centre["qa"], VALID_YOUNG)
    assert young.priority == "normal"


def test_bad_id_is_refused(centre: dict[str, Any]) -> None:
    with pytest.raises(services.HallError) as exc:
        services.do_issue_ticket(centre["qa"], "110105194912310021")
    assert exc.value.code == "bad_id"
    assert not Ticket.objects.exists()


def test_kiosk_issues_and_slip_shows_no_personal_data(client: Any, centre: dict[str, Any]) -> None:
    url = reverse("hall:kiosk", args=["A"])
    assert client.get(url).status_code == 200  # public
    response = client.post(url, {"queue": centre["qa"].pk, "id_number": VALID_OLD})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/t/{ticket.token}/slip/")
    slip = client.get(response["Location"]).content.decode()
    assert "A001" in slip and "前面还有 0 人" in slip and "<svg" in slip
    assert VALID_OLD not in slip and VALID_OLD[6:14] not in slip
    status = client.get(reverse("hall:status", args=[ticket.token])).content.decode()
    assert "A001" in status and "等候中" in status
    bad = client.post(url, {"queue": centre["qa"].pk, "id_number": "123"})
    assert bad.status_code == 400 and "身份证号码无效" in bad.content.decode()
    anonymous = client.post(url, {"queue": centre["qa"].pk, "id_number": ""})
    assert anonymous.status_code == 302
    assert Ticket.objects.get(number="A002").source == "anonymous"


def test_slip_estimates_people_ahead_and_wait(centre: dict[str, Any]) -> None:
    for _ in range(3):
        services.do_issue_ticket(centre["qa"])
    last = services.do_issue_ticket(centre["qa"])
    position = queries.position(last)
    assert position is not None and position.ahead == 3
    # window 1 has a clerk and takes queue A: (3 + 1) × 8 min / 1 window
    assert position.wait_minutes == pytest.approx(32)


def test_window_flow_call_start_finish_is_audited(centre: dict[str, Any], users: Any) -> None:
    clerk = _actor(users["window_clerk"])
    t1 = services.do_issue_ticket(centre["qa"])
    called = services.do_call_next_ticket(clerk, centre["w1"])
    assert called is not None and called.pk == t1.pk and called.state == "called"
    assert called.window_id == centre["w1"].pk and called.first_called_at is not None
    services.do_recall_ticket(clerk, called)
    services.do_start_ticket(clerk, called)
    services.do_finish_ticket(clerk, called)
    called.refresh_from_db()
    assert called.state == "done" and called.started_at and called.ended_at and called.recalls == 1
    actions = list(TicketEvent.objects.filter(ticket=t1).values_list("action", flat=True))
    assert actions == ["call", "recall", "start", "finish"]
    audited = set(AuditRecord.objects.filter(object_id=str(t1.pk)).values_list("action", flat=True))
    assert {
        "hall.ticket.call",
        "hall.ticket.recall",
        "hall.ticket.start",
        "hall.ticket.finish",
    } <= audited


def test_call_next_respects_skills_and_green_lane(centre: dict[str, Any], users: Any) -> None:
    clerk = _actor(users["window_clerk"])
    now = timezone.now()
    services.do_issue_ticket(centre["qb"], now=now - timedelta(minutes=30))  # B: window 1 lacks it
    normal = services.do_issue_ticket(centre["qa"], now=now - timedelta(minutes=5))
    green = services.do_issue_ticket(centre["qa"], VALID_OLD, now=now - timedelta(minutes=1))
    called = services.do_call_next_ticket(clerk, centre["w1"], now=now)
    assert called is not None and called.pk == green.pk  # 10-minute credit beats 4 minutes
    services.do_start_ticket(clerk, called, now=now)
    services.do_finish_ticket(clerk, called, now=now)
    again = services.do_call_next_ticket(clerk, centre["w1"], now=now)
    assert again is not None and again.pk == normal.pk
    services.do_start_ticket(clerk, again)
    services.do_finish_ticket(clerk, again)
    assert services.do_call_next_ticket(clerk, centre["w1"]) is None  # only a B ticket is left


def test_clerk_must_be_on_duty_and_one_ticket_at_a_time(centre: dict[str, Any], users: Any) -> None:
    services.do_issue_ticket(centre["qa"])
    services.do_issue_ticket(centre["qa"])
    clerk = _actor(users["window_clerk"])
    with pytest.raises(services.HallError):
        services.do_call_next_ticket(clerk, centre["w2"])  # not signed on at window 2
    services.do_call_next_ticket(clerk, centre["w1"])
    with pytest.raises(services.HallError) as exc:
        services.do_call_next_ticket(clerk, centre["w1"])
    assert exc.value.code == "busy"
    with pytest.raises(PermissionDenied):
        services.do_call_next_ticket(_actor(users["backoffice_clerk"]), centre["w1"])


def test_no_show_and_requeue_three_places_back(centre: dict[str, Any], users: Any) -> None:
    clerk = _actor(users["window_clerk"])
    now = timezone.now()
    first = services.do_issue_ticket(centre["qa"], now=now - timedelta(minutes=20))
    others = [
        services.do_issue_ticket(centre["qa"], now=now - timedelta(minutes=10 - i))
        for i in range(5)
    ]
    called = services.do_call_next_ticket(clerk, centre["w1"], now=now)
    assert called is not None and called.pk == first.pk
    services.do_recall_ticket(clerk, called)
    services.do_recall_ticket(clerk, called)
    with pytest.raises(services.HallError) as exc:
        services.do_recall_ticket(clerk, called)
    assert exc.value.code == "recall_limit"
    services.do_mark_no_show(clerk, called)
    services.do_requeue_ticket(clerk, called, now=now)
    order = []
    for _ in range(5):
        t = services.do_call_next_ticket(clerk, centre["w1"], now=now)
        assert t is not None
        order.append(t.pk)
        services.do_start_ticket(clerk, t, now=now)
        services.do_finish_ticket(clerk, t, now=now)
    assert order == [others[0].pk, others[1].pk, others[2].pk, first.pk, others[3].pk]


def test_transfer_keeps_number_and_history(centre: dict[str, Any], users: Any) -> None:
    clerk = _actor(users["window_clerk"])
    ticket = services.do_issue_ticket(centre["qa"])
    services.do_call_next_ticket(clerk, centre["w1"])
    services.do_start_ticket(clerk, ticket)
    child = services.do_transfer_ticket(clerk, ticket, centre["qb"], "户籍问题")
    assert child.number == "A001" and child.parent_id == ticket.pk and child.queue == centre["qb"]
    assert child.issued_at == ticket.issued_at and child.state == "waiting"
    ticket.refresh_from_db()
    assert ticket.state == "transferred"


def test_escalate_to_back_office_and_return_first(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    clerk = _actor(users["window_clerk"])
    hard = services.do_issue_ticket(centre["qa"])
    services.do_call_next_ticket(clerk, centre["w1"])
    services.do_start_ticket(clerk, hard)
    with pytest.raises(services.HallError):
        services.do_escalate_ticket(clerk, hard, "  ")
    services.do_escalate_ticket(clerk, hard, "材料需中台核对")
    later = services.do_issue_ticket(centre["qa"])
    client.force_login(users["backoffice_clerk"])
    page = client.get(reverse("hall:backoffice")).content.decode()
    assert "A001" in page and "材料需中台核对" in page
    client.post(reverse("hall:backoffice_return"), {"ticket": hard.pk, "note": "已核对"})
    hard.refresh_from_db()
    assert hard.state == "returned" and hard.number == "A001"
    again = services.do_call_next_ticket(clerk, centre["w1"])
    assert again is not None and again.pk == hard.pk  # back-office returns come first
    assert later.state == "waiting"
    assert AuditRecord.objects.filter(action="hall.ticket.return", object_id=str(hard.pk)).exists()


def test_supervisor_call_by_number_is_audited(centre: dict[str, Any], users: Any) -> None:
    services.do_issue_ticket(centre["qa"])
    second = services.do_issue_ticket(centre["qa"])
    supervisor = users["street_admin"]
    with pytest.raises(PermissionDenied):
        services.do_call_ticket_by_number(_actor(users["window_clerk"]), centre["w2"], "A002")
    called = services.do_call_ticket_by_number(_actor(supervisor), centre["w2"], "a002")
    assert called.pk == second.pk and called.state == "called"
    record = AuditRecord.objects.get(action="hall.ticket.call_by_number")
    assert record.actor == supervisor and record.details["number"] == "A002"


def test_case_deadline_counts_working_days_and_holidays(centre: dict[str, Any], users: Any) -> None:
    clerk = _actor(users["window_clerk"])
    workcalendar.sync_from_package(Actor.system("test"))  # the street calendar (core)
    ticket = services.do_issue_ticket(centre["qa"])
    services.do_call_next_ticket(clerk, centre["w1"])
    services.do_start_ticket(clerk, ticket)
    case = services.do_open_case(
        clerk, centre["item"], ticket=ticket, citywide=True, today=date(2026, 9, 30)
    )
    # 10 working days after Wed 30 Sep: National Day 1–7 Oct off, the 调休 Saturday 10 Oct
    # counts, Sunday 11 Oct does not: 8, 9, 10, 12, 13, 14, 15, 16, 19, 20 Oct.
    assert case.due_on == date(2026, 10, 20)
    assert case.citywide and case.number == "202609300001"
    assert not queries.overdue_cases(date(2026, 10, 20)).filter(pk=case.pk).exists()
    assert queries.overdue_cases(date(2026, 10, 21)).filter(pk=case.pk).exists()
    services.do_set_case_status(clerk, case, "completed", today=date(2026, 10, 19))
    assert not queries.overdue_cases(date(2026, 10, 21)).exists()
    assert AuditRecord.objects.filter(action="hall.case.open").exists()


def test_rating_once_and_bad_rating_opens_follow_up(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    clerk = _actor(users["window_clerk"])
    ticket = services.do_issue_ticket(centre["qa"], item=centre["item"])
    url = reverse("hall:rate", args=[ticket.token])
    client.post(url, {"stars": 2})
    assert not Rating.objects.exists()  # not done yet
    services.do_call_next_ticket(clerk, centre["w1"])
    services.do_start_ticket(clerk, ticket)
    services.do_finish_ticket(clerk, ticket)
    client.post(url, {"stars": 2, "comment": "等太久"})
    rating = Rating.objects.get()
    assert rating.window == centre["w1"] and rating.clerk == users["window_clerk"]
    assert rating.item == centre["item"] and rating.follow_up_due is not None
    client.post(url, {"stars": 5})
    assert Rating.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.do_close_follow_up(clerk, rating, "回访")
    services.do_close_follow_up(_actor(users["street_admin"]), rating, "已回访")
    rating.refresh_from_db()
    assert rating.follow_up_done_at is not None


def test_window_page_actions_and_waiting_list_without_personal_data(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    services.do_issue_ticket(centre["qa"], VALID_OLD)
    client.force_login(users["window_clerk"])
    url = reverse("hall:window", args=[1])
    page = client.get(url).content.decode()
    assert "A001" in page and VALID_OLD not in page and "绿色通道" in page
    client.post(reverse("hall:window_call", args=[1]))
    ticket = Ticket.objects.get()
    assert ticket.state == "called"
    client.post(reverse("hall:window_start", args=[1]), {"ticket": ticket.pk})
    client.post(
        reverse("hall:window_open_case", args=[1]), {"ticket": ticket.pk, "item": centre["item"].pk}
    )
    assert Case.objects.filter(ticket=ticket).exists()
    client.post(reverse("hall:window_finish", args=[1]), {"ticket": ticket.pk})
    ticket.refresh_from_db()
    assert ticket.state == "done"


def test_board_json_is_public_and_has_voice(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    clerk = _actor(users["window_clerk"])
    services.do_issue_ticket(centre["qa"], VALID_OLD)
    services.do_issue_ticket(centre["qa"])
    services.do_call_next_ticket(clerk, centre["w1"])
    data = client.get(reverse("hall:board_data", args=["A"])).json()
    assert data["windows"][0] == {"number": 1, "open": True, "ticket": "A001", "state": "called"}
    assert data["calls"][0]["number"] == "A001" and data["calls"][0]["window"] == 1
    assert data["calls"][0]["voice"] == [
        "qing",
        "lA",
        "d0",
        "d0",
        "d1",
        "hao",
        "dao",
        "d1",
        "hao",
        "chuangkou",
    ]
    assert data["waiting_total"] == 1
    assert VALID_OLD not in str(data)
    page = client.get(reverse("hall:board", args=["A"])).content.decode()
    assert "board.js" in page and "A001" in page


def test_index_reports_a_board_that_stopped_refreshing(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    from linli.hall.models import Hall

    client.force_login(users["street_admin"])
    assert "未在线" in client.get(reverse("hall:index")).content.decode()
    client.get(reverse("hall:board_data", args=["A"]))
    page = client.get(reverse("hall:index")).content.decode()
    assert "正常刷新" in page
    Hall.objects.filter(code="A").update(board_seen_at=timezone.now() - timedelta(minutes=2))
    assert "秒未刷新" in client.get(reverse("hall:index")).content.decode()


def test_terminal_consult_and_case_query(client: Any, centre: dict[str, Any], users: Any) -> None:
    assert client.get(reverse("hall:terminal")).status_code == 200
    page = client.get(reverse("hall:terminal_consult"), {"q": "sbk"}).content.decode()
    assert "社会保障卡申领" in page
    item = client.get(reverse("hall:terminal_item", args=["SB002"])).content.decode()
    assert "居民身份证" in item and "10 个工作日办结" in item
    clerk = _actor(users["window_clerk"])
    ticket = services.do_issue_ticket(centre["qa"], VALID_OLD)
    services.do_call_next_ticket(clerk, centre["w1"])
    services.do_start_ticket(clerk, ticket)
    case = services.do_open_case(clerk, centre["item"], ticket=ticket)
    url = reverse("hall:terminal_query")
    found = client.post(url, {"number": case.number, "id_number": VALID_OLD})
    assert found.status_code == 200 and "受理" in found.content.decode()
    assert str(case.due_on.year) in found.content.decode()
    wrong = client.post(url, {"number": case.number, "id_number": VALID_YOUNG})
    assert wrong.status_code == 404 and "未找到办件" in wrong.content.decode()
    # Guessing the applicant's number for that case stops after 5 tries from one address,
    # the right number included, while other cases can still be looked up.
    for _ in range(4):
        assert (
            client.post(url, {"number": case.number, "id_number": VALID_YOUNG}).status_code == 404
        )
    locked = client.post(url, {"number": case.number, "id_number": VALID_OLD})
    assert locked.status_code == 429 and "查询次数过多" in locked.content.decode()
    assert client.post(url, {"number": "X-1", "id_number": VALID_OLD}).status_code == 404


def test_kiosk_json_endpoint_needs_csrf_and_issues(centre: dict[str, Any]) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    url = reverse("hall:kiosk_ticket", args=["A"])
    assert client.post(url, {"queue": "A"}).status_code == 403  # no CSRF token
    client.get(reverse("hall:kiosk", args=["A"]))
    token = client.cookies["csrftoken"].value
    ok = client.post(url, {"queue": "A", "id_number": VALID_OLD}, HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 201 and ok.json()["number"] == "A001"
    assert ok.json()["priority"] == "green" and VALID_OLD not in ok.content.decode()
    bad = client.post(url, {"queue": "A", "id_number": "1"}, HTTP_X_CSRFTOKEN=token)
    assert bad.status_code == 400 and bad.json()["code"] == "bad_id"
    assert client.post(url, {"queue": "Z"}, HTTP_X_CSRFTOKEN=token).status_code == 404


def test_terminal_apply_opens_a_case_for_self_service_items(
    client: Any, centre: dict[str, Any]
) -> None:
    url = reverse("hall:terminal_apply")
    assert (
        client.post(url, {"item": "SB002", "id_number": VALID_OLD, "confirm": "1"}).status_code
        == 200
    )
    assert not Case.objects.exists()  # SB002 is not a self-service item: no form is shown
    centre["item"].channel_self_service = True
    centre["item"].save()
    assert "社会保障卡申领" in client.get(url).content.decode()
    refused = client.post(url, {"item": "SB002", "id_number": VALID_OLD})
    assert refused.status_code == 400
    done = client.post(url, {"item": "SB002", "id_number": VALID_OLD, "confirm": "1"})
    case = Case.objects.get()
    assert case.number in done.content.decode() and case.id_hash == services.id_hash(VALID_OLD)
    assert queries.find_case(case.number, VALID_OLD) == case
    with pytest.raises(services.HallError):
        services.do_open_case(Actor(None, "terminal"), centre["item"])  # no ID


def test_every_voice_clip_is_committed_and_terminal_pages_prompt(
    client: Any, centre: dict[str, Any]
) -> None:
    from linli.hall import voice

    for name in voice.VOCABULARY:
        assert (voice.OUT / f"{name}.wav").stat().st_size > 500, name
    assert voice.announcement("B1000", 12) == [
        "qing", "lB", "d1", "d0", "d0", "d0", "hao", "dao", "shi", "d2", "hao", "chuangkou",
    ]  # fmt: skip
    page = client.get(reverse("hall:terminal_pickup")).content.decode()
    assert 'data-prompt="p_pickup"' in page and "terminal.js" in page


def test_case_rating_from_the_terminal(client: Any, centre: dict[str, Any], users: Any) -> None:
    clerk = _actor(users["window_clerk"])
    ticket = services.do_issue_ticket(centre["qa"], VALID_OLD)
    services.do_call_next_ticket(clerk, centre["w1"])
    services.do_start_ticket(clerk, ticket)
    case = services.do_open_case(clerk, centre["item"], ticket=ticket)
    query = reverse("hall:terminal_query")
    page = client.post(query, {"number": case.number, "id_number": VALID_OLD}).content.decode()
    assert "好差评" not in page  # not finished yet
    services.do_set_case_status(clerk, case, "completed")
    page = client.post(query, {"number": case.number, "id_number": VALID_OLD}).content.decode()
    assert "好差评" in page and VALID_OLD not in page
    token = page.split('name="token" value="')[1].split('"')[0]
    client.post(reverse("hall:terminal_rate"), {"token": token, "stars": 1, "comment": "慢"})
    rating = Rating.objects.get(case=case)
    assert rating.ticket is None and rating.window == centre["w1"] and rating.follow_up_due
    client.post(reverse("hall:terminal_rate"), {"token": token, "stars": 5})
    assert Rating.objects.filter(case=case).count() == 1
    client.post(reverse("hall:terminal_rate"), {"token": "forged", "stars": 5})
    assert Rating.objects.count() == 1


def test_kiosk_config_offers_public_queues_only(centre: dict[str, Any]) -> None:
    from linli.hall.models import Queue

    Queue.objects.create(hall=centre["A"], prefix=services.APPOINTMENT_PREFIX, name="预约")
    config = services.kiosk_config()
    assert set(config.queues) == {("A", "A"), ("B", "B")}  # not the back office, not 预约
    assert config.queues[("A", "A")] == centre["qa"]
    assert config.appointment_halls == {"A"}
    with pytest.raises(services.HallError) as caught:
        services.do_issue_kiosk_ticket("B", "A")  # queue A is hall A's
    assert caught.value.code == "unknown_queue"
    with pytest.raises(services.HallError):
        services.do_issue_kiosk_ticket("A", services.APPOINTMENT_PREFIX)


def _issue_json(client: Any, **data: str) -> Any:
    return client.post(reverse("hall:kiosk_ticket", args=["A"]), {"queue": "A", **data})


def test_kiosk_ticket_reads_nothing_in_the_steady_state(
    client: Any, centre: dict[str, Any]
) -> None:
    """Hall, hours, holidays and queue come from the process's cache: issuing a ticket runs
    one statement that numbers and inserts it, on both databases."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.hall.models import Ticket

    assert _issue_json(client).json()["number"] == "A001"  # loads the configuration
    with CaptureQueriesContext(connection) as captured:
        response = _issue_json(client, id_number=VALID_OLD)
    assert response.status_code == 201 and response.json()["number"] == "A002"
    statements = [
        q["sql"] for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]  # fmt: skip
    assert not [s for s in statements if s.startswith("SELECT")]
    # One statement numbers and stores the ticket, in autocommit (no BEGIN, no COMMIT sent).
    assert len(statements) == 1
    if connection.vendor == "postgresql":
        assert statements[0].startswith("WITH c AS (INSERT INTO")
    else:
        assert statements[0].startswith('INSERT INTO "hall_ticket"') and "MAX" in statements[0]
    stored = Ticket.objects.get(number="A002")
    assert (stored.seq, stored.priority, stored.source) == (2, "green", "id_card")
    assert stored.id_hash == services.id_hash(VALID_OLD) and stored.age_band


def test_a_change_made_in_another_process_reaches_the_kiosk(
    client: Any, centre: dict[str, Any], users: dict[str, Any]
) -> None:
    """Another process changes the hours (and bumps the stored version): this process's cached
    copy is refused by the numbering statement, reloaded, and the hall is closed — no number
    is used up."""
    from django.db import connection

    from linli.hall.models import ConfigVersion, Hall, Ticket

    assert _issue_json(client).status_code == 201
    Hall.objects.filter(pk=centre["A"].pk).update(closes_at=time(9, 30))  # clock: 10:00
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ConfigVersion._meta.db_table} SET n = n + 1")
    response = _issue_json(client)
    assert response.status_code == 409 and response.json()["code"] == "hall_closed"
    assert Ticket.objects.count() == 1
    hall = Hall.objects.get(pk=centre["A"].pk)
    services.do_set_hall_hours(Actor(users["street_admin"]), hall, time(9, 0), time(17, 0))
    assert _issue_json(client).json()["number"] == "A002"


def test_a_holiday_entered_elsewhere_closes_the_kiosk_and_its_removal_opens_it(
    client: Any, centre: dict[str, Any], users: dict[str, Any]
) -> None:
    """The street calendar lives in core with its own stamp: a holiday entered by another
    process reaches the kiosk's cached copy on the next ticket (no number used up), and a day
    turned back into a working day elsewhere opens the kiosk at once (a closed answer is only
    given after the stamps were read)."""
    from django.db import connection

    from linli.core import workcalendar
    from linli.core.models import CalendarDay
    from linli.hall.models import Ticket

    today = date(2026, 11, 25)  # the kiosk's pinned clock (conftest)
    assert _issue_json(client).json()["number"] == "A001"  # the copy is cached

    def elsewhere(sql: str) -> None:  # as another process: the table and the stamp, no cache
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.execute("UPDATE core_calendarversion SET n = n + 1 WHERE id = 1")

    CalendarDay.objects.create(day=today, kind="holiday", name="临时", source="street")
    elsewhere("SELECT 1")
    response = _issue_json(client)
    assert response.status_code == 409 and response.json()["code"] == "hall_closed"
    assert Ticket.objects.count() == 1
    elsewhere(f"DELETE FROM core_calendarday WHERE day = '{today.isoformat()}'")
    assert _issue_json(client).json()["number"] == "A002"
    # and through the street admin's service, in this process
    workcalendar.set_day(Actor(users["street_admin"]), today, "holiday", "临时")
    assert _issue_json(client).status_code == 409
    workcalendar.clear_day(Actor(users["street_admin"]), today)
    assert _issue_json(client).json()["number"] == "A003"


def test_a_new_ticket_enters_only_the_indexes_it_needs() -> None:
    """Every index an issued ticket enters is one more page its commit writes; the other
    lookups (by parent, item, window, clerk, escalated state) are partial indexes that a
    waiting ticket, issued with none of those set, does not enter."""
    from django.db import connection

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Ticket._meta.db_table)
    entered = set()
    for name, info in found.items():
        if (not info["index"] and not info["unique"]) or info["primary_key"]:
            continue
        partial = next((i for i in Ticket._meta.indexes if i.name == name), None)
        if partial is not None and partial.condition is not None:
            continue
        entered.add(tuple(info["columns"]))
    # The number constraint is partial too (parent IS NULL), and a kiosk ticket has no parent.
    assert entered == {("token",), ("queue_id",), ("day", "state"), ("queue_id", "day", "seq")}
