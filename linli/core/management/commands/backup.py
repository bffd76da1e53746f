"""``linli backup [--output PATH]``: one dated archive with the database, media and anchors."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.core.backup import BackupError, create_archive


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump -Fc), the media files and the "
        "audit anchors into one dated archive (default var/backups/); anchors the audit chain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, help="archive file or folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path, manifest = create_archive(options.get("output"))
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        head = manifest["audit_head"]
        assert isinstance(head, dict)
        self.stdout.write(
            f"backup written: {path} ({path.stat().st_size} bytes; {manifest['database']} "
            f"database, {manifest['media_files']} media files, audit chain anchored at record "
            f"{head['seq']})"
        )
