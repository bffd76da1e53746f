"""Benchmark of the fire due lists at city scale: 3,000,000 extinguishers at scale 1.

Generates (once; later runs reuse it) a deterministic registry — 6,000 committees with 500
extinguishers each at scale 1 — whose stored lifecycle dates are computed by the engine
(``rules.lifecycle``, ``rules.inspection_due``) for a fixed day, into a SQLite database of its
own: ``var/bench/fire-<scale>.sqlite3`` (this module does not use PostgreSQL; with
``LINLI_BENCH_DATABASE=postgres`` it still uses SQLite and says so in the report).

Measured, in-process (settings ``linli.settings.test``, DEBUG off):

- one committee's due list — ``queries.due_extinguishers`` for 30 days, the first page of 50
  in due order plus the count — for committee staff of 30 different committees; and the same
  list as the page ``/fire/due/`` through Django's test ``Client``;
- the city-wide counts of overdue / due in 30 / due in 31–90 days / inspection due, by
  committee (``queries.due_counts``), as the street admin;
- that the counts are the engine's: the per-committee tallies made while generating (from
  ``rules.due_window``) must equal the database's, and one committee's list must equal
  ``rules.due_within`` over its units.

Targets (issue): one committee's due list ≤ 150 ms median; the city-wide counts ≤ 2 s.

Ceiling and ratios (``make bench-check``): a plain ``SELECT committee_id, COUNT(*) … GROUP BY``
over the registry in the same run; the report gives the counts and the list divided by it.

    .venv/bin/python bench/fire.py --scale 0.01
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CITY_COMMITTEES = 6_000
PER_COMMITTEE = 500  # 6,000 x 500 = 3,000,000 extinguishers
ON = datetime.date(2026, 11, 25)
GENERATOR_VERSION = 1
REPS = int(os.environ.get("LINLI_BENCH_REPS", "30"))
SETTINGS = "linli.settings.test"
TYPES = ["powder"] * 6 + ["water"] * 3 + ["clean_agent", "co2"]
LIFE = {"water": (6, 3, 1), "powder": (10, 5, 2), "clean_agent": (10, 5, 2), "co2": (12, 5, 2)}


def _path(scale: float) -> Path:
    tag = f"{scale:g}".replace(".", "p")
    return ROOT / "var" / "bench" / f"fire-{tag}.sqlite3"


def configure(scale: float) -> Path:
    path = _path(scale)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    return path


def _meta_ok(path: Path, committees: int) -> bool:
    if not path.exists():
        return False
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT value FROM bench_meta WHERE key='fire'").fetchone()
    except sqlite3.Error:
        return False
    finally:
        con.close()
    return row is not None and row[0] == f"{GENERATOR_VERSION}:{committees}:{ON}"


def generate(path: Path, committees: int, log: Any) -> dict[str, Any]:
    """Migrate, then load committees and extinguishers with engine-computed dates."""
    from django.core.management import call_command
    from django.db import connection

    from linli.fire import rules

    if path.exists():
        path.unlink()
    call_command("migrate", verbosity=0)
    connection.close()
    rng = random.Random(20261125)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    # The migrations load Shanghai's districts; the street belongs to Xuhui's.
    con.execute(
        "INSERT INTO geo_subdistrict (id, code, name, district_id)"
        " SELECT 1, 'B', '基准街道', id FROM geo_district WHERE code = '310104'"
    )
    con.executemany(
        "INSERT INTO geo_committee (id, subdistrict_id, area_id, code, name, address, map_x, map_y)"
        " VALUES (?, 1, NULL, ?, ?, '', 0, 0)",
        ((i, f"C{i:05d}", f"居委{i:05d}") for i in range(1, committees + 1)),
    )
    expected: dict[int, Counter[str]] = {}
    started = time.perf_counter()

    def rows() -> Any:
        n = 0
        for c in range(1, committees + 1):
            tally: Counter[str] = Counter()
            for _k in range(PER_COMMITTEE):
                n += 1
                kind = rng.choice(TYPES)
                scrap, first, every = LIFE[kind]
                made = ON - datetime.timedelta(days=rng.randint(30, int(scrap * 365.25) + 40))
                age = (ON - made).days / 365.25
                maintained = None
                if age > first and rng.random() < 0.85:
                    back = rng.randint(0, int(every * 365.25) + 45)
                    maintained = max(made, ON - datetime.timedelta(days=back))
                inspected = max(made, ON - datetime.timedelta(days=rng.randint(0, 40)))
                ext = rules.Extinguisher(str(n), kind, made, maintained)
                life = rules.lifecycle(ext, ON)
                check = rules.inspection_due(inspected, ON, since=made)
                window = rules.due_window(life.next_due, ON)
                tally[str(window)] += 1
                if check.next_date <= ON:
                    tally["inspection"] += 1
                yield (
                    n, c, None, None, "", f"S{n:08d}", kind, "", made.isoformat(),
                    maintained.isoformat() if maintained else None, inspected.isoformat(),
                    "green", 0, "", made.isoformat(), None, life.scrap_date.isoformat(),
                    life.next_maintenance.isoformat() if life.next_maintenance else None,
                    life.next_due.isoformat(), str(life.next_due_kind),
                    check.next_date.isoformat(),
                )  # fmt: skip
            expected[c] = tally
            if c % 1000 == 0:
                log(
                    f"  {c:,} committees, {n:,} extinguishers, {time.perf_counter() - started:.0f} s"
                )

    columns = (
        "id, committee_id, building_id, entrance_id, spot, serial, type, rating, manufactured, "
        "last_maintained, last_inspected, gauge, half_monthly, scrap_condition, placed_on, "
        "assigned_to_id, scrap_date, next_maintenance, next_due, next_due_kind, next_inspection"
    )
    con.executemany(
        f"INSERT INTO fire_extinguisher ({columns}) VALUES ({', '.join('?' * 21)})", rows()
    )
    con.execute("CREATE TABLE IF NOT EXISTS bench_meta (key TEXT PRIMARY KEY, value TEXT)")
    con.execute(
        "CREATE TABLE IF NOT EXISTS bench_expected (committee_id INTEGER, window TEXT, n INTEGER)"
    )
    con.executemany(
        "INSERT INTO bench_expected VALUES (?, ?, ?)",
        ((c, w, n) for c, tally in expected.items() for w, n in tally.items()),
    )
    con.commit()
    con.execute("ANALYZE")
    con.execute(
        "INSERT OR REPLACE INTO bench_meta VALUES ('fire', ?)",
        (f"{GENERATOR_VERSION}:{committees}:{ON}",),
    )
    con.commit()
    con.close()
    return {"generation_s": round(time.perf_counter() - started, 1)}


def _timed(fn: Any, reps: int) -> tuple[list[float], Any]:
    times = []
    result = None
    for _ in range(reps):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return times, result


def _stats(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[max(0, int(len(ordered) * 0.9) - 1)], 1),
    }


def run(scale: float, report: dict[str, Any]) -> None:
    """The bench/run.py entry point."""
    log = lambda *a: print(*a, flush=True)  # noqa: E731
    committees = max(2, round(CITY_COMMITTEES * scale))
    path = configure(scale)
    reused = _meta_ok(path, committees)
    info: dict[str, Any] = {"generation_s": 0}
    if not reused:
        log(f"generating {committees * PER_COMMITTEE:,} extinguishers into {path}")
        info = generate(path, committees, log)
    # A reused database is not migrated again: other apps' migrations change while this
    # benchmark only reads the fire, geo and core tables (bump GENERATOR_VERSION when the
    # fire models change).

    from django.db import connection
    from django.test import Client

    from linli.core.models import User
    from linli.fire import queries, rules
    from linli.fire.models import Extinguisher

    admin, _c = User.objects.get_or_create(
        username="bench_fire_admin", defaults={"role": "street_admin"}
    )
    rng = random.Random(7)
    sample = [rng.randint(1, committees) for _ in range(REPS)]
    staff = {c: User(username=f"s{c}", role="committee_staff", committee_id=c) for c in set(sample)}

    def committee_list(c: int) -> tuple[int, list[Any]]:
        qs = queries.due_extinguishers(staff[c], ON, "30").order_by("next_due", "serial")
        return qs.count(), list(qs[:50])

    for c in sample[:2]:
        committee_list(c)
    times = []
    for c in sample:
        t = time.perf_counter()
        committee_list(c)
        times.append((time.perf_counter() - t) * 1000)
    list_stats = _stats(times)

    # The page, through the whole Django stack (its "today" is the real one).
    page_user, _c = User.objects.get_or_create(
        username="bench_fire_committee",
        defaults={"role": "committee_staff", "committee_id": sample[0]},
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(page_user)
    try:
        assert client.get("/fire/due/?list=30").status_code == 200
        page_times, _r = _timed(lambda: client.get("/fire/due/?list=30"), REPS)
        page_stats: dict[str, Any] = _stats(page_times)
    except Exception as exc:  # another module's import error must not hide the rest
        page_stats = {"median_ms": "n/a", "p90_ms": "n/a", "error": repr(exc)[:200]}

    count_reps = max(3, min(REPS, 5))
    queries.due_counts(admin, ON)
    count_times, counts = _timed(lambda: queries.due_counts(admin, ON), count_reps)
    counts_stats = _stats(count_times)

    # Same answers as the engine.
    with connection.cursor() as cur:
        cur.execute("SELECT committee_id, window, n FROM bench_expected")
        expected: dict[int, Counter[str]] = {}
        for c, w, n in cur.fetchall():
            expected.setdefault(c, Counter())[w] = n
    mismatches = 0
    for row in counts:
        e = expected.get(row.committee.pk, Counter())
        if (row.overdue, row.soon, row.upcoming, row.inspection) != (
            e["overdue"], e["soon"], e["upcoming"], e["inspection"]
        ):  # fmt: skip
            mismatches += 1
    probe = sample[0]
    units = Extinguisher.objects.filter(committee_id=probe)
    engine = [
        d.lifecycle.extinguisher_id
        for d in rules.due_within([queries.rule_extinguisher(u) for u in units], ON)
        if d.window in (rules.DueWindow.OVERDUE, rules.DueWindow.SOON)
    ]
    db = [
        e.serial
        for e in queries.due_extinguishers(staff[probe], ON, "30").order_by("next_due", "serial")
    ]
    same_list = sorted(engine) == sorted(db)

    # The same-run ceiling: a plain query — count the registry's rows by committee (one scan of
    # the table, no joins, no date logic).
    table = Extinguisher._meta.db_table

    def plain() -> Any:
        with connection.cursor() as cur:
            cur.execute(f"SELECT committee_id, COUNT(*) FROM {table} GROUP BY committee_id")
            return cur.fetchall()

    plain()
    plain_times, _rows = _timed(plain, count_reps)
    plain_stats = _stats(plain_times)
    ratios = {
        "fire.sqlite.city_counts_per_plain_query": {
            "value": round(counts_stats["median_ms"] / plain_stats["median_ms"], 2),
            "better": "lower",
            "of": "city-wide due counts ÷ a plain count of the registry by committee",
        },
        "fire.sqlite.committee_list_per_plain_query": {
            "value": round(list_stats["median_ms"] / plain_stats["median_ms"], 4),
            "better": "lower",
            "of": "one committee's due list ÷ the same plain count",
        },
    }

    failures = []
    if list_stats["median_ms"] > 150:
        failures.append(f"committee due list median {list_stats['median_ms']} ms > 150 ms")
    if counts_stats["median_ms"] > 2000:
        failures.append(f"city-wide counts median {counts_stats['median_ms']} ms > 2000 ms")
    if mismatches:
        failures.append(f"{mismatches} committees' counts differ from the engine")
    if not same_list:
        failures.append("a committee's due list differs from rules.due_within")
    total = committees * PER_COMMITTEE
    summary = "\n".join(
        [
            f"fire: {total:,} extinguishers, {committees:,} committees, day {ON} (SQLite)",
            "| case | median ms | p90 ms | target |",
            "|---|---:|---:|---|",
            f"| one committee's due list (query, page of 50 + count) | "
            f"{list_stats['median_ms']} | {list_stats['p90_ms']} | ≤ 150 |",
            f"| /fire/due/ page, committee staff | {page_stats['median_ms']} | "
            f"{page_stats['p90_ms']} | — |",
            f"| city-wide counts by committee | {counts_stats['median_ms']} | "
            f"{counts_stats['p90_ms']} | ≤ 2000 |",
            f"| *ceiling:* plain count of the registry by committee | "
            f"{plain_stats['median_ms']} | {plain_stats['p90_ms']} | — |",
            f"| counts equal to the engine | {'yes' if not mismatches else 'NO'} | | all |",
            f"| one committee's list equal to rules.due_within | "
            f"{'yes' if same_list else 'NO'} | | yes |",
        ]
    )
    report.update(
        scale=scale,
        database="sqlite",
        requested_database=os.environ.get("LINLI_BENCH_DATABASE", "postgres"),
        date=datetime.datetime.now(datetime.UTC).date().isoformat(),
        machine={"python": platform.python_version(), "cpus": os.cpu_count()},
        extinguishers=total,
        committees=committees,
        reused=reused,
        generation_s=info["generation_s"],
        committee_list=list_stats,
        page=page_stats,
        city_counts=counts_stats,
        plain_query=plain_stats,
        ratios=ratios,
        mismatches=mismatches,
        same_list=same_list,
        summary=summary,
        failures=failures,
        command=f".venv/bin/python bench/run.py --scale {scale:g} --only fire",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    report: dict[str, Any] = {}
    run(args.scale, report)
    print(report["summary"])
    for failure in report.get("failures", []):
        print("MISSED:", failure)
    return 1 if report.get("failures") else 0


if __name__ == "__main__":
    sys.exit(main())
