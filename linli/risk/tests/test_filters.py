"""The risk lists filter through one definition (``filters``): a page and its API list give the
same rows for the same query, and a bad value is named by its field, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from linli.core.context import Actor
from linli.risk import services
from linli.risk.models import HazardCase, Round, Sample

from .conftest import fill

pytestmark = pytest.mark.django_db


def _submit(rnd: Round, users: Any) -> None:
    """One submitted sample with findings per committee (B and lower cases in each)."""
    for code in ("HN01", "HN02"):
        sample = Sample.objects.filter(round=rnd, committee__code=code).order_by("label").first()
        assert sample is not None
        fill(sample, users["inspector"], {"XF01": [4], "HJ02": [2], "RQ02": [4]})
        services.do_submit_sample(Actor(users["inspector"]), sample)


def _page_cases(client: Any, query: dict[str, Any]) -> set[int]:
    page = client.get("/risk/cases/", query)
    assert page.status_code == 200
    return {int(pk) for pk in re.findall(r'href="/risk/cases/(\d+)/"', page.content.decode())}


def _api_ids(client: Any, url: str, query: dict[str, Any]) -> set[int]:
    answer = client.get(url, query)
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["results"]}


def test_the_cases_page_and_api_filter_alike(
    drawn: Round, users: Any, street: Any, login: Any
) -> None:
    _submit(drawn, users)
    late = HazardCase.objects.filter(committee=street["c2"], grade="D").first()
    assert late is not None
    HazardCase.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    client = login("street_admin")
    c1, c2 = street["c1"].pk, street["c2"].pk
    expected = {
        "committee": set(HazardCase.objects.filter(committee_id=c1).values_list("pk", flat=True)),
        "grade": set(HazardCase.objects.filter(grade="B").values_list("pk", flat=True)),
        "both": set(
            HazardCase.objects.filter(committee_id=c2, grade="D").values_list("pk", flat=True)
        ),
        "overdue": {late.pk},
    }
    queries: dict[str, dict[str, Any]] = {
        "committee": {"committee": c1},
        "grade": {"grade": "B"},
        "both": {"committee": c2, "grade": "D"},
        "overdue": {"overdue": "1"},
    }
    for key, query in queries.items():
        assert expected[key], key  # each query selects something, and not everything
        assert expected[key] != set(HazardCase.objects.values_list("pk", flat=True)), key
        assert _page_cases(client, query) == expected[key], key
        assert _api_ids(client, "/api/v1/risk/cases/", query) == expected[key], key
    # "open" (未销号) is a state choice of both
    closed = HazardCase.objects.filter(committee_id=c1).first()
    assert closed is not None
    HazardCase.objects.filter(pk=closed.pk).update(state=HazardCase.State.CLOSED)
    still_open = set(HazardCase.objects.exclude(pk=closed.pk).values_list("pk", flat=True))
    assert _page_cases(client, {"state": "open"}) == still_open
    assert _api_ids(client, "/api/v1/risk/cases/", {"state": "open"}) == still_open


def test_the_inspectors_samples_page_and_api_filter_alike(
    drawn: Round, users: Any, street: Any, login: Any
) -> None:
    _submit(drawn, users)
    client = login("inspector")
    for query, rows in (
        ({"state": "submitted"}, Sample.objects.filter(state="submitted")),
        ({"committee": street["c2"].pk}, Sample.objects.filter(committee=street["c2"])),
        ({"q": "S2"}, Sample.objects.filter(label="S2")),
    ):
        expected = set(rows.values_list("pk", flat=True))
        assert expected and expected != set(Sample.objects.values_list("pk", flat=True))
        page = client.get("/risk/samples/mine/", query).content.decode()
        shown = {int(pk) for pk in re.findall(r'href="/risk/samples/(\d+)/"', page)}
        assert shown == expected, query
        assert _api_ids(client, "/api/v1/risk/my-samples/", query) == expected, query


def test_the_round_samples_page_filters_by_committee_id(
    drawn: Round, street: Any, login: Any
) -> None:
    client = login("street_admin")
    page = client.get(f"/risk/rounds/{drawn.pk}/samples/", {"committee": street["c2"].pk})
    text = page.content.decode()
    assert street["c2"].name in text[text.index("<tbody") :]
    assert street["c1"].name not in text[text.index("<tbody") :]
    api = client.get("/api/v1/risk/samples/", {"round": drawn.pk, "committee": street["c2"].pk})
    assert {row["committee_code"] for row in api.json()["results"]} == {"HN02"}


@pytest.mark.parametrize(
    ("url", "page", "query", "field"),
    [
        ("/api/v1/risk/cases/", "/risk/cases/", {"grade": "E"}, "grade"),
        ("/api/v1/risk/cases/", "/risk/cases/", {"state": "lost"}, "state"),
        ("/api/v1/risk/cases/", "/risk/cases/", {"committee": "HN01x"}, "committee"),
        ("/api/v1/risk/cases/", "/risk/cases/", {"round": "first"}, "round"),
        ("/api/v1/risk/samples/", None, {"round": "x"}, "round"),
        ("/api/v1/risk/scores/", None, {"grade": "Z"}, "grade"),
        ("/api/v1/risk/rounds/", None, {"status": "gone"}, "status"),
    ],
)
def test_a_bad_filter_value_names_its_field(
    drawn: Round, login: Any, url: str, page: str | None, query: dict[str, str], field: str
) -> None:
    client = login("street_admin")
    answer = client.get(url, query)
    assert answer.status_code == 400
    assert field in answer.json()["fields"]
    if page is not None:
        shown = client.get(page, query)
        assert shown.status_code == 200
        assert "筛选条件有误" in shown.content.decode()


def test_a_committee_outside_reach_is_refused_as_a_field(
    drawn: Round, users: Any, street: Any, login: Any
) -> None:
    _submit(drawn, users)
    client = login("committee_staff")  # 陕新 (HN01) only
    answer = client.get("/api/v1/risk/cases/", {"committee": street["c2"].pk})
    assert answer.status_code == 400 and "committee" in answer.json()["fields"]
    shown = client.get("/risk/cases/", {"committee": street["c2"].pk})
    assert "筛选条件有误" in shown.content.decode()
    own = set(HazardCase.objects.filter(committee=street["c1"]).values_list("pk", flat=True))
    assert _page_cases(client, {"committee": street["c2"].pk}) == own


def test_a_committee_code_still_filters_the_page_and_the_api(
    drawn: Round, users: Any, street: Any, login: Any
) -> None:
    """Old bookmarks say ``?committee=HN01``: the code is read as the committee it names."""
    _submit(drawn, users)
    client = login("street_admin")
    own = set(HazardCase.objects.filter(committee=street["c1"]).values_list("pk", flat=True))
    assert own and _page_cases(client, {"committee": "HN01"}) == own
    page = client.get("/risk/cases/", {"committee": "HN01"}).content.decode()
    assert "筛选条件有误" not in page
    assert f'<option value="{street["c1"].pk}" selected>' in page
    assert _api_ids(client, "/api/v1/risk/cases/", {"committee": "HN01"}) == own
    api = client.get("/api/v1/risk/samples/", {"round": drawn.pk, "committee": "HN02"})
    assert {row["committee_code"] for row in api.json()["results"]} == {"HN02"}


def test_a_committee_code_outside_reach_is_a_field_error(
    drawn: Round, users: Any, street: Any, login: Any
) -> None:
    _submit(drawn, users)
    client = login("committee_staff")  # 陕新 (HN01) only
    answer = client.get("/api/v1/risk/cases/", {"committee": "HN02"})
    assert answer.status_code == 400 and "committee" in answer.json()["fields"]
    shown = client.get("/risk/cases/", {"committee": "HN02"}).content.decode()
    assert "筛选条件有误" in shown


def test_a_district_user_narrows_the_samples_to_one_street(
    drawn: Round, street: Any, client: Any
) -> None:
    from linli.core.models import User
    from linli.core.roles import Role
    from linli.geo import divisions
    from linli.geo.models import Building, Committee, District, Estate, Subdistrict

    divisions.load(Actor.system("test"))
    tianping = Subdistrict.objects.get(code="310104003")
    other = Committee.objects.create(subdistrict=tianping, code="TP01", name="天平居委")
    estate = Estate.objects.create(committee=other, name="天平弄", kind="lane")
    building = Building.objects.create(
        estate=estate, committee=other, name="天平1号楼", housing_type="lane",
        structure="brick_timber", floors=3, year_built=1930,
    )  # fmt: skip
    Sample.objects.create(
        round=drawn, committee=other, building=building, label="S1", stratum="里弄", draw_record={}
    )
    district = User.objects.create(
        username="d", role=Role.DISTRICT_SAFETY, district=District.objects.get(code="310104")
    )
    client.force_login(district)
    url = f"/risk/rounds/{drawn.pk}/samples/"

    def rows(query: dict[str, Any]) -> tuple[str, str]:
        text = client.get(url, query).content.decode()
        return text, text[text.index("<tbody") :]

    whole, body = rows({})
    assert 'name="street"' in whole and "天平居委" in body and street["c1"].name in body
    _page, narrowed = rows({"street": tianping.pk})
    assert "天平居委" in narrowed and street["c1"].name not in narrowed
    _page, own = rows({"street": street["subdistrict"].pk})
    assert "天平居委" not in own and street["c1"].name in own
    api = client.get("/api/v1/risk/samples/", {"round": drawn.pk, "street": tianping.pk})
    assert {row["committee_code"] for row in api.json()["results"]} == {"TP01"}
    # A street's account never sees the field; a street in its query changes nothing.
    mine = User.objects.create(
        username="s", role=Role.STREET_ADMIN, subdistrict=street["subdistrict"]
    )
    street_admin = client
    street_admin.force_login(mine)
    for page in (url, "/risk/cases/"):
        seen = street_admin.get(page)
        assert seen.status_code == 200 and 'name="street"' not in seen.content.decode()
    shown = street_admin.get(url, {"street": tianping.pk}).content.decode()
    assert street["c1"].name in shown[shown.index("<tbody") :]
    answer = street_admin.get("/api/v1/risk/samples/", {"round": drawn.pk, "street": tianping.pk})
    assert "TP01" not in {row["committee_code"] for row in answer.json()["results"]}
