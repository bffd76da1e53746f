"""The deliver task through a real Celery worker (in-process, on the in-memory broker)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from linli.celery import app
from linli.notices import services, tasks
from linli.notices.channels import MemorySmsBackend
from linli.notices.models import Notice

from .conftest import PHONE


@pytest.fixture
def worker(transactional_db: Any, settings: Any) -> Iterator[Any]:
    settings.LINLI_SMS_BACKEND = "linli.notices.channels.MemorySmsBackend"
    MemorySmsBackend.outbox = []
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
            yield w
    finally:
        app.conf.task_always_eager = True


def _wait_sent(notice_id: int, seconds: float = 20) -> Notice:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        notice = Notice.objects.get(pk=notice_id)
        if notice.state == "sent":
            return notice
        time.sleep(0.05)
    raise AssertionError(f"notice {notice_id} is {Notice.objects.get(pk=notice_id).state}")


def test_the_worker_delivers_after_commit_once(worker: Any) -> None:
    with transaction.atomic():
        [notice] = services.do_send_notice(
            "hall.pickup_ready", {"code": "483920", "locker": "12"}, key="p1", phone=PHONE
        )
    sent = _wait_sent(notice.pk)
    assert sent.attempts == 1 and sent.provider_id.startswith("memory-")
    # A redelivered message (or flush_due racing the first run) sends nothing more.
    tasks.deliver.apply_async(args=(notice.pk,))
    tasks.deliver.apply_async(args=(notice.pk,))
    time.sleep(1.0)
    assert [m.notice_id for m in MemorySmsBackend.outbox] == [notice.pk]
    assert Notice.objects.get(pk=notice.pk).attempts == 1
