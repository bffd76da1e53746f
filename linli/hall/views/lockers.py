"""Pickup lockers: compartments, what waits in them, depositing a case."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.context import Actor

from .. import queries, services
from ..errors import HallError


def lockers(request: HttpRequest) -> HttpResponse:
    """Compartments, what waits in them (days left, reminders due), deposit a finished case.

    Reminders and expiry are the hourly schedule's (``tasks.expire_lockers``), not this page's."""
    queries.require_any(request.user, "hall.serve", "hall.backoffice", "hall.view")
    if request.method == "POST":
        case = queries.case_in_reach(request.user, request.POST.get("case", ""))
        locker = queries.active_locker(request.user, request.POST.get("locker"))
        if case is None or locker is None:
            messages.error(request, _("请填写正确的办件编号并选择柜号。"))
        else:
            try:
                pickup = services.do_deposit_pickup(Actor.from_request(request), case, locker)
                if case.phone_masked:
                    text = _("已存入 %(l)s，取件码 %(c)s，已短信通知居民（%(p)s）")
                else:
                    text = _("已存入 %(l)s，取件码 %(c)s（该办件未留手机号，请告知居民）")
                messages.success(
                    request, text % {"l": locker, "c": pickup.code, "p": case.phone_masked}
                )
            except (HallError, PermissionDenied) as exc:
                messages.error(request, getattr(exc, "message", _("无权操作。")))
        return redirect("hall:lockers")
    rows = queries.locker_rows(request.user, timezone.now())
    return render(
        request,
        "hall/lockers.html",
        {"rows": rows, "expired": queries.expired_pickups(request.user)},
    )
