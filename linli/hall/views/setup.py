"""Hall set-up: halls, queues, lockers, windows and business hours (hall.manage).

The page is read-only; each of its forms posts to its own view, which calls one service, says
"已保存" or what is wrong, and goes back to the page."""

from __future__ import annotations

from datetime import time as time_cls
from typing import Any

from django.contrib import messages
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.context import Actor
from linli.core.ids import plain_int

from .. import queries, services
from ..errors import HallError
from ..forms import HallForm, LockerForm, QueueForm
from .common import or_404


@policy.permission_required("hall.manage")
def setup(request: HttpRequest) -> HttpResponse:
    """Windows (skills, open, clerk on duty), business hours, holidays and 调休 days."""
    return render(
        request,
        "hall/setup.html",
        {
            "windows": queries.windows(request.user),
            "queues": queries.front_queues(request.user),
            **queries.setup_lists(request.user),
            "can_calendar": policy.can(request.user, "calendar.manage"),
        },
    )


def _bound(request: HttpRequest, form_cls: type[ModelForm[Any]], find: Any) -> Any:
    """The form bound to the POST: a new row without ``pk``, else the row it names (or 404).
    Returns ``None`` after flashing ``label：error`` for each problem."""
    pk = request.POST.get("pk")
    instance = or_404(find(request.user, pk)) if pk else None
    bound: Any = form_cls(request.POST, instance=instance)
    # The halls and items a form may name are those of the user's streets.
    if "hall" in bound.fields:
        bound.fields["hall"].queryset = queries.halls(request.user)
    if "items" in bound.fields:
        bound.fields["items"].queryset = queries.setup_lists(request.user)["items"]
    if bound.is_valid():
        return bound
    for field, errors in bound.errors.items():
        label = bound.fields[field].label if field in bound.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)
    return None


def _saved(request: HttpRequest) -> HttpResponse:
    messages.success(request, _("已保存"))
    return redirect("hall:setup")


def _refused(request: HttpRequest, exc: HallError) -> HttpResponse:
    messages.error(request, exc.message)
    return redirect("hall:setup")


@policy.permission_required("hall.manage")
@require_POST
def setup_hall(request: HttpRequest) -> HttpResponse:
    """Create a hall (no ``pk``) or edit one: code, name, business hours."""
    bound = _bound(request, HallForm, queries.hall_by_pk)
    if bound is None:
        return redirect("hall:setup")
    try:
        services.do_save_hall(Actor.from_request(request), bound.save(commit=False))
    except HallError as exc:
        return _refused(request, exc)
    return _saved(request)


@policy.permission_required("hall.manage")
@require_POST
def setup_queue(request: HttpRequest) -> HttpResponse:
    """Create or edit a queue, moving the chosen catalogue items into it."""
    bound = _bound(request, QueueForm, queries.queue_by_pk)
    if bound is None:
        return redirect("hall:setup")
    try:
        services.do_save_queue(
            Actor.from_request(request), bound.save(commit=False),
            bound.cleaned_data.get("items") or [],
        )  # fmt: skip
    except HallError as exc:
        return _refused(request, exc)
    return _saved(request)


@policy.permission_required("hall.manage")
@require_POST
def setup_locker(request: HttpRequest) -> HttpResponse:
    """Create or edit a pick-up locker."""
    bound = _bound(request, LockerForm, queries.locker_by_pk)
    if bound is None:
        return redirect("hall:setup")
    try:
        services.do_save_locker(Actor.from_request(request), bound.save(commit=False))
    except HallError as exc:
        return _refused(request, exc)
    return _saved(request)


@policy.permission_required("hall.manage")
@require_POST
def setup_window(request: HttpRequest) -> HttpResponse:
    """A window's skills (queues of its own hall), open or closed, and signing its clerk off."""
    window = or_404(queries.window_by_pk(request.user, request.POST.get("window")))
    posted = request.POST.getlist("queues")
    queues = [n for n in map(plain_int, posted) if n is not None]
    if len(queues) != len(posted):
        messages.error(request, _("受理队列：请从列表中勾选。"))
        return redirect("hall:setup")
    try:
        services.do_configure_window(
            Actor.from_request(request), window, queues,
            bool(request.POST.get("active")), bool(request.POST.get("off_duty")),
        )  # fmt: skip
    except HallError as exc:
        return _refused(request, exc)
    return _saved(request)


@policy.permission_required("hall.manage")
@require_POST
def setup_hours(request: HttpRequest) -> HttpResponse:
    """A hall's opening and closing time."""
    hall = or_404(queries.hall_by_pk(request.user, request.POST.get("hall")))
    try:
        opens = time_cls.fromisoformat(request.POST.get("opens", ""))
        closes = time_cls.fromisoformat(request.POST.get("closes", ""))
    except ValueError:
        messages.error(request, _("请检查日期和时间的格式。"))
        return redirect("hall:setup")
    try:
        services.do_set_hall_hours(Actor.from_request(request), hall, opens, closes)
    except HallError as exc:
        return _refused(request, exc)
    return _saved(request)
