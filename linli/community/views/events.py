"""Staff pages of activities: the roster and counter sign-up, check-in, new events and series,
releasing held seats."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from linli.core import policy
from linli.core.errors import DomainError

from .. import forms as f
from .. import queries, rules, services
from ..models import Event
from ._common import PAGE_SIZE, _actor, _fail, _render

# --- staff: events, counter, check-in ----------------------------------------------------------


def _event_in_scope(request: HttpRequest, pk: int) -> Event:
    policy.require(request.user, "community.view")
    event = get_object_or_404(queries.events_with_counts(), pk=pk)
    if not queries.event_in_reach(request.user, event):
        raise PermissionDenied
    return event


def _roster_page(request: HttpRequest, event: Event, form: f.SignupForm) -> HttpResponse:
    return _render(
        request,
        "community/roster.html",
        {
            "event": event,
            "signups": list(queries.roster(event)),
            "form": form,
            "can_serve": policy.can(request.user, "community.serve"),
            "rate": rules.attendance_rate(event.n_confirmed, event.n_attended),  # type: ignore[attr-defined]
        },
    )


@require_safe
def event_roster(request: HttpRequest, pk: int) -> HttpResponse:
    """Who signed up and came; the counter sign-up and the early release post to their own
    views."""
    return _roster_page(request, _event_in_scope(request, pk), f.SignupForm())


@require_POST
def roster_signup(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff sign a resident up at the counter or on the phone (a held seat first)."""
    policy.require(request.user, "community.serve")
    event = _event_in_scope(request, pk)
    form = f.SignupForm(request.POST)
    if form.is_valid():
        try:
            result = services.do_sign_up(
                _actor(request),
                event.pk,
                form.cleaned_data["name"],
                form.cleaned_data["phone"],
                channel=rules.STAFF,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            text = (
                _("已为 %(name)s 报名，名额：%(seat)s。")
                if result.result == rules.CONFIRMED
                else _("名额已满，%(name)s 已进入候补。")
            )
            messages.success(
                request,
                text % {"name": result.signup.name, "seat": result.signup.get_seat_display()},
            )
            return redirect("community:roster", event.pk)
    return _roster_page(request, event, form)


@require_POST
def roster_release(request: HttpRequest, pk: int) -> HttpResponse:
    """Release the seats held for residents offline before their time."""
    policy.require(request.user, "community.serve")
    event = _event_in_scope(request, pk)
    try:
        promoted = services.do_release_held_seats(_actor(request), event.pk, early=True)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("保留名额已释放，候补转正 %(n)d 人。") % {"n": len(promoted)})
    return redirect("community:roster", event.pk)


def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The URL in the ticket's QR code: staff open it with the phone camera and confirm."""
    policy.require(request.user, "community.serve")
    signup = get_object_or_404(queries.signups_with_event(), token=token)
    if not queries.event_in_reach(request.user, signup.event):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.do_check_in(_actor(request), token)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("%(name)s 签到成功。") % {"name": signup.name})
        return redirect("community:checkin", token)
    return _render(request, "community/checkin.html", {"s": signup, "event": signup.event})


def checkin_door(request: HttpRequest, pk: int) -> HttpResponse:
    """The door page: scan tickets with the camera, or type the code under the QR."""
    policy.require(request.user, "community.serve")
    event = _event_in_scope(request, pk)
    code = request.GET.get("code", "").strip()
    if code and len(code) < 6:
        messages.error(request, _("签到码为 6 位。"))
    elif code:
        tokens = queries.checkin_tokens(event, code)
        if len(tokens) == 1:
            return redirect("community:checkin", tokens[0])
        messages.error(request, _("没有找到这个签到码。"))
    return _render(request, "community/door.html", {"event": event})


def event_new(request: HttpRequest) -> HttpResponse:
    """A one-off event; committee staff create events of their own committee."""
    policy.require(request.user, "community.manage")
    form = f.narrow_to_reach(f.EventForm(request.POST or None), request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data["reserved_offline"] = data["reserved_offline"] or 0
        try:
            event = services.do_create_event(
                _actor(request), committee_id=policy.committee_scope(request.user), **data
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("活动已发布。"))
            return redirect("community:roster", event.pk)
    return _render(request, "community/event_new.html", {"form": form})


def series(request: HttpRequest) -> HttpResponse:
    """Recurring series (晚间一小时): schedule their events for a period."""
    policy.require(request.user, "community.manage")
    items = list(queries.series_with_counts(request.user))
    form = f.narrow_to_reach(f.ScheduleSeriesForm(request.POST or None), request.user)
    if request.method == "POST":
        target = get_object_or_404(
            queries.network_series(request.user), pk=request.POST.get("series")
        )
        if form.is_valid():
            created, skipped = services.do_schedule_series(
                _actor(request), target, form.cleaned_data["first"], form.cleaned_data["last"]
            )
            messages.success(
                request,
                _("已排出 %(c)d 场，跳过 %(s)d 天（已有活动或场地被占用）。")
                % {"c": created, "s": skipped},
            )
            return redirect("community:series")
    return _render(request, "community/series.html", {"items": items, "form": form})


def events_staff(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "community.view")
    today = timezone.localdate()
    qs = queries.staff_events(request.user, today - timedelta(days=31))
    page = Paginator(qs.order_by("starts_at", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "community/events_staff.html", {"page": page})


@require_POST
def release_due(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "community.manage")
    n = services.do_release_due_seats(_actor(request))
    messages.success(request, _("已释放到期的保留名额，候补转正 %(n)d 人。") % {"n": n})
    return redirect("community:events_staff")
