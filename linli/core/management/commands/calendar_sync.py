"""``linli calendar sync``: load the installed ``chinesecalendar`` package into the calendar."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from linli.core import workcalendar
from linli.core.context import Actor


class Command(BaseCommand):
    help = (
        "Load the State Council's holidays and 调休 working days from the installed "
        "chinesecalendar package into the street's working-day calendar (the street's own "
        "entries are kept). Prints what changed as JSON; warns when the coming year is missing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = workcalendar.sync_from_package(Actor.system("calendar sync"))
        missing = workcalendar.coming_year_missing()
        out = {
            "added": result.added,
            "changed": result.changed,
            "removed": result.removed,
            "street_entries_kept": result.kept_street,
            "package_years": [min(result.years), max(result.years)] if result.years else [],
            "coming_year_missing": missing,
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False))
        if missing:
            self.stderr.write(
                f"warning: {missing} is in neither the package nor the street's entries; "
                "upgrade chinesecalendar or enter the State Council's notice on /calendar/"
            )
