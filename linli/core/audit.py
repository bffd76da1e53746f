"""The append-only, hash-chained audit log.

Each record's digest is SHA-256 over the previous digest and a canonical JSON of its
fields, so altering or removing any record breaks every later link; ``verify`` names
the first broken one. Appends update the single ``AuditHead`` row first, which takes a
write lock on SQLite and a row lock on PostgreSQL, so concurrent appends serialise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from .context import Actor
from .models import AuditHead, AuditRecord

GENESIS = "0" * 64


def canonical(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest_of(prev_digest: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_digest + canonical(fields)).encode()).hexdigest()


def record_fields(rec: AuditRecord) -> dict[str, Any]:
    at = rec.at.astimezone(UTC).isoformat(timespec="microseconds")
    return {
        "seq": rec.seq,
        "at": at,
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


def record(
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    *,
    outcome: str = AuditRecord.Outcome.OK,
    details: Mapping[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditRecord:
    """Append one record; call inside the transaction of the change it describes."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    with transaction.atomic():
        updated = AuditHead.objects.filter(pk=1).update(seq=F("seq") + 1)
        if not updated:
            AuditHead.objects.create(pk=1, seq=1)
        head = AuditHead.objects.get(pk=1)
        rec = AuditRecord(
            seq=head.seq,
            at=timezone.now(),
            actor=actor.user,
            actor_name=actor.label[:150],
            action=action,
            object_type=object_type[:60],
            object_id=object_id[:64],
            object_repr=object_repr[:200],
            outcome=str(outcome),
            terminal=actor.terminal[:100],
            details=dict(details or {}),
            prev_digest=head.digest,
        )
        # Round-trip the details through JSON so the digest covers what the database keeps.
        rec.details = json.loads(canonical(rec.details))
        rec.digest = digest_of(head.digest, record_fields(rec))
        rec.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(digest=rec.digest)
    return rec


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""


def verify_chain(records: Iterable[AuditRecord], head: AuditHead | None) -> ChainReport:
    """Walk records in seq order; report the first record whose link does not hold."""
    prev = GENESIS
    expected = 1
    checked = 0
    for rec in records:
        if rec.seq != expected:
            return ChainReport(False, checked, expected, f"record {expected} is missing")
        if rec.prev_digest != prev:
            return ChainReport(False, checked, rec.seq, "link to the previous record is broken")
        if digest_of(prev, record_fields(rec)) != rec.digest:
            return ChainReport(False, checked, rec.seq, "record content does not match its digest")
        prev = rec.digest
        expected += 1
        checked += 1
    if head is not None and (head.seq != checked or head.digest != prev):
        return ChainReport(
            False, checked, checked + 1, "records after this point were removed (head mismatch)"
        )
    return ChainReport(True, checked)


def verify() -> ChainReport:
    records = AuditRecord.objects.order_by("seq").iterator(chunk_size=2000)
    return verify_chain(records, AuditHead.objects.filter(pk=1).first())
