"""The service centre's Celery tasks (celery beat): thin shells that call one service."""

from __future__ import annotations

from celery import shared_task

from linli.jobs import services as jobs

from . import services


@shared_task(name="linli.hall.tasks.case_deadlines")
def case_deadlines() -> dict[str, int]:
    """Daily: case deadlines and follow-ups of bad ratings (``services.do_send_case_reminders``)."""
    return services.do_send_case_reminders()


@shared_task(name="linli.hall.tasks.appointment_reminders")
def appointment_reminders() -> int:
    """Daily at 17:00: SMS reminders of tomorrow's appointments."""
    return services.do_send_appointment_reminders()


@shared_task(name="linli.hall.tasks.expire_lockers")
def expire_lockers() -> dict[str, int]:
    """Hourly: the day-5 pick-up reminder and the expiry after 7 days (``sweep_lockers``)."""
    return services.do_sweep_lockers()


@shared_task(name="linli.hall.tasks.purge_personal_data")
def purge_personal_data() -> dict[str, int]:
    """Daily: personal data of tickets, cases, appointments and pickups past the retention
    period anonymised, statistics kept (``services.do_purge_personal_data``)."""
    return services.do_purge_personal_data()


@shared_task(name="linli.hall.tasks.export_items", acks_late=True)
def export_items(job_id: int) -> None:
    """Write a large catalogue export (``services.do_run_item_export``); a re-run writes it
    afresh."""
    jobs.do_run_job(job_id, services.do_run_item_export)


@shared_task(name="linli.hall.tasks.import_items", acks_late=True)
def import_items(job_id: int) -> None:
    """Import an uploaded catalogue sheet (``services.do_run_item_import``); all rows or none."""
    jobs.do_run_job(job_id, services.do_run_item_import)
