"""``linli backup`` and ``linli restore``: backup → change → restore → counts back, and the
audit check tells the restore honestly."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from linli.core import audit
from linli.core.backup import anchor_audit
from linli.core.context import Actor
from linli.core.models import AuditRecord

SQLITE = "sqlite" in django_settings.DATABASES["default"]["ENGINE"]


@pytest.mark.skipif(not SQLITE, reason="tested on the embedded default; PostgreSQL uses pg_dump")
# Transactional (a restore replaces the whole database); the serialized rollback puts back
# the rows migrations create (the default schedules) for the tests that come after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_change_restore_brings_the_counts_back(
    tmp_path: Path, settings: Any, users: Any
) -> None:
    from linli.core.models import User

    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "photos").mkdir(parents=True)
    (settings.MEDIA_ROOT / "photos" / "a.jpg").write_bytes(b"jpeg")
    for i in range(3):
        audit.record(Actor.system("test"), f"test.before{i}")
    accounts = User.objects.count()
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "b"), stdout=out)
    (archive,) = (tmp_path / "b").glob("linli-backup-*.tar.gz")
    assert f"backup written: {archive}" in out.getvalue()
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert {"manifest.json", "database.sqlite3", "media/photos/a.jpg",
            "audit-anchors.log"} <= names  # fmt: skip
    assert manifest["audit_head"]["seq"] == 3 and manifest["media_files"] == 1

    # Work goes on after the backup: a new account, new audit records, a daily anchor.
    User.objects.create(username="after-backup")
    for i in range(4):
        audit.record(Actor.system("test"), f"test.after{i}")
    anchor_audit("daily")
    (settings.MEDIA_ROOT / "photos" / "a.jpg").unlink()
    (settings.MEDIA_ROOT / "later.jpg").write_bytes(b"later")

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))
    assert User.objects.count() == accounts + 1  # nothing touched

    out = io.StringIO()
    call_command("restore", str(archive), "--yes", stdout=out)
    assert User.objects.count() == accounts
    assert AuditRecord.objects.count() == 3
    assert (settings.MEDIA_ROOT / "photos" / "a.jpg").read_bytes() == b"jpeg"
    assert not (settings.MEDIA_ROOT / "later.jpg").exists()
    report = audit.verify()
    assert report.verdict == "restored" and report.missing == (4, 7)
    assert "records 4–7" in out.getvalue()


@pytest.mark.django_db
def test_restore_refuses_what_is_not_an_archive(tmp_path: Path) -> None:
    bad = tmp_path / "x.tar.gz"
    bad.write_bytes(b"not a tar")
    with pytest.raises(CommandError, match="not a Linli backup archive"):
        call_command("restore", str(bad), "--yes")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), "--yes")
