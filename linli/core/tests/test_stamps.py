"""The version-stamp cache shared by the street calendar and the hall kiosk: a copy per process,
dropped when the stamp moves, whoever moved it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from linli.core.models import CalendarVersion
from linli.core.stamps import StampedCache

pytestmark = pytest.mark.django_db


def _load(cache: StampedCache[tuple[int, str]], text: str) -> tuple[int, str]:
    """What a user of the helper does: reuse the copy at the stored stamp, else load one."""
    stamp = cache.stamp()
    found = cache.get()
    if found is not None and found[0] == stamp:
        return found
    return cache.put((stamp, text))


def test_the_copy_is_kept_until_the_stamp_moves(django_assert_num_queries: Any) -> None:
    cache: StampedCache[tuple[int, str]] = StampedCache(CalendarVersion)
    first = _load(cache, "loaded first")
    with django_assert_num_queries(0):
        assert cache.get() is first  # the steady state reads nothing
    with django_assert_num_queries(1):
        assert _load(cache, "loaded again") is first  # one read of the stamp, no reload
    with transaction.atomic():
        cache.changed()
        assert cache.get() is None  # this process drops its copy at once
    assert _load(cache, "after the change") == (first[0] + 1, "after the change")


def test_another_process_moving_the_stamp_is_seen() -> None:
    cache: StampedCache[tuple[int, str]] = StampedCache(CalendarVersion)
    _load(cache, "old")
    with connection.cursor() as cursor:  # as another worker would, without touching our copy
        cursor.execute("UPDATE core_calendarversion SET n = n + 1 WHERE id = 1")
    assert _load(cache, "new")[1] == "new"


def test_a_missing_stamp_row_is_created_with_a_number_no_copy_holds() -> None:
    cache: StampedCache[tuple[int, str]] = StampedCache(CalendarVersion)
    old = _load(cache, "before the flush")
    CalendarVersion.objects.all().delete()  # what a test flush does
    fresh = _load(cache, "after the flush")
    assert fresh[1] == "after the flush"
    assert fresh[0] != old[0]
    assert CalendarVersion.objects.get(id=1).n == fresh[0]
    cache.forget()
    assert cache.get() is None
