"""Benchmark of ticket issuing over HTTP under concurrent load (issue 4).

Starts the production server — gunicorn, 2 sync workers, ``linli.settings.test`` (DEBUG off,
fixed non-secret keys) — on a loopback port against a fresh SQLite database of its own
(``var/bench/hall-http.sqlite3``, IMMEDIATE transactions and WAL as in production), creates
one hall with one queue, then 32 client threads each fetch the kiosk page once (CSRF cookie)
and POST ``/hall/kiosk/A/ticket.json`` in a loop, half of them with a valid ID number. It
reports throughput, p50/p99 latency, errors, and — from the database afterwards — duplicate
numbers and gaps in the sequence.

Targets (issue, 2 cores, 32 clients): ≥ 400 tickets/s, p99 ≤ 100 ms, 0 duplicates, 0 gaps;
and the simulated year of a 10-window hall (``bench/hall_simulation.year_config``) ≤ 5 s.
PostgreSQL is not run by this module yet (``LINLI_BENCH_DATABASE=postgres`` is reported as
skipped): it must get a database of its own first (see ``places.py``).

    .venv/bin/python bench/hall.py --scale 0.05
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 32
FULL_TICKETS = 20_000  # at scale 1
ID_NUMBERS = ["11010519491231002X", "440524188001010014"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _prepare(path: Path) -> dict[str, str]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="linli.settings.test",
        DATABASE_URL=f"sqlite:///{path}",
        PYTHONPATH=str(ROOT),
    )
    setup = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from linli.hall.models import Hall, Queue;"
        "h = Hall.objects.create(code='A', name='A');"
        "Queue.objects.create(hall=h, prefix='A', name='A')"
    )
    subprocess.run([sys.executable, "-c", setup], env=env, check=True, cwd=ROOT)
    return env


def _client(port: int, count: int, latencies: list[float], errors: Counter[str], k: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/hall/kiosk/A/")
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie") or ""
    match = re.search(r"csrftoken=([^;]+)", cookie)
    token = match.group(1) if match else ""
    conn.close()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={token}",
        "X-CSRFToken": token,
    }
    for i in range(count):
        fields = {"queue": "A"}
        if (i + k) % 2:
            fields["id_number"] = ID_NUMBERS[i % 2]
        body = urllib.parse.urlencode(fields)
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/hall/kiosk/A/ticket.json", body, headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 201:
                errors[str(response.status)] += 1
                continue
        except OSError as exc:
            errors[type(exc).__name__] += 1
            continue
        latencies.append(time.perf_counter() - started)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)] if ordered else float("nan")


def run(scale: float, report: dict[str, Any]) -> None:
    database = os.environ.get("LINLI_BENCH_DATABASE", "postgres")
    path = ROOT / "var" / "bench" / "hall-http.sqlite3"
    env = _prepare(path)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "linli.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", os.environ.get("LINLI_BENCH_WORKERS", "2"), "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        total = max(CLIENTS * 4, int(FULL_TICKETS * scale))
        per_client = total // CLIENTS
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        threads = [
            threading.Thread(target=_client, args=(port, per_client, latencies, errors, k))
            for k in range(CLIENTS)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    con = sqlite3.connect(path)
    seqs = [row[0] for row in con.execute("SELECT seq FROM hall_ticket WHERE parent_id IS NULL")]
    numbers = [row[0] for row in con.execute("SELECT number FROM hall_ticket")]
    con.close()
    # The simulated year of a 10-window hall (engine benchmark, ≤ 5 s).
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.hall_simulation import year_config
    from linli.hall.simulation import simulate

    year_started = time.perf_counter()
    year = simulate(year_config(1))
    year_seconds = time.perf_counter() - year_started
    duplicates = len(numbers) - len(set(numbers))
    gaps = len(set(range(1, max(seqs, default=0) + 1)) - set(seqs))
    throughput = len(latencies) / elapsed if elapsed else 0.0
    p50, p99 = _percentile(latencies, 0.5) * 1000, _percentile(latencies, 0.99) * 1000
    failures = []
    if throughput < 400:
        failures.append(f"hall: {throughput:.0f} tickets/s < 400")
    if p99 > 100:
        failures.append(f"hall: p99 {p99:.0f} ms > 100 ms")
    if duplicates or gaps:
        failures.append(f"hall: {duplicates} duplicates, {gaps} gaps")
    if errors:
        failures.append(f"hall: errors {dict(errors)}")
    if year_seconds > 5:
        failures.append(f"hall: simulated year took {year_seconds:.1f} s > 5 s")
    report.update(
        {
            "database": "sqlite",
            "postgres": "skipped (no database of its own yet)" if database == "postgres" else None,
            "clients": CLIENTS,
            "requested": per_client * CLIENTS,
            "issued": len(seqs),
            "throughput_per_s": round(throughput, 1),
            "p50_ms": round(p50, 1),
            "p99_ms": round(p99, 1),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
            "duplicates": duplicates,
            "gaps": gaps,
            "errors": dict(errors),
            "seconds": round(elapsed, 2),
            "simulated_year": {
                "seconds": round(year_seconds, 2),
                "arrivals": year.arrivals,
                "mean_wait_minutes": round(year.mean_wait_minutes or 0, 2),
            },
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpu",
            "failures": failures,
            "summary": (
                "| tickets | clients | tickets/s | p50 ms | p99 ms | duplicates | gaps |\n"
                "|---|---|---|---|---|---|---|\n"
                f"| {len(seqs)} | {CLIENTS} | {throughput:.0f} | {p50:.1f} | {p99:.1f} | "
                f"{duplicates} | {gaps} |\n\n"
                f"Simulated year of a 10-window hall: {year.arrivals} residents in "
                f"{year_seconds:.2f} s."
            ),
        }
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.05)
    args = parser.parse_args()
    out: dict[str, Any] = {}
    run(args.scale, out)
    sys.stdout.write(json.dumps({k: v for k, v in out.items() if k != "summary"}, indent=2))
    sys.stdout.write("\n" + out["summary"] + "\n")
