"""The volunteer's own phone page: personal code + phone tail, throttled like lift owners;
shifts, self check-in/out at the place, reported hours, corrections, stars, certificates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linli.community import services
from linli.community.models import Correction, HourRecord, Volunteer
from linli.core.models import AuditRecord

PHONE = "13900000008"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


@pytest.fixture
def vol(net: dict[str, Any], street: dict[str, Any]) -> dict[str, Any]:
    v = services.do_register_volunteer(
        net["actor"], net["team"], "陈志愿", PHONE, "11010519491231002X", street["c1"].pk
    )
    code = services.do_issue_volunteer_code(net["actor"], v)
    now = timezone.now()
    shift = services.do_create_shift(
        net["actor"], net["team"], "音乐导览", now - timedelta(minutes=30), now + timedelta(hours=2)
    )
    return {"v": v, "code": code, "shift": shift}


def login(client: Client, code: str, tail: str = "0008", **extra: Any) -> Any:
    return client.post(reverse("community:me_login"), {"code": code, "tail": tail, **extra})


def test_code_is_shown_once_and_only_its_hash_kept(
    client: Client, net: dict[str, Any], vol: dict[str, Any]
) -> None:
    v: Volunteer = vol["v"]
    v.refresh_from_db()
    assert v.code_hash and vol["code"] not in v.code_hash
    client.force_login(net["dangqun"])
    page = client.post(reverse("community:volunteer_code", args=[v.pk]))
    text = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    new_code = text.split('id="volunteer-code">')[1].split("<")[0]
    assert new_code != vol["code"]
    client.logout()
    assert "个人码或手机号后四位不正确" in login(client, vol["code"]).content.decode()  # old code
    assert login(client, new_code.lower().replace("-", "")).status_code == 302


def test_committee_staff_cannot_issue_codes_for_another_committee(
    client: Client, users: dict[str, Any], vol: dict[str, Any]
) -> None:
    client.force_login(users["committee_staff_2"])
    assert client.post(reverse("community:volunteer_code", args=[vol["v"].pk])).status_code == 404
    client.force_login(users["street_staff"])  # reads volunteers, may not hand out codes
    assert client.post(reverse("community:volunteer_code", args=[vol["v"].pk])).status_code == 403


def test_login_then_home_shows_shift_hours_and_masked_phone(
    client: Client, vol: dict[str, Any]
) -> None:
    assert client.get(reverse("community:me")).status_code == 302
    response = login(client, vol["code"])
    assert response.status_code == 302 and response["Location"] == reverse("community:me")
    page = client.get(reverse("community:me"))
    text = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert "陈志愿" in text and "139****0008" in text and PHONE not in text
    assert "音乐导览" in text and "11010519491231002X" not in text


def test_wrong_tail_locks_that_code_from_that_address_only(
    client: Client, vol: dict[str, Any]
) -> None:
    for _ in range(services.VOLUNTEER_LOCK_AFTER):
        assert login(client, vol["code"], "1234").status_code == 200
    locked = login(client, vol["code"])  # even the right tail, from this address
    assert locked.status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    assert login(elsewhere, vol["code"]).status_code == 302
    outcomes = set(
        AuditRecord.objects.filter(action="community.volunteer.login").values_list(
            "outcome", flat=True
        )
    )
    assert outcomes == {"ok", "denied"}


def test_unknown_codes_are_throttled_per_address(client: Client, vol: dict[str, Any]) -> None:
    from linli.community.views import VOLUNTEER_IP_LIMIT

    for n in range(VOLUNTEER_IP_LIMIT):
        login(client, f"ZZZZ{n:04d}")
    assert login(client, vol["code"]).status_code == 429


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_next_only_goes_to_community_pages(
    client: Client, vol: dict[str, Any], target: str
) -> None:
    response = login(client, vol["code"], next=target)
    assert response["Location"] == reverse("community:me")


def test_scanning_the_shift_qr_checks_in_and_out_pending_the_leader(
    client: Client, net: dict[str, Any], vol: dict[str, Any]
) -> None:
    url = reverse("community:shift", args=[vol["shift"].token])
    first = client.get(url)  # not logged in: the login page, then back here
    assert first.status_code == 302 and first["Location"].startswith(reverse("community:me_login"))
    back = login(client, vol["code"], next=url)
    assert back["Location"] == url
    assert "签到" in client.get(url).content.decode()
    client.post(url)
    record = HourRecord.objects.get(volunteer=vol["v"], shift=vol["shift"])
    assert record.check_in is not None and record.check_out is None
    client.post(url)
    record.refresh_from_db()
    assert record.check_out is not None and record.source == "qr" and record.status == "pending"
    again = client.post(url, follow=True).content.decode()
    assert "本班次已签退。" in again
    services.do_decide_hours(net["actor"], record, True)
    record.refresh_from_db()
    assert record.status == "approved"


def test_shift_outside_its_window_or_team_is_refused(
    client: Client, net: dict[str, Any], vol: dict[str, Any]
) -> None:
    later = services.do_create_shift(
        net["actor"], net["team"], "周末导览",
        timezone.now() + timedelta(days=2), timezone.now() + timedelta(days=2, hours=2),
    )  # fmt: skip
    login(client, vol["code"])
    url = reverse("community:shift", args=[later.token])
    assert "不在本班次的签到时间内。" in client.post(url, follow=True).content.decode()
    from linli.community.models import VolunteerTeam

    other_team = VolunteerTeam.objects.create(name="建筑可阅读")
    other = services.do_create_shift(
        net["actor"], other_team, "建筑导览", timezone.now(), timezone.now() + timedelta(hours=1)
    )
    other_url = reverse("community:shift", args=[other.token])
    assert "您不在本班次的队伍中。" in client.get(other_url).content.decode()
    assert "您不在本班次的队伍中。" in client.post(other_url, follow=True).content.decode()
    assert not HourRecord.objects.exists()


def test_staff_still_get_the_leaders_shift_page(
    client: Client, net: dict[str, Any], vol: dict[str, Any]
) -> None:
    client.force_login(net["dangqun"])
    url = reverse("community:shift", args=[vol["shift"].token])
    text = client.get(url).content.decode()
    assert "班次二维码" in text and "陈志愿" in text


def test_report_hours_and_request_a_correction(
    client: Client, net: dict[str, Any], vol: dict[str, Any]
) -> None:
    login(client, vol["code"])
    hours, correction = reverse("community:me_hours"), reverse("community:me_correction")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    bad = client.post(hours, {"h-team": net["team"].pk, "h-on": future,
                              "h-minutes": 90, "h-content": "导览"})  # fmt: skip
    assert "服务日期不能在将来。" in bad.content.decode()
    client.post(hours, {"h-team": net["team"].pk, "h-on": yesterday,
                        "h-minutes": 90, "h-content": "武康路导览"})  # fmt: skip
    record = HourRecord.objects.get(volunteer=vol["v"])
    assert (record.source, record.status, record.minutes) == ("self", "pending", 90)
    client.post(correction, {"record": record.pk, "minutes": 120,
                             "reason": "实际服务两小时"})  # fmt: skip
    corr = Correction.objects.get()
    assert (corr.record_id, corr.minutes, corr.status) == (record.pk, 120, "open")
    twice = client.post(correction, {"record": record.pk, "minutes": 100,
                                     "reason": "再改"}, follow=True)  # fmt: skip
    assert "已有待核实的更正申请" in twice.content.decode()
    assert Correction.objects.count() == 1
    someone = services.do_register_volunteer(net["actor"], net["team"], "别人", "13900000099")
    theirs = services.do_report_hours(net["actor"], someone, net["team"],
                                   timezone.localdate(), 30, "x")  # fmt: skip
    response = client.post(correction, {"record": theirs.pk, "minutes": 60,
                                        "reason": "x"})  # fmt: skip
    assert response.status_code == 404


def test_stars_hours_and_own_certificate_download(
    client: Client, net: dict[str, Any], vol: dict[str, Any]
) -> None:
    v = vol["v"]
    leader = net["actor"]
    services.do_report_hours(leader, v, net["team"], timezone.localdate(), 24 * 60, "长期导览",
                          source="leader")  # fmt: skip
    for k in range(1, 5):
        services.do_report_hours(leader, v, net["team"], timezone.localdate() - timedelta(days=k),
                              24 * 60, "长期导览", source="leader")  # fmt: skip
    cert = services.do_issue_certificate(leader, v, net["team"])
    login(client, vol["code"])
    text = client.get(reverse("community:me")).content.decode()
    assert 'id="me-hours">120.0<' in text and "★☆☆☆☆" in text and cert.number in text
    pdf = client.get(reverse("community:me_certificate", args=[cert.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    other = services.do_register_volunteer(leader, net["team"], "别人", "13900000099")
    services.do_report_hours(leader, other, net["team"], timezone.localdate(), 60, "x",
                          source="leader")  # fmt: skip
    theirs = services.do_issue_certificate(leader, other, net["team"])
    assert client.get(reverse("community:me_certificate", args=[theirs.pk])).status_code == 404


def test_logout_ends_the_volunteer_session(client: Client, vol: dict[str, Any]) -> None:
    login(client, vol["code"])
    client.post(reverse("community:me_logout"))
    assert client.get(reverse("community:me")).status_code == 302


def test_actions_are_audited_as_the_volunteer(client: Client, vol: dict[str, Any]) -> None:
    login(client, vol["code"])
    client.post(reverse("community:shift", args=[vol["shift"].token]))
    record = AuditRecord.objects.get(action="community.hours.self_check_in")
    assert record.actor_name == f"volunteer:{vol['v'].pk}"
    assert record.actor_id is None  # the volunteer has no staff account


def test_own_page_renders_only_and_each_form_has_its_view(
    client: Client, net: dict[str, Any], vol: dict[str, Any]
) -> None:
    services.do_report_hours(net["actor"], vol["v"], net["team"], timezone.localdate(), 30, "x")
    login(client, vol["code"])
    page = client.get(reverse("community:me")).content.decode()
    for name in ("me_hours", "me_correction", "me_logout"):
        assert f'action="{reverse(f"community:{name}")}"' in page
    assert client.post(reverse("community:me"), {"what": "logout"}).status_code == 405
    assert client.get(reverse("community:me")).status_code == 200  # still signed in


def test_own_forms_answer_with_a_message(
    client: Client, net: dict[str, Any], vol: dict[str, Any]
) -> None:
    login(client, vol["code"])
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    hours = client.post(reverse("community:me_hours"), {"h-team": net["team"].pk,
                        "h-on": yesterday, "h-minutes": 45, "h-content": "导览"},
                        follow=True)  # fmt: skip
    assert hours.redirect_chain[-1][0] == reverse("community:me")
    assert "已提交，等待队长审核。" in hours.content.decode()
    assert hours["Cache-Control"] == "no-store"
    record = HourRecord.objects.get(volunteer=vol["v"])
    asked = client.post(reverse("community:me_correction"),
                        {"record": record.pk, "minutes": 60, "reason": "少记一刻钟"},
                        follow=True)  # fmt: skip
    assert "更正申请已提交，队长核实后处理。" in asked.content.decode()
    blank = client.post(reverse("community:me_correction"),
                        {"record": record.pk, "minutes": "", "reason": ""}, follow=True)  # fmt: skip
    assert "请填写正确的时长（分钟）和理由。" in blank.content.decode()
    assert AuditRecord.objects.filter(actor_name=f"volunteer:{vol['v'].pk}").exists()


@pytest.mark.parametrize("bad", ["", "abc", "1.5", "²", "9" * 40])
def test_own_correction_names_a_missing_or_bad_record(
    client: Client, vol: dict[str, Any], bad: str
) -> None:
    login(client, vol["code"])
    response = client.post(reverse("community:me_correction"),
                           {"record": bad, "minutes": 60, "reason": "x"}, follow=True)  # fmt: skip
    assert response.status_code == 200
    assert "服务记录：请选择要更正的记录。" in response.content.decode()
    assert not Correction.objects.exists()


def test_own_forms_without_a_session_go_to_the_log_in(
    client: Client, net: dict[str, Any], vol: dict[str, Any]
) -> None:
    for name in ("me_hours", "me_correction"):
        response = client.post(reverse(f"community:{name}"), {"record": 1})
        assert response["Location"] == reverse("community:me_login")
    assert not HourRecord.objects.exists()
    assert client.post(reverse("community:me_logout"))["Location"] == reverse("community:me_login")
