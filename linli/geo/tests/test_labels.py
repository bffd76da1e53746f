"""Place labels never repeat a number ("34号 34号")."""

from __future__ import annotations

import pytest

from linli.geo.labels import ends_with_part, join_place


@pytest.mark.parametrize(
    ("parts", "label"),
    [
        (("武康路34号", "34号"), "武康路34号"),  # a garden house: one door, the house's own number
        (("武康路花园住宅", "34号", "34号"), "武康路花园住宅 34号"),
        (("武康路120弄1支弄", "1号"), "武康路120弄1支弄 1号"),
        (("武康路134号", "34号"), "武康路134号 34号"),  # 34 is not the end of 134
        (("武康路34 号", "34号"), "武康路34 号"),  # spaces do not hide a repeat
        (("1号楼", "1号"), "1号楼 1号"),
        (("新村", "", None, "3号"), "新村 3号"),
        ((None, ""), ""),
        (("A栋", "A栋"), "A栋"),
        (("X路", "5号"), "X路 5号"),
    ],
)
def test_join_place(parts: tuple[str | None, ...], label: str) -> None:
    assert join_place(*parts) == label


def test_join_place_separator() -> None:
    assert join_place("湖南路", "34号", sep="") == "湖南路34号"
    assert join_place("湖南路34号", "34号", sep="") == "湖南路34号"


@pytest.mark.parametrize(
    ("label", "part", "expected"),
    [("路34号", "34号", True), ("路134号", "34号", False), ("", "34号", False), ("路", "", False)],
)
def test_ends_with_part(label: str, part: str, expected: bool) -> None:
    assert ends_with_part(label, part) is expected
