"""The lift-retrofit module's Celery tasks (celery beat): thin shells that call one service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="linli.elevator.tasks.stage_clocks")
def stage_clocks() -> dict[str, int]:
    """Daily: stage clocks and vote deadlines to the committee, vote notices to owners."""
    return services.do_send_stage_reminders()
