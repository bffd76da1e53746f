"""Benchmark of Excel exports and imports as background jobs, end to end.

Uses the place tree of ``bench/places.py`` (same database, generated once: at scale 1,
2,000,000 households in 6,000 committees). Each measurement runs in a fresh process of its
own, so its peak RSS (``ru_maxrss``) is that of one worker doing that job alone:

- **export job**: the street admin's whole household list (one street's, about 9,000 at
  scale 1), through ``geo.services.do_start_export`` → the Celery task (run eagerly in that
  process, as a worker would) → ``do_run_export``: ORM rows streamed into openpyxl
  write-only, a temporary file,
  attached to the job (file storage under a temporary folder).
- **export ceilings**: the same rows and columns by one plain SQL ``SELECT`` (no Django
  models), read to the end; and that ``SELECT`` streamed into openpyxl write-only (no
  Django at all in the loop). The job cannot be faster than the second.
- **import job**: a generated file of ``100,000 × min(1, 10 × scale)`` new households in
  the street's entrances, through ``geo.services.do_start_import`` → the task → ``do_run_import``:
  bounded, streamed (read-only), validated, written with ``bulk_create`` in one
  transaction. The rows are deleted again after each run (not timed).
- **import ceiling**: openpyxl read-only reading the same file (no validation) plus one
  ``executemany`` INSERT of the same rows, rolled back.

Medians of ``LINLI_BENCH_EXCEL_REPS`` (default 3) runs of each. Run through
``bench/run.py --only excel`` (``--scale 0.01`` for a quick run) or directly::

    .venv/bin/python bench/excel.py --scale 0.01 [--database sqlite]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
for _path in (str(ROOT), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import places  # noqa: E402  (the shared place tree)

REPS = int(os.environ.get("LINLI_BENCH_EXCEL_REPS", "3"))
IMPORT_ROWS = 100_000
ROOM_PREFIX = "XB"  # rooms of the imported households (never in the generated tree)

EXPORT_SQL = """
SELECT c.code, es.name, b.name, e.number, h.room, h.floor, h.exclusive_area
FROM geo_household h
JOIN geo_entrance e ON e.id = h.entrance_id
JOIN geo_building b ON b.id = e.building_id
JOIN geo_estate es ON es.id = b.estate_id
JOIN geo_committee c ON c.id = b.committee_id
WHERE c.subdistrict_id = %s
ORDER BY h.id
"""
LABELS = ["居委代码", "小区/弄", "楼栋", "门牌号", "室号", "楼层", "专有面积(㎡)"]


def import_rows(scale: float) -> int:
    return round(IMPORT_ROWS * min(1.0, 10 * scale))


def import_file(spec: places.Spec, rows: int) -> Path:
    """The file to import: ``rows`` new households spread over the street's entrances (the
    street admin may import into no other street)."""
    from django.db import connection
    from openpyxl import Workbook

    path = ROOT / "var" / "bench" / f"excel-import-{spec.database}-{spec.tag}-{rows}.xlsx"
    if path.exists():
        return path
    per_entrance = 16
    with connection.cursor() as cur:
        cur.execute(
            """SELECT c.code, es.name, b.name, e.number
               FROM geo_entrance e JOIN geo_building b ON b.id = e.building_id
               JOIN geo_estate es ON es.id = b.estate_id
               JOIN geo_committee c ON c.id = b.committee_id
               WHERE c.subdistrict_id = %s
               ORDER BY e.id LIMIT %s""",
            [spec.focus_street, rows // per_entrance + 1],
        )
        entrances = cur.fetchall()
    per_entrance = -(-rows // len(entrances))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("户")
    ws.append(LABELS)
    n = 0
    for code, estate, building, number in entrances:
        for j in range(per_entrance):
            if n == rows:
                break
            ws.append([code, estate, building, number, f"{ROOM_PREFIX}{j}", 1 + j % 6, 35.5])
            n += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _cleanup_import() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DELETE FROM geo_household WHERE room LIKE %s", [f"{ROOM_PREFIX}%"])
        return cur.rowcount


# --------------------------------------------------------------------------- one measurement


def _storage(tmp: str) -> None:
    """Job results and uploads on disk (the test settings keep them in memory)."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp},
        },
    }


def _admin() -> Any:
    from linli.core.context import Actor
    from linli.core.models import User

    return Actor(User.objects.get(username="bench_admin"), "bench")


def measure(what: str, spec: places.Spec, arg: str) -> dict[str, Any]:
    """Run one measurement in this (fresh) process; return its time and peak RSS."""
    places.configure(spec)
    from django.db import connection, transaction

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        _storage(tmp)
        t0 = time.perf_counter()
        if what == "export_job":
            from linli.geo import services
            from linli.jobs.models import Job

            actor = _admin()
            total = services.export_list(actor.user, "households", {}).qs.count()
            job = services.do_start_export(actor, "households", "", total)  # runs eagerly
            job = Job.objects.get(pk=job.pk)
            out.update(state=job.state, rows=job.done, error=job.error, bytes=job.result.size)
            job.result.delete(save=False)
        elif what == "export_select":
            rows = 0
            with connection.cursor() as cur:
                cur.execute(EXPORT_SQL, [spec.focus_street])
                while batch := cur.fetchmany(10_000):
                    rows += len(batch)
            out["rows"] = rows
        elif what == "export_openpyxl":
            from openpyxl import Workbook

            rows = 0
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("户")
            ws.append(LABELS)
            with connection.cursor() as cur:
                cur.execute(EXPORT_SQL, [spec.focus_street])
                while batch := cur.fetchmany(10_000):
                    for row in batch:
                        ws.append(row)
                    rows += len(batch)
            target = Path(tmp) / "plain.xlsx"
            wb.save(target)
            out.update(rows=rows, bytes=target.stat().st_size)
        elif what == "import_job":
            from django.core.files.uploadedfile import SimpleUploadedFile

            from linli.geo import services
            from linli.jobs.models import Job

            upload = SimpleUploadedFile("households.xlsx", Path(arg).read_bytes())
            job = services.do_start_import(_admin(), "households", upload)  # runs eagerly
            job = Job.objects.get(pk=job.pk)
            out.update(state=job.state, error=job.error, created=job.params.get("created"))
        elif what == "import_plain":
            from openpyxl import load_workbook

            wb = load_workbook(arg, read_only=True)
            ws = wb.worksheets[0]
            it = ws.iter_rows(values_only=True)
            next(it)
            with connection.cursor() as cur:
                cur.execute(
                    """SELECT c.code, es.name, b.name, e.number, e.id, c.id
                       FROM geo_entrance e JOIN geo_building b ON b.id = e.building_id
                       JOIN geo_estate es ON es.id = b.estate_id
                       JOIN geo_committee c ON c.id = b.committee_id"""
                )
                keys = {tuple(r[:4]): (r[4], r[5]) for r in cur.fetchall()}
            values = []
            for code, estate, building, number, room, floor, area in it:
                entrance, committee = keys[(code, estate, building, number)]
                values.append((entrance, committee, room, floor, area))
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO geo_household (entrance_id, committee_id, room, floor,"
                        " exclusive_area) VALUES (%s, %s, %s, %s, %s)",
                        values,
                    )
                transaction.set_rollback(True)
            out["rows"] = len(values)
        else:
            raise SystemExit(f"unknown measurement {what}")
        out["seconds"] = round(time.perf_counter() - t0, 2)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if what == "import_job":
        out["deleted"] = _cleanup_import()
    return out


def _child(what: str, spec: places.Spec, arg: str = "") -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--measure", what, "--scale", str(spec.scale),
         "--database", spec.database, "--arg", arg],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


# --------------------------------------------------------------------------- the report


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 2)


def markdown(report: dict[str, Any]) -> str:
    m = report["medians"]
    lines = [
        f"Scale {report['scale']:g} on {report['database']}: {report['street_households']:,} "
        f"households of one street (of {report['households']:,}) exported, "
        f"{report['import_rows']:,} rows imported into that street; medians of {report['reps']} runs, "
        "each in a fresh process.",
        "",
        "| measurement | median s | peak RSS MB | ratio |",
        "|---|---:|---:|---:|",
        f"| export job, whole street (households) | {m['export_job']['seconds']} | "
        f"{m['export_job']['peak_rss_mb']} | 1 |",
        f"| ceiling: plain SELECT of the same rows | {m['export_select']['seconds']} | "
        f"{m['export_select']['peak_rss_mb']} | "
        f"{report['ratios']['export_job_over_select']}× |",
        f"| ceiling: that SELECT into openpyxl write-only, no Django | "
        f"{m['export_openpyxl']['seconds']} | {m['export_openpyxl']['peak_rss_mb']} | "
        f"{report['ratios']['export_job_over_openpyxl']}× |",
        f"| import job, {report['import_rows']:,} new households | {m['import_job']['seconds']} | "
        f"{m['import_job']['peak_rss_mb']} | 1 |",
        f"| ceiling: openpyxl read-only + one executemany INSERT | "
        f"{m['import_plain']['seconds']} | {m['import_plain']['peak_rss_mb']} | "
        f"{report['ratios']['import_job_over_plain']}× |",
    ]
    return "\n".join(lines)


def run(scale: float, report: dict[str, Any]) -> None:
    """The bench/run.py entry point."""
    database = os.environ.get("LINLI_BENCH_DATABASE", "postgres")
    spec = places.Spec(scale, database)
    log = lambda *a: print(*a, flush=True)  # noqa: E731
    places.configure(spec)
    info = places.prepare(spec, log)
    _cleanup_import()
    rows = import_rows(scale)
    path = import_file(spec, rows)
    log(f"import file: {path.name}, {path.stat().st_size / 1e6:.1f} MB")
    from django.db import connection, connections

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM geo_household h JOIN geo_committee c ON c.id = h.committee_id"
            " WHERE c.subdistrict_id = %s",
            [spec.focus_street],
        )
        street_households = cur.fetchone()[0]

    connections.close_all()
    runs: dict[str, list[dict[str, Any]]] = {}
    plan = [("export_job", ""), ("export_select", ""), ("export_openpyxl", ""),
            ("import_job", str(path)), ("import_plain", str(path))]  # fmt: skip
    for _rep in range(REPS):
        for what, arg in plan:
            result = _child(what, spec, arg)
            runs.setdefault(what, []).append(result)
            log(f"  {what:16s} {result}")
    medians = {
        what: {"seconds": _median(r, "seconds"), "peak_rss_mb": _median(r, "peak_rss_mb")}
        for what, r in runs.items()
    }
    failures = []
    for result in runs["export_job"] + runs["import_job"]:
        if result["state"] != "done":
            failures.append(f"a job ended {result['state']}: {result['error']}")
    for result in runs["import_job"]:
        if result["created"] != rows or result["deleted"] != rows:
            failures.append(f"import created {result['created']}, deleted {result['deleted']}")
    for result in runs["export_job"]:
        if result["rows"] != street_households:
            failures.append(f"export wrote {result['rows']} rows of {street_households}")

    def ratio(a: str, b: str) -> float:
        """The median of each repetition's ratio: a and b ran back to back, under the same
        load (the machine is shared; a ratio of medians mixes different loads)."""
        pairs = [x["seconds"] / y["seconds"] for x, y in zip(runs[a], runs[b], strict=True)]
        return round(statistics.median(pairs), 2)

    report.update(
        scale=scale, database=database, reps=REPS, runs=runs, medians=medians,
        households=info["counts"].get("Household"), street_households=street_households,
        import_rows=rows,
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=places.machine(), code=places.code_version(),
        load_average=os.getloadavg(),
        ratios={
            "export_job_over_select": ratio("export_job", "export_select"),
            "export_job_over_openpyxl": ratio("export_job", "export_openpyxl"),
            "import_job_over_plain": ratio("import_job", "import_plain"),
        },
        failures=failures,
    )  # fmt: skip
    report["summary"] = markdown(report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--arg", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    spec = places.Spec(args.scale, args.database)
    if args.measure:
        print(json.dumps(measure(args.measure, spec, args.arg), default=str))
        return 0
    os.environ["LINLI_BENCH_DATABASE"] = args.database
    report: dict[str, Any] = {}
    run(args.scale, report)
    print(report["summary"])
    for failure in report["failures"]:
        print(f"MISSED: {failure}")
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
