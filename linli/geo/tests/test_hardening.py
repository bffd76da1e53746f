"""Issue 10 findings on places: each answered 500 or let committee staff rewrite their
committee's identity before the fix."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from linli.geo.models import Committee

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["committees", "estates", "buildings", "entrances", "households"])
def test_search_q_on_the_place_lists_pages_exports_and_api(login: Any, kind: str) -> None:
    client = login("street_admin")
    assert client.get(reverse("geo:list", args=[kind]), {"q": "长乐"}).status_code == 200
    assert client.get(reverse("geo:export", args=[kind]), {"q": "长乐"}).status_code == 200
    response = client.get(f"/api/v1/{kind}/", {"q": "长乐"})
    assert response.status_code == 200


def test_search_q_finds_by_name(login: Any) -> None:
    body = login("street_admin").get("/api/v1/committees/", {"q": "陕新"}).json()
    assert [c["name"] for c in body["results"]] == ["陕新居委"]


@pytest.mark.parametrize("kind", ["extinguishers", "sprinklers", "charging"])
def test_search_q_on_the_fire_registry(login: Any, kind: str) -> None:
    client = login("street_admin")
    assert client.get(reverse("fire:list", args=[kind]), {"q": "x"}).status_code == 200
    assert client.get(reverse("fire:export", args=[kind]), {"q": "x"}).status_code == 200


def test_duplicate_committee_code_is_a_named_error(login: Any) -> None:
    client = login("street_admin")
    response = client.post("/api/v1/committees/", {"code": "HN01", "name": "另一个"})
    assert response.status_code == 400
    assert "code" in response.json()
    assert Committee.objects.filter(code="HN01").count() == 1


def test_a_committee_created_through_the_api_joins_the_street(login: Any, street: Any) -> None:
    response = login("street_admin").post("/api/v1/committees/", {"code": "HN03", "name": "新"})
    assert response.status_code == 201
    assert Committee.objects.get(code="HN03").subdistrict == street["subdistrict"]


def test_non_numeric_id_on_reveal_is_not_found(login: Any) -> None:
    response = login("street_admin").post("/api/v1/residents/abc/reveal/", {"purpose": "x"})
    assert response.status_code == 404


def test_a_huge_number_in_a_filter_is_a_bad_request(login: Any) -> None:
    client = login("street_admin")
    response = client.get("/api/v1/estates/", {"committee": "9" * 30})
    assert response.status_code == 400
    response = client.get(reverse("geo:list", args=["estates"]), {"committee": "9" * 30})
    assert response.status_code in (200, 400)  # the page's form refuses or ignores it; no 500


def test_committee_staff_cannot_change_their_committee_code_or_area(
    login: Any, street: Any
) -> None:
    client = login("committee_staff")
    c1 = street["c1"]
    response = client.patch(
        f"/api/v1/committees/{c1.pk}/", {"code": "ZZ99"}, content_type="application/json"
    )
    assert response.status_code == 403
    response = client.patch(
        f"/api/v1/committees/{c1.pk}/", {"area": None}, content_type="application/json"
    )
    assert response.status_code == 403
    # The page's form shows them but does not take them; the address is theirs to keep.
    client.post(
        reverse("geo:edit", args=["committees", c1.pk]),
        {"code": "ZZ99", "name": c1.name, "area": "", "address": "新地址", "map_x": 0, "map_y": 0},
    )
    c1.refresh_from_db()
    assert (c1.code, c1.area_id, c1.address) == ("HN01", street["area"].pk, "新地址")
    response = client.patch(
        f"/api/v1/committees/{c1.pk}/", {"address": "又一个"}, content_type="application/json"
    )
    assert response.status_code == 200


def test_navigation_and_403_offer_only_what_the_role_may_open(client: Any, users: Any) -> None:
    client.force_login(users["window_clerk"])
    home = client.get("/").content.decode()
    assert 'href="/hall/"' in home
    assert 'href="/risk/"' not in home and 'href="/elevator/"' not in home
    assert reverse("geo:list", args=["households"]) not in home
    refused = client.get(reverse("geo:list", args=["households"]))
    assert refused.status_code == 403
    page = refused.content.decode()
    assert 'href="/hall/"' in page and 'href="/fire/"' not in page
    client.force_login(users["inspector"])
    home = client.get("/").content.decode()
    assert 'href="/risk/"' in home and 'href="/hall/"' not in home
