"""A round's name is unique within its street: every street runs its 2026 年度安全风险评估, while
one street naming a second round like its first gets an error on the name and nothing is
written. A round over several streets' committees has no street of its own."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.test import Client

from linli.core.context import Actor
from linli.core.models import AuditRecord, User
from linli.core.roles import Department, Role
from linli.risk import services
from linli.risk.errors import RoundRejected
from linli.risk.models import Round

NAME = "2026 年度安全风险评估"


@pytest.fixture
def two(street: dict[str, Any]) -> dict[str, Any]:
    from linli.geo.models import Committee, Subdistrict

    a = street["subdistrict"]
    b = Subdistrict.objects.create(code="S2", name="天平路街道", district=a.district)
    tp = Committee.objects.create(subdistrict=b, code="TP01", name="天平居委")
    offices = {}
    for key, sub in (("a", a), ("b", b)):
        user = User(username=f"safety_{key}", role=Role.STREET_STAFF,
                    department=Department.SAFETY, subdistrict=sub)  # fmt: skip
        user.set_password("pw-for-tests-123")
        user.save()
        offices[key] = user
    return {"a": a, "b": b, "tp": tp, "office_a": offices["a"], "office_b": offices["b"]}


def _round(user: User, committees: list[Any], name: str = NAME) -> Round:
    return services.do_create_round(
        Actor(user), name=name, method=services.default_version(), committees=committees
    )


def test_every_street_runs_a_round_of_the_same_name(
    street: dict[str, Any], two: dict[str, Any]
) -> None:
    mine = _round(two["office_a"], [street["c1"], street["c2"]])
    theirs = _round(two["office_b"], [two["tp"]])
    assert (mine.subdistrict_id, theirs.subdistrict_id) == (two["a"].pk, two["b"].pk)
    assert Round.objects.filter(name=NAME).count() == 2


def test_a_street_repeating_a_round_name_gets_a_field_error(
    street: dict[str, Any], two: dict[str, Any]
) -> None:
    _round(two["office_a"], [street["c1"]])
    audits = AuditRecord.objects.count()
    with pytest.raises(RoundRejected) as caught:
        _round(two["office_a"], [street["c2"]])
    assert caught.value.field == "name"
    assert Round.objects.filter(name=NAME).count() == 1
    assert AuditRecord.objects.count() == audits


def test_round_form_names_the_field_of_a_repeated_name(
    client: Client, street: dict[str, Any], two: dict[str, Any]
) -> None:
    _round(two["office_a"], [street["c1"]])
    client.force_login(two["office_a"])
    post = {"name": NAME, "method": services.default_version().pk,
            "committees": [street["c2"].pk], "samples_per_committee": 1}  # fmt: skip
    page = client.post("/risk/rounds/new/", post)
    assert page.status_code == 200
    assert page.context["form"].errors["name"] == ["本街道已有同名轮次"]
    assert Round.objects.filter(name=NAME).count() == 1


def test_rounds_of_no_street_keep_their_names_apart(
    street: dict[str, Any], two: dict[str, Any]
) -> None:
    # Only street accounts manage rounds today, so a round of several streets' committees (no
    # street) is made by hand or was made before rounds had a street; such names stay unique.
    _round(two["office_a"], [street["c1"]])
    mv = services.default_version()
    Round.objects.create(name=NAME, method=mv, seed="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.create(name=NAME, method=mv, seed="y")


def test_the_migration_gives_old_rounds_their_one_street(
    street: dict[str, Any], two: dict[str, Any]
) -> None:
    one = _round(two["office_a"], [street["c1"], street["c2"]])
    Round.objects.filter(pk=one.pk).update(subdistrict=None)
    migration = importlib.import_module("linli.risk.migrations.0006_round_street")
    migration.street_of_rounds(apps, None)
    one.refresh_from_db()
    assert one.subdistrict_id == two["a"].pk


def test_the_round_filter_names_the_street_for_accounts_of_several_streets(
    street: dict[str, Any], two: dict[str, Any]
) -> None:
    from django.test import RequestFactory

    from linli.risk.filters import CaseFilter

    _round(two["office_a"], [street["c1"]])
    _round(two["office_b"], [two["tp"]])
    district = User(username="district_safety_x", role=Role.DISTRICT_SAFETY,
                    district=two["a"].district)  # fmt: skip
    district.save()

    def labels(user: User) -> list[str]:
        request = RequestFactory().get("/")
        request.user = user
        field = CaseFilter(data={}, queryset=None, request=request).form.fields["round"]
        return sorted(str(label) for value, label in field.choices if value)

    assert labels(district) == [f"{NAME} · 天平路街道", f"{NAME} · 湖南路街道"]
    assert labels(two["office_a"]) == [NAME]
