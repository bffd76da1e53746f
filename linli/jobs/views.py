"""The jobs page: each user's long work with progress, errors in words, retry, cancel and the
result to download; a small JSON view lets the page update the bars without reloading."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.ids import plain_int
from linli.core.policy import permission_required

from . import schedules, services
from .forms import ScheduleForm
from .models import Job

PAGE_SIZE = 25


def _state(job: Job) -> dict[str, Any]:
    return {
        **job.as_json(),
        "state_label": str(job.get_state_display()),
        "percent": job.percent,
        "has_result": bool(job.result) and job.state == Job.State.DONE,
    }


def job_list(request: HttpRequest) -> HttpResponse:
    qs = services.visible_jobs(request.user)
    see_all = policy.can(request.user, "jobs.view_all")
    mine_only = not see_all or request.GET.get("who") != "all"
    if mine_only:
        qs = qs.filter(requested_by_id=request.user.pk)
    state = request.GET.get("state", "")
    if state in Job.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "jobs/list.html",
        {
            "page": page,
            "jobs": page.object_list,
            "see_all": see_all,
            "perms_schedule": policy.can(request.user, "jobs.schedule"),
            "mine_only": mine_only,
            "state": state,
            "states": Job.State.choices,
            "active_ids": [j.pk for j in page.object_list if j.active],
            "query": urlencode(
                {k: v for k, v in (("who", request.GET.get("who", "")), ("state", state)) if v}
            ),
        },
    )


def job_status(request: HttpRequest) -> JsonResponse:
    """The current state of the listed jobs (``?id=1&id=2``), for the page's live bars."""
    ids = [n for n in map(plain_int, request.GET.getlist("id")[:PAGE_SIZE]) if n is not None]
    jobs = services.visible_jobs(request.user).filter(pk__in=ids)
    return JsonResponse({"jobs": [_state(j) for j in jobs]})


@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(services.visible_jobs(request.user), pk=pk)
    try:
        services.do_cancel_job(Actor.from_request(request), job)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消任务“%(title)s”。") % {"title": job.title})
    return redirect("jobs:list")


@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(services.visible_jobs(request.user), pk=pk)
    try:
        services.do_retry_job(Actor.from_request(request), job)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已重新排队“%(title)s”，将从中断处继续。") % {"title": job.title}
        )
    return redirect("jobs:list")


def job_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    job = get_object_or_404(services.visible_jobs(request.user), pk=pk)
    try:
        handle = services.do_open_result(Actor.from_request(request), job)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("jobs:list")
    return FileResponse(handle, as_attachment=True, filename=job.result_name)


# --------------------------------------------------------------------------- schedules


@permission_required("jobs.schedule")
def schedule_list(request: HttpRequest) -> HttpResponse:
    tasks = list(schedules.listing())
    rows = [{"task": t, "label": schedules.label(t), "when": schedules.describe(t)} for t in tasks]
    return render(request, "jobs/schedules.html", {"rows": rows})


@permission_required("jobs.schedule")
@require_POST
def schedule_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a scheduled task at once (the "run once now" button)."""
    task = get_object_or_404(schedules.listing(), pk=pk)
    schedules.do_run_schedule_now(Actor.from_request(request), task)
    messages.success(
        request, _("已发送“%(name)s”，由后台工作进程执行。") % {"name": schedules.label(task)}
    )
    return redirect("jobs:schedules")


@permission_required("jobs.schedule")
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A schedule's timing and switch (its form posts here; running it now has its own view)."""
    task = get_object_or_404(schedules.listing(), pk=pk)
    actor = Actor.from_request(request)
    form = ScheduleForm(request.POST or None, initial=schedules.as_form_initial(task))
    for name in ("minute", "hour", "day_of_week") if task.interval_id else ("every_seconds",):
        del form.fields[name]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        change = schedules.Change(
            enabled=d["enabled"],
            minute=(d.get("minute") or "").strip(),
            hour=(d.get("hour") or "").strip(),
            day_of_week=(d.get("day_of_week") or "").strip(),
            every_seconds=d.get("every_seconds"),
        )
        try:
            schedules.do_update_schedule(actor, task, change)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("已保存“%(name)s”的计划。") % {"name": schedules.label(task)}
            )
            return redirect("jobs:schedules")
    return render(
        request,
        "jobs/schedule_edit.html",
        {
            "task": task,
            "label": schedules.label(task),
            "form": form,
            "when": schedules.describe(task),
        },
    )
