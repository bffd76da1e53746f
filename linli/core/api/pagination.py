"""Keyset (cursor) pagination for every API list.

A page number becomes an ``OFFSET``: the last page of two million households made the
database walk past every row before it (3 s). A cursor instead names the last row seen —
its values in the list's order and its primary key — and the next page starts after it
(``WHERE (key, pk) > (…) LIMIT n``), so the last page costs what the first does, and rows
inserted or deleted between two requests never make a row appear twice or not at all.

The order is the list's own (the view's ``order_by``, or the client's ``?ordering=``), with
the primary key appended as the unique tie-break; ``NULL`` counts as larger than any value
(last ascending, first descending) on every database. Clients follow the ``next`` and
``previous`` links; a cursor is opaque, and one that was tampered with, or that belongs to
another order, is answered 400 with ``code`` ``invalid_cursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DataError
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from linli.core.errors import DomainError
from linli.core.pagination import fast_count

KEY = "_cursor_key_{}"


class InvalidCursor(DomainError):
    code = "invalid_cursor"


@dataclass(frozen=True)
class Key:
    """One column of the order: the lookup, its direction and whether it may be NULL."""

    path: str
    descending: bool
    nullable: bool


class Pagination(CursorPagination):
    """Cursor pages of ``page_size`` rows (default 50, at most 500) with the list's count.

    ``count`` is exact for a filtered list and the planner's estimate for a huge unfiltered
    table on PostgreSQL (``linli.core.pagination.fast_count``): one query either way, so a
    page costs two queries wherever it is in the list.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"
    ordering = "pk"

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        self.url = request.build_absolute_uri()
        page_size = self.get_page_size(request) or self.page_size or 50
        self.page_size = page_size
        self.count = self._count(queryset)
        self.keys = sort_keys(queryset)
        self.signature = ",".join(("-" if k.descending else "") + k.path for k in self.keys)
        values, backwards = self._decode(request)
        qs = queryset.annotate(**{KEY.format(i): F(k.path) for i, k in enumerate(self.keys)})
        order = [key_order(i, k.descending != backwards) for i, k in enumerate(self.keys)]
        qs = qs.order_by(*order)
        if values is None:
            rows = list(qs[: page_size + 1])
        else:
            try:  # a value the column cannot hold (a date that is not one, a NUL character)
                rows = list(
                    qs.filter(after_condition(self.keys, values, backwards))[: page_size + 1]
                )
            except (ValidationError, ValueError, TypeError, DataError):
                raise _invalid() from None
        more = len(rows) > page_size
        rows = rows[:page_size]
        if backwards:
            rows.reverse()
            self.has_next, self.has_previous = values is not None, more
        else:
            self.has_next, self.has_previous = more, values is not None
        self.page = rows
        return rows

    def _count(self, queryset: Any) -> int:
        if isinstance(queryset, QuerySet):
            found = fast_count(queryset)
            if found is not None:
                return found[0]
            return queryset.count()
        return len(queryset)

    # ------------------------------------------------------------------ cursors

    def _decode(self, request: Request) -> tuple[list[Any] | None, bool]:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None, False
        try:
            payload = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
            signature, backwards, encoded = payload["o"], payload["r"], payload["v"]
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error):
            raise _invalid() from None
        if (
            signature != self.signature
            or not isinstance(backwards, bool)
            or not isinstance(encoded, list)
            or len(encoded) != len(self.keys)
            or not all(v is None or isinstance(v, int | float | str) for v in encoded)
        ):
            raise InvalidCursor(
                _("游标不属于这个列表或这个排序，请从列表的第一页重新开始。"), field="cursor"
            )
        return encoded, backwards

    def _encode(self, row: Any, backwards: bool) -> str:
        values = [plain_value(getattr(row, KEY.format(i))) for i in range(len(self.keys))]
        payload = json.dumps({"o": self.signature, "r": backwards, "v": values})
        return base64.urlsafe_b64encode(payload.encode()).decode("ascii")

    def _link(self, row: Any, backwards: bool) -> str:
        return replace_query_param(self.url, self.cursor_query_param, self._encode(row, backwards))

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.page:
            return None
        return self._link(self.page[-1], backwards=False)

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if not self.page:  # walked past the end: back to the first page
            return remove_query_param(self.url, self.cursor_query_param)
        return self._link(self.page[0], backwards=True)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        cursor_example = f"http://api.example.org/accounts/?{self.cursor_query_param}=eyJvIjoi…"
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "next": {"type": "string", "nullable": True, "format": "uri",
                         "example": cursor_example},
                "previous": {"type": "string", "nullable": True, "format": "uri",
                             "example": cursor_example},
                "results": schema,
            },
        }  # fmt: skip


def _invalid() -> InvalidCursor:
    return InvalidCursor(_("游标无效，请从列表的第一页重新开始。"), field="cursor")


def sort_keys(queryset: Any) -> list[Key]:
    """The list's order as keys, the primary key last; an expression order falls back to pk.

    A list in plain id order whose rows belong to committees is read committee by committee
    (``committee_id, id``): a street's or a district's rows are then found through the
    committee index, where id order alone walks the whole table's id index up to the first
    row of the reach (2.6 s for a street in the middle of two million households, 1 ms so).
    """
    model = queryset.model
    terms = list(queryset.query.order_by) or list(model._meta.ordering or [])
    if terms in (["pk"], ["id"]) and _committee_column(model):
        terms = ["committee_id", "pk"]
    keys: list[Key] = []
    pk_names = {"pk", model._meta.pk.name, model._meta.pk.attname}
    for term in terms:
        if not isinstance(term, str) or term == "?" or "." in term:
            keys = []  # an expression or a random order: keep only the primary key
            break
        descending = term.startswith("-")
        path = term.lstrip("-+")
        if path in pk_names:
            keys.append(Key("pk", descending, nullable=False))
            return keys
        nullable = _nullable(model, path)
        if nullable is None:
            keys = []
            break
        keys.append(Key(path, descending, nullable))
    tie = keys[-1].descending if keys else False
    keys.append(Key("pk", tie, nullable=False))
    return keys


def _committee_column(model: Any) -> bool:
    try:
        field = model._meta.get_field("committee")
    except FieldDoesNotExist:
        return False
    return bool(getattr(field, "many_to_one", False))


def _nullable(model: Any, path: str) -> bool | None:
    """Whether a lookup path (``committee__code``) may give NULL — any step of it may be
    empty — or None when it names no field (a relation is ordered by its id: ``F(path)``)."""
    nullable = False
    try:
        for part in path.split("__"):
            field = model._meta.get_field(part)
            nullable = nullable or bool(field.null)
            model = field.related_model
    except (FieldDoesNotExist, AttributeError):
        return None
    return nullable


def key_order(index: int, descending: bool) -> OrderBy:
    """NULL is larger than every value: last ascending, first descending (as PostgreSQL)."""
    expression = F(KEY.format(index))
    if descending:
        return expression.desc(nulls_first=True)
    return expression.asc(nulls_last=True)


def plain_value(value: Any) -> Any:
    """A JSON-safe value that the column's own parser turns back into the value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def after_condition(keys: list[Key], values: list[Any], backwards: bool) -> Q:
    """Rows strictly after ``values`` in the order (before it when ``backwards``):
    ``k1 > v1 OR (k1 = v1 AND k2 > v2) OR …``, with NULL larger than every value."""
    result = Q(pk__in=[])
    equal = Q()
    for index, (key, value) in enumerate(zip(keys, values, strict=True)):
        name = KEY.format(index)
        descending = key.descending != backwards
        later: Q | None
        if value is None:  # NULL is larger than every value
            if not key.nullable:
                raise _invalid()
            later = Q(**{f"{name}__isnull": False}) if descending else None
            same = Q(**{f"{name}__isnull": True})
        else:
            later = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
            if key.nullable and not descending:
                later |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        if later is not None:
            result |= equal & later
        equal &= same
    return result
