"""``linli backup`` and ``linli restore`` end to end, as an operator runs them: backup → change →
restore → counts back, and ``linli audit verify`` reports the restore honestly."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

SQLITE = "sqlite" in django_settings.DATABASES["default"]["ENGINE"]


def _linli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "linli.cli", *args],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


@pytest.mark.skipif(not SQLITE, reason="tested on the embedded default; PostgreSQL uses pg_dump")
@pytest.mark.django_db
def test_backup_change_restore_brings_the_counts_back(tmp_path: Path) -> None:
    # A migrated database file of our own (a copy of the empty test database), so the
    # commands run in their own processes exactly as an operator runs them.
    db = tmp_path / "linli.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(db)
    target.executescript("\n".join(connection.connection.iterdump()))  # works in a transaction
    target.close()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "linli.settings.test",
        "DATABASE_URL": f"sqlite:///{db}",
        "LINLI_VAR_DIR": str(tmp_path / "var"),
    }
    media = tmp_path / "var" / "media"
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "a.jpg").write_bytes(b"jpeg")
    work = (
        "from linli.core import audit; from linli.core.context import Actor; "
        "from linli.core.models import User; from linli.core.backup import anchor_audit; "
        "User.objects.create(username='{user}'); "
        "[audit.record(Actor.system('t'), 'test.{user}') for _ in range({n})]; {anchor}"
    )
    assert _linli(env, "shell", "-c", work.format(user="before", n=3, anchor="")).returncode == 0
    users = _count(db, "select count(*) from core_user")

    made = _linli(env, "backup", "--output", str(tmp_path / "b"))
    assert made.returncode == 0, made.stderr
    (archive,) = (tmp_path / "b").glob("linli-backup-*.tar.gz")
    assert f"backup written: {archive}" in made.stdout
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert {"manifest.json", "database.sqlite3", "media/photos/a.jpg",
            "audit-anchors.log"} <= names  # fmt: skip
    assert manifest["audit_head"]["seq"] == 3 and manifest["media_files"] == 1

    # Work goes on after the backup: an account, 4 audit records, the daily anchor, media.
    later = work.format(user="after", n=4, anchor="anchor_audit('daily')")
    assert _linli(env, "shell", "-c", later).returncode == 0
    (media / "photos" / "a.jpg").unlink()
    (media / "later.jpg").write_bytes(b"later")
    assert _count(db, "select count(*) from core_user") == users + 1

    refused = _linli(env, "restore", str(archive))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert _count(db, "select count(*) from core_user") == users + 1  # nothing touched

    restored = _linli(env, "restore", str(archive), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "records 4–7, anchored later, are missing" in restored.stdout
    assert _count(db, "select count(*) from core_user") == users
    assert _count(db, "select count(*) from core_auditrecord") == 3
    assert (media / "photos" / "a.jpg").read_bytes() == b"jpeg"
    assert not (media / "later.jpg").exists()

    verify = _linli(env, "audit", "verify")
    assert verify.returncode == 3
    assert "audit chain RESTORED" in verify.stderr and "records 4–7" in verify.stderr


@pytest.mark.django_db
def test_restore_refuses_what_is_not_an_archive(tmp_path: Path, settings: Any) -> None:
    bad = tmp_path / "x.tar.gz"
    bad.write_bytes(b"not a tar")
    with pytest.raises(CommandError, match="not a Linli backup archive"):
        call_command("restore", str(bad), "--yes")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), "--yes")
