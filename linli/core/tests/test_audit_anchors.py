"""The keyed chain and its anchors outside the database: tampering versus a restore."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from linli.core import audit
from linli.core.backup import anchor_audit
from linli.core.context import Actor
from linli.core.models import AuditHead, AuditRecord

pytestmark = pytest.mark.django_db


def _sql(sql: str, params: list[Any]) -> None:
    """Someone with raw database access (but not the audit key) changes the table."""
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _write(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        audit.record(Actor.system("tester"), f"test.action{i}", details={"n": i})


def _unkeyed_rechain() -> None:
    """The attack that used to pass: recompute every digest and the head without the key."""
    prev = audit.GENESIS
    for rec in AuditRecord.objects.order_by("seq"):
        digest = hashlib.sha256((prev + audit.canonical(audit.record_fields(rec))).encode())
        _sql("UPDATE core_auditrecord SET prev_digest = %s, digest = %s WHERE seq = %s",
             [prev, digest.hexdigest(), rec.seq])  # fmt: skip
        prev = digest.hexdigest()
    _sql("UPDATE core_audithead SET digest = %s WHERE id = 1", [prev])


def _cut_tail(after: int) -> None:
    """Remove records after ``after`` and make the head agree (no key needed for that)."""
    last = AuditRecord.objects.get(seq=after)
    _sql("DELETE FROM core_auditrecord WHERE seq > %s", [after])
    _sql("UPDATE core_audithead SET seq = %s, digest = %s WHERE id = 1", [after, last.digest])


def _exit_code(capsys: Any) -> tuple[int, str]:
    """``linli audit verify``'s exit status and text (``call_command`` keeps the test's
    database connection open; the command line turns ``CommandError`` into the status)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + err.getvalue() + str(exc)
    return 0, out.getvalue() + err.getvalue()


def test_a_chain_recomputed_without_the_key_is_tampering() -> None:
    _write(3)
    _sql("UPDATE core_auditrecord SET object_repr = %s WHERE seq = %s", ["forged", 2])
    _unkeyed_rechain()
    report = audit.verify()
    assert report.verdict == "tampered" and report.broken_seq == 1


def test_an_appended_forged_record_is_tampering() -> None:
    _write(2)
    head = AuditHead.objects.get(pk=1)
    forged = AuditRecord(seq=3, at=AuditRecord.objects.get(seq=2).at, actor_name="mallory",
                         action="people.resident.view_identity", outcome="ok", details={},
                         prev_digest=head.digest)  # fmt: skip
    forged.digest = hashlib.sha256(
        (head.digest + audit.canonical(audit.record_fields(forged))).encode()
    ).hexdigest()
    forged.save(force_insert=True)
    _sql("UPDATE core_audithead SET seq = 3, digest = %s WHERE id = 1", [forged.digest])
    report = audit.verify()
    assert report.verdict == "tampered" and report.broken_seq == 3


def test_a_record_inserted_in_the_middle_is_tampering() -> None:
    _write(3)
    _sql("UPDATE core_auditrecord SET seq = seq + 10 WHERE seq >= %s", [2])
    report = audit.verify()
    assert report.verdict == "tampered" and report.broken_seq == 2


def test_a_removed_tail_with_a_rewritten_head_is_caught_by_the_anchor() -> None:
    _write(3)
    anchor_audit("daily")
    _write(3, 3)
    anchor_audit("daily")
    _cut_tail(4)  # records 5 and 6 gone; 4 predates the anchor naming 6
    report = audit.verify()
    assert report.verdict == "tampered"
    assert report.broken_seq == 5
    assert "names record 6" in report.problem


def test_without_anchors_the_same_truncation_goes_unnoticed_and_says_so() -> None:
    _write(3)
    _cut_tail(2)
    report = audit.verify()
    assert report.ok and report.checked == 2
    assert "cannot be detected" in report.notes[0]


def test_a_restore_is_reported_as_a_restore(capsys: Any) -> None:
    _write(3)
    anchor_audit("backup")  # the backup holds records 1-3
    _write(4, 3)
    anchor_audit("daily")  # the day ends at record 7
    _cut_tail(3)  # the database is restored from that backup
    report = audit.verify()
    assert report.verdict == "restored" and report.missing == (4, 7)
    assert report.restored_to is not None and report.restored_to.seq == 3
    code, text = _exit_code(capsys)
    assert code == 3
    assert "restored from a backup" in text and "records 4–7" in text
    # Work goes on after the restore: new records 4, 5 are newer than the lost anchor.
    _write(2, 100)
    report = audit.verify()
    assert report.verdict == "restored" and report.missing == (4, 7)


def test_anchors_written_after_a_restore_keep_it_a_restore() -> None:
    _write(3)
    anchor_audit("backup")
    _write(4, 3)
    anchor_audit("daily")
    _cut_tail(3)  # restored
    _write(2, 100)
    anchor_audit("daily")  # the next day's anchor names the chain as it now is
    report = audit.verify()
    assert report.verdict == "restored" and report.missing == (4, 7)
    # Removing the newest record after that is still caught: the new record 4 predates the
    # anchor naming the new record 5.
    _cut_tail(4)
    report = audit.verify()
    assert report.verdict == "tampered" and "names record 5" in report.problem


def test_intact_chain_with_anchors_exits_zero(capsys: Any) -> None:
    _write(2)
    anchor_audit("daily")
    _write(1, 2)
    code, text = _exit_code(capsys)
    assert code == 0
    assert "audit chain intact: 3 records verified against 1 anchor" in text


def test_tampering_exits_one(capsys: Any) -> None:
    _write(2)
    _sql("UPDATE core_auditrecord SET actor_name = %s WHERE seq = %s", ["mallory", 1])
    code, text = _exit_code(capsys)
    assert code == 1 and "TAMPERED" in text and "record 1" in text


def test_the_migration_rechains_old_unkeyed_records_once_with_a_note(tmp_path: Path) -> None:
    from django.apps import apps

    _write(3)
    _unkeyed_rechain()  # what a database from before the keyed chain holds
    anchors = Path(settings.LINLI_AUDIT_ANCHOR_FILE)
    anchors.write_text(json.dumps({"at": "2026-01-01T00:00:00+00:00", "seq": 3,
                                   "digest": "a" * 64, "reason": "daily"}) + "\n")  # fmt: skip
    migration = importlib.import_module("linli.core.migrations.0003_audit_keyed_chain")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.forwards(apps, editor)
    note = AuditRecord.objects.get(action="audit.rechain")
    assert note.seq == 4 and note.details["records"] == 3
    assert note.details["legacy_chain"] == "intact"
    report = audit.verify()
    assert report.ok and report.checked == 4 and report.anchors == 1  # old anchor ignored
    assert json.loads(anchors.read_text().splitlines()[-1])["reason"] == "rechain"
