from typing import Any

from django.core.management.base import BaseCommand

from linli.geo import demo


class Command(BaseCommand):
    help = "Build (or rebuild) the deterministic demo street with one account per role."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-residents", action="store_true", help="skip synthetic residents")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = demo.build(with_residents=not options["no_residents"])
        summary = ", ".join(f"{k} {v}" for k, v in counts.items())
        self.stdout.write(self.style.SUCCESS(f"demo street built: {summary}"))
        self.stdout.write(
            f"accounts: {', '.join(a.username for a in demo.ACCOUNTS)} "
            f"(password {demo.DEMO_PASSWORD})"
        )
