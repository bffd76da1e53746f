"""Compose a place's label from its parts without repeating a number.

A garden house is one building with one door: its building name and its entrance number are
both "34号", so "building entrance" reads "34号 34号". Every composed address or label goes
through ``join_place``, which leaves out a part the text already ends with.
"""

from __future__ import annotations


def ends_with_part(label: str, part: str) -> bool:
    """True if ``label`` ends with ``part`` as a whole part: "路34号" ends with "34号", "路134号"
    does not (a number is never cut in two); spaces are ignored."""
    whole, tail = label.replace(" ", ""), part.replace(" ", "")
    if not tail or not whole.endswith(tail):
        return False
    before = whole[: len(whole) - len(tail)]
    return not (before and before[-1].isdigit() and tail[0].isdigit())


def join_place(*parts: str | None, sep: str = " ") -> str:
    """Join the non-empty parts; a part the label so far already ends with is left out."""
    label = ""
    for part in parts:
        text = (part or "").strip()
        if not text or ends_with_part(label, text):
            continue
        label = f"{label}{sep}{text}" if label else text
    return label
