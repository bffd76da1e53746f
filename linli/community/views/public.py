"""Public pages: the network, menus, the calendar, an event and its sign-up, the ticket, the wish
box, ordering a service."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.errors import DomainError

from .. import forms as f
from .. import queries, services
from ..models import (
    Event,
    Family,
    Position,
    Signup,
)
from ._common import CALENDAR_DAYS, _actor, _fail, _qr_svg, _render, _staff_links, _street

# --- public: network, menus, calendar --------------------------------------------------------


def _map(positions: list[Position]) -> list[dict[str, Any]]:
    by_pk = {p.pk: p for p in positions}
    out = []
    for p in positions:
        parent = by_pk.get(p.parent_id) if p.parent_id else None
        out.append(
            {
                "p": p,
                "x": p.map_x,
                "y": p.map_y * 0.6,
                "r": 3.2 if p.is_anchor else (2.2 if "station" in p.kind else 1.5),
                "px": parent.map_x if parent else None,
                "py": parent.map_y * 0.6 if parent else None,
            }
        )
    return out


@login_not_required
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    street = _street(request)
    positions = list(queries.positions(street))
    events = list(queries.calendar(today, 7, street)[:8])
    return _render(
        request,
        "community/index.html",
        {
            "positions": positions,
            "anchors": [p for p in positions if p.is_anchor],
            "map": _map(positions),
            "events": events,
            "staff": _staff_links(request),
            "figures": queries.screen_figures(today, street),
        },
    )


@login_not_required
def network(request: HttpRequest) -> HttpResponse:
    positions = list(queries.positions(_street(request)))
    groups: dict[str, list[Position]] = defaultdict(list)
    for p in positions:
        groups[p.get_kind_display()].append(p)
    return _render(
        request,
        "community/network.html",
        {"positions": positions, "map": _map(positions), "groups": dict(groups)},
    )


@login_not_required
def position(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        pos = queries.position_detail(pk)
    except Position.DoesNotExist:
        raise Http404 from None
    families: dict[str, list[Any]] = {str(label): [] for _v, label in Family.choices}
    labels = dict(Family.choices)
    for item in pos.menu.all():
        families[str(labels[item.family])].append(item)
    return _render(request, "community/position.html", {"pos": pos, "families": families})


@login_not_required
def menu(request: HttpRequest) -> HttpResponse:
    family = request.GET.get("family", "")
    if family not in dict(Family.choices):
        family = ""
    items = list(queries.menu(family, street=_street(request)))
    return _render(
        request,
        "community/menu.html",
        {"items": items, "family": family, "families": Family.choices},
    )


@login_not_required
def calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    events = list(queries.calendar(today, CALENDAR_DAYS, _street(request)))
    days: dict[Any, list[Event]] = defaultdict(list)
    for e in events:
        days[timezone.localtime(e.starts_at).date()].append(e)
    return _render(
        request,
        "community/calendar.html",
        {"days": sorted(days.items()), "today": today, "staff": _staff_links(request)},
    )


def _seats_left(event: Event) -> int:
    n_confirmed: int = getattr(event, "n_confirmed", 0)
    return max(event.capacity - n_confirmed, 0)


@login_not_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(queries.events_with_counts(), pk=pk)
    form = f.SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.do_sign_up(
                _actor(request), event.pk, form.cleaned_data["name"], form.cleaned_data["phone"]
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("community:ticket", result.signup.token)
    roster = services.event_roster(event)
    can_roster = policy.can(request.user, "community.view") and queries.event_in_reach(
        request.user, event
    )
    return _render(
        request,
        "community/event.html",
        {
            "event": event,
            "form": form,
            "open": event.status == "open" and timezone.now() < event.starts_at,
            "general_free": roster.free_general(),
            "held_free": roster.free_held(),
            "waiting": len(roster.waitlist),
            "can_roster": can_roster,
        },
    )


@login_not_required
def ticket(request: HttpRequest, token: str) -> HttpResponse:
    signup = get_object_or_404(queries.signups_with_event(), token=token)
    if request.method == "POST":
        try:
            services.do_cancel_signup(_actor(request), token)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("已取消报名。"))
        return redirect("community:ticket", token)
    position_in_list = None
    if signup.state == Signup.State.WAITLISTED:
        position_in_list = queries.waiting_position(signup)
    checkin_url = request.build_absolute_uri(reverse("community:checkin", args=[token]))
    return _render(
        request,
        "community/ticket.html",
        {
            "s": signup,
            "event": signup.event,
            "qr": _qr_svg(checkin_url) if signup.state == Signup.State.CONFIRMED else "",
            "checkin_url": checkin_url,
            "position_in_list": position_in_list,
            "can_cancel": signup.state in queries.LIVE and timezone.now() < signup.event.starts_at,
        },
    )


@login_not_required
def wish(request: HttpRequest) -> HttpResponse:
    form = f.WishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_make_wish(_actor(request), **form.cleaned_data, street_id=_street(request))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("心愿已收到，我们会尽快答复。"))
            return redirect(request.get_full_path())
    adopted = queries.adopted_wishes(street=_street(request))
    return _render(request, "community/wish.html", {"form": form, "adopted": adopted})


@login_not_required
def order_new(request: HttpRequest, pk: int) -> HttpResponse:
    """下单 by a resident online (public) or by staff for one taken by phone or at the counter."""
    pos = get_object_or_404(queries.position_rows(), pk=pk)
    staff = policy.can(request.user, "community.serve")
    form = f.OrderForm(request.POST or None, position=pos, staff=staff)
    if request.method == "GET" and request.GET.get("item"):
        form.initial["menu_item"] = request.GET["item"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.do_place_order(
                _actor(request),
                position=pos,
                requester_kind=data["requester_kind"],
                requester_name=data["requester_name"],
                phone=data["phone"],
                menu_item=data["menu_item"],
                space=data["space"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                people=data["people"],
                note=data["note"],
                channel=data.get("channel", "online"),
                committee_id=getattr(request.user, "committee_id", None)
                if data["requester_kind"] == "committee"
                else None,
            )
        except (DomainError, PermissionDenied) as exc:
            message = exc.message if isinstance(exc, DomainError) else _("无权以此身份下单。")
            field = exc.field if isinstance(exc, DomainError) else None
            form.add_error(field if field in form.fields else None, message)
        else:
            if staff:
                messages.success(request, _("已下单：%(n)s") % {"n": order.number})
                return redirect("community:order", order.pk)
            return _render(request, "community/order_done.html", {"order": order, "pos": pos})
    return _render(request, "community/order_new.html", {"form": form, "pos": pos, "staff": staff})
