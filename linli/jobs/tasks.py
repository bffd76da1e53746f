"""The jobs app's periodic tasks (celery beat): the sweeper and the result purge."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="linli.jobs.tasks.sweep")
def sweep() -> int:
    return services.do_sweep_jobs()


@shared_task(name="linli.jobs.tasks.purge_results")
def purge_results() -> int:
    return services.do_purge_results()
