"""Who sees whose data: committees their own projects and events, partners their own orders,
volunteers' personal data masked and every reveal audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from linli.community import errors, services
from linli.community.models import PracticalProject
from linli.core.context import Actor
from linli.core.models import AuditRecord


def _project(committee: Any, title: str) -> PracticalProject:
    return PracticalProject.objects.create(
        title=title, kind="gates", committee=committee, place="弄堂", owner="居委",
        resident_fen=100, subsidy_fen=200, other_fen=0, budget_fen=300,
    )  # fmt: skip


def test_committee_staff_reach_only_their_own_projects(
    client: Client, users: dict[str, Any], street: dict[str, Any], net: dict[str, Any]
) -> None:
    mine = _project(street["c1"], "颐德坊门禁")
    theirs = _project(street["c2"], "新乐充电柜")
    client.force_login(users["committee_staff"])
    assert client.get(reverse("community:project_manage", args=[mine.pk])).status_code == 200
    for name in ("project_manage", "project_edit"):
        assert client.get(reverse(f"community:{name}", args=[theirs.pk])).status_code == 404
    refused = client.post(
        reverse("community:project_contribution_add", args=[theirs.pk]),
        {"c-household": "1号", "c-amount": "1", "c-receipt": "R9"},
    )
    assert refused.status_code == 404 and not theirs.contributions.exists()
    # A project they create belongs to their committee whatever the form says.
    client.post(
        reverse("community:project_new"),
        {"title": "陕新车棚", "kind": "renewal", "committee": street["c2"].pk, "place": "车棚",
         "owner": "居委", "resident": "0", "subsidy": "10", "other": "0", "budget": "10",
         "beneficiaries": 3, "status": "planned"},
    )  # fmt: skip
    assert PracticalProject.objects.get(title="陕新车棚").committee_id == street["c1"].pk


def test_committee_staff_see_only_their_committees_volunteers_masked(
    client: Client, users: dict[str, Any], street: dict[str, Any], net: dict[str, Any]
) -> None:
    services.do_register_volunteer(net["actor"], net["team"], "陕新志愿者", "13900000011",
                                "11010519491231002X", street["c1"].pk)  # fmt: skip
    services.do_register_volunteer(net["actor"], net["team"], "新乐志愿者", "13900000012",
                                committee_id=street["c2"].pk)  # fmt: skip
    client.force_login(users["committee_staff"])
    text = client.get(reverse("community:volunteers")).content.decode()
    assert "陕新志愿者" in text and "新乐志愿者" not in text
    assert "13900000011" not in text and "139****0011" in text
    assert "11010519491231002X" not in text
    export = client.get(reverse("community:volunteers_export"))
    assert export.status_code == 200 and b"13900000011" not in export.content


def test_volunteer_reveal_needs_identity_permission_and_is_audited(
    users: dict[str, Any], street: dict[str, Any], net: dict[str, Any]
) -> None:
    v = services.do_register_volunteer(net["actor"], net["team"], "陕新志愿者", "13900000011",
                                    "11010519491231002X", street["c1"].pk)  # fmt: skip
    for role in ("street_staff", "committee_staff_2"):
        with pytest.raises(errors.CommunityError):
            services.do_reveal_volunteer(Actor(users[role], "t"), v, "回访")
    shown = services.do_reveal_volunteer(Actor(users["committee_staff"], "t"), v, "出具证明")
    assert shown.phone == "13900000011" and shown.id_number == "11010519491231002X"
    rows = list(
        AuditRecord.objects.filter(action="community.volunteer.reveal")
        .order_by("pk")
        .values_list("actor_name", "outcome")
    )
    assert rows == [("street_staff", "denied"), ("committee_staff_2", "denied"),
                    ("committee_staff", "ok")]  # fmt: skip


def test_units_see_only_orders_of_their_own_projects(client: Client, net: dict[str, Any]) -> None:
    from linli.community.models import AllianceMember, AllianceProject
    from linli.core.models import Organisation, User
    from linli.core.roles import Role

    other_org = Organisation.objects.create(name="上海话剧艺术中心", kind="cultural")
    other_unit = AllianceMember.objects.create(organisation=other_org, kind="unit",
                                               joined=net["unit"].joined)  # fmt: skip
    drama = AllianceProject.objects.create(unit=other_unit, category="drama", title="穿越戏剧",
                                           term="2026秋", grades="4–5年级", capacity=30)  # fmt: skip
    school = Actor(net["school_user"], "t")
    services.do_order_alliance_project(school, net["project"], 30, "四年级")
    services.do_order_alliance_project(school, drama, 20, "五年级")
    other = User(username="drama", role=Role.PARTNER, organisation=other_org)
    other.set_password("pw-for-tests-123")
    other.save()
    api = "/api/v1/community/alliance-orders/"
    client.force_login(net["unit_user"])
    rows = client.get(api).json()["results"]
    assert [r["project_title"] for r in rows] == ["大师说乐：走近交响乐"]
    client.force_login(other)
    rows = client.get(api).json()["results"]
    assert [r["project_title"] for r in rows] == ["穿越戏剧"]
    symphony_order = net["project"].orders.get()
    assert client.get(f"{api}{symphony_order.pk}/").status_code == 404
    refused = client.post(reverse("community:alliance_accept"), {"order": symphony_order.pk})
    symphony_order.refresh_from_db()
    assert refused.status_code == 404 and symphony_order.status == "ordered"
