"""The pages' side of Excel exports and imports, shared by every app's list views.

An app's view checks the list exists and the user's permission, then hands over: the export
button (``export_response``: at once, or a job above ``export_sync_rows``), the import page
(``import_page``: upload, then follow the job), the kept problems as a sheet
(``errors_response``) and the empty template (``template_response``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from linli.core.context import Actor
from linli.core.excel import error_workbook, max_import_rows, write_xlsx
from linli.core.forms import ImportForm
from linli.core.ids import plain_int
from linli.core.sheets import Sheet

from . import services as jobs
from . import sheets
from .models import Job

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    """A workbook as a download named ``name``.xlsx."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def export_response(
    request: HttpRequest, build: sheets.ExportBuilder, key: str, *, kind: str, task: str
) -> HttpResponse:
    """A small list downloads at once; a large one is written by a job (``jobs.sheets``)."""
    try:
        export = build(request.user, key, request.GET)
    except KeyError:
        raise Http404 from None
    total = export.qs.count()
    if total > sheets.export_sync_rows():
        sheets.do_start_export(
            Actor.from_request(request),
            export,
            kind=kind,
            task=task,
            key=key,
            query=request.GET.urlencode(),
            total=total,
        )
        messages.info(request, _("已在后台生成导出文件，完成后在“后台任务”中下载"))
        return redirect("jobs:list")
    buffer = io.BytesIO()
    write_xlsx(buffer, export.title, export.labels, export.rows())
    return xlsx_response(buffer.getvalue(), export.name)


def import_job(request: HttpRequest, kind: str, key: str) -> Job | None:
    """The import job the page follows (``?job=``), if the user may see it; else 404."""
    job_id = plain_int(request.GET.get("job"))
    if job_id is None:
        return None
    visible = jobs.visible_jobs(request.user).filter(kind=kind, params__list=key)
    return get_object_or_404(visible, pk=job_id)


def import_page(
    request: HttpRequest,
    *,
    sheet: Sheet,
    kind: str,
    key: str,
    start: Callable[[Actor, Any], Job],
    url: str,
    template: str,
    context: Mapping[str, Any],
) -> HttpResponse:
    """Upload a sheet: it is saved and imported by a job (``start``); the page at ``url``
    follows that job, with its progress, outcome and problems."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = start(Actor.from_request(request), form.cleaned_data["file"])
        return redirect(f"{url}?job={started.pk}")
    job = import_job(request, kind, key)
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "job": job,
            "outcome": sheets.outcome(job) if job is not None else None,
            "shown": sheets.SHOWN_ERRORS,
            "max_rows": f"{max_import_rows():,}",
            "columns": sheet.columns,
        },
    )


def errors_response(request: HttpRequest, kind: str, key: str, name: str) -> HttpResponse:
    """Every kept problem of a rejected import, as a sheet to keep beside the file."""
    job = import_job(request, kind, key)
    if job is None:
        raise Http404
    return xlsx_response(error_workbook(sheets.outcome(job).errors), name)


def template_response(sheet: Sheet, name: str) -> HttpResponse:
    """The empty sheet (its header row) to fill in and import."""
    return xlsx_response(sheet.template(), name)
