"""A task the jobs tests run (through the eager path and a real in-process worker)."""

from __future__ import annotations

from celery import shared_task

from linli.jobs import services as jobs
from linli.jobs.models import Job


def _count(job: Job) -> None:
    to = int(job.params.get("to", job.total))
    for i in range(job.done, to):
        jobs.do_report_progress(job, i + 1, to)


@shared_task(name="linli.jobs.tests.tasks_for_tests.count_to", acks_late=True)
def count_to(job_id: int) -> None:
    jobs.do_run_job(job_id, _count)
