"""``linli restore ARCHIVE --yes``: put back the database and media files of a backup."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.core import audit
from linli.core.backup import BackupError, database_has_data, restore_archive


class Command(BaseCommand):
    help = (
        "Restore the database and media files from a `linli backup` archive. Refuses to "
        "overwrite an existing database without --yes. Stop the servers and workers first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="overwrite the current data")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist", returncode=2)
        if database_has_data() and not options["yes"]:
            raise CommandError(
                "this would replace the current database and media files with the archive's; "
                "stop the servers and workers, then rerun with --yes",
                returncode=2,
            )
        try:
            restored = restore_archive(archive)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        head = restored.manifest["audit_head"]
        assert isinstance(head, dict)
        self.stdout.write(
            f"restored {archive} (made {restored.manifest['created']}): database with the "
            f"audit chain up to record {head['seq']}, {restored.media_files} media files"
        )
        report = audit.verify()
        if report.ok:
            self.stdout.write(f"audit chain intact: {report.checked} records")
        elif report.verdict == audit.RESTORED:
            self.stdout.write(f"audit: {report.problem} (linli audit verify exits 3)")
        else:
            self.stdout.write(f"audit: TAMPERED at record {report.broken_seq}: {report.problem}")
