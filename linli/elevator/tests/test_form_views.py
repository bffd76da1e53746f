"""One view per form: the roll's merge and developer buttons, closing a vote, settling an
objection. Each refuses staff out of reach and staff without the housing department."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from linli.elevator import services
from linli.elevator.models import Objection, OwnedUnit, Owner, Vote

pytestmark = pytest.mark.django_db


def units(block: dict[str, Any], *rooms: str) -> list[int]:
    return [u.pk for u in OwnedUnit.objects.filter(project=block["p1"], household__room__in=rooms)]


def test_merging_chosen_units_makes_one_owner(login: Any, block: dict[str, Any]) -> None:
    client = login("street_admin")
    before = Owner.objects.filter(project=block["p1"]).count()
    response = client.post(
        reverse("elevator:roll_merge", args=[block["p1"].pk]),
        {"unit": units(block, "101", "102")},
        follow=True,
    )
    assert "已合并为同一业主。" in response.content.decode()
    assert Owner.objects.filter(project=block["p1"]).count() == before - 1
    owners = {u.owner_id for u in OwnedUnit.objects.filter(pk__in=units(block, "101", "102"))}
    assert len(owners) == 1


def test_merging_one_unit_says_why_not(login: Any, block: dict[str, Any]) -> None:
    client = login("street_admin")
    response = client.post(
        reverse("elevator:roll_merge", args=[block["p1"].pk]),
        {"unit": units(block, "101")},
        follow=True,
    )
    assert "请选择至少两位业主合并。" in response.content.decode()
    # Values that are not row ids ("²" is a digit to str.isdigit, not to int) are dropped.
    response = client.post(
        reverse("elevator:roll_merge", args=[block["p1"].pk]),
        {"unit": [*units(block, "101"), "²", "9" * 40]},
        follow=True,
    )
    assert "请选择至少两位业主合并。" in response.content.decode()


def test_unsold_units_become_the_developer(login: Any, block: dict[str, Any]) -> None:
    client = login("street_admin")
    client.post(
        reverse("elevator:roll_developer", args=[block["p1"].pk]),
        {"unit": units(block, "601", "602")},
    )
    developer = Owner.objects.get(project=block["p1"], developer=True)
    assert sorted(u.household.room for u in developer.units.all()) == ["601", "602"]


def test_closing_a_vote_through_its_own_form(login: Any, block: dict[str, Any]) -> None:
    client = login("street_admin")
    response = client.post(reverse("elevator:vote_close", args=[block["v1"].pk]))
    assert response.status_code == 302
    assert Vote.objects.get(pk=block["v1"].pk).open is False
    assert client.get(reverse("elevator:vote_close", args=[block["v1"].pk])).status_code == 405


def test_settling_an_objection_through_its_own_form(login: Any, block: dict[str, Any]) -> None:
    objection = services.do_add_objection(
        block["actor"], block["p1"], objector=None, objector_label="一楼业主",
        reason="采光", raised=date(2025, 3, 1),
    )  # fmt: skip
    client = login("street_admin")
    client.post(
        reverse("elevator:objection_settle", args=[objection.pk]),
        {"status": "agreed", "agreement": "补偿一楼"},
    )
    objection.refresh_from_db()
    assert (objection.status, objection.agreement) == ("agreed", "补偿一楼")


@pytest.mark.parametrize(("role", "status"), [("committee_staff_2", 404), ("street_staff", 403)])
def test_the_form_views_refuse_who_may_not_manage(
    login: Any, block: dict[str, Any], role: str, status: int
) -> None:
    objection = services.do_add_objection(
        block["actor"], block["p1"], objector=None, objector_label="一楼业主",
        reason="采光", raised=date(2025, 3, 1),
    )  # fmt: skip
    client = login(role)
    pk = block["p1"].pk
    posts = [
        (reverse("elevator:roll_merge", args=[pk]), {"unit": units(block, "101", "102")}),
        (reverse("elevator:roll_developer", args=[pk]), {"unit": units(block, "601")}),
        (reverse("elevator:vote_close", args=[block["v1"].pk]), {}),
        (reverse("elevator:objection_settle", args=[objection.pk]),
         {"status": "agreed", "agreement": "x"}),
    ]  # fmt: skip
    for url, data in posts:
        assert client.post(url, data).status_code == status, url
    assert not Owner.objects.filter(project=block["p1"], developer=True).exists()
    assert Vote.objects.get(pk=block["v1"].pk).open is True
    assert Objection.objects.get(pk=objection.pk).status == "open"
    assert Owner.objects.filter(project=block["p1"]).count() == 12
