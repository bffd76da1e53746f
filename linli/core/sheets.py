"""One Excel import/export machinery for every list staff keep in Excel.

An app declares a sheet once: its typed columns (``core.excel.Column``), the model it fills,
how each row is resolved against the database (``Sheet.resolve``: references looked up in
bulk, every problem collected as a ``RowError`` naming row and column) and how a record is
written back out (``export_columns`` or ``export_row``). The same declaration gives the
export, the empty template and the import, so an export can be edited and imported back.

``import_sheet`` is the one import: permission, stream and parse, resolve, the app's checks
per row, then every row written in one transaction or none, with one audit record. The jobs
that run imports and exports in the background are ``linli.jobs.sheets``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from . import audit, policy
from .bulk import write_rows
from .context import Actor
from .errors import ImportRejected, RowError
from .excel import Column, ParsedRow, read_sheet, write_workbook

Progress = Callable[[int, int], None]
Written = tuple[int, int, list[RowError]]


@dataclass
class Resolution:
    """What a sheet decided for each row: the instance to save, and the problems found.

    ``extra`` carries what a sheet's own writer or the app's checks need beyond the
    instances (a duty shift's members, a resident's number to protect).
    """

    instances: list[tuple[int, Model]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


class Sheet:
    """One list's Excel form. Subclasses set the attributes and ``resolve``."""

    name: str
    title: Any
    model: type[Model]
    columns: Sequence[Column]
    permission: str  # needed to import it
    # Model field → column label, for errors raised by validation or the app's checks.
    fields: dict[str, str] = {}
    # The export, column by column in sheet order: the field path read and how its value is
    # written (None: as read). Set, exports read these columns only, as tuples; unset, the
    # sheet writes each record with ``export_row``.
    export_columns: tuple[tuple[str, Callable[[Any], Any] | None], ...] = ()

    def resolve(
        self, rows: Sequence[ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        """Each row's instance (new or existing, by its natural key) and every problem.

        ``scope`` is the importer's committee (None: wider reach), ``street`` the street
        new top-level records belong to.
        """
        raise NotImplementedError

    def write(self, resolution: Resolution, progress: Callable[[int], None]) -> Written:
        """Save the resolved rows inside the import's transaction: (created, updated, errors)."""
        return write_rows(self.model, resolution.instances, progress=progress)

    def labels(self) -> list[str]:
        return [c.label for c in self.columns]

    def label_for(self, name: str) -> str:
        return self.fields.get(name, name or "-")

    def template(self) -> bytes:
        """The empty sheet to fill in: the header row only."""
        return write_workbook(str(self.title), self.labels(), [])

    def export_query(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        if not self.export_columns:
            return qs
        return qs.values_list(*(path for path, _convert in self.export_columns))

    def export_row(self, values: Any) -> list[Any]:
        return [
            convert(v) if convert is not None else v
            for (_path, convert), v in zip(self.export_columns, values, strict=True)
        ]


# --------------------------------------------------------------------------- resolver helpers


def duplicate_keys(res: Resolution, keyed: Iterable[tuple[int, Any]], label: str) -> None:
    """A natural key given twice in one file: the later row names the earlier one."""
    seen: dict[Any, int] = {}
    for number, key in keyed:
        if key in seen:
            res.errors.append(RowError(number, label, _("与第 %(r)d 行重复") % {"r": seen[key]}))
        else:
            seen[key] = number


def validate(
    res: Resolution, number: int, obj: Model, labels: dict[str, str], exclude: list[str]
) -> None:
    """The model's own field validation, each message under its column."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                res.errors.append(RowError(number, labels.get(name, name), message))


def choice_label(choices: Any) -> Callable[[Any], str]:
    """Write a stored choice as its label (what the import accepts back)."""

    def label(value: Any) -> str:
        return str(choices(value).label) if value else ""

    return label


def yes_no(value: Any) -> str:
    """A flag as the import reads it back (``excel.boolean``)."""
    return "是" if value else "否"


def out_of_scope(user: Any, number: int, committee_id: int | None) -> RowError | None:
    """The row's committee lies outside the importer's reach (another street)."""
    if policy.in_scope(user, committee_id):
        return None
    return RowError(number, _("居委代码"), _("无权导入其他街道的数据"))


# --------------------------------------------------------------------------- the import

RowCheck = Callable[[int, Model, Resolution], Iterable[RowError]]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def import_sheet(
    actor: Actor,
    sheet: Sheet,
    file: IO[bytes],
    filename: str = "",
    *,
    check: RowCheck | None = None,
    progress: Progress | None = None,
    record: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import one sheet: every row valid, or nothing written (``ImportRejected``).

    The importer needs the sheet's ``permission``; ``check(number, obj, resolution)`` yields
    the problems of one resolved row.

    Three steps, reported through ``progress(done, total)`` (total = twice the rows: one
    pass to read and check, one to write): stream and parse the file, resolve every row
    against the database and run ``check`` on each resolved row (the app's scope and domain
    rules), collecting every problem; then ``sheet.write`` in one transaction. A progress
    report that raises (the job was cancelled) rolls it all back; ``record(created,
    updated)`` runs in that transaction, so a job keeps its outcome with the rows.
    """
    policy.require(actor.user, sheet.permission)

    def reading(done: int, declared: int) -> None:
        if progress is not None:
            progress(done, 2 * declared)

    rows = read_sheet(file, sheet.columns, progress=reading)
    total = 2 * len(rows)
    if progress is not None:
        progress(len(rows), total)
    resolution = sheet.resolve(
        rows, policy.committee_scope(actor.user), street=policy.street_of(actor.user)
    )
    errors = list(resolution.errors)
    if check is not None:
        for number, obj in resolution.instances:
            errors.extend(check(number, obj, resolution))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, e.column)))

    def writing(written: int) -> None:
        if progress is not None:
            progress(len(rows) + written, total)

    meta = sheet.model._meta
    with transaction.atomic():
        created, updated, errors = sheet.write(resolution, writing)
        if errors:
            transaction.set_rollback(True)
        else:
            if record is not None:
                record(created, updated)
            audit.record(
                actor,
                f"{meta.app_label}.{meta.model_name}.import",
                object_type=meta.label_lower,
                object_repr=filename[:200] or sheet.name,
                details={"created": created, "updated": updated, "rows": len(rows)},
            )
    if errors:
        raise ImportRejected(errors)
    return ImportResult(created, updated)
