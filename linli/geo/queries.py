"""Reads of places and people: permission-scoped, with the joins each list needs."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from linli.core import policy

from .models import Area, Building, Committee, Entrance, Estate, Household, Resident, Subdistrict


def committees(user: Any) -> QuerySet[Committee]:
    return policy.scoped(Committee.objects.select_related("area"), user, "pk")


def estates(user: Any) -> QuerySet[Estate]:
    return policy.scoped(Estate.objects.select_related("committee"), user, "committee_id")


def buildings(user: Any) -> QuerySet[Building]:
    return policy.scoped(
        Building.objects.select_related("committee", "estate"), user, "committee_id"
    )


def entrances(user: Any) -> QuerySet[Entrance]:
    return policy.scoped(
        Entrance.objects.select_related("building__committee", "building__estate"),
        user,
        "building__committee_id",
    )


def households(user: Any) -> QuerySet[Household]:
    return policy.scoped(
        Household.objects.select_related(
            "committee", "entrance__building__estate", "entrance__building__committee"
        ),
        user,
        "committee_id",
    )


def residents(user: Any) -> QuerySet[Resident]:
    policy.require(user, "people.view")
    return policy.scoped(
        Resident.objects.select_related(
            "committee",
            "household__entrance__building__estate",
            "household__entrance__building__committee",
        ),
        user,
        "committee_id",
    )


def street_summary(user: Any) -> dict[str, Any]:
    """Counts for the home page, scoped like every other read."""
    scope = policy.committee_scope(user)
    base: dict[str, Any] = {} if scope is None else {"committee_id": scope}
    committee_qs = Committee.objects.all() if scope is None else Committee.objects.filter(pk=scope)
    return {
        "subdistrict": Subdistrict.objects.order_by("pk").first(),
        "committees": committee_qs.count(),
        "areas": Area.objects.count(),
        "estates": Estate.objects.filter(**base).count(),
        "buildings": Building.objects.filter(**base).count(),
        "households": Household.objects.filter(**base).count(),
        "residents": Resident.objects.filter(**base).count(),
    }


def committee_map(user: Any) -> list[Committee]:
    """Committees with their building and household counts, for the street diagram."""
    return list(
        committees(user).annotate(
            n_buildings=Count("buildings", distinct=True),
            n_estates=Count("estates", distinct=True),
        )
    )
