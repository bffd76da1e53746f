"""The platform's own periodic tasks (celery beat): nightly backup, daily audit anchor, daily
calendar sync."""

from __future__ import annotations

from celery import shared_task

from . import backup as backups


@shared_task(name="linli.core.tasks.backup")
def backup() -> str:
    path = backups.backup_sqlite()
    return str(path) if path else "skipped: not SQLite"


@shared_task(name="linli.core.tasks.anchor_audit")
def anchor_audit() -> dict[str, object]:
    return backups.anchor_audit()


@shared_task(name="linli.core.tasks.sync_calendar")
def sync_calendar() -> dict[str, object]:
    """Daily: load new years from the installed holiday package (street entries are kept).

    From 1 November the street admin's home page and the calendar page warn while the coming
    year is missing; the result names it too (the jobs page shows it).
    """
    from . import workcalendar
    from .context import Actor

    result = workcalendar.sync_from_package(Actor.system("calendar sync"))
    return {
        "added": result.added,
        "changed": result.changed,
        "removed": result.removed,
        "coming_year_missing": workcalendar.coming_year_missing(),
    }
