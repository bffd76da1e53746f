"""Whole numbers from requests: only plain ASCII digits that fit a database integer."""

from __future__ import annotations

import pytest

from linli.core.ids import plain_int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("7", 7), (" 42 ", 42), ("0", 0), (12, 12), ("9" * 18, int("9" * 18))],
)
def test_plain_digits_are_read(raw: object, expected: int) -> None:
    assert plain_int(raw) == expected


@pytest.mark.parametrize(
    "raw", [None, "", "  ", "abc", "1.5", "-3", "²", "٣", "３", "9" * 19, "1 2"]
)
def test_anything_else_is_none(raw: object) -> None:
    assert plain_int(raw) is None
