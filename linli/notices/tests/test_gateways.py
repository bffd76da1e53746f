"""HttpSmsBackend against a fake gateway on loopback; e-mail against a real local SMTP server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from linli.notices import services, tasks
from linli.notices.channels import HttpSmsBackend, Message
from linli.notices.models import Notice
from linli.notices.testing import FakeSmsGateway

from .conftest import PHONE

pytestmark = pytest.mark.django_db

DONE = {"item": "居住证", "case": "HN20261202031"}


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def one_sms(key: str = "case:1") -> Notice:
    [notice] = services.do_send_notice("hall.case_done", DONE, key=key, phone=PHONE)
    return notice


def later(notice: Notice, minutes: int) -> Any:
    return notice.created_at + timedelta(minutes=minutes)


def test_the_request_carries_the_providers_fields(gateway: FakeSmsGateway) -> None:
    notice = one_sms()
    done = services.do_deliver_notice(notice.pk)
    assert done.state == "sent"
    [request] = gateway.requests
    assert request == {
        "out_id": f"linli-{notice.pk}",
        "phone": PHONE,
        "sign": "湖南路街道",
        "template": "SMS_LINLI_HALL_CASE_DONE",
        "params": DONE,
        "outcome": "ok",
        "request_id": request["request_id"],
    }
    notice.refresh_from_db()
    assert notice.provider_id == request["request_id"] != ""
    assert notice.sent_at is not None and notice.attempts == 1


def test_exactly_one_request_even_when_the_task_runs_twice(
    gateway: FakeSmsGateway, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notice = one_sms()
    tasks.deliver.apply(args=[notice.pk])
    tasks.deliver.apply(args=[notice.pk])
    assert len(gateway.requests) == 1
    assert Notice.objects.get(pk=notice.pk).state == "sent"


def test_server_errors_are_retried_with_back_off(gateway: FakeSmsGateway) -> None:
    gateway.then("500", "500")
    notice = one_sms()
    first = services.do_deliver_notice(notice.pk)
    notice.refresh_from_db()
    assert first.state == "queued" and notice.last_error == "HTTP 500 from the SMS gateway"
    assert services.do_deliver_notice(notice.pk, now=later(notice, 0)).acted is False  # not due yet
    second = services.do_deliver_notice(notice.pk, now=first.retry_at)
    notice.refresh_from_db()
    assert second.state == "queued" and notice.attempts == 2
    assert second.retry_at is not None and first.retry_at is not None
    assert second.retry_at - first.retry_at >= timedelta(seconds=120)  # doubled
    third = services.do_deliver_notice(notice.pk, now=second.retry_at)
    assert third.state == "sent"
    assert [r["outcome"] for r in gateway.requests] == ["500", "500", "ok"]
    assert len(gateway.accepted) == 1


@pytest.mark.parametrize("outcome", ["slow", "drop"])
def test_a_request_without_an_answer_is_never_repeated(
    gateway: FakeSmsGateway, settings: Any, outcome: str
) -> None:
    """The gateway may have sent it: repeating is how residents get the same SMS twice."""
    settings.LINLI_SMS_TIMEOUT = 0.5
    gateway.slow_seconds = 1.5
    gateway.then(outcome)
    notice = one_sms()
    assert services.do_deliver_notice(notice.pk).state == "failed"
    notice.refresh_from_db()
    assert notice.last_error.startswith("outcome unknown, not sent again: ")
    assert services.do_deliver_notice(notice.pk, now=later(notice, 120)).acted is False
    assert len(gateway.requests) == 1
    assert len(gateway.accepted) == (1 if outcome == "slow" else 0)


def test_a_gateway_that_is_not_there_is_a_transport_error(settings: Any) -> None:
    port = free_port()
    settings.LINLI_SMS_BACKEND = "linli.notices.channels.HttpSmsBackend"
    settings.LINLI_SMS_URL = f"http://127.0.0.1:{port}/sms/send"
    notice = one_sms()
    assert services.do_deliver_notice(notice.pk).state == "queued"
    notice.refresh_from_db()
    assert notice.last_error.startswith("URLError") and PHONE not in notice.last_error


def test_a_provider_rejection_is_not_retried(gateway: FakeSmsGateway) -> None:
    gateway.then("reject")
    notice = one_sms()
    assert services.do_deliver_notice(notice.pk).state == "failed"
    assert services.do_deliver_notice(notice.pk, now=later(notice, 120)).acted is False
    notice.refresh_from_db()
    assert notice.last_error == "isv.MOBILE_NUMBER_ILLEGAL: invalid number"
    assert len(gateway.requests) == 1


def test_a_wrong_secret_is_refused_by_the_gateway(gateway: FakeSmsGateway, settings: Any) -> None:
    settings.LINLI_SMS_ACCESS_KEY_SECRET = "wrong"
    notice = one_sms()
    assert services.do_deliver_notice(notice.pk).state == "failed"
    notice.refresh_from_db()
    assert notice.last_error == "HTTP 403: SignatureDoesNotMatch: bad signature"
    assert gateway.accepted == []


def test_the_gateway_log_masks_the_phone(gateway: FakeSmsGateway) -> None:
    services.do_deliver_notice(one_sms().pk)
    assert gateway.log is not None
    [line] = [json.loads(x) for x in gateway.log.read_text().splitlines()]
    assert line["phone"] == "139****5678" and PHONE not in gateway.log.read_text()


def test_the_backend_needs_a_url(settings: Any) -> None:
    settings.LINLI_SMS_URL = ""
    outcome = HttpSmsBackend().send(Message(1, "hall.case_done", PHONE, "t", "x"))
    assert (outcome.status, outcome.error) == ("rejected", "LINLI_SMS_URL is not set")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://gateway.example/sms"])
def test_the_backend_refuses_an_address_that_is_not_http(settings: Any, url: str) -> None:
    settings.LINLI_SMS_URL = url
    outcome = HttpSmsBackend().send(Message(1, "hall.case_done", PHONE, "t", "x"))
    assert (outcome.status, outcome.error) == (
        "rejected",
        "LINLI_SMS_URL must be an http(s) address",
    )


# --- e-mail through a real SMTP server on loopback -------------------------------------------


class Collect:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Collect]:
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "linli@hunanlu.example"
    settings.LINLI_BASE_URL = "https://linli.hunanlu.example"
    yield handler
    controller.stop()


def test_staff_email_goes_through_smtp(users: Any, smtp: Collect) -> None:
    staff = users["street_admin"]
    staff.email = "admin@hunanlu.example"
    staff.save()
    params = {"job": "白皮书批量生成", "url": "/jobs/3/"}
    _, email = services.do_send_notice("jobs.done", params, key="job:3", user=staff)
    assert services.do_deliver_notice(email.pk).state == "sent"
    [envelope] = smtp.envelopes
    assert envelope.mail_from == "linli@hunanlu.example"
    assert envelope.rcpt_tos == ["admin@hunanlu.example"]
    from email import message_from_bytes, policy

    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "[邻里] 后台任务已完成"
    body = message.get_body().get_content()
    assert "后台任务“白皮书批量生成”已完成。" in body
    assert "https://linli.hunanlu.example/jobs/3/" in body
    assert mail.outbox == []  # the real server was used, not the test outbox


def test_a_refused_recipient_fails_without_retry(smtp: Collect) -> None:
    [notice] = services.do_send_notice(
        "hall.case_done", DONE, key="c1", email="nobody@hunanlu.example"
    )
    assert services.do_deliver_notice(notice.pk).state == "failed"
    notice.refresh_from_db()
    assert notice.last_error.startswith("SMTPRecipientsRefused")
    assert "nobody@" not in notice.last_error and smtp.envelopes == []


def test_an_smtp_server_that_is_down_is_retried(smtp: Collect, settings: Any) -> None:
    settings.EMAIL_PORT = free_port()
    [notice] = services.do_send_notice(
        "hall.case_done", DONE, key="c1", email="resident@hunanlu.example"
    )
    done = services.do_deliver_notice(notice.pk)
    notice.refresh_from_db()
    assert done.state == "queued" and notice.last_error == "ConnectionRefusedError"


def test_the_fake_gateway_runs_as_a_process(settings: Any, tmp_path: Any) -> None:
    """How the scale-out test uses it: a separate process logging one line per request."""
    import subprocess
    import sys

    port, log = free_port(), tmp_path / "sms.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "linli.notices.testing", "--port", str(port), "--log", str(log)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip().endswith(f":{port}/sms/send")
        settings.LINLI_SMS_BACKEND = "linli.notices.channels.HttpSmsBackend"
        settings.LINLI_SMS_URL = f"http://127.0.0.1:{port}/sms/send"
        settings.LINLI_SMS_ACCESS_KEY_ID, settings.LINLI_SMS_ACCESS_KEY_SECRET = (
            "fake-key-id",
            "fake-key-secret",
        )
        notice = one_sms()
        assert services.do_deliver_notice(notice.pk).state == "sent"
        assert services.do_deliver_notice(notice.pk).acted is False
    finally:
        process.terminate()
        process.wait(10)
    [line] = [json.loads(x) for x in log.read_text().splitlines()]
    assert (line["out_id"], line["outcome"], line["phone"]) == (
        f"linli-{notice.pk}",
        "ok",
        "139****5678",
    )
