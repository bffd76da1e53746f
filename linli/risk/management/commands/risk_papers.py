"""Generate a round's white papers in the background: ``linli risk_papers <batch id>``."""

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Render every committee's risk white paper of a queued batch (with progress)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("batch", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        from linli.risk.paper import run_batch

        run_batch(options["batch"])
