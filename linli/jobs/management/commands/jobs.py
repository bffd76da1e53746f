"""``linli jobs list`` and ``linli jobs show ID``: background jobs as JSON (docs/cli.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from linli.jobs.models import Job


class Command(BaseCommand):
    help = "Background jobs as JSON: `list` (newest first) or `show ID`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="every job, newest first")
        listing.add_argument("--limit", type=int, default=100)
        show = sub.add_parser("show", help="one job")
        show.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show":
            job = Job.objects.filter(pk=options["id"]).first()
            if job is None:
                raise CommandError(f"no job {options['id']}", returncode=2)
            self.stdout.write(json.dumps(job.as_json(), ensure_ascii=False))
            return
        limit = max(1, min(options["limit"], 10_000))
        jobs = [j.as_json() for j in Job.objects.order_by("-created_at", "-pk")[:limit]]
        self.stdout.write(json.dumps(jobs, ensure_ascii=False))
