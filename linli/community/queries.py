"""Reads for the community pages: permission-scoped, with related rows fetched up front."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from linli.core import policy

from .models import (
    AllianceMember,
    AllianceOrder,
    Contribution,
    Correction,
    Event,
    HourRecord,
    MenuItem,
    Position,
    PracticalProject,
    ServiceOrder,
    Shift,
    Signup,
    Volunteer,
    VolunteerTeam,
)

LIVE = ("confirmed", "waitlisted")


def positions() -> QuerySet[Position]:
    return (
        Position.objects.select_related("parent", "committee")
        .annotate(n_menu=Count("menu", filter=Q(menu__active=True), distinct=True))
        .order_by("sort", "name")
    )


def position_detail(pk: int) -> Position:
    return (
        Position.objects.select_related("parent", "committee")
        .prefetch_related(
            "staff",
            "spaces",
            "children",
            Prefetch(
                "menu", queryset=MenuItem.objects.filter(active=True).order_by("family", "title")
            ),
        )
        .get(pk=pk)
    )


def menu(family: str = "", position_id: int | None = None) -> QuerySet[MenuItem]:
    qs = MenuItem.objects.filter(active=True).select_related("position")
    if family:
        qs = qs.filter(family=family)
    if position_id:
        qs = qs.filter(position_id=position_id)
    return qs.order_by("position__sort", "position__name", "family", "title")


def with_counts(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.select_related("space__position", "series", "committee").annotate(
        n_confirmed=Count("signups", filter=Q(signups__state="confirmed")),
        n_waiting=Count("signups", filter=Q(signups__state="waitlisted")),
        n_attended=Count("signups", filter=Q(signups__checked_in_at__isnull=False)),
    )


def calendar(first: date, days: int) -> QuerySet[Event]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    return with_counts(
        Event.objects.filter(
            starts_at__gte=start, starts_at__lt=start + timedelta(days=days), status="open"
        )
    ).order_by("starts_at", "id")


def events_in_scope(user: Any) -> QuerySet[Event]:
    return policy.scoped(Event.objects.all(), user, "committee_id")


def roster(event: Event) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(event=event).select_related("entered_by").order_by("-state", "rank")
    )


def orders(user: Any) -> QuerySet[ServiceOrder]:
    qs = ServiceOrder.objects.select_related(
        "menu_item", "position", "space", "committee", "dispatched_position", "dispatched_team"
    )
    # An order is the committee's it was taken for, or the position's it was taken at.
    return policy.scoped(qs, user, "committee_id") | policy.scoped(
        qs, user, "position__committee_id"
    )


def alliance_orders(user: Any) -> QuerySet[AllianceOrder]:
    qs = AllianceOrder.objects.select_related("project__unit__organisation", "school__organisation")
    org = policy.organisation_scope(user)
    if org is not None:
        return qs.filter(Q(school__organisation_id=org) | Q(project__unit__organisation_id=org))
    if policy.can(user, "community.view"):
        return qs
    return qs.none()


def alliance_member(user: Any) -> AllianceMember | None:
    org = policy.organisation_scope(user)
    if org is None:
        return None
    return AllianceMember.objects.select_related("organisation").filter(organisation_id=org).first()


def alliance_figures(term: str = "") -> dict[str, list[dict[str, Any]]]:
    """Orders, delivered sessions and students per unit, school and category (and term)."""
    qs = AllianceOrder.objects.exclude(status="declined")
    if term:
        qs = qs.filter(project__term=term)
    done = Q(status__in=["delivered", "closed"])

    def by(field: str) -> list[dict[str, Any]]:
        return list(
            qs.values(field)
            .annotate(
                orders=Count("id"),
                delivered=Count("id", filter=done),
                students=Sum("students", filter=done),
            )
            .order_by(field)
        )

    return {
        "unit": by("project__unit__organisation__name"),
        "school": by("school__organisation__name"),
        "category": by("project__category"),
        "term": by("project__term"),
    }


def teams() -> QuerySet[VolunteerTeam]:
    # Subqueries, not joins: joining members and hours together would multiply the sums.
    minutes = (
        HourRecord.objects.filter(team=OuterRef("pk"), status="approved")
        .values("team")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    return VolunteerTeam.objects.select_related("position", "leader").annotate(
        n_members=Count("members", distinct=True),
        approved_minutes=Subquery(minutes),
    )


def volunteers(user: Any, team: VolunteerTeam | None = None) -> QuerySet[Volunteer]:
    qs = policy.scoped(Volunteer.objects.all(), user, "committee_id")
    if team is not None:
        qs = qs.filter(teams__team=team)
    return qs.annotate(
        approved_minutes=Sum("hours__minutes", filter=Q(hours__status="approved")),
        pending=Count("hours", filter=Q(hours__status="pending")),
    ).order_by("name", "id")


def shifts(user: Any, days: int = 14) -> QuerySet[Shift]:
    since = timezone.now() - timedelta(days=1)
    return (
        Shift.objects.filter(starts_at__gte=since, starts_at__lt=since + timedelta(days=days))
        .select_related("team", "event")
        .order_by("starts_at", "id")
    )


def open_corrections(user: Any) -> QuerySet[Correction]:
    qs = Correction.objects.filter(status="open").select_related(
        "record__volunteer", "record__team"
    )
    return policy.scoped(qs, user, "record__volunteer__committee_id").order_by("created", "id")


def pending_hours(user: Any) -> QuerySet[HourRecord]:
    qs = HourRecord.objects.filter(status="pending").select_related("volunteer", "team", "shift")
    return policy.scoped(qs, user, "volunteer__committee_id").order_by("on", "id")


def projects(public_only: bool = False) -> QuerySet[PracticalProject]:
    qs = PracticalProject.objects.select_related("area", "committee").annotate(
        raised_fen=Subquery(
            Contribution.objects.filter(project=OuterRef("pk"))
            .values("project")
            .annotate(total=Sum("amount_fen"))
            .values("total")
        ),
        n_milestones=Count("milestones", distinct=True),
        n_done=Count("milestones", filter=Q(milestones__done_on__isnull=False), distinct=True),
    )
    if public_only:
        qs = qs.filter(public=True)
    return qs.order_by("place", "title")


def screen_figures(today: date) -> dict[str, Any]:
    """The figures of the publicity screen (no personal data)."""
    approved = HourRecord.objects.filter(status="approved")
    return {
        "positions": Position.objects.count(),
        "menu_items": MenuItem.objects.filter(active=True).count(),
        "volunteers": Volunteer.objects.count(),
        "teams": VolunteerTeam.objects.count(),
        "volunteer_hours": (approved.aggregate(m=Sum("minutes"))["m"] or 0) // 60,
        "attended_this_month": Signup.objects.filter(
            checked_in_at__year=today.year, checked_in_at__month=today.month
        ).count(),
    }


def volunteer_home(volunteer: Volunteer) -> dict[str, Any]:
    """What a volunteer sees on their own page: coming shifts, own records, certificates."""
    now = timezone.now()
    team_ids = list(volunteer.teams.values_list("team_id", flat=True))
    shifts_ = list(
        Shift.objects.filter(
            team_id__in=team_ids,
            ends_at__gte=now - timedelta(hours=1),
            starts_at__lt=now + timedelta(days=14),
        )
        .select_related("team", "event")
        .order_by("starts_at", "id")[:20]
    )
    mine = {
        r.shift_id: r
        for r in HourRecord.objects.filter(volunteer=volunteer, shift__in=[s.pk for s in shifts_])
    }
    for s in shifts_:
        s.my_record = mine.get(s.pk)  # type: ignore[attr-defined]
    records = list(
        HourRecord.objects.filter(volunteer=volunteer)
        .select_related("team")
        .prefetch_related(
            Prefetch("corrections", queryset=Correction.objects.order_by("-created", "-id"))
        )
        .order_by("-on", "-id")[:50]
    )
    approved = (
        HourRecord.objects.filter(volunteer=volunteer, status="approved").aggregate(
            m=Sum("minutes")
        )["m"]
        or 0
    )
    return {
        "shifts": shifts_,
        "records": records,
        "approved_minutes": approved,
        "certificates": list(
            volunteer.certificates.select_related("team").order_by("-issued_on", "-id")
        ),
    }


def street_activity(
    user: Any, streets: list[int], start: datetime, end: datetime
) -> dict[int, dict[str, int]]:
    """Per street: activities held between ``start`` and ``end`` (not cancelled) by its
    committees or, for an activity without a host committee, at a position of its
    committees; confirmed sign-ups and check-ins. One grouped query (aggregates for the
    district comparison: the caller, ``dashboard.district``, decides the streets)."""
    policy.require(user, "community.view")
    rows = (
        Event.objects.filter(
            Q(committee__subdistrict_id__in=streets)
            | Q(committee__isnull=True, space__position__committee__subdistrict_id__in=streets),
            starts_at__gte=start,
            starts_at__lt=end,
            status=Event.Status.OPEN,
        )
        .annotate(
            street=Coalesce(
                "committee__subdistrict_id", "space__position__committee__subdistrict_id"
            )
        )
        .values_list("street")
        .annotate(
            n_events=Count("id", distinct=True),
            n_signups=Count("signups", filter=Q(signups__state="confirmed")),
            n_attended=Count("signups", filter=Q(signups__checked_in_at__isnull=False)),
        )
        .order_by()
    )
    return {
        street: {"events": events, "signups": signups, "attended": attended}
        for street, events, signups, attended in rows
    }


# --- the street operations screen (dashboard/opsqueries.py) -----------------------------------


def street_operations(
    user: Any, street_id: int, day: date, now: datetime, top: int = 5
) -> dict[str, Any]:
    """Today's activities of one street for the operations screen: how many, under way, seats
    taken and check-ins (one grouped query), and the ``top`` next or running events (one).
    Street-wide events (no committee) count for street accounts, as ``policy.scoped`` rules."""
    policy.require(user, "community.view")
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    today = policy.scoped(Event.objects.all(), user, "committee_id").filter(
        Q(committee__subdistrict_id=street_id) | Q(committee__isnull=True),
        status=Event.Status.OPEN,
        starts_at__gte=start,
        starts_at__lt=start + timedelta(days=1),
    )
    counts = today.order_by().aggregate(
        events=Count("id", distinct=True),
        ongoing=Count("id", filter=Q(starts_at__lte=now, ends_at__gt=now), distinct=True),
        signed_up=Count("signups", filter=Q(signups__state="confirmed")),
        attended=Count("signups", filter=Q(signups__checked_in_at__isnull=False)),
    )
    rows = list(
        today.filter(ends_at__gt=now)
        .annotate(confirmed=Count("signups", filter=Q(signups__state="confirmed")))
        .order_by("starts_at", "id")
        .values(
            "title", "space__position__name", "space__name", "starts_at", "ends_at",
            "capacity", "confirmed",
        )[:top]
    )  # fmt: skip
    return {**{k: int(v or 0) for k, v in counts.items()}, "rows": rows}
