"""Stored scores: ``do_rescore`` is the one writer of ``Score`` rows for a committee;
``do_rescore_round`` rebuilds a whole round in bulk with the same engine and the same rows."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection, transaction

from linli.core import audit, policy
from linli.core.context import Actor
from linli.geo.models import Committee

from .. import paper, rules
from ..models import (
    Check,
    Finding,
    Round,
    Sample,
    Score,
)
from ..queries import method_of


def sample_input(method: rules.Method, sample: Sample) -> rules.SampleInput:
    """The engine's input for a sample (checks and findings prefetched)."""
    subunits: dict[str, Any] = {}
    for check in sample.checks.all():
        if check.status == Check.Status.NA:
            subunits[check.code] = rules.NA
        else:
            found = [
                rules.Finding(f.likelihood, f.severity, f.major_fire_hazard)
                for f in check.findings.all()
            ]
            if found:
                subunits[check.code] = found
    return rules.SampleInput(sample.label, subunits)


def _dec(value: Any) -> Decimal:
    return rules.round_half_up(value, 2)


def _cents(value: Fraction) -> int:
    """``round_half_up(value, 2)`` × 100 for the non-negative values of scoring, in integers."""
    n, d = value.numerator, value.denominator
    return (200 * n + d) // (2 * d)


def _cents_text(cents: int) -> str:
    """A non-negative value in hundredths as the database reads it (1234 → "12.34")."""
    return f"{cents // 100}.{cents % 100:02d}"


def do_rescore(actor: Actor, rnd: Round, committee: Committee) -> rules.CommitteeResult | None:
    """Recompute and store a committee's results from its submitted samples (the one writer)."""
    method = method_of(rnd.method)
    samples = list(
        Sample.objects.filter(round=rnd, committee=committee, state=Sample.State.SUBMITTED)
        .prefetch_related("checks__findings")
        .order_by("label")
    )
    old = Score.objects.filter(round=rnd, committee=committee, sample=None, unit="").first()
    with transaction.atomic():
        Score.objects.filter(round=rnd, committee=committee).delete()
        if not samples:
            return None
        inputs = [sample_input(method, s) for s in samples]
        result = rules.score_committee(method, inputs, committee=committee.name)
        rows = [
            Score(
                round=rnd,
                committee=committee,
                unit="",
                value=_dec(result.value),
                grade=result.grade,
                band_grade=result.band_grade,
            )
        ]
        for code, u in result.units.items():
            if u is not None:
                rows.append(
                    Score(
                        round=rnd,
                        committee=committee,
                        unit=code,
                        value=_dec(u.value),
                        grade=u.grade,
                        band_grade=u.band_grade,
                    )
                )
        for s, sr in zip(samples, result.samples, strict=True):
            rows.append(
                Score(
                    round=rnd,
                    committee=committee,
                    sample=s,
                    unit="",
                    value=_dec(sr.value),
                    grade=sr.grade,
                    band_grade=sr.grade,
                )
            )
            for code, u in sr.units.items():
                if u is not None:
                    rows.append(
                        Score(
                            round=rnd,
                            committee=committee,
                            sample=s,
                            unit=code,
                            value=_dec(u.value),
                            grade=u.grade,
                            band_grade=u.band_grade,
                        )
                    )
        Score.objects.bulk_create(rows)
        paper.schedule_refresh(committee=[committee.pk])  # bulk writes send no signals
        new = (str(_dec(result.value)), result.grade)
        before = (str(old.value), old.grade) if old else None
        if before != new:
            audit.record(
                actor,
                "risk.grade",
                committee,
                details={
                    "round": rnd.name,
                    "method": method.version,
                    "samples": len(samples),
                    "before": before,
                    "value": new[0],
                    "grade": new[1],
                },
            )
    return result


StoredScores = dict[tuple[int, int | None, str], tuple[int, str]]


def _stored_scores(round_id: int) -> StoredScores:
    """A round's stored scores by (committee, sample, unit): (primary key, the values packed into
    one short text, "1234AB": hundredths, grade, band grade — five columns to fetch per row
    instead of seven). In no particular order."""
    table = connection.ops.quote_name(Score._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, committee_id, sample_id, unit,"
            " CAST(CAST(ROUND(value * 100) AS integer) AS varchar(12)) || grade || band_grade"
            f" FROM {table} WHERE round_id = %s",
            [round_id],
        )
        return {(c, s, u): (pk, packed) for pk, c, s, u, packed in cursor.fetchall()}


def _stored_scores_aside(round_id: int) -> StoredScores:
    """``_stored_scores`` on a connection of this thread's own, closed afterwards."""
    try:
        return _stored_scores(round_id)
    finally:
        connection.close()


@contextmanager
def _reading_stored_scores(round_id: int) -> Iterator[Callable[[], StoredScores]]:
    """Read the round's stored scores while the caller reads and scores the round.

    On PostgreSQL outside a transaction, the read runs in a thread of its own on a second
    connection, so the server scans the scores on one core while it reads the sub-units, and
    Python scores them, on the other (≈ 0.5 s of a city round). Otherwise (SQLite, whose reads
    hold the interpreter; or inside a transaction, which a second connection would not see)
    the scores are read when asked for. Either way the read happens before the round's write
    transaction, as it did inside it: nothing is locked, and a committee rescored meanwhile by
    ``do_rescore`` is written by both with the same engine.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield lambda: _stored_scores(round_id)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rescore") as pool:
        future = pool.submit(_stored_scores_aside, round_id)
        yield future.result


def _merge_scores(
    rows: list[tuple[Any, ...]],
    stored_scores: Callable[[], StoredScores],
    phases: dict[str, float] | None = None,
) -> tuple[int, set[int]]:
    """Make the round's stored scores equal to ``rows`` (round, committee, sample, unit, value in
    hundredths, grade, band grade), writing only what changed.

    The stored scores (``stored_scores()``, see ``_reading_stored_scores``) are compared in
    Python; then, in bulk, only the changed values are updated by primary key (in place on
    PostgreSQL: the table's pages are kept half full, migration 0005, so a rewritten row stays
    on its page and no index changes), rows no longer produced are deleted and new ones
    inserted. A re-run with nothing changed writes nothing.
    Returns the number of rows written (updated + inserted + deleted) and the committees whose
    scores changed.
    """
    table = connection.ops.quote_name(Score._meta.db_table)
    started = time.perf_counter()
    stored = stored_scores()
    changed: list[tuple[Any, ...]] = []
    new: list[tuple[Any, ...]] = []
    touched: set[int] = set()
    for row in rows:
        old = stored.pop((row[1], row[2], row[3]), None)
        if old is None:
            new.append(row)
            touched.add(row[1])
        elif old[1] != f"{row[4]}{row[5]}{row[6]}":
            changed.append((old[0], _cents_text(row[4]), row[5], row[6]))
            touched.add(row[1])
    new = [(*row[:4], _cents_text(row[4]), *row[5:]) for row in new]
    gone = [old[0] for old in stored.values()]
    touched.update(key[0] for key in stored)
    if phases is not None:
        phases["merge_compare_s"] = time.perf_counter() - started
    if not (changed or new or gone):
        return 0, touched
    columns = "round_id, committee_id, sample_id, unit, value, grade, band_grade"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Scores are derived data, recomputable at any time: no need to wait for the WAL.
            cursor.execute("SET LOCAL synchronous_commit = off")
            if changed:
                cursor.execute(
                    "CREATE TEMPORARY TABLE risk_score_changed (id bigint, value numeric,"
                    " grade varchar(1), band_grade varchar(1)) ON COMMIT DROP"
                )
                _copy(cursor, "risk_score_changed (id, value, grade, band_grade)", changed)
                cursor.execute(
                    f"UPDATE {table} s SET value = t.value, grade = t.grade,"
                    " band_grade = t.band_grade FROM risk_score_changed t WHERE s.id = t.id"
                )
                cursor.execute("DROP TABLE risk_score_changed")
            if gone:
                cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [gone])
            if new:
                _copy(cursor, f"{table} ({columns})", new)
        else:
            cursor.executemany(
                f"UPDATE {table} SET value = %s, grade = %s, band_grade = %s WHERE id = %s",
                [(v, g, b, pk) for pk, v, g, b in changed],
            )
            for start in range(0, len(gone), 500):
                chunk = gone[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)
            sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            for start in range(0, len(new), 20000):
                cursor.executemany(sql, new[start : start + 20000])
    return len(changed) + len(new) + len(gone), touched


def _copy(cursor: Any, target: str, rows: list[tuple[Any, ...]]) -> None:
    """``COPY target FROM STDIN`` of plain values (numbers, short codes, None → NULL)."""
    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for start in range(0, len(rows), 20000):
            copy.write(
                "".join(
                    "\t".join("\\N" if v is None else str(v) for v in row) + "\n"
                    for row in rows[start : start + 20000]
                ).encode()
            )


def _folded_finding(token: str) -> rules.Finding:
    """A finding folded by ``do_rescore_round``'s query outside the usual 1–5 range (the engine
    then names it as an error)."""
    value = int(token.rstrip("m"))
    return rules.Finding(value // 10, value % 10, token.endswith("m"))


def _round_subunits(rnd: Round) -> tuple[dict[int, tuple[int, str]], dict[int, dict[str, Any]]]:
    """(committee and label by submitted sample, the engine's sub-unit states by sample) of a
    round, in two reads and in no particular order (the scores do not depend on it).

    The second read returns only the sub-units the engine needs, ~270,000 rows at city scale:
    each not-applicable check (text NULL), and each other check with findings, its findings
    folded into one short text ("45,32m": L and S of each, m for a major fire hazard). The
    findings are folded per check first — one pass over the covering index of
    ``(check_item_id)`` with L, S and the major flag, in the order of the checks' primary key,
    so PostgreSQL merges it with the checks and hashes the round's samples (a small table)
    instead of looking a sample up for each of the round's ~740,000 checks. The not-applicable
    checks come from a partial index. Equal texts share one (immutable) tuple of
    ``rules.Finding``.
    """
    samples: dict[int, tuple[int, str]] = {
        pk: (committee_id, label)
        for pk, committee_id, label in Sample.objects.filter(
            round=rnd, state=Sample.State.SUBMITTED
        )
        .order_by()
        .values_list("pk", "committee_id", "label")
    }
    subunits: dict[int, dict[str, Any]] = {pk: {} for pk in samples}
    check = connection.ops.quote_name(Check._meta.db_table)
    finding = connection.ops.quote_name(Finding._meta.db_table)
    sample = connection.ops.quote_name(Sample._meta.db_table)
    concat, text_type = (
        ("string_agg", "varchar") if connection.vendor == "postgresql" else ("group_concat", "text")
    )
    folded = (
        f"{concat}(CAST(likelihood * 10 + severity AS {text_type})"
        " || CASE WHEN major_fire_hazard THEN 'm' ELSE '' END, ',')"
    )
    of_round = f"JOIN {sample} s ON s.id = c.sample_id WHERE s.round_id = %s AND s.state = %s"
    sql = (
        f"SELECT c.sample_id, c.code, NULL FROM {check} c {of_round} AND c.status = %s"
        f" UNION ALL SELECT c.sample_id, c.code, f.folded FROM"
        f" (SELECT check_item_id, {folded} AS folded FROM {finding} GROUP BY check_item_id) f"
        f" JOIN {check} c ON c.id = f.check_item_id {of_round} AND c.status <> %s"
    )
    submitted, na_status = Sample.State.SUBMITTED, Check.Status.NA
    params: list[Any] = [rnd.pk, submitted, na_status, rnd.pk, submitted, na_status]
    shared: dict[str, tuple[rules.Finding, ...]] = {}
    one = {
        f"{lk * 10 + sv}{'m' if major else ''}": rules.Finding(lk, sv, major)
        for lk in range(1, 6)
        for sv in range(1, 6)
        for major in (False, True)
    }
    na = rules.NA
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for sample_id, code, text in cursor.fetchall():
            if text is None:
                subunits[sample_id][code] = na
                continue
            found = shared.get(text)
            if found is None:
                found = shared[text] = tuple(
                    one.get(t) or _folded_finding(t) for t in text.split(",")
                )
            subunits[sample_id][code] = found
    return samples, subunits


def do_rescore_round(actor: Actor, rnd: Round, phases: dict[str, float] | None = None) -> int:
    """Rescore every committee of a round from the database in bulk (three reads: the samples,
    the sub-units the engine needs, the stored scores; only the scores that changed are
    written).

    The same engine and the same rows as ``do_rescore``; used after a method correction and by
    the city-scale benchmark. Returns the number of committees scored. ``phases``, when given,
    receives the seconds spent reading, scoring and merging (the benchmark reports them).
    """
    policy.require(actor.user, "risk.manage")
    method = method_of(rnd.method)
    with _reading_stored_scores(rnd.pk) as stored_scores:
        return _rescore_round(actor, rnd, method, stored_scores, phases)


def _rescore_round(
    actor: Actor,
    rnd: Round,
    method: rules.Method,
    stored_scores: Callable[[], StoredScores],
    phases: dict[str, float] | None,
) -> int:
    started = time.perf_counter()
    samples, subunits = _round_subunits(rnd)
    read = time.perf_counter()
    by_committee: dict[int, list[tuple[int, str]]] = {}
    for pk, (committee_id, label) in samples.items():
        by_committee.setdefault(committee_id, []).append((pk, label))
    rows: list[tuple[Any, ...]] = []
    rid = rnd.pk
    dec = _cents
    for committee_id, group in by_committee.items():
        group.sort(key=lambda item: item[1])
        inputs = [rules.SampleInput(label, subunits[pk]) for pk, label in group]
        result = rules.score_committee(method, inputs)
        rows.append(
            (rid, committee_id, None, "", dec(result.value), result.grade, result.band_grade)
        )
        for code, u in result.units.items():
            if u is not None:
                rows.append((rid, committee_id, None, code, dec(u.value), u.grade, u.band_grade))
        for (pk, _label), sr in zip(group, result.samples, strict=True):
            rows.append((rid, committee_id, pk, "", dec(sr.value), sr.grade, sr.grade))
            for code, u in sr.units.items():
                if u is not None:
                    rows.append((rid, committee_id, pk, code, dec(u.value), u.grade, u.band_grade))
    scored = time.perf_counter()
    with transaction.atomic():
        written, touched = _merge_scores(rows, stored_scores, phases)
        paper.schedule_refresh(committee=touched)  # the stored papers of what changed
        audit.record(
            actor,
            "risk.round.rescore",
            rnd,
            details={
                "method": method.version,
                "committees": len(by_committee),
                "rows": len(rows),
                "written": written,
            },
        )
    if phases is not None:
        phases["read_s"] = read - started
        phases["score_s"] = scored - read
        phases["merge_s"] = time.perf_counter() - scored
    return len(by_committee)
