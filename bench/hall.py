"""Benchmark of ticket issuing over HTTP under concurrent load, against same-run ceilings.

Starts the production server — gunicorn, ``LINLI_BENCH_WORKERS`` (default 2) workers, gthread
with ``LINLI_BENCH_THREADS`` threads when > 1 (default 1: sync workers), settings
``_bench_settings`` (``linli.settings.test``, DEBUG off, plus the benchmark-only ceiling views
of ``bench/_bench_urls.py``) — on a loopback port against a database of its own:

* SQLite: a fresh file ``var/bench/hall-http.sqlite3`` (IMMEDIATE transactions, WAL and
  persistent connections as in production);
* PostgreSQL: a database ``linli_hall_bench`` created on ``LINLI_BENCH_PG``
  (default ``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped afterwards. The name
  does not start with ``linli_bench_`` so that ``bench/places.py --drop`` leaves it alone.

It creates one hall with one queue, fetches the kiosk page once for a CSRF cookie and token,
then ``wrk`` (installed with ``apt-get install -y wrk`` when missing and running as root) keeps
32 connections POSTing, every other request with a valid ID number, to three targets on the
same server, interleaved (the order rotates every round) and repeated:

* ``ticket`` — ``/hall/kiosk/A/ticket.json``, what a kiosk sends;
* ``insert`` — ``/bench/insert/``: the same middleware and one ``INSERT … RETURNING id``
  (the ceiling of a view that stores something);
* ``ping`` — ``/bench/ping/``: the same middleware, no database.

Each figure is the median over the rounds; the ratios (tickets/s ÷ insert/s, ÷ ping/s) are
what ``make bench-check`` compares with ``bench/baseline.json`` — the machine is shared, so
absolute throughput moves with whatever else runs, the ratio much less. Duplicates and gaps
are counted from the database over every ticket (warm-up included).

Targets (issue 13, 2 cores, 32 clients): tickets ≥ 0.7 × the insert ceiling on both
databases, p99 ≤ 100 ms, 0 duplicates, 0 gaps; and the simulated year of a 10-window hall
(``bench/hall_simulation.year_config``) ≤ 5 s. For scale, the issue measured FQM (an
open-source queue manager) at 109 tickets/s on this machine; the report gives that ratio too.

    .venv/bin/python bench/hall.py --scale 0.05 [--database sqlite|postgres|both]

Seconds per measured run: ``max(5, 100 × scale)``; rounds: 3 below scale 0.5, else 5.
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
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CLIENTS = 32
ID_NUMBERS = ["11010519491231002X", "440524188001010014"]
PG_ADMIN_URL = os.environ.get("LINLI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_NAME = "linli_hall_bench"
TARGETS = {
    "ticket": "/hall/kiosk/A/ticket.json",
    "insert": "/bench/insert/",
    "ping": "/bench/ping/",
}
FQM_TICKETS_PER_S = 109  # issue 13: FQM measured on this machine, 2 sync workers, 32 clients
RATIO_TARGET = 0.7  # tickets ≥ 0.7 × the one-INSERT ceiling
P99_TARGET_MS = 100.0

# wrk script: two prepared requests (with and without an ID swipe) in turn; the CSRF token,
# the ID number and the path come as script arguments; done() prints one JSON line.
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
  reqs[1] = wrk.format("POST", args[3], headers, "queue=A")
  reqs[2] = wrk.format("POST", args[3], headers, "queue=A&id_number=" .. args[2])
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


def _wrk() -> str | None:
    """The wrk binary, installing it when missing and allowed."""
    found = shutil.which("wrk")
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "wrk"],
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        found = shutil.which("wrk")
    return found


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
    env.update(
        DJANGO_SETTINGS_MODULE="_bench_settings",
        DATABASE_URL=url,
        PYTHONPATH=f"{ROOT}{os.pathsep}{BENCH}",
    )
    setup = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "import datetime as d; from django.utils import timezone;"
        "from linli.core.models import CalendarDay; from linli.hall.models import Hall, Queue;"
        "import _bench_urls; _bench_urls.create_insert_table();"
        # Open all day today (a 调休 working day too), whenever the benchmark runs.
        "h = Hall.objects.create(code='A', name='A', opens_at=d.time(0, 0),"
        " closes_at=d.time(23, 59, 59, 999999));"
        "[CalendarDay.objects.update_or_create(day=timezone.localdate() + d.timedelta(days=i),"
        " defaults={'kind': 'workday', 'source': 'street'}) for i in (0, 1)];"
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


def _run_wrk(wrk: str, port: int, token: str, path: str, seconds: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA)
        script = f.name
    try:
        out = subprocess.run(
            [wrk, "-t1", f"-c{CLIENTS}", f"-d{seconds:g}s", "--timeout", "10s",
             "-s", script, f"http://127.0.0.1:{port}{path}", "--", token, ID_NUMBERS[0], path],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    result: dict[str, Any] = json.loads(line[4:])
    return result


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


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master and its workers (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    try:
        for p in [pid, *_children(pid)]:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    except (OSError, ValueError):
        return float("nan")
    return total / tick


def _worker_rss_mb(pid: int) -> list[float]:
    out = []
    for child in _children(pid):
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(round(int(line.split()[1]) / 1024, 1))
        except OSError:
            continue
    return out


def load_average() -> float:
    return os.getloadavg()[0]


def _one(wrk: str, port: int, token: str, target: str, seconds: float, pid: int) -> dict[str, Any]:
    cpu_before = _server_cpu(pid)
    r = _run_wrk(wrk, port, token, TARGETS[target], seconds)
    cpu = _server_cpu(pid) - cpu_before
    errors = {k: r.get(k, 0) for k in ("status_errors", "connect", "read", "write", "timeout")}
    ok = r["requests"] - errors["status_errors"]
    elapsed = r["duration_us"] / 1e6
    return {
        "ok": ok,
        "per_s": round(ok / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(r["p50_us"] / 1000, 1),
        "p99_ms": round(r["p99_us"] / 1000, 1),
        "cpu_ms_per_request": round(cpu * 1000 / ok, 2) if ok else None,
        "errors": {k: v for k, v in errors.items() if v},
    }


def measure(database: str, seconds: float, rounds: int) -> dict[str, Any]:
    """One database: the three targets interleaved over ``rounds`` rounds on one server."""
    workers = int(os.environ.get("LINLI_BENCH_WORKERS", "2"))
    threads = int(os.environ.get("LINLI_BENCH_THREADS", "1"))
    wrk = _wrk()
    if wrk is None:
        raise RuntimeError("wrk is missing (apt-get install wrk)")
    env, url = _prepare(database)
    port = _free_port()
    load_before = load_average()
    server = _server(env, port, workers, threads)
    runs: dict[str, list[dict[str, Any]]] = {t: [] for t in TARGETS}
    try:
        token = _csrf(port)
        for target in TARGETS:  # warm-up: imports, URL resolver, connections, caches
            _one(wrk, port, token, target, 2, server.pid)
        warm_tickets = len(_tickets(url))
        names = list(TARGETS)
        for k in range(rounds):
            for target in names[k % 3 :] + names[: k % 3]:
                runs[target].append(_one(wrk, port, token, target, seconds, server.pid))
        rss = _worker_rss_mb(server.pid)
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
    answered = sum(r["ok"] for r in runs["ticket"])

    def med(target: str, key: str) -> float:
        return round(statistics.median(r[key] for r in runs[target]), 2)

    figures = {t: {k: med(t, k) for k in ("per_s", "p50_ms", "p99_ms")} for t in TARGETS}
    for t in TARGETS:
        cpu = [r["cpu_ms_per_request"] for r in runs[t] if r["cpu_ms_per_request"] is not None]
        figures[t]["cpu_ms_per_request"] = round(statistics.median(cpu), 2) if cpu else None
    ticket = figures["ticket"]["per_s"]
    return {
        "database": database,
        "workers": workers,
        "worker_class": f"gthread × {threads}" if threads > 1 else "sync",
        "clients": CLIENTS,
        "seconds_per_run": seconds,
        "rounds": rounds,
        "median": figures,
        "runs": runs,
        "ratio_to_insert": round(ticket / figures["insert"]["per_s"], 3),
        "ratio_to_ping": round(ticket / figures["ping"]["per_s"], 3),
        "ratio_to_fqm": round(ticket / FQM_TICKETS_PER_S, 2),
        "tickets_in_database": len(rows) - warm_tickets,
        "tickets_answered_201": answered,
        "duplicates": duplicates,
        "gaps": gaps,
        "errors": {t: [r["errors"] for r in runs[t] if r["errors"]] for t in TARGETS},
        "worker_rss_mb": rss,
        "load_average_before": round(load_before, 2),
        "load_average_after": round(load_average(), 2),
    }


def _row(r: dict[str, Any]) -> str:
    m = r["median"]
    return (
        f"| {r['database']} | {m['ticket']['per_s']:.0f} | {m['insert']['per_s']:.0f} | "
        f"{m['ping']['per_s']:.0f} | **{r['ratio_to_insert']:.2f}** | {r['ratio_to_ping']:.2f} | "
        f"{r['ratio_to_fqm']:.1f} | {m['ticket']['p50_ms']:.1f} | {m['ticket']['p99_ms']:.1f} | "
        f"{m['insert']['p99_ms']:.1f} | {m['ticket']['cpu_ms_per_request']} / "
        f"{m['insert']['cpu_ms_per_request']} | {r['duplicates']} | {r['gaps']} | "
        f"{r['load_average_before']:.2f} → {r['load_average_after']:.2f} |"
    )


HEADER = (
    "| database | tickets/s | insert/s | ping/s | ticket ÷ insert | ticket ÷ ping | ÷ FQM | "
    "ticket p50 ms | ticket p99 ms | insert p99 ms | server CPU ms (ticket / insert) | "
    "duplicates | gaps | load average |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|\n"
)


def run(scale: float, report: dict[str, Any]) -> None:
    requested = os.environ.get("LINLI_BENCH_DATABASE", "postgres")
    databases = ["sqlite", "postgres"] if requested in ("postgres", "both") else ["sqlite"]
    seconds = max(5.0, 100 * scale)
    rounds = 3 if scale < 0.5 else 5
    runs = [measure(db, seconds, rounds) for db in databases]
    # The simulated year of a 10-window hall (engine benchmark, ≤ 5 s).
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.hall_simulation import year_config
    from linli.hall.simulation import simulate

    year_started = time.perf_counter()
    year = simulate(year_config(1))
    year_seconds = time.perf_counter() - year_started
    failures = []
    ratios: dict[str, Any] = {}
    for r in runs:
        db = r["database"]
        ratios[f"hall.{db}.tickets_per_insert"] = {
            "value": r["ratio_to_insert"], "better": "higher",
            "of": "tickets/s ÷ one-INSERT view/s, same server, interleaved",
        }  # fmt: skip
        ratios[f"hall.{db}.tickets_per_ping"] = {
            "value": r["ratio_to_ping"], "better": "higher",
            "of": "tickets/s ÷ ping view/s, same server, interleaved",
        }  # fmt: skip
        if r["ratio_to_insert"] < RATIO_TARGET:
            failures.append(
                f"hall/{db}: tickets {r['ratio_to_insert']:.2f} × the insert ceiling < {RATIO_TARGET}"
            )
        if r["median"]["ticket"]["p99_ms"] > P99_TARGET_MS:
            failures.append(f"hall/{db}: p99 {r['median']['ticket']['p99_ms']:.0f} ms > 100 ms")
        if r["duplicates"] or r["gaps"]:
            failures.append(f"hall/{db}: {r['duplicates']} duplicates, {r['gaps']} gaps")
        # wrk stops counting at the end of a run while up to CLIENTS requests are still being
        # served: those tickets are stored but not counted as answered.
        unanswered = r["tickets_in_database"] - r["tickets_answered_201"]
        if not 0 <= unanswered <= CLIENTS * r["rounds"]:
            failures.append(
                f"hall/{db}: {r['tickets_answered_201']} tickets answered but "
                f"{r['tickets_in_database']} stored"
            )
        if any(r["errors"].values()):
            failures.append(f"hall/{db}: errors {r['errors']}")
    if year_seconds > 5:
        failures.append(f"hall: simulated year took {year_seconds:.1f} s > 5 s")
    report.update(
        {
            "runs": runs,
            "ratios": ratios,
            "simulated_year": {
                "seconds": round(year_seconds, 2),
                "arrivals": year.arrivals,
                "mean_wait_minutes": round(year.mean_wait_minutes or 0, 2),
            },
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpu",
            "failures": failures,
            "summary": (
                HEADER
                + "\n".join(_row(r) for r in runs)
                + f"\n\nMedians of {rounds} interleaved rounds of {seconds:g} s per target; "
                f"2 sync gunicorn workers, {CLIENTS} wrk connections. Simulated year of a "
                f"10-window hall: {year.arrivals} residents in {year_seconds:.2f} s."
            ),
        }
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    out: dict[str, Any] = {}
    if args.database == "postgres":
        seconds = max(5.0, 100 * args.scale)
        out = {"runs": [measure("postgres", seconds, 3 if args.scale < 0.5 else 5)]}
        out["summary"] = HEADER + "\n".join(_row(r) for r in out["runs"])
    else:
        os.environ["LINLI_BENCH_DATABASE"] = "sqlite" if args.database == "sqlite" else "both"
        run(args.scale, out)
    sys.stdout.write(json.dumps({k: v for k, v in out.items() if k != "summary"}, indent=2))
    sys.stdout.write("\n" + out["summary"] + "\n")
