"""Benchmark of the task engine (issue 9): jobs per second and the white-paper batch, with one
and two workers, on the embedded broker (kombu's filesystem transport) and on Redis.

Everything runs as in production, in processes of its own: ``linli migrate``, ``linli demo``,
``linli worker`` (Celery, prefork, concurrency 1 per worker, so "two workers" is two processes
doing work), against a database of its own (a SQLite file in a temporary folder, or the
PostgreSQL database ``linli_jobs_bench``) and a broker of its own (a temporary folder, or Redis
database 14, flushed first).

* jobs/s: ``K`` trivial jobs (each counts to 1 through ``jobs.do_report_progress``) are submitted
  one transaction each; the figure is K divided by the time from the first submit to the last job
  done. It measures the engine's overhead per job (submit, send, claim, progress, finish).
* white papers: the demo round's 16 committee PDFs, with 1 and then 2 workers; the ratio of
  the two times is the speed-up. A city round (6,000 committees) is projected from the time
  per paper.
* RSS: the resident memory of one worker's processes (main + pool child) after the batch.

    .venv/bin/python bench/run.py --only jobs [--database sqlite|postgres] [--scale 0.05]
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LINLI = [sys.executable, "-m", "linli.cli"]
PG_URL = os.environ.get(
    "LINLI_BENCH_PG_JOBS", "postgres://postgres@127.0.0.1:5432/linli_jobs_bench"
)
REDIS_URL = os.environ.get("LINLI_BENCH_REDIS", "redis://127.0.0.1:6379/14")
CITY_COMMITTEES = 6000


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _env(var: Path, database: str, broker: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LINLI_", "CELERY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="linli.settings.prod",
        SECRET_KEY=_key(), LINLI_HMAC_KEY=_key(), LINLI_DATA_KEY=_key(), LINLI_AUDIT_KEY=_key(),
        LINLI_HTTPS="0", LINLI_VAR_DIR=str(var), LOG_LEVEL="WARNING",
        DATABASE_URL=PG_URL if database == "postgres" else f"sqlite:///{var / 'linli.sqlite3'}",
        CELERY_BROKER_URL=REDIS_URL if broker == "redis" else "filesystem://localhost/",
        LINLI_JOB_STALE_SECONDS="600",
    )  # fmt: skip
    return env


def _linli(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [*LINLI, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"linli {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def _prepare_database(database: str) -> None:
    if database != "postgres":
        return
    import psycopg

    admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS linli_jobs_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE linli_jobs_bench")


def _flush_redis() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
    except Exception:
        return False
    return True


class Workers:
    """``n`` Celery workers, each its own process group, stopped together."""

    def __init__(self, env: dict[str, str], n: int, var: Path) -> None:
        self.procs = []
        for i in range(n):
            log = (var / f"worker{i}.log").open("w")
            self.procs.append(
                subprocess.Popen(
                    [
                        *LINLI,
                        "worker",
                        "--concurrency",
                        "1",
                        "-n",
                        f"bench{i}@%h",
                        "-I",
                        "linli.jobs.tests.tasks_for_tests",
                        "--without-heartbeat",
                        "--without-gossip",
                        "--without-mingle",
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    def rss_mb(self) -> float:
        """Resident memory of the first worker: its main process and its pool child."""
        pid = self.procs[0].pid
        pids = [pid, *_children(pid)]
        return round(sum(_rss_kb(p) for p in pids) / 1024, 1)

    def stop(self) -> None:
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


SUBMIT = """
import json, time
from linli.core.context import Actor
from linli.jobs import services as jobs
t0 = time.time()
ids = [jobs.do_submit_job(Actor.system("bench"), "bench.count",
                          "linli.jobs.tests.tasks_for_tests.count_to",
                          title="bench", total=1).pk for _ in range({k})]
print(json.dumps({{"t0": t0, "ids": ids}}))
"""

WAIT = """
import json, time
from linli.jobs.models import Job
ids = {ids}
deadline = time.time() + {timeout}
while time.time() < deadline:
    left = Job.objects.filter(pk__in=ids).exclude(state__in=["done", "failed"]).count()
    if not left:
        break
    time.sleep(0.1)
last = max(j.finished_at for j in Job.objects.filter(pk__in=ids))
failed = Job.objects.filter(pk__in=ids).exclude(state="done").count()
print(json.dumps({{"t1": last.timestamp(), "failed": failed}}))
"""


def _jobs_per_second(env: dict[str, str], var: Path, workers: int, k: int) -> float:
    pool = Workers(env, workers, var)
    try:
        time.sleep(6)  # workers up
        sent = json.loads(_linli(env, "shell", "-c", SUBMIT.format(k=k)).strip().splitlines()[-1])
        done = json.loads(
            _linli(env, "shell", "-c", WAIT.format(ids=sent["ids"], timeout=300))
            .strip().splitlines()[-1]
        )  # fmt: skip
    finally:
        pool.stop()
    if done["failed"]:
        raise RuntimeError(f"{done['failed']} bench jobs did not finish")
    return k / (done["t1"] - sent["t0"])


def _papers(
    env: dict[str, str], var: Path, workers: int, job: int | None = None
) -> tuple[float, float, int]:
    """Run a round's batch (``job``: one already queued, else a new one) to its end."""
    # Rendered papers are kept by content fingerprint (papers/…): drop them so every timed
    # batch renders each paper instead of reading it back.
    shutil.rmtree(var / "media" / "papers", ignore_errors=True)
    pool = Workers(env, workers, var)
    try:
        time.sleep(6)
        if job is None:
            job = json.loads(_linli(env, "risk", "papers", "--round", "latest"))["job"]
        t0 = time.perf_counter()
        while True:
            state = json.loads(_linli(env, "jobs", "show", str(job)))
            if state["state"] in ("done", "failed", "cancelled"):
                break
            if time.perf_counter() - t0 > 900:
                raise RuntimeError("the white-paper batch took over 15 minutes")
            time.sleep(0.5)
        elapsed = time.perf_counter() - t0
        rss = pool.rss_mb()
    finally:
        pool.stop()
    if state["state"] != "done":
        raise RuntimeError(f"white-paper batch ended {state['state']}: {state['error']}")
    return elapsed, rss, state["total"]


def run(scale: float, report: dict[str, Any]) -> None:
    database = os.environ.get("LINLI_BENCH_DATABASE", "postgres")
    k = max(40, int(400 * scale))
    rows = []
    brokers = ["filesystem"] + (["redis"] if _flush_redis() else [])
    for broker in brokers:
        var = Path(tempfile.mkdtemp(prefix="linli-bench-jobs-"))
        try:
            _prepare_database(database)
            _flush_redis()
            env = _env(var, database, broker)
            _linli(env, "migrate", "--noinput")
            one = statistics.median(_jobs_per_second(env, var, 1, k) for _ in range(2))
            two = statistics.median(_jobs_per_second(env, var, 2, k) for _ in range(2))
            row: dict[str, Any] = {
                "broker": broker, "jobs": k, "jobs_per_s_1": round(one, 1),
                "jobs_per_s_2": round(two, 1), "ratio_2_to_1": round(two / one, 2),
            }  # fmt: skip
            if broker == brokers[-1]:
                _linli(env, "demo", timeout=900)
                # The demo queued its own batch; with no worker it waits. Let one worker run
                # it to the end first so the timed batches start from the same state.
                _papers(env, var, 1, job=json.loads(_linli(env, "jobs", "list"))[0]["id"])
                t1, rss1, total = _papers(env, var, 1)
                t2, rss2, _total = _papers(env, var, 2)
                row.update(
                    papers=total, papers_1_s=round(t1, 1), papers_2_s=round(t2, 1),
                    papers_ratio_1_to_2=round(t1 / t2, 2), s_per_paper_1=round(t1 / total, 2),
                    city_projection_2_workers_h=round(CITY_COMMITTEES * t2 / total / 3600, 1),
                    worker_rss_mb=max(rss1, rss2),
                )  # fmt: skip
            rows.append(row)
        finally:
            shutil.rmtree(var, ignore_errors=True)
    report["database"] = database
    report["rows"] = rows
    lines = [
        f"Task engine on {database} (2 cores, concurrency 1 per worker)",
        "",
        "| broker | jobs | jobs/s 1 worker | jobs/s 2 workers | ratio |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['broker']} | {r['jobs']} | {r['jobs_per_s_1']} | {r['jobs_per_s_2']} "
            f"| {r['ratio_2_to_1']} |"
        )
    papers = [r for r in rows if "papers" in r]
    if papers:
        p = papers[0]
        lines += [
            "",
            f"White papers ({p['papers']} committees, broker {p['broker']}): 1 worker "
            f"{p['papers_1_s']} s, 2 workers {p['papers_2_s']} s (×{p['papers_ratio_1_to_2']}); "
            f"{p['s_per_paper_1']} s per paper; a city round of {CITY_COMMITTEES} committees "
            f"with 2 workers ≈ {p['city_projection_2_workers_h']} h; worker RSS "
            f"{p['worker_rss_mb']} MB.",
        ]
    report["summary"] = "\n".join(lines)


if __name__ == "__main__":
    out: dict[str, Any] = {}
    run(float(sys.argv[1]) if len(sys.argv) > 1 else 0.1, out)
    print(out["summary"])
