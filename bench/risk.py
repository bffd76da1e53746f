"""Risk module at city scale: rescore a whole round from the database, one committee's PDF
white paper, the round overview page.

At scale 1: 6,000 committees × 3 samples × 41 sub-units, about a third of the sub-units with
1–3 findings. The data goes into a SQLite database of its own, ``var/bench/risk-<scale>.sqlite3``
(generated once, reused). PostgreSQL is not supported yet by this module: it always uses
SQLite and says so in its report.

    .venv/bin/python bench/risk.py --scale 0.01
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

TARGETS = {"rescore_s": 5.0, "pdf_s": 1.0, "overview_ms": 150.0}
GENERATOR_VERSION = 1


def _path(scale: float) -> Path:
    name = f"{scale:g}".replace(".", "p")
    return ROOT / "var" / "bench" / f"risk-{name}-v{GENERATOR_VERSION}.sqlite3"


def _setup(scale: float) -> bool:
    path = _path(scale)
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    os.environ["DJANGO_SETTINGS_MODULE"] = "linli.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return fresh


def _generate(scale: float) -> None:
    from django.db import transaction

    from linli.core.context import Actor
    from linli.core.models import User
    from linli.geo.models import Building, Committee, Estate, Subdistrict
    from linli.risk import services
    from linli.risk.models import Check, Finding, Round, Sample

    rng = random.Random(6000)
    n = max(2, round(6000 * scale))
    with transaction.atomic():
        admin = User.objects.create(username="bench_admin", role="street_admin")
        street = Subdistrict.objects.create(code="B1", name="基准街道", district="基准区")
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
                checks.append(Check(sample=s, code=code, status="na" if na else "clean"))
        checks = Check.objects.bulk_create(checks, batch_size=10000)
        findings = []
        for c in checks:
            if c.status == "clean" and rng.random() < 1 / 3:
                c.status = "findings"
                for k in range(rng.randint(1, 3)):
                    L, S = rng.randint(1, 5), rng.randint(1, 5)
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
        Check.objects.bulk_update(
            [c for c in checks if c.status == "findings"], ["status"], batch_size=10000
        )
        Finding.objects.bulk_create(findings, batch_size=10000)
        services.rescore_round(Actor(admin), rnd)


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def run(scale: float, report: dict[str, Any]) -> None:
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
    rescore = []
    for _ in range(reps):
        t = time.perf_counter()
        committees = services.rescore_round(Actor(admin), rnd)
        rescore.append(time.perf_counter() - t)
    committee = rnd.committees.order_by("code").first()
    pdf = []
    for _ in range(max(3, reps // 2)):
        t = time.perf_counter()
        paper.pdf(admin, rnd, committee)
        pdf.append(time.perf_counter() - t)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    overview = []
    for i in range(reps + 2):
        t = time.perf_counter()
        assert client.get(f"/risk/rounds/{rnd.pk}/").status_code == 200
        if i >= 2:
            overview.append((time.perf_counter() - t) * 1000)
    figures = {
        "database": "sqlite",
        "scale": scale,
        "committees": committees,
        "findings": Finding.objects.count(),
        "rescore_s": round(_median(rescore), 3),
        "pdf_s": round(_median(pdf), 3),
        "overview_ms": round(_median(overview), 1),
        "load_average": os.getloadavg(),
    }
    report.update(figures)
    report["failures"] = (
        [f"{k} median {figures[k]} > target {v}" for k, v in TARGETS.items() if figures[k] > v]
        if scale >= 1
        else []
    )
    report["summary"] = (
        "| risk (SQLite) | median | target |\n|---|---|---|\n"
        f"| rescore whole round ({committees} committees) | {figures['rescore_s']} s | ≤ 5 s |\n"
        f"| one committee PDF white paper | {figures['pdf_s']} s | ≤ 1 s |\n"
        f"| round overview page | {figures['overview_ms']} ms | ≤ 150 ms |"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.01)
    args = parser.parse_args()
    out: dict[str, Any] = {}
    run(args.scale, out)
    print(out.pop("summary"))
    print(json.dumps(out, ensure_ascii=False, default=str, indent=1))
