"""Backups (the embedded default's nightly copy; ``linli backup``/``restore`` archives) and
the audit chain's anchor.

Both write outside the database, into the variable data folder: a backup that lives only in
the database it backs up is no backup, and an anchor of the audit chain that sits beside the
chain can be rewritten with it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
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
    head = copy_sqlite(target)
    for old in sorted(folder.glob("linli-*.sqlite3"))[:-KEEP_BACKUPS]:
        old.unlink()
    anchor_audit(reason="backup", head=head)
    return target


def copy_sqlite(target: Path) -> tuple[int, str]:
    """SQLite's online backup of the default database into ``target``; returns the audit
    chain's head as it is in the copy, so the anchor names exactly what the copy holds."""
    connection.ensure_connection()
    source = connection.connection
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
        row = dest.execute("SELECT seq, digest FROM core_audithead WHERE id = 1").fetchone()
    finally:
        dest.close()
    return (int(row[0]), str(row[1])) if row else (0, "0" * 64)


def anchor_audit(reason: str = "daily", head: tuple[int, str] | None = None) -> dict[str, object]:
    """Append the audit chain's head (sequence number and digest) to the anchor file and the
    log: a later ``linli audit verify`` can tell records removed after this point. ``head``
    overrides the database's head (a backup anchors what its copy holds)."""
    if head is None:
        row = AuditHead.objects.filter(pk=1).first()
        head = (row.seq, row.digest) if row else (0, "0" * 64)
    entry: dict[str, object] = {
        "at": timezone.now().isoformat(timespec="microseconds"),
        "seq": head[0],
        "digest": head[1],
        "reason": reason,
    }
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
    log.warning("audit anchor %s", json.dumps(entry))
    return entry


# --- linli backup / linli restore: one dated archive with the database, media and anchors ---

ARCHIVE_FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, object]
    media_files: int


def _pg_args(db: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", str(db["NAME"])]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _dump_postgresql(target: Path) -> tuple[int, str]:
    """``pg_dump -Fc`` of exactly the snapshot whose audit head is anchored: the head is read
    in a repeatable-read transaction whose snapshot pg_dump then uses."""
    args, env = _pg_args(settings.DATABASES["default"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        cursor.execute("SELECT seq, digest FROM core_audithead WHERE id = 1")
        row = cursor.fetchone()
        done = subprocess.run(  # noqa: S603 (fixed argv, no shell)
            ["pg_dump", "-Fc", "--no-owner", "--snapshot", snapshot, "--file", str(target), *args],  # noqa: S607
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
    return (int(row[0]), str(row[1])) if row else (0, "0" * 64)


def create_archive(output: Path | None = None) -> tuple[Path, dict[str, object]]:
    """Write ``linli-backup-YYYYmmdd-HHMMSS.tar.gz`` into the folder ``output`` (default
    ``var/backups/``), or as ``output`` itself when it ends in ``.gz``: the database (SQLite
    online backup or ``pg_dump -Fc``), the media files and the audit anchors, with a
    manifest. The audit chain's head as it is in the copy is anchored first, so the anchor
    names what the archive holds and a later restore is recognised as one."""
    stamp = f"{timezone.localtime():%Y%m%d-%H%M%S}"
    name = f"linli-backup-{stamp}.tar.gz"
    if output is None:
        target = backup_dir() / name
    elif output.suffix in {".gz", ".tgz"}:
        target = output
    else:
        target = output / name
    target.parent.mkdir(parents=True, exist_ok=True)
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        work = Path(tmp)
        if connection.vendor == "sqlite":
            db_name = "database.sqlite3"
            head = copy_sqlite(work / db_name)
        elif connection.vendor == "postgresql":
            db_name = "database.pgdump"
            head = _dump_postgresql(work / db_name)
        else:
            raise BackupError(f"no backup method for the {connection.vendor} database")
        anchor = anchor_audit(reason="backup", head=head)
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
        manifest: dict[str, object] = {
            "format": ARCHIVE_FORMAT,
            "created": timezone.now().isoformat(),
            "database": connection.vendor,
            "database_file": db_name,
            "audit_head": {"seq": head[0], "digest": head[1]},
            "anchor": anchor,
            "media_files": len(files),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        partial = target.with_name(target.name + ".part")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / "manifest.json", "manifest.json")
            tar.add(work / db_name, db_name)
            if anchor_file().exists():
                tar.add(anchor_file(), "audit-anchors.log")
            for path in files:
                tar.add(path, f"media/{path.relative_to(media).as_posix()}")
        partial.replace(target)
    return target, manifest


def database_has_data() -> bool:
    return "django_migrations" in connection.introspection.table_names()


def restore_archive(archive: Path) -> Restored:
    """Replace the database and the media files with an archive's. The live anchor file is
    kept (it names the records written since the backup, so ``audit verify`` can say what
    the restore lost); the archive's anchors are used only where there is none."""
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(archive, "r:*") as tar:
                tar.extractall(work, filter="data")
            manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
        except (tarfile.TarError, OSError, ValueError) as exc:
            raise BackupError(f"{archive} is not a Linli backup archive ({exc})") from exc
        if manifest.get("format") != ARCHIVE_FORMAT:
            raise BackupError(f"unknown archive format {manifest.get('format')!r}")
        if manifest.get("database") != connection.vendor:
            raise BackupError(
                f"the archive holds a {manifest.get('database')} database; "
                f"this installation uses {connection.vendor}"
            )
        db_file = work / str(manifest["database_file"])
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(db_file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            args, env = _pg_args(settings.DATABASES["default"])
            connection.close()
            done = subprocess.run(  # noqa: S603 (fixed argv, no shell)
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",  # noqa: S607
                 *args, str(db_file)],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        media.mkdir(parents=True, exist_ok=True)
        count = 0
        if (work / "media").is_dir():
            shutil.copytree(work / "media", media, dirs_exist_ok=True)
            count = sum(1 for p in media.rglob("*") if p.is_file())
        saved_anchors = work / "audit-anchors.log"
        if saved_anchors.exists() and not anchor_file().exists():
            anchor_file().parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(saved_anchors, anchor_file())
    return Restored(manifest, count)
