"""Fixtures of the notice tests: eager Celery, the fake SMS gateway, the file SMS outbox."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from celery import current_app

from linli.notices.testing import DEFAULT_KEY_ID, DEFAULT_SECRET, FakeSmsGateway

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13912345678"


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    """An aware moment on 2 December 2026, Shanghai wall-clock time."""
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def eager() -> Iterator[None]:
    """Tasks queued with delay/apply_async run at once, in the test's thread."""
    conf = current_app.conf
    saved = (conf.task_always_eager, conf.task_eager_propagates)
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture
def outbox(settings: Any, tmp_path: Any) -> Any:
    settings.LINLI_SMS_BACKEND = "linli.notices.channels.FileSmsBackend"
    settings.LINLI_SMS_FILE = str(tmp_path / "sms" / "outbox.jsonl")
    return tmp_path / "sms" / "outbox.jsonl"


@pytest.fixture
def gateway(settings: Any, tmp_path: Any) -> Iterator[FakeSmsGateway]:
    fake = FakeSmsGateway(log=tmp_path / "gateway.jsonl")
    thread = threading.Thread(target=fake.serve_forever, daemon=True)
    thread.start()
    settings.LINLI_SMS_BACKEND = "linli.notices.channels.HttpSmsBackend"
    settings.LINLI_SMS_URL = fake.url
    settings.LINLI_SMS_ACCESS_KEY_ID = DEFAULT_KEY_ID
    settings.LINLI_SMS_ACCESS_KEY_SECRET = DEFAULT_SECRET
    settings.LINLI_SMS_SIGN_NAME = "湖南路街道"
    settings.LINLI_SMS_TIMEOUT = 5
    yield fake
    fake.shutdown()
    thread.join(5)


@pytest.fixture
def quiet(settings: Any) -> None:
    """The production quiet hours (the test settings switch them off)."""
    settings.LINLI_NOTICES_QUIET_HOURS = ("21:00", "08:00")
