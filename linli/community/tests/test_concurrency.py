"""Capacity is never oversold: many threads sign up and cancel for one event at once.

The probe runs in its own process against a database of its own: a file SQLite database
(IMMEDIATE transactions), or, when the suite runs on PostgreSQL, a fresh PostgreSQL database
on the same server, where the event's row lock (SELECT … FOR UPDATE) serialises the seats.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def probe_database(tmp_path: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'probe.sqlite3'}"
        return
    import psycopg

    name = f"linli_community_probe_{os.getpid()}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_concurrent_signups_never_oversell(tmp_path: Path) -> None:
    threads, per_thread, capacity = 12, 10, 30
    with probe_database(tmp_path) as url:
        env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="linli.settings.test")
        out = subprocess.run(
            [sys.executable, "-m", "linli.community.tests.concurrency_probe",
             str(threads), str(per_thread), str(capacity)],
            env=env, capture_output=True, text=True, timeout=170, check=False,
            cwd=Path(__file__).resolve().parents[3],
        )  # fmt: skip
    if out.returncode != 0:
        pytest.fail(f"probe failed: {out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["attempts"] == threads * per_thread
    assert result["distinct_people"] == threads * per_thread
    assert result["confirmed"] == capacity  # full, and never more
    assert result["confirmed"] + result["waitlisted"] + result["cancelled"] == threads * per_thread
