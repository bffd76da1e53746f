"""Benchmark of ticket issuing over HTTP under concurrent load (issue 4).

Starts the production server — gunicorn, ``LINLI_BENCH_WORKERS`` (default 2) workers, gthread
with ``LINLI_BENCH_THREADS`` threads when > 1 (default 1: sync workers),
settings ``linli.settings.test`` (DEBUG off, fixed non-secret keys) — on a loopback port
against a database of its own:

* SQLite: a fresh file ``var/bench/hall-http.sqlite3`` (IMMEDIATE transactions and WAL as in
  production; ``CONN_MAX_AGE`` is 0 for SQLite by design, so every request opens it);
* PostgreSQL: a database ``linli_hall_bench`` created on ``LINLI_BENCH_PG``
  (default ``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped afterwards. The name
  does not start with ``linli_bench_`` so that ``bench/places.py --drop`` leaves it alone.

``LINLI_BENCH_SQLITE_PERSISTENT=1`` is a what-if, not production: SQLite with persistent
connections (``CONN_MAX_AGE = None``) through a settings module in a temporary folder.

It creates one hall with one queue, fetches the kiosk page once for a CSRF cookie and token,
then ``wrk`` (a compiled load generator, little CPU) keeps 32 connections POSTing
``/hall/kiosk/A/ticket.json`` for a fixed time, every other request with a valid ID number.
If ``wrk`` is missing it is installed with ``apt-get install -y wrk`` when running as root;
otherwise the old Python thread generator is used and the report says so (it competes with
the server for the CPU and measures less). Duplicates and gaps are counted from the database.

Targets (issue, 2 cores, 32 clients): ≥ 400 tickets/s, p99 ≤ 100 ms, 0 duplicates, 0 gaps;
and the simulated year of a 10-window hall (``bench/hall_simulation.year_config``) ≤ 5 s.

    .venv/bin/python bench/hall.py --scale 0.05 [--database sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 32
ID_NUMBERS = ["11010519491231002X", "440524188001010014"]
PG_ADMIN_URL = os.environ.get("LINLI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_NAME = "linli_hall_bench"
URL_PATH = "/hall/kiosk/A/ticket.json"

# wrk script: two prepared requests (with and without an ID swipe) in turn; the CSRF token
# comes as the script argument; done() prints one JSON line the benchmark reads.
LUA = r"""
local reqs = {}
local i = 0
function init(args)
  local token = args[1]
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. token,
    ["X-CSRFToken"] = token,
  }
  reqs[1] = wrk.format("POST", nil, headers, "queue=A")
  reqs[2] = wrk.format("POST", nil, headers, "queue=A&id_number=" .. args[2])
end
function request()
  i = i + 1
  return reqs[(i % 2) + 1]
end
function done(summary, latency, requests)
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "status_errors": %d, "connect": %d, ' ..
    '"read": %d, "write": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wrk() -> tuple[str | None, str]:
    """The wrk binary, installing it when missing and allowed; else (None, why)."""
    found = shutil.which("wrk")
    if found:
        return found, "wrk"
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "wrk"],
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        found = shutil.which("wrk")
        if found:
            return found, "wrk (installed with apt-get)"
    return None, "python threads (wrk missing and not installable: not root or no apt-get)"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as con:
        con.execute(sql)  # type: ignore[arg-type]


def _pg_url() -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_NAME


def _prepare(database: str) -> tuple[dict[str, str], str]:
    env = dict(os.environ)
    if database == "postgres":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {PG_NAME}")
        url = _pg_url()
    else:
        path = ROOT / "var" / "bench" / "hall-http.sqlite3"
        for suffix in ("", "-wal", "-shm", ".issue-lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    env.update(DJANGO_SETTINGS_MODULE="linli.settings.test", DATABASE_URL=url, PYTHONPATH=str(ROOT))
    if database == "sqlite" and os.environ.get("LINLI_BENCH_SQLITE_PERSISTENT") == "1":
        # What-if only (not the production settings): persistent SQLite connections, to show
        # what CONN_MAX_AGE = 0 costs per request. A settings module in a temporary folder.
        folder = Path(tempfile.mkdtemp(prefix="hall-bench-"))
        (folder / "hall_bench_settings.py").write_text(
            "from linli.settings.test import *  # noqa: F403\n"
            'DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405\n'
        )
        env.update(
            DJANGO_SETTINGS_MODULE="hall_bench_settings", PYTHONPATH=f"{ROOT}{os.pathsep}{folder}"
        )
    setup = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "import datetime as d; from django.utils import timezone;"
        "from linli.hall.models import CalendarDay, Hall, Queue;"
        # Open all day today (a 调休 working day too), whenever the benchmark runs.
        "h = Hall.objects.create(code='A', name='A', opens_at=d.time(0, 0),"
        " closes_at=d.time(23, 59, 59, 999999));"
        "[CalendarDay.objects.get_or_create(day=timezone.localdate() + d.timedelta(days=i),"
        " defaults={'kind': 'workday'}) for i in (0, 1)];"
        "Queue.objects.create(hall=h, prefix='A', name='A')"
    )
    subprocess.run([sys.executable, "-c", setup], env=env, check=True, cwd=ROOT)
    return env, url


def _tickets(url: str) -> list[tuple[int, int, str]]:
    """(queue, seq, number) of every first-issue ticket, read straight from the database."""
    sql = "SELECT queue_id, seq, number FROM hall_ticket WHERE parent_id IS NULL"
    if url.startswith("sqlite:///"):
        con = sqlite3.connect(url[len("sqlite:///") :])
        rows = [(int(q), int(s), str(n)) for q, s, n in con.execute(sql)]
        con.close()
        return rows
    import psycopg

    with psycopg.connect(url) as pg:
        return [(int(q), int(s), str(n)) for q, s, n in pg.execute(sql).fetchall()]


def _csrf(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/hall/kiosk/A/")
    response = conn.getresponse()
    response.read()
    conn.close()
    match = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    return match.group(1) if match else ""


def _run_wrk(wrk: str, port: int, token: str, seconds: float, threads: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA)
        script = f.name
    try:
        out = subprocess.run(
            [wrk, f"-t{threads}", f"-c{CLIENTS}", f"-d{seconds:g}s", "--timeout", "10s",
             "-s", script, f"http://127.0.0.1:{port}{URL_PATH}", "--", token, ID_NUMBERS[0]],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    result: dict[str, Any] = json.loads(line[4:])
    return result


def _python_client(
    port: int, token: str, until: float, latencies: list[float], errors: Counter[str], k: int
) -> None:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={token}",
        "X-CSRFToken": token,
    }
    i = 0
    while time.perf_counter() < until:
        i += 1
        fields = {"queue": "A"}
        if (i + k) % 2:
            fields["id_number"] = ID_NUMBERS[i % 2]
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", URL_PATH, urllib.parse.urlencode(fields), headers)
            response = conn.getresponse()
            response.read()
            conn.close()
        except OSError as exc:
            errors[type(exc).__name__] += 1
            continue
        if response.status != 201:
            errors[str(response.status)] += 1
            continue
        latencies.append(time.perf_counter() - started)


def _run_python(port: int, token: str, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    started = time.perf_counter()
    threads = [
        threading.Thread(
            target=_python_client, args=(port, token, started + seconds, latencies, errors, k)
        )
        for k in range(CLIENTS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [float("nan")]

    def pct(share: float) -> float:
        return ordered[max(0, round(share * len(ordered)) - 1)] * 1e6

    return {
        "requests": len(latencies) + sum(errors.values()),
        "duration_us": int(elapsed * 1e6),
        "status_errors": sum(errors.values()),
        "p50_us": pct(0.5),
        "p99_us": pct(0.99),
        "mean_us": sum(latencies) / len(latencies) * 1e6 if latencies else None,
        "errors": dict(errors),
    }


def _server(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "gunicorn", "linli.wsgi", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
    if threads > 1:
        cmd += ["--worker-class", "gthread", "--threads", str(threads)]
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server


def _server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master and its workers (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        total = 0
        for p in pids:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    except (OSError, ValueError):
        return float("nan")
    return total / tick


def load_average() -> float:
    return os.getloadavg()[0]


def measure(database: str, seconds: float) -> dict[str, Any]:
    """One run on one database; the numbers of one table row."""
    workers = int(os.environ.get("LINLI_BENCH_WORKERS", "2"))
    # Best measured (docs/hall.md): 2 sync workers on both databases; gthread (keep-alive)
    # cost more CPU per ticket and had a longer tail.
    threads = int(os.environ.get("LINLI_BENCH_THREADS", "1"))
    wrk_threads = int(os.environ.get("LINLI_BENCH_WRK_THREADS", "1"))
    wrk, generator = _wrk()
    env, url = _prepare(database)
    port = _free_port()
    load_before = load_average()
    server = _server(env, port, workers, threads)
    try:
        token = _csrf(port)
        # Warm-up (imports, URL resolver, first connections); its tickets are checked too.
        if wrk:
            _run_wrk(wrk, port, token, 2, wrk_threads)
            warm = len(_tickets(url))
            cpu_before = _server_cpu(server.pid)
            result = _run_wrk(wrk, port, token, seconds, wrk_threads)
        else:
            _run_python(port, token, 2)
            warm = len(_tickets(url))
            cpu_before = _server_cpu(server.pid)
            result = _run_python(port, token, seconds)
        cpu = _server_cpu(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=15)
    rows = _tickets(url)
    if database == "postgres":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
    numbers = Counter(n for _, _, n in rows)
    duplicates = sum(c - 1 for c in numbers.values() if c > 1)
    by_queue: dict[int, set[int]] = {}
    for q, s, _ in rows:
        by_queue.setdefault(q, set()).add(s)
    gaps = sum(len(set(range(1, max(s) + 1)) - s) for s in by_queue.values())
    issued = len(rows) - warm
    elapsed = result["duration_us"] / 1e6
    errors = {k: result.get(k, 0) for k in ("status_errors", "connect", "read", "write", "timeout")}
    errors = {k: v for k, v in errors.items() if v} | dict(result.get("errors", {}))
    return {
        "database": database,
        "generator": generator,
        "workers": workers,
        "worker_class": f"gthread × {threads}" if threads > 1 else "sync",
        "clients": CLIENTS,
        "tickets": issued,
        "tickets_total_checked": len(rows),
        "throughput_per_s": round(issued / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(result["p50_us"] / 1000, 1),
        "p99_ms": round(result["p99_us"] / 1000, 1),
        "mean_ms": round(result["mean_us"] / 1000, 1) if result.get("mean_us") else None,
        "duplicates": duplicates,
        "gaps": gaps,
        "errors": errors,
        "seconds": round(elapsed, 2),
        # Load-independent: the server's CPU time per ticket (all workers, user + system).
        "server_cpu_ms_per_ticket": round(cpu * 1000 / issued, 2) if issued else None,
        "load_average_before": round(load_before, 2),
        "load_average_after": round(load_average(), 2),
    }


def _row(r: dict[str, Any]) -> str:
    return (
        f"| {r['database']} | {r['workers']} {r['worker_class']} | {r['clients']} | "
        f"{r['tickets']} | {r['throughput_per_s']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
        f"{r['duplicates']} | {r['gaps']} | {r['load_average_before']:.2f} |"
    )


def run(scale: float, report: dict[str, Any]) -> None:
    requested = os.environ.get("LINLI_BENCH_DATABASE", "postgres")
    databases = ["sqlite", "postgres"] if requested in ("postgres", "both") else ["sqlite"]
    seconds = max(5.0, 200 * scale)
    runs = [measure(db, seconds) for db in databases]
    # The simulated year of a 10-window hall (engine benchmark, ≤ 5 s).
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.hall_simulation import year_config
    from linli.hall.simulation import simulate

    year_started = time.perf_counter()
    year = simulate(year_config(1))
    year_seconds = time.perf_counter() - year_started
    failures = []
    for r in runs:
        db = r["database"]
        if r["throughput_per_s"] < 400:
            failures.append(f"hall/{db}: {r['throughput_per_s']:.0f} tickets/s < 400")
        if r["p99_ms"] > 100:
            failures.append(f"hall/{db}: p99 {r['p99_ms']:.0f} ms > 100 ms")
        if r["duplicates"] or r["gaps"]:
            failures.append(f"hall/{db}: {r['duplicates']} duplicates, {r['gaps']} gaps")
        if r["errors"]:
            failures.append(f"hall/{db}: errors {r['errors']}")
    if year_seconds > 5:
        failures.append(f"hall: simulated year took {year_seconds:.1f} s > 5 s")
    report.update(
        {
            "runs": runs,
            "simulated_year": {
                "seconds": round(year_seconds, 2),
                "arrivals": year.arrivals,
                "mean_wait_minutes": round(year.mean_wait_minutes or 0, 2),
            },
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpu",
            "failures": failures,
            "summary": (
                "| database | workers | clients | tickets | tickets/s | p50 ms | p99 ms | "
                "duplicates | gaps | load average |\n"
                "|---|---|---|---|---|---|---|---|---|---|\n"
                + "\n".join(_row(r) for r in runs)
                + f"\n\nLoad generator: {runs[0]['generator']}. Simulated year of a 10-window "
                f"hall: {year.arrivals} residents in {year_seconds:.2f} s."
            ),
        }
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    os.environ["LINLI_BENCH_DATABASE"] = "sqlite" if args.database == "sqlite" else "both"
    out: dict[str, Any] = {}
    if args.database == "postgres":
        out = {"runs": [measure("postgres", max(5.0, 200 * args.scale))]}
        out["summary"] = "\n".join(_row(r) for r in out["runs"])
    else:
        run(args.scale, out)
    sys.stdout.write(json.dumps({k: v for k, v in out.items() if k != "summary"}, indent=2))
    sys.stdout.write("\n" + out["summary"] + "\n")
