"""Fast lists at city scale: the estimating paginator and the string-built select."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from linli.core import pagination
from linli.core.pagination import EstimatingPaginator, estimated_count
from linli.core.widgets import FastSelect
from linli.geo.models import Household

pytestmark = pytest.mark.django_db


def test_filtered_lists_are_counted_exactly(street: Any) -> None:
    qs = Household.objects.filter(committee=street["c1"])
    assert estimated_count(qs) is None
    paginator = EstimatingPaginator(qs, 50)
    assert paginator.count == 1 and not paginator.estimated


def test_huge_unfiltered_tables_use_the_planner_estimate_on_postgresql(
    street: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 0)
    if connection.vendor != "postgresql":
        assert estimated_count(Household.objects.all()) is None
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE geo_household")
    paginator = EstimatingPaginator(Household.objects.all(), 50)
    assert paginator.count >= 0 and paginator.estimated
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 10**9)
    exact = EstimatingPaginator(Household.objects.all(), 50)
    assert exact.count == Household.objects.count() == 2 and not exact.estimated


def test_fast_select_escapes_and_marks_the_choice() -> None:
    widget = FastSelect(choices=[("", "全部"), (1, "陕新<居委>"), (2, "新乐居委")])
    html = widget.render("committee", "2", {"id": "id_committee"})
    assert '<select name="committee" id="id_committee">' in html
    assert '<option value="1">陕新&lt;居委&gt;</option>' in html
    assert '<option value="2" selected>新乐居委</option>' in html
    assert '<option value="">全部</option>' in html
