"""Numbers are allocated atomically: many concurrent issuers, no duplicate and no gap.

The probe runs in its own process against a database of its own: a file SQLite database
(IMMEDIATE transactions, WAL — the in-memory test database cannot take concurrent writers), or,
when the suite runs on PostgreSQL, a fresh PostgreSQL database on the same server.
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
    """A database URL for the probe, of the same kind as the suite's own database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'probe.sqlite3'}"
        return
    import psycopg

    name = f"linli_probe_{os.getpid()}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_concurrent_issuing_gives_no_duplicate_and_no_gap(tmp_path: Path) -> None:
    threads, per_thread = 16, 25
    with probe_database(tmp_path) as url:
        env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="linli.settings.test")
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "linli.hall.tests.concurrency_probe",
                str(threads),
                str(per_thread),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=110,
            check=False,
            cwd=Path(__file__).resolve().parents[3],
        )
    if out.returncode != 0:
        pytest.fail(f"probe failed: {out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["issued"] == threads * per_thread
    assert result["distinct"] == threads * per_thread  # no duplicate number
    assert (result["min"], result["max"]) == (1, threads * per_thread)
    assert result["gaps"] == []
