"""What the hall's pages share: paging, the Excel answer, today."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

import django_filters as df
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone

from linli.core import policy
from linli.core.excel import write_workbook

from .. import filters, queries

PAGE_SIZE = 25


def page_of(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def xlsx_response(name: str, title: str, labels: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(
        write_workbook(title, labels, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def local_today() -> date:
    return timezone.localdate()


def person_label(user: Any) -> str:
    """A person as staff know them: their name, else the login name."""
    if user is None:
        return "—"
    return str(user)


T = TypeVar("T")
M = TypeVar("M", bound=Model)


def filtered(
    request: HttpRequest, filterset: type[df.FilterSet], base: QuerySet[M], data: Any = None
) -> tuple[QuerySet[M], list[str]]:
    """A list narrowed by the query string through the filter set the API list uses too.

    An invalid value gives no rows and ``label：message`` for each bad field (the page shows
    them and answers 400)."""
    found = filterset(request.GET if data is None else data, queryset=base, request=request)
    if found.is_valid():
        return found.qs, []
    return base.none(), filters.field_errors(found)


def show_errors(request: HttpRequest, errors: list[str]) -> int:
    """Flash each filter error; the page's status (400 when there are any)."""
    for error in errors:
        messages.error(request, error)
    return 400 if errors else 200


def bad_filter(errors: list[str]) -> HttpResponse:
    """An export asked with invalid filters: a plain 400 naming the fields."""
    return HttpResponseBadRequest("\n".join(errors), content_type="text/plain; charset=utf-8")


def street_choices(request: HttpRequest) -> list[Any]:
    """The streets a district or city account may narrow a list to (the filter sets'
    ``street``); none for an account of one street, whose lists are that street's."""
    streets = list(policy.streets_in_reach(request.user).only("pk", "name").order_by("name"))
    return streets if len(streets) > 1 else []


def or_404(found: T | None) -> T:
    """What a query found, or the page answers 404."""
    if found is None:
        raise Http404
    return found


class ChooseStreet(Exception):
    """A public page of an installation of several streets was opened without its street."""


def public_street(request: HttpRequest) -> queries.PublicStreet:
    """The street of a public page (``?street=``, kept by its forms as ``street``): 404 for
    an unknown street, ``ChooseStreet`` when the installation has several and none is named."""
    code = (request.GET.get("street") or request.POST.get("street") or "").strip()[:20]
    street = queries.public_street(code)
    if street is None:
        if code:
            raise Http404
        raise ChooseStreet
    return street
