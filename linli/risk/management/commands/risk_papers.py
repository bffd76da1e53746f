"""``linli risk papers --round ID|latest``: queue a round's white-paper batch as a job.

Prints ``{"job": ID}``; follow it with ``linli jobs show ID``. A worker (``linli worker``)
renders the papers.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from linli.core.context import Actor
from linli.core.errors import DomainError


class Command(BaseCommand):
    help = "Queue the white-paper batch of a round (a job id is printed as JSON)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--round", required=True, help="round id, or `latest`")

    def handle(self, *args: Any, **options: Any) -> None:
        from linli.risk import paper
        from linli.risk.models import Round

        which = options["round"]
        if which == "latest":
            rnd = Round.objects.order_by("-pk").first()
        elif which.isdigit() and len(which) < 12:
            rnd = Round.objects.filter(pk=int(which)).first()
        else:
            raise CommandError("--round: a round id or `latest`", returncode=2)
        if rnd is None:
            raise CommandError(f"--round: no round {which}", returncode=2)
        try:
            batch = paper.do_start_paper_batch(Actor.system("linli risk papers"), rnd)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(json.dumps({"job": batch.job_id}))
