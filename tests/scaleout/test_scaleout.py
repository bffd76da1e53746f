"""Scale-out, proven: production's shape on this machine's services.

The wheel installed in a fresh venv (no source tree), PostgreSQL, Redis as cache, session store
and broker, two gunicorn app servers (`linli serve`) behind nginx configured from
deploy/nginx/linli.conf, two Celery workers (`linli worker`) and beat (`linli beat`). Then:

1. a user logs in through the proxy and is served by both app servers within one session;
   static files (CSS, fonts) and the English catalogue come from the installed wheel;
2. 32 clients issue 2,000 kiosk tickets through the proxy: no duplicate, no gap;
3. the demo round's white-paper batch (queued by `linli demo`) starts as the workers come up,
   the worker running it is killed with SIGKILL (its whole process group) after a few
   committees, and the batch finishes on the other worker with every committee's PDF exactly
   once; `linli risk papers --round latest` then makes it again from the stored PDFs;
4. a pick-up notice to a resident goes through the fake SMS gateway (linli.notices.testing, a
   process on loopback) exactly once, though it is sent twice and delivered twice.

Run with `make scaleout` (`pytest -m scaleout`); `.ci/run` runs it after the PostgreSQL pass.
Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust; the database linli_scaleout is
created and dropped), Redis at 127.0.0.1:6379 (database 11 is flushed) and nginx (Debian's
package). Prints its figures. Every process it starts is stopped at the end.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

from .checks import (
    Db,
    check_every_paper_exactly_once,
    job,
    latest_papers_job,
    paper_files,
    wait_for_job,
)
from .nginx import main_config
from .procs import Processes, Started, free_port, wait_for_port, wait_until
from .wheel import ROOT, build_wheel

pytestmark = pytest.mark.scaleout

PG_SERVER = os.environ.get("LINLI_SCALEOUT_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "linli_scaleout"
REDIS_URL = os.environ.get("LINLI_SCALEOUT_REDIS", "redis://127.0.0.1:6379/11")
TICKETS = 2000
CLIENTS = 32
STALE_SECONDS = 15
PAPERS_BEFORE_KILL = 3
PASSWORD = "linli-demo-2026"  # the demo accounts' (README)
# The open hall and its first kiosk queue, whatever the time of day the test runs.
OPEN_HALL = """
import datetime as d, json
from django.utils import timezone
from linli.core.models import CalendarDay
from linli.core.workcalendar import mark_changed
from linli.hall.models import Hall, Queue
hall = Hall.objects.get(code="A")
hall.opens_at, hall.closes_at = d.time(0, 0), d.time(23, 59, 59, 999999)
hall.save()
for i in (0, 1):
    CalendarDay.objects.update_or_create(
        day=timezone.localdate() + d.timedelta(days=i), defaults={"kind": "workday", "source": "street"})
mark_changed()
queue = (Queue.objects.filter(hall=hall, is_backoffice=False).exclude(prefix="Y")
         .order_by("sort", "pk").first())
print(json.dumps({"queue": queue.prefix, "queue_id": queue.pk}))
"""


# A resident's pick-up notice, asked for twice with the same key and delivered twice (as a
# re-delivered message would be): the gateway must see one request.
SEND_NOTICE = """
import json
from linli.notices import services
from linli.notices.tasks import deliver
params = {"locker": "7", "code": "482913"}
first = services.do_send_notice("hall.pickup_ready", params, key="scaleout:pickup:1", phone="13912345678")
again = services.do_send_notice("hall.pickup_ready", params, key="scaleout:pickup:1", phone="13912345678")
deliver.delay(first[0].pk)
print(json.dumps({"first": [n.pk for n in first], "again": [n.pk for n in again]}))
"""
SMS_KEY_ID, SMS_SECRET = "fake-key-id", "fake-key-secret"  # linli.notices.testing's defaults


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _require_services() -> None:
    """PostgreSQL, Redis and nginx must be there: this test was asked for."""
    import psycopg
    import redis

    problems = []
    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=5).close()
    except psycopg.Error as exc:
        problems.append(f"PostgreSQL at {PG_SERVER}: {exc}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=5).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis at {REDIS_URL}: {exc}")
    if shutil.which("nginx") is None:
        problems.append("nginx is not installed (apt-get install -y nginx)")
    if problems:
        pytest.fail("the scale-out test needs: " + "; ".join(problems))


def _fresh_database() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    return f"{PG_SERVER}/{DB_NAME}"


def _drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def _install(tmp: Path, log: Path) -> Path:
    """A fresh venv with the lockfile's packages and the wheel (built meanwhile)."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    with log.open("wb") as out:
        lock = subprocess.Popen(
            [*pip, "install", "-r", str(ROOT / "requirements.lock")],
            stdout=out, stderr=subprocess.STDOUT, cwd=tmp,
        )  # fmt: skip
        try:
            wheel = build_wheel(tmp / "dist")
            code = lock.wait(timeout=600)
        finally:
            if lock.poll() is None:
                lock.kill()
    assert code == 0, log.read_text()[-3000:]
    subprocess.run([*pip, "install", "--no-deps", str(wheel)], check=True, timeout=120, cwd=tmp)
    return venv


def _environment(venv: Path, var: Path, database: str, sms_port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LINLI_", "DATABASE_", "REDIS_", "CELERY_", "DJANGO_", "PYTHON"))
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        DJANGO_SETTINGS_MODULE="linli.settings.prod",
        SECRET_KEY=_key(),
        LINLI_HMAC_KEY=_key(),
        LINLI_DATA_KEY=_key(),
        LINLI_AUDIT_KEY=_key(),
        LINLI_HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LINLI_TRUSTED_PROXIES="127.0.0.1",
        LINLI_VAR_DIR=str(var),
        DATABASE_URL=database,
        REDIS_URL=REDIS_URL,
        LINLI_JOB_STALE_SECONDS=str(STALE_SECONDS),
        HOST="127.0.0.1",
        WEB_CONCURRENCY="2",
        WORKER_CONCURRENCY="2",
        LOG_LEVEL="INFO",
        LINLI_SMS_BACKEND="linli.notices.channels.HttpSmsBackend",
        LINLI_SMS_URL=f"http://127.0.0.1:{sms_port}/sms/send",
        LINLI_SMS_ACCESS_KEY_ID=SMS_KEY_ID,
        LINLI_SMS_ACCESS_KEY_SECRET=SMS_SECRET,
        LINLI_NOTICES_QUIET_HOURS="00:00-00:00",  # the test runs at any hour
    )
    return env


# --------------------------------------------------------------------------- 1. one session


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def _one_session_on_both_servers(base: str, upstreams: set[str]) -> dict[str, Any]:
    jar = CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(f"{base}/login/", timeout=30) as page:
        token = _csrf(page.read().decode())
    form = {"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"}
    with browser.open(f"{base}/login/", urllib.parse.urlencode(form).encode(), timeout=30) as r:
        # The demo admin logs in with two factors: the published demo authenticator secret.
        assert urllib.parse.urlsplit(r.url).path == "/account/two-factor/", "password refused"
        token = _csrf(r.read().decode())
    from django_otp.oath import totp

    from linli.core.accounts import DEMO_TOTP_SECRET

    code = str(totp(base64.b32decode(DEMO_TOTP_SECRET))).zfill(6)
    form = {"method": "totp", "code": code, "csrfmiddlewaretoken": token, "next": "/"}
    with browser.open(
        f"{base}/account/two-factor/", urllib.parse.urlencode(form).encode(), timeout=30
    ) as r:
        assert urllib.parse.urlsplit(r.url).path == "/", "not logged in"
    session = {c.name: c.value for c in jar}["sessionid"]

    served_by = []
    for _ in range(10):
        with browser.open(f"{base}/", timeout=30) as r:
            html = r.read().decode()
            assert urllib.parse.urlsplit(r.url).path == "/"  # not sent back to the login page
            assert 'class="who"' in html  # the signed-in user's name and role
            assert 'name="password"' not in html
            served_by.append(r.headers["X-Upstream"])
    assert set(served_by) == upstreams, served_by
    assert {c.name: c.value for c in jar}["sessionid"] == session

    # Static files from the installed package, compressed and fingerprinted by collectstatic.
    css = re.search(r'href="(/static/linli/css/app\.[0-9a-f]+\.css)"', html)
    assert css, "the page links the fingerprinted style sheet"
    request = urllib.request.Request(base + css.group(1), headers={"Accept-Encoding": "br"})
    with browser.open(request, timeout=30) as r:
        assert r.headers["Content-Encoding"] == "br"
    with browser.open(base + css.group(1), timeout=30) as r:
        font = re.search(r'url\("?([^")]+\.woff2)"?\)', r.read().decode())
    assert font, "the style sheet names its fonts"
    with browser.open(urllib.parse.urljoin(base + css.group(1), font.group(1)), timeout=30) as r:
        assert r.read(4) == b"wOF2"

    # The English catalogue from the installed package.
    form = {"language": "en", "next": "/", "csrfmiddlewaretoken": _csrf(html)}
    with browser.open(f"{base}/i18n/setlang/", urllib.parse.urlencode(form).encode()) as r:
        assert "Safety risk" in r.read().decode()
    return {"served_by": dict(Counter(served_by))}


# --------------------------------------------------------------------------- 2. tickets


def _issue_tickets(port: int, prefix: str, seconds: float) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/hall/kiosk/A/")
    response = conn.getresponse()
    response.read()
    conn.close()
    match = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    assert response.status == 200 and match, "the kiosk page sets the CSRF cookie"
    token = match.group(1)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={token}",
        "X-CSRFToken": token,
    }
    body = urllib.parse.urlencode({"queue": prefix})
    lock = threading.Lock()
    remaining = [TICKETS]
    issued: list[tuple[str, str, str]] = []  # number, token, app server
    errors: Counter[str] = Counter()
    deadline = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] == 0:
                    break
                remaining[0] -= 1
            try:
                conn.request("POST", "/hall/kiosk/A/ticket.json", body, headers)
                r = conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException) as exc:
                errors[type(exc).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            if r.status != 201:
                errors[f"{r.status} {data[:80]!r}"] += 1
                continue
            out = json.loads(data)
            slip = out["slip"].strip("/").split("/")[-2]  # /hall/t/<token>/slip/
            with lock:
                issued.append((out["number"], slip, r.getheader("X-Upstream") or ""))
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {"issued": issued, "errors": dict(errors), "seconds": elapsed}


def _check_numbering(
    db: Db, queue_id: int, prefix: str, before: dict[Any, int], issued: list[tuple[str, str, str]]
) -> None:
    numbers = [n for n, _, _ in issued]
    assert len(numbers) == len(set(numbers)) == TICKETS, "a duplicate number"
    rows = db.rows(
        "SELECT token, day, seq, number FROM hall_ticket WHERE queue_id = %s AND token = ANY(%s)",
        queue_id, [t for _, t, _ in issued],
    )  # fmt: skip
    assert len(rows) == TICKETS
    assert sorted(r[3] for r in rows) == sorted(numbers)
    by_day: dict[Any, list[int]] = {}
    for _, day, seq, number in rows:
        assert number == f"{prefix}{seq:03d}"
        by_day.setdefault(day, []).append(int(seq))
    # Per kiosk day (a run across midnight starts again at 1): the numbers follow on from the
    # last one issued before, with no gap, and the counter stands at the last one.
    after = dict(db.rows("SELECT day, n FROM hall_queuecounter WHERE queue_id = %s", queue_id))
    for day, seqs in by_day.items():
        first = before.get(day, 0) + 1
        assert sorted(seqs) == list(range(first, first + len(seqs))), f"a gap on {day}"
        assert after[day] == first + len(seqs) - 1


# --------------------------------------------------------------------------- 4. the notice


def _check_notice_once(
    db: Db, ids: dict[str, list[int]], gateway_log: Path, workers: list[Started]
) -> dict[str, Any]:
    assert len(ids["first"]) == 1 and ids["again"] == ids["first"]  # one SMS notice, recorded once
    (notice_id,) = ids["first"]

    def sent() -> tuple[Any, ...] | None:
        (row,) = db.rows(
            "SELECT state, attempts, provider_id, channel FROM notices_notice WHERE id = %s",
            notice_id,
        )
        if row[0] in ("failed", "suppressed"):
            raise AssertionError(f"notice {notice_id}: {row}")
        return row if row[0] == "sent" else None

    _, attempts, provider_id, channel = wait_until("the SMS sent", sent, 120)

    def both_deliveries() -> list[str] | None:
        logs = "".join(w.log.read_text(errors="replace") for w in workers)
        acted = re.findall(
            rf"deliver\[[^\]]+\] succeeded in [^:]+: \{{'notice': {notice_id}, "
            rf"'state': '\w+', 'acted': (True|False)\}}",
            logs,
        )
        return sorted(acted) if len(acted) >= 2 else None

    # Both deliveries ran: one sent the SMS; the other found it sending or sent and did nothing.
    assert wait_until("the second delivery", both_deliveries, 60) == ["False", "True"]
    requests = [json.loads(line) for line in gateway_log.read_text().splitlines()]
    mine = [r for r in requests if r["out_id"] == f"linli-{notice_id}"]
    assert [r["outcome"] for r in mine] == ["ok"], mine
    assert (channel, attempts, provider_id) == ("sms", 1, mine[0]["request_id"])
    assert mine[0]["phone"] == "139****5678"  # the gateway's log keeps the number masked
    assert mine[0]["params"] == {"locker": "7", "code": "482913"}
    return {"SMS requests at the gateway": len(mine)}


# --------------------------------------------------------------------------- 3. the batch


def _worker_of(pid_text: str, workers: list[Started]) -> Started:
    pid = int(pid_text.rsplit(":", 1)[1])
    group = os.getpgid(pid)
    (worker,) = [w for w in workers if w.pgid == group]
    return worker


def test_scale_out(tmp_path: Path) -> None:
    _require_services()
    figures: dict[str, Any] = {}
    clock = time.monotonic()
    t0 = clock

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        figures[f"{name} s"] = round(now - clock, 1)
        clock = now

    logs = tmp_path / "logs"
    logs.mkdir()
    venv = _install(tmp_path, logs / "pip.log")
    linli = str(venv / "bin" / "linli")
    lap("install")

    run = tmp_path / "run"  # the working directory: no source tree anywhere near
    run.mkdir()
    var = tmp_path / "var"
    database = _fresh_database()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    sms_port = free_port()
    procs = Processes(logs, _environment(venv, var, database, sms_port), cwd=run)
    db: Db | None = None
    try:
        where = procs.run([str(venv / "bin" / "python"), "-c", "import linli; print(linli.__file__)"],
                          timeout=60)  # fmt: skip
        assert Path(where.strip()).is_relative_to(venv), where

        procs.run([linli, "migrate", "--noinput", "--verbosity", "0"], timeout=300)
        collect = procs.start("collectstatic", [linli, "collectstatic", "--noinput", "-v", "0"])
        demo = procs.run([linli, "demo"], timeout=400)
        assert collect.proc.wait(timeout=300) == 0, collect.tail()
        opened = json.loads(procs.run([linli, "shell", "-c", OPEN_HALL], 60).splitlines()[-1])
        lap("migrate, demo, collectstatic")
        assert "risk: papers queued 16" in demo

        app_ports = [free_port(), free_port()]
        apps = [procs.start(f"app{i + 1}", [linli, "serve"], PORT=str(port))
                for i, port in enumerate(app_ports)]  # fmt: skip
        proxy_port = free_port()
        conf = main_config(tmp_path / "nginx", proxy_port, app_ports)
        proxy = procs.start(
            "nginx", ["nginx", "-e", str(tmp_path / "nginx" / "error.log"), "-c", str(conf),
                      "-g", "daemon off;"],
        )  # fmt: skip
        workers = [procs.start(f"worker{i}", [linli, "worker", "-n", f"w{i}@%h"]) for i in (1, 2)]
        procs.start("beat", [linli, "beat"])
        gateway_log = logs / "fake-sms.jsonl"
        gateway = procs.start(
            "fake-sms", [str(venv / "bin" / "python"), "-m", "linli.notices.testing",
                         "--port", str(sms_port), "--log", str(gateway_log)],
        )  # fmt: skip
        for port, item in [*zip(app_ports, apps, strict=True), (proxy_port, proxy),
                           (sms_port, gateway)]:  # fmt: skip
            wait_for_port(port, item, 90)
        lap("start")

        # The demo round's white-paper batch (queued by `linli demo`) starts as the workers come
        # up; the worker running it is killed after a few committees.
        db = Db(database)
        job_id = latest_papers_job(db)
        running = wait_for_job(db, job_id, 240, done_at_least=PAPERS_BEFORE_KILL)
        victim = _worker_of(running["worker"], workers)
        kept = paper_files(db, job_id)
        procs.kill_group(victim)  # SIGKILL: the worker and its pool processes, mid-batch
        killed = time.monotonic()
        lap("batch until the kill")

        # While the sweeper waits for the killed worker's job to go stale: one session through
        # the proxy, and a notice.
        base = f"http://127.0.0.1:{proxy_port}"
        figures.update(_one_session_on_both_servers(base, {f"127.0.0.1:{p}" for p in app_ports}))
        ids = json.loads(procs.run([linli, "shell", "-c", SEND_NOTICE], 60).splitlines()[-1])
        lap("session, notice")

        final = wait_for_job(db, job_id, 300)
        finished = time.monotonic()
        survivor = _worker_of(final["worker"], workers)
        assert survivor is not victim and survivor.proc.poll() is None
        check_every_paper_exactly_once(db, var / "media", job_id, kept)
        shown = json.loads(procs.run([linli, "jobs", "show", str(job_id)], 60))
        assert shown == {"id": job_id, "kind": "risk.papers", "state": "done",
                         "done": final["total"], "total": final["total"], "error": ""}  # fmt: skip
        (took,) = db.rows("SELECT finished_at - started_at FROM jobs_job WHERE id = %s", job_id)
        figures.update(
            {
                "papers": final["total"],
                "papers before the kill": len(kept),
                "killed batch s": round(took[0].total_seconds(), 1),
                "after the kill s": round(finished - killed, 1),
                "attempts": job(db, job_id)["attempts"],
            }
        )
        figures.update(_check_notice_once(db, ids, gateway_log, workers))
        lap("rest of the batch")

        # The batch again from the command line: the stored PDFs (by content fingerprint) are
        # reused, each committee's exactly once again.
        again = json.loads(procs.run([linli, "risk", "papers", "--round", "latest"], 60))["job"]
        wait_for_job(db, again, 120)
        check_every_paper_exactly_once(db, var / "media", again, [])
        lap("linli risk papers again")

        queue_id, prefix = int(opened["queue_id"]), str(opened["queue"])
        before = dict(db.rows("SELECT day, n FROM hall_queuecounter WHERE queue_id = %s", queue_id))
        tickets = _issue_tickets(proxy_port, prefix, seconds=150)
        assert tickets["errors"] == {}
        assert len(tickets["issued"]) == TICKETS
        _check_numbering(db, queue_id, prefix, before, tickets["issued"])
        figures["tickets/s"] = round(TICKETS / tickets["seconds"], 1)
        figures["tickets by app server"] = dict(Counter(u for _, _, u in tickets["issued"]))
        lap("tickets")
    finally:
        procs.stop_all()
        if db is not None:
            db.close()
        _drop_database()
        figures["total s"] = round(time.monotonic() - t0, 1)
        sys.stdout.write("\nscale-out figures: " + json.dumps(figures, ensure_ascii=False) + "\n")
