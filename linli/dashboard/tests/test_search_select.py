"""City-size choices become search boxes: the form field, the page, and the reach-scoped
search behind it."""

from __future__ import annotations

from typing import Any

import pytest

from linli.core import widgets
from linli.geo.forms import EstateForm, ResidentForm
from linli.geo.models import Estate, Household

pytestmark = pytest.mark.django_db


def test_a_select_becomes_a_search_box_only_above_the_limit(street: dict[str, Any]) -> None:
    small = ResidentForm()
    widgets.use_search_boxes(small, above=2)  # two households: a plain select stays
    assert type(small.fields["household"]) is not widgets.SearchChoiceField
    large = ResidentForm()
    widgets.use_search_boxes(large, above=1)
    field = large.fields["household"]
    assert isinstance(field, widgets.SearchChoiceField)
    html = str(large["household"])
    assert "<select" not in html
    assert 'data-search="/choices/?kind=households"' in html
    assert 'role="combobox"' in html


def test_the_search_box_takes_an_id_or_a_committee_code(street: dict[str, Any]) -> None:
    data = {"name": "新弄", "kind": "lane", "address": "", "management": "housing_authority"}
    by_code = EstateForm({**data, "committee": "HN02"})
    widgets.use_search_boxes(by_code, above=1)
    assert by_code.is_valid(), by_code.errors
    assert by_code.cleaned_data["committee"] == street["c2"]
    by_id = EstateForm({**data, "committee": str(street["c1"].pk)})
    widgets.use_search_boxes(by_id, above=1)
    assert by_id.is_valid(), by_id.errors
    assert by_id.cleaned_data["committee"] == street["c1"]
    unknown = EstateForm({**data, "committee": "NOPE"})
    widgets.use_search_boxes(unknown, above=1)
    assert not unknown.is_valid()
    assert "committee" in unknown.errors


def test_the_edit_page_shows_the_search_box_with_the_current_choice(
    login: Any, street: dict[str, Any], monkeypatch: Any
) -> None:
    monkeypatch.setattr(widgets, "SEARCH_ABOVE", 1)
    client = login("street_admin")
    estate = street["estate1"]
    html = client.get(f"/places/estates/{estate.pk}/edit/").content.decode()
    assert 'data-search="/choices/?kind=committees"' in html
    assert f'value="{street["c1"].pk}"' in html
    assert 'class="search-select-current"' in html and "陕新居委" in html
    assert "/static/linli/js/search-select.js" in html
    saved = client.post(
        f"/places/estates/{estate.pk}/edit/",
        {"committee": "HN02", "name": estate.name, "kind": "lane", "address": "",
         "management": "housing_authority"},
    )  # fmt: skip
    assert saved.status_code == 302
    assert Estate.objects.get(pk=estate.pk).committee == street["c2"]


def test_the_search_finds_only_the_accounts_reach(login: Any, street: dict[str, Any]) -> None:
    staff = login("committee_staff")  # committee 1 only
    found = staff.get("/choices/", {"kind": "households", "q": "1楼"}).json()["results"]
    assert [row["id"] for row in found] == [street["household1"].pk]
    other = street["household2"].pk
    assert staff.get("/choices/", {"kind": "households", "q": str(other)}).json() == {"results": []}
    admin = login("street_admin")
    both = admin.get("/choices/", {"kind": "households", "q": "1楼"}).json()["results"]
    assert {row["id"] for row in both} == set(Household.objects.values_list("pk", flat=True))
    assert admin.get("/choices/", {"kind": "committees", "q": "HN02"}).json()["results"] == [
        {"id": street["c2"].pk, "label": "新乐居委"}
    ]


def test_the_search_names_a_bad_input(login: Any, street: dict[str, Any]) -> None:
    client = login("street_admin")
    unknown = client.get("/choices/", {"kind": "residents", "q": "王"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "kind"
    nul = client.get("/choices/", {"kind": "households", "q": "1\x00"})
    assert nul.status_code == 400 and nul.json()["field"] == "q"
    assert client.get("/choices/", {"kind": "households"}).json() == {"results": []}


def test_the_search_needs_the_places_permission(login: Any, street: dict[str, Any]) -> None:
    assert (
        login("window_clerk").get("/choices/", {"kind": "households", "q": "1"}).status_code == 403
    )
