"""Applies the role matrix (``roles.py``) to users, querysets and views.

Every view, API endpoint and service asks here; nothing else decides access.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from .roles import COMMITTEE_SCOPED, PUBLIC, REACH, ROUTES, Level, Role, allows, route_allows

M = TypeVar("M", bound=Model)
V = TypeVar("V", bound=Callable[..., Any])


def role_of(user: Any) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return Role(user.role)
    except ValueError:
        return None


def unit_of(user: Any) -> str | None:
    """What narrows or widens the role of an account (``roles.allows``): a street staff
    member's department, a partner's kind of body (remembered on the user object)."""
    if role_of(user) == Role.PARTNER:
        organisation = getattr(user, "organisation", None)
        return getattr(organisation, "kind", None) or None
    return getattr(user, "department", None) or None


def can(user: Any, permission: str) -> bool:
    return allows(role_of(user), permission, unit_of(user))


def administers_accounts(user: Any) -> bool:
    """The system or security administrator: the two roles the Django admin site is open to."""
    return can(user, "accounts.manage") or can(user, "roles.manage")


def can_open(user: Any, route: str) -> bool:
    """True when the user may open the route named ``route`` (``roles.ROUTES``): navigation,
    home cards and the 403 page offer only these."""
    rule = ROUTES[route]
    if rule == PUBLIC:
        return True
    role = role_of(user)
    return role is not None and route_allows(role, unit_of(user), rule)


def require(user: Any, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDenied(permission)


@dataclass(frozen=True)
class Reach:
    """Where an account reaches: its level and the place of that level it is assigned.

    ``place`` is the committee, street, district or city id; None at object level (the work
    assigned to the account decides) and for an account whose place is missing (it reaches
    nothing: a missing assignment never widens reach)."""

    level: Level
    place: int | None


# The model and the account's field of each place level (geo models by name: core imports no geo).
_PLACE = {
    Level.COMMITTEE: ("Committee", "committee_id"),
    Level.STREET: ("Subdistrict", "subdistrict_id"),
    Level.DISTRICT: ("District", "district_id"),
    Level.CITY: ("City", "city_id"),
}
# From a committee to the place of each level.
_FROM_COMMITTEE = {
    Level.COMMITTEE: "pk",
    Level.STREET: "subdistrict_id",
    Level.DISTRICT: "subdistrict__district_id",
    Level.CITY: "subdistrict__district__city_id",
}


def reach(user: Any) -> Reach | None:
    """The account's reach (None for anonymous or role-less accounts), remembered on the user
    object for the request.

    An account without the place its level needs reaches the only place of that level when
    the installation has exactly one (a one-street installation needs no assignment), else
    nothing."""
    role = role_of(user)
    if role is None:
        return None
    cached: Reach | None = getattr(user, "_linli_reach", None)
    if cached is not None:
        return cached
    level = REACH[role]
    place: int | None = None
    if level in _PLACE:
        model_name, field = _PLACE[level]
        place = getattr(user, field, None)
        if place is None and level != Level.COMMITTEE:
            only = list(apps.get_model("geo", model_name).objects.values_list("pk", flat=True)[:2])
            place = only[0] if len(only) == 1 else None
    found = Reach(level, place)
    user._linli_reach = found
    return found


def committee_scope(user: Any) -> int | None:
    """The one committee a user is confined to, or None for wider reach (a street or more, or
    object-level reach). Use ``scoped``/``in_scope`` for data: None does not mean everything."""
    role = role_of(user)
    if role in COMMITTEE_SCOPED:
        committee_id: int = user.committee_id
        return committee_id
    return None


def place_path(committee_path: str, level: Level) -> str:
    """The lookup from a model to its place of ``level``, given the lookup to its committee's
    id: ``"committee_id"`` → ``"committee__subdistrict_id"`` at street level; ``"pk"`` (a
    committee itself) → ``"subdistrict_id"``."""
    if level == Level.COMMITTEE:
        return committee_path
    tail = _FROM_COMMITTEE[level]
    if committee_path == "pk":
        return tail
    base = committee_path.removesuffix("_id").removesuffix("__pk")
    return f"{base}__{tail}"


def scoped(qs: QuerySet[M], user: Any, committee_path: str) -> QuerySet[M]:
    """Narrow a queryset to the user's reach; ``committee_path`` leads to the committee id.

    ``committee_path`` is the lookup from the model to its committee's primary key, e.g.
    ``"committee_id"`` for a building or ``"pk"`` for a committee itself. A committee account
    keeps its committee, a street account its street's committees, a district account its
    district's, a city account its city's. Object-level accounts (inspectors, partners) get
    nothing here: each module grants them the objects assigned to them, by assignment.

    A row whose (nullable) committee is empty is in nobody's reach here: a row that can belong
    to a whole street carries a street of its own and is narrowed by it (``scoped_street``),
    so that in an installation of many streets no street reads another's street-wide rows.
    """
    r = reach(user)
    if r is None:
        return qs.none()
    if r.level == Level.OBJECT or r.place is None:
        return qs.none()
    return qs.filter(**{place_path(committee_path, r.level): r.place})


def scoped_street(
    qs: QuerySet[M], user: Any, street_path: str, *, unassigned: bool = False
) -> QuerySet[M]:
    """Narrow rows that belong to a street (not to one committee) to the user's reach;
    ``street_path`` leads to the street's id (e.g. ``"subdistrict_id"``). A committee account
    sees its own street's rows. With ``unassigned``, rows whose (nullable) street is empty are
    kept for street accounts (the rule of ``scoped``)."""
    r = reach(user)
    if r is None:
        return qs.none()
    if r.level == Level.OBJECT:
        return qs
    if r.place is None:
        return qs.none()
    if r.level == Level.COMMITTEE:
        street = street_of_committee(r.place)
        return qs.filter(**{street_path: street}) if street is not None else qs.none()
    base = "" if street_path == "pk" else street_path.removesuffix("_id") + "__"
    lookup = {
        Level.STREET: street_path,
        Level.DISTRICT: f"{base}district_id",
        Level.CITY: f"{base}district__city_id",
    }[r.level]
    inside = Q(**{lookup: r.place})
    if unassigned and r.level == Level.STREET:
        inside |= Q(**{f"{street_path}__isnull": True})
    return qs.filter(inside)


def street_of(user: Any) -> int | None:
    """The one street a street or committee account works for (None for wider or object-level
    reach, or no street): where the committees it creates belong."""
    r = reach(user)
    if r is None or r.place is None:
        return None
    if r.level == Level.STREET:
        return r.place
    if r.level == Level.COMMITTEE:
        return street_of_committee(r.place)
    return None


def street_of_committee(committee_id: int) -> int | None:
    street: int | None = (
        apps.get_model("geo", "Committee")
        .objects.filter(pk=committee_id)
        .values_list("subdistrict_id", flat=True)
        .first()
    )
    return street


def committees_in_reach(user: Any) -> frozenset[int] | None:
    """The ids of every committee the user reaches (None: object-level reach, decided per
    module); one query, remembered on the user object for the request."""
    r = reach(user)
    if r is None:
        return frozenset()
    if r.level == Level.OBJECT:
        return None
    if r.level == Level.COMMITTEE:
        return frozenset({r.place}) if r.place is not None else frozenset()
    cached: frozenset[int] | None = getattr(user, "_linli_committees", None)
    if cached is None:
        Committee = apps.get_model("geo", "Committee")
        cached = frozenset(scoped(Committee.objects.all(), user, "pk").values_list("pk", flat=True))
        user._linli_committees = cached
    return cached


def reaches_every_street(user: Any) -> bool:
    """True when the account reaches every street of the installation (a one-street
    installation's street accounts; a city account) — for what serves all streets at once."""
    Subdistrict = apps.get_model("geo", "Subdistrict")
    return bool(streets_in_reach(user).count() == Subdistrict.objects.count())


def streets_in_reach(user: Any) -> QuerySet[Any]:
    """The streets the user reaches (a committee account: its committee's street)."""
    Subdistrict = apps.get_model("geo", "Subdistrict")
    return scoped_street(Subdistrict.objects.all(), user, "pk")


def organisation_scope(user: Any) -> int | None:
    """The partner body a partner account acts for (object-level scope of assigned work)."""
    if role_of(user) == Role.PARTNER:
        organisation_id: int | None = user.organisation_id
        return organisation_id
    return None


def in_scope(user: Any, committee_id: int | None) -> bool:
    """True when the committee lies within the user's reach. A row without a committee (a
    street-wide row) is within reach of street accounts and wider only; object-level
    accounts are checked against their assignment by the caller."""
    r = reach(user)
    if r is None:
        return False
    if r.level == Level.OBJECT:
        return True
    if r.level == Level.COMMITTEE:
        return committee_id is not None and committee_id == r.place
    if committee_id is None:
        return True
    reached = committees_in_reach(user)
    return reached is not None and committee_id in reached


def require_in_scope(user: Any, committee_id: int | None) -> None:
    if not in_scope(user, committee_id):
        raise PermissionDenied("out of scope")


def permission_required(permission: str) -> Callable[[V], V]:
    """View decorator: 403 unless the user's role holds ``permission``."""

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            require(request.user, permission)
            return view(request, *args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate
