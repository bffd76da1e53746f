"""send and deliver: idempotency, channels, quiet hours, opt-outs, back-off, never a phone in logs."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail

from linli.core.context import Actor
from linli.core.models import AuditRecord, Organisation, User
from linli.notices import services, tasks
from linli.notices.channels import Message, Outcome
from linli.notices.errors import ParamsInvalid, RecipientInvalid, UnknownKind
from linli.notices.models import Notice, OptOut

from .conftest import PHONE, at

pytestmark = pytest.mark.django_db

PICKUP = {"code": "483920", "locker": "12"}
DUE = {"hazard": "楼道堆物", "due": "12月5日", "url": "/risk/cases/7/"}


def frozen(moment: Any) -> Any:
    return mock.patch("django.utils.timezone.now", return_value=moment)


def lines(path: Any) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


class Scripted:
    """An SMS backend answering from a class-level script (set by each test)."""

    script: list[Outcome] = []
    calls: list[Message] = []

    def send(self, message: Message) -> Outcome:
        Scripted.calls.append(message)
        return Scripted.script.pop(0) if Scripted.script else Outcome.accepted("ok-id")


@pytest.fixture
def scripted(settings: Any) -> type[Scripted]:
    settings.LINLI_SMS_BACKEND = "linli.notices.tests.test_services.Scripted"
    Scripted.script, Scripted.calls = [], []
    return Scripted


# --- send ------------------------------------------------------------------------------------


def test_send_records_an_encrypted_masked_sms(outbox: Any) -> None:
    with frozen(at(10)):
        [notice] = services.do_send_notice("hall.pickup_ready", PICKUP, key="pickup:1", phone=PHONE)
    notice.refresh_from_db()
    assert (notice.channel, notice.state, notice.attempts) == ("sms", "queued", 0)
    assert notice.address_masked == "139****5678"
    assert notice.template == "SMS_LINLI_HALL_PICKUP_READY" and notice.segments == 1
    assert notice.text.startswith("您的办件材料已存入12号柜，取件码483920")
    assert notice.not_before is None and notice.next_attempt_at == at(10)
    row = Notice.objects.filter(pk=notice.pk).values().get()
    assert not any(PHONE in str(value) for value in row.values())


def test_same_key_never_creates_or_queues_twice(
    outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        first = services.do_send_notice("hall.pickup_ready", PICKUP, key="pickup:1", phone=PHONE)
        again = services.do_send_notice(
            "hall.pickup_ready", PICKUP, key="pickup:1", phone="139 1234 5678"
        )
    assert [n.pk for n in first] == [n.pk for n in again]
    assert Notice.objects.count() == 1
    assert len(queued) == 1
    # Another key, or another recipient with the same key, is another notice.
    services.do_send_notice("hall.pickup_ready", PICKUP, key="pickup:2", phone=PHONE)
    services.do_send_notice("hall.pickup_ready", PICKUP, key="pickup:1", phone="13812345678")
    assert Notice.objects.count() == 3


def test_a_user_gets_the_inbox_and_email_when_they_have_an_address(users: Any) -> None:
    staff = users["committee_staff"]
    [inbox] = services.do_send_notice("risk.hazard_due", DUE, key="hz:7:due", user=staff)
    assert (inbox.channel, inbox.state, inbox.user, inbox.read_at) == ("inbox", "sent", staff, None)
    assert inbox.sent_at is not None and inbox.url == "/risk/cases/7/"
    staff.email = "shanxin@example.com"
    staff.save()
    made = services.do_send_notice("risk.hazard_due", DUE, key="hz:7:due", user=staff)
    assert [n.channel for n in made] == ["inbox", "email"]
    assert made[0].pk == inbox.pk  # the inbox notice is not repeated
    assert (made[1].state, made[1].address_masked) == ("queued", "s***@example.com")
    staff.is_active = False
    staff.save()
    assert services.do_send_notice("risk.hazard_due", DUE, key="hz:8:due", user=staff) == []


def test_bad_input_writes_nothing_and_names_the_field(users: Any) -> None:
    cases = [
        (lambda: services.do_send_notice("hall.pickup", PICKUP, key="k", phone=PHONE), UnknownKind, "kind"),
        (lambda: services.do_send_notice("hall.pickup_ready", {"code": "1"}, key="k", phone=PHONE),
         ParamsInvalid, "locker"),
        (lambda: services.do_send_notice("hall.pickup_ready", PICKUP, key="k"), RecipientInvalid, "user"),
        (lambda: services.do_send_notice("hall.pickup_ready", PICKUP, key="k", phone="1391234"),
         RecipientInvalid, "phone"),
        (lambda: services.do_send_notice("hall.pickup_ready", PICKUP, key="k", user=users["window_clerk"]),
         RecipientInvalid, "user"),
        (lambda: services.do_send_notice("risk.hazard_due", DUE, key="k", phone=PHONE),
         RecipientInvalid, "phone"),
        (lambda: services.do_send_notice("risk.hazard_due", DUE, key="k", email="nope"),
         RecipientInvalid, "email"),
        (lambda: services.do_send_notice("risk.hazard_due", DUE, key="", user=users["partner"]),
         Exception, "key"),
    ]  # fmt: skip
    for call, error, field in cases:
        with pytest.raises(error) as caught:
            call()
        assert caught.value.field == field  # type: ignore[attr-defined]
    assert Notice.objects.count() == 0
    with pytest.raises(RecipientInvalid) as caught:
        services.do_send_notice("hall.pickup_ready", PICKUP, key="k", phone="2391234567")
    assert "2391234567" not in str(caught.value)


def test_send_to_unit_reaches_every_active_account_of_the_unit(street: Any, users: Any) -> None:
    second = User.objects.create(
        username="shanxin2", role="committee_staff", committee=street["c1"]
    )
    User.objects.create(
        username="gone", role="committee_staff", committee=street["c1"], is_active=False
    )
    params = {"unit": "陕新居委", "count": "3", "days": "30"}
    made = services.do_send_to_unit(
        "fire.equipment_due", params, key="fire:due:30:c1", committee=street["c1"]
    )
    assert {n.user for n in made} == {users["committee_staff"], second}
    assert all(n.channel == "inbox" for n in made)
    # Run again (a retried schedule): nothing new.
    again = services.do_send_to_unit(
        "fire.equipment_due", params, key="fire:due:30:c1", committee=street["c1"].pk
    )
    assert sorted(n.pk for n in again) == sorted(n.pk for n in made)
    assert Notice.objects.count() == 2
    org = Organisation.objects.get(name="徐房物业")
    made = services.do_send_to_unit("fire.equipment_overdue", {"unit": "徐房物业", "count": "1"},
                                 key="fire:over:org", partner=org)  # fmt: skip
    assert [n.user for n in made] == [users["partner"]]
    assert services.do_send_to_unit("fire.equipment_overdue", {"unit": "x", "count": "1"},
                                 key="k", partner=Organisation.objects.create(name="空", kind="other")) == []  # fmt: skip
    with pytest.raises(RecipientInvalid):
        services.do_send_to_unit("fire.equipment_overdue", {"unit": "x", "count": "1"}, key="k")
    with pytest.raises(ParamsInvalid):
        services.do_send_to_unit(
            "fire.equipment_overdue", {"unit": "x"}, key="k", committee=street["c2"]
        )


# --- deliver ---------------------------------------------------------------------------------


def test_deliver_writes_the_demo_outbox_once(outbox: Any) -> None:
    [notice] = services.do_send_notice("hall.pickup_ready", PICKUP, key="pickup:1", phone=PHONE)
    done = services.do_deliver_notice(notice.pk)
    assert (done.state, done.acted, done.retry_at) == ("sent", True, None)
    again = services.do_deliver_notice(notice.pk)
    assert (again.state, again.acted) == ("sent", False)
    [line] = lines(outbox)
    assert line["to"] == "139****5678" and PHONE not in outbox.read_text()
    assert line["text"].startswith("【湖南路街道】您的办件材料已存入12号柜")
    assert line["params"] == {"code": "483920", "locker": "12"}
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.provider_id) == ("sent", 1, line["request_id"])


def test_quiet_hours_can_be_switched_off(outbox: Any, settings: Any) -> None:
    settings.LINLI_NOTICES_QUIET_HOURS = ("00:00", "00:00")
    with frozen(at(23, 30)):
        [notice] = services.do_send_notice(
            "hall.case_done", {"item": "居住证", "case": "C1"}, key="c1", phone=PHONE
        )
    assert notice.not_before is None
    assert services.do_deliver_notice(notice.pk, now=at(23, 31)).state == "sent"


def test_resident_sms_waits_for_the_morning(outbox: Any, quiet: None) -> None:
    with frozen(at(22, 30)):
        [notice] = services.do_send_notice(
            "hall.case_done", {"item": "居住证", "case": "C1"}, key="c1", phone=PHONE
        )
    assert notice.not_before == at(8, 0, day=3) == notice.next_attempt_at
    assert services.do_deliver_notice(notice.pk, now=at(23, 0)).acted is False
    assert lines(outbox) == []
    done = services.do_deliver_notice(notice.pk, now=at(8, 0, day=3))
    assert done.state == "sent" and len(lines(outbox)) == 1


def test_a_retry_that_falls_into_the_night_is_held_again(outbox: Any, quiet: None) -> None:
    with frozen(at(20, 59)):
        [notice] = services.do_send_notice(
            "hall.case_done", {"item": "居住证", "case": "C1"}, key="c1", phone=PHONE
        )
    done = services.do_deliver_notice(notice.pk, now=at(21, 1))
    assert (done.state, done.acted, done.retry_at) == ("queued", True, at(8, 0, day=3))
    notice.refresh_from_db()
    assert notice.not_before == at(8, 0, day=3) and notice.attempts == 0
    assert lines(outbox) == []


def test_staff_email_is_not_held_by_quiet_hours(users: Any, quiet: None) -> None:
    staff = users["street_admin"]
    staff.email = "admin@example.com"
    staff.save()
    with frozen(at(23)):
        _, email = services.do_send_notice(
            "jobs.done", {"job": "白皮书批量生成"}, key="job:1", user=staff
        )
    assert email.not_before is None
    assert services.do_deliver_notice(email.pk, now=at(23, 1)).state == "sent"
    [message] = mail.outbox
    assert message.to == ["admin@example.com"] and message.subject == "[邻里] 后台任务已完成"
    assert "后台任务“白皮书批量生成”已完成。" in message.body


def test_opt_out_is_honoured_at_send_and_at_delivery(outbox: Any, users: Any) -> None:
    actor = Actor(users["window_clerk"])
    [queued] = services.do_send_notice(
        "hall.case_done", {"item": "居住证", "case": "C1"}, key="c1", phone=PHONE
    )
    services.do_record_opt_out(actor, "139-1234-5678", "居民本人申请")
    assert services.is_opted_out(PHONE)
    assert services.do_deliver_notice(queued.pk).state == "suppressed"
    [later] = services.do_send_notice(
        "hall.case_done", {"item": "居住证", "case": "C2"}, key="c2", phone=PHONE
    )
    assert later.state == "suppressed" and services.do_deliver_notice(later.pk).acted is False
    assert lines(outbox) == []
    record = AuditRecord.objects.get(action="notices.optout.create")
    assert record.details == {"phone": "139****5678"} and PHONE not in json.dumps(record.details)
    # Withdrawn: SMS flow again.
    services.do_withdraw_opt_out(actor, OptOut.objects.get())
    assert AuditRecord.objects.filter(action="notices.optout.delete").count() == 1
    [third] = services.do_send_notice(
        "hall.case_done", {"item": "居住证", "case": "C3"}, key="c3", phone=PHONE
    )
    assert services.do_deliver_notice(third.pk).state == "sent"


def test_opt_out_needs_the_permission_and_a_valid_phone(users: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.do_record_opt_out(Actor(users["auditor"]), PHONE)
    with pytest.raises(RecipientInvalid) as caught:
        services.do_record_opt_out(Actor(users["window_clerk"]), "12345")
    assert caught.value.field == "phone"
    assert OptOut.objects.count() == 0
    # Recording twice keeps one record and one audit entry.
    services.do_record_opt_out(Actor(users["window_clerk"]), PHONE)
    services.do_record_opt_out(Actor(users["window_clerk"]), "+86 139 1234 5678")
    assert OptOut.objects.count() == 1
    assert AuditRecord.objects.filter(action="notices.optout.create").count() == 1


def test_transport_errors_back_off_then_fail(scripted: type[Scripted], settings: Any) -> None:
    settings.LINLI_NOTICES_MAX_ATTEMPTS = 3
    scripted.script = [Outcome.transport("ConnectionRefusedError")] * 3
    with frozen(at(10)):
        [notice] = services.do_send_notice(
            "hall.case_done", {"item": "居住证", "case": "C1"}, key="c1", phone=PHONE
        )
    with frozen(at(10)):
        first = services.do_deliver_notice(notice.pk)
    assert (first.state, first.retry_at) == ("queued", at(10, 1))  # 60 s
    assert services.do_deliver_notice(notice.pk, now=at(10, 0)).acted is False  # not due yet
    with frozen(at(10, 1)):
        second = services.do_deliver_notice(notice.pk)
    assert second.retry_at == at(10, 3)  # 120 s
    with frozen(at(10, 3)):
        third = services.do_deliver_notice(notice.pk)
    assert (third.state, third.retry_at) == ("failed", None)
    notice.refresh_from_db()
    assert (notice.attempts, notice.last_error) == (3, "ConnectionRefusedError")
    assert len(scripted.calls) == 3


def test_a_rejection_fails_at_once_and_acceptance_is_final(scripted: type[Scripted]) -> None:
    scripted.script = [Outcome.rejected("isv.MOBILE_NUMBER_ILLEGAL: invalid")]
    [rejected] = services.do_send_notice(
        "hall.case_done", {"item": "居住证", "case": "C1"}, key="c1", phone=PHONE
    )
    assert services.do_deliver_notice(rejected.pk).state == "failed"
    assert services.do_deliver_notice(rejected.pk).acted is False
    [accepted] = services.do_send_notice(
        "hall.case_done", {"item": "居住证", "case": "C2"}, key="c2", phone=PHONE
    )
    assert services.do_deliver_notice(accepted.pk).state == "sent"
    assert services.do_deliver_notice(accepted.pk).acted is False
    assert len(scripted.calls) == 2


def test_a_crashing_backend_counts_as_a_transport_error(scripted: type[Scripted]) -> None:
    with mock.patch.object(Scripted, "send", side_effect=RuntimeError(f"boom for {PHONE}")):
        [notice] = services.do_send_notice(
            "hall.case_done", {"item": "x", "case": "C1"}, key="c1", phone=PHONE
        )
        done = services.do_deliver_notice(notice.pk)
    notice.refresh_from_db()
    assert done.state == "queued" and notice.last_error == "RuntimeError in the sms channel"


def test_a_send_cut_off_mid_way_is_never_repeated(scripted: type[Scripted]) -> None:
    with frozen(at(10)):
        [notice] = services.do_send_notice(
            "hall.case_done", {"item": "x", "case": "C1"}, key="c1", phone=PHONE
        )
    Notice.objects.filter(pk=notice.pk).update(state="sending", attempts=1, next_attempt_at=at(10))
    assert services.do_deliver_notice(notice.pk, now=at(10, 5)).acted is False
    assert services.do_fail_stale_sending(now=at(10, 10)) == 0  # within the 15 minutes
    assert services.do_fail_stale_sending(now=at(10, 16)) == 1
    notice.refresh_from_db()
    assert notice.state == "failed" and "outcome unknown" in notice.last_error
    assert scripted.calls == []


def test_due_notice_ids_leave_a_grace_for_the_scheduled_run(outbox: Any, quiet: None) -> None:
    with frozen(at(10)):
        [a] = services.do_send_notice(
            "hall.case_done", {"item": "x", "case": "C1"}, key="a", phone=PHONE
        )
    with frozen(at(22)):
        [night] = services.do_send_notice(
            "hall.case_done", {"item": "x", "case": "C2"}, key="b", phone=PHONE
        )
    assert services.due_notice_ids(now=at(10) + timedelta(seconds=30)) == []
    assert services.due_notice_ids(now=at(10, 1)) == [a.pk]
    assert services.due_notice_ids(now=at(8, 2, day=3)) == [a.pk, night.pk]


# --- tasks -----------------------------------------------------------------------------------


def test_the_task_runs_after_commit_and_twice_sends_once(
    outbox: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = services.do_send_notice("hall.pickup_ready", PICKUP, key="pickup:1", phone=PHONE)
        assert lines(outbox) == []  # nothing leaves before the caller's commit
    assert len(lines(outbox)) == 1
    result = tasks.deliver.apply(args=[notice.pk]).get()
    assert result == {"notice": notice.pk, "state": "sent", "acted": False}
    assert len(lines(outbox)) == 1


def test_flush_due_delivers_notices_whose_message_was_lost(outbox: Any, eager: None) -> None:
    with frozen(at(10)):
        [notice] = services.do_send_notice("hall.pickup_ready", PICKUP, key="pickup:1", phone=PHONE)
    # The on_commit callback never ran (a lost message); the beat's flush finds it.
    with frozen(at(10, 5)):
        assert tasks.flush_due.apply().get() == {"queued": 1, "failed_stale": 0}
    notice.refresh_from_db()
    assert notice.state == "sent" and len(lines(outbox)) == 1


def test_the_broker_being_down_does_not_break_the_caller(outbox: Any, caplog: Any) -> None:
    with mock.patch.object(tasks.deliver, "delay", side_effect=ConnectionRefusedError(PHONE)):
        services.do_queue_notice(1)
    assert "flush_due will deliver it" in caplog.text and PHONE not in caplog.text


def test_no_phone_number_in_logs_or_errors(
    scripted: type[Scripted], caplog: Any, settings: Any, eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    settings.LINLI_NOTICES_MAX_ATTEMPTS = 2
    scripted.script = [
        Outcome.transport(f"could not reach gateway for {PHONE}"),
        Outcome.rejected(f"number {PHONE} is not valid"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = services.do_send_notice(
            "hall.case_done", {"item": "x", "case": "C1"}, key="c1", phone=PHONE
        )
    services.do_deliver_notice(notice.pk, now=notice.created_at + timedelta(hours=1))
    notice.refresh_from_db()
    assert notice.state == "failed" and len(scripted.calls) == 2
    assert scripted.calls[0].address == PHONE and PHONE not in repr(scripted.calls[0])
    assert "139****5678" in notice.last_error and PHONE not in notice.last_error
    assert caplog.records and "139****5678" in caplog.text
    assert PHONE not in caplog.text


def test_an_unreadable_address_fails_once_instead_of_looping(outbox: Any) -> None:
    [notice] = services.do_send_notice(
        "hall.case_done", {"item": "x", "case": "C1"}, key="c1", phone=PHONE
    )
    Notice.objects.filter(pk=notice.pk).update(address_cipher="aesgcm:k0:AAAA")
    assert services.do_deliver_notice(notice.pk).state == "failed"
    notice.refresh_from_db()
    assert notice.last_error.endswith("preparing the message") and notice.attempts == 0
    assert lines(outbox) == []


def test_a_kind_dropped_from_the_catalogue_still_goes_out(outbox: Any) -> None:
    [notice] = services.do_send_notice(
        "hall.case_done", {"item": "居住证", "case": "C1"}, key="c1", phone=PHONE
    )
    Notice.objects.filter(pk=notice.pk).update(kind="hall.retired_kind")
    assert services.do_deliver_notice(notice.pk).state == "sent"
    [line] = lines(outbox)
    assert line["params"] == {"item": "居住证", "case": "C1"}


def test_a_concurrent_duplicate_is_caught_by_the_constraint(outbox: Any) -> None:
    """Two callers that both found no notice: the second insert fails, the first one stands."""
    from django.db import transaction
    from django.db.models.query import QuerySet

    [first] = services.do_send_notice(
        "hall.case_done", {"item": "x", "case": "C1"}, key="c1", phone=PHONE
    )
    with transaction.atomic(), mock.patch.object(QuerySet, "first", return_value=None):
        [again] = services.do_send_notice(
            "hall.case_done", {"item": "x", "case": "C1"}, key="c1", phone=PHONE
        )
        assert again.pk == first.pk
        assert Notice.objects.count() == 1  # the caller's transaction is still usable


def test_purge_keeps_what_is_pending_or_unread(users: Any, outbox: Any, settings: Any) -> None:
    settings.LINLI_NOTICES_KEEP_DAYS = 180
    me = users["committee_staff"]
    with frozen(at(10)):
        [read] = services.do_send_notice("jobs.done", {"job": "a"}, key="a", user=me)
        [unread] = services.do_send_notice("jobs.done", {"job": "b"}, key="b", user=me)
        [sent] = services.do_send_notice(
            "hall.case_done", {"item": "x", "case": "C1"}, key="c1", phone=PHONE
        )
        [pending] = services.do_send_notice(
            "hall.case_done", {"item": "x", "case": "C2"}, key="c2", phone=PHONE
        )
        services.do_mark_read(me, read.pk)
        services.do_deliver_notice(sent.pk)
    assert services.do_purge_old_notices(now=at(10) + timedelta(days=179)) == 0
    assert services.do_purge_old_notices(now=at(10) + timedelta(days=181)) == 2
    assert set(Notice.objects.values_list("pk", flat=True)) == {unread.pk, pending.pk}
