"""Move every stored personal-data value to the current data key and cipher suite, in batches:
re-encrypt tokens, then compute again the keyed hashes kept beside an encrypted copy."""

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
        "Re-encrypt personal data written under older data keys or the other cipher suite with "
        "the current ones (LINLI_DATA_KEYS / LINLI_DATA_KEY_ID / LINLI_CRYPTO_SUITE) and compute "
        "again the keyed hashes that have an encrypted copy; prints progress; safe to rerun."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(1, int(options["batch"]))
        current, _keys = crypto.data_keys()
        prefix = crypto.current_prefix()
        suite = crypto.suite()
        totals: dict[str, int] = {}
        for label, field, purpose, where in settings.LINLI_ENCRYPTED_FIELDS:
            model = apps.get_model(label)
            stale = model.objects.filter(**where).exclude(
                Q(**{field: ""}) | Q(**{f"{field}__startswith": prefix})
            )
            name = f"{label}.{field}" + "".join(f"[{v}]" for v in where.values())
            total = stale.count()
            self.stdout.write(f"{name}: {total} to re-encrypt as {prefix[:-1]}")

            def reencrypt(row: Any, field: str = field, purpose: str = purpose) -> bool:
                setattr(row, field, crypto.rekey(getattr(row, field), purpose))
                return True

            totals[name] = self._in_batches(model, stale, [field], reencrypt, batch, name, total)
        for label, hash_field, cipher_field, purpose in settings.LINLI_HASHED_FIELDS:
            model = apps.get_model(label)
            rows = model.objects.exclude(**{cipher_field: ""})
            name = f"{label}.{hash_field}"
            total = rows.count()
            self.stdout.write(f"{name}: checking {total} hashes under suite {suite}")

            def rehash(
                row: Any, hash_field: str = hash_field, cipher_field: str = cipher_field,
                purpose: str = purpose,
            ) -> bool:  # fmt: skip
                value = crypto.decrypt(getattr(row, cipher_field), purpose)
                fresh = crypto.keyed_hash(value, purpose)
                if getattr(row, hash_field) == fresh:
                    return False
                setattr(row, hash_field, fresh)
                return True

            totals[name] = self._in_batches(model, rows, [hash_field], rehash, batch, name, total)
        with transaction.atomic():
            audit.record(
                Actor.system("rekey"), "core.data_key.rekey",
                details={"key": current, "suite": suite, **totals},
            )  # fmt: skip
        self.stdout.write(
            f"done: {sum(totals.values())} values now under key {current}, suite {suite}"
        )

    def _in_batches(
        self,
        model: Any,
        rows: Any,
        fields: list[str],
        change: Any,
        batch: int,
        name: str,
        total: int,
    ) -> int:
        """Apply ``change`` to every row, one locked batch per transaction; the count changed."""
        done = changed = 0
        last_pk = None
        while True:
            page = rows.order_by("pk")
            if last_pk is not None:
                page = page.filter(pk__gt=last_pk)
            with transaction.atomic():
                found = list(page.select_for_update()[:batch])
                if not found:
                    break
                dirty = [row for row in found if change(row)]
                if dirty:
                    model.objects.bulk_update(dirty, fields)
            last_pk = found[-1].pk
            done += len(found)
            changed += len(dirty)
            self.stdout.write(f"{name}: {done}/{total}")
        return changed
