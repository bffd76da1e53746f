"""The embedded default, as `make run` starts it: SQLite and kombu's filesystem broker under
LINLI_VAR_DIR, a worker with beat. The worker is killed (SIGKILL, with its pool) in the middle of
the demo's white-paper batch; another worker, started afterwards, finishes the batch from where
it stopped, with every committee's PDF exactly once. Real processes; normal suite (~1 min)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from .checks import (
    Db,
    check_every_paper_exactly_once,
    latest_papers_job,
    paper_files,
    wait_for_job,
)
from .procs import Processes

LINLI = str(Path(sys.executable).parent / "linli")
STALE_SECONDS = 10
SWEEP_EVERY = 5


def _environment(var: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LINLI_", "DATABASE_", "REDIS_", "CELERY_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="linli.settings.local",
        LINLI_VAR_DIR=str(var),
        LINLI_JOB_STALE_SECONDS=str(STALE_SECONDS),
        WORKER_CONCURRENCY="1",
        LOG_LEVEL="INFO",
    )
    return env


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the embedded default is SQLite: it runs in the suite's SQLite pass",
)
def test_a_killed_worker_s_batch_is_finished_by_the_next_worker_exactly_once(
    tmp_path: Path,
) -> None:
    var = tmp_path / "var"
    procs = Processes(tmp_path, _environment(var), cwd=tmp_path)
    db: Db | None = None
    try:
        procs.run([LINLI, "migrate", "--noinput", "--verbosity", "0"], timeout=180)
        procs.run([LINLI, "demo", "--no-residents"], timeout=240)  # queues the white papers
        db = Db(f"sqlite:///{var / 'linli.sqlite3'}")
        job_id = latest_papers_job(db)
        # The sweeper every 5 s instead of 30, as the street admin may set it on the schedules
        # page, to keep the test short.
        db.rows(
            "INSERT INTO django_celery_beat_intervalschedule (every, period) VALUES (%s, %s)",
            SWEEP_EVERY, "seconds",
        )  # fmt: skip
        db.rows(
            "UPDATE django_celery_beat_periodictask SET interval_id ="
            " (SELECT max(id) FROM django_celery_beat_intervalschedule)"
            " WHERE name = 'linli.jobs.sweep'"
        )

        started = time.monotonic()
        first = procs.start("worker-1", [LINLI, "worker", "--beat", "-n", "first@%h"])
        wait_for_job(db, job_id, 150, done_at_least=2)
        kept = paper_files(db, job_id)
        procs.kill_group(first)  # the worker, its pool process and its beat, mid-batch
        killed = time.monotonic()

        procs.start("worker-2", [LINLI, "worker", "--beat", "-n", "second@%h"])
        final = wait_for_job(db, job_id, 150)
        finished = time.monotonic()

        check_every_paper_exactly_once(db, var / "media", job_id, kept)
        assert final["attempts"] >= 2  # picked up again after the kill
        sys.stdout.write(
            f"\nembedded: {final['total']} papers, {len(kept)} before the kill; "
            f"batch {finished - started:.1f} s, {finished - killed:.1f} s after the kill\n"
        )
    finally:
        procs.stop_all()
        if db is not None:
            db.close()
