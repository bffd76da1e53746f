"""Keyset pages for the list pages (places, people, fire registers).

A page number is an ``OFFSET``: page 170 of a street's households made the database walk past
8,450 rows, and counting a district's 127,500 households exactly cost more than the page
itself. A list page instead carries, in its ``cursor`` parameter, the sort key of the last row
shown (the first, going back), and the next page starts right after it
(``WHERE key > … LIMIT 51``), the way the API lists page (``linli.core.api.pagination``,
whose cursor format and order rules this reuses). The first, a far and the last page run the
same two queries: the rows, and a count that stops at ``COUNT_CAP`` ("more than 10,000").

Rows that belong to committees are shown committee by committee when the list is not sorted
(``committee_id`` before the model's own order): PostgreSQL then reads the reach's committees
through the committee index instead of walking another index across other streets' rows.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DataError
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from linli.core.api.pagination import (
    KEY,
    InvalidCursor,
    Key,
    after_condition,
    key_order,
    plain_value,
    sort_keys,
)

PAGE_SIZE = 50
COUNT_CAP = 10_000
LAST = "last"  # the cursor of the list's last page


class BadCursor(Exception):
    """A cursor that was tampered with, or that belongs to another list or sort."""


@dataclass
class KeysetPage:
    """One page: its rows, the cursors of its neighbours and the (capped) count."""

    object_list: list[Any]
    count: int
    more: bool  # more than ``COUNT_CAP`` rows: ``count`` is the cap
    has_previous: bool = False
    has_next: bool = False
    previous_cursor: str = ""
    next_cursor: str = ""
    last_cursor: str = LAST
    error: str = ""
    keys: list[Key] = field(default_factory=list)


def by_committee(qs: QuerySet[Any]) -> QuerySet[Any]:
    """``qs`` in its model's order, committee by committee when its rows have a committee."""
    model = qs.model
    ordering = [str(o) for o in model._meta.ordering or []]
    try:
        model._meta.get_field("committee")
    except FieldDoesNotExist:
        return qs.order_by(*ordering, "pk")
    if ordering[:1] not in (["committee_id"], ["committee"]):
        ordering = ["committee_id", *ordering]
    return qs.order_by(*ordering, "pk")


def keyset_page(qs: QuerySet[Any], cursor: str | None, size: int = PAGE_SIZE) -> KeysetPage:
    """The page of ``qs`` (in its own order, pk last) that ``cursor`` names; the first page for
    no cursor, and the first page with ``error`` set for a bad one."""
    keys = sort_keys(qs)
    signature = ",".join(("-" if k.descending else "") + k.path for k in keys)
    error = ""
    try:
        values, backwards = _decode(cursor, signature, len(keys))
    except BadCursor:
        values, backwards, error = None, False, _bad()
    total = qs.order_by()[: COUNT_CAP + 1].count()
    annotated = qs.annotate(**{KEY.format(i): F(k.path) for i, k in enumerate(keys)})

    def fetch(values: list[Any] | None, backwards: bool) -> list[Any]:
        order = [key_order(i, k.descending != backwards) for i, k in enumerate(keys)]
        rows = annotated.order_by(*order)
        if values is not None:
            rows = rows.filter(_seek(keys, values, backwards))
        return list(rows[: size + 1])

    try:  # a value the column cannot hold (a date that is not one, text for a number)
        rows = fetch(values, backwards)
    except (InvalidCursor, ValidationError, ValueError, TypeError, DataError):
        error, values, backwards = _bad(), None, False
        rows = fetch(values, backwards)
    more_rows = len(rows) > size
    rows = rows[:size]
    page = KeysetPage(rows, min(total, COUNT_CAP), total > COUNT_CAP, error=error, keys=keys)
    at_start = values is None and not backwards
    if backwards:
        rows.reverse()
        page.has_next, page.has_previous = values is not None, more_rows
    else:
        page.has_next, page.has_previous = more_rows, not at_start
    if rows:
        page.next_cursor = _encode(rows[-1], signature, len(keys), backwards=False)
        page.previous_cursor = _encode(rows[0], signature, len(keys), backwards=True)
    return page


def _bad() -> str:
    return _("分页位置无效（链接可能已过期或被改动），已回到第一页。")


def _seek(keys: list[Key], values: list[Any], backwards: bool) -> Q:
    """Rows after ``values``; the first key's bound is repeated on its own (``k1 >= v1``) so
    that the database seeks to it in an index instead of filtering from the list's start."""
    condition = after_condition(keys, values, backwards)
    first, value = keys[0], values[0]
    if value is not None and not first.nullable and len(keys) > 1:
        op = "lte" if first.descending != backwards else "gte"
        condition &= Q(**{f"{KEY.format(0)}__{op}": value})
    return condition


def _decode(raw: str | None, signature: str, n: int) -> tuple[list[Any] | None, bool]:
    if not raw:
        return None, False
    if raw == LAST:
        return None, True
    try:
        payload = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
        sig, backwards, values = payload["o"], payload["r"], payload["v"]
    except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error):
        raise BadCursor from None
    if (
        sig != signature
        or not isinstance(backwards, bool)
        or not isinstance(values, list)
        or len(values) != n
        or not all(v is None or isinstance(v, int | float | str) for v in values)
        or any(isinstance(v, str) and "\x00" in v for v in values)
    ):
        raise BadCursor
    return values, backwards


def _encode(row: Any, signature: str, n: int, *, backwards: bool) -> str:
    values = [plain_value(getattr(row, KEY.format(i))) for i in range(n)]
    payload = json.dumps({"o": signature, "r": backwards, "v": values})
    return base64.urlsafe_b64encode(payload.encode()).decode("ascii")
