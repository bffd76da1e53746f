"""The street picture on the risk home page: a recheck (复查) round of one committee keeps
every committee's latest grade on the map and shows beside it, never in its place."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.core.context import Actor
from linli.core.models import User
from linli.geo.models import Committee
from linli.risk import queries, rules, services
from linli.risk.models import Round, Sample, Score

from .conftest import fill

pytestmark = pytest.mark.django_db


def _submit(rnd: Round, code: str, inspector: User, findings: dict[str, list[int]]) -> None:
    for s in Sample.objects.filter(round=rnd, committee__code=code).order_by("label"):
        fill(s, inspector, findings)
        services.do_submit_sample(Actor(inspector), s)


def _grade(rnd: Round, code: str) -> Score:
    return Score.objects.get(round=rnd, committee__code=code, sample=None, unit="")


@pytest.fixture
def recheck(drawn: Round, users: Any, safety: User, street: Any) -> Round:
    """A full round over both committees (HN01 badly, HN02 mildly), then a recheck of HN01."""
    inspector = users["inspector"]
    _submit(drawn, "HN01", inspector, {"XF01": [5], "RQ02": [5], "DQ02": [5], "HJ02": [5]})
    _submit(drawn, "HN02", inspector, {"HJ02": [2]})
    actor = Actor(safety)
    again = services.do_create_round(
        actor,
        name="2026 复查",
        method=services.default_version(),
        committees=[street["c1"]],
        seed="recheck-seed",
    )
    for s in services.do_draw_round(actor, again):
        services.do_assign_inspector(actor, s, inspector)
    _submit(again, "HN01", inspector, {})  # everything put right
    return again


def test_recheck_keeps_the_street_picture(
    recheck: Round, drawn: Round, login: Any, users: Any
) -> None:
    before, after, other = _grade(drawn, "HN01"), _grade(recheck, "HN01"), _grade(drawn, "HN02")
    assert before.grade != after.grade  # the recheck changed HN01's grade

    picture = queries.street_picture(users["street_admin"], recheck)
    by_code = {r.committee.code: r for r in picture["rows"]}
    assert set(by_code) == {"HN01", "HN02"}
    assert (by_code["HN01"].grade, by_code["HN01"].source_round) == (after.grade, recheck)
    assert (by_code["HN02"].grade, by_code["HN02"].source_round) == (other.grade, drawn)
    # The street average is over both committees' latest grades, not the recheck's one.
    assert picture["average"] == rules.round_half_up((after.value + other.value) / Decimal(2))
    assert [
        (r.committee.code, r.previous_grade, r.previous, r.grade) for r in picture["recheck"]
    ] == [("HN01", before.grade, before.value, after.grade)]

    page = login("street_admin").get("/risk/").content.decode()
    tiles = re.findall(r'<rect class="fill-(\w+)"', page)
    assert sorted(tiles) == sorted([after.grade, other.grade])  # both committees on the map
    assert f"街道平均 {picture['average']}" in page
    assert (
        "复查：2026 复查" in page and "原等级" in page and f"{before.value:.2f}</span>\n → " in page
    )
    # Each tile says where its grade comes from.
    assert "2026 复查 · " in page and "2026 年度 · " in page


def test_recheck_round_page_says_it_is_partial(recheck: Round, login: Any) -> None:
    page = login("street_admin").get(f"/risk/rounds/{recheck.pk}/").content.decode()
    assert "本轮为复查" in page and "本轮 1 个居委平均" in page and "街道平均" not in page


def test_full_round_has_no_recheck_panel(drawn: Round, users: Any, login: Any) -> None:
    _submit(drawn, "HN01", users["inspector"], {"XF01": [4]})
    page = login("street_admin").get("/risk/").content.decode()
    assert "原等级" not in page and "街道平均" in page
    assert len(re.findall(r'<rect class="fill-', page)) == 2  # HN02 unrated but on the map


def test_committee_staff_see_only_their_committee(recheck: Round, login: Any) -> None:
    page = login("committee_staff").get("/risk/").content.decode()
    assert len(re.findall(r'<rect class="fill-', page)) == 1 and "原等级" not in page


def test_street_picture_queries_do_not_grow(
    recheck: Round, login: Any, street: Any, safety: User, users: Any
) -> None:
    client = login("street_admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/risk/").status_code == 200
        return len(ctx.captured_queries)

    first = count()
    # More committees and another recheck round: the page reads as many queries.
    sub = street["c1"].subdistrict
    for i in range(3):
        Committee.objects.create(subdistrict=sub, code=f"HN9{i}", name=f"新增{i}居委")
    actor = Actor(safety)
    third = services.do_create_round(
        actor,
        name="2026 二次复查",
        method=services.default_version(),
        committees=[street["c2"]],
        seed="third",
    )
    for s in services.do_draw_round(actor, third):
        services.do_assign_inspector(actor, s, users["inspector"])
    _submit(third, "HN02", users["inspector"], {})
    assert count() == first
