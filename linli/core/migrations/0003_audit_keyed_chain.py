"""Re-chain the audit log once with keyed digests (HMAC-SHA256 with LINLI_AUDIT_KEY).

The old chain was plain SHA-256, which anyone with database access could recompute. This
migration first checks the old chain as it stands, then recomputes every digest with the
key, and appends one record ``audit.rechain`` saying how many records were re-chained and
what the old chain's check found (a break found here stays on record). It also appends a
``rechain`` anchor line: anchors written before it belong to the old chain and ``linli audit
verify`` ignores them (docs/privacy.md).
"""

import base64
import hashlib
import hmac
import importlib
import json
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.db import migrations
from django.utils import timezone

GENESIS = "0" * 64
triggers = importlib.import_module("linli.core.migrations.0002_audit_append_only")


def _canonical(fields):
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _fields(rec):
    return {
        "seq": rec.seq,
        "at": rec.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": rec.actor_id,
        "actor_name": rec.actor_name,
        "action": rec.action,
        "object_type": rec.object_type,
        "object_id": rec.object_id,
        "object_repr": rec.object_repr,
        "outcome": rec.outcome,
        "terminal": rec.terminal,
        "details": rec.details,
    }


def _legacy_check(records):
    prev, expected = GENESIS, 1
    for rec in records:
        if rec.seq != expected:
            return f"broken: record {expected} is missing"
        legacy = hashlib.sha256((prev + _canonical(_fields(rec))).encode()).hexdigest()
        if rec.prev_digest != prev or rec.digest != legacy:
            return f"broken at record {rec.seq}"
        prev, expected = rec.digest, expected + 1
    return "intact"


def forwards(apps, schema_editor):
    AuditRecord = apps.get_model("core", "AuditRecord")
    AuditHead = apps.get_model("core", "AuditHead")
    records = list(AuditRecord.objects.order_by("seq"))
    if not records:
        return
    key = base64.b64decode(settings.LINLI_AUDIT_KEY)[:32]
    if len(key) < 32:
        raise RuntimeError("settings.LINLI_AUDIT_KEY must decode to at least 32 bytes")
    legacy = _legacy_check(records)
    connection = schema_editor.connection
    triggers.uninstall(connection)
    prev = GENESIS
    for rec in records:
        rec.prev_digest = prev
        rec.digest = hmac.new(
            key, (prev + _canonical(_fields(rec))).encode(), hashlib.sha256
        ).hexdigest()
        prev = rec.digest
    AuditRecord.objects.bulk_update(records, ["prev_digest", "digest"], batch_size=1000)
    note = AuditRecord(
        seq=records[-1].seq + 1, at=timezone.now(), actor=None, actor_name="migrate",
        action="audit.rechain", object_type="", object_id="", object_repr="",
        outcome="ok", terminal="cli",
        details={"records": len(records), "legacy_chain": legacy, "algorithm": "hmac-sha256"},
        prev_digest=prev,
    )  # fmt: skip
    note.digest = hmac.new(
        key, (prev + _canonical(_fields(note))).encode(), hashlib.sha256
    ).hexdigest()
    note.save(force_insert=True)
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": note.seq, "digest": note.digest})
    if getattr(settings, "LINLI_AUDIT_TRIGGERS", True):
        triggers.install(connection)
    default = Path(settings.VAR_DIR) / "audit-anchors.log"
    path = Path(getattr(settings, "LINLI_AUDIT_ANCHOR_FILE", default))
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"at": timezone.now().isoformat(timespec="microseconds"), "seq": note.seq,
             "digest": note.digest, "reason": "rechain", "legacy_chain": legacy}  # fmt: skip
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
