"""Lift-project reminders: stage clocks and vote deadlines to the committee, the vote notice
to owners (SMS), as pure rules and through the daily task."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core import crypto
from linli.elevator import errors, services, stages, tasks
from linli.elevator.models import Owner, Project, Vote
from linli.geo.models import Resident
from linli.geo.services import PHONE_PURPOSE
from linli.notices.models import Notice

D = date(2026, 12, 2)


# --------------------------------------------------------------------------- pure rules


def test_vote_deadline_reminder_window() -> None:
    assert stages.vote_deadline_due(D + timedelta(days=3), D)
    assert stages.vote_deadline_due(D, D)
    assert not stages.vote_deadline_due(D + timedelta(days=4), D)
    assert not stages.vote_deadline_due(D - timedelta(days=1), D)  # past: the vote is late
    assert not stages.vote_deadline_due(None, D)


def test_vote_notice_on_the_first_days_of_a_vote_with_a_deadline() -> None:
    closes = D + timedelta(days=14)
    assert stages.vote_notice_due(D, closes, D)
    assert stages.vote_notice_due(D, closes, D + timedelta(days=2))
    assert not stages.vote_notice_due(D, closes, D + timedelta(days=3))  # too late to announce
    assert not stages.vote_notice_due(D + timedelta(days=1), closes, D)  # not started
    assert not stages.vote_notice_due(D, None, D)  # no deadline to announce
    assert not stages.vote_notice_due(D, D, D + timedelta(days=1))  # already over


def test_clock_reminders_keep_what_needs_doing() -> None:
    dates = stages.ProjectDates(
        entered_service=D - timedelta(days=25),  # registration due in 5 days; upkeep overdue
        use_registered=None,
        planning_notice_start=D - timedelta(days=40),  # both periods over
    )
    found = stages.clocks(dates, D)
    names = {c.name: c.status for c in stages.clock_reminders(found)}
    assert names == {"use_registration": "due_soon", "maintenance": "overdue"}
    assert {c.name for c in found} - set(names) == {"planning_notice", "planning_feedback"}


# --------------------------------------------------------------------------- services and task


PHONES = {"101": "13912345678", "102": "13800001111", "201": "10000000000"}  # the last: invalid


def _with_phones(block: dict[str, Any]) -> Project:
    """Give three owners of project 1 a phone in the register and rebuild its roll."""
    project: Project = block["p1"]
    for room, phone in PHONES.items():
        resident = Resident.objects.get(household__room=room, committee=project.committee)
        resident.phone_cipher = crypto.encrypt(phone, PHONE_PURPOSE)
        resident.phone_masked = phone[:3] + "****" + phone[-4:]
        resident.save()
    Vote.objects.filter(project=project).delete()
    services.do_build_roll(block["actor"], project)
    return project


def _sms() -> list[Notice]:
    return list(Notice.objects.filter(kind="elevator.vote_notice").order_by("pk"))


def test_the_roll_keeps_the_phone_encrypted(block: dict[str, Any]) -> None:
    project = _with_phones(block)
    owner = Owner.objects.get(project=project, phone_masked="139****5678")
    assert crypto.decrypt(owner.phone_cipher, PHONE_PURPOSE) == "13912345678"
    assert Owner.objects.filter(project=project).exclude(phone_cipher="").count() == 3


def test_opening_a_vote_tells_owners_with_a_mobile_number(block: dict[str, Any]) -> None:
    project = _with_phones(block)
    today = timezone.localdate()
    closes = today + timedelta(days=14)
    vote = services.do_open_vote(
        block["actor"], project, "building", "SH-801-building", today, closes
    )
    sms = _sms()
    assert sorted(n.address_masked for n in sms) == ["138****1111", "139****5678"]
    assert sms[0].params == {
        "project": "加梯项目1号",
        "deadline": f"{closes.month}月{closes.day}日",
    }
    assert sms[0].text.startswith("加梯项目1号加装电梯意见征询已开始")
    # The daily task the same day finds them already told.
    tasks.stage_clocks.delay()
    assert len(_sms()) == 2
    assert {n.key for n in _sms()} == {
        f"elevator.vote_notice:{vote.pk}:{o.pk}"
        for o in Owner.objects.filter(
            project=project, phone_masked__in=["139****5678", "138****1111"]
        )
    }


def test_a_vote_opening_later_is_announced_by_the_task_on_its_first_day(
    block: dict[str, Any],
) -> None:
    project = _with_phones(block)
    start = timezone.localdate() + timedelta(days=1)
    services.do_open_vote(
        block["actor"], project, "building", "SH-801-building", start, start + timedelta(days=10)
    )
    assert _sms() == []
    services.do_send_stage_reminders(start)
    assert len(_sms()) == 2
    services.do_send_stage_reminders(start)
    assert len(_sms()) == 2


def test_a_deadline_before_the_start_is_refused(block: dict[str, Any]) -> None:
    project = _with_phones(block)
    with pytest.raises(errors.ElevatorError) as exc:
        services.do_open_vote(
            block["actor"], project, "building", "SH-801-building", D, D - timedelta(days=1)
        )
    assert exc.value.field == "closes"
    assert not Vote.objects.filter(project=project).exists()


def test_the_vote_form_asks_for_the_deadline(
    client: Any, block: dict[str, Any], users: Any
) -> None:
    project = _with_phones(block)
    client.force_login(users["committee_staff"])
    url = reverse("elevator:vote_open", args=[project.pk])
    today = timezone.localdate()
    data = {"scope": "building", "rule": "SH-801-building", "opens": today.isoformat()}
    page = client.post(
        url, {**data, "closes": (today - timedelta(days=1)).isoformat()}, follow=True
    )
    assert "截止日期不能早于开始日期" in page.content.decode()
    assert not Vote.objects.filter(project=project).exists()
    client.post(url, {**data, "closes": (today + timedelta(days=7)).isoformat()})
    assert Vote.objects.get(project=project).closes == today + timedelta(days=7)
    assert len(_sms()) == 2


def test_the_committee_is_reminded_of_a_vote_deadline_with_who_is_missing(
    block: dict[str, Any], users: Any
) -> None:
    today = timezone.localdate()
    vote = block["v1"]
    Vote.objects.filter(pk=vote.pk).update(closes=today + timedelta(days=2))
    for owner in Owner.objects.filter(project=block["p1"]).order_by("pk")[:3]:
        services.do_enter_ballot(block["actor"], vote, owner, "agree", "paper")

    assert tasks.stage_clocks.delay().get()["vote_deadlines"] == 1

    [notice] = Notice.objects.filter(kind="elevator.vote_deadline")
    assert notice.user == users["committee_staff"]  # HN01's staff, not HN02's
    closes = today + timedelta(days=2)
    assert notice.params == {
        "project": "加梯项目1号", "deadline": str(closes), "missing": "9",
        "url": f"/elevator/votes/{vote.pk}/",
    }  # fmt: skip
    assert notice.text == f"加梯项目1号的意见征询将于{closes}截止，尚有9户未表决。"
    tasks.stage_clocks.delay()
    assert Notice.objects.filter(kind="elevator.vote_deadline").count() == 1


def test_stage_clocks_go_to_the_committee_once(block: dict[str, Any], users: Any) -> None:
    today = timezone.localdate()
    project = block["p2"]
    Project.objects.filter(pk=project.pk).update(entered_service=today - timedelta(days=25))

    assert tasks.stage_clocks.delay().get()["clocks"] == 2

    notices = {
        n.params["stage"]: n.params["due"]
        for n in Notice.objects.filter(kind="elevator.stage_clock", user=users["committee_staff_2"])
    }
    assert notices == {
        "使用登记（投入使用后30日内）": str(today + timedelta(days=5)),
        "日常维护保养（每15日至少一次）": str(today - timedelta(days=10)),
    }
    assert not Notice.objects.filter(user=users["committee_staff"]).exists()
    tasks.stage_clocks.delay()
    assert Notice.objects.filter(kind="elevator.stage_clock").count() == 2
    # Upkeep recorded: the next maintenance date is a new clock, reminded when it comes near.
    services.do_add_maintenance(block["actor"], project, today, "维保员", "")
    services.do_send_stage_reminders(today + timedelta(days=13))
    latest = Notice.objects.filter(kind="elevator.stage_clock").order_by("-pk")
    assert latest.count() == 3  # the registration reminder is not repeated
    assert latest[0].params["due"] == str(today + timedelta(days=15))


def test_the_schedule_row_runs_the_task(block: dict[str, Any], users: Any) -> None:
    from django_celery_beat.models import PeriodicTask

    from linli.core.context import Actor
    from linli.jobs import schedules

    Project.objects.filter(pk=block["p1"].pk).update(
        entered_service=timezone.localdate() - timedelta(days=25)
    )
    schedules.do_run_schedule_now(
        Actor(users["street_admin"]), PeriodicTask.objects.get(name="linli.elevator.stage_clocks")
    )
    assert Notice.objects.filter(kind="elevator.stage_clock").count() == 2


def test_the_vote_form_proposes_a_start_and_a_deadline(
    client: Any, block: dict[str, Any], users: Any
) -> None:
    Vote.objects.filter(project=block["p1"]).delete()
    client.force_login(users["committee_staff"])
    page = client.get(reverse("elevator:project", args=[block["p1"].pk])).content.decode()
    today = timezone.localdate()
    assert f'name="opens" value="{today.isoformat()}"' in page
    assert f'name="closes" value="{(today + timedelta(days=14)).isoformat()}"' in page
