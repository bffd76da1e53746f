"""Pagination that stays fast on city-scale tables.

Counting two million rows costs more than the page itself. For an unfiltered list on
PostgreSQL the planner's row estimate (``pg_class.reltuples``, kept current by autovacuum
and ANALYZE) is used once it is large; filtered lists, and every list on SQLite, count exactly.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet

ESTIMATE_ABOVE = 100_000


def estimated_count(qs: QuerySet[Any]) -> int | None:
    """The planner's estimate for an unfiltered queryset on PostgreSQL, else None."""
    connection = connections[qs.db]
    if connection.vendor != "postgresql" or qs.query.where or qs.query.distinct:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [qs.model._meta.db_table],
        )
        row = cursor.fetchone()
    estimate = int(row[0]) if row else -1
    return estimate if estimate >= ESTIMATE_ABOVE else None


class EstimatingPaginator(Paginator):  # type: ignore[type-arg]
    """A Paginator whose count of a huge unfiltered table is an estimate (marked ``estimated``)."""

    estimated = False

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            estimate = estimated_count(self.object_list)
            if estimate is not None:
                self.estimated = True
                return estimate
        return super().count
