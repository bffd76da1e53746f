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


def fast_count(qs: QuerySet[Any]) -> tuple[int, bool] | None:
    """(count, estimated) for an unfiltered queryset on PostgreSQL in one query, else None.

    One statement either returns the planner's estimate (a huge table) or counts exactly, so
    a list runs the same number of queries whatever the size of the table.
    """
    connection = connections[qs.db]
    if connection.vendor != "postgresql" or qs.query.where or qs.query.distinct:
        return None
    # The table name is the model's own, quoted; values go in as parameters.
    table = connection.ops.quote_name(qs.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN c.reltuples >= %s THEN c.reltuples::bigint "  # noqa: S608 (quoted table name; values bound)
            f"ELSE (SELECT count(*) FROM {table}) END, c.reltuples >= %s "
            "FROM pg_class c WHERE c.oid = %s::regclass",
            [ESTIMATE_ABOVE, ESTIMATE_ABOVE, qs.model._meta.db_table],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return int(row[0]), bool(row[1])


def estimated_count(qs: QuerySet[Any]) -> int | None:
    """The planner's estimate when the table is huge and the queryset unfiltered, else None."""
    found = fast_count(qs)
    return found[0] if found is not None and found[1] else None


class EstimatingPaginator(Paginator):  # type: ignore[type-arg]
    """A Paginator whose count of a huge unfiltered table is an estimate (marked ``estimated``)."""

    estimated = False

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            found = fast_count(self.object_list)
            if found is not None:
                self.estimated = found[1]
                return found[0]
        return super().count
