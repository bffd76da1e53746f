from typing import Any

from django.core.management.base import BaseCommand, CommandError

from linli.core import audit


class Command(BaseCommand):
    help = (
        "Verify the audit log's keyed hash chain against the anchors kept outside the "
        "database. Exit 0 intact, 1 tampered (names the first bad record), 3 restored from a "
        "backup (names the missing records)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit.verify()
        for note in report.notes:
            self.stderr.write(f"note: {note}")
        anchors = f"{report.anchors} anchor{'s' if report.anchors != 1 else ''}"
        if report.ok:
            self.stdout.write(
                f"audit chain intact: {report.checked} records verified against {anchors}"
            )
            return
        if report.verdict == audit.RESTORED:
            when = (
                f"{report.restored_to.at:%Y-%m-%d %H:%M:%S} ({report.restored_to.reason})"
                if report.restored_to
                else "the beginning"
            )
            self.stderr.write(
                f"audit chain RESTORED: {report.problem}. The {report.checked} records present "
                f"are intact; the chain matches the anchor of {when}. This is what a restore "
                "from a backup looks like; if no restore was made, treat it as tampering."
            )
            raise CommandError("audit records missing after a restore", returncode=3)
        self.stderr.write(
            f"audit chain TAMPERED: broken at record {report.broken_seq}: {report.problem} "
            f"({report.checked} records verified before it)"
        )
        raise CommandError("audit chain broken", returncode=1)
