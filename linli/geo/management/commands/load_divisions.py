"""``linli geo load-divisions [FILE.json] [--no-streets]``: cities, districts and streets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.core.context import Actor
from linli.geo import divisions


class Command(BaseCommand):
    help = "Load administrative divisions (city, district, street) from the shipped table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="a table in the shipped table's shape")
        parser.add_argument("--no-streets", action="store_true", help="cities and districts only")

    def handle(self, *args: Any, **options: Any) -> None:
        data = None
        if options["file"]:
            try:
                data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"{options['file']}: {exc}") from exc
        try:
            created = divisions.load(
                Actor.system("linli geo load-divisions"), data, streets=not options["no_streets"]
            )
        except divisions.DivisionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"created": created}, ensure_ascii=False))
