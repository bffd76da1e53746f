"""Log-in codes by SMS (issue 17, item 1): the second factor's SMS goes through the notice
channel, so the test gateway receives it; enrolment of a phone and log-in with its code."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from linli.core import accounts
from linli.core.models import AuditRecord, SmsDevice, User
from linli.core.roles import Role
from linli.notices.channels import MemorySmsBackend

pytestmark = pytest.mark.django_db
PASSWORD = "Str0ng-enough-pw"


@pytest.fixture
def admin() -> User:
    return User.objects.create_user(
        "boss", password=PASSWORD, role=Role.STREET_ADMIN, is_staff=True, is_superuser=True
    )


@pytest.fixture
def clerk() -> User:
    return User.objects.create_user("clerk", password=PASSWORD, role=Role.WINDOW_CLERK)


def password_login(username: str = "boss", password: str = PASSWORD) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": password}).status_code == 302
    return client


def actions(name: str) -> list[str]:
    return list(
        AuditRecord.objects.filter(action=name).order_by("seq").values_list("outcome", flat=True)
    )


def test_log_in_with_an_sms_code_through_the_notice_channel(
    admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    MemorySmsBackend.outbox.clear()
    accounts_device = SmsDevice.objects.create(
        user=admin, name="sms", confirmed=True,
        phone_cipher=accounts.crypto.encrypt("13912345678", accounts.PHONE_PURPOSE),
        phone_masked="139****5678",
    )  # fmt: skip
    client = password_login()
    page = client.get("/account/two-factor/?method=sms").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/account/two-factor/", {"method": "sms", "send": "1", "next": "/"})
    assert sent.status_code == 302
    [message] = MemorySmsBackend.outbox
    assert message.address == "13912345678" and message.kind == "core.login_code"
    code = message.template_params["code"]
    assert re.fullmatch(r"\d{6}", code) and code in message.text
    ok = client.post("/account/two-factor/", {"method": "sms", "code": code, "next": "/"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/").status_code == 200
    # A code is spent once used.
    other = password_login()
    assert other.post("/account/two-factor/", {"method": "sms", "code": code}).status_code == 400
    accounts_device.refresh_from_db()
    assert actions("core.two_factor.sms_sent") == ["ok"]


def test_enrol_a_phone_for_sms_codes(
    clerk: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.LINLI_TWO_FACTOR_ROLES = [Role.WINDOW_CLERK.value]
    MemorySmsBackend.outbox.clear()
    client = password_login("clerk")
    bad = client.post("/account/two-factor/setup/", {"kind": "phone", "phone": "12345"})
    assert "请输入 11 位手机号" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/two-factor/setup/", {"kind": "phone", "phone": "139 1234 5678"})
    [message] = MemorySmsBackend.outbox
    code = message.template_params["code"]
    done = client.post("/account/two-factor/setup/", {"kind": "sms", "code": code, "next": "/"})
    assert done.status_code == 200 and "恢复码" in done.content.decode()
    assert SmsDevice.objects.get(user=clerk).confirmed
    assert client.get("/").status_code == 200


def test_a_login_code_fits_one_sms_and_goes_out_at_night() -> None:
    from linli.notices import catalogue, rules, services

    kind = catalogue.kind("core.login_code")
    text = kind.render({"code": "483920", "minutes": "5"}, "zh-hans")
    assert rules.sms_segments(text, "湖南路街道") == 1
    notice = services.do_send_login_code(phone="13912345678", code="483920", minutes=5, key="k1")
    assert not services._is_resident_sms(notice)  # no quiet hours for a log-in code
