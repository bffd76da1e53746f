"""The pure rules, directly: quiet hours, back-off, segments, masking, parameters, signing."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from linli.notices import rules

from .conftest import SHANGHAI


def local(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(7, 59, True), (8, 0, False), (12, 0, False), (20, 59, False), (21, 0, True),
     (23, 59, True), (0, 0, True), (3, 30, True)],
)  # fmt: skip
def test_quiet_hours_window(hour: int, minute: int, quiet: bool) -> None:
    assert rules.in_quiet_hours(local(hour, minute)) is quiet


def test_next_allowed_time_is_the_next_morning() -> None:
    assert rules.next_allowed_time(local(21, 0)) == local(8, 0, day=3)
    assert rules.next_allowed_time(local(23, 45)) == local(8, 0, day=3)
    assert rules.next_allowed_time(local(2, 10)) == local(8, 0)
    assert rules.next_allowed_time(local(7, 59)) == local(8, 0)
    assert rules.next_allowed_time(local(8, 0)) == local(8, 0)
    assert rules.next_allowed_time(local(15, 20)) == local(15, 20)
    # Month end rolls over.
    assert rules.next_allowed_time(datetime(2026, 12, 31, 22, 0, tzinfo=SHANGHAI)) == datetime(
        2027, 1, 1, 8, 0, tzinfo=SHANGHAI
    )


def test_a_window_inside_one_day_and_an_empty_window() -> None:
    assert rules.in_quiet_hours(local(13, 0), time(12), time(14))
    assert not rules.in_quiet_hours(local(14, 0), time(12), time(14))
    assert rules.next_allowed_time(local(13, 0), time(12), time(14)) == local(14, 0)
    assert not rules.in_quiet_hours(local(3, 0), time(8), time(8))


def test_backoff_doubles_up_to_the_cap() -> None:
    delays = [rules.backoff_delay(n, 60, 3600) for n in range(1, 9)]
    assert [d.total_seconds() for d in delays] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert rules.backoff_delay(200, 1, 10) == timedelta(seconds=10)
    with pytest.raises(ValueError, match="from 1"):
        rules.backoff_delay(0)


def test_sms_segments_count_the_signature() -> None:
    assert rules.sms_segments("") == 0
    assert rules.sms_segments("字" * 70) == 1
    assert rules.sms_segments("字" * 71) == 2
    assert rules.sms_segments("字" * 63, "湖南路街道") == 1  # 63 + 【湖南路街道】7 = 70
    assert rules.sms_segments("字" * 64, "湖南路街道") == 2
    assert rules.sms_segments("a" * 134) == 2
    assert rules.sms_segments("a" * 135) == 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("13912345678", "13912345678"), (" 139 1234 5678 ", "13912345678"),
     ("139-1234-5678", "13912345678"), ("+8613912345678", "13912345678"),
     ("008613912345678", "13912345678"), ("8613912345678", "13912345678"),
     ("12912345678", None), ("1391234567", None), ("139123456789", None), ("", None),
     ("021-64331234", None), ("1391234567x", None)],
)  # fmt: skip
def test_normalize_phone(raw: str, expected: str | None) -> None:
    assert rules.normalize_phone(raw) == expected


def test_email_normalising_and_masking() -> None:
    assert rules.normalize_email(" Wang.Li@Example.COM ") == "Wang.Li@example.com"
    assert rules.normalize_email("not-an-address") is None
    assert rules.normalize_email("a@b") is None
    assert rules.normalize_email("a b@example.com") is None
    assert rules.mask_email("wangli@example.com") == "w***@example.com"
    assert rules.mask_email("a@b@example.com") == "a***@example.com"
    assert rules.mask_email("wangli") == "******"  # not an address: nothing of it shown
    assert rules.mask_phone("13912345678") == "139****5678"


def test_scrub_masks_phones_and_addresses_anywhere() -> None:
    text = "to 13912345678, +86 13812345678 and x.y@example.com failed; order 2026120212345"
    scrubbed = rules.scrub(text)
    assert "13912345678" not in scrubbed and "13812345678" not in scrubbed
    assert "139****5678" in scrubbed and "138****5678" in scrubbed
    assert "x***@example.com" in scrubbed
    assert "2026120212345" in scrubbed  # a longer number is not a phone


def test_placeholders_and_parameter_checks() -> None:
    assert rules.placeholders("取件码%(code)s，柜号%(locker)s，再说%(code)s") == ("code", "locker")
    assert rules.check_params(("code", "locker"), {"code": "1", "locker": "2"}, ("url",)) == []
    assert rules.check_params(("code",), {"code": "1", "url": "/x/"}, ("url",)) == []
    assert rules.check_params(("code", "locker"), {"code": "1"}) == ["missing parameter 'locker'"]
    assert rules.check_params(("code",), {"code": "1", "lockr": "2"}) == [
        "unknown parameter 'lockr'"
    ]
    assert rules.check_params(("code",), {"code": 5}) == ["parameter 'code' must be text, not int"]
    assert rules.check_params(("code",), {"code": " "}) == ["parameter 'code' is empty"]


@pytest.mark.parametrize(
    ("url", "ok"),
    [("/hall/cases/3/", True), ("/", True), ("//evil.example/", False),
     ("https://evil.example/", False), ("javascript:alert(1)", False), ("/a b", False),
     ("/\\evil", False), ("", False)],
)  # fmt: skip
def test_safe_link(url: str, ok: bool) -> None:
    assert rules.safe_link(url) is ok


def test_signature_depends_on_every_part() -> None:
    base = rules.sms_signature("s", "POST", "/sms", "1", "n", b"{}")
    assert base == rules.sms_signature("s", "post", "/sms", "1", "n", b"{}")
    assert len({
        base,
        rules.sms_signature("t", "POST", "/sms", "1", "n", b"{}"),
        rules.sms_signature("s", "POST", "/smt", "1", "n", b"{}"),
        rules.sms_signature("s", "POST", "/sms", "2", "n", b"{}"),
        rules.sms_signature("s", "POST", "/sms", "1", "m", b"{}"),
        rules.sms_signature("s", "POST", "/sms", "1", "n", b"{ }"),
    }) == 6  # fmt: skip
