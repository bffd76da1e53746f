"""The district comparison page and PDF: who sees which street, in a constant number of queries.

Three streets from ``streets.build`` (each with a committee, a round with a hazard case, an
extinguisher, a lift project and an activity): 湖南路街道 and 天平路街道 in 徐汇区, 华阳路街道
in 长宁区; each committee gets a stored committee score and survey answers here.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from linli.core.models import User
from linli.core.roles import Role

from . import streets

pytestmark = pytest.mark.django_db

HUNAN, TIANPING, HUAYANG = "310104004", "310104003", "310105001"


def _graded(s: dict[str, Any], value: str, grade: str, answers: list[list[int]]) -> None:
    from linli.risk import models as rm

    rm.Score.objects.create(
        round=s["round"], committee=s["committee"], value=Decimal(value), grade=grade,
        band_grade=grade,
    )  # fmt: skip
    survey = rm.Survey.objects.create(round=s["round"], title="问卷", questions=["q"] * 5)
    for row in answers:
        rm.SurveyResponse.objects.create(survey=survey, committee=s["committee"], answers=row)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Built once for the module inside a transaction rolled back at its end (each test's own
    changes are rolled back after it, as usual)."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _build() -> dict[str, Any]:
    from linli.geo.models import City, District

    a = streets.build("ZQA", HUNAN)
    b = streets.build("ZQB", TIANPING)
    c = streets.build("ZQC", HUAYANG)
    _graded(a, "40.00", "B", [[3] * 5, [4] * 5])  # survey 62.5
    _graded(b, "20.00", "C", [[5] * 5])  # survey 100.0
    _graded(c, "60.00", "A", [[1] * 5])
    xuhui = District.objects.get(code="310104")
    users = {"a_admin": a["admin"], "b_admin": b["admin"]}
    for name, role in (
        ("xuhui_safety", Role.DISTRICT_SAFETY),
        ("xuhui_civil", Role.DISTRICT_CIVIL),
        ("xuhui_housing", Role.DISTRICT_HOUSING),
    ):
        users[name] = User.objects.create(username=name, role=role, district=xuhui)
    users["city_viewer"] = User.objects.create(
        username="city_viewer", role=Role.CITY_VIEWER, city=City.objects.get(code="310000")
    )
    users["a_safety"] = User.objects.create(
        username="a_safety", role=Role.STREET_STAFF, department="safety", subdistrict=a["street"]
    )
    users["a_committee"] = User.objects.create(
        username="a_committee", role=Role.COMMITTEE_STAFF, committee=a["committee"]
    )
    for name, role in (
        ("inspector", Role.INSPECTOR),
        ("partner", Role.PARTNER),
        ("window", Role.WINDOW_CLERK),
        ("auditor", Role.AUDITOR),
    ):
        users[name] = User.objects.create(username=name, role=role, subdistrict=a["street"])
    return {"a": a, "b": b, "c": c, "users": users}


def _get(world: dict[str, Any], who: str, url: str = "/district/") -> Any:
    client = Client()
    client.force_login(world["users"][who])
    return client.get(url)


@pytest.mark.parametrize("who", ["xuhui_safety", "xuhui_civil", "xuhui_housing"])
def test_district_offices_see_their_districts_streets_side_by_side(
    world: dict[str, Any], who: str
) -> None:
    response = _get(world, who)
    assert response.status_code == 200
    text = response.content.decode()
    assert "湖南路街道" in text and "天平路街道" in text
    assert "华阳路街道" not in text  # 长宁区
    assert "全区平均" in text


def test_each_district_office_reads_the_figures_of_its_own_domains(world: dict[str, Any]) -> None:
    safety = _get(world, "xuhui_safety").content.decode()
    civil = _get(world, "xuhui_civil").content.decode()
    assert "平均风险值" in safety and "消防设施逾期占比" in safety
    assert "平均等候时间" not in safety and "社区活动场次" not in safety
    assert "平均等候时间" in civil and "社区活动场次" in civil
    assert "平均风险值" not in civil


def test_the_district_safety_office_sees_ranks_averages_and_the_survey_over_the_years(
    world: dict[str, Any],
) -> None:
    text = _get(world, "xuhui_safety").content.decode()
    # 天平路 (20.00) ranks first of two by risk, 湖南路 (40.00) second; the average is 30.00.
    assert '20.00</b> <small class="rank">第 1/2</small>' in text
    assert '40.00</b> <small class="rank">第 2/2</small>' in text
    assert "<b>30.00</b>" in text
    assert "居民安全感调查：历年名次" in text and "62.5" in text and "100.0" in text


def test_a_street_admin_sees_its_own_row_its_rank_and_the_average_only(
    world: dict[str, Any],
) -> None:
    response = _get(world, "a_admin")
    assert response.status_code == 200
    text = response.content.decode()
    assert "湖南路街道" in text
    assert "天平路街道" not in text and "华阳路街道" not in text
    assert "20.00" not in text  # 天平路's risk value
    assert '40.00</b> <small class="rank">第 2/2</small>' in text
    assert "<b>30.00</b>" in text  # the district average
    assert 'href="?sort=' not in text  # one row: no column to sort by


def test_the_other_streets_admin_sees_its_own_street_instead(world: dict[str, Any]) -> None:
    text = _get(world, "b_admin").content.decode()
    assert "天平路街道" in text and "湖南路街道" not in text
    assert '20.00</b> <small class="rank">第 1/2</small>' in text


def test_street_staff_see_their_own_street_only(world: dict[str, Any]) -> None:
    text = _get(world, "a_safety").content.decode()
    assert "湖南路街道" in text and "天平路街道" not in text


def test_the_city_reader_sees_every_street_of_the_district_it_chooses(
    world: dict[str, Any],
) -> None:
    first = _get(world, "city_viewer").content.decode()
    assert "湖南路街道" in first and "天平路街道" in first and "华阳路街道" not in first
    assert 'value="310105"' in first  # 长宁区 is offered
    changning = _get(world, "city_viewer", "/district/?district=310105").content.decode()
    assert "华阳路街道" in changning and "湖南路街道" not in changning
    # Its role reads risk only: no other domain's figures.
    assert "平均风险值" in first and "消防设施逾期占比" not in first


def test_a_district_code_outside_the_city_or_without_data_names_the_field(
    world: dict[str, Any],
) -> None:
    for code in ("999999", "310101"):  # unknown; 黄浦区 (no committees)
        response = _get(world, "city_viewer", f"/district/?district={code}")
        assert response.status_code == 400
        assert "district" in response.content.decode()


def test_an_unknown_sort_names_the_field_and_a_known_one_orders_best_first(
    world: dict[str, Any],
) -> None:
    bad = _get(world, "xuhui_safety", "/district/?sort=nope")
    assert bad.status_code == 400 and "sort" in bad.content.decode()
    # A figure of a domain the role does not read is not a sort key either.
    assert _get(world, "xuhui_safety", "/district/?sort=hall_wait").status_code == 400
    text = _get(world, "xuhui_safety", "/district/?sort=risk_mean").content.decode()
    assert text.index("天平路街道") < text.index("湖南路街道")
    text = _get(world, "xuhui_safety", "/district/?sort=survey").content.decode()
    assert text.index("天平路街道") < text.index("湖南路街道")


@pytest.mark.parametrize("who", ["a_committee", "inspector", "partner", "window", "auditor"])
def test_committee_inspector_partner_clerk_and_auditor_accounts_are_refused(
    world: dict[str, Any], who: str
) -> None:
    assert _get(world, who).status_code == 403
    assert _get(world, who, "/district/pdf/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(world: dict[str, Any]) -> None:
    response = Client().get("/district/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_nav_offers_the_comparison_to_whom_it_may_open(world: dict[str, Any]) -> None:
    link = 'href="/district/"'
    assert link in _get(world, "xuhui_safety", "/").content.decode()
    assert link in _get(world, "a_admin", "/").content.decode()
    assert link not in _get(world, "a_committee", "/").content.decode()


def _queries(world: dict[str, Any], who: str) -> int:
    client = Client()
    client.force_login(world["users"][who])
    client.get("/district/")  # sessions and caches settle
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/district/").status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_streets(world: dict[str, Any]) -> None:
    # Between them the three district offices read every domain's figures.
    who = ("xuhui_safety", "xuhui_civil", "xuhui_housing", "a_admin", "city_viewer")
    before = {w: _queries(world, w) for w in who}
    streets.build("ZQD", "310104007")  # two more streets of 徐汇区, with every kind of data
    streets.build("ZQE", "310104008")
    after = {w: _queries(world, w) for w in who}
    assert after == before
    assert max(before.values()) <= 20, before


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_is_a_pdf_of_the_same_comparison(world: dict[str, Any]) -> None:
    response = _get(world, "xuhui_safety", "/district/pdf/?sort=risk_mean")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "湖南路街道" in text and "天平路街道" in text and "华阳路街道" not in text
    assert "全区平均" in text


def test_a_street_admins_pdf_holds_its_own_street_only(world: dict[str, Any]) -> None:
    text = _pdf_text(_get(world, "a_admin", "/district/pdf/").content)
    assert "湖南路街道" in text and "天平路街道" not in text


def test_a_pdf_with_a_bad_sort_names_the_field(world: dict[str, Any]) -> None:
    response = _get(world, "xuhui_safety", "/district/pdf/?sort=nope")
    assert response.status_code == 400 and "sort" in response.content.decode()


def test_an_activity_without_a_host_committee_counts_for_the_street_of_its_position(
    world: dict[str, Any],
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from linli.community import models as cm
    from linli.dashboard import district

    b = world["b"]
    space = cm.Space.objects.filter(position=b["position"]).get()
    starts = timezone.now() - timedelta(days=3)
    cm.Event.objects.create(
        title="街道活动", space=space, starts_at=starts, ends_at=starts + timedelta(hours=1),
        capacity=10,
    )  # fmt: skip
    civil = world["users"]["xuhui_civil"]
    c = district.comparison(civil, district.frame(civil))
    activities = {r.name: r.cells["activities"].value for r in c.rows}
    # B's own activity lies in the future (not yet held); the street-wide one was held.
    assert activities == {"天平路街道": Decimal(1), "湖南路街道": None}
