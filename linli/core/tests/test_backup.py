"""The embedded default's nightly backup and the audit chain's anchor outside the database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from linli.core import audit
from linli.core.context import Actor
from linli.core.tasks import anchor_audit, backup


@pytest.fixture
def var(tmp_path: Path, settings: Any) -> Path:
    settings.LINLI_BACKUP_DIR = tmp_path / "backups"
    settings.LINLI_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"
    return tmp_path


@pytest.mark.django_db
def test_the_daily_anchor_appends_the_chain_head(var: Path) -> None:
    audit.record(Actor.system("test"), "test.one")
    first = anchor_audit.apply().get()
    rec = audit.record(Actor.system("test"), "test.two")
    second = anchor_audit.apply().get()
    lines = [json.loads(line) for line in (var / "audit-anchors.log").read_text().splitlines()]
    assert [e["seq"] for e in lines] == [first["seq"], second["seq"]]
    assert second["seq"] == first["seq"] + 1 and second["digest"] == rec.digest


SQLITE = "sqlite" in settings.DATABASES["default"]["ENGINE"]


@pytest.mark.skipif(SQLITE, reason="PostgreSQL is backed up by pg_dump (docs/deploy.md)")
@pytest.mark.django_db
def test_the_nightly_backup_leaves_postgresql_to_pg_dump(var: Path) -> None:
    assert backup.apply().get() == "skipped: not SQLite"
    assert not (var / "backups").exists()


@pytest.mark.skipif(not SQLITE, reason="the embedded default's backup")
@pytest.mark.django_db(transaction=True)
def test_the_nightly_backup_is_a_readable_copy(var: Path) -> None:
    audit.record(Actor.system("test"), "test.backup")
    path = Path(backup.apply().get())
    assert path.parent == var / "backups"
    copy = sqlite3.connect(path)
    try:
        (n,) = copy.execute(
            "select count(*) from core_auditrecord where action = 'test.backup'"
        ).fetchone()
    finally:
        copy.close()
    assert n == 1
    assert (var / "audit-anchors.log").read_text().count('"reason": "backup"') == 1
