"""Benchmark of concurrent event sign-ups over HTTP (issue 12): 500 residents, 100 seats.

Starts gunicorn (``LINLI_BENCH_WORKERS`` workers, default 2, gthread with 4 threads each) with
``linli.settings.test`` on a loopback port against a database of its own — a fresh SQLite file
``var/bench/community-http.sqlite3`` or a PostgreSQL database ``linli_community_bench`` created
on ``LINLI_BENCH_PG`` and dropped afterwards — creates one event of 100 seats, fetches the
public sign-up page once for a CSRF cookie and token, then 500 distinct residents POST the
sign-up form at once from 50 client threads. Afterwards it counts from the database: seated
(must be exactly 100: 0 oversold), waiting (400), and that every resident has exactly one place.

The same-run ceiling: on the same server, right after the sign-ups, the same burst (500 POSTs
from 50 threads, same CSRF cookie and form) goes to ``/bench/insert/`` (``bench/_bench_urls.py``:
the whole middleware stack and one ``INSERT … RETURNING id``, the least a storing view can do).
The report gives sign-ups/s ÷ inserts/s: absolute figures move with the machine's load, the
ratio much less.

    .venv/bin/python bench/community.py [--database sqlite|postgres|both] [--residents 500]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PG_ADMIN_URL = os.environ.get("LINLI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_NAME = "linli_community_bench"
CAPACITY = 100
CLIENT_THREADS = 50

SETUP = f"""
from datetime import timedelta
from django.utils import timezone
from linli.community.models import Event, Position, Space
centre = Position.objects.create(kind="centre", name="中心", address="高邮路7号")
hall = Space.objects.create(position=centre, name="多功能厅", capacity=200)
start = timezone.now() + timedelta(days=1)
event = Event.objects.create(title="晚间一小时", space=hall, starts_at=start,
    ends_at=start + timedelta(hours=1), capacity={CAPACITY})
print("EVENT", event.pk)
import _bench_urls
_bench_urls.create_insert_table()
"""

COUNT = """
from django.db.models import Count
from linli.community.models import Signup
rows = Signup.objects.values("state").annotate(n=Count("id"))
people = Signup.objects.values("person_key").distinct().count()
import json
print("COUNT", json.dumps({"states": {r["state"]: r["n"] for r in rows}, "people": people}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database(kind: str) -> str:
    if kind == "sqlite":
        path = ROOT / "var" / "bench" / "community-http.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{PG_NAME}"')
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{PG_NAME}"


def _drop(kind: str) -> None:
    if kind == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


def _manage(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "linli.cli", "shell", "-c", code],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


def _wait(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def _burst(port: int, path: str, token: str, form_token: str, residents: int,
           referer: str) -> dict[str, Any]:  # fmt: skip
    """``residents`` POSTs from CLIENT_THREADS threads, the first CLIENT_THREADS released at once."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENT_THREADS)

    def one(n: int) -> None:
        if n < CLIENT_THREADS:
            barrier.wait()
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": form_token, "name": f"居民{n}", "phone": f"1380000{n:04d}",
             "queue": f"q{n}"}
        )  # fmt: skip
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Cookie": f"csrftoken={token}", "Referer": referer}  # fmt: skip
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        c.request("POST", path, data, headers)
        response = c.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        c.close()
        with lock:
            latencies.append(elapsed)
            statuses[response.status] = statuses.get(response.status, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        list(pool.map(one, range(residents)))
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "statuses": statuses,
        "wall_s": round(wall, 2),
        "per_s": round(residents / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


def measure(kind: str, residents: int) -> dict[str, Any]:
    url = _database(kind)
    env = dict(
        os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="_bench_settings",
        PYTHONPATH=f"{ROOT}{os.pathsep}{BENCH}",
    )  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "linli.cli", "migrate", "-v0"], env=env, cwd=ROOT, check=True
    )
    event_id = int(re.search(r"EVENT (\d+)", _manage(env, SETUP)).group(1))  # type: ignore[union-attr]
    port = _free_port()
    workers = os.environ.get("LINLI_BENCH_WORKERS", "2")
    load_before = os.getloadavg()[0]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "linli.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", workers, "--threads", "4", "--worker-class", "gthread",
         "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        _wait(port)
        path = f"/community/events/{event_id}/"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path)
        page = conn.getresponse()
        body = page.read().decode()
        cookie = page.getheader("Set-Cookie") or ""
        token = re.search(r"csrftoken=([^;]+)", cookie).group(1)  # type: ignore[union-attr]
        form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
        conn.close()
        # Warm every worker thread (templates, connections) so neither burst pays start-up.
        for _ in range(int(workers) * 4 * 2):
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            warm.request("GET", path)
            warm.getresponse().read()
            warm.close()
        referer = f"http://127.0.0.1:{port}{path}"
        signups = _burst(port, path, token, form_token, residents, referer)
        ceiling = _burst(port, "/bench/insert/", token, form_token, residents, referer)
    finally:
        server.terminate()
        server.wait(timeout=30)
    counted = json.loads(_manage(env, COUNT).split("COUNT", 1)[1])
    _drop(kind)
    seated = counted["states"].get("confirmed", 0)
    return {
        "database": kind,
        "residents": residents,
        "capacity": CAPACITY,
        "statuses": signups["statuses"],
        "seated": seated,
        "waiting": counted["states"].get("waitlisted", 0),
        "oversold": max(seated - CAPACITY, 0),
        "people": counted["people"],
        "wall_s": signups["wall_s"],
        "per_s": signups["per_s"],
        "p50_ms": signups["p50_ms"],
        "p99_ms": signups["p99_ms"],
        "ceiling_insert": ceiling,
        "ratio_to_insert": round(signups["per_s"] / ceiling["per_s"], 3),
        "load_before": load_before,
    }


def run(scale: float, report: dict[str, Any]) -> None:
    requested = os.environ.get("LINLI_BENCH_DATABASE", "postgres")
    databases = ["sqlite", "postgres"] if requested in ("postgres", "both") else ["sqlite"]
    runs = [measure(db, 500) for db in databases]
    failures = []
    for r in runs:
        if r["oversold"] or r["seated"] != CAPACITY or r["people"] != r["residents"]:
            failures.append(f"community/{r['database']}: {r['seated']} seated of {CAPACITY}")
        if set(r["statuses"]) != {302}:
            failures.append(f"community/{r['database']}: statuses {r['statuses']}")
        if set(r["ceiling_insert"]["statuses"]) != {201}:
            failures.append(f"community/{r['database']}: ceiling {r['ceiling_insert']['statuses']}")
    lines = ["| database | sign-ups | seated | waiting | oversold | p50 ms | p99 ms | wall s "
             "| sign-ups/s | insert/s | ratio |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    lines += [
        f"| {r['database']} | {r['residents']} | {r['seated']} | {r['waiting']} | {r['oversold']} "
        f"| {r['p50_ms']} | {r['p99_ms']} | {r['wall_s']} | {r['per_s']} "
        f"| {r['ceiling_insert']['per_s']} | {r['ratio_to_insert']} |"
        for r in runs
    ]
    report.update({"runs": runs, "summary": "\n".join(lines), "failures": failures})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--residents", type=int, default=500)
    args = parser.parse_args()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for db in databases:
        sys.stdout.write(json.dumps(measure(db, args.residents), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
