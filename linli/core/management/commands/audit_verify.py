from typing import Any

from django.core.management.base import BaseCommand, CommandError

from linli.core import audit


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; report the first broken link (exit 1)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit.verify()
        if report.ok:
            self.stdout.write(f"audit chain intact: {report.checked} records verified")
            return
        self.stderr.write(
            f"audit chain broken at record {report.broken_seq}: {report.problem} "
            f"({report.checked} records verified before it)"
        )
        raise CommandError("audit chain broken", returncode=1)
