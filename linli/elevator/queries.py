"""Reads of lift-retrofit data, scoped by committee, with the joins each page needs."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404

from linli.core import policy

from .models import Consultation, Document, Objection, Project, Vote


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


def consultations(user: Any) -> QuerySet[Consultation]:
    policy.require(user, "elevator.view")
    qs = Consultation.objects.select_related("committee", "project", "by")
    return policy.scoped(qs, user, "committee_id")


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
