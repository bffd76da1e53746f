"""Writing an imported file's rows in bulk, inside the caller's transaction.

An import validates every row first; this writes them in batches (``bulk_create`` for new
records, ``bulk_update`` for existing ones) and reports progress after each batch. A batch
the database refuses (a unique key taken meanwhile) is retried row by row in savepoints, so
the error still names the spreadsheet row; the caller then rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import RowError

BATCH_SIZE = 1000

Numbered = tuple[int, Model]


def _update_fields(model: type[Model]) -> tuple[list[str], list[str]]:
    """The fields ``bulk_update`` writes, and those to stamp (``auto_now``) before it does."""
    fields: list[str] = []
    stamped: list[str] = []
    for f in model._meta.concrete_fields:
        if f.primary_key or getattr(f, "auto_now_add", False):
            continue
        fields.append(f.name)
        if getattr(f, "auto_now", False):
            stamped.append(f.attname)
    return fields, stamped


def _one_by_one(batch: Sequence[Numbered], errors: list[RowError]) -> None:
    for number, obj in batch:
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            errors.append(RowError(number, "-", _("与已有数据冲突（重复）")))


def write_rows(
    model: type[Model],
    rows: Sequence[Numbered],
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int | None = None,
) -> tuple[int, int, list[RowError]]:
    """Create or update every row's instance; return (created, updated, conflicts).

    Must run inside the import's transaction: on conflicts the caller rolls back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("write_rows must run inside the import's transaction")
    batch_size = batch_size or BATCH_SIZE
    fields, stamped = _update_fields(model)
    creates = [(n, o) for n, o in rows if o.pk is None]
    updates = [(n, o) for n, o in rows if o.pk is not None]
    errors: list[RowError] = []
    written = 0
    now = timezone.now()
    manager: Any = model._default_manager
    for start in range(0, len(creates), batch_size):
        batch = creates[start : start + batch_size]
        try:
            with transaction.atomic():
                manager.bulk_create([o for _n, o in batch])
        except IntegrityError:
            _one_by_one(batch, errors)
        written += len(batch)
        if progress is not None:
            progress(written)
    for start in range(0, len(updates), batch_size):
        batch = updates[start : start + batch_size]
        for _n, o in batch:
            for name in stamped:
                setattr(o, name, now)
        try:
            with transaction.atomic():
                manager.bulk_update([o for _n, o in batch], fields)
        except IntegrityError:
            _one_by_one(batch, errors)
        written += len(batch)
        if progress is not None:
            progress(written)
    return len(creates), len(updates), errors
