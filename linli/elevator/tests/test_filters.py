"""One filter definition per list: the page and the API list narrow alike, within reach, and
bad filter input names the field instead of failing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.elevator import services
from linli.elevator.models import Consultation, Project

pytestmark = pytest.mark.django_db

PROJECT_NAME = re.compile(r'<a href="/elevator/projects/\d+/">([^<]+)</a>')


@pytest.fixture
def staged(block: dict[str, Any]) -> dict[str, Any]:
    """加梯项目1号 at stage 3 and on shared ground; 加梯项目2号 (another committee) stays at 0."""
    Project.objects.filter(pk=block["p1"].pk).update(stage=3, uses_shared_ground=True)
    return block


def page_names(client: Any, query: str) -> list[str]:
    response = client.get(f"{reverse('elevator:index')}?{query}")
    assert response.status_code == 200
    return sorted(PROJECT_NAME.findall(response.content.decode()))


def api_names(client: Any, query: str) -> list[str]:
    response = client.get(f"/api/v1/elevator/projects/?{query}")
    assert response.status_code == 200
    return sorted(p["name"] for p in response.json()["results"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["加梯项目1号", "加梯项目2号"]),
        ("stage=3", ["加梯项目1号"]),
        ("stage=0", ["加梯项目2号"]),
        ("uses_shared_ground=true", ["加梯项目1号"]),
        ("uses_shared_ground=false", ["加梯项目2号"]),
        ("q=新乐", ["加梯项目2号"]),  # the committee's name
        ("q=2号", ["加梯项目2号"]),
    ],
)
def test_the_project_page_and_the_api_filter_alike(
    login: Any, staged: dict[str, Any], query: str, expected: list[str]
) -> None:
    client = login("street_admin")
    assert page_names(client, query) == expected
    assert api_names(client, query) == expected


def test_the_committee_filter_narrows_page_api_and_export_alike(
    login: Any, staged: dict[str, Any], street: dict[str, Any]
) -> None:
    client = login("street_admin")
    query = f"committee={street['c2'].pk}"
    assert page_names(client, query) == ["加梯项目2号"]
    assert api_names(client, query) == ["加梯项目2号"]
    export = client.get(f"{reverse('elevator:export')}?{query}")
    assert export.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(export.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["加梯项目2号"]


def test_a_committee_out_of_reach_is_a_field_error_not_its_projects(
    login: Any, staged: dict[str, Any], street: dict[str, Any]
) -> None:
    client = login("committee_staff")  # reaches HN01 only
    query = f"committee={street['c2'].pk}"
    page = client.get(f"{reverse('elevator:index')}?{query}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "加梯项目2号" not in body
    assert 'role="alert"' in body and "居委：" in body
    api = client.get(f"/api/v1/elevator/projects/?{query}")
    assert api.status_code == 400
    assert list(api.json()["fields"]) == ["committee"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("stage=abc", "stage"), ("stage=99", "stage"), ("committee=x", "committee")],
)
def test_bad_project_filter_input_names_the_field(
    login: Any, staged: dict[str, Any], query: str, field: str
) -> None:
    client = login("street_admin")
    page = client.get(f"{reverse('elevator:index')}?{query}")
    assert page.status_code == 200
    assert PROJECT_NAME.findall(page.content.decode()) == []  # not the unfiltered list
    assert 'class="errorlist" role="alert"' in page.content.decode()
    api = client.get(f"/api/v1/elevator/projects/?{query}")
    assert api.status_code == 400
    assert list(api.json()["fields"]) == [field]


def test_the_vote_api_filters_by_project_scope_and_state(login: Any, block: dict[str, Any]) -> None:
    client = login("street_admin")
    services.do_close_vote(block["actor"], block["v2"])

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/elevator/votes/?{query}")
        assert response.status_code == 200
        return sorted(v["id"] for v in response.json()["results"])

    assert ids(f"project={block['p1'].pk}") == [block["v1"].pk]
    assert ids("open=true") == [block["v1"].pk]
    assert ids("open=false") == [block["v2"].pk]
    assert ids("scope=estate") == []
    bad = client.get("/api/v1/elevator/votes/?scope=street")
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["scope"]


def test_the_consultation_page_filters_and_names_a_bad_field(
    login: Any, block: dict[str, Any]
) -> None:
    for asker, channel, done in (("陈先生", "phone", False), ("李阿姨", "visit", True)):
        services.do_save_consultation(
            block["actor"],
            Consultation(at=timezone.now(), channel=channel, asker=asker, question="q", done=done),
        )
    client = login("street_admin")
    url = reverse("elevator:consultations")
    open_page = client.get(f"{url}?state=open").content.decode()
    assert "陈先生" in open_page and "李阿姨" not in open_page
    visits = client.get(f"{url}?channel=visit").content.decode()
    assert "李阿姨" in visits and "陈先生" not in visits
    bad = client.get(f"{url}?state=later")
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "陈先生" not in body and "李阿姨" not in body
    assert "状态：" in body


def test_the_roll_page_narrows_to_the_building_and_names_a_bad_scope(
    login: Any, block: dict[str, Any]
) -> None:
    client = login("street_admin")
    url = reverse("elevator:roll", args=[block["p1"].pk])
    assert client.get(f"{url}?scope=building").status_code == 200
    bad = client.get(f"{url}?scope=city")
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "范围：" in body
    assert "业主1101" not in body
