"""Service-centre pages: kiosk, slip, status, display board, window, back office, lists."""

from __future__ import annotations

import functools
import io
from datetime import date, timedelta
from datetime import time as time_cls
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core import policy, ratelimit
from linli.core.context import Actor, client_address
from linli.core.errors import ImportRejected, RowError
from linli.core.excel import write_workbook

from . import charts, queries, services
from .errors import HallError
from .forms import HallForm, LockerForm, QueueForm
from .models import (
    Case,
    Hall,
    Item,
    Locker,
    Pickup,
    Queue,
    Rating,
    Slot,
    Ticket,
    Window,
)
from .rules import TicketState

PAGE_SIZE = 25
BOARD_STALE_SECONDS = 30


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _xlsx(name: str, title: str, labels: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(
        write_workbook(title, labels, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _today() -> date:
    return timezone.localdate()


# --- home ------------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    queries.require_any(request.user)
    today = _today()
    user = request.user
    halls = list(queries.in_reach(Hall.objects.all(), user, "pk"))
    mine = queries.in_reach(Ticket.objects.filter(day=today), user, "queue__hall")
    todays = mine.filter(parent__isnull=True)
    context = {
        "halls": halls,
        "issued": todays.count(),
        "waiting": mine.filter(state__in=queries.OPEN_STATES).count(),
        "done": todays.filter(state=TicketState.DONE).count(),
        "escalated": mine.filter(state=TicketState.ESCALATED).count(),
        "overdue": queries.in_reach(queries.overdue_cases(today), user, "item__hall").count(),
        "can_serve": policy.can(user, "hall.serve"),
        "can_backoffice": policy.can(user, "hall.backoffice"),
        "can_supervise": policy.can(user, "hall.supervise"),
        "can_view": policy.can(user, "hall.view"),
        "can_manage": policy.can(user, "hall.manage"),
    }
    seen = []
    now = timezone.now()
    for hall in halls:
        at = hall.board_seen_at
        age = (now - at).total_seconds() if at else None
        seen.append({"hall": hall, "age": age, "stale": age is None or age > BOARD_STALE_SECONDS})
    context["board_status"] = seen
    return render(request, "hall/index.html", context)


# --- kiosk, slip, status (public) ------------------------------------------------------------


@login_not_required
def kiosk(request: HttpRequest, hall: str) -> HttpResponse:
    # Halls, queues and holidays from this process's cache (checked against the stored version
    # when the page is shown; issuing checks it in its numbering statement).
    config = services.kiosk_config(check=request.method != "POST")
    hall_obj = config.halls.get(hall)
    if hall_obj is None:
        config = services.kiosk_config(check=True)
        hall_obj = config.halls.get(hall)
        if hall_obj is None:
            raise Http404
    queues = config.hall_queues(hall)
    error = ""
    now = services.kiosk_clock()
    if request.method == "POST":
        try:
            if request.POST.get("checkin"):
                services.require_open(hall_obj, now)
                if not request.POST.get("id_number", "").strip():
                    raise HallError(
                        _("预约签到请先在读卡区刷身份证，再按“预约签到”。"),
                        code="id_required",
                        field="id_number",
                    )
                ticket = services.do_check_in_appointment(request.POST.get("id_number", ""))
            else:
                chosen = request.POST.get("queue") or ""
                prefix = next((q.prefix for q in queues if str(q.pk) == chosen), "")
                if not prefix:
                    raise Http404
                ticket = services.do_issue_kiosk_ticket(
                    hall, prefix, request.POST.get("id_number", "")
                )
        except HallError as exc:
            error = exc.message
            config = services.kiosk_config(check=True)
            hall_obj = config.halls.get(hall, hall_obj)
            queues = config.hall_queues(hall)
        else:
            slip = reverse("hall:slip", args=[ticket.token])
            return redirect(f"{slip}?k={hall}" if ticket.queue.hall.code != hall else slip)
    calendar = config.calendar
    closed = (
        ""
        if services.is_open(hall_obj, now, calendar)
        else services.closed_message(hall_obj, now, calendar)
    )
    return render(
        request,
        "hall/kiosk.html",
        {
            "hall": hall_obj,
            "queues": queues,
            "error": error,
            # Any kiosk checks in: the slip then says which hall the appointment is served in.
            "appointments": bool(config.appointment_halls),
            "closed": closed,
            **_kiosk_search(request, hall, queues),
        },
        status=400 if error else 200,
    )


KIOSK_HITS = 8


def _kiosk_search(request: HttpRequest, hall: str, queues: list[Queue]) -> dict[str, Any]:
    """The kiosk's 事项 search (name, alias or pinyin initials): where each is queued.

    An item queued in this hall gets its queue's button; one in another hall says where to go.
    """
    text = request.GET.get("q", "").strip()[:40]
    if not text:
        return {"q": ""}
    here = {q.pk: q for q in queues}
    found = queries.search_items(
        Item.objects.filter(active=True, channel_window=True).select_related("queue__hall"), text
    ).order_by("code")[:KIOSK_HITS]
    hits = [{"item": i, "queue": here.get(i.queue_id)} for i in found]
    return {"q": text, "hits": hits}


@login_not_required
@require_POST
def kiosk_ticket(request: HttpRequest, hall: str) -> JsonResponse:
    """The kiosk's JSON form (ticket machines with their own front end, the benchmark).

    POST ``queue`` (prefix) and optionally ``id_number``; CSRF-protected like the page.
    Halls, queues and holidays come from the process's cache (``services.kiosk_config``).
    """
    try:
        ticket = services.do_issue_kiosk_ticket(
            hall, request.POST.get("queue", ""), request.POST.get("id_number", "")
        )
    except HallError as exc:
        status = {"hall_closed": 409, "unknown_queue": 404}.get(exc.code, 400)
        return JsonResponse({"code": exc.code, "message": exc.message}, status=status)
    return JsonResponse(
        {
            "number": ticket.number,
            "queue": ticket.queue.prefix,
            "priority": ticket.priority,
            "slip": _token_url("hall:slip", ticket.token),
            "status": _token_url("hall:status", ticket.token),
        },
        status=201,
    )


_TOKEN_MARK = "TOKEN-MARK"  # noqa: S105 (a placeholder in a cached URL, no secret)


@functools.cache
def _token_url_parts(name: str, script_prefix: str) -> tuple[str, str]:
    before, after = reverse(name, args=[_TOKEN_MARK]).split(_TOKEN_MARK, 1)
    return before, after


def _token_url(name: str, token: str) -> str:
    """``reverse(name, args=[token])`` for a URL-safe ticket token, without resolving each time
    (the kiosk answers many tickets a second)."""
    before, after = _token_url_parts(name, get_script_prefix())
    return f"{before}{token}{after}"


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    text = buffer.getvalue().decode()
    return text[text.index("<svg") :]


def _ticket_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    status_url = request.build_absolute_uri(reverse("hall:status", args=[ticket.token]))
    return {
        "ticket": ticket,
        "position": queries.position(ticket),
        "status_url": status_url,
        "qr": mark_safe(_qr_svg(status_url)),  # noqa: S308 (SVG drawn by segno)
    }


@login_not_required
def slip(request: HttpRequest, token: str) -> HttpResponse:
    """The printed slip; ``?k=B`` when taken at another hall's kiosk (预约签到 at kiosk B)."""
    ticket = get_object_or_404(Ticket.objects.select_related("queue__hall"), token=token)
    kiosk = request.GET.get("k", "")
    if kiosk not in services.kiosk_config().halls:
        kiosk = ticket.queue.hall.code
    return render(request, "hall/slip.html", {**_ticket_context(request, ticket), "kiosk": kiosk})


@login_not_required
def status(request: HttpRequest, token: str) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.select_related("queue__hall", "window"), token=token)
    # A transferred ticket lives on in its child.
    child = ticket.children.order_by("-pk").first()
    if child is not None:
        return redirect("hall:status", token=child.token)
    context = _ticket_context(request, ticket)
    context["rated"] = Rating.objects.filter(ticket=ticket).first()
    context["stars"] = range(5, 0, -1)
    return render(request, "hall/status.html", context)


@login_not_required
@require_POST
def rate(request: HttpRequest, token: str) -> HttpResponse:
    ticket = get_object_or_404(Ticket, token=token)
    try:
        services.do_rate_ticket(
            ticket, int(request.POST.get("stars") or 0), request.POST.get("comment", "")
        )
        messages.success(request, _("感谢您的评价。"))
    except (HallError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("请选择 1 到 5 星。")))
    return redirect("hall:status", token=token)


# --- display board (public) ------------------------------------------------------------------


@login_not_required
def board(request: HttpRequest, hall: str) -> HttpResponse:
    hall_obj = get_object_or_404(Hall, code=hall)
    return render(
        request,
        "hall/board.html",
        {"hall": hall_obj, "data": queries.board(hall_obj, _today()), "kiosk": True},
    )


@login_not_required
def board_data(request: HttpRequest, hall: str) -> JsonResponse:
    hall_obj = get_object_or_404(Hall, code=hall)
    services.do_mark_board_seen(hall_obj)
    response = JsonResponse(queries.board(hall_obj, _today()))
    response["Cache-Control"] = "no-store"
    return response


# --- the window ------------------------------------------------------------------------------


@policy.permission_required("hall.serve")
def window_choose(request: HttpRequest) -> HttpResponse:
    mine = Window.objects.filter(clerk_id=request.user.pk).first()
    if mine is not None and "change" not in request.GET:
        return redirect("hall:window", number=mine.number)
    windows = Window.objects.select_related("hall", "clerk").prefetch_related("skills")
    return render(request, "hall/window_choose.html", {"windows": windows})


@policy.permission_required("hall.serve")
@require_POST
def window_take(request: HttpRequest, number: int) -> HttpResponse:
    window = get_object_or_404(Window, number=number)
    services.do_take_window(Actor.from_request(request), window)
    return redirect("hall:window", number=number)


def _waiting_rows(window: Window) -> list[dict[str, Any]]:
    now = timezone.now()
    skills = [str(q.pk) for q in window.skills.all()]
    tickets = queries.waiting_today(_today(), skills)
    from . import rules

    ordered = rules.order_waiting(queries.as_waiting(tickets), rules.minutes(now))
    by_id: dict[Any, Ticket] = {t.pk: t for t in tickets}
    rows = []
    for w in ordered:
        t = by_id[w.id]
        rows.append(
            {
                "number": t.number,
                "minutes": int((now - t.issued_at).total_seconds() // 60),
                "green": t.priority == "green",
                "returned": t.state == TicketState.RETURNED,
            }
        )
    return rows


@policy.permission_required("hall.serve")
def window_page(request: HttpRequest, number: int) -> HttpResponse:
    window = get_object_or_404(
        Window.objects.select_related("hall", "clerk").prefetch_related("skills"), number=number
    )
    current = queries.current_ticket(window)
    no_shows = Ticket.objects.filter(
        day=_today(), state=TicketState.NO_SHOW, window=window
    ).order_by("-ended_at")[:10]
    context = {
        "window": window,
        "on_duty": window.clerk_id == request.user.pk,
        "current": current,
        "waiting": _waiting_rows(window),
        "no_shows": no_shows,
        "queues": Queue.objects.filter(is_backoffice=False),
        "items": Item.objects.filter(active=True).only("pk", "code", "name", "aliases", "pinyin"),
        "cases": Case.objects.filter(ticket=current).select_related("item") if current else [],
    }
    return render(request, "hall/window.html", context)


@policy.permission_required("hall.serve")
@require_POST
def window_act(request: HttpRequest, number: int) -> HttpResponse:
    window = get_object_or_404(Window, number=number)
    actor = Actor.from_request(request)
    action = request.POST.get("action", "")
    try:
        if action == "call":
            ticket = services.do_call_next_ticket(actor, window)
            if ticket is None:
                messages.info(request, _("没有等候的号码。"))
            else:
                messages.success(request, _("已叫号 %(n)s") % {"n": ticket.number})
        else:
            ticket = get_object_or_404(Ticket, pk=request.POST.get("ticket") or 0)
            n = {"n": ticket.number}
            if action == "recall":
                services.do_recall_ticket(actor, ticket)
                messages.success(request, _("已重呼 %(n)s。") % n)
            elif action == "start":
                services.do_start_ticket(actor, ticket)
                messages.success(request, _("%(n)s 开始办理。") % n)
            elif action == "finish":
                services.do_finish_ticket(actor, ticket)
                messages.success(request, _("%(n)s 已办结，可以叫下一位。") % n)
            elif action == "no_show":
                services.do_mark_no_show(actor, ticket)
                messages.success(request, _("%(n)s 已记为过号。") % n)
            elif action == "requeue":
                services.do_requeue_ticket(actor, ticket)
                messages.success(request, _("%(n)s 已重新排队（后移 3 位）。") % n)
            elif action == "transfer":
                queue = get_object_or_404(Queue, pk=request.POST.get("queue") or 0)
                services.do_transfer_ticket(actor, ticket, queue, request.POST.get("reason", ""))
                messages.success(request, _("%(n)s 已转到 %(q)s 排队。") % {**n, "q": queue.name})
            elif action == "escalate":
                services.do_escalate_ticket(actor, ticket, request.POST.get("reason", ""))
                messages.success(
                    request,
                    _("%(n)s 已转中台，请居民稍候；中台处理后优先叫号或直接办结。") % n,
                )
            elif action == "case":
                item = get_object_or_404(Item, pk=request.POST.get("item") or 0)
                case = services.do_open_case(
                    actor, item, ticket=ticket, citywide=bool(request.POST.get("citywide")),
                    phone=request.POST.get("phone", ""),
                )  # fmt: skip
                messages.success(
                    request,
                    _("已受理办件 %(n)s，承诺 %(d)s 前办结") % {"n": case.number, "d": case.due_on},
                )
            else:
                raise Http404
    except HallError as exc:
        messages.error(request, exc.message)
    return redirect("hall:window", number=number)


# --- back office and supervisor --------------------------------------------------------------


@policy.permission_required("hall.backoffice")
def backoffice(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        ticket = get_object_or_404(Ticket, pk=request.POST.get("ticket") or 0)
        actor = Actor.from_request(request)
        note = request.POST.get("note", "")
        try:
            if request.POST.get("action") == "finish":
                services.do_finish_ticket_in_backoffice(actor, ticket, note)
                messages.success(
                    request, _("%(n)s 已由中台办结，居民无需再到窗口。") % {"n": ticket.number}
                )
            else:
                services.do_return_ticket(actor, ticket, note)
                messages.success(
                    request,
                    _("%(n)s 已退回 %(w)s，连同处理意见，将优先叫号。")
                    % {"n": ticket.number, "w": ticket.window or _("前台")},
                )
        except HallError as exc:
            messages.error(request, exc.message)
        return redirect("hall:backoffice")
    tickets = list(
        Ticket.objects.filter(state=TicketState.ESCALATED)
        .select_related("queue", "window", "item", "clerk")
        .prefetch_related("cases__item")
        .order_by("issued_at")
    )
    rows = []
    for t in tickets:
        cases = list(t.cases.all())
        items = [c.item for c in cases] or ([t.item] if t.item else [])
        rows.append({"t": t, "cases": cases, "items": items})
    return render(request, "hall/backoffice.html", {"rows": rows})


@policy.permission_required("hall.supervise")
def supervise(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        window = get_object_or_404(Window, pk=request.POST.get("window") or 0)
        try:
            ticket = services.do_call_ticket_by_number(
                Actor.from_request(request), window, request.POST.get("number", "")
            )
            messages.success(
                request,
                _("已将 %(n)s 叫到 %(w)s 号窗口（已记录审计）")
                % {"n": ticket.number, "w": window.number},
            )
        except HallError as exc:
            messages.error(request, exc.message)
        return redirect("hall:supervise")
    return render(
        request,
        "hall/supervise.html",
        {
            "windows": Window.objects.select_related("clerk"),
            "data": [queries.board(h, _today()) for h in Hall.objects.all()],
        },
    )


# --- catalogue -------------------------------------------------------------------------------

ITEM_SORTS = {
    "code": gettext_lazy("编码"),
    "name": gettext_lazy("名称"),
    "promised_days": gettext_lazy("承诺时限"),
}
CHANNELS = {
    "window": ("channel_window", "窗口办理"),
    "self": ("channel_self_service", "自助办理"),
    "online": ("channel_online", "一网通办"),
    "citywide": ("channel_citywide", "全市通办"),
}


def _items_filtered(request: HttpRequest) -> Any:
    qs = queries.items(request.user)
    qs = queries.search_items(qs, request.GET.get("q", ""))
    if request.GET.get("hall"):
        qs = qs.filter(hall__code=request.GET["hall"])
    if request.GET.get("category"):
        qs = qs.filter(category=request.GET["category"])
    channel = CHANNELS.get(request.GET.get("channel", ""))
    if channel:
        qs = qs.filter(**{channel[0]: True})
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in ITEM_SORTS:
        qs = qs.order_by(sort, "code")
    return qs


def item_list(request: HttpRequest) -> HttpResponse:
    qs = _items_filtered(request)
    all_items = queries.items(request.user).filter(active=True)
    counts = {
        label: all_items.filter(**{field: True}).count() for field, label in CHANNELS.values()
    }
    return render(
        request,
        "hall/item_list.html",
        {
            "page": _page(request, qs),
            "query": _query_without_page(request),
            "halls": Hall.objects.all(),
            "all_queues": Queue.objects.select_related("hall").annotate(n_items=Count("items")),
            "lockers": Locker.objects.select_related("hall"),
            "items": Item.objects.filter(active=True).select_related("queue"),
            "categories": all_items.order_by("category")
            .values_list("category", flat=True)
            .distinct(),
            "channels": {k: v[1] for k, v in CHANNELS.items()},
            "counts": counts,
            "total": all_items.count(),
            "sorts": ITEM_SORTS,
            "sort": request.GET.get("sort", ""),
            "can_manage": policy.can(request.user, "hall.manage"),
        },
    )


def item_export(request: HttpRequest) -> HttpResponse:
    labels = [c.label for c in services.ITEM_COLUMNS]
    rows = [
        [i.code, i.name, i.aliases, i.category, i.hall.code, i.queue.prefix,
         *("是" if v else "否" for v in (i.channel_window, i.channel_self_service,
                                        i.channel_online, i.channel_citywide)),
         i.fee, i.promised_days, services.format_materials(i.materials), i.legal_basis]
        for i in _items_filtered(request)
    ]  # fmt: skip
    return _xlsx("hall-items", "事项目录", labels, rows)


@policy.permission_required("hall.manage")
def item_import(request: HttpRequest) -> HttpResponse:
    errors: list[Any] = []
    if request.method == "POST" and request.FILES.get("file"):
        upload: Any = request.FILES["file"]
        if upload.size and upload.size > 5 * 1024 * 1024:
            errors = [RowError(0, _("文件"), _("文件超过 5 MB"))]
        else:
            try:
                created, updated = services.do_import_items(
                    Actor.from_request(request), upload, upload.name or ""
                )
            except ImportRejected as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("已导入：新增 %(c)s 项，更新 %(u)s 项") % {"c": created, "u": updated},
                )
                return redirect("hall:items")
    return render(
        request,
        "hall/item_import.html",
        {"errors": errors, "columns": services.ITEM_COLUMNS},
        status=400 if errors else 200,
    )


def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    item = get_object_or_404(queries.items(request.user), code=code)
    return render(request, "hall/item_detail.html", {"item": item})


# --- cases and ratings -----------------------------------------------------------------------


def _cases_filtered(request: HttpRequest) -> Any:
    qs = queries.cases(request.user)
    if request.GET.get("overdue"):
        qs = qs.filter(pk__in=queries.overdue_cases().values("pk"))
    if request.GET.get("status"):
        qs = qs.filter(status=request.GET["status"])
    if request.GET.get("q"):
        qs = qs.filter(number__icontains=request.GET["q"].strip())
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in ("number", "due_on", "accepted_on"):
        qs = qs.order_by(sort, "pk")
    return qs


def case_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        case = get_object_or_404(queries.cases(request.user), pk=request.POST.get("case") or 0)
        try:
            services.do_set_case_status(
                Actor.from_request(request), case, request.POST.get("status", "")
            )
            messages.success(request, _("办件 %(n)s 状态已更新") % {"n": case.number})
        except (HallError, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", _("无权操作。")))
        return redirect(request.get_full_path())
    today = _today()
    return render(
        request,
        "hall/case_list.html",
        {
            "page": _page(request, _cases_filtered(request)),
            "query": _query_without_page(request),
            "statuses": Case.Status.choices,
            "today": today,
            "can_change": policy.can(request.user, "hall.serve")
            or policy.can(request.user, "hall.backoffice"),
        },
    )


def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One case: its item and materials, the ticket it came from, its history and rating."""
    case = get_object_or_404(queries.cases(request.user), number=number)
    if request.method == "POST":
        try:
            services.do_set_case_status(
                Actor.from_request(request), case, request.POST.get("status", "")
            )
            messages.success(
                request,
                _("办件 %(n)s 已改为“%(s)s”。")
                % {"n": case.number, "s": case.get_status_display()},
            )
        except (HallError, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", _("无权操作。")))
        return redirect("hall:case", number=case.number)
    pickups = Pickup.objects.filter(case=case).select_related("locker").order_by("pk")
    return render(
        request,
        "hall/case_detail.html",
        {
            "case": case,
            "pickups": pickups,
            "clerk": _person(case.clerk),
            "rating": Rating.objects.filter(case=case).first(),
            "today": _today(),
            "can_change": policy.can(request.user, "hall.serve")
            or policy.can(request.user, "hall.backoffice"),
            "can_see_ticket": policy.can(request.user, "hall.view")
            or policy.can(request.user, "hall.manage"),
        },
    )


def _person(user: Any) -> str:
    """A person as staff know them: their name, else the login name."""
    if user is None:
        return "—"
    return str(user)


def case_export(request: HttpRequest) -> HttpResponse:
    labels = [
        "办件编号",
        "事项",
        "状态",
        "全市通办",
        "受理日期",
        "承诺办结日期",
        "办结日期",
        "窗口",
    ]
    rows = [
        [
            c.number,
            c.item.name,
            c.get_status_display(),
            c.citywide,
            c.accepted_on,
            c.due_on,
            c.closed_on,
            c.window.number if c.window else "",
        ]
        for c in _cases_filtered(request)
    ]
    return _xlsx("hall-cases", "办件", labels, rows)


def rating_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        rating = get_object_or_404(
            queries.ratings(request.user), pk=request.POST.get("rating") or 0
        )
        try:
            services.do_close_follow_up(
                Actor.from_request(request), rating, request.POST.get("note", "")
            )
            messages.success(request, _("整改已记录"))
        except (HallError, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", _("无权操作。")))
        return redirect(request.get_full_path())
    qs = queries.ratings(request.user)
    if request.GET.get("bad"):
        qs = qs.filter(stars__lte=2)
    return render(
        request,
        "hall/rating_list.html",
        {
            "page": _page(request, qs),
            "query": _query_without_page(request),
            "today": _today(),
            "can_manage": policy.can(request.user, "hall.manage"),
        },
    )


# --- statistics and staffing -----------------------------------------------------------------


def _range(request: HttpRequest) -> tuple[date, date]:
    today = _today()
    try:
        end = date.fromisoformat(request.GET.get("end") or today.isoformat())
        start = date.fromisoformat(
            request.GET.get("start") or (end - timedelta(days=6)).isoformat()
        )
    except ValueError:
        start = end = today
    if start > end:
        start, end = end, start
    return start, min(end, start + timedelta(days=366))


def _stats_data(request: HttpRequest) -> dict[str, Any]:
    start, end = _range(request)
    return queries.statistics(request.user, start, end)


def stats(request: HttpRequest) -> HttpResponse:
    data = _stats_data(request)
    return render(
        request,
        "hall/stats.html",
        {
            "s": data,
            "hour_chart": charts.bars(
                [(f"{h}时", n) for h, n in data["by_hour"]], _("每小时取号量")
            ),
            "item_chart": charts.hbars(data["by_item"][:12], _("事项办理量（前 12）")),
            "window_chart": charts.hbars(data["by_window"], _("窗口办理量")),
        },
    )


def stats_export(request: HttpRequest) -> HttpResponse:
    data = _stats_data(request)
    rows: list[list[Any]] = [["合计", "取号", data["total"]], ["合计", "办结", data["served"]]]
    for key, label in (("wait_p50", "等候 p50 分钟"), ("wait_p90", "等候 p90 分钟"),
                       ("service_p50", "办理 p50 分钟"), ("service_p90", "办理 p90 分钟"),
                       ("no_show_rate", "过号率"), ("escalation_rate", "转中台率"),
                       ("transfer_rate", "转窗率"), ("mean_stars", "平均星级")):  # fmt: skip
        rows.append(["指标", label, round(data[key], 4) if data[key] is not None else ""])
    for group, label in (
        ("by_hour", "小时"),
        ("by_item", "事项"),
        ("by_window", "窗口"),
        ("by_clerk", "人员"),
    ):
        rows.extend([label, str(k), n] for k, n in data[group])
    return _xlsx("hall-stats", "统计", ["分组", "项目", "数值"], rows)


def staffing(request: HttpRequest) -> HttpResponse:
    data = _stats_data(request)
    windows = Window.objects.filter(active=True).count()
    try:
        target = min(0.99, max(0.5, float(request.GET.get("target") or 0.8)))
        within = min(60.0, max(1.0, float(request.GET.get("within") or 10)))
    except ValueError:
        target, within = 0.8, 10.0
    advice = queries.staffing(data, windows, target, within)
    return render(request, "hall/staffing.html", {"s": data, "a": advice})


# --- 24-hour self-service terminal (public) --------------------------------------------------


@login_not_required
def terminal(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/terminal.html", {"kiosk": True})


@login_not_required
def terminal_consult(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    found = queries.search_items(Item.objects.filter(active=True), q)[:20] if q else []
    return render(request, "hall/terminal_consult.html", {"q": q, "found": found})


@login_not_required
def terminal_item(request: HttpRequest, code: str) -> HttpResponse:
    item = get_object_or_404(Item.objects.select_related("hall"), code=code, active=True)
    return render(request, "hall/terminal_item.html", {"item": item})


@login_not_required
def terminal_apply(request: HttpRequest) -> HttpResponse:
    """智能办理: a self-service item, the ID swipe and a short form open a case."""
    items = Item.objects.filter(active=True, channel_self_service=True).order_by("code")
    item = items.filter(code=request.GET.get("item") or request.POST.get("item") or "").first()
    error, case = "", None
    if request.method == "POST" and item is not None:
        if not request.POST.get("confirm"):
            error = _("请确认已备齐材料并同意提交。")
        else:
            try:
                case = services.do_open_case(
                    Actor(None, "terminal", "24h-terminal"), item,
                    id_number=request.POST.get("id_number", ""),
                    note=_("自助终端申请：") + request.POST.get("note", "")[:150],
                    phone=request.POST.get("phone", ""),
                )  # fmt: skip
            except HallError as exc:
                error = exc.message
    return render(
        request,
        "hall/terminal_apply.html",
        {"items": items, "item": item, "error": error, "case": case},
        status=400 if error else 200,
    )


RATE_CASE_SALT = "hall.rate_case"


@login_not_required
@require_POST
def terminal_rate(request: HttpRequest) -> HttpResponse:
    """Rate a finished case right after the query (a signed, 10-minute token, no ID in the page)."""
    try:
        case_pk = signing.loads(request.POST.get("token", ""), salt=RATE_CASE_SALT, max_age=600)
        case = get_object_or_404(Case, pk=case_pk)
        services.do_rate_case(
            case, int(request.POST.get("stars") or 0), request.POST.get("comment", "")
        )
    except (signing.BadSignature, ValueError):
        messages.error(request, _("评价已过期，请重新查询。"))
    except HallError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("感谢您的评价。"))
    return redirect("hall:terminal_query")


# Wrong ID numbers for one case number from one address (the terminal) per 15 minutes: guessing
# an applicant's number stops here, other residents at the same terminal are not held up.
TERMINAL_QUERY_LIMIT = 5


@login_not_required
def terminal_query(request: HttpRequest) -> HttpResponse:
    """自助查询: case number plus the applicant's ID number; nothing else is shown."""
    case = None
    error = ""
    status = 200
    if request.method == "POST":
        number = request.POST.get("number", "").strip()[:40]
        tries = f"hall-terminal-query:{client_address(request)}:{number}"
        if ratelimit.exceeded(tries, TERMINAL_QUERY_LIMIT):
            error, status = _("查询次数过多，请 15 分钟后再试，或到窗口咨询。"), 429
        else:
            case = queries.find_case(number, request.POST.get("id_number", ""))
            if case is None:
                ratelimit.hit(tries, 15 * 60)
                error, status = _("未找到办件：请核对办件编号和身份证号码。"), 404
    token = ""
    if case is not None and case.closed_on and not Rating.objects.filter(case=case).exists():
        token = signing.dumps(case.pk, salt=RATE_CASE_SALT)
    return render(
        request,
        "hall/terminal_query.html",
        {"case": case, "error": error, "today": _today(), "token": token, "stars": range(5, 0, -1)},
        status=status,
    )


# --- appointments ----------------------------------------------------------------------------


@login_not_required
def book(request: HttpRequest) -> HttpResponse:
    """预约 (public): choose an item, a slot with free places, swipe or type the ID number."""
    today = _today()
    items = Item.objects.filter(slots__day__gte=today).distinct().order_by("code")
    item = items.filter(code=request.GET.get("item") or request.POST.get("item") or "").first()
    error, booked = "", None
    if request.method == "POST" and item is not None:
        slot = get_object_or_404(Slot, pk=request.POST.get("slot") or 0, item=item)
        try:
            booked = services.do_book_appointment(
                slot, request.POST.get("id_number", ""), phone=request.POST.get("phone", "")
            )
        except HallError as exc:
            error = exc.message
    slots = []
    if item is not None:
        qs = (
            Slot.objects.filter(item=item, day__gte=today, day__lte=today + timedelta(days=14))
            .annotate(taken=Count("appointments", filter=Q(appointments__status="booked")))
            .order_by("day", "starts_at")
        )
        slots = [{"slot": s, "free": max(0, s.bookable - s.taken)} for s in qs]
    return render(
        request,
        "hall/book.html",
        {"items": items, "item": item, "slots": slots, "error": error, "booked": booked},
        status=400 if error else 200,
    )


@login_not_required
def book_cancel(request: HttpRequest) -> HttpResponse:
    error, done = "", None
    if request.method == "POST":
        try:
            done = services.do_cancel_appointment(
                request.POST.get("code", ""), request.POST.get("id_number", "")
            )
        except HallError as exc:
            error = exc.message
    return render(
        request,
        "hall/book_cancel.html",
        {"error": error, "done": done},
        status=400 if error else 200,
    )


@policy.permission_required("hall.manage")
def slots(request: HttpRequest) -> HttpResponse:
    """Open appointment slots (hall.manage) and see their bookings."""
    if request.method == "POST":
        try:
            item = get_object_or_404(Item, pk=request.POST.get("item") or 0)
            times = [
                time_cls.fromisoformat(t.strip())
                for t in request.POST.get("times", "").replace("，", ",").split(",")
                if t.strip()
            ]
            made = services.do_create_slots(
                Actor.from_request(request), item,
                date.fromisoformat(request.POST.get("first", "")),
                date.fromisoformat(request.POST.get("last", "")),
                times, int(request.POST.get("capacity") or 0),
                int(request.POST.get("reserve") or 0),
            )  # fmt: skip
            messages.success(request, _("已开放 %(n)s 个时段") % {"n": made})
        except (ValueError, HallError) as exc:
            messages.error(request, getattr(exc, "message", _("请检查日期、时间和人数。")))
        return redirect("hall:slots")
    qs = (
        Slot.objects.filter(day__gte=_today())
        .select_related("item")
        .annotate(
            booked=Count("appointments", filter=Q(appointments__status="booked")),
            checked_in=Count("appointments", filter=Q(appointments__status="checked_in")),
        )
        .order_by("day", "starts_at", "item__code")
    )
    return render(
        request,
        "hall/slots.html",
        {"page": _page(request, qs), "query": _query_without_page(request),
         "items": Item.objects.filter(active=True).only("pk", "code", "name"), "today": _today()},
    )  # fmt: skip


# --- lockers ---------------------------------------------------------------------------------


def lockers(request: HttpRequest) -> HttpResponse:
    """Compartments, what waits in them (days left, reminders due), deposit a finished case.

    Reminders and expiry are the hourly schedule's (``tasks.expire_lockers``), not this page's."""
    queries.require_any(request.user, "hall.serve", "hall.backoffice", "hall.view")
    if request.method == "POST":
        case = Case.objects.filter(number=request.POST.get("case", "").strip()).first()
        locker = Locker.objects.filter(pk=request.POST.get("locker") or 0, active=True).first()
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
    waiting = {
        p.locker_id: p
        for p in Pickup.objects.filter(status=Pickup.Status.WAITING).select_related("case__item")
    }
    now = timezone.now()
    rows = [
        {"locker": locker, "pickup": waiting.get(locker.pk),
         "days_left": (waiting[locker.pk].expires_at - now).days if locker.pk in waiting else None}
        for locker in Locker.objects.filter(active=True)
    ]  # fmt: skip
    expired = Pickup.objects.filter(status=Pickup.Status.EXPIRED).select_related("case", "locker")[
        :50
    ]
    return render(request, "hall/lockers.html", {"rows": rows, "expired": expired})


@login_not_required
def terminal_pickup(request: HttpRequest) -> HttpResponse:
    error, pickup = "", None
    if request.method == "POST":
        try:
            pickup = services.do_collect_pickup(
                request.POST.get("code", ""), request.POST.get("id_number", "")
            )
        except HallError as exc:
            error = exc.message
    return render(
        request, "hall/terminal_pickup.html", {"error": error, "pickup": pickup},
        status=400 if error else 200,
    )  # fmt: skip


# --- hall set-up -----------------------------------------------------------------------------

SETUP_FORMS: dict[str, Any] = {
    "hall": (HallForm, Hall, services.do_save_hall),
    "queue": (QueueForm, Queue, services.do_save_queue),
    "locker": (LockerForm, Locker, services.do_save_locker),
}


def _save_setup_form(request: HttpRequest, actor: Actor, form: str) -> bool:
    """Create (no ``pk``) or edit a hall, queue or locker; errors go back as messages."""
    form_cls, model, save = SETUP_FORMS[form]
    pk = request.POST.get("pk")
    instance = get_object_or_404(model, pk=pk) if pk else None
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
                window = get_object_or_404(Window, pk=request.POST.get("window") or 0)
                services.do_configure_window(
                    actor, window, [int(q) for q in request.POST.getlist("queues")],
                    bool(request.POST.get("active")),
                    bool(request.POST.get("off_duty")),
                )  # fmt: skip
            elif form == "hours":
                hall = get_object_or_404(Hall, pk=request.POST.get("hall") or 0)
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
            "windows": Window.objects.select_related("hall", "clerk").prefetch_related("skills"),
            "queues": Queue.objects.filter(is_backoffice=False),
            "halls": Hall.objects.all(),
            "all_queues": Queue.objects.select_related("hall").annotate(n_items=Count("items")),
            "lockers": Locker.objects.select_related("hall"),
            "items": Item.objects.filter(active=True).select_related("queue"),
            "can_calendar": policy.can(request.user, "calendar.manage"),
        },
    )


# --- ticket log ------------------------------------------------------------------------------

TICKET_SORTS = {
    "issued_at": gettext_lazy("取号时间"),
    "number": gettext_lazy("号码"),
    "first_called_at": gettext_lazy("叫号时间"),
}


def _tickets_filtered(request: HttpRequest) -> Any:
    qs = queries.tickets(request.user)
    try:
        day = date.fromisoformat(request.GET.get("day") or _today().isoformat())
    except ValueError:
        day = _today()
    qs = qs.filter(day=day)
    for key in ("state", "priority"):
        if request.GET.get(key):
            qs = qs.filter(**{key: request.GET[key]})
    if request.GET.get("queue"):
        qs = qs.filter(queue__prefix=request.GET["queue"])
    if request.GET.get("window"):
        qs = qs.filter(window__number=request.GET["window"])
    if request.GET.get("q"):
        qs = qs.filter(number__icontains=request.GET["q"].strip())
    sort = request.GET.get("sort", "")
    return (
        qs.order_by(sort, "pk")
        if sort.lstrip("-") in TICKET_SORTS
        else qs.order_by("issued_at", "pk")
    )


def ticket_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "hall/ticket_list.html",
        {
            "page": _page(request, _tickets_filtered(request)),
            "query": _query_without_page(request),
            "states": Ticket.State.choices,
            "queues": Queue.objects.filter(is_backoffice=False),
            "sorts": TICKET_SORTS,
            "day": request.GET.get("day") or _today().isoformat(),
        },
    )


def ticket_export(request: HttpRequest) -> HttpResponse:
    labels = ["号码", "队列", "状态", "优先级", "取号方式", "事项", "取号", "首次叫号", "重呼",
              "开始办理", "结束", "窗口", "人员"]  # fmt: skip

    def at(moment: Any) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    rows = [
        [t.number, t.queue.prefix, t.get_state_display(), t.priority, t.get_source_display(),
         t.item.name if t.item else "", at(t.issued_at), at(t.first_called_at), t.recalls,
         at(t.started_at), at(t.ended_at), t.window.number if t.window else "",
         t.clerk.username if t.clerk else ""]
        for t in _tickets_filtered(request)
    ]  # fmt: skip
    return _xlsx("hall-tickets", "排队记录", labels, rows)


ACTION_LABELS = {
    "issue": gettext_lazy("取号"),
    "call": gettext_lazy("叫号"),
    "recall": gettext_lazy("重呼"),
    "start": gettext_lazy("开始办理"),
    "finish": gettext_lazy("办结"),
    "no_show": gettext_lazy("过号"),
    "requeue": gettext_lazy("重新排队"),
    "transfer": gettext_lazy("转窗"),
    "transfer_in": gettext_lazy("转入"),
    "escalate": gettext_lazy("转中台"),
    "return": gettext_lazy("中台退回"),
    "call_by_number": gettext_lazy("指定叫号"),
    "cancel": gettext_lazy("取消"),
}


def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(queries.tickets(request.user), pk=pk)
    states = dict(Ticket.State.choices)
    events = [
        {"e": e, "action": ACTION_LABELS.get(e.action, e.action),
         "from": states.get(e.from_state, e.from_state), "to": states.get(e.to_state, e.to_state)}
        for e in ticket.events.select_related("window", "actor")
    ]  # fmt: skip
    family = Ticket.objects.filter(Q(pk=ticket.parent_id) | Q(parent=ticket)).select_related(
        "queue"
    )
    return render(
        request, "hall/ticket_detail.html", {"ticket": ticket, "events": events, "family": family}
    )
