"""The community module's periodic task: release held seats whose time has come."""

from __future__ import annotations

from celery import shared_task

from linli.core.context import Actor

from . import services


@shared_task(name="linli.community.tasks.release_due")
def release_due() -> int:
    """Merge held seats into the general pool and promote from wait-lists (every 5 minutes)."""
    return services.do_release_due_seats(Actor.system("community.release"))
