"""Re-encrypt every stored personal-data token under the current data key, in batches."""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Q

from linli.core import audit, crypto
from linli.core.context import Actor


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data written under older data keys with the current one "
        "(LINLI_DATA_KEYS / LINLI_DATA_KEY_ID); prints progress; safe to rerun."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(1, int(options["batch"]))
        current, _keys = crypto.data_keys()
        prefix = f"{crypto.encrypt('', 'probe').split(':', 2)[0]}:{current}:"
        totals: dict[str, int] = {}
        for label, field, purpose, where in settings.LINLI_ENCRYPTED_FIELDS:
            model = apps.get_model(label)
            stale = model.objects.filter(**where).exclude(
                Q(**{field: ""}) | Q(**{f"{field}__startswith": prefix})
            )
            total = stale.count()
            done = 0
            last_pk = None
            name = f"{label}.{field}" + "".join(f"[{v}]" for v in where.values())
            self.stdout.write(f"{name}: {total} to re-encrypt under key {current}")
            while True:
                page = stale.order_by("pk")
                if last_pk is not None:
                    page = page.filter(pk__gt=last_pk)
                with transaction.atomic():
                    rows = list(page.select_for_update()[:batch])
                    if not rows:
                        break
                    for row in rows:
                        setattr(row, field, crypto.rekey(getattr(row, field), purpose))
                    model.objects.bulk_update(rows, [field])
                last_pk = rows[-1].pk
                done += len(rows)
                self.stdout.write(f"{name}: {done}/{total}")
            totals[name] = done
        with transaction.atomic():
            audit.record(
                Actor.system("rekey"), "core.data_key.rekey", details={"key": current, **totals}
            )
        self.stdout.write(f"done: {sum(totals.values())} values now under key {current}")
