"""Who sees what: the permission matrix through the pages and the API, and committee scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from linli.core.models import AuditRecord

pytestmark = pytest.mark.django_db

PAGES = {
    # role: (places list, residents list, audit log)
    "street_admin": (200, 200, 403),
    "street_staff": (200, 200, 403),
    "committee_staff": (200, 200, 403),
    # Issue 10: the inspector, the window and the back office no longer list the street's places.
    "inspector": (403, 403, 403),
    "window_clerk": (403, 403, 403),
    "backoffice_clerk": (403, 403, 403),
    "partner": (403, 403, 403),
    "auditor": (403, 403, 200),
    "system_admin": (403, 403, 403),
    "security_admin": (403, 403, 403),
}


@pytest.mark.parametrize(("role", "expected"), PAGES.items())
def test_page_matrix(login: Any, role: str, expected: tuple[int, int, int]) -> None:
    client = login(role)
    got = (
        client.get(reverse("geo:list", args=["buildings"])).status_code,
        client.get(reverse("geo:list", args=["residents"])).status_code,
        client.get(reverse("audit_log")).status_code,
    )
    assert got == expected


def test_login_is_required_by_default(client: Any, street: Any) -> None:
    for url in ("/", "/places/buildings/", "/audit/", "/modules/risk/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert client.get("/api/v1/buildings/").status_code in (401, 403)


def test_public_pages_opt_out_explicitly(client: Any, street: Any) -> None:
    assert client.get("/login/").status_code == 200
    assert client.post("/display/large-type/", {"next": "/login/"}).status_code == 302


def test_committee_staff_see_only_their_committee(login: Any, street: dict[str, Any]) -> None:
    client = login("committee_staff")
    page = client.get(reverse("geo:list", args=["buildings"])).content.decode()
    assert street["estate1"].name in page
    assert street["estate2"].name not in page
    own = client.get(reverse("geo:detail", args=["buildings", street["building1"].pk]))
    assert own.status_code == 200
    other = client.get(reverse("geo:detail", args=["buildings", street["building2"].pk]))
    assert other.status_code == 403
    edit = client.post(
        reverse("geo:edit", args=["households", street["household2"].pk]),
        {"entrance": street["entrance2"].pk, "room": "x", "floor": 1, "exclusive_area": "9"},
    )
    assert edit.status_code == 403
    street["household2"].refresh_from_db()
    assert street["household2"].room == "1楼前楼"


def test_committee_staff_api_is_scoped(login: Any, street: dict[str, Any]) -> None:
    client = login("committee_staff")
    data = client.get("/api/v1/households/").json()
    assert [h["committee"] for h in data["results"]] == [street["c1"].pk]
    assert client.get(f"/api/v1/households/{street['household2'].pk}/").status_code == 404


def test_street_staff_see_every_committee(login: Any, street: dict[str, Any]) -> None:
    data = login("street_staff").get("/api/v1/households/").json()
    assert data["count"] == 2


def test_token_auth_for_integrations(client: Any, users: dict[str, Any]) -> None:
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=users["street_staff"])
    ok = client.get("/api/v1/buildings/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert ok.status_code == 200 and ok.json()["count"] == 2
    bad = client.get("/api/v1/buildings/", HTTP_AUTHORIZATION="Token nope")
    assert bad.status_code == 401


def test_api_errors_carry_a_code(login: Any, street: dict[str, Any]) -> None:
    client = login("street_admin")
    response = client.post(
        "/api/v1/households/",
        {"entrance": street["entrance1"].pk, "room": "2楼", "floor": 2, "exclusive_area": "-1"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "exclusive_area" in body["fields"]


def test_inspector_cannot_change_places(login: Any, street: dict[str, Any]) -> None:
    client = login("inspector")
    response = client.post(
        "/api/v1/estates/",
        {"committee": street["c1"].pk, "name": "新建小区", "kind": "estate"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not AuditRecord.objects.filter(action="geo.estate.create").exists()


def test_committee_filter_offers_only_the_committees_in_scope(
    login: Any, street: dict[str, Any]
) -> None:
    page = login("committee_staff").get(reverse("geo:list", args=["buildings"])).content.decode()
    assert f'<option value="{street["c1"].pk}">陕新居委</option>' in page
    assert "新乐居委" not in page
