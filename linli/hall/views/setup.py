"""Hall set-up: halls, queues, lockers, windows and business hours (hall.manage)."""

from __future__ import annotations

from datetime import time as time_cls
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.context import Actor

from .. import queries, services
from ..errors import HallError
from ..forms import HallForm, LockerForm, QueueForm
from .common import or_404

SETUP_FORMS: dict[str, Any] = {
    "hall": (HallForm, queries.hall_by_pk, services.do_save_hall),
    "queue": (QueueForm, queries.queue_by_pk, services.do_save_queue),
    "locker": (LockerForm, queries.locker_by_pk, services.do_save_locker),
}


def _save_setup_form(request: HttpRequest, actor: Actor, form: str) -> bool:
    """Create (no ``pk``) or edit a hall, queue or locker; errors go back as messages."""
    form_cls, find, save = SETUP_FORMS[form]
    pk = request.POST.get("pk")
    instance = or_404(find(pk)) if pk else None
    bound = form_cls(request.POST, instance=instance)
    if not bound.is_valid():
        for field, errors in bound.errors.items():
            label = bound.fields[field].label if field in bound.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return False
    if form == "queue":
        save(actor, bound.save(commit=False), bound.cleaned_data.get("items") or [])
    else:
        save(actor, bound.save(commit=False))
    return True


@policy.permission_required("hall.manage")
def setup(request: HttpRequest) -> HttpResponse:
    """Windows (skills, open, clerk on duty), business hours, holidays and 调休 days."""
    actor = Actor.from_request(request)
    if request.method == "POST":
        form = request.POST.get("form")
        try:
            if form == "window":
                window = or_404(queries.window_by_pk(request.POST.get("window")))
                services.do_configure_window(
                    actor, window, [int(q) for q in request.POST.getlist("queues")],
                    bool(request.POST.get("active")),
                    bool(request.POST.get("off_duty")),
                )  # fmt: skip
            elif form == "hours":
                hall = or_404(queries.hall_by_pk(request.POST.get("hall")))
                services.do_set_hall_hours(
                    actor, hall, time_cls.fromisoformat(request.POST.get("opens", "")),
                    time_cls.fromisoformat(request.POST.get("closes", "")),
                )  # fmt: skip
            elif form in SETUP_FORMS and not _save_setup_form(request, actor, form):
                return redirect("hall:setup")
            messages.success(request, _("已保存"))
        except ValueError:
            messages.error(request, _("请检查日期和时间的格式。"))
        except HallError as exc:
            messages.error(request, exc.message)
        return redirect("hall:setup")
    return render(
        request,
        "hall/setup.html",
        {
            "windows": queries.windows(),
            "queues": queries.front_queues(),
            **queries.setup_lists(),
            "can_calendar": policy.can(request.user, "calendar.manage"),
        },
    )
