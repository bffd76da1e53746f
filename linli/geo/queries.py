"""Reads of places and people: permission-scoped, with the joins each list needs."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from linli.core import policy

from .models import Area, Building, Committee, Entrance, Estate, Household, Resident


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
    streets = policy.streets_in_reach(user)
    return {
        "subdistrict": streets.order_by("pk").first(),
        "committees": policy.scoped(Committee.objects.all(), user, "pk").count(),
        "areas": Area.objects.filter(subdistrict__in=streets).count(),
        "estates": policy.scoped(Estate.objects.all(), user, "committee_id").count(),
        "buildings": policy.scoped(Building.objects.all(), user, "committee_id").count(),
        "households": policy.scoped(Household.objects.all(), user, "committee_id").count(),
        "residents": policy.scoped(Resident.objects.all(), user, "committee_id").count(),
    }


def committee_map(user: Any) -> list[Committee]:
    """Committees with their building and household counts, for the street diagram."""
    return list(
        committees(user).annotate(
            n_buildings=Count("buildings", distinct=True),
            n_estates=Count("estates", distinct=True),
        )
    )
