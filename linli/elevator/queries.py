"""Reads of lift-retrofit data, scoped by committee, with the joins each page needs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from linli.core import policy
from linli.core.roles import Level
from linli.core.workdays import WorkCalendar

from . import rules, stages
from .models import (
    Ballot,
    Consultation,
    Document,
    MaintenanceRecord,
    Objection,
    OwnedUnit,
    Owner,
    Project,
    Scope,
    Vote,
)


def projects(user: Any) -> QuerySet[Project]:
    policy.require(user, "elevator.view")
    return policy.scoped(
        Project.objects.select_related("committee", "building__estate", "entrance").annotate(
            n_votes=Count("votes", distinct=True),
            n_open_objections=Count(
                "objections", filter=Q(objections__status="open"), distinct=True
            ),
            last_maintenance=Max("maintenance__on"),
        ),
        user,
        "committee_id",
    )


def project(user: Any, pk: int) -> Project:
    try:
        return projects(user).get(pk=pk)
    except Project.DoesNotExist as exc:
        raise Http404 from exc


def project_detail(user: Any, pk: int) -> Project:
    """One project with everything its page lists, in a fixed number of queries."""
    try:
        return (
            projects(user)
            .prefetch_related(
                "members",
                "stage_changes__by",
                Prefetch("documents", queryset=Document.objects.select_related("by")),
                Prefetch("votes", queryset=Vote.objects.order_by("scope")),
                Prefetch(
                    "objections",
                    queryset=Objection.objects.select_related("objector").prefetch_related(
                        "mediators", "sessions"
                    ),
                ),
                "round_tables",
                "maintenance",
            )
            .get(pk=pk)
        )
    except Project.DoesNotExist as exc:
        raise Http404 from exc


def vote(user: Any, pk: int) -> Vote:
    qs = Vote.objects.select_related("project__building__estate", "project__committee")
    policy.require(user, "elevator.view")
    try:
        return policy.scoped(qs, user, "project__committee_id").get(pk=pk)
    except Vote.DoesNotExist as exc:
        raise Http404 from exc


def objection(user: Any, pk: int) -> Objection:
    policy.require(user, "elevator.view")
    qs = Objection.objects.select_related("project", "objector")
    try:
        return policy.scoped(qs, user, "project__committee_id").get(pk=pk)
    except Objection.DoesNotExist as exc:
        raise Http404 from exc


def votes(user: Any) -> QuerySet[Vote]:
    """The votes of the projects the user reaches (the API list)."""
    policy.require(user, "elevator.view")
    return policy.scoped(
        Vote.objects.select_related("project"), user, "project__committee_id"
    ).order_by("pk")


def ballots(vote: Vote) -> QuerySet[Ballot]:
    """Every ballot of a vote the caller already read through ``vote``, changes included."""
    return Ballot.objects.filter(vote=vote).order_by("cast", "pk")


def roll_units(project: Project) -> QuerySet[OwnedUnit]:
    """The owner roll of a project the caller already read through ``project``, in the order
    staff check it against the building (building, floor, room)."""
    return (
        OwnedUnit.objects.filter(project=project)
        .select_related("owner", "household")
        .order_by("building_label", "floor", "household__room", "pk")
    )


def unit_counts(project: Project) -> dict[str, int]:
    """How many units the roll holds, how many in the lift's own building, how many owners."""
    return OwnedUnit.objects.filter(project=project).aggregate(
        units=Count("pk"),
        building=Count("pk", filter=Q(in_building=True)),
        owners=Count("owner", distinct=True),
    )


def building_units(project: Project) -> QuerySet[OwnedUnit]:
    """The units of the lift's own building, bottom floor first (the cost tables' rows)."""
    return (
        OwnedUnit.objects.filter(project=project, in_building=True)
        .select_related("household__entrance")
        .order_by("floor", "household__entrance__number", "household__room")
    )


def unit_owner_ids(project: Project, unit_ids: list[int]) -> set[int]:
    """The owners of the chosen units of one project (units of other projects are ignored)."""
    return set(
        OwnedUnit.objects.filter(project=project, pk__in=unit_ids).values_list(
            "owner_id", flat=True
        )
    )


def owners_with_units(project: Project) -> dict[int, Owner]:
    """The project's owners by id, with the units and entrances a printed notice names."""
    return {o.pk: o for o in project.owners.prefetch_related("units__household__entrance")}


def vote_owners(vote: Vote) -> QuerySet[Owner]:
    """The owners on the vote's roll (building scope: those with a unit in the building)."""
    owners = Owner.objects.filter(project_id=vote.project_id)
    if vote.scope == Scope.BUILDING:
        owners = owners.filter(units__in_building=True)
    return owners.distinct().order_by("pk").prefetch_related("units__household__entrance")


def recent_ballots(vote: Vote, limit: int = 20) -> QuerySet[Ballot]:
    """The latest ballots of a vote, changes included, with who entered them."""
    return (
        Ballot.objects.filter(vote=vote)
        .select_related("owner", "entered_by")
        .order_by("-cast", "-pk")[:limit]
    )


# --- the owner's own page (no account: the owner signed in with a personal code) -------------


def session_owner(pk: int) -> Owner | None:
    """The owner a valid owner session names, with the project the page shows."""
    return Owner.objects.select_related("project__building__estate").filter(pk=pk).first()


def owner_votes(owner: Owner) -> list[Vote]:
    return list(Vote.objects.filter(project_id=owner.project_id).order_by("scope"))


def owner_units(owner: Owner) -> list[OwnedUnit]:
    return list(owner.units.select_related("household__entrance").order_by("pk"))


def owner_documents(owner: Owner) -> list[Document]:
    """The documents of the owner's own project that owners are shown (rules.OWNER_DOCUMENTS)."""
    return list(
        Document.objects.filter(project_id=owner.project_id, kind__in=rules.OWNER_DOCUMENTS)
        .exclude(file="")
        .order_by("stage", "kind", "pk")
    )


def owner_ballots(vote: Vote, owner: Owner) -> list[Ballot]:
    """The owner's own ballots in a vote, oldest first (their history on their page)."""
    return list(Ballot.objects.filter(vote=vote, owner=owner).order_by("cast", "pk"))


def consultations(user: Any) -> QuerySet[Consultation]:
    """The questions of the streets the user reaches; a committee account reads only its own
    committee's (a question without a committee is its street's, never every street's)."""
    policy.require(user, "elevator.view")
    qs = Consultation.objects.select_related("committee", "project", "by")
    reach = policy.reach(user)
    if reach is None or reach.level == Level.OBJECT:
        return qs.none()  # questions are no account's assigned work
    qs = policy.scoped_street(qs, user, "subdistrict_id")
    committee = policy.committee_scope(user)
    return qs if committee is None else qs.filter(committee_id=committee)


# --- reminders (the schedule acts for no user; each notice goes to the project's committee) --


def projects_for_reminders() -> QuerySet[Project]:
    """Every project, with the last maintenance date its clocks need."""
    return (
        Project.objects.select_related("committee")
        .annotate(last_maintenance=Max("maintenance__on"))
        .order_by("pk")
    )


def open_votes() -> QuerySet[Vote]:
    return Vote.objects.filter(open=True).select_related("project").order_by("pk")


def street_stages(user: Any, streets: list[int]) -> dict[int, dict[int, int]]:
    """Lift projects per street and stage, in one grouped query (aggregates for the district
    comparison: the caller, ``dashboard.district``, decides the streets)."""
    policy.require(user, "elevator.view")
    out: dict[int, dict[int, int]] = {}
    for street, stage, n in (
        Project.objects.filter(committee__subdistrict_id__in=streets)
        .values_list("committee__subdistrict_id", "stage")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out.setdefault(street, {})[stage] = n
    return out


# --- the street operations screen (dashboard/opsqueries.py) -----------------------------------

# How far a statutory period's last day may move off days off (Civil Code art. 203): longer than
# any run of holidays, so the pre-selection below never misses a project.
_ROLL_SLACK_DAYS = 31


def street_operations(
    user: Any, street_id: int, today: date, calendar: WorkCalendar
) -> dict[str, Any]:
    """The lift projects' part of the street operations screen: every clock that is overdue or
    due soon (``stages.clocks``, as the reminders page), open objections and votes closing.

    The database pre-selects only projects that can have such a clock (in service with no
    recent maintenance, registration outstanding, inspection expiring, a planning notice under
    way), so the rows read are the work to do, not the street's projects. Two queries."""
    policy.require(user, "elevator.view")
    base = policy.scoped(Project.objects.all(), user, "committee_id").filter(
        committee__subdistrict_id=street_id
    )
    soon = today + timedelta(days=stages.DEFAULT_DUE_SOON_DAYS)
    maintenance_cut = today - timedelta(
        days=stages.MAINTENANCE_DAYS - stages.DUE_SOON_DAYS["maintenance"]
    )
    expiring = soon + timedelta(days=31)  # the request is due a month before expiry
    last = MaintenanceRecord.objects.filter(project=OuterRef("pk")).order_by("-on").values("on")[:1]
    candidates = (
        base.annotate(last_maintenance=Subquery(last))
        .filter(
            Q(entered_service__lte=maintenance_cut)
            & (Q(last_maintenance__isnull=True) | Q(last_maintenance__lte=maintenance_cut))
            | Q(
                use_registered__isnull=True,
                entered_service__lte=soon - timedelta(days=stages.REGISTRATION_DAYS),
            )
            | Q(inspection_due__lte=expiring)
            | Q(inspection_due__isnull=True, last_inspection__lte=expiring - timedelta(days=365))
            | Q(
                planning_notice_start__lte=soon - timedelta(days=stages.NOTICE_DAYS),
                planning_notice_start__gte=today
                - timedelta(days=stages.NOTICE_DAYS + stages.FEEDBACK_DAYS + 2 * _ROLL_SLACK_DAYS),
            )
        )
        .order_by("pk")
        .values(
            "pk", "name", "committee__name", "planning_notice_start", "entered_service",
            "use_registered", "last_maintenance", "last_inspection", "inspection_due",
            "inspection_requested",
        )
    )  # fmt: skip
    clocks = []
    for p in candidates:
        dates = stages.ProjectDates(
            planning_notice_start=p["planning_notice_start"],
            entered_service=p["entered_service"],
            use_registered=p["use_registered"],
            last_maintenance=p["last_maintenance"],
            last_inspection=p["last_inspection"],
            inspection_due=p["inspection_due"],
            inspection_requested=p["inspection_requested"],
        )
        for clock in stages.clocks(dates, today, calendar=calendar):
            if clock.status in ("overdue", "due_soon"):
                clocks.append(
                    {
                        "project_id": p["pk"],
                        "project": p["name"],
                        "committee": p["committee__name"],
                        "label": clock.label,
                        "status": clock.status,
                        "due": clock.due,
                    }
                )
    counts = base.order_by().aggregate(
        objections=Count("objections", filter=Q(objections__status="open"), distinct=True),
        votes=Count(
            "votes",
            filter=Q(
                votes__open=True,
                votes__closes__gte=today,
                votes__closes__lte=today + timedelta(days=stages.VOTE_DEADLINE_WARN_DAYS),
            ),
            distinct=True,
        ),
    )
    return {
        "clocks": clocks,
        "objections_open": int(counts["objections"] or 0),
        "votes_closing": int(counts["votes"] or 0),
    }
