"""The platform's own periodic tasks (celery beat): nightly backup, daily audit anchor."""

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
