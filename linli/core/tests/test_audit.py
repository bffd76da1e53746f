"""The audit log: chained, append-only, and verification names the first broken link."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from linli.core import audit
from linli.core.context import Actor
from linli.core.models import AuditRecord

# Plain (rolled-back) tests: the triggers installed here vanish with the transaction.
pytestmark = pytest.mark.django_db
triggers = importlib.import_module("linli.core.migrations.0002_audit_append_only")


def _three(actor: Actor) -> list[AuditRecord]:
    return [audit.record(actor, f"test.action{i}", details={"n": i, "名": "值"}) for i in range(3)]


def _tamper(sql: str, params: list[Any]) -> None:
    """Someone with raw database access changes the table behind the application's back."""
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_records_chain_and_verify() -> None:
    records = _three(Actor.system("tester"))
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[1].prev_digest == records[0].digest
    report = audit.verify()
    assert report.ok and report.checked == 3


def test_records_keep_who_what_outcome_and_terminal(users: dict[str, Any]) -> None:
    rec = audit.record(Actor(users["street_admin"], "kiosk-1@10.0.0.5"), "geo.building.update",
                       users["street_admin"], outcome="denied")  # fmt: skip
    stored = AuditRecord.objects.get(pk=rec.pk)
    assert stored.actor_name == "street_admin"
    assert stored.terminal == "kiosk-1@10.0.0.5"
    assert stored.outcome == "denied"
    assert stored.object_type == "core.user"


def test_updates_and_deletes_are_refused_by_the_database() -> None:
    rec = _three(Actor.system("tester"))[0]
    triggers.install(connection)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=rec.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=rec.pk).delete()
    assert AuditRecord.objects.get(pk=rec.pk).action == "test.action0"


def test_an_altered_record_is_named() -> None:
    records = _three(Actor.system("tester"))
    _tamper("UPDATE core_auditrecord SET object_repr = %s WHERE seq = %s", ["forged", 2])
    report = audit.verify()
    assert not report.ok
    assert report.broken_seq == 2
    assert "digest" in report.problem
    assert records


def test_a_removed_record_is_named() -> None:
    _three(Actor.system("tester"))
    _tamper("DELETE FROM core_auditrecord WHERE seq = %s", [2])
    report = audit.verify()
    assert not report.ok and report.broken_seq == 2


def test_removing_the_newest_record_is_noticed_through_the_head() -> None:
    _three(Actor.system("tester"))
    _tamper("DELETE FROM core_auditrecord WHERE seq = %s", [3])
    report = audit.verify()
    assert not report.ok and report.broken_seq == 3


def test_command_reports_the_break(capsys: Any) -> None:
    _three(Actor.system("tester"))
    call_command("audit_verify")
    assert "3 records verified" in capsys.readouterr().out
    _tamper("UPDATE core_auditrecord SET actor_name = %s WHERE seq = %s", ["mallory", 1])
    with pytest.raises(SystemExit) as exc:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["linli", "audit_verify"])
    assert exc.value.code == 1
    assert "broken at record 1" in capsys.readouterr().err


# --- The chain's digest follows the cipher suite (SHA-256 or SM3) and may switch at a record ---


def _suite(settings: Any, name: str) -> str:
    settings.LINLI_CRYPTO_SUITE = name
    return {"aes": "sha256", "sm": "sm3"}[name]


@pytest.mark.parametrize(("first", "then"), [("aes", "sm"), ("sm", "aes")])
def test_a_chain_switches_suite_at_a_record_and_stays_verifiable(
    settings: Any, first: str, then: str
) -> None:
    from linli.core.crypto import hmac_hex

    old_digest = _suite(settings, first)
    before = _three(Actor.system("tester"))
    new_digest = _suite(settings, then)
    after = _three(Actor.system("tester"))
    assert [r.seq for r in after] == [5, 6, 7]  # record 4 says the chain switched
    switch = AuditRecord.objects.get(seq=4)
    assert switch.action == audit.SUITE_ACTION
    assert switch.details == {"from": old_digest, "to": new_digest}
    key = audit.audit_key()
    fields = audit.record_fields
    assert before[2].digest == hmac_hex(
        key, (before[1].digest + audit.canonical(fields(before[2]))).encode(), old_digest
    )
    assert after[0].digest == hmac_hex(
        key, (switch.digest + audit.canonical(fields(after[0]))).encode(), new_digest
    )
    report = audit.verify()
    assert report.ok and report.checked == 7
    # Later appends under the same suite need no second switch.
    assert audit.record(Actor.system("tester"), "test.more").seq == 8


def test_a_record_after_the_switch_is_still_checked(settings: Any) -> None:
    _suite(settings, "aes")
    _three(Actor.system("tester"))
    _suite(settings, "sm")
    _three(Actor.system("tester"))
    _tamper("UPDATE core_auditrecord SET object_repr = %s WHERE seq = %s", ["forged", 6])
    report = audit.verify()
    assert not report.ok and report.broken_seq == 6


def test_a_forged_switch_record_breaks_the_chain(settings: Any) -> None:
    _suite(settings, "aes")
    _three(Actor.system("tester"))
    _suite(settings, "sm")
    _three(Actor.system("tester"))
    forged = '{"from": "sha256", "to": "sha256"}'
    _tamper("UPDATE core_auditrecord SET details = %s WHERE seq = %s", [forged, 4])
    report = audit.verify()
    assert not report.ok and report.broken_seq == 4
