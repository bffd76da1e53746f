"""One view per form: the position, project, volunteers and roster pages only render, and each
of their forms posts to a view of its own that calls one service, then goes back with a
message, or shows the form again with its errors. A form naming no row (blank, or not a
number) says which field is wanting instead of failing; a row outside reach is not found."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linli.community import services
from linli.community.models import (
    Event,
    HourRecord,
    PositionStaff,
    PracticalProject,
    Signup,
    Space,
)
from linli.core.models import AuditRecord

BAD_IDS = ["", "  ", "abc", "1.5", "²", "9" * 40]


def _text(response: Any) -> str:
    return response.content.decode()


def _post(client: Client, name: str, args: list[Any], data: dict[str, Any]) -> Any:
    return client.post(reverse(f"community:{name}", args=args), data, follow=True)


@pytest.fixture
def staff(client: Client, net: dict[str, Any]) -> Client:
    client.force_login(net["dangqun"])
    return client


# --- the pages render only ------------------------------------------------------------------


def test_the_pages_answer_a_post_with_405(staff: Client, net: dict[str, Any], event: Event) -> None:
    project = _project(net)
    for url in (
        reverse("community:position_manage", args=[net["centre"].pk]),
        reverse("community:project_manage", args=[project.pk]),
        reverse("community:roster", args=[event.pk]),
        reverse("community:volunteers"),
    ):
        assert staff.get(url).status_code == 200
        assert staff.post(url, {"what": "staff"}).status_code == 405


def test_each_form_posts_to_its_own_view(staff: Client, net: dict[str, Any], event: Event) -> None:
    centre = net["centre"].pk
    services.do_save_position_staff(net["actor"], net["centre"], None, name="张敏", duties="接待")
    page = _text(staff.get(reverse("community:position_manage", args=[centre])))
    for name in ("staff_save", "staff_remove", "space_save", "menu_save"):
        assert f'action="{reverse(f"community:position_{name}", args=[centre])}"' in page
    assert 'name="what"' not in page
    roster = _text(staff.get(reverse("community:roster", args=[event.pk])))
    for name in ("roster_signup", "roster_release"):
        assert f'action="{reverse(f"community:{name}", args=[event.pk])}"' in roster


# --- a position's staff, spaces and menu ------------------------------------------------------


def test_position_staff_are_added_changed_and_removed(staff: Client, net: dict[str, Any]) -> None:
    centre = net["centre"]
    added = _post(staff, "position_staff_save", [centre.pk],
                  {"staff-name": "张敏", "staff-duties": "接待、党课"})  # fmt: skip
    assert added.redirect_chain[-1][0] == reverse("community:position_manage", args=[centre.pk])
    assert "已保存。" in _text(added)
    member = PositionStaff.objects.get(position=centre)
    changed = _post(staff, "position_staff_save", [centre.pk],
                    {"member": member.pk, "staff-name": "张敏", "staff-duties": "政策咨询"})  # fmt: skip
    assert "已保存。" in _text(changed)
    member.refresh_from_db()
    assert PositionStaff.objects.filter(position=centre).count() == 1
    assert "政策咨询" in member.duties
    removed = _post(staff, "position_staff_remove", [centre.pk], {"member": member.pk})
    assert "已移除。" in _text(removed)
    assert not PositionStaff.objects.filter(position=centre).exists()
    assert AuditRecord.objects.filter(action="community.position_staff.remove").count() == 1


@pytest.mark.parametrize("bad", BAD_IDS)
def test_position_forms_name_a_missing_or_bad_row(
    staff: Client, net: dict[str, Any], bad: str
) -> None:
    centre = net["centre"].pk
    services.do_save_position_staff(net["actor"], net["centre"], None, name="张敏", duties="接待")
    removed = _post(staff, "position_staff_remove", [centre], {"member": bad})
    assert removed.status_code == 200
    assert "人员：请选择要移除的人员。" in _text(removed)
    assert PositionStaff.objects.filter(position=net["centre"]).count() == 1
    if not bad.strip():
        return  # blank on a save form: a new row (tested above)
    for name, field, message, data in (
        ("position_staff_save", "member", "人员：请选择要修改的人员。",
         {"staff-name": "李华", "staff-duties": "接待"}),
        ("position_space_save", "space", "空间：请选择要修改的空间。",
         {"space-name": "阅览室", "space-capacity": 30}),
        ("position_menu_save", "menu_item", "服务项目：请选择要修改的服务项目。",
         {"menu-family": "culture", "menu-title": "书法", "menu-audience": "居民",
          "menu-capacity": 10, "menu-duration_minutes": 60, "menu-mode": "walk_in"}),
    ):  # fmt: skip
        response = _post(staff, name, [centre], {field: bad, **data})
        assert response.status_code == 200, name
        assert message in _text(response), name
    assert not Space.objects.filter(name="阅览室").exists()


def test_position_forms_keep_errors_and_reach(
    staff: Client, net: dict[str, Any], users: dict[str, Any]
) -> None:
    centre = net["centre"].pk
    bad = staff.post(reverse("community:position_space_save", args=[centre]),
                     {"space": net["room"].pk, "space-name": "会议室", "space-capacity": 0})  # fmt: skip
    assert bad.status_code == 200
    page = _text(bad)
    assert 'class="errorlist' in page and f'name="space" value="{net["room"].pk}"' in page
    # A row of another position is not found; another committee's position is refused.
    other = services.do_save_space(net["actor"], net["station"], None, name="活动室", capacity=20)
    assert staff.post(reverse("community:position_space_save", args=[centre]),
                      {"space": other.pk, "space-name": "x", "space-capacity": 5}
                      ).status_code == 404  # fmt: skip
    staff.force_login(users["committee_staff_2"])
    refused = staff.post(reverse("community:position_staff_save", args=[net["station"].pk]),
                         {"staff-name": "张敏", "staff-duties": "接待"})  # fmt: skip
    assert refused.status_code == 403
    assert not PositionStaff.objects.exists()


# --- a practical project ----------------------------------------------------------------------


def _project(net: dict[str, Any], title: str = "颐德坊密码门禁") -> PracticalProject:
    return PracticalProject.objects.create(
        title=title, kind="gates", subdistrict=net["centre"].subdistrict, place="颐德坊",
        owner="党总支", resident_fen=100_00, subsidy_fen=200_00, other_fen=0, budget_fen=300_00,
    )  # fmt: skip


def test_project_forms_each_record_one_thing_with_a_message(
    staff: Client, net: dict[str, Any]
) -> None:
    project = _project(net)
    back = reverse("community:project_manage", args=[project.pk])
    added = _post(staff, "project_milestone_add", [project.pk],
                  {"m-title": "门禁安装", "m-due": "2026-03-01"})  # fmt: skip
    assert added.redirect_chain[-1][0] == back and "节点已添加。" in _text(added)
    milestone = project.milestones.get()
    done = _post(staff, "project_milestone_done", [project.pk], {"milestone": milestone.pk})
    assert "节点已完成。" in _text(done)
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()
    paid = _post(staff, "project_contribution_add", [project.pk],
                 {"c-household": "1号", "c-amount": "12.50", "c-receipt": "R1"})  # fmt: skip
    assert "出资已登记。" in _text(paid)
    assert project.contributions.get().amount_fen == 1250
    voted = _post(staff, "project_decision_add", [project.pk],
                  {"d-on": "2026-01-10", "d-motion": "安装门禁", "d-members": 9, "d-agree": 7,
                   "d-against": 1, "d-abstain": 1})  # fmt: skip
    assert "决议已记录。" in _text(voted)
    assert project.decisions.get().passed
    # A service's refusal comes back as a message: the same receipt twice.
    again = _post(staff, "project_contribution_add", [project.pk],
                  {"c-household": "2号", "c-amount": "1", "c-receipt": "R1"})  # fmt: skip
    assert "出资已登记。" not in _text(again) and project.contributions.count() == 1


def test_project_forms_show_their_errors_on_the_page(staff: Client, net: dict[str, Any]) -> None:
    project = _project(net)
    for name, data in (
        ("project_milestone_add", {"m-title": ""}),
        ("project_contribution_add", {"c-household": "1号", "c-amount": "x"}),
        ("project_decision_add", {"d-motion": "安装门禁"}),
    ):
        response = staff.post(reverse(f"community:{name}", args=[project.pk]), data)
        assert response.status_code == 200, name
        assert 'class="errorlist' in _text(response), name
    assert not project.milestones.exists() and not project.decisions.exists()


@pytest.mark.parametrize("bad", BAD_IDS)
def test_milestone_done_names_a_missing_or_bad_milestone(
    staff: Client, net: dict[str, Any], bad: str
) -> None:
    project = _project(net)
    response = _post(staff, "project_milestone_done", [project.pk], {"milestone": bad})
    assert response.status_code == 200
    assert "节点：请选择要完成的节点。" in _text(response)


def test_project_forms_need_manage_and_reach(
    staff: Client, net: dict[str, Any], users: dict[str, Any], street: dict[str, Any]
) -> None:
    project = _project(net)
    other = _project(net, "新乐充电柜")
    theirs = services.do_add_milestone(net["actor"], other, "别处节点", timezone.localdate())
    done = reverse("community:project_milestone_done", args=[project.pk])
    assert staff.post(done, {"milestone": theirs.pk}).status_code == 404
    staff.force_login(users["street_staff"])  # reads projects, changes none
    for name in ("milestone_add", "milestone_done", "contribution_add", "decision_add"):
        url = reverse(f"community:project_{name}", args=[project.pk])
        assert staff.post(url, {}).status_code == 403, name
    mine = PracticalProject.objects.create(
        title="陕新车棚", kind="renewal", committee=street["c1"], place="车棚", owner="居委",
        resident_fen=0, subsidy_fen=10, other_fen=0, budget_fen=10,
    )  # fmt: skip
    staff.force_login(users["committee_staff_2"])
    url = reverse("community:project_decision_add", args=[mine.pk])
    assert staff.post(url, {"d-motion": "x"}).status_code == 404


# --- the roster ---------------------------------------------------------------------------------


def test_roster_signup_and_release_each_answer_with_a_message(
    staff: Client, net: dict[str, Any], event: Event
) -> None:
    back = reverse("community:roster", args=[event.pk])
    signed = _post(staff, "roster_signup", [event.pk], {"name": "赵奶奶", "phone": "13900000005"})
    assert signed.redirect_chain[-1][0] == back
    assert "已为 赵奶奶 报名" in _text(signed)
    assert Signup.objects.get(name="赵奶奶").channel == "staff"
    bad = staff.post(reverse("community:roster_signup", args=[event.pk]),
                     {"name": "钱", "phone": "123"})  # fmt: skip
    assert bad.status_code == 200 and "11 位手机号" in _text(bad)
    released = _post(staff, "roster_release", [event.pk], {})
    assert released.redirect_chain[-1][0] == back
    assert "保留名额已释放" in _text(released)
    assert Event.objects.get(pk=event.pk).released


def test_roster_forms_need_serve(client: Client, users: dict[str, Any], event: Event) -> None:
    client.force_login(users["street_staff"])  # reads the roster, takes no sign-ups
    for name in ("roster_signup", "roster_release"):
        url = reverse(f"community:{name}", args=[event.pk])
        assert client.post(url, {"name": "钱", "phone": "13900000006"}).status_code == 403
    assert not Signup.objects.exists()


# --- volunteers' hours and corrections ------------------------------------------------------------


@pytest.fixture
def pending(net: dict[str, Any]) -> HourRecord:
    v = services.do_register_volunteer(net["actor"], net["team"], "陈志愿", "13900000008")
    return services.do_report_hours(net["actor"], v, net["team"], timezone.localdate(), 60, "导览")


def test_hours_are_approved_or_refused_with_a_message(
    staff: Client, net: dict[str, Any], pending: HourRecord
) -> None:
    team = net["team"].pk
    response = _post(staff, "hours_decide", [], {"record": pending.pk, "approve": "1",
                                                 "team": team})  # fmt: skip
    assert response.redirect_chain[-1][0] == f"{reverse('community:volunteers')}?team={team}"
    assert "时长已认定。" in _text(response)
    pending.refresh_from_db()
    assert pending.status == HourRecord.Status.APPROVED
    other = services.do_report_hours(
        net["actor"], pending.volunteer, net["team"], timezone.localdate(), 30, "补记"
    )
    refused = _post(staff, "hours_decide", [], {"record": other.pk, "approve": "0"})
    assert "时长未予认定。" in _text(refused)
    other.refresh_from_db()
    assert other.status == HourRecord.Status.REJECTED


@pytest.mark.parametrize("bad", BAD_IDS)
def test_hours_and_corrections_name_a_missing_or_bad_field(
    staff: Client, net: dict[str, Any], pending: HourRecord, bad: str
) -> None:
    record = _post(staff, "hours_decide", [], {"record": bad, "approve": "1"})
    assert record.status_code == 200 and "时长记录：请选择要审核的记录。" in _text(record)
    button = _post(staff, "hours_decide", [], {"record": pending.pk, "approve": bad})
    assert button.status_code == 200 and "认定：请选择认定或不认定。" in _text(button)
    pending.refresh_from_db()
    assert pending.status == HourRecord.Status.PENDING  # no button, no decision
    corr = services.do_request_correction(net["actor"], pending, 90, "少记半小时")
    which = _post(staff, "correction_decide", [], {"correction": bad, "fix": "1"})
    assert which.status_code == 200 and "更正申请：请选择要处理的更正申请。" in _text(which)
    fix = _post(staff, "correction_decide", [], {"correction": corr.pk, "fix": bad})
    assert fix.status_code == 200 and "更正：请选择更正或不予更正。" in _text(fix)
    corr.refresh_from_db()
    assert corr.status == "open"


def test_correction_is_refused_with_a_message(
    staff: Client, net: dict[str, Any], pending: HourRecord
) -> None:
    corr = services.do_request_correction(net["actor"], pending, 90, "少记半小时")
    response = _post(staff, "correction_decide", [], {"correction": corr.pk, "fix": "0"})
    assert "已不予更正。" in _text(response)
    pending.refresh_from_db()
    assert pending.minutes == 60


def test_hours_decisions_need_manage_and_reach(
    client: Client, net: dict[str, Any], users: dict[str, Any], pending: HourRecord
) -> None:
    client.force_login(users["street_staff"])  # reads volunteers, decides nothing
    url = reverse("community:hours_decide")
    assert client.post(url, {"record": pending.pk, "approve": "1"}).status_code == 403
    corr = services.do_request_correction(net["actor"], pending, 90, "x")
    assert (
        client.post(reverse("community:correction_decide"), {"correction": corr.pk, "fix": "1"})
    ).status_code == 403
    client.force_login(users["committee_staff_2"])  # another committee's volunteer
    assert client.post(url, {"record": pending.pk, "approve": "1"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == HourRecord.Status.PENDING


@pytest.mark.parametrize("bad", BAD_IDS)
def test_wish_and_alliance_steps_name_a_missing_or_bad_row(
    staff: Client, net: dict[str, Any], bad: str
) -> None:
    for name, field, message in (
        ("wish_adopt", "wish", "心愿：请选择要处理的心愿。"),
        ("wish_decline", "wish", "心愿：请选择要处理的心愿。"),
        ("alliance_accept", "order", "订单：请选择要处理的订单。"),
        ("alliance_deliver", "order", "订单：请选择要处理的订单。"),
    ):
        response = _post(staff, name, [], {field: bad, "answer": "场地不足"})
        assert response.status_code == 200 and message in _text(response), name


@pytest.mark.parametrize("bad", ["²", "9" * 40, "abc"])
def test_a_bad_street_or_team_in_the_address_shows_every_one(
    client: Client, net: dict[str, Any], bad: str
) -> None:
    for name in ("index", "calendar", "wish", "projects"):
        assert client.get(reverse(f"community:{name}"), {"street": bad}).status_code == 200
    client.force_login(net["dangqun"])
    assert client.get(reverse("community:volunteers"), {"team": bad}).status_code == 200
