"""The fire module's Celery tasks: register exports and imports too large for a request."""

from __future__ import annotations

from celery import shared_task

from linli.jobs import services as jobs


@shared_task(name="linli.fire.tasks.export", acks_late=True)
def export(job_id: int) -> None:
    """Write a register's export (``services.run_export``); a re-run writes it afresh."""
    from . import services

    jobs.run(job_id, services.run_export)


@shared_task(name="linli.fire.tasks.import_sheet", acks_late=True)
def import_sheet(job_id: int) -> None:
    """Import an uploaded register sheet (``services.run_import``); all rows or none."""
    from . import services

    jobs.run(job_id, services.run_import)
