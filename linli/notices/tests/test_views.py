"""The bell, the inbox (own notices only), the delivery log and the opt-out page, by role."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.core.models import AuditRecord
from linli.notices import services
from linli.notices.models import Notice, OptOut

from .conftest import PHONE

pytestmark = pytest.mark.django_db

ROLES = ["street_admin", "street_staff", "committee_staff", "inspector", "window_clerk",
         "backoffice_clerk", "partner", "auditor"]  # fmt: skip


def hazard(user: Any, n: int, url: str = "") -> Notice:
    params = {"hazard": f"隐患{n}", "due": "12月5日"}
    if url:
        params["url"] = url
    [notice] = services.do_send_notice("risk.hazard_due", params, key=f"hz:{n}", user=user)
    return notice


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_its_own_inbox_and_only_the_admin_the_log(login: Any, role: str) -> None:
    client = login(role)
    assert client.get("/notices/").status_code == 200
    assert client.get("/notices/log/").status_code == (200 if role == "street_admin" else 403)
    optout = role in {"street_admin", "street_staff", "committee_staff", "window_clerk"}
    assert client.get("/notices/opt-outs/").status_code == (200 if optout else 403)


def test_anonymous_is_sent_to_login(client: Any, users: Any) -> None:
    assert client.get("/notices/").status_code == 302
    assert "bell" not in client.get("/login/").content.decode()


def test_the_bell_counts_unread_notices(login: Any, users: Any) -> None:
    me = users["committee_staff"]
    client = login("committee_staff")
    assert 'class="bell-count"' not in client.get("/notices/").content.decode()
    for n in range(3):
        hazard(me, n)
    hazard(users["partner"], 9)
    page = client.get("/places/committees/").content.decode()
    assert '<span class="bell-count">3</span>' in page


def test_the_inbox_shows_own_notices_unread_first(login: Any, users: Any) -> None:
    me = users["committee_staff"]
    old = hazard(me, 1)
    hazard(me, 2)
    hazard(users["partner"], 3)
    services.do_mark_read(me, old.pk)
    hazard(me, 4)
    page = login("committee_staff").get("/notices/").content.decode()
    assert "隐患3" not in page
    assert page.index("隐患4") < page.index("隐患2") < page.index("隐患1")
    assert page.count('unread-badge">未读</span>') == 2
    assert '<span class="bell-count">2</span>' in page


def test_open_marks_read_and_follows_the_link(login: Any, users: Any) -> None:
    me = users["committee_staff"]
    notice = hazard(me, 1, url="/risk/cases/7/")
    client = login("committee_staff")
    response = client.post(f"/notices/{notice.pk}/open/", {"go": "1"})
    assert response.status_code == 302 and response["Location"] == "/risk/cases/7/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    plain = hazard(me, 2)
    response = client.post(f"/notices/{plain.pk}/open/")
    assert response["Location"] == "/notices/"


def test_nobody_marks_anothers_notice(login: Any, users: Any) -> None:
    theirs = hazard(users["partner"], 1)
    client = login("committee_staff")
    assert client.post(f"/notices/{theirs.pk}/open/").status_code == 404
    assert client.get(f"/notices/{theirs.pk}/open/").status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(login: Any, users: Any) -> None:
    me = users["committee_staff"]
    for n in range(3):
        hazard(me, n)
    theirs = hazard(users["partner"], 9)
    response = login("committee_staff").post("/notices/read-all/", follow=True)
    assert "已将 3 条通知标为已读" in response.content.decode()
    assert not Notice.objects.filter(user=me, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


SMS_ROW = '<code class="muted">hall.pickup_ready</code>'
INBOX_ROW = '<code class="muted">risk.hazard_due</code>'


def test_the_log_shows_masked_recipients_and_filters(login: Any, users: Any, outbox: Any) -> None:
    [sms] = services.do_send_notice(
        "hall.pickup_ready", {"code": "483920", "locker": "12"}, key="p1", phone=PHONE
    )
    services.do_deliver_notice(sms.pk)
    hazard(users["committee_staff"], 1)
    client = login("street_admin")
    page = client.get("/notices/log/").content.decode()
    assert "139****5678" in page and PHONE not in page
    assert "483920" not in page  # residents' texts stay out of the log
    assert SMS_ROW in page and INBOX_ROW in page
    only_sms = client.get("/notices/log/?channel=sms").content.decode()
    assert SMS_ROW in only_sms and INBOX_ROW not in only_sms
    queued = client.get("/notices/log/?state=queued").content.decode()
    assert SMS_ROW not in queued and INBOX_ROW not in queued
    by_kind = client.get("/notices/log/?kind=risk.hazard_due").content.decode()
    assert INBOX_ROW in by_kind and SMS_ROW not in by_kind


def test_recording_and_withdrawing_an_opt_out(login: Any, users: Any) -> None:
    client = login("window_clerk")
    response = client.post("/notices/opt-outs/", {"phone": "13912", "note": ""})
    assert response.status_code == 200 and "请输入 11 位手机号" in response.content.decode()
    assert OptOut.objects.count() == 0
    response = client.post("/notices/opt-outs/", {"phone": PHONE, "note": "本人申请"}, follow=True)
    page = response.content.decode()
    assert "已登记：139****5678" in page and PHONE not in page
    opt_out = OptOut.objects.get()
    assert opt_out.recorded_by == users["window_clerk"]
    assert AuditRecord.objects.filter(action="notices.optout.create").count() == 1
    # A one-street installation's office sees what its clerks (no street of their own) record.
    assert "139****5678" in login("street_admin").get("/notices/opt-outs/").content.decode()
    client = login("window_clerk")
    response = client.post(f"/notices/opt-outs/{opt_out.pk}/withdraw/", follow=True)
    assert "已撤销：139****5678" in response.content.decode()
    assert OptOut.objects.count() == 0


def test_committee_staff_see_their_committees_opt_outs(login: Any, users: Any) -> None:
    from linli.core.context import Actor

    services.do_record_opt_out(Actor(users["committee_staff_2"]), "13812345678")
    client = login("committee_staff")
    assert "138****5678" not in client.get("/notices/opt-outs/").content.decode()
    other = OptOut.objects.get()
    assert client.post(f"/notices/opt-outs/{other.pk}/withdraw/").status_code == 404
    assert "138****5678" in login("street_admin").get("/notices/opt-outs/").content.decode()


def test_constant_query_counts(login: Any, users: Any, outbox: Any) -> None:
    me = users["street_admin"]
    urls = ["/notices/", "/notices/log/", "/notices/opt-outs/"]
    client = login("street_admin")
    from linli.core.context import Actor

    def grow(start: int, count: int) -> None:
        for n in range(start, start + count):
            hazard(me, n, url=f"/risk/cases/{n}/")
            hazard(users["committee_staff"], n)
            services.do_send_notice(
                "hall.case_done", {"item": "x", "case": f"C{n}"}, key=f"c{n}", phone=f"139{n:08d}"
            )
            services.do_record_opt_out(Actor(users["window_clerk"]), f"138{n:08d}")

    def counts() -> dict[str, int]:
        out = {}
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out[url] = len(ctx.captured_queries)
        return out

    grow(0, 2)
    small = counts()
    grow(2, 20)
    assert counts() == small


def test_the_django_admin_offers_no_notices(client: Any, outbox: Any) -> None:
    """The delivery log is Linli's own page (masked, for ``notices.log``); the Django admin,
    which only the system and security administrators open, has no notice pages."""
    from linli.core.models import User

    services.do_send_notice(
        "hall.case_done", {"item": "居住证", "case": "C1"}, key="c1", phone=PHONE
    )
    sysadmin = User.objects.create_user(
        "sys1", password="pw-for-tests-123", role="system_admin", is_staff=True
    )
    client.force_login(sysadmin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/notices/notice/").status_code == 404
    assert "notices" not in client.get("/admin/").content.decode()
