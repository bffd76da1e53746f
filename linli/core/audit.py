"""The append-only, keyed hash chain of audit records.

Each record's digest is an HMAC, keyed with ``LINLI_AUDIT_KEY`` (kept outside the
database like the other keys), over the previous digest and a canonical JSON of its fields.
The HMAC's hash is SHA-256, or SM3 under the ``sm`` cipher suite (``LINLI_CRYPTO_SUITE``). A
chain switches at a record: when the suite changes, the next append first writes a
``core.audit.suite`` record naming the new digest, itself made with it; ``verify_chain`` starts
with the digest the first record was made with (a new chain starts with the current suite's)
and follows those records, so records made before a switch stay verifiable.
Altering, removing or inserting a record breaks a link, and someone with only database access
cannot recompute the chain: without the key they cannot produce a valid digest. The chain's
head is also written outside the database (``backup.anchor_audit``: daily and on every
backup); ``verify`` compares the chain with those anchors, so a removed tail is noticed even
when the head row was rewritten too, and a restore from a backup (the chain continues from an
anchored point, the later anchored records are gone) is told apart from tampering.

Appends update the single ``AuditHead`` row first, which takes a write lock on SQLite and a
row lock on PostgreSQL, so concurrent appends serialise.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from .context import Actor
from .crypto import SUITE_DIGEST, hmac_hex, key_bytes, suite
from .models import AuditHead, AuditRecord

GENESIS = "0" * 64
FIRST_DIGEST = "sha256"  # the chains written before the SM suite existed
SUITE_ACTION = "core.audit.suite"  # the record at which a chain changes its digest
DIGESTS = frozenset(SUITE_DIGEST.values())


def canonical(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def audit_key() -> bytes:
    return key_bytes(settings.LINLI_AUDIT_KEY, "LINLI_AUDIT_KEY")


def chain_digest() -> str:
    """The digest new records are made with: ``sha256``, or ``sm3`` under the ``sm`` suite."""
    return SUITE_DIGEST[suite()]


def digest_of(
    prev_digest: str, fields: Mapping[str, Any], key: bytes, alg: str = FIRST_DIGEST
) -> str:
    message = (prev_digest + canonical(fields)).encode()
    if alg == FIRST_DIGEST:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return hmac_hex(key, message, alg)


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
        key, alg = audit_key(), chain_digest()
        if not updated:
            AuditHead.objects.create(pk=1, seq=1, alg=alg)
        head = AuditHead.objects.get(pk=1)
        seq, prev = head.seq, head.digest
        if head.alg != alg and seq > 1:
            # The suite changed: the chain says so, at a record made with the new digest.
            switch = _append(
                Actor.system("audit"), SUITE_ACTION, seq, prev, key, alg,
                object_type="core.audithead", object_id="1", object_repr="audit chain",
                details={"from": head.alg, "to": alg},
            )  # fmt: skip
            seq, prev = seq + 1, switch.digest
        rec = _append(
            actor, action, seq, prev, key, alg, outcome=str(outcome), details=details,
            object_type=object_type, object_id=object_id, object_repr=object_repr,
        )  # fmt: skip
        AuditHead.objects.filter(pk=1).update(seq=seq, digest=rec.digest, alg=alg)
    return rec


def _append(
    actor: Actor,
    action: str,
    seq: int,
    prev_digest: str,
    key: bytes,
    alg: str,
    *,
    outcome: str = AuditRecord.Outcome.OK,
    details: Mapping[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditRecord:
    rec = AuditRecord(
        seq=seq,
        at=timezone.now(),
        actor=actor.user,
        actor_name=actor.label[:150],
        action=action,
        object_type=object_type[:60],
        object_id=object_id[:64],
        object_repr=object_repr[:200],
        outcome=outcome,
        terminal=actor.terminal[:100],
        details=dict(details or {}),
        prev_digest=prev_digest,
    )
    # Round-trip the details through JSON so the digest covers what the database keeps.
    rec.details = json.loads(canonical(rec.details))
    rec.digest = digest_of(prev_digest, record_fields(rec), key, alg)
    rec.save(force_insert=True)
    return rec


@dataclass(frozen=True)
class Anchor:
    """One line of the anchor file: the chain's head (``seq``, ``digest``) at a time."""

    at: datetime
    seq: int
    digest: str
    reason: str = ""


INTACT, TAMPERED, RESTORED = "intact", "tampered", "restored"


@dataclass(frozen=True)
class ChainReport:
    """``verdict``: ``intact`` (exit 0), ``tampered`` (exit 1) or ``restored`` (exit 3: the
    chain is valid and continues from an anchored point, records anchored later are missing)."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""
    verdict: str = INTACT
    anchors: int = 0
    missing: tuple[int, int] | None = None  # first and last missing seq after a restore
    restored_to: Anchor | None = None
    notes: list[str] = field(default_factory=list)


def _tampered(checked: int, seq: int | None, problem: str, anchors: int = 0) -> ChainReport:
    return ChainReport(False, checked, seq, problem, TAMPERED, anchors)


def verify_chain(
    records: Iterable[AuditRecord],
    head: AuditHead | None,
    key: bytes,
    anchors: Sequence[Anchor] = (),
) -> ChainReport:
    """Walk records in seq order; report the first record whose link does not hold, then
    compare the valid chain with the anchors written outside the database."""
    cuts = sorted({a.seq for a in anchors})
    digest_at: dict[int, str] = {0: GENESIS}
    # Earliest time of the records between consecutive anchored seqs: after a restore, every
    # record past the restored point must be newer than the anchors it no longer matches.
    earliest: dict[int, datetime] = {}
    wanted = set(cuts)
    prev = GENESIS
    alg = FIRST_DIGEST
    expected = 1
    checked = 0
    for rec in records:
        if rec.seq != expected:
            return _tampered(checked, expected, f"record {expected} is missing")
        if rec.prev_digest != prev:
            return _tampered(checked, rec.seq, "link to the previous record is broken")
        if rec.seq == 1:
            # A chain starts with the suite in effect when its first record was written.
            fields = record_fields(rec)
            alg = next(
                (a for a in (FIRST_DIGEST, "sm3")
                 if hmac.compare_digest(digest_of(prev, fields, key, a), rec.digest)),
                FIRST_DIGEST,
            )  # fmt: skip
        if rec.action == SUITE_ACTION:
            # The record that switches the digest is made with the new one (and keyed, so it
            # cannot be forged without the key).
            alg = str((rec.details or {}).get("to", ""))
            if alg not in DIGESTS:
                return _tampered(checked, rec.seq, f"unknown chain digest {alg!r}")
        if not hmac.compare_digest(digest_of(prev, record_fields(rec), key, alg), rec.digest):
            return _tampered(checked, rec.seq, "record content does not match its keyed digest")
        if rec.seq in wanted:
            digest_at[rec.seq] = rec.digest
        segment = bisect.bisect_left(cuts, rec.seq)
        if segment not in earliest or rec.at < earliest[segment]:
            earliest[segment] = rec.at
        prev = rec.digest
        expected += 1
        checked += 1
    if head is not None and (head.seq != checked or head.digest != prev):
        return _tampered(
            checked, checked + 1, "records after this point were removed (head mismatch)"
        )
    if not anchors:
        return ChainReport(
            True, checked, notes=["no anchors outside the database: a removed tail of "
                                  "records cannot be detected"]
        )  # fmt: skip
    matches = [digest_at.get(a.seq) == a.digest for a in anchors]
    if all(matches):
        return ChainReport(True, checked, anchors=len(anchors))
    # Runs of anchors the chain no longer matches: history that was anchored and is gone. The
    # chain cannot have been rewritten without the key, so each run is a restore to the last
    # matching anchor before it -- provided every record after that point is newer than every
    # anchor of the run (the database went back and work went on). A record older than one of
    # them belongs to that anchored history: its later part was removed (tampering).
    runs: list[tuple[int, int]] = []  # (index of the first non-matching anchor, last + 1)
    i = 0
    while i < len(anchors):
        if matches[i]:
            i += 1
            continue
        j = i
        while j < len(anchors) and not matches[j]:
            j += 1
        runs.append((i, j))
        i = j
    missing: list[tuple[int, int]] = []
    restored_to: Anchor | None = None
    for first, stop in runs:
        before = anchors[first - 1] if first else None
        point = before.seq if before else 0
        first_segment = bisect.bisect_right(cuts, point)  # the records numbered after ``point``
        first_after = min(
            (t for segment, t in earliest.items() if segment >= first_segment), default=None
        )
        older = [a for a in anchors[first:stop] if first_after is not None and first_after <= a.at]
        if older:
            lost = older[-1]
            where = checked + 1 if lost.seq > checked else lost.seq
            return _tampered(
                checked, where,
                f"records were removed or replaced: the anchor of {lost.at:%Y-%m-%d %H:%M:%S} "
                f"names record {lost.seq}, which this chain does not have",
                len(anchors),
            )  # fmt: skip
        missing.append((point + 1, max(a.seq for a in anchors[first:stop])))
        restored_to = before
    lost_text = ", ".join(f"{a}–{b}" for a, b in missing)
    point = missing[-1][0] - 1
    return ChainReport(
        False, checked, point + 1,
        f"restored from a backup: the chain continues from record {point}; records "
        f"{lost_text}, anchored later, are missing",
        RESTORED, len(anchors), missing[-1], restored_to,
    )  # fmt: skip


def read_anchors(lines: Iterable[str]) -> tuple[list[Anchor], list[str]]:
    """Parse anchor lines; anchors before the last ``rechain`` (the migration to keyed
    digests) are of the old chain and ignored. Unreadable lines are reported, not fatal."""
    anchors: list[Anchor] = []
    problems: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            anchor = Anchor(
                datetime.fromisoformat(entry["at"]), int(entry["seq"]), str(entry["digest"]),
                str(entry.get("reason", "")),
            )  # fmt: skip
        except (ValueError, KeyError, TypeError):
            problems.append(f"anchor line {number} is unreadable")
            continue
        if anchor.reason == "rechain":
            anchors = []
        anchors.append(anchor)
    return anchors, problems


def verify() -> ChainReport:
    from .backup import anchor_file

    path = anchor_file()
    anchors: list[Anchor] = []
    problems: list[str] = []
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            anchors, problems = read_anchors(handle)
    records = AuditRecord.objects.order_by("seq").iterator(chunk_size=2000)
    report = verify_chain(records, AuditHead.objects.filter(pk=1).first(), audit_key(), anchors)
    report.notes.extend(problems)
    return report
