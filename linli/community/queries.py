"""Reads for the community pages: permission-scoped, with related rows fetched up front."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.db.models import Count, Model, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from linli.core import policy
from linli.core.roles import Level
from linli.geo.models import Committee

from .models import (
    AllianceMember,
    AllianceOrder,
    AllianceProject,
    Certificate,
    Contribution,
    Correction,
    Event,
    HourRecord,
    MenuItem,
    Milestone,
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

LIVE = ("confirmed", "waitlisted")
M = TypeVar("M", bound=Model)


def in_reach(
    qs: QuerySet[M],
    user: Any,
    committee_path: str = "committee_id",
    street_path: str = "subdistrict_id",
) -> QuerySet[M]:
    """Narrow rows that belong to a committee or to a street itself to the user's reach.

    A committee's row (``committee_path`` set) as ``policy.scoped`` decides; a street-level row
    (no committee) by its own street (``street_path``) among ``policy.streets_in_reach``: the
    street's accounts and the district's and city's above it, never another street's, never a
    committee account (a committee's staff keep their committee's rows). Object-level
    accounts get nothing here (each page grants them their own work). Both parts are
    subqueries of one statement."""
    r = policy.reach(user)
    if r is None or r.place is None or r.level == Level.OBJECT:
        return qs.none()
    committees = policy.scoped(Committee.objects.all(), user, "pk").values("pk")
    inside = Q(**{f"{committee_path}__in": committees})
    if r.level != Level.COMMITTEE:
        streets = policy.streets_in_reach(user).values("pk")
        inside |= Q(**{f"{committee_path}__isnull": True, f"{street_path}__in": streets})
    return qs.filter(inside)


def _on_street(qs: QuerySet[M], street: int | None, path: str) -> QuerySet[M]:
    """A public list narrowed to one street's items (``?street=``); None: every street's."""
    return qs.filter(**{path: street}) if street is not None else qs


def positions(street: int | None = None) -> QuerySet[Position]:
    return (
        _on_street(Position.objects.all(), street, "subdistrict_id")
        .select_related("parent", "committee")
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


def menu(
    family: str = "", position_id: int | None = None, street: int | None = None
) -> QuerySet[MenuItem]:
    qs = _on_street(MenuItem.objects.filter(active=True), street, "position__subdistrict_id")
    qs = qs.select_related("position")
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


def calendar(first: date, days: int, street: int | None = None) -> QuerySet[Event]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    return with_counts(
        _on_street(Event.objects.all(), street, "subdistrict_id").filter(
            starts_at__gte=start, starts_at__lt=start + timedelta(days=days), status="open"
        )
    ).order_by("starts_at", "id")


def events_in_scope(user: Any) -> QuerySet[Event]:
    return in_reach(Event.objects.all(), user)


def event_in_reach(user: Any, event: Event) -> bool:
    """True when the event lies within the user's reach (its committee's, or its street's
    for a street-level event)."""
    return bool(events_in_scope(user).filter(pk=event.pk).exists())


def roster(event: Event) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(event=event).select_related("entered_by").order_by("-state", "rank")
    )


def orders(user: Any) -> QuerySet[ServiceOrder]:
    qs = ServiceOrder.objects.select_related(
        "menu_item", "position", "space", "committee", "dispatched_position", "dispatched_team"
    )
    # An order is the committee's it was taken for, or the position's it was taken at; an
    # order for no committee at a street-level position is its street's.
    at_station = Q(position__committee__isnull=False) & Q(
        position__committee_id__in=policy.scoped(Committee.objects.all(), user, "pk").values("pk")
    )
    return in_reach(qs, user) | qs.filter(at_station)


def alliance_orders(user: Any) -> QuerySet[AllianceOrder]:
    qs = AllianceOrder.objects.select_related("project__unit__organisation", "school__organisation")
    org = policy.organisation_scope(user)
    if org is not None:
        return qs.filter(Q(school__organisation_id=org) | Q(project__unit__organisation_id=org))
    if policy.can(user, "community.view"):
        # The alliance is a street's: its orders are read by that street's accounts (and the
        # district's and city's), by the school's or the unit's street.
        streets = policy.streets_in_reach(user).values("pk")
        return qs.filter(
            Q(school__subdistrict_id__in=streets) | Q(project__unit__subdistrict_id__in=streets)
        )
    return qs.none()


def alliance_member(user: Any) -> AllianceMember | None:
    org = policy.organisation_scope(user)
    if org is None:
        return None
    return AllianceMember.objects.select_related("organisation").filter(organisation_id=org).first()


def alliance_figures(user: Any, term: str = "") -> dict[str, list[dict[str, Any]]]:
    """Orders, delivered sessions and students per unit, school and category (and term), of
    the orders the user reads."""
    qs = alliance_orders(user).select_related(None).exclude(status="declined")
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


def teams(user: Any = None, street: int | None = None) -> QuerySet[VolunteerTeam]:
    """Teams with members and approved minutes: of the user's streets (staff), else of
    ``street`` or every street (the public screen)."""
    # Subqueries, not joins: joining members and hours together would multiply the sums.
    minutes = (
        HourRecord.objects.filter(team=OuterRef("pk"), status="approved")
        .values("team")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    qs = team_rows(user) if user is not None else VolunteerTeam.objects.all()
    qs = _on_street(qs, street, "subdistrict_id")
    return qs.select_related("position", "leader").annotate(
        n_members=Count("members", distinct=True),
        approved_minutes=Subquery(minutes),
    )


def volunteers(user: Any, team: VolunteerTeam | None = None) -> QuerySet[Volunteer]:
    qs = in_reach(Volunteer.objects.all(), user)
    if team is not None:
        qs = qs.filter(teams__team=team)
    return qs.annotate(
        approved_minutes=Sum("hours__minutes", filter=Q(hours__status="approved")),
        pending=Count("hours", filter=Q(hours__status="pending")),
    ).order_by("name", "id")


def shifts(user: Any, days: int = 14) -> QuerySet[Shift]:
    since = timezone.now() - timedelta(days=1)
    return (
        staff_shifts(user)
        .filter(starts_at__gte=since, starts_at__lt=since + timedelta(days=days))
        .select_related("team", "event")
        .order_by("starts_at", "id")
    )


def open_corrections(user: Any) -> QuerySet[Correction]:
    qs = Correction.objects.filter(status="open").select_related(
        "record__volunteer", "record__team"
    )
    return in_reach(
        qs, user, "record__volunteer__committee_id", "record__volunteer__subdistrict_id"
    ).order_by("created", "id")


def pending_hours(user: Any) -> QuerySet[HourRecord]:
    qs = HourRecord.objects.filter(status="pending").select_related("volunteer", "team", "shift")
    return in_reach(qs, user, "volunteer__committee_id", "volunteer__subdistrict_id").order_by(
        "on", "id"
    )


def projects(public_only: bool = False, street: int | None = None) -> QuerySet[PracticalProject]:
    qs = _on_street(PracticalProject.objects.all(), street, "subdistrict_id")
    qs = qs.select_related("area", "committee").annotate(
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


def screen_figures(today: date, street: int | None = None) -> dict[str, Any]:
    """The figures of the publicity screen (no personal data), of one street or all."""
    approved = _on_street(
        HourRecord.objects.filter(status="approved"), street, "volunteer__subdistrict_id"
    )
    return {
        "positions": _on_street(Position.objects.all(), street, "subdistrict_id").count(),
        "menu_items": _on_street(
            MenuItem.objects.filter(active=True), street, "position__subdistrict_id"
        ).count(),
        "volunteers": _on_street(Volunteer.objects.all(), street, "subdistrict_id").count(),
        "teams": _on_street(VolunteerTeam.objects.all(), street, "subdistrict_id").count(),
        "volunteer_hours": (approved.aggregate(m=Sum("minutes"))["m"] or 0) // 60,
        "attended_this_month": _on_street(
            Signup.objects.filter(checked_in_at__year=today.year, checked_in_at__month=today.month),
            street,
            "event__subdistrict_id",
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
    district comparison: the caller, ``dashboard.district``, decides the streets).

    The three kinds of host are three parts of a ``UNION ALL``, each read through an index
    from the streets (committees, then their events by ``(committee, starts_at)``; street
    events by ``(subdistrict, starts_at)``; spaces of the committees' positions): a single
    ``OR`` of the three would be decided only after joining every event of the period. The
    sign-ups are counted from an index that holds their state and check-in."""
    policy.require(user, "community.view")
    held = Event.objects.filter(
        starts_at__gte=start, starts_at__lt=end, status=Event.Status.OPEN
    ).order_by()
    counts = {  # sign-ups by the columns of their index ``community_signup_counts``
        "n_events": Count("id", distinct=True),
        "n_signups": Count("signups__state", filter=Q(signups__state="confirmed")),
        "n_attended": Count("signups__checked_in_at"),
    }
    by_committee = (
        held.filter(committee__subdistrict_id__in=streets)
        .values_list("committee__subdistrict_id")
        .annotate(**counts)
    )
    by_street = (
        held.filter(committee__isnull=True, subdistrict_id__in=streets)
        .values_list("subdistrict_id")
        .annotate(**counts)
    )
    at_position = (
        held.filter(
            committee__isnull=True,
            subdistrict__isnull=True,
            space__position__committee__subdistrict_id__in=streets,
        )
        .values_list("space__position__committee__subdistrict_id")
        .annotate(**counts)
    )
    out: dict[int, dict[str, int]] = {}
    # The parts are disjoint (a host committee; none but a street; neither): sums add up.
    for street, events, signups, attended in by_committee.union(by_street, at_position, all=True):
        mine = out.setdefault(street, {"events": 0, "signups": 0, "attended": 0})
        mine["events"] += events
        mine["signups"] += signups
        mine["attended"] += attended
    return out


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
    today = in_reach(Event.objects.all(), user).filter(
        Q(committee__subdistrict_id=street_id)
        | Q(committee__isnull=True, subdistrict_id=street_id),
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


# --- rows the pages open by id or token (scope checks follow in the caller) --------------------


def events_with_counts() -> QuerySet[Event]:
    """Every event with its counts (public pages; staff pages check the event's scope)."""
    return with_counts(Event.objects.all())


def staff_events(user: Any, since: date) -> QuerySet[Event]:
    """Events in the user's reach from ``since`` on, with their counts."""
    return with_counts(events_in_scope(user)).filter(starts_at__date__gte=since)


def signups_with_event() -> QuerySet[Signup]:
    """Sign-ups with their event, space and position (a ticket opened by its token)."""
    return Signup.objects.select_related("event__space__position")


def waiting_position(signup: Signup) -> int:
    """Where a waiting sign-up stands on its event's wait-list (1 = next)."""
    ahead = Signup.objects.filter(
        event_id=signup.event_id, state=Signup.State.WAITLISTED, rank__lt=signup.rank
    ).count()
    return ahead + 1


def checkin_tokens(event: Event, code: str) -> list[str]:
    """The tokens of the event's sign-ups starting with ``code`` (at most two: one is a match)."""
    return list(
        Signup.objects.filter(event=event, token__startswith=code).values_list("token", flat=True)[
            :2
        ]
    )


def series_rows() -> QuerySet[Series]:
    return Series.objects.select_related("space__position")


def series_with_counts(user: Any) -> QuerySet[Series]:
    """The series of the user's street (its positions' spaces), with their event counts."""
    return network_series(user).annotate(n_events=Count("events"))


def position_rows() -> QuerySet[Position]:
    return Position.objects.select_related("parent", "committee")


def network(user: Any, qs: QuerySet[Any], to_position: str = "") -> QuerySet[Any]:
    """Positions (or rows of a position) of the user's street: committee staff see their
    street's whole network and edit their committee's; street accounts their street's (and
    district accounts their streets'), the street's own positions by their street."""
    committee = policy.committee_scope(user)
    if committee is None:
        return in_reach(qs, user, f"{to_position}committee_id", f"{to_position}subdistrict_id")
    street = policy.street_of(user)
    return qs.filter(
        Q(**{f"{to_position}committee__subdistrict_id": street})
        | Q(**{f"{to_position}committee__isnull": True, f"{to_position}subdistrict_id": street})
    )


def positions_in_reach(user: Any) -> QuerySet[Position]:
    """Positions the user may change: a committee's by the committee, the street's own by
    the street (``in_reach``)."""
    return in_reach(position_rows(), user)


def position_in_reach(user: Any, position: Position) -> bool:
    return bool(positions_in_reach(user).filter(pk=position.pk).exists())


def network_positions(user: Any) -> QuerySet[Position]:
    return network(user, position_rows())


def network_series(user: Any) -> QuerySet[Series]:
    return network(user, series_rows(), "space__position__")


def parent_choices(user: Any, exclude: Position) -> QuerySet[Position]:
    """The positions of the user's street a position may hang under (not itself)."""
    return network(user, Position.objects.exclude(pk=exclude.pk)).order_by("sort", "name")


def position_parts(position: Position) -> dict[str, list[Any]]:
    """A position's 全岗通 staff, spaces and menu (the manage page)."""
    return {
        "staff": list(position.staff.all()),
        "spaces": list(position.spaces.all()),
        "menu": list(position.menu.order_by("family", "title")),
    }


def wishes(user: Any) -> QuerySet[Wish]:
    """Wishes in reach: the street's to its street's accounts, a committee's to its staff."""
    return in_reach(Wish.objects.select_related("menu_item"), user)


def adopted_wishes(limit: int = 10, street: int | None = None) -> list[Wish]:
    qs = _on_street(Wish.objects.filter(status=Wish.Status.ADOPTED), street, "subdistrict_id")
    return list(qs.select_related("menu_item")[:limit])


def alliance_projects(user: Any) -> QuerySet[AllianceProject]:
    """The alliance menu of the user's street (a partner: of its own member's street)."""
    qs = AllianceProject.objects.select_related("unit__organisation").order_by("category", "title")
    member = alliance_member(user)
    if member is not None:
        street = member.subdistrict_id
        return (
            qs.filter(unit__subdistrict_id=street) if street else qs.filter(unit__subdistrict=None)
        )
    if policy.organisation_scope(user) is not None or policy.reach(user) is None:
        return qs.none()
    return policy.scoped_street(qs, user, "unit__subdistrict_id")


def project_parts(project: PracticalProject) -> dict[str, Any]:
    """A project's milestones, contributions and decisions (its public and manage pages)."""
    return {
        "milestones": list(project.milestones.all()),
        "contributions": list(project.contributions.all()),
        "decisions": list(project.decisions.all()),
    }


def project_progress(project: PracticalProject) -> dict[str, Any]:
    """A project's public progress: milestones, decisions and how many households gave."""
    return {
        "milestones": list(project.milestones.all()),
        "decisions": list(project.decisions.all()),
        "n_households": project.contributions.count(),
    }


def milestones(project: PracticalProject) -> QuerySet[Milestone]:
    return project.milestones.all()


def shifts_by_token() -> QuerySet[Shift]:
    return Shift.objects.select_related("team", "event")


def staff_shifts(user: Any) -> QuerySet[Shift]:
    """Shifts of the teams of the user's streets."""
    r = policy.reach(user)
    if r is None or r.level == Level.OBJECT:
        return Shift.objects.none()
    return policy.scoped_street(shifts_by_token(), user, "team__subdistrict_id")


def shift_records(shift: Shift) -> dict[int, HourRecord]:
    return {r.volunteer_id: r for r in shift.hours.all()}


def own_shift_record(shift: Shift, volunteer: Volunteer) -> HourRecord | None:
    return shift.hours.filter(volunteer=volunteer).first()


def is_team_member(team: VolunteerTeam, volunteer: Volunteer) -> bool:
    return team.members.filter(volunteer=volunteer).exists()


def volunteer_by_pk(pk: int) -> Volunteer | None:
    return Volunteer.objects.filter(pk=pk).first()


def volunteer_teams(volunteer: Volunteer) -> QuerySet[VolunteerTeam]:
    return VolunteerTeam.objects.filter(members__volunteer=volunteer).order_by("name")


def own_records(volunteer: Volunteer) -> QuerySet[HourRecord]:
    return volunteer.hours.all()


def own_certificates(volunteer: Volunteer) -> QuerySet[Certificate]:
    return volunteer.certificates.select_related("team")


def team_rows(user: Any) -> QuerySet[VolunteerTeam]:
    """Teams of the user's streets."""
    r = policy.reach(user)
    if r is None or r.level == Level.OBJECT:
        return VolunteerTeam.objects.none()
    return policy.scoped_street(VolunteerTeam.objects.all(), user, "subdistrict_id")


def team_or_none(user: Any, team_id: int | None) -> VolunteerTeam | None:
    return team_rows(user).filter(pk=team_id).first() if team_id is not None else None


def newest_certificate(volunteer: Volunteer, team: VolunteerTeam) -> Certificate | None:
    return volunteer.certificates.filter(team=team).order_by("-issued_on", "-id").first()


def approved_hours(user: Any) -> QuerySet[HourRecord]:
    """Approved hours of the volunteers in reach (the export of 民政部令第67号)."""
    qs = HourRecord.objects.filter(status=HourRecord.Status.APPROVED).select_related(
        "volunteer", "team"
    )
    return in_reach(qs, user, "volunteer__committee_id", "volunteer__subdistrict_id").order_by(
        "volunteer_id", "on", "id"
    )


def volunteer_rows(user: Any) -> QuerySet[Volunteer]:
    """Volunteers in reach, without figures (one opened by id)."""
    return in_reach(Volunteer.objects.all(), user)


def signups(user: Any) -> QuerySet[Signup]:
    """Sign-ups of the events in reach."""
    return in_reach(Signup.objects.all(), user, "event__committee_id", "event__subdistrict_id")


def projects_in_reach(user: Any) -> QuerySet[PracticalProject]:
    return in_reach(projects(), user)


def positions_with_parts() -> QuerySet[Position]:
    return Position.objects.prefetch_related("staff", "spaces")


def alliance_order_id(user: Any, order_id: int) -> int | None:
    """``order_id`` when it is one of the user's alliance orders (None: not one of theirs)."""
    found: int | None = (
        alliance_orders(user).filter(pk=order_id).values_list("pk", flat=True).first()
    )
    return found
