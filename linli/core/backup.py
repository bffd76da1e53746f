"""The embedded default's nightly backup and the audit chain's daily anchor.

Both write outside the database, into the variable data folder: a backup that lives only in
the database it backs up is no backup, and an anchor of the audit chain that sits beside the
chain can be rewritten with it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import AuditHead

log = logging.getLogger("linli.audit.anchor")

KEEP_BACKUPS = 14


def backup_dir() -> Path:
    return Path(getattr(settings, "LINLI_BACKUP_DIR", Path(settings.VAR_DIR) / "backups"))


def anchor_file() -> Path:
    default = Path(settings.VAR_DIR) / "audit-anchors.log"
    return Path(getattr(settings, "LINLI_AUDIT_ANCHOR_FILE", default))


def backup_sqlite() -> Path | None:
    """Copy the SQLite database with SQLite's online backup (safe while the server runs) and
    keep the last 14 copies. On PostgreSQL it does nothing: ``pg_dump`` and WAL archiving are
    the database operator's (docs/deploy.md)."""
    if connection.vendor != "sqlite":
        return None
    folder = backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"linli-{timezone.localtime():%Y%m%d-%H%M%S}.sqlite3"
    connection.ensure_connection()
    source = connection.connection
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()
    for old in sorted(folder.glob("linli-*.sqlite3"))[:-KEEP_BACKUPS]:
        old.unlink()
    anchor_audit(reason="backup")
    return target


def anchor_audit(reason: str = "daily") -> dict[str, object]:
    """Append the audit chain's head (sequence number and digest) to the anchor file and the
    log: a later ``linli audit verify`` can tell records removed after this point."""
    head = AuditHead.objects.filter(pk=1).first()
    entry: dict[str, object] = {
        "at": timezone.now().isoformat(timespec="seconds"),
        "seq": head.seq if head else 0,
        "digest": head.digest if head else "0" * 64,
        "reason": reason,
    }
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
    log.warning("audit anchor %s", json.dumps(entry))
    return entry
