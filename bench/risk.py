"""Risk module at city scale: rescore a whole round from the database, one committee's PDF
white paper, the round overview page — each against a ceiling measured in the same run.

At scale 1: 6,000 committees × 3 samples × 41 sub-units, about a third of the sub-units with
1–3 findings. The data goes into a database of its own, generated once and reused:
``LINLI_BENCH_DATABASE=postgres`` (the default, as ``bench/run.py --database``) creates
``linli_bench_risk_<scale>`` on the server of ``LINLI_BENCH_PG``
(``postgresql://postgres@127.0.0.1:5432/postgres``, the admin URL); ``sqlite`` uses
``var/bench/risk-<scale>-v<N>.sqlite3``.

The rescores report their phases too (``rescore_phases_s``: ``read_s`` the samples and the
sub-units the engine needs, ``score_s`` the engine, ``merge_s`` the stored scores read and
compared, ``merge_compare_s``, then what changed written).

Ceilings and ratios (what ``make bench-check`` compares with ``bench/baseline.json``):

- rescore ÷ a plain query: ``SELECT`` of the findings' two score columns, every row fetched
  (the least reading the round can cost);
- PDF render ÷ the render of a one-page document in the same fonts and style sheet
  (``paper.warm_pdf``'s document: the PDF machinery's floor);
- overview page ÷ an in-process request to the ping view (``/bench/ping/``, the middleware).

A rescore also sends the task that re-renders the changed committees' stored white papers;
the benchmark counts the tasks sent (``paper_refreshes_sent``) instead of running them inline
(its test settings would run tasks eagerly, inside the timed rescore).

The PDF figures are of the render itself (``paper._render_pdf`` of the paper's print HTML);
``pdf_stored_ms`` is a download served from storage (``paper.pdf``), ``pdf_first_s`` the first
render in the process after ``paper.warm_pdf()`` (what a worker does on start-up).

Targets (issue 13): rescore of a city round ≤ 3 s median from PostgreSQL; a PDF ≤ 0.7 s
(for a demo committee: ``python bench/risk.py --demo`` renders the demo street's committees in
``var/linli.sqlite3`` or ``DATABASE_URL``); overview ≤ 150 ms.

    .venv/bin/python bench/risk.py --scale 0.01 [--database sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGETS = {"rescore_s": 3.0, "pdf_s": 0.7, "overview_ms": 150.0}
GENERATOR_VERSION = 2  # 2: findings decided when the checks are made (no bulk_update)
PG_ADMIN_URL = os.environ.get("LINLI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _tag(scale: float) -> str:
    return f"{scale:g}".replace(".", "p")


def _path(scale: float) -> Path:
    return ROOT / "var" / "bench" / f"risk-{_tag(scale)}-v{GENERATOR_VERSION}.sqlite3"


def _pg_name(scale: float) -> str:
    return f"linli_bench_risk_{_tag(scale)}"


def _database() -> str:
    database = os.environ.get("LINLI_BENCH_DATABASE", "postgres")
    if database not in ("postgres", "sqlite"):
        raise SystemExit(f"LINLI_BENCH_DATABASE must be postgres or sqlite, not {database!r}")
    return database


def _setup(scale: float) -> bool:
    """Point Django at the benchmark's own database (created if missing) and migrate it.
    Returns True when the database is new."""
    database = _database()
    if database == "sqlite":
        path = _path(scale)
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not path.exists()
        url = f"sqlite:///{path}"
    else:
        import psycopg

        name = _pg_name(scale)
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            fresh = (
                conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                is None
            )
            if fresh:
                conn.execute(f'CREATE DATABASE "{name}"')
        url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "_bench_settings"  # test settings + /bench/ping/
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return fresh


def _generate(scale: float) -> None:
    from django.db import transaction

    from linli.core.context import Actor
    from linli.core.models import User
    from linli.geo import divisions
    from linli.geo.models import Building, Committee, Estate, Subdistrict
    from linli.risk import services
    from linli.risk.models import Check, Finding, Round, Sample

    rng = random.Random(6000)
    n = max(2, round(6000 * scale))
    with transaction.atomic():
        admin = User.objects.create(username="bench_admin", role="street_admin")
        street = Subdistrict.objects.create(
            code="B1", name="基准街道", district=divisions.district("310104")
        )
        committees = Committee.objects.bulk_create(
            [Committee(subdistrict=street, code=f"C{i:05d}", name=f"居委{i:05d}") for i in range(n)]
        )
        estates = Estate.objects.bulk_create(
            [Estate(committee=c, name=f"{c.code}弄", kind="lane") for c in committees]
        )
        kinds = ["lane", "public", "commercial"]
        buildings = Building.objects.bulk_create(
            [
                Building(
                    estate=e,
                    committee_id=e.committee_id,
                    name=f"{k}号",
                    housing_type=rng.choice(kinds),
                    structure="brick_timber",
                    floors=3,
                )
                for e in estates
                for k in range(4)
            ],
            batch_size=5000,
        )
        mv = services.default_version()
        method = services.method_of(mv)
        rnd = Round.objects.create(name="基准轮", method=mv, seed="bench", status="finished")
        rnd.committees.set(committees)
        by_committee: dict[int, list[Building]] = {}
        for b in buildings:
            by_committee.setdefault(b.committee_id, []).append(b)
        samples = Sample.objects.bulk_create(
            [
                Sample(
                    round=rnd,
                    committee_id=cid,
                    building=b,
                    label=f"S{i + 1}",
                    stratum=b.housing_type,
                    draw_record={},
                    state="submitted",
                )
                for cid, bs in by_committee.items()
                for i, b in enumerate(bs[:3])
            ],
            batch_size=5000,
        )
        checks = []
        for s in samples:
            basement_na = rng.random() < 0.4
            for code in method.subunit_codes:
                na = (basement_na and code.startswith("DX")) or (
                    code == "SB01" and rng.random() < 0.5
                )
                status = "na" if na else ("findings" if rng.random() < 1 / 3 else "clean")
                checks.append(Check(sample=s, code=code, status=status))
        checks = Check.objects.bulk_create(checks, batch_size=10000)
        findings = []
        for c in checks:
            if c.status == "findings":
                for k in range(rng.randint(1, 3)):
                    L, S = rng.randint(1, 5), rng.randint(1, 5)  # noqa: N806 (the method's symbols)
                    findings.append(
                        Finding(
                            check_item=c,
                            position=k + 1,
                            likelihood=L,
                            severity=S,
                            description="基准问题",
                            grade="C",
                        )
                    )
        Finding.objects.bulk_create(findings, batch_size=10000)
        services.do_rescore_round(Actor(admin), rnd)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def run(scale: float, report: dict[str, Any]) -> None:
    report["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    fresh = _setup(scale)
    from django.test import Client

    from linli.core.context import Actor
    from linli.core.models import User
    from linli.risk import paper, services
    from linli.risk.models import Finding, Round

    if fresh or not Round.objects.exists():
        t = time.perf_counter()
        _generate(scale)
        report["generate_s"] = round(time.perf_counter() - t, 1)
    admin = User.objects.get(username="bench_admin")
    rnd = Round.objects.get()
    reps = int(os.environ.get("LINLI_BENCH_REPS", "5"))
    from django.db import connection

    from linli.risk import tasks
    from linli.risk.models import Score

    # A change re-renders stored white papers in a worker (tasks.refresh_papers, after the
    # commit). The benchmark's test settings run tasks eagerly, which would put a render inside
    # the timed rescore: count what is sent instead.
    sent: list[Any] = []
    tasks.refresh_papers.delay = lambda *args, **kwargs: sent.append(args)  # type: ignore[method-assign]

    # First scoring of the round: no stored scores (deleted first, not timed), every row inserted.
    Score.objects.filter(round=rnd).delete()
    t = time.perf_counter()
    committees = services.do_rescore_round(Actor(admin), rnd)
    first = time.perf_counter() - t
    # The ceiling, a plain query: the findings' score columns, every row fetched (the reading
    # floor). Timed right after each rescore, so load that changes during the run moves both.
    plain: list[float] = []

    def plain_query() -> None:
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT likelihood, severity FROM risk_finding")
            cursor.fetchall()
        plain.append(time.perf_counter() - t)

    # Rescore after a method correction: every stored value differs (set to 0 / D first, not
    # timed), so every one of the ~208,000 rows is rewritten.
    rewrite = []
    rewrite_phases: list[dict[str, float]] = []
    for _ in range(max(3, reps // 2)):
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Score._meta.db_table} SET value = 0, grade = 'D', band_grade = 'D'"
                " WHERE round_id = %s",
                [rnd.pk],
            )
        phases: dict[str, float] = {}
        t = time.perf_counter()
        committees = services.do_rescore_round(Actor(admin), rnd, phases)
        rewrite.append(time.perf_counter() - t)
        rewrite_phases.append(phases)
        plain_query()
    # Rescore when the stored scores are already right (the usual re-run): nothing to write.
    rescore = []
    unchanged_phases: list[dict[str, float]] = []
    for _ in range(reps):
        phases = {}
        t = time.perf_counter()
        committees = services.do_rescore_round(Actor(admin), rnd, phases)
        rescore.append(time.perf_counter() - t)
        unchanged_phases.append(phases)
        plain_query()
    committee = rnd.committees.order_by("code").first()
    t = time.perf_counter()
    paper.warm_pdf()  # what the worker does on start-up
    warm_s = time.perf_counter() - t
    html = paper.paper_html(admin, rnd, committee)
    t = time.perf_counter()
    paper._render_pdf(html)
    pdf_first = time.perf_counter() - t
    pdf = []
    for _ in range(max(5, reps)):
        t = time.perf_counter()
        paper._render_pdf(html)
        pdf.append(time.perf_counter() - t)
    floor = []
    for _ in range(max(5, reps)):
        t = time.perf_counter()
        paper.warm_pdf()
        floor.append(time.perf_counter() - t)
    paper.pdf(admin, rnd, committee)  # stores it
    stored = []
    for _ in range(max(5, reps)):
        t = time.perf_counter()
        paper.pdf(admin, rnd, committee)
        stored.append((time.perf_counter() - t) * 1000)
    # The rescores above leave ~1 M dead score rows; autovacuum would clean them up shortly.
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE risk_score" if connection.vendor == "postgresql" else "ANALYZE"
        )
    from linli.core.testing import verify_session

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    verify_session(client, admin)  # a street admin's session needs its second factor
    overview = []
    ping = []
    for i in range(reps + 2):
        t = time.perf_counter()
        assert client.get(f"/risk/rounds/{rnd.pk}/").status_code == 200
        if i >= 2:
            overview.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        assert client.post("/bench/ping/").status_code == 201
        if i >= 2:
            ping.append((time.perf_counter() - t) * 1000)
    load_before = report.get("load_average_before")
    figures = {
        "database": _database(),
        "scale": scale,
        "committees": committees,
        "findings": Finding.objects.count(),
        "rescore_s": round(_median(rewrite), 3),
        "rescore_unchanged_s": round(_median(rescore), 3),
        "rescore_first_s": round(first, 3),
        "pdf_s": round(_median(pdf), 3),
        "pdf_first_s": round(pdf_first, 3),
        "pdf_warm_s": round(warm_s, 3),
        "pdf_floor_s": round(_median(floor), 3),
        "pdf_stored_ms": round(_median(stored), 1),
        "plain_query_s": round(_median(plain), 3),
        # Medians of do_rescore_round's phases: reading the samples and sub-units, the engine,
        # the merge (reading and comparing the stored scores, then writing what changed).
        "rescore_phases_s": {
            case: {k: round(_median([p[k] for p in runs]), 3) for k in runs[0]}
            for case, runs in (("rewrite", rewrite_phases), ("unchanged", unchanged_phases))
        },
        "overview_ms": round(_median(overview), 1),
        "ping_ms": round(_median(ping), 2),
        "paper_refreshes_sent": len(sent),
        "load_average_before": load_before,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    report.update(figures)
    db = figures["database"]
    report["ratios"] = {
        f"risk.{db}.rescore_per_plain_query": {
            "value": round(figures["rescore_s"] / figures["plain_query_s"], 2), "better": "lower",
            "of": "rescore, every value changed ÷ SELECT of the findings' score columns",
        },
        f"risk.{db}.rescore_unchanged_per_plain_query": {
            "value": round(figures["rescore_unchanged_s"] / figures["plain_query_s"], 2),
            "better": "lower", "of": "rescore, nothing changed ÷ the same plain query",
        },
        f"risk.{db}.pdf_per_floor": {
            "value": round(figures["pdf_s"] / figures["pdf_floor_s"], 2), "better": "lower",
            "of": "one committee's PDF render ÷ a one-page PDF in the same fonts",
        },
        f"risk.{db}.overview_per_ping": {
            "value": round(figures["overview_ms"] / figures["ping_ms"], 1), "better": "lower",
            "of": "round overview page ÷ ping view, in process",
        },
    }  # fmt: skip
    report["failures"] = (
        [f"{k} median {figures[k]} > target {v}" for k, v in TARGETS.items() if figures[k] > v]
        if scale >= 1
        else []
    )
    report["summary"] = (
        f"| risk ({figures['database']}) | median | target |\n|---|---|---|\n"
        f"| rescore whole round ({committees} committees), every stored value changed"
        f" | {figures['rescore_s']} s | ≤ 3 s |\n"
        f"| rescore, scores unchanged | {figures['rescore_unchanged_s']} s | |\n"
        f"| first scoring of the round (every row inserted) | {figures['rescore_first_s']} s | |\n"
        f"| *ceiling:* plain query of the findings | {figures['plain_query_s']} s | |\n"
        f"| one committee PDF render (first after warm_pdf: {figures['pdf_first_s']} s;"
        f" warm_pdf {figures['pdf_warm_s']} s) | {figures['pdf_s']} s | ≤ 0.7 s |\n"
        f"| *ceiling:* one-page PDF, same fonts | {figures['pdf_floor_s']} s | |\n"
        f"| PDF download served from storage | {figures['pdf_stored_ms']} ms | |\n"
        f"| round overview page | {figures['overview_ms']} ms | ≤ 150 ms |\n"
        f"| *ceiling:* ping view in process | {figures['ping_ms']} ms | |\n\n"
        + "\n".join(f"{k}: {v['value']} ({v['of']})" for k, v in report["ratios"].items())
    )


def demo_papers(reps: int = 5) -> dict[str, Any]:
    """Render time of every committee's white paper of the demo street's latest round (settings
    ``linli.settings.dev``; the database of ``DATABASE_URL`` or ``var/linli.sqlite3`` after
    ``linli demo``). Medians per committee, after ``paper.warm_pdf()``."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "linli.settings.dev"
    # The dev settings' own default is var/dev.sqlite3 (`make dev`); `linli demo` fills this one.
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'linli.sqlite3'}")
    import django

    django.setup()
    from linli.core.models import User
    from linli.risk import paper
    from linli.risk.models import Round

    t = time.perf_counter()
    paper.warm_pdf()
    warm = time.perf_counter() - t
    rnd = Round.objects.order_by("-pk").first()
    if rnd is None:
        raise SystemExit("no risk round: run `linli demo` first")
    user = User.objects.filter(role="street_admin").first()
    per: dict[str, float] = {}
    first = None
    for committee in rnd.committees.order_by("code"):
        html = paper.paper_html(user, rnd, committee)
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            paper._render_pdf(html)
            times.append(time.perf_counter() - t)
        if first is None:
            first = times[0]
        per[committee.code] = round(_median(times), 3)
    values = sorted(per.values())
    return {
        "round": rnd.name,
        "committees": len(per),
        "warm_pdf_s": round(warm, 3),
        "first_render_s": round(first or 0, 3),
        "median_s": round(_median(values), 3),
        "max_s": values[-1],
        "per_committee_s": per,
        "floor_s": round(_median([_timed(paper.warm_pdf) for _ in range(reps)]), 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _timed(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--database", choices=["postgres", "sqlite"])
    parser.add_argument("--demo", action="store_true", help="render the demo street's papers")
    args = parser.parse_args()
    if args.demo:
        print(json.dumps(demo_papers(), ensure_ascii=False, indent=1))
        raise SystemExit(0)
    if args.database:
        os.environ["LINLI_BENCH_DATABASE"] = args.database
    out: dict[str, Any] = {}
    run(args.scale, out)
    print(out.pop("summary"))
    print(json.dumps(out, ensure_ascii=False, default=str, indent=1))
