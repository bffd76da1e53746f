"""Tasks through a real Celery worker (in-process, on the in-memory broker): the job is sent
after the commit, claimed, run with progress, and a re-delivered message does nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from linli.celery import app
from linli.core.context import Actor
from linli.jobs import services as jobs
from linli.jobs.models import Job

from .tasks_for_tests import count_to


@pytest.fixture
def worker(transactional_db: Any) -> Iterator[Any]:
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
            yield w
    finally:
        app.conf.task_always_eager = True


def _wait(job_id: int, state: str, seconds: float = 20) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.state == state:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} is {Job.objects.get(pk=job_id).state}, not {state}")


def test_a_submitted_job_runs_on_the_worker_with_progress(worker: Any) -> None:
    job = jobs.do_submit_job(
        Actor.system("test"), "test.count", count_to.name, title="数到五", total=5
    )
    done = _wait(job.pk, "done")
    assert (done.done, done.total, done.attempts) == (5, 5, 1)
    assert done.worker and done.started_at and done.finished_at


def test_a_message_delivered_twice_runs_the_job_once(worker: Any) -> None:
    job = jobs.do_submit_job(
        Actor.system("test"), "test.count", count_to.name, title="数到五", total=5
    )
    _wait(job.pk, "done")
    count_to.apply_async(args=(job.pk,))  # a re-delivery after the job ended
    count_to.apply_async(args=(job.pk,))
    time.sleep(1.0)
    again = Job.objects.get(pk=job.pk)
    assert (again.state, again.attempts, again.done) == ("done", 1, 5)


def test_a_worker_process_runs_the_configured_warm_ups(settings: Any) -> None:
    from linli import celery as linli_celery

    settings.LINLI_WORKER_WARMUPS = ["linli.jobs.tests.test_worker._record_warm_up"]
    _WARMED.clear()
    linli_celery.warm_up()
    assert _WARMED == ["warm"]


_WARMED: list[str] = []


def _record_warm_up() -> None:
    _WARMED.append("warm")
