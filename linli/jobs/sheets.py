"""Excel exports and imports as background jobs, for every app's lists (``core.sheets``).

An export small enough to write within a request (``export_sync_rows``, decided by a count)
is answered at once; a larger one becomes a job whose task rebuilds the list under the
requester's own scope (the user is loaded from the job's ``requested_by``, never trusted from
its parameters) and streams it into a temporary file attached as the job's result. Both go
through ``core.excel.write_xlsx``.

An import saves the upload to storage and queues a job; the task streams, validates and
writes it (all or nothing), reporting progress. Rejected files keep their row errors (the
first ``KEPT_ERRORS``) in the job's parameters for the import page; the job's error is a
one-line summary.

The pages' side (the export button, the import page, the error sheet, the template) is
``linli.jobs.sheetviews``.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.context import Actor
from linli.core.errors import ImportRejected, RowError
from linli.core.excel import write_xlsx

from . import services as jobs
from .errors import JobError
from .models import Job

KEPT_ERRORS = 1000
SHOWN_ERRORS = 200

ImportProgress = Callable[[int, int], None]


class Importer(Protocol):
    """What an app's import service looks like to the import job."""

    def __call__(
        self,
        actor: Actor,
        file: IO[bytes],
        filename: str,
        *,
        progress: ImportProgress,
        record: Callable[[int, int], None],
    ) -> Any: ...


@dataclass(frozen=True)
class Export:
    """One list's export as a user may see it: what to write and where it comes from.

    ``qs`` yields what ``row`` turns into a sheet row (records, or tuples of the columns the
    sheet writes); ``qs.count()`` decides between the request and a job.
    """

    title: str
    labels: list[str]
    qs: QuerySet[Any]
    row: Callable[[Any], list[Any]]
    name: str

    def rows(self) -> Iterator[list[Any]]:
        return (self.row(o) for o in self.qs.iterator(chunk_size=2000))


# An app's exports: (user, list key, query) → Export; PermissionDenied, or KeyError for no list.
ExportBuilder = Callable[[Any, str, Mapping[str, Any]], Export]


def export_sync_rows() -> int:
    """Exports up to this many rows are written within the request; larger ones are jobs."""
    return int(getattr(settings, "LINLI_EXPORT_SYNC_ROWS", 5000))


def requester(job: Job) -> Actor:
    """The person who asked, loaded afresh: the task applies their current role and scope."""
    user = job.requested_by
    if user is None or not user.is_active:
        raise JobError(_("发起人账号已停用，任务未执行"), code="job_requester_inactive")
    return Actor(user, f"job:{job.pk}")


def do_start_export(
    actor: Actor, export: Export, *, kind: str, task: str, key: str, query: str, total: int
) -> Job:
    """Queue the export of a list too large to write within the request."""
    return jobs.do_submit_job(
        actor,
        kind,
        task,
        title=_("导出%(list)s（约 %(n)d 条）") % {"list": export.title, "n": total},
        params={"list": key, "query": query},
        total=total,
    )


def do_run_export(job: Job, build: ExportBuilder) -> None:
    """The export job's body: the list under the requester's current scope, streamed."""
    actor = requester(job)
    try:
        export = build(
            actor.user, str(job.params["list"]), QueryDict(str(job.params.get("query", "")))
        )
    except PermissionDenied:
        raise JobError(_("发起人已无权导出这份名单"), code="export_forbidden") from None
    do_write_export(job, export.title, export.labels, export.rows(), f"{export.name}.xlsx")


def do_write_export(
    job: Job, title: str, labels: list[str], rows: Iterator[list[Any]], filename: str
) -> None:
    """Stream ``rows`` into a temporary .xlsx, reporting progress, and attach it to the job."""

    def report(n: int) -> None:
        jobs.do_report_progress(job, n, max(job.total, n))

    try:
        with tempfile.TemporaryFile(suffix=".xlsx") as spool:
            write_xlsx(spool, title, labels, rows, progress=report)
            spool.seek(0)
            jobs.do_attach_result(job, filename, spool)
    except PermissionDenied:
        raise JobError(_("发起人已无权导出这份名单"), code="export_forbidden") from None


def do_start_import(
    actor: Actor,
    *,
    kind: str,
    task: str,
    title: str,
    upload: Any,
    params: dict[str, Any],
) -> Job:
    """Save the uploaded file to storage and queue the job that imports it."""
    stamp = timezone.localdate()
    path = default_storage.save(f"imports/{stamp:%Y/%m}/{uuid.uuid4().hex}.xlsx", upload)
    return jobs.do_submit_job(
        actor,
        kind,
        task,
        title=title,
        params={**params, "upload": path, "filename": str(upload.name)[:200]},
    )


def _keep(job: Job, **values: Any) -> None:
    job.params = {**job.params, **values}
    Job.objects.filter(pk=job.pk).update(params=job.params)


def do_run_import(job: Job, importer: Importer) -> None:
    """The import job's body: read the stored upload, import it, keep its outcome."""
    if "created" in job.params:  # committed by an earlier delivery that died before finishing
        return
    actor = requester(job)
    path = str(job.params["upload"])
    filename = str(job.params.get("filename", ""))

    def record(created: int, updated: int) -> None:
        # Written in the import's own transaction: the outcome commits with the rows.
        _keep(job, created=created, updated=updated)

    try:
        with default_storage.open(path, "rb") as handle:
            importer(
                actor,
                handle,
                filename,
                progress=lambda done, total: jobs.do_report_progress(job, done, total),
                record=record,
            )
    except FileNotFoundError:
        raise JobError(_("上传的文件已不存在，请重新上传"), code="upload_missing") from None
    except PermissionDenied:
        raise JobError(_("发起人已无权导入这份名单"), code="import_forbidden") from None
    except ImportRejected as exc:
        errors = sorted(exc.errors, key=lambda e: (e.row, e.column))
        _keep(
            job,
            n_errors=len(errors),
            row_errors=[[e.row, e.column, e.message] for e in errors[:KEPT_ERRORS]],
        )
        default_storage.delete(path)
        first = str(errors[0]) if errors else ""
        raise JobError(
            _("文件未导入：发现 %(n)d 个问题，例如 %(first)s") % {"n": len(errors), "first": first},
            code="import_rejected",
        ) from None
    default_storage.delete(path)


@dataclass(frozen=True)
class ImportOutcome:
    job: Job
    errors: list[RowError]
    n_errors: int
    created: int | None
    updated: int | None


def outcome(job: Job) -> ImportOutcome:
    """What the import page shows of an import job."""
    kept = job.params.get("row_errors") or []
    return ImportOutcome(
        job,
        [RowError(int(r), str(c), str(m)) for r, c, m in kept],
        int(job.params.get("n_errors", 0)),
        job.params.get("created"),
        job.params.get("updated"),
    )
