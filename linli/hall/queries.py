"""Permission-checked reads of the service centre, with a fixed number of queries."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext

from linli.core import crypto, policy
from linli.core.identity import check_id_number
from linli.core.roles import Level
from linli.geo.models import Subdistrict

from . import rules
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
    TicketEvent,
    Window,
    hall_key,
    split_hall_key,
)
from .rules import TicketState
from .voice import announcement

M = TypeVar("M", bound=Model)

ID_PURPOSE = "hall.id_number"
OPEN_STATES = (TicketState.WAITING, TicketState.RETURNED)
ACTIVE_AT_WINDOW = (TicketState.CALLED, TicketState.SERVING)

STAFF_PERMISSIONS = ("hall.view", "hall.manage", "hall.serve", "hall.backoffice", "hall.supervise")


def require_any(user: Any, *permissions: str) -> None:
    if not any(policy.can(user, p) for p in permissions or STAFF_PERMISSIONS):
        raise PermissionDenied("hall")


def in_reach(qs: QuerySet[M], user: Any, hall_path: str) -> QuerySet[M]:
    """Rows of the halls of the streets the user reaches; ``hall_path`` leads to the hall.

    Every row of the hall (queue, window, item, ticket, case, rating, locker, slot) belongs to
    the street of its hall. A hall without a street is the installation's one street's (as an
    account without a place reaches the only street): a street account sees it only while no
    other street exists, so it can never show one street's rows to another; district and
    city accounts never see it."""
    path = "subdistrict_id" if hall_path == "pk" else f"{hall_path}__subdistrict_id"
    r = policy.reach(user)
    if r is None or r.level != Level.STREET or r.place is None:
        return policy.scoped_street(qs, user, path)
    lone = Q(**{f"{path}__isnull": True}) & ~Exists(Subdistrict.objects.exclude(pk=r.place))
    return qs.filter(Q(**{path: r.place}) | lone)


def items(user: Any) -> QuerySet[Item]:
    """The catalogue: every hall role reads it (clerks need the materials at the counter)."""
    require_any(user)
    return in_reach(Item.objects.select_related("hall__subdistrict", "queue"), user, "hall")


def cases(user: Any) -> QuerySet[Case]:
    """Street staff of the hall read every case; a window clerk the cases they accepted; the
    back office the cases whose ticket was escalated to it."""
    require_any(user, "hall.view", "hall.serve", "hall.backoffice")
    qs = in_reach(
        Case.objects.select_related("item__hall__subdistrict", "window", "clerk", "ticket"),
        user,
        "item__hall",
    )
    if policy.can(user, "hall.view"):
        return qs
    if policy.can(user, "hall.serve"):
        return qs.filter(clerk=user)
    return qs.filter(ticket__escalation_reason__gt="")


def ratings(user: Any) -> QuerySet[Rating]:
    require_any(user, "hall.view", "hall.manage")
    return in_reach(
        Rating.objects.select_related("ticket", "case", "window", "clerk", "item"),
        user,
        "item__hall",
    )


def tickets(user: Any) -> QuerySet[Ticket]:
    """Hall staff read every ticket; a window clerk the tickets they served."""
    require_any(user, "hall.view", "hall.manage", "hall.supervise", "hall.serve")
    qs = in_reach(
        Ticket.objects.select_related("queue", "window", "clerk", "item"), user, "queue__hall"
    )
    if any(policy.can(user, p) for p in ("hall.view", "hall.manage", "hall.supervise")):
        return qs
    return qs.filter(clerk=user)


def id_hashes(number: str) -> list[str]:
    """The number's hash under every accepted cipher suite: what a look-up matches while an
    installation moves from one suite to the other (docs/privacy.md)."""
    return crypto.keyed_hashes(number, ID_PURPOSE)


# --- the queue, the window, the terminal (public or per window: no reach) ------------------


@dataclass(frozen=True)
class Position:
    ahead: int
    wait_minutes: float | None


def as_waiting(tickets: list[Ticket]) -> list[rules.WaitingTicket]:
    """Tickets as the pure queue rules see them."""
    return [
        rules.WaitingTicket(
            id=t.pk,
            number=t.number,
            skill=str(t.queue_id),
            issued_at=rules.minutes(t.issued_at),
            priority=t.priority,  # type: ignore[arg-type]
            appointment_at=rules.minutes(t.appointment_at) if t.appointment_at else None,
            requeue_rank=t.requeue_rank,
            returned=t.state == TicketState.RETURNED,
        )
        for t in tickets
    ]


def waiting_today(day: date, queue_ids: Any = None) -> list[Ticket]:
    """The day's open tickets (waiting or returned by the back office), oldest first."""
    qs = Ticket.objects.filter(day=day, state__in=OPEN_STATES)
    if queue_ids is not None:
        qs = qs.filter(queue_id__in=list(queue_ids))
    return list(qs.order_by("issued_at", "pk"))


def position(ticket: Ticket, now: datetime | None = None) -> Position | None:
    """People ahead and the estimated wait, for the slip and the status page."""
    if ticket.state not in OPEN_STATES:
        return None
    now = now or timezone.now()
    waiting = as_waiting(waiting_today(ticket.day, [ticket.queue_id]))
    ahead = rules.people_ahead(ticket.pk, waiting, rules.minutes(now))
    open_windows = Window.objects.filter(
        active=True, clerk__isnull=False, skills=ticket.queue_id
    ).count()
    return Position(
        ahead,
        rules.estimate_wait_minutes(ahead, open_windows, ticket.queue.mean_service_minutes),
    )


def find_case(number: str, id_number: str) -> Case | None:
    """The terminal's look-up: the case number and the applicant's ID must both match."""
    check = check_id_number(id_number)
    if not check.valid or check.number is None or not number.strip():
        return None
    return (
        Case.objects.select_related("item")
        .filter(number=number.strip(), id_hash__in=id_hashes(check.number))
        .first()
    )


def overdue_cases(today: date | None = None) -> QuerySet[Case]:
    """Cases not finished whose promised date has passed (every street: callers scope it)."""
    today = today or timezone.localdate()
    return Case.objects.filter(
        status__in=[rules.CaseStatus.ACCEPTED, rules.CaseStatus.IN_PROGRESS], due_on__lt=today
    )


def current_ticket(window: Window) -> Ticket | None:
    """The ticket called to or served at a window now (today's only)."""
    return (
        Ticket.objects.filter(window=window, state__in=ACTIVE_AT_WINDOW, day=timezone.localdate())
        .select_related("queue", "item")
        .order_by("-called_at")
        .first()
    )


def search_items(qs: QuerySet[Item], text: str) -> QuerySet[Item]:
    """Name, alias, code or pinyin initials (e.g. ``jzz`` for 居住证)."""
    text = text.strip()
    if not text:
        return qs
    return qs.filter(
        Q(name__icontains=text)
        | Q(aliases__icontains=text)
        | Q(code__icontains=text)
        | Q(pinyin__icontains=text.lower())
    )


# --- display board ---------------------------------------------------------------------------


def board(hall: Hall, day: date, last_n: int = 8) -> dict[str, Any]:
    """What a hall's display shows: current call per window, last calls, waiting counts.

    Ticket numbers and window numbers only — never a name. Four queries whatever the size.
    """
    windows = list(Window.objects.filter(hall=hall, active=True).order_by("number"))
    active = {
        t.window_id: t
        for t in Ticket.objects.filter(
            day=day, window__hall=hall, state__in=(TicketState.CALLED, TicketState.SERVING)
        ).order_by("called_at")
    }
    calls = list(
        TicketEvent.objects.filter(
            ticket__day=day, window__hall=hall, action__in=("call", "recall", "call_by_number")
        )
        .select_related("ticket", "window")
        .order_by("-at", "-pk")[:last_n]
    )
    waiting = Counter(
        Ticket.objects.filter(
            day=day, queue__hall=hall, state__in=(TicketState.WAITING, TicketState.RETURNED)
        ).values_list("queue__prefix", "queue__name")
    )
    return {
        "hall": {"code": hall.code, "key": hall.key, "name": hall.name},
        "now": timezone.now().isoformat(),
        "windows": [
            {
                "number": w.number,
                "open": w.clerk_id is not None,
                "ticket": active[w.pk].number if w.pk in active else None,
                "state": active[w.pk].state if w.pk in active else None,
            }
            for w in windows
        ],
        "calls": [
            {
                "id": e.pk,
                "number": e.ticket.number,
                "window": e.window.number if e.window else None,
                "at": timezone.localtime(e.at).strftime("%H:%M:%S"),
                "recall": e.action == "recall",
                "voice": announcement(e.ticket.number, e.window.number if e.window else None),
            }
            for e in calls
        ],
        "waiting": [
            {"prefix": prefix, "queue": name, "count": count}
            for (prefix, name), count in sorted(waiting.items())
        ],
        "waiting_total": sum(waiting.values()),
    }


# --- reminders (the schedule acts for no user; each notice goes to who handles the matter) --


def centre_managers() -> list[Any]:
    """The service centre's managers (hall.manage in the service-centre department); the street
    admins when the centre has none, so a reminder always reaches someone."""
    from linli.core.models import User
    from linli.core.roles import Department, Role

    staff = User.objects.filter(is_active=True).order_by("pk")
    managers = list(staff.filter(role=Role.STREET_STAFF, department=Department.SERVICE_CENTRE))
    return managers or list(staff.filter(role=Role.STREET_ADMIN))


def open_cases_due_by(horizon: date) -> QuerySet[Case]:
    """Cases not yet finished whose promised date is on or before ``horizon`` (overdue ones too)."""
    return (
        Case.objects.filter(
            status__in=[rules.CaseStatus.ACCEPTED, rules.CaseStatus.IN_PROGRESS],
            due_on__lte=horizon,
        )
        .select_related("item", "clerk")
        .order_by("due_on", "pk")
    )


def open_follow_ups() -> QuerySet[Rating]:
    """Bad ratings (1–2 stars) whose follow-up is not done yet."""
    return (
        Rating.objects.filter(follow_up_due__isnull=False, follow_up_done_at__isnull=True)
        .select_related("window", "item")
        .order_by("follow_up_due", "pk")
    )


def booked_on(day: date) -> QuerySet[Any]:
    """Bookings still standing for a day that left a phone number for the reminder."""
    from .models import Appointment

    return (
        Appointment.objects.filter(slot__day=day, status=Appointment.Status.BOOKED)
        .exclude(phone_cipher="")
        .select_related("slot__item__hall")
        .order_by("slot__starts_at", "pk")
    )


# --- statistics ------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (the simulator's rule)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _minutes(a: Any, b: Any) -> float | None:
    if a is None or b is None:
        return None
    minutes: float = (b - a).total_seconds() / 60
    return minutes


def statistics(user: Any, start: date, end: date) -> dict[str, Any]:
    """Volumes, waits, service times and rates over a day range (inclusive)."""
    require_any(user, "hall.view")
    rows = list(
        in_reach(
            Ticket.objects.filter(day__gte=start, day__lte=end, parent__isnull=True),
            user,
            "queue__hall",
        ).values(
            "state", "issued_at", "first_called_at", "started_at", "ended_at",
            "item__name", "window__number", "queue__hall__code",
            "queue__hall__subdistrict__code", "clerk__username", "clerk__display_name", "pk",
        )
    )  # fmt: skip
    transferred_ids = set(
        in_reach(
            Ticket.objects.filter(day__gte=start, day__lte=end, state=TicketState.TRANSFERRED),
            user,
            "queue__hall",
        ).values_list("pk", flat=True)
    )
    escalated_ids = set(
        in_reach(
            TicketEvent.objects.filter(
                ticket__day__gte=start, ticket__day__lte=end, action="escalate"
            ),
            user,
            "ticket__queue__hall",
        ).values_list("ticket_id", flat=True)
    )
    stars = list(
        in_reach(
            Rating.objects.filter(at__date__gte=start, at__date__lte=end), user, "item__hall"
        ).values_list("stars", flat=True)
    )
    by_hour: Counter[int] = Counter()
    by_item: Counter[str] = Counter()
    by_window: Counter[tuple[str, int]] = Counter()  # (hall key, window number)
    by_clerk: Counter[str] = Counter()
    by_hall: Counter[str] = Counter()
    hour_days: dict[int, set[date]] = defaultdict(set)
    waits: list[float] = []
    services: list[float] = []
    no_shows = 0
    for r in rows:
        issued = timezone.localtime(r["issued_at"])
        by_hour[issued.hour] += 1
        hour_days[issued.hour].add(issued.date())
        by_item[r["item__name"] or "（未选事项）"] += 1
        # Halls and windows by the hall's key: two streets' "A" halls and "1号" windows are
        # different counters (a district account reaches both).
        hall = hall_key(r["queue__hall__subdistrict__code"], r["queue__hall__code"])
        by_hall[hall] += 1
        if r["window__number"] is not None:
            by_window[hall, r["window__number"]] += 1
        if r["clerk__username"]:
            by_clerk[r["clerk__display_name"] or r["clerk__username"]] += 1
        wait = _minutes(r["issued_at"], r["first_called_at"])
        if wait is not None:
            waits.append(wait)
        service = _minutes(r["started_at"], r["ended_at"])
        if service is not None and r["state"] in (
            TicketState.DONE,
            TicketState.ESCALATED,
            TicketState.RETURNED,
        ):
            services.append(service)
        if r["state"] == TicketState.NO_SHOW:
            no_shows += 1
    total = len(rows)

    def rate(n: int) -> float | None:
        return n / total if total else None

    halls = {hall for hall, _number in by_window}

    def window_label(window: tuple[str, int]) -> str:
        name = str(gettext("%(number)s号窗口") % {"number": window[1]})
        return name if len(halls) <= 1 else f"{window[0]} {name}"

    hours = sorted(by_hour)
    return {
        "start": start,
        "end": end,
        "total": total,
        "served": sum(1 for r in rows if r["state"] == TicketState.DONE),
        "by_hour": [(h, by_hour[h]) for h in range(min(hours), max(hours) + 1)] if hours else [],
        "by_item": by_item.most_common(),
        "by_window": [(window_label(w), n) for w, n in sorted(by_window.items())],
        "by_clerk": by_clerk.most_common(),
        "by_hall": sorted(by_hall.items()),
        "wait_p50": percentile(waits, 0.5),
        "wait_p90": percentile(waits, 0.9),
        "service_p50": percentile(services, 0.5),
        "service_p90": percentile(services, 0.9),
        "mean_service": sum(services) / len(services) if services else None,
        "no_show_rate": rate(no_shows),
        "escalation_rate": rate(len(escalated_ids)),
        "transfer_rate": rate(len(transferred_ids)),
        "ratings": len(stars),
        "mean_stars": sum(stars) / len(stars) if stars else None,
        "bad_ratings": sum(1 for s in stars if s <= 2),
        "open_days": len({timezone.localtime(r["issued_at"]).date() for r in rows}),
        "hour_days": {h: len(days) for h, days in hour_days.items()},
    }


def staffing(
    stats: dict[str, Any], windows: int, target: float = 0.8, within: float = 10.0
) -> dict[str, Any]:
    """Erlang figures for the measured hall: arrivals per hour and the mean service time."""
    mean_service = stats["mean_service"] or 10.0
    # An hour's rate is averaged over the days the hall was open in that hour (today so far
    # does not dilute the afternoon).
    per_hour = [(h, n / max(1, stats["hour_days"].get(h, 0))) for h, n in stats["by_hour"]]
    needed = rules.windows_needed_per_hour(
        [rate for _h, rate in per_hour], mean_service, target, within
    )
    busy = [rate for _h, rate in per_hour if rate > 0]
    mean_rate = sum(busy) / len(busy) if busy else 0.0
    summary = (
        rules.erlang_summary(max(1, windows), mean_rate, mean_service, within) if busy else None
    )
    pooling = None
    if busy and windows >= 2:
        lam, mu = mean_rate / 60, 1 / mean_service
        counts = [n for _code, n in stats["by_hall"]]
        if len(counts) >= 2 and windows >= len(counts):
            shares = [n / sum(counts) for n in counts]
            split = rules.best_dedicated_split(lam, shares, [mu] * len(shares), windows)
            pooling = rules.pooled_vs_dedicated(lam, mu, split, shares)
    simulated = None
    if busy and windows:
        from dataclasses import replace

        from .simulation import HallConfig, simulate

        # The open hours as a cycle: the hall reopens with any queue left from closing.
        profile = [rate for _h, rate in per_hour]
        config = HallConfig.simple(
            windows, profile, mean_service, hours=len(profile) * 20, seed=1,
            no_show_share=min(0.5, stats["no_show_rate"] or 0.0),
        )  # fmt: skip
        simulated = simulate(replace(config, within_minutes=within))
    return {
        "simulated": simulated,
        "windows": windows,
        "mean_service": mean_service,
        "mean_rate": mean_rate,
        "target": target,
        "within": within,
        "hours": [(h, rate, n) for (h, rate), n in zip(per_hour, needed, strict=True)],
        "summary": summary,
        "pooling": pooling,
        "inf": math.inf,
    }


def as_rows(pairs: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return list(pairs)


# --- district comparisons ----------------------------------------------------------------------


def street_service(user: Any, streets: list[int], since: date) -> dict[int, dict[str, Any]]:
    """Per street, from ``since`` on: tickets called and their mean wait in minutes (issue to
    first call), ratings and their mean stars; one grouped query each (aggregates for the
    district comparison: the caller, ``dashboard.district``, decides the streets). Halls with
    no street of their own are left out."""
    policy.require(user, "hall.view")
    waited = ExpressionWrapper(F("first_called_at") - F("issued_at"), output_field=DurationField())
    out: dict[int, dict[str, Any]] = {}
    tickets = (
        Ticket.objects.filter(
            queue__hall__subdistrict_id__in=streets, day__gte=since, first_called_at__isnull=False
        )
        .values_list("queue__hall__subdistrict_id")
        .annotate(n=Count("id"), wait=Avg(waited))
        .order_by()
    )
    for street, n, wait in tickets:
        out.setdefault(street, {})["tickets"] = n
        out[street]["wait_minutes"] = wait.total_seconds() / 60 if wait is not None else None
    ratings = (
        Rating.objects.filter(item__hall__subdistrict_id__in=streets, at__date__gte=since)
        .values_list("item__hall__subdistrict_id")
        .annotate(n=Count("id"), stars=Avg("stars"))
        .order_by()
    )
    for street, n, stars in ratings:
        out.setdefault(street, {})["ratings"] = n
        out[street]["stars"] = stars
    return out


# --- the street operations screen (dashboard/opsqueries.py) ------------------------------------


def _of_street(qs: QuerySet[M], user: Any, street_id: int, hall_path: str) -> QuerySet[M]:
    """Rows of one street's halls within the user's reach (a hall without a street belongs to
    the one street of an installation: street accounts only, as ``in_reach``)."""
    path = f"{hall_path}__subdistrict_id"
    return in_reach(qs, user, hall_path).filter(
        Q(**{path: street_id}) | Q(**{f"{path}__isnull": True})
    )


def street_operations(user: Any, street_id: int, day: date, top: int = 5) -> dict[str, Any]:
    """The hall's part of the operations screen for one street: waiting and served now per
    queue, windows, tickets with the back office (the oldest ``top``), overdue cases. Five
    grouped or limited queries, whatever the number of tickets; numbers only, no names."""
    require_any(user, "hall.view")
    waiting_states = (TicketState.WAITING, TicketState.RETURNED)
    serving_states = (TicketState.CALLED, TicketState.SERVING)
    queues = list(
        _of_street(
            Ticket.objects.filter(day=day, state__in=waiting_states + serving_states),
            user,
            street_id,
            "queue__hall",
        )
        .order_by()
        .values("queue__prefix", "queue__name")
        .annotate(
            waiting=Count("id", filter=Q(state__in=waiting_states)),
            serving=Count("id", filter=Q(state__in=serving_states)),
            first_issued=Min("issued_at", filter=Q(state__in=waiting_states)),
        )
    )
    windows = _of_street(Window.objects.filter(active=True), user, street_id, "hall").aggregate(
        active=Count("id"), open=Count("id", filter=Q(clerk__isnull=False))
    )
    escalated = _of_street(
        Ticket.objects.filter(state=TicketState.ESCALATED), user, street_id, "queue__hall"
    )
    handed = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"), action="escalate")
        .order_by("-at")
        .values("at")[:1]
    )
    oldest = list(
        escalated.annotate(handed_at=Subquery(handed))
        .order_by("day", "issued_at", "pk")
        .values("number", "queue__name", "day", "issued_at", "handed_at")[:top]
    )
    backoffice = escalated.order_by().count()
    cases_overdue = (
        _of_street(
            Case.objects.filter(
                status__in=[rules.CaseStatus.ACCEPTED, rules.CaseStatus.IN_PROGRESS],
                due_on__lt=day,
            ),
            user,
            street_id,
            "item__hall",
        )
        .order_by()
        .count()
    )
    return {
        "queues": queues,
        "windows_active": windows["active"] or 0,
        "windows_open": windows["open"] or 0,
        "backoffice": backoffice,
        "oldest": oldest,
        "cases_overdue": cases_overdue,
    }


# --- what the pages read besides their lists ------------------------------------------------
# Halls, queues, windows, lockers and the catalogue are the street's service centre's set-up,
# read whole by its staff (the pages are behind the hall permissions).


def halls(user: Any) -> QuerySet[Hall]:
    """The halls of the streets the user reaches (with their street, for ``Hall.key``)."""
    return in_reach(Hall.objects.select_related("subdistrict"), user, "pk")


def home_counts(user: Any, day: date) -> dict[str, int]:
    """The hall home page's figures for a day, in the user's reach (one count each)."""
    mine = in_reach(Ticket.objects.filter(day=day), user, "queue__hall")
    todays = mine.filter(parent__isnull=True)
    return {
        "issued": todays.count(),
        "waiting": mine.filter(state__in=OPEN_STATES).count(),
        "done": todays.filter(state=TicketState.DONE).count(),
        "escalated": mine.filter(state=TicketState.ESCALATED).count(),
        "overdue": in_reach(overdue_cases(day), user, "item__hall").count(),
    }


def hall_by_key(key: str) -> Hall | None:
    """A hall by its key (``Hall.key``: ``<street code>-<hall code>``, or the code of a hall
    without a street), or by a bare code while exactly one hall has that code (public kiosks
    and boards set up before a second street). None when unknown or ambiguous."""
    halls = Hall.objects.select_related("subdistrict")
    street, code = split_hall_key(key)
    if street:
        return halls.filter(subdistrict__code=street, code=code).first()
    found = list(halls.filter(code=key).order_by("subdistrict_id")[:2])
    if found and found[0].subdistrict_id is None:  # its key is its code
        return found[0]
    return found[0] if len(found) == 1 else None


def hall_by_pk(user: Any, pk: Any) -> Hall | None:
    """A hall of the user's streets, by a form's primary key."""
    return halls(user).filter(pk=_int(pk)).first()


def _int(value: Any) -> int:
    """A primary key from a form field: anything not a whole number matches nothing."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def ticket_by_token(token: str) -> Ticket | None:
    """The resident's ticket by its secret token (slip, status page, rating)."""
    return (
        Ticket.objects.select_related("queue__hall__subdistrict", "window")
        .filter(token=token)
        .first()
    )


def ticket_by_pk(user: Any, pk: Any) -> Ticket | None:
    """A ticket of the user's streets' halls, by a form's primary key (the window and the back
    office act on it)."""
    return in_reach(Ticket.objects.filter(pk=_int(pk)), user, "queue__hall").first()


def latest_child(ticket: Ticket) -> Ticket | None:
    """A transferred ticket lives on in its newest child."""
    return ticket.children.order_by("-pk").first()


def rating_of_ticket(ticket: Ticket) -> Rating | None:
    return Rating.objects.filter(ticket=ticket).first()


def rating_of_case(case: Case) -> Rating | None:
    return Rating.objects.filter(case=case).first()


def case_by_pk(pk: Any) -> Case | None:
    return Case.objects.filter(pk=_int(pk)).first()


def case_by_number(number: str) -> Case | None:
    return Case.objects.filter(number=number.strip()).first()


def case_in_reach(user: Any, number: str) -> Case | None:
    """A case of the user's streets' halls, by its number (staff depositing it in a locker)."""
    return in_reach(Case.objects.filter(number=number.strip()), user, "item__hall").first()


def street_halls(hall: Hall) -> QuerySet[Hall]:
    """The halls of the hall's street's centre. A hall without a street is the one street's
    of an installation (as ``in_reach``): while there is one street at most, every hall is."""
    if Subdistrict.objects.order_by().values("pk")[:2].count() <= 1:
        return Hall.objects.all()
    if hall.subdistrict_id is None:
        return Hall.objects.filter(subdistrict__isnull=True)
    return Hall.objects.filter(subdistrict_id=hall.subdistrict_id)


def kiosk_items(text: str, limit: int, hall: Hall) -> list[Item]:
    """The kiosk's search: items of the kiosk's street served at a window, with their queue
    and hall."""
    qs = Item.objects.filter(active=True, channel_window=True, hall__in=street_halls(hall))
    return list(search_items(qs.select_related("queue__hall"), text).order_by("code")[:limit])


@dataclass(frozen=True)
class PublicStreet:
    """The street a public page (the 24-hour terminal, booking) serves: its items only.

    ``code`` is empty on an installation whose halls are one street's (no ``?street=``
    needed); else the page carries ``?street=<code>`` in every link (``query``, ``also``)."""

    id: int | None  # None: every hall (an installation of one street)
    code: str = ""
    name: str = ""

    @property
    def query(self) -> str:
        return f"?street={self.code}" if self.code else ""

    @property
    def also(self) -> str:
        return f"&street={self.code}" if self.code else ""


def public_street(code: str) -> PublicStreet | None:
    """``?street=<code>`` of a street with halls, or the only street with halls when none is
    named. None: an unknown street, or several streets and none named (the page lets the
    resident choose, ``public_streets``)."""
    if code:
        found = public_streets().filter(code=code).first()
        return PublicStreet(found.pk, found.code, found.name) if found else None
    streets = Hall.objects.filter(subdistrict__isnull=False).order_by().values("subdistrict_id")
    if streets.distinct()[:2].count() > 1:
        return None
    return PublicStreet(None)


def _public(qs: QuerySet[M], street: PublicStreet) -> QuerySet[M]:
    """The rows of the public page's street (all of them on a one-street installation)."""
    return qs if street.id is None else qs.filter(hall__subdistrict_id=street.id)


def public_streets() -> QuerySet[Subdistrict]:
    """The streets with a service centre (a hall)."""
    return Subdistrict.objects.filter(Exists(Hall.objects.filter(subdistrict=OuterRef("pk"))))


def public_items(street: PublicStreet, text: str, limit: int) -> list[Item]:
    """The terminal's consultation: every active item of the street matching the text."""
    qs = _public(Item.objects.filter(active=True), street).select_related("hall")
    return list(search_items(qs, text).order_by("code")[:limit])


def public_item(street: PublicStreet, code: str) -> Item | None:
    """An active item of the street by its code (a code names one item per street: the
    catalogue import updates it in place)."""
    qs = _public(Item.objects.select_related("hall"), street)
    return qs.filter(code=code, active=True).order_by("hall__code").first()


def self_service_items(street: PublicStreet) -> QuerySet[Item]:
    qs = _public(Item.objects.filter(active=True, channel_self_service=True), street)
    return qs.order_by("code", "hall__code")


def items_by_code(user: Any, code: str, hall: str = "") -> list[Item]:
    """The items with this code in the user's reach (one per hall at most); ``hall`` (a hall
    key, or a code the user's halls do not repeat) narrows them to that hall's."""
    found = list(items(user).filter(code=code).order_by("hall__subdistrict__code", "hall__code"))
    if hall:
        by_key = [i for i in found if i.hall.key == hall]
        by_code = [i for i in found if i.hall.code == hall]
        found = by_key or (by_code if len(by_code) == 1 else [])
    return found


def item_by_pk(user: Any, pk: Any) -> Item | None:
    """An item of the user's streets' halls, by a form's primary key."""
    return in_reach(Item.objects.filter(pk=_int(pk)), user, "hall").first()


def active_items_brief(user: Any) -> QuerySet[Item]:
    """The active items of the user's streets, with only what a picker shows."""
    return in_reach(Item.objects.filter(active=True), user, "hall").only(
        "pk", "code", "name", "aliases", "pinyin"
    )


def item_channel_counts(user: Any, channels: Iterable[tuple[str, Any]]) -> dict[Any, int]:
    """Active items per channel (``(field, label)`` pairs), in the user's reach."""
    active = items(user).filter(active=True)
    return {label: active.filter(**{field: True}).count() for field, label in channels}


def item_categories(user: Any) -> QuerySet[Any]:
    return (
        items(user).filter(active=True).order_by("category").values_list("category", flat=True)
    ).distinct()


def active_item_total(user: Any) -> int:
    return items(user).filter(active=True).count()


def setup_lists(user: Any) -> dict[str, Any]:
    """The set-up lists of the user's streets the catalogue and set-up pages show (each one
    query when iterated)."""
    return {
        "halls": halls(user),
        "all_queues": in_reach(
            Queue.objects.select_related("hall").annotate(n_items=Count("items")), user, "hall"
        ),
        "lockers": in_reach(Locker.objects.select_related("hall"), user, "hall"),
        "items": in_reach(Item.objects.filter(active=True).select_related("queue"), user, "hall"),
    }


def front_queues(user: Any) -> QuerySet[Queue]:
    """The queues of the user's streets a resident takes a number in (not the back office)."""
    return in_reach(Queue.objects.filter(is_backoffice=False), user, "hall")


def queue_by_pk(user: Any, pk: Any) -> Queue | None:
    """A queue of the user's streets' halls, by a form's primary key."""
    return in_reach(Queue.objects.filter(pk=_int(pk)), user, "hall").first()


def windows(user: Any) -> QuerySet[Window]:
    """The windows of the user's streets' halls."""
    return in_reach(
        Window.objects.select_related("hall__subdistrict", "clerk").prefetch_related("skills"),
        user,
        "hall",
    )


def window_of_clerk(user: Any) -> Window | None:
    return windows(user).filter(clerk_id=getattr(user, "pk", None)).first()


def window_by_number(user: Any, number: int, hall: str = "") -> Window | None:
    """A window of the user's streets by its number (numbers are per hall): in the hall
    ``hall`` names (its key, or a code), else the one the user is on duty at, else the only
    one with that number. None when unknown or still ambiguous."""
    found = list(windows(user).filter(number=number))
    if hall:
        found = [w for w in found if hall in (w.hall.key, w.hall.code)]
    if len(found) > 1:
        found = [w for w in found if w.clerk_id == getattr(user, "pk", None)]
    return found[0] if len(found) == 1 else None


def window_by_pk(user: Any, pk: Any) -> Window | None:
    return in_reach(Window.objects.filter(pk=_int(pk)), user, "hall").first()


def open_window_count(user: Any) -> int:
    return in_reach(Window.objects.filter(active=True), user, "hall").count()


def no_shows(window: Window, day: date, limit: int = 10) -> QuerySet[Ticket]:
    return Ticket.objects.filter(day=day, state=TicketState.NO_SHOW, window=window).order_by(
        "-ended_at"
    )[:limit]


def cases_of_ticket(ticket: Ticket) -> QuerySet[Case]:
    return Case.objects.filter(ticket=ticket).select_related("item")


def waiting_rows(window: Window, now: datetime) -> list[dict[str, Any]]:
    """The window's waiting list in the order it will be called."""
    skills = [str(q.pk) for q in window.skills.all()]
    tickets = waiting_today(timezone.localdate(now), skills)
    ordered = rules.order_waiting(as_waiting(tickets), rules.minutes(now))
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


def escalated_rows(user: Any) -> list[dict[str, Any]]:
    """The back office's tickets of the user's streets, oldest first, with the items of their
    cases."""
    tickets = list(
        in_reach(Ticket.objects.filter(state=TicketState.ESCALATED), user, "queue__hall")
        .select_related("queue", "window", "item", "clerk")
        .prefetch_related("cases__item")
        .order_by("issued_at")
    )
    rows = []
    for t in tickets:
        found = list(t.cases.all())
        rows.append(
            {
                "t": t,
                "cases": found,
                "items": [c.item for c in found] or ([t.item] if t.item else []),
            }
        )
    return rows


def supervised_windows(user: Any) -> QuerySet[Window]:
    return in_reach(Window.objects.select_related("clerk"), user, "hall")


def pickups_of(case: Case) -> QuerySet[Pickup]:
    return Pickup.objects.filter(case=case).select_related("locker").order_by("pk")


def locker_rows(user: Any, now: datetime) -> list[dict[str, Any]]:
    """Active compartments of the user's streets, what waits in each and its days left."""
    waiting = {
        p.locker_id: p
        for p in in_reach(
            Pickup.objects.filter(status=Pickup.Status.WAITING), user, "locker__hall"
        ).select_related("case__item")
    }
    return [
        {"locker": locker, "pickup": waiting.get(locker.pk),
         "days_left": (waiting[locker.pk].expires_at - now).days if locker.pk in waiting else None}
        for locker in in_reach(Locker.objects.filter(active=True), user, "hall")
    ]  # fmt: skip


def expired_pickups(user: Any, limit: int = 50) -> QuerySet[Pickup]:
    return in_reach(
        Pickup.objects.filter(status=Pickup.Status.EXPIRED), user, "locker__hall"
    ).select_related("case", "locker")[:limit]


def active_locker(user: Any, pk: Any) -> Locker | None:
    return in_reach(Locker.objects.filter(pk=_int(pk), active=True), user, "hall").first()


def bookable_items(street: PublicStreet, today: date) -> QuerySet[Item]:
    """The street's items with slots from today on (the public booking page)."""
    qs = _public(Item.objects.filter(slots__day__gte=today), street)
    return qs.distinct().order_by("code")


def slot_of(item: Item, pk: Any) -> Slot | None:
    return Slot.objects.filter(pk=_int(pk), item=item).first()


def free_slots(item: Item, today: date, days: int = 14) -> list[dict[str, Any]]:
    """An item's slots of the next two weeks with their free places."""
    qs = (
        Slot.objects.filter(item=item, day__gte=today, day__lte=today + timedelta(days=days))
        .annotate(taken=Count("appointments", filter=Q(appointments__status="booked")))
        .order_by("day", "starts_at")
    )
    return [{"slot": s, "free": max(0, s.bookable - s.taken)} for s in qs]


def upcoming_slots(user: Any, today: date) -> QuerySet[Slot]:
    """Slots of the user's streets from today on with their bookings and check-ins (the slots
    page)."""
    return (
        in_reach(Slot.objects.filter(day__gte=today), user, "item__hall")
        .select_related("item")
        .annotate(
            booked=Count("appointments", filter=Q(appointments__status="booked")),
            checked_in=Count("appointments", filter=Q(appointments__status="checked_in")),
        )
        .order_by("day", "starts_at", "item__code")
    )


def ticket_events(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("window", "actor")


def ticket_family(ticket: Ticket) -> QuerySet[Ticket]:
    """The ticket it was transferred from and those transferred from it."""
    return Ticket.objects.filter(Q(pk=ticket.parent_id) | Q(parent=ticket)).select_related("queue")


def locker_by_pk(user: Any, pk: Any) -> Locker | None:
    """A locker of the user's streets' halls, by a form's primary key."""
    return in_reach(Locker.objects.filter(pk=_int(pk)), user, "hall").first()
