"""Rolls, ballots, owner access, stages, mediation: behaviour through the services."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.core.context import Actor
from linli.core.models import AuditRecord
from linli.elevator import errors, services
from linli.elevator.models import Ballot, Owner, Project

from .conftest import id_number

pytestmark = pytest.mark.django_db


def owner(block: dict[str, Any], room: str, key: str = "1") -> Owner:
    return Owner.objects.get(project=block[f"p{key}"], name=f"业主{key}{room}")


def cast_all(block: dict[str, Any], votes: dict[str, str]) -> None:
    for room, choice in votes.items():
        services.do_enter_ballot(block["actor"], block["v1"], owner(block, room), choice, "paper")


def test_roll_is_built_from_households(block: dict[str, Any]) -> None:
    project = block["p1"]
    assert project.owners.count() == 12
    assert project.units.filter(in_building=True).count() == 12
    assert AuditRecord.objects.filter(action="elevator.roll.build").count() == 2
    o = owner(block, "101")
    assert o.id_masked.startswith("310104********")
    assert o.id_tail_hash and o.id_tail_hash != id_number(1)[-4:]


def test_one_owner_with_two_flats_counts_once_with_summed_area(block: dict[str, Any]) -> None:
    services.do_merge_owners(
        block["actor"], block["p1"], [owner(block, "501").pk, owner(block, "502").pk]
    )
    result = services.tally_vote(block["v1"])
    assert result.owners == 11
    assert result.total_area == 60000


def test_developer_units_are_one_owner(block: dict[str, Any]) -> None:
    units = block["p1"].units.filter(floor=6).values_list("pk", flat=True)
    dev = services.do_mark_developer_units(block["actor"], block["p1"], list(units))
    assert dev.developer and dev.units.count() == 2
    assert services.tally_vote(block["v1"]).owners == 11


def test_worked_example_passes_at_the_boundary(block: dict[str, Any]) -> None:
    rooms = [f"{f}0{k}" for f in range(1, 7) for k in (1, 2)]
    votes = (
        dict.fromkeys(rooms[:9], "agree")
        | {rooms[9]: "abstain"}
        | dict.fromkeys(rooms[10:], "against")
    )
    cast_all(block, votes)
    result = services.tally_vote(block["v1"])
    assert result.passed and result.agreeing_owners == 9 and result.agreeing_area == 45000
    # One agreeing owner changes to abstain: 8 < 9, the vote fails; totals follow the records.
    services.do_enter_ballot(block["actor"], block["v1"], owner(block, rooms[0]), "abstain", "door")
    result = services.tally_vote(block["v1"])
    assert not result.passed and result.still_needed.owners == 1


def test_a_change_keeps_history_and_one_current_ballot(block: dict[str, Any]) -> None:
    o = owner(block, "301")
    first = services.do_enter_ballot(block["actor"], block["v1"], o, "agree", "paper")
    second = services.do_enter_ballot(block["actor"], block["v1"], o, "against", "assisted")
    first.refresh_from_db()
    assert not first.current and second.current and second.replaces_id == first.pk
    assert Ballot.objects.filter(vote=block["v1"], owner=o).count() == 2
    assert services.tally_vote(block["v1"]).breakdown.against.owners == 1
    actions = list(
        AuditRecord.objects.filter(action__startswith="elevator.ballot")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["elevator.ballot.cast", "elevator.ballot.change"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(
            vote=block["v1"], owner=o, choice="agree", channel="paper", cast=timezone.now()
        )


def test_proxy_needs_an_authorisation_note(block: dict[str, Any]) -> None:
    with pytest.raises(errors.ElevatorError):
        services.do_enter_ballot(block["actor"], block["v1"], owner(block, "101"), "agree", "proxy")
    b = services.do_enter_ballot(
        block["actor"],
        block["v1"],
        owner(block, "101"),
        "agree",
        "proxy",
        "委托书 2026-03-02，受托人：女儿",
    )
    assert b.proxy_note


def test_staff_cannot_cast_online_and_other_committee_cannot_enter(
    block: dict[str, Any], users: dict[str, Any]
) -> None:
    with pytest.raises(errors.ElevatorError):
        services.do_enter_ballot(
            block["actor"], block["v1"], owner(block, "101"), "agree", "online"
        )
    other = Actor(users["committee_staff_2"])
    with pytest.raises(PermissionDenied):
        services.do_enter_ballot(other, block["v1"], owner(block, "101"), "agree", "paper")
    with pytest.raises(PermissionDenied):
        services.do_enter_ballot(
            Actor(users["street_staff"]), block["v1"], owner(block, "101"), "agree", "paper"
        )


def test_owner_from_another_project_is_refused(block: dict[str, Any]) -> None:
    with pytest.raises(errors.ElevatorError):
        services.do_enter_ballot(
            block["actor"], block["v1"], owner(block, "101", "2"), "agree", "paper"
        )


def login_owner(block: dict[str, Any], room: str = "101") -> tuple[Owner, str]:
    issued = {o.pk: code for o, code in services.do_issue_codes(block["actor"], block["p1"])}
    o = owner(block, room)
    return o, issued[o.pk]


def test_owner_logs_in_with_code_and_id_tail_then_confirms(block: dict[str, Any]) -> None:
    o, code = login_owner(block)
    services.do_enter_ballot(block["actor"], block["v1"], o, "agree", "paper")
    tail = id_number(1)[-4:]
    assert services.do_log_in_owner(code.lower().replace("-", ""), tail) == o
    actor = Actor(None, "t", "owner")
    ballot = services.do_confirm_owner_ballot(actor, block["v1"], o)
    assert ballot.confirmed is not None
    assert AuditRecord.objects.filter(action="elevator.ballot.confirm").count() == 1
    # Override: a new online ballot, confirmed by its nature, the old one kept.
    new = services.do_cast_owner_ballot(actor, block["v1"], o, "abstain")
    assert new.channel == "online" and new.replaces_id == ballot.pk and new.confirmed


def test_wrong_tail_locks_the_code_from_that_address_only(block: dict[str, Any]) -> None:
    o, code = login_owner(block)
    for _ in range(services.OWNER_LOCK_AFTER):
        with pytest.raises(errors.OwnerAccessDenied):
            services.do_log_in_owner(code, "0000", address="203.0.113.9")
    with pytest.raises(errors.OwnerAccessDenied) as exc:
        services.do_log_in_owner(code, id_number(1)[-4:], address="203.0.113.9")
    assert exc.value.code == "locked"
    assert AuditRecord.objects.filter(action="elevator.owner.login", outcome="denied").count() == 6
    # Whoever knows the code cannot lock the owner out: from the owner's own address it works.
    assert services.do_log_in_owner(code, id_number(1)[-4:], address="198.51.100.7") == o
    cache.clear()  # the lock expires
    assert services.do_log_in_owner(code, id_number(1)[-4:], address="203.0.113.9") == o


def test_unknown_code_and_reissued_code_are_refused(block: dict[str, Any]) -> None:
    _o, code = login_owner(block)
    with pytest.raises(errors.OwnerAccessDenied):
        services.do_log_in_owner("AAAA-BBBB-CCCC", id_number(1)[-4:])
    services.do_issue_codes(block["actor"], block["p1"])
    with pytest.raises(errors.OwnerAccessDenied):
        services.do_log_in_owner(code, id_number(1)[-4:])
    codes = {services.new_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 14 for c in codes)


def test_staff_cannot_use_the_owner_path(block: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.do_cast_owner_ballot(block["actor"], block["v1"], owner(block, "101"), "agree")


def test_roll_cannot_be_rebuilt_once_ballots_exist(block: dict[str, Any]) -> None:
    cast_all(block, {"101": "agree"})
    with pytest.raises(errors.ElevatorError):
        services.do_build_roll(block["actor"], block["p1"])


def test_stage_moves_need_documents_and_a_passed_vote(block: dict[str, Any]) -> None:
    project: Project = block["p1"]
    with pytest.raises(errors.ElevatorError, match="缺少材料"):
        services.do_move_stage(block["actor"], project, 1)
    services.do_add_document(block["actor"], project, "working_group_record", None)
    services.do_move_stage(block["actor"], project, 1)
    for kind in (
        "intent_survey_result",
        "preliminary_design",
        "cost_estimate",
        "round_table_minutes",
    ):
        services.do_add_document(block["actor"], project, kind, None)
    services.do_move_stage(block["actor"], project, 2)
    for kind in ("consultation_ballots", "retrofit_agreement", "cost_sharing_table"):
        services.do_add_document(block["actor"], project, kind, None)
    with pytest.raises(errors.ElevatorError, match="征询表决尚未通过"):
        services.do_move_stage(block["actor"], project, 3)
    cast_all(block, {f"{f}0{k}": "agree" for f in range(1, 7) for k in (1, 2)})
    services.do_move_stage(block["actor"], project, 3)
    assert project.stage == 3 and project.stage_changes.count() == 3
    assert AuditRecord.objects.filter(action="elevator.project.stage").count() == 3


def test_uploads_are_checked(block: dict[str, Any]) -> None:
    bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(errors.ElevatorError, match="不符"):
        services.do_add_document(block["actor"], block["p1"], "other", bad)
    exe = SimpleUploadedFile("x.exe", b"MZ")
    with pytest.raises(errors.ElevatorError):
        services.do_add_document(block["actor"], block["p1"], "other", exe)
    good = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes")
    doc = services.do_add_document(block["actor"], block["p1"], "round_table_minutes", good)
    assert doc.size == len(b"%PDF-1.4 minutes")


def test_estate_vote_needs_shared_ground(block: dict[str, Any]) -> None:
    with pytest.raises(errors.ElevatorError):
        services.do_open_vote(
            block["actor"], block["p1"], "estate", "SH-801-estate", block["v1"].opens
        )
    with pytest.raises(errors.ElevatorError):
        services.do_open_vote(
            block["actor"], block["p1"], "building", "SH-801-estate", block["v1"].opens
        )


def test_mediation_is_recorded_and_audited(block: dict[str, Any]) -> None:
    mediators = [owner(block, r) for r in ("401", "501", "601")]
    obj = services.do_add_objection(
        block["actor"], block["p1"], objector=owner(block, "201"), objector_label="",
        reason="采光", raised=block["v1"].opens, mediators=mediators,
    )  # fmt: skip
    services.do_add_mediation_session(block["actor"], obj, block["v1"].opens, "上门听取意见")
    services.do_settle_objection(block["actor"], obj, "agreed", "井道外移")
    obj.refresh_from_db()
    assert obj.status == "agreed" and obj.sessions.count() == 1 and obj.mediators.count() == 3
    with pytest.raises(errors.ElevatorError):
        services.do_add_objection(
            block["actor"], block["p1"], objector=None, objector_label="x", reason="r",
            raised=block["v1"].opens, mediators=[owner(block, r) for r in ("101", "102", "201", "202")],
        )  # fmt: skip
    assert AuditRecord.objects.filter(action__startswith="elevator.objection").count() == 2
    assert AuditRecord.objects.filter(action="elevator.mediation.session").count() == 1


def test_nothing_changes_after_the_vote_closes(block: dict[str, Any]) -> None:
    o = owner(block, "101")
    services.do_enter_ballot(block["actor"], block["v1"], o, "agree", "paper")
    services.do_close_vote(block["actor"], block["v1"])
    actor = Actor(None, "t", "owner")
    with pytest.raises(errors.ElevatorError):
        services.do_confirm_owner_ballot(actor, block["v1"], o)
    with pytest.raises(errors.ElevatorError):
        services.do_cast_owner_ballot(actor, block["v1"], o, "against")
    with pytest.raises(errors.ElevatorError):
        services.do_enter_ballot(block["actor"], block["v1"], o, "against", "paper")
    assert services.tally_vote(block["v1"]).agreeing_owners == 1
    assert AuditRecord.objects.filter(action="elevator.vote.close").count() == 1


@pytest.mark.serial  # its flush would empty the migration data of the tests after it
@pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="SQLite serialises every write; the race needs PostgreSQL's row locks",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_ballots_by_one_owner_last_counts_none_lost(block: dict[str, Any]) -> None:
    """Issue 10: two ballots by one owner at once on PostgreSQL — the second answered 500 and
    the vote was lost. Now every ballot is kept, one is current: the last cast."""
    import threading

    from django.db import connection, connections

    assert connection.vendor == "postgresql"
    o = owner(block, "101")
    vote = block["v1"]
    choices = ["agree", "against", "abstain", "agree", "against", "abstain"]
    barrier = threading.Barrier(len(choices))
    errors: list[BaseException] = []

    def cast(choice: str) -> None:
        try:
            barrier.wait()
            services.do_cast_owner_ballot(Actor(None, "t", "owner"), vote, o, choice)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cast, args=(c,)) for c in choices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ballots = list(Ballot.objects.filter(vote=vote, owner=o).order_by("cast", "pk"))
    assert len(ballots) == len(choices)
    current = [b for b in ballots if b.current]
    assert len(current) == 1 and current[0].pk == max(b.pk for b in ballots)
    # Each later ballot replaces exactly one earlier one: a chain, nothing dropped.
    replaced = [b.replaces_id for b in ballots if b.replaces_id is not None]
    assert len(replaced) == len(set(replaced)) == len(choices) - 1


def test_statutory_periods_roll_off_holidays_by_the_street_calendar(
    block: dict[str, Any], users: dict[str, Any]
) -> None:
    """Civil Code art. 203: a period whose last day is a holiday ends on the next working day."""
    from datetime import date

    from linli.core import workcalendar

    workcalendar.sync_from_package(Actor.system("test"))
    project = block["p1"]
    project.planning_notice_start = date(2026, 9, 21)  # + 10 days = 1 Oct (National Day)
    project.entered_service = date(2026, 9, 1)  # + 30 days = 1 Oct
    project.save()
    clocks = {c.name: c.due for c in services.project_clocks(project, date(2026, 9, 22))}
    assert clocks["planning_notice"] == date(2026, 10, 8)
    assert clocks["planning_feedback"] == date(2026, 10, 15)  # 7 days after the rolled end
    assert clocks["use_registration"] == date(2026, 10, 8)
    # a day the street declares off moves them again
    workcalendar.set_day(Actor(users["street_admin"]), date(2026, 10, 8), "holiday", "调整")
    clocks = {c.name: c.due for c in services.project_clocks(project, date(2026, 9, 22))}
    assert clocks["use_registration"] == date(2026, 10, 9)
