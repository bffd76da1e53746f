"""The fire module's Celery tasks: thin shells that call one service — weekly reminders, and
register exports and imports too large for a request."""

from __future__ import annotations

from celery import shared_task

from linli.jobs import services as jobs

from . import services


@shared_task(name="linli.fire.tasks.equipment_reminders")
def equipment_reminders() -> dict[str, int]:
    """Weekly: equipment overdue or due within 30/90 days, to each committee and partner."""
    return services.do_send_equipment_reminders()


@shared_task(name="linli.fire.tasks.export", acks_late=True)
def export(job_id: int) -> None:
    """Write a register's export (``services.do_run_export``); a re-run writes it afresh."""
    jobs.do_run_job(job_id, services.do_run_export)


@shared_task(name="linli.fire.tasks.import_sheet", acks_late=True)
def import_sheet(job_id: int) -> None:
    """Import an uploaded register sheet (``services.do_run_import``); all rows or none."""
    jobs.do_run_job(job_id, services.do_run_import)
