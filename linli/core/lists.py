"""What every filtered list page shares: filter, sort, and the cells it shows.

An app's list (``geo.lists``, ``fire.lists``) declares its kinds — query, filterset,
columns, sorts, sheet — and checks the reader's permission; ``filter_sort`` then applies the
query string the same way for the page, the API and the export job (which rebuilds the list
from the saved query string under the user's own scope).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import django_filters as df
from django.db.models import QuerySet
from django.http import Http404

Cell = str | tuple[str, str]  # text, or (text, link)
K = TypeVar("K")


class Asking:
    """What a filterset needs of a request: who asks (its drop-downs are scoped to them)."""

    def __init__(self, user: Any) -> None:
        self.user = user


def filter_sort(
    user: Any,
    data: Mapping[str, Any],
    filterset: type[df.FilterSet],
    qs: QuerySet[Any],
    sorts: Mapping[str, Any],
    *,
    stable: bool = False,
) -> tuple[df.FilterSet, QuerySet[Any], str]:
    """The list ``qs`` filtered and sorted by the query ``data``: (filterset, rows, sort).

    An invalid filter shows the whole list with the form's errors; a sort not offered is
    ignored (``""``). ``stable`` orders unsorted rows by the model's ordering and then pk,
    so pages never overlap.
    """
    bound = filterset(data or None, queryset=qs, request=Asking(user))
    rows = bound.qs if bound.is_bound and bound.is_valid() else qs
    sort = data.get("sort", "")
    if sort.lstrip("-") in sorts:
        rows = rows.order_by(sort, "pk")
    else:
        sort = ""
        if stable:
            rows = rows.order_by(*(rows.model._meta.ordering or ["pk"]), "pk")
    return bound, rows, sort


def cell(label: Any, value: Cell) -> dict[str, Any]:
    """One table cell for the list template: its column label, text and link."""
    if isinstance(value, tuple):
        return {"label": label, "text": value[0], "url": value[1]}
    return {"label": label, "text": value, "url": ""}


def kind_or_404(kinds: Mapping[str, K], key: str) -> K:
    """The list named in the URL, or 404."""
    try:
        return kinds[key]
    except KeyError:
        raise Http404 from None
