"""The places app's Celery tasks: Excel exports and imports too large for a request."""

from __future__ import annotations

from celery import shared_task

from linli.jobs import services as jobs


@shared_task(name="linli.geo.tasks.export", acks_late=True)
def export(job_id: int) -> None:
    """Write a list's export (``services.do_run_export``); a re-run writes the file afresh."""
    from . import services

    jobs.do_run_job(job_id, services.do_run_export)


@shared_task(name="linli.geo.tasks.import_sheet", acks_late=True)
def import_sheet(job_id: int) -> None:
    """Import an uploaded sheet (``services.do_run_import``); all rows or none."""
    from . import services

    jobs.do_run_job(job_id, services.do_run_import)
