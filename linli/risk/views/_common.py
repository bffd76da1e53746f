"""What every risk page shares: showing a refused action, a list page's filter."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest

from linli.core.errors import DomainError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _filtered(
    filterset_class: Any, request: HttpRequest, qs: QuerySet[Any]
) -> tuple[Any, QuerySet[Any], list[str]]:
    """A list page's filter (the API list's too, ``filters``): the filtered rows, or the whole
    list and each bad field named (never a 500)."""
    filterset = filterset_class(request.GET or None, queryset=qs, request=request)
    if not filterset.is_bound:
        return filterset, qs, []
    if filterset.is_valid():
        return filterset, filterset.qs, []
    problems = [
        f"{filterset.form.fields[name].label}：{message}"
        for name, messages_ in filterset.errors.items()
        for message in messages_
    ]
    return filterset, qs, problems


def _chosen(filterset: Any, name: str) -> str:
    """The id of the object a valid filter chose (a committee given by its code too), as the
    page's drop-down marks it selected; "" for none."""
    if not filterset.is_bound or not filterset.is_valid():
        return ""
    value = filterset.form.cleaned_data.get(name)
    return str(value.pk) if value is not None else ""


def _streets(filterset: Any) -> list[Any]:
    """The streets a district or city account may narrow the list to ([] for the accounts of
    one street or committee: ``StreetChoice`` dropped the field)."""
    if "street" not in filterset.filters:
        return []
    return list(filterset.form.fields["street"].queryset)
