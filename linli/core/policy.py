"""Applies the role matrix (``roles.py``) to users, querysets and views.

Every view, API endpoint and service asks here; nothing else decides access.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from .roles import COMMITTEE_SCOPED, PUBLIC, ROUTES, Role, allows, route_allows

M = TypeVar("M", bound=Model)
V = TypeVar("V", bound=Callable[..., Any])


def role_of(user: Any) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return Role(user.role)
    except ValueError:
        return None


def can(user: Any, permission: str) -> bool:
    return allows(role_of(user), permission, getattr(user, "department", None) or None)


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
    return role is not None and route_allows(role, getattr(user, "department", None) or None, rule)


def require(user: Any, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDenied(permission)


def committee_scope(user: Any) -> int | None:
    """The one committee a user is confined to, or None for street-wide reach."""
    role = role_of(user)
    if role in COMMITTEE_SCOPED:
        committee_id: int = user.committee_id
        return committee_id
    return None


def scoped(qs: QuerySet[M], user: Any, committee_path: str) -> QuerySet[M]:
    """Narrow a queryset to what the user may see; ``committee_path`` leads to the committee id.

    ``committee_path`` is the lookup from the model to its committee's primary key, e.g.
    ``"committee_id"`` for a building or ``"pk"`` for a committee itself.
    """
    committee_id = committee_scope(user)
    if committee_id is None:
        return qs
    return qs.filter(**{committee_path: committee_id})


def organisation_scope(user: Any) -> int | None:
    """The partner body a partner account acts for (object-level scope of assigned work)."""
    if role_of(user) == Role.PARTNER:
        organisation_id: int | None = user.organisation_id
        return organisation_id
    return None


def in_scope(user: Any, committee_id: int | None) -> bool:
    scope = committee_scope(user)
    return scope is None or scope == committee_id


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
