"""Two streets in one installation: street A never reads or changes street B's lift rows."""

from __future__ import annotations

import importlib
from io import BytesIO
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linli.core.context import Actor
from linli.core.roles import Role
from linli.elevator import errors, services
from linli.elevator.models import Consultation, Project

from .conftest import project_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def streets(street: dict[str, Any]) -> dict[str, Any]:
    """湖南路 (street A: HN01, HN02) and 天平路 (street B: TP01), each with its own street admin,
    one lift project with an open vote, a consultation of a committee and one of the street."""
    from linli.core.models import User
    from linli.geo.models import Building, Committee, Estate, Subdistrict

    a = street["subdistrict"]
    b = Subdistrict.objects.create(code="310104003", name="天平路街道", district=a.district)
    tp01 = Committee.objects.create(subdistrict=b, code="TP01", name="天平居委")
    estate = Estate.objects.create(committee=tp01, name="天平新村", kind="estate")
    building_b = Building.objects.create(
        estate=estate, committee=tp01, name="7号楼", housing_type="public",
        structure="brick_concrete", floors=6,
    )  # fmt: skip
    out: dict[str, Any] = {"a": a, "b": b, "c1": street["c1"], "tp01": tp01}
    for key, place in (("a", a), ("b", b)):
        admin = User(username=f"admin_{key}", role=Role.STREET_ADMIN, subdistrict=place)
        admin.save()
        out[f"admin_{key}"] = admin
    district = User(username="district", role=Role.DISTRICT_HOUSING, district=a.district)
    district.save()
    out["district"] = district
    for key, building, committee in (
        ("a", street["building1"], street["c1"]),
        ("b", building_b, tp01),
    ):
        actor = Actor(out[f"admin_{key}"], "test")
        project = services.do_save_project(actor, Project(building=building, name=f"{key}街加梯"))
        out[f"project_{key}"] = project
        out[f"vote_{key}"] = services.do_open_vote(
            actor, project, "building", "SH-801-building", project_date()
        )
        for label, on_committee in (("居委", committee), ("街道", None)):
            entry = Consultation(
                at=timezone.now(), channel="phone", asker=f"{key}街{label}咨询", question="q",
                committee=on_committee,
            )  # fmt: skip
            services.do_save_consultation(actor, entry)
            out[f"consult_{key}_{'committee' if on_committee else 'street'}"] = entry
    return out


def _as(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_a_consultation_without_committee_belongs_to_the_street_that_logged_it(
    streets: dict[str, Any],
) -> None:
    assert streets["consult_a_street"].subdistrict_id == streets["a"].pk
    assert streets["consult_b_street"].subdistrict_id == streets["b"].pk
    assert streets["consult_b_committee"].subdistrict_id == streets["b"].pk


def test_street_a_reads_only_its_own_consultations(client: Client, streets: dict[str, Any]) -> None:
    page = _as(client, streets["admin_a"]).get(reverse("elevator:consultations"))
    body = page.content.decode()
    assert "a街居委咨询" in body
    assert "a街街道咨询" in body
    assert "b街街道咨询" not in body
    assert "b街居委咨询" not in body
    export = client.get(reverse("elevator:consultations"), {"export": "1"})
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.content)).active
    askers = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert askers == {"a街居委咨询", "a街街道咨询"}


def test_street_a_cannot_open_or_change_street_bs_consultation(
    client: Client, streets: dict[str, Any]
) -> None:
    theirs = streets["consult_b_street"]
    _as(client, streets["admin_a"])
    url = reverse("elevator:consultation_edit", args=[theirs.pk])
    assert client.get(url).status_code == 404
    response = client.post(
        url, {"at": "2026-03-01T09:00", "channel": "visit", "asker": "改了", "question": "q"}
    )
    assert response.status_code == 404
    assert Consultation.objects.get(pk=theirs.pk).asker == "b街街道咨询"


def test_the_service_refuses_street_a_saving_street_bs_consultation(
    streets: dict[str, Any],
) -> None:
    theirs = Consultation.objects.get(pk=streets["consult_b_street"].pk)
    theirs.asker = "改了"
    with pytest.raises(PermissionDenied):
        services.do_save_consultation(Actor(streets["admin_a"], "test"), theirs)
    theirs.committee = streets["c1"]  # nor by moving it to one of street A's committees
    with pytest.raises(PermissionDenied):
        services.do_save_consultation(Actor(streets["admin_a"], "test"), theirs)
    assert Consultation.objects.get(pk=theirs.pk).asker == "b街街道咨询"


def test_a_consultation_needs_a_street_when_the_account_has_none(
    streets: dict[str, Any], users: dict[str, Any]
) -> None:
    """The unassigned street admin of a two-street installation reaches no street: refused."""
    entry = Consultation(at=timezone.now(), channel="phone", asker="无街道", question="q")
    with pytest.raises(errors.ElevatorError) as caught:
        services.do_save_consultation(Actor(users["street_admin"], "test"), entry)
    assert caught.value.field == "committee"
    assert not Consultation.objects.filter(asker="无街道").exists()


def test_the_district_reads_every_streets_consultations_and_a_committee_its_own(
    client: Client, streets: dict[str, Any], users: dict[str, Any]
) -> None:
    body = _as(client, streets["district"]).get(reverse("elevator:consultations")).content.decode()
    for asker in ("a街居委咨询", "a街街道咨询", "b街居委咨询", "b街街道咨询"):
        assert asker in body
    own = _as(Client(), users["committee_staff"]).get(reverse("elevator:consultations"))
    mine = own.content.decode()
    assert "a街居委咨询" in mine
    assert "a街街道咨询" not in mine
    assert "b街居委咨询" not in mine


def test_street_a_never_reads_street_bs_projects_and_votes_over_pages_and_api(
    client: Client, streets: dict[str, Any]
) -> None:
    _as(client, streets["admin_a"])
    index = client.get(reverse("elevator:index")).content.decode()
    assert "a街加梯" in index
    assert "b街加梯" not in index
    theirs, their_vote = streets["project_b"], streets["vote_b"]
    for name in ("project", "roll", "costs"):
        assert client.get(reverse(f"elevator:{name}", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("elevator:vote", args=[their_vote.pk])).status_code == 404
    projects = client.get("/api/v1/elevator/projects/").json()["results"]
    assert [p["name"] for p in projects] == ["a街加梯"]
    votes = client.get("/api/v1/elevator/votes/").json()["results"]
    assert [v["id"] for v in votes] == [streets["vote_a"].pk]
    assert client.get(f"/api/v1/elevator/projects/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/elevator/votes/{their_vote.pk}/tally/").status_code == 404
    assert client.post(reverse("elevator:vote_close", args=[their_vote.pk])).status_code == 404
    assert (
        client.post(reverse("elevator:stage_move", args=[theirs.pk]), {"target": "1"}).status_code
        == 404
    )
    their_vote.refresh_from_db()
    assert their_vote.open
    assert Project.objects.get(pk=theirs.pk).stage == 0


def test_the_migration_gives_existing_consultations_their_street(street: dict[str, Any]) -> None:
    """From the committee, else the project's committee, else the only street."""
    migration = importlib.import_module("linli.elevator.migrations.0005_consultation_street")
    project = Project.objects.create(
        committee=street["c2"], building=street["building2"], name="老项目"
    )
    rows = [
        Consultation.objects.create(
            at=timezone.now(),
            channel="phone",
            asker=name,
            question="q",
            committee=committee,
            project=on_project,
        )
        for name, committee, on_project in (
            ("居委的", street["c1"], None),
            ("项目的", None, project),
            ("街道的", None, None),
        )
    ]
    migration.assign_the_street(django_apps, None)
    assert [Consultation.objects.get(pk=r.pk).subdistrict_id for r in rows] == [
        street["subdistrict"].pk
    ] * 3


def test_the_migration_leaves_a_street_wide_row_unassigned_among_several_streets(
    streets: dict[str, Any],
) -> None:
    migration = importlib.import_module("linli.elevator.migrations.0005_consultation_street")
    Consultation.objects.update(subdistrict=None)
    migration.assign_the_street(django_apps, None)
    by_asker = dict(Consultation.objects.values_list("asker", "subdistrict_id"))
    assert by_asker == {
        "a街居委咨询": streets["a"].pk,
        "a街街道咨询": None,
        "b街居委咨询": streets["b"].pk,
        "b街街道咨询": None,
    }


# --- the street filter of district accounts ------------------------------------------------------


def test_the_district_narrows_the_project_list_and_api_to_one_street(
    client: Client, streets: dict[str, Any]
) -> None:
    _as(client, streets["district"])
    url = reverse("elevator:index")
    whole = client.get(url).content.decode()
    assert 'name="street"' in whole
    assert "a街加梯" in whole and "b街加梯" in whole
    narrowed = client.get(url, {"street": streets["b"].pk}).content.decode()
    assert "b街加梯" in narrowed
    assert "a街加梯" not in narrowed
    api = client.get("/api/v1/elevator/projects/", {"street": streets["a"].pk}).json()
    assert [p["name"] for p in api["results"]] == ["a街加梯"]
    votes = client.get("/api/v1/elevator/votes/", {"street": streets["b"].pk}).json()
    assert [v["id"] for v in votes["results"]] == [streets["vote_b"].pk]


def test_the_district_narrows_the_consultations_to_one_street(
    client: Client, streets: dict[str, Any]
) -> None:
    _as(client, streets["district"])
    page = client.get(reverse("elevator:consultations"), {"street": streets["a"].pk})
    body = page.content.decode()
    assert "a街居委咨询" in body and "a街街道咨询" in body
    assert "b街居委咨询" not in body and "b街街道咨询" not in body


def test_a_street_account_gets_no_street_filter_and_its_own_rows_whatever_it_asks(
    client: Client, streets: dict[str, Any]
) -> None:
    _as(client, streets["admin_a"])
    page = client.get(reverse("elevator:index"), {"street": streets["b"].pk}).content.decode()
    assert 'name="street"' not in page
    assert "a街加梯" in page and "b街加梯" not in page
    body = client.get(reverse("elevator:consultations"), {"street": streets["b"].pk})
    assert "b街街道咨询" not in body.content.decode()
    assert "a街街道咨询" in body.content.decode()


def test_a_street_outside_the_districts_reach_is_a_bad_filter_value(
    client: Client, streets: dict[str, Any]
) -> None:
    from linli.geo import divisions
    from linli.geo.models import Subdistrict

    elsewhere = Subdistrict.objects.create(
        code="310101001", name="外滩街道", district=divisions.district("310101")
    )
    _as(client, streets["district"])
    bad = client.get("/api/v1/elevator/projects/", {"street": elsewhere.pk})
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["street"]


def test_the_districts_consultation_list_keeps_its_query_count(
    client: Client, streets: dict[str, Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _as(client, streets["district"])
    url = reverse("elevator:consultations")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    actor = Actor(streets["admin_b"], "test")
    for i in range(6):
        services.do_save_consultation(
            actor, Consultation(at=timezone.now(), channel="visit", asker=f"b{i}", question="q")
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
