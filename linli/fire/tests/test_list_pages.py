"""The registers page by keyset and narrow to one street for a district account."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.core.context import Actor
from linli.core.models import User
from linli.core.roles import Role
from linli.geo import divisions
from linli.geo.models import Committee, District, Subdistrict

from .factories import extinguisher

pytestmark = pytest.mark.django_db

URL = "/fire/registry/extinguishers/"


def _next(html: str) -> str:
    found = re.search(r'rel="next" href="\?([^"]*)"', html)
    assert found
    return "?" + found.group(1).replace("&amp;", "&")


def test_the_extinguisher_register_pages_by_keyset(login: Any, street: Any) -> None:
    for n in range(60):
        extinguisher(street, serial=f"MH{n:03d}")
    client = login("street_admin")
    first = client.get(URL).content.decode()
    assert "共 60 条" in first and "MH000" in first and "MH059" not in first
    with CaptureQueriesContext(connection) as ctx_first:
        client.get(URL)
    with CaptureQueriesContext(connection) as ctx_next:
        second = client.get(URL + _next(first)).content.decode()
    assert "MH059" in second and "MH000" not in second
    assert len(ctx_first.captured_queries) == len(ctx_next.captured_queries)
    assert not [q for q in ctx_next.captured_queries if "OFFSET" in q["sql"].upper()]
    bad = client.get(URL, {"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and "分页位置无效" in bad.content.decode()


def test_a_district_user_narrows_the_registers_to_one_street(client: Any, street: Any) -> None:
    divisions.load(Actor.system("test"))
    tianping = Subdistrict.objects.get(code="310104003")
    other = Committee.objects.create(subdistrict=tianping, code="TP01", name="天平居委")
    extinguisher(street, serial="HN-E1")
    extinguisher(street, serial="TP-E1", committee=other, building=None, entrance=None)
    client.force_login(User.objects.create(
        username="d", role=Role.DISTRICT_SAFETY, district=District.objects.get(code="310104")
    ))  # fmt: skip
    whole = client.get(URL).content.decode()
    assert 'name="street"' in whole and "HN-E1" in whole and "TP-E1" in whole
    narrowed = client.get(URL, {"street": tianping.pk}).content.decode()
    assert "TP-E1" in narrowed and "HN-E1" not in narrowed
