"""Community pages: public (network, menus, calendar, sign-up, wish box, progress, screen) and
staff (orders, counter sign-up, QR check-in, wishes, volunteers, alliance).

Residents have no accounts: a sign-up gives them a ticket page reached by a random token,
with the QR code staff scan at the door and a cancel button.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import timedelta
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy, ratelimit
from linli.core.context import Actor, client_address
from linli.core.errors import DomainError
from linli.core.excel import write_workbook

from . import forms as f
from . import paper, queries, rules, services
from .models import (
    AllianceProject,
    Category,
    Event,
    Family,
    HourRecord,
    Position,
    PracticalProject,
    Series,
    ServiceOrder,
    Shift,
    Signup,
    Volunteer,
    VolunteerTeam,
    Wish,
)

PAGE_SIZE = 50
CALENDAR_DAYS = 31


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _fail(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    text = buffer.getvalue().decode()
    return text[text.index("<svg") :]


def _staff_links(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    return {
        "view": policy.can(user, "community.view"),
        "manage": policy.can(user, "community.manage"),
        "serve": policy.can(user, "community.serve"),
        "alliance": policy.can(user, "community.alliance"),
    }


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {**context, "perms_community": _staff_links(request)})


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
    positions = list(queries.positions())
    events = list(queries.calendar(today, 7)[:8])
    return _render(
        request,
        "community/index.html",
        {
            "positions": positions,
            "anchors": [p for p in positions if p.is_anchor],
            "map": _map(positions),
            "events": events,
            "staff": _staff_links(request),
            "figures": queries.screen_figures(today),
        },
    )


@login_not_required
def network(request: HttpRequest) -> HttpResponse:
    positions = list(queries.positions())
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
    items = list(queries.menu(family))
    return _render(
        request,
        "community/menu.html",
        {"items": items, "family": family, "families": Family.choices},
    )


@login_not_required
def calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    events = list(queries.calendar(today, CALENDAR_DAYS))
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
    event = get_object_or_404(queries.with_counts(Event.objects.all()), pk=pk)
    form = f.SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.sign_up(
                _actor(request), event.pk, form.cleaned_data["name"], form.cleaned_data["phone"]
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("community:ticket", result.signup.token)
    roster = services._roster(
        event, list(Signup.objects.filter(event=event, state__in=queries.LIVE).order_by("rank"))
    )
    can_roster = policy.can(request.user, "community.view") and policy.in_scope(
        request.user, event.committee_id
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
    signup = get_object_or_404(Signup.objects.select_related("event__space__position"), token=token)
    if request.method == "POST":
        try:
            services.cancel_signup(_actor(request), token)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("已取消报名。"))
        return redirect("community:ticket", token)
    position_in_list = None
    if signup.state == Signup.State.WAITLISTED:
        position_in_list = (
            Signup.objects.filter(
                event=signup.event, state="waitlisted", rank__lt=signup.rank
            ).count()
            + 1
        )
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
            services.make_wish(_actor(request), **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("心愿已收到，我们会尽快答复。"))
            return redirect("community:wish")
    adopted = Wish.objects.filter(status="adopted").select_related("menu_item")[:10]
    return _render(request, "community/wish.html", {"form": form, "adopted": adopted})


@login_not_required
def order_new(request: HttpRequest, pk: int) -> HttpResponse:
    """下单 by a resident online (public) or by staff for one taken by phone or at the counter."""
    pos = get_object_or_404(Position, pk=pk)
    staff = policy.can(request.user, "community.serve")
    form = f.OrderForm(request.POST or None, position=pos, staff=staff)
    if request.method == "GET" and request.GET.get("item"):
        form.initial["menu_item"] = request.GET["item"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.place_order(
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


# --- public: projects and the screen ----------------------------------------------------------


@login_not_required
def projects(request: HttpRequest) -> HttpResponse:
    items = list(queries.projects(public_only=True))
    places: dict[str, list[PracticalProject]] = defaultdict(list)
    for p in items:
        key = p.area.name if p.area else (p.committee.name if p.committee else p.place)
        places[key].append(p)
    return _render(request, "community/projects.html", {"places": sorted(places.items())})


@login_not_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(queries.projects(public_only=True), pk=pk)
    return _render(
        request,
        "community/project.html",
        {
            "p": item,
            "milestones": item.milestones.all(),
            "decisions": item.decisions.all(),
            "n_households": item.contributions.count(),
        },
    )


def _project_scope(request: HttpRequest) -> Any:
    policy.require(request.user, "community.view")
    return policy.scoped(queries.projects(), request.user, "committee_id")


def project_new(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a practical project (committee staff: their committee's only)."""
    policy.require(request.user, "community.manage")
    item = get_object_or_404(_project_scope(request), pk=pk) if pk else None
    initial: dict[str, Any] = {}
    if item is not None:
        initial = {
            "title": item.title, "kind": item.kind, "area": item.area_id,
            "committee": item.committee_id, "place": item.place, "owner": item.owner,
            "pain_point": item.pain_point, "resident": item.resident_fen / 100,
            "subsidy": item.subsidy_fen / 100, "other": item.other_fen / 100,
            "budget": item.budget_fen / 100, "beneficiaries": item.beneficiaries,
            "status": item.status, "public": item.public,
        }  # fmt: skip
    form = f.narrow_to_reach(f.ProjectForm(request.POST or None, initial=initial), request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        target = item or PracticalProject()
        for field in ("title", "kind", "area", "committee", "place", "owner", "pain_point",
                      "beneficiaries", "status", "public"):  # fmt: skip
            setattr(target, field, d[field])
        for field, value in form.amounts().items():
            setattr(target, field, value)
        scope = policy.committee_scope(request.user)
        if scope is not None:
            target.committee_id = scope
        try:
            saved = services.save_project(_actor(request), target)
        except DomainError as exc:
            form.add_error("budget" if exc.field == "budget_fen" else None, exc.message)
        else:
            messages.success(request, _("项目已保存。"))
            return redirect("community:project_manage", saved.pk)
    return _render(request, "community/project_form.html", {"form": form, "item": item})


def project_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """Milestones with photos, household contributions, lane-committee decisions."""
    item = get_object_or_404(_project_scope(request), pk=pk)
    can_manage = policy.can(request.user, "community.manage")
    forms_: dict[str, Any] = {
        "milestone": f.MilestoneForm(prefix="m"),
        "contribution": f.ContributionForm(prefix="c"),
        "decision": f.DecisionForm(prefix="d"),
    }
    if request.method == "POST":
        policy.require(request.user, "community.manage")
        what = request.POST.get("what", "")
        actor = _actor(request)
        try:
            if what == "milestone":
                form: Any = f.MilestoneForm(request.POST, request.FILES, prefix="m")
                forms_["milestone"] = form
                if form.is_valid():
                    d = form.cleaned_data
                    services.add_milestone(actor, item, d["title"], d["due"], d["done_on"],
                                           photo=d["photo"], note=d["note"])  # fmt: skip
                    return redirect("community:project_manage", item.pk)
            elif what == "done":
                milestone = get_object_or_404(item.milestones, pk=request.POST.get("milestone"))
                services.complete_milestone(
                    actor, milestone, timezone.localdate(), photo=request.FILES.get("photo")
                )
                return redirect("community:project_manage", item.pk)
            elif what == "contribution":
                form = f.ContributionForm(request.POST, prefix="c")
                forms_["contribution"] = form
                if form.is_valid():
                    d = form.cleaned_data
                    services.record_contribution(actor, item, d["household"],
                                                 int(d["amount"] * 100), d["receipt"])  # fmt: skip
                    return redirect("community:project_manage", item.pk)
            elif what == "decision":
                form = f.DecisionForm(request.POST, prefix="d")
                forms_["decision"] = form
                if form.is_valid():
                    services.record_decision(actor, item, **form.cleaned_data)
                    return redirect("community:project_manage", item.pk)
        except DomainError as exc:
            _fail(request, exc)
            return redirect("community:project_manage", item.pk)
    return _render(
        request,
        "community/project_manage.html",
        {
            "p": item,
            "milestones": item.milestones.all(),
            "contributions": item.contributions.all(),
            "decisions": item.decisions.all(),
            "forms": forms_,
            "can_manage": can_manage,
        },
    )


def _span(e: Event) -> str:
    return f"{timezone.localtime(e.starts_at):%H:%M}–{timezone.localtime(e.ends_at):%H:%M}"


def _screen_data() -> dict[str, Any]:
    today = timezone.localdate()
    now = timezone.now()
    events = list(queries.calendar(today, 1))
    evening = [e for e in events if e.series_id is not None]
    return {
        "updated": timezone.localtime(now).strftime("%H:%M"),
        "date": today.isoformat(),
        "network": [
            {"name": p.name, "kind": p.get_kind_display(), "address": p.address, "hours": p.hours}
            for p in queries.positions()
            if p.is_anchor or "station" in p.kind
        ][:8],
        "today": [
            {
                "title": e.title,
                "time": _span(e),
                "place": e.space.name,
                "left": _seats_left(e),
                "partner": e.partner,
            }
            for e in events
        ],
        "evening": [
            {"title": e.title, "partner": e.partner, "left": _seats_left(e)} for e in evening
        ],
        "figures": queries.screen_figures(today),
        "teams": [
            {"name": t.name, "members": t.n_members, "hours": (t.approved_minutes or 0) // 60}  # type: ignore[attr-defined]
            for t in queries.teams()
        ],
        "projects": [
            {
                "title": p.title,
                "place": p.place,
                "status": p.get_status_display(),
                "done": p.n_done,  # type: ignore[attr-defined]
                "total": p.n_milestones,  # type: ignore[attr-defined]
            }
            for p in queries.projects(public_only=True)
        ][:8],
    }


@login_not_required
def screen(request: HttpRequest) -> HttpResponse:
    return _render(
        request, "community/screen.html", {"data": _screen_data(), "tz": settings.TIME_ZONE}
    )


@login_not_required
def screen_data(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_screen_data())


# --- staff: events, counter, check-in ----------------------------------------------------------


def _event_in_scope(request: HttpRequest, pk: int) -> Event:
    policy.require(request.user, "community.view")
    event = get_object_or_404(queries.with_counts(Event.objects.all()), pk=pk)
    policy.require_in_scope(request.user, event.committee_id)
    return event


def event_roster(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_in_scope(request, pk)
    form = f.SignupForm(request.POST or None)
    if request.method == "POST":
        policy.require(request.user, "community.serve")
        if request.POST.get("action") == "release":
            try:
                promoted = services.release_held_seats(_actor(request), event.pk, early=True)
            except DomainError as exc:
                _fail(request, exc)
            else:
                messages.success(
                    request, _("保留名额已释放，候补转正 %(n)d 人。") % {"n": len(promoted)}
                )
            return redirect("community:roster", event.pk)
        if form.is_valid():
            try:
                result = services.sign_up(
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
    signups = list(queries.roster(event))
    return _render(
        request,
        "community/roster.html",
        {
            "event": event,
            "signups": signups,
            "form": form,
            "can_serve": policy.can(request.user, "community.serve"),
            "rate": rules.attendance_rate(event.n_confirmed, event.n_attended),  # type: ignore[attr-defined]
        },
    )


def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The URL in the ticket's QR code: staff open it with the phone camera and confirm."""
    policy.require(request.user, "community.serve")
    signup = get_object_or_404(Signup.objects.select_related("event__space"), token=token)
    policy.require_in_scope(request.user, signup.event.committee_id)
    if request.method == "POST":
        try:
            services.check_in(_actor(request), token)
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
        match = Signup.objects.filter(event=event, token__startswith=code).values_list(
            "token", flat=True
        )[:2]
        tokens = list(match)
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
            event = services.create_event(
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
    items = list(
        Series.objects.select_related("space__position").annotate(n_events=Count("events"))
    )
    form = f.narrow_to_reach(f.ScheduleSeriesForm(request.POST or None), request.user)
    if request.method == "POST":
        target = get_object_or_404(Series, pk=request.POST.get("series"))
        if form.is_valid():
            created, skipped = services.schedule_series(
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
    qs = queries.with_counts(queries.events_in_scope(request.user)).filter(
        starts_at__date__gte=today - timedelta(days=31)
    )
    page = Paginator(qs.order_by("starts_at", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "community/events_staff.html", {"page": page})


# --- staff: orders and wishes ----------------------------------------------------------------


def orders(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "community.view")
    qs = queries.orders(request.user)
    status = request.GET.get("status", "")
    if status == "overdue":
        qs = qs.filter(status__in=ServiceOrder.OPEN, due_by__lt=timezone.localdate())
    elif status in ServiceOrder.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for o in page:
        o.overdue = services.is_overdue(o, today)  # type: ignore[attr-defined]
    return _render(
        request,
        "community/orders.html",
        {
            "page": page,
            "status": status,
            "statuses": ServiceOrder.Status.choices,
            "positions": _network(request.user, Position.objects.order_by("sort", "name")),
            "query": f"status={status}" if status else "",
        },
    )


def order(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "community.view")
    item = get_object_or_404(queries.orders(request.user), pk=pk)
    if request.method == "POST":
        step = request.POST.get("step", "")
        kwargs: dict[str, Any] = {}
        if step == "dispatch":
            form = f.narrow_to_reach(f.DispatchForm(request.POST), request.user)
            if form.is_valid():
                kwargs = form.cleaned_data
        if step == "rate":
            rate = f.RateForm(request.POST)
            if rate.is_valid():
                kwargs = rate.cleaned_data
        if step in ("decline", "cancel"):
            kwargs = {"feedback": request.POST.get("feedback", "")}
        try:
            services.advance_order(_actor(request), item.pk, step, **kwargs)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("订单已更新。"))
        return redirect("community:order", item.pk)
    return _render(
        request,
        "community/order.html",
        {
            "o": item,
            "overdue": services.is_overdue(item),
            "dispatch": f.narrow_to_reach(f.DispatchForm(), request.user),
            "rate": f.RateForm(),
            "can_manage": policy.can(request.user, "community.manage"),
        },
    )


def wishes(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "community.view")
    can_manage = policy.can(request.user, "community.manage")
    if request.method == "POST":
        policy.require(request.user, "community.manage")
        target = get_object_or_404(
            policy.scoped(Wish.objects.all(), request.user, "committee_id"),
            pk=request.POST.get("wish"),
        )
        try:
            if request.POST.get("action") == "decline":
                services.decline_wish(_actor(request), target, request.POST.get("answer", ""))
                messages.success(request, _("已答复。"))
            else:
                form = f.narrow_to_reach(f.AdoptWishForm(request.POST), request.user)
                if not form.is_valid():
                    messages.error(request, _("请完整填写服务项目信息。"))
                    return redirect("community:wishes")
                services.adopt_wish(_actor(request), target, **form.cleaned_data)
                messages.success(request, _("已转为服务项目。"))
        except DomainError as exc:
            _fail(request, exc)
        return redirect("community:wishes")
    # Wishes to the street are the party-mass office's; committee staff see their committee's.
    wishes_qs = policy.scoped(
        Wish.objects.select_related("menu_item"), request.user, "committee_id"
    )
    page = Paginator(wishes_qs.order_by("-created", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for wish in page:  # one adopt form per wish, each with its own ids (unique per page)
        adopt = f.AdoptWishForm(auto_id=f"id_wish{wish.pk}_%s")
        wish.adopt_form = f.narrow_to_reach(adopt, request.user)  # type: ignore[attr-defined]
    return _render(
        request,
        "community/wishes.html",
        {"page": page, "can_manage": can_manage},
    )


# --- volunteers --------------------------------------------------------------------------------


def volunteers(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "community.view")
    team_id = request.GET.get("team", "")
    team = VolunteerTeam.objects.filter(pk=team_id).first() if team_id.isdigit() else None
    if request.method == "POST":
        policy.require(request.user, "community.manage")
        try:
            if "correction" in request.POST:
                corr = get_object_or_404(
                    queries.open_corrections(request.user), pk=request.POST.get("correction")
                )
                services.decide_correction(_actor(request), corr, request.POST.get("fix") == "1")
            else:
                pending = queries.pending_hours(request.user)
                record = get_object_or_404(pending, pk=request.POST.get("record"))
                services.decide_hours(_actor(request), record, request.POST.get("approve") == "1")
        except DomainError as exc:
            _fail(request, exc)
        return redirect(request.get_full_path())
    people = list(queries.volunteers(request.user, team)[:200])
    for v in people:
        minutes = v.approved_minutes or 0  # type: ignore[attr-defined]
        v.stars = rules.star_level(minutes)  # type: ignore[attr-defined]
        v.hours_served = minutes / 60  # type: ignore[attr-defined]
        v.next = rules.next_star(minutes)  # type: ignore[attr-defined]
    return _render(
        request,
        "community/volunteers.html",
        {
            "teams": list(queries.teams()),
            "team": team,
            "people": people,
            "pending": list(queries.pending_hours(request.user)[:100]),
            "shifts": list(queries.shifts(request.user)[:20]),
            "corrections": list(queries.open_corrections(request.user)[:50]),
            "can_manage": policy.can(request.user, "community.manage"),
            "stars": rules.STAR_HOURS,
        },
    )


@login_not_required
def shift(request: HttpRequest, token: str) -> HttpResponse:
    """A shift's page (its QR code opens it): the leader checks volunteers in and out; a
    volunteer who scans the QR posted at the place checks themself in and out."""
    if not request.user.is_authenticated:
        return volunteer_shift(request, token)
    policy.require(request.user, "community.serve")
    item = get_object_or_404(Shift.objects.select_related("team", "event"), token=token)
    members = list(queries.volunteers(request.user, item.team).order_by("name", "id"))
    if request.method == "POST":
        volunteer = get_object_or_404(
            queries.volunteers(request.user, item.team), pk=request.POST.get("volunteer")
        )
        try:
            record = services.shift_scan(_actor(request), item, volunteer)
        except DomainError as exc:
            _fail(request, exc)
        else:
            text = (
                _("%(name)s 已签退，认定 %(m)d 分钟。")
                if record.check_out
                else _("%(name)s 已签到。")
            )
            messages.success(request, text % {"name": volunteer.name, "m": record.minutes})
        return redirect("community:shift", token)
    records = {r.volunteer_id: r for r in item.hours.all()}
    rows = [(v, records.get(v.pk)) for v in members]
    url = request.build_absolute_uri(reverse("community:shift", args=[token]))
    return _render(
        request, "community/shift.html", {"shift": item, "rows": rows, "qr": _qr_svg(url)}
    )


def _volunteer(request: HttpRequest, pk: int) -> Volunteer:
    policy.require(request.user, "community.view")
    return get_object_or_404(queries.volunteers(request.user), pk=pk)


def certificate(request: HttpRequest, pk: int, team_pk: int) -> HttpResponse:
    """Issue (POST) or re-print the newest certificate of a volunteer with a team, as PDF."""
    volunteer = _volunteer(request, pk)
    team = get_object_or_404(VolunteerTeam, pk=team_pk)
    if request.method == "POST":
        try:
            services.issue_certificate(_actor(request), volunteer, team)
        except DomainError as exc:
            _fail(request, exc)
            return redirect("community:volunteers")
    cert = volunteer.certificates.filter(team=team).order_by("-issued_on", "-id").first()
    if cert is None:
        raise Http404
    pdf = paper.certificate_pdf(cert)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.number}.pdf"'
    return response


def volunteers_export(request: HttpRequest) -> HttpResponse:
    """Approved hours in the fields of 民政部令第67号 (for the city's volunteer site)."""
    policy.require(request.user, "community.view")
    rows = [
        [
            r.volunteer.name,
            r.volunteer.id_masked,
            r.volunteer.phone_masked,
            r.team.name,
            r.on.isoformat(),
            r.content,
            round(r.minutes / 60, 2),
            r.get_source_display(),
            r.team.issuer,
            r.team.issuer_contact,
        ]
        for r in policy.scoped(
            HourRecord.objects.filter(status="approved").select_related("volunteer", "team"),
            request.user,
            "volunteer__committee_id",
        ).order_by("volunteer_id", "on", "id")
    ]
    headers = ["姓名", "身份证号（脱敏）", "手机号（脱敏）", "服务队伍", "服务日期", "服务内容",
               "服务时长（小时）", "记录来源", "记录单位", "联系方式"]  # fmt: skip
    data = write_workbook("志愿服务记录", headers, rows)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="volunteer-hours.xlsx"'
    return response


# --- the alliance -----------------------------------------------------------------------------


def alliance(request: HttpRequest) -> HttpResponse:
    if not (
        policy.can(request.user, "community.alliance") or policy.can(request.user, "community.view")
    ):
        raise PermissionDenied
    member = queries.alliance_member(request.user)
    is_school = member is not None and member.kind == "school"
    form = f.AllianceOrderForm(request.POST or None) if is_school else None
    if request.method == "POST":
        if "order" in request.POST:
            step = request.POST.get("step", "")
            kwargs: dict[str, Any] = {}
            if step == "schedule":
                sched = f.ScheduleForm(request.POST)
                if sched.is_valid():
                    kwargs = sched.cleaned_data
            if step == "feedback":
                rate = f.RateForm(request.POST)
                if rate.is_valid():
                    kwargs = rate.cleaned_data
            pk = request.POST.get("order", "")
            if not pk.isdigit() or not queries.alliance_orders(request.user).filter(pk=pk).exists():
                raise Http404
            try:
                services.advance_alliance_order(_actor(request), int(pk), step, **kwargs)
            except DomainError as exc:
                _fail(request, exc)
            else:
                messages.success(request, _("订单已更新。"))
            return redirect("community:alliance")
        if form is not None and form.is_valid():
            try:
                services.order_project(_actor(request), **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("已下单，等待文化单位接单。"))
                return redirect("community:alliance")
    orders_qs = queries.alliance_orders(request.user).order_by("-created", "-id")
    page = Paginator(orders_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(Category.choices)
    projects_by_cat: dict[str, list[AllianceProject]] = {str(v): [] for v in labels.values()}
    for p in AllianceProject.objects.select_related("unit__organisation").order_by(
        "category", "title"
    ):
        projects_by_cat[str(labels[p.category])].append(p)
    return _render(
        request,
        "community/alliance.html",
        {
            "member": member,
            "is_school": is_school,
            "form": form,
            "page": page,
            "menu": {k: v for k, v in projects_by_cat.items() if v},
            "schedule": f.ScheduleForm(),
            "rate": f.RateForm(),
            "figures": queries.alliance_figures()
            if policy.can(request.user, "community.view")
            else None,
            "category_labels": labels,
        },
    )


@require_POST
def release_due(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "community.manage")
    n = services.release_due(_actor(request))
    messages.success(request, _("已释放到期的保留名额，候补转正 %(n)d 人。") % {"n": n})
    return redirect("community:events_staff")


# --- staff: editing the network, spaces, menus and series -------------------------------------

_FIELD_ALIASES = {"parent_id": "parent", "committee_id": "committee"}


def _form_error(form: Any, exc: DomainError) -> None:
    """Put a service's error on its field (or on the form when it names none)."""
    name = _FIELD_ALIASES.get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


def _network(user: Any, qs: QuerySet[Any], to_position: str = "") -> QuerySet[Any]:
    """Positions (or rows of a position) of the user's street: committee staff see their
    street's whole network and edit their committee's; street accounts their street's."""
    committee = policy.committee_scope(user)
    if committee is None:
        return policy.scoped(qs, user, f"{to_position}committee_id")
    street = policy.street_of(user)
    return qs.filter(
        Q(**{f"{to_position}committee__subdistrict_id": street})
        | Q(**{f"{to_position}committee__isnull": True})
    )


def _position_in_scope(request: HttpRequest, pk: int) -> Position:
    """A position committee staff may change: their committee's only (403 otherwise)."""
    policy.require(request.user, "community.manage")
    item = get_object_or_404(Position.objects.select_related("parent", "committee"), pk=pk)
    if not policy.in_scope(request.user, item.committee_id):
        raise PermissionDenied
    return item


def network_manage(request: HttpRequest) -> HttpResponse:
    """The network for staff: every position with its staff, spaces and menu, and the series."""
    policy.require(request.user, "community.manage")
    positions = _network(request.user, Position.objects.select_related("parent", "committee"))
    items = list(
        positions.annotate(
            n_staff=Count("staff", distinct=True),
            n_spaces=Count("spaces", distinct=True),
            n_menu=Count("menu", distinct=True),
        ).order_by("sort", "name")
    )
    for p in items:
        p.editable = policy.in_scope(request.user, p.committee_id)
    series = _network(
        request.user, Series.objects.select_related("space__position"), "space__position__"
    )
    series_items = list(series.order_by("title"))
    return _render(
        request,
        "community/network_manage.html",
        {
            "items": items,
            "series": series_items,
            "street_level": policy.committee_scope(request.user) is None,
        },
    )


def position_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a position (committee staff: positions of their own committee)."""
    policy.require(request.user, "community.manage")
    item = _position_in_scope(request, pk) if pk else None
    locked = policy.committee_scope(request.user) is not None
    initial: dict[str, Any] = {"map_x": 50, "map_y": 50, "sort": 0}
    if item is not None:
        initial = {
            "kind": item.kind, "name": item.name, "parent": item.parent_id,
            "address": item.address, "committee": item.committee_id, "map_x": item.map_x,
            "map_y": item.map_y, "hours": item.hours, "contact": item.contact,
            "contact_phone": item.contact_phone, "description": item.description,
            "sort": item.sort,
        }  # fmt: skip
    form = f.PositionForm(request.POST or None, initial=initial, committee_locked=locked)
    if item is not None:
        form.fields["parent"].queryset = Position.objects.exclude(pk=item.pk).order_by(  # type: ignore[attr-defined]
            "sort", "name"
        )
    f.narrow_to_reach(form, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_position(_actor(request), item, form.data_for_service())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("阵地已保存。"))
            return redirect("community:position_manage", saved.pk)
    return _render(request, "community/position_form.html", {"form": form, "item": item})


_PARTS = {
    "staff": (f.PositionStaffForm, "staff"),
    "space": (f.SpaceForm, "spaces"),
    "menu": (f.MenuItemForm, "menu"),
}


def _part_initial(part: str, obj: Any) -> dict[str, Any]:
    fields = _PARTS[part][0].base_fields
    return {name: getattr(obj, name) for name in fields}


def position_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """A position's 全岗通 staff, spaces and menu: add, edit (``?edit=space-3``), remove."""
    item = _position_in_scope(request, pk)
    editing: dict[str, Any] = {}
    edit = request.POST.get("edit") or request.GET.get("edit", "")
    if "-" in edit:
        part, _sep, obj_pk = edit.partition("-")
        if part in _PARTS and obj_pk.isdigit():
            editing[part] = get_object_or_404(getattr(item, _PARTS[part][1]), pk=int(obj_pk))
    forms_: dict[str, Any] = {
        part: cls(prefix=part, initial=_part_initial(part, editing[part]) if part in editing
                  else None)
        for part, (cls, _rel) in _PARTS.items()
    }  # fmt: skip
    if request.method == "POST":
        what = request.POST.get("what", "")
        actor = _actor(request)
        if what == "remove_staff":
            member = get_object_or_404(item.staff, pk=request.POST.get("member"))
            services.remove_position_staff(actor, member)
            messages.success(request, _("已移除。"))
            return redirect("community:position_manage", item.pk)
        if what in _PARTS:
            form: Any = _PARTS[what][0](request.POST, prefix=what)
            forms_[what] = form
            if form.is_valid():
                d = form.cleaned_data
                current = editing.get(what)
                try:
                    if what == "staff":
                        services.save_position_staff(
                            actor, item, current, name=d["name"], duties=d["duties"],
                            user_id=current.user_id if current else None,
                        )  # fmt: skip
                    elif what == "space":
                        services.save_space(actor, item, current, **d)
                    else:
                        services.save_menu_item(actor, item, current, d)
                except DomainError as exc:
                    _form_error(form, exc)
                else:
                    messages.success(request, _("已保存。"))
                    return redirect("community:position_manage", item.pk)
    return _render(
        request,
        "community/position_manage.html",
        {
            "p": item,
            "staff": list(item.staff.all()),
            "spaces": list(item.spaces.all()),
            "menu": list(item.menu.order_by("family", "title")),
            "forms": forms_,
            "editing": {part: obj.pk for part, obj in editing.items()},
            "edit": edit,
        },
    )


def series_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Define or change a recurring series; changes reach its coming events without sign-ups."""
    policy.require(request.user, "community.manage")
    if policy.committee_scope(request.user) is not None:
        raise PermissionDenied  # series are the street's (党群 department)
    item = get_object_or_404(Series, pk=pk) if pk else None
    initial: dict[str, Any] = {}
    if item is not None:
        initial = {
            "title": item.title, "space": item.space_id,
            "weekdays": [str(d) for d in item.weekday_numbers], "start_time": item.start_time,
            "end_time": item.end_time, "capacity": item.capacity,
            "reserved_offline": item.reserved_offline, "release_hours": item.release_hours,
            "partners": item.partners, "audience": item.audience,
        }  # fmt: skip
    form = f.narrow_to_reach(f.SeriesForm(request.POST or None, initial=initial), request.user)
    if request.method == "POST" and form.is_valid():
        actor = _actor(request)
        try:
            saved = services.save_series(actor, item, form.data_for_service())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            if item is None:
                messages.success(request, _("系列已建立，请在下方排出活动。"))
            else:
                report = services.update_series_events(actor, saved)
                messages.success(
                    request,
                    _("系列已保存：更新 %(u)d 场，取消 %(c)d 场（不再在所选星期）。")
                    % {"u": report.updated, "c": report.cancelled},
                )
                if report.kept_signups:
                    messages.warning(
                        request,
                        _("以下日期的活动已有报名，未改动，请逐场处理：%(d)s")
                        % {"d": "、".join(f"{d:%m-%d}" for d in report.kept_signups)},
                    )
                if report.conflicts:
                    messages.warning(
                        request,
                        _("以下日期新时段的场地已被占用，活动保持原样：%(d)s")
                        % {"d": "、".join(f"{d:%m-%d}" for d in report.conflicts)},
                    )
            return redirect("community:series")
    return _render(request, "community/series_form.html", {"form": form, "item": item})


# --- the volunteer's own phone page (public, personal code + phone tail) ------------------------

VOLUNTEER_SESSION = "community_volunteer"
VOLUNTEER_SESSION_SECONDS = 8 * 3600  # a day's shift: check in, serve, check out
VOLUNTEER_IP_LIMIT = 20  # failed log-ins per address per 15 minutes


def _client(request: HttpRequest) -> str:
    return client_address(request)[:64]


def _session_volunteer(request: HttpRequest) -> Volunteer | None:
    data = request.session.get(VOLUNTEER_SESSION)
    if not data or data.get("until", 0) < timezone.now().timestamp():
        return None
    return Volunteer.objects.filter(pk=data["volunteer"]).first()


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _safe_next(request: HttpRequest, target: str) -> str:
    ok = target.startswith("/community/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if ok else reverse("community:me")


@login_not_required
def volunteer_login(request: HttpRequest) -> HttpResponse:
    form = f.VolunteerLoginForm(request.POST or None)
    status = 200
    key = f"community-volunteer-fail:{_client(request)}"
    target = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST":
        if ratelimit.exceeded(key, VOLUNTEER_IP_LIMIT):
            form.add_error(None, _("尝试次数过多，请 15 分钟后再试，或联系队长。"))
            status = 429
        elif form.is_valid():
            try:
                volunteer = services.volunteer_login(
                    form.cleaned_data["code"], form.cleaned_data["tail"], address=_client(request)
                )
            except services.VolunteerAccessDenied as exc:
                ratelimit.hit(key, 15 * 60)
                form.add_error(None, exc.message)
                status = 429 if exc.code == "locked" else 200
            else:
                request.session.cycle_key()
                request.session[VOLUNTEER_SESSION] = {
                    "volunteer": volunteer.pk,
                    "until": timezone.now().timestamp() + VOLUNTEER_SESSION_SECONDS,
                }
                return redirect(_safe_next(request, target))
    response = render(
        request, "community/volunteer_login.html", {"form": form, "next": target}, status=status
    )
    return _no_store(response)


@login_not_required
def volunteer_home(request: HttpRequest) -> HttpResponse:
    """Shifts, check-in state, own hours and corrections, stars, certificates."""
    volunteer = _session_volunteer(request)
    if volunteer is None:
        return redirect("community:me_login")
    actor = services.volunteer_actor(volunteer, _client(request))
    teams = VolunteerTeam.objects.filter(members__volunteer=volunteer).order_by("name")
    hours_form = f.VolunteerHoursForm(prefix="h", teams=teams)
    if request.method == "POST":
        what = request.POST.get("what", "")
        if what == "logout":
            request.session.pop(VOLUNTEER_SESSION, None)
            return redirect("community:me_login")
        try:
            if what == "hours":
                hours_form = f.VolunteerHoursForm(request.POST, prefix="h", teams=teams)
                if hours_form.is_valid():
                    d = hours_form.cleaned_data
                    services.volunteer_report_hours(
                        actor, volunteer, d["team"], d["on"], d["minutes"], d["content"]
                    )
                    messages.success(request, _("已提交，等待队长审核。"))
                    return redirect("community:me")
            elif what == "correction":
                record = get_object_or_404(volunteer.hours, pk=request.POST.get("record"))
                form = f.CorrectionForm(request.POST)
                if not form.is_valid():
                    raise DomainError(_("请填写正确的时长（分钟）和理由。"), field="minutes")
                services.volunteer_request_correction(
                    actor, volunteer, record, form.cleaned_data["minutes"],
                    form.cleaned_data["reason"],
                )  # fmt: skip
                messages.success(request, _("更正申请已提交，队长核实后处理。"))
                return redirect("community:me")
        except DomainError as exc:
            if what == "hours" and exc.field in hours_form.fields:
                hours_form.add_error(exc.field, exc.message)
            else:
                _fail(request, exc)
                return redirect("community:me")
    context = queries.volunteer_home(volunteer)
    minutes = context["approved_minutes"]
    context.update(
        {
            "v": volunteer,
            "teams": list(teams),
            "hours_form": hours_form,
            "stars": rules.star_level(minutes),
            "hours_served": minutes / 60,
            "next": rules.next_star(minutes),
        }
    )
    return _no_store(render(request, "community/volunteer_home.html", context))


def volunteer_shift(request: HttpRequest, token: str) -> HttpResponse:
    """The shift's QR scanned by a volunteer: a big check-in / check-out button."""
    item = get_object_or_404(Shift.objects.select_related("team", "event"), token=token)
    volunteer = _session_volunteer(request)
    if volunteer is None:
        here = reverse("community:shift", args=[token])
        return redirect(f"{reverse('community:me_login')}?{urlencode({'next': here})}")
    if request.method == "POST":
        try:
            record = services.volunteer_scan(
                services.volunteer_actor(volunteer, _client(request)), volunteer, item
            )
        except DomainError as exc:
            _fail(request, exc)
        else:
            if record.check_out:
                text = _("已签退：%(m)d 分钟，待队长确认。") % {"m": record.minutes}
            else:
                text = _("已签到。服务结束时请再次扫码签退。")
            messages.success(request, text)
        return redirect("community:shift", token)
    mine = item.hours.filter(volunteer=volunteer).first()
    member = item.team.members.filter(volunteer=volunteer).exists()
    return _no_store(
        render(
            request,
            "community/volunteer_shift.html",
            {"shift": item, "record": mine, "member": member, "v": volunteer},
        )
    )


@login_not_required
def volunteer_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer downloads one of their own certificates."""
    volunteer = _session_volunteer(request)
    if volunteer is None:
        return redirect("community:me_login")
    cert = get_object_or_404(volunteer.certificates.select_related("team"), pk=pk)
    response = HttpResponse(paper.certificate_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{cert.number}.pdf"'
    return _no_store(response)


@require_POST
def volunteer_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader hands a volunteer a new personal code for their own page (shown once)."""
    volunteer = _volunteer(request, pk)
    try:
        code = services.issue_volunteer_code(_actor(request), volunteer)
    except DomainError as exc:
        _fail(request, exc)
        return redirect("community:volunteers")
    url = request.build_absolute_uri(reverse("community:me_login"))
    return _no_store(
        _render(
            request,
            "community/volunteer_code.html",
            {"v": volunteer, "code": code, "url": url, "qr": _qr_svg(url)},
        )
    )
