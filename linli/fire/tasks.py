"""The fire module's Celery tasks: thin shells that call one service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="linli.fire.tasks.equipment_reminders")
def equipment_reminders() -> dict[str, int]:
    """Weekly: equipment overdue or due within 30/90 days, to each committee and partner."""
    return services.send_equipment_reminders()
