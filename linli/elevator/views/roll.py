"""The owner roll: the list, merging one owner's units, the developer's unsold units, personal
codes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.ids import plain_int

from .. import filters, queries, services
from ..models import Project
from ._common import _actor, _can_manage, _fail

# --- owner roll --------------------------------------------------------------------------------


def roll(request: HttpRequest, pk: int) -> HttpResponse:
    project = queries.project(request.user, pk)
    manage = _can_manage(request, project)
    filterset, units = filters.apply(
        filters.RollFilter, request.GET, queries.roll_units(project), request
    )
    page = Paginator(units, 100)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "elevator/roll.html",
        {
            "p": project,
            "page": page.get_page(request.GET.get("page")),
            "filter": filterset,
            "query": query.urlencode(),
            "can_manage": manage,
        },
    )


def _roll_post(
    request: HttpRequest, pk: int, run: Callable[[Actor, Project, list[int]], str]
) -> HttpResponse:
    project = queries.project(request.user, pk)
    if not _can_manage(request, project):
        raise PermissionDenied("elevator.manage")
    ids = [n for n in map(plain_int, request.POST.getlist("unit")) if n is not None]
    try:
        messages.success(request, run(_actor(request), project, ids))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("elevator:roll", pk=project.pk)


@require_POST
def roll_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """The chosen units belong to one owner: they count once, with the summed area."""

    def run(actor: Actor, project: Project, ids: list[int]) -> str:
        services.do_merge_owners(actor, project, queries.unit_owner_ids(project, ids))
        return _("已合并为同一业主。")

    return _roll_post(request, pk, run)


@require_POST
def roll_developer(request: HttpRequest, pk: int) -> HttpResponse:
    """The chosen units are the developer's unsold flats: together one owner."""

    def run(actor: Actor, project: Project, ids: list[int]) -> str:
        services.do_mark_developer_units(actor, project, ids)
        return _("已计入开发商（未售房屋合计一名业主）。")

    return _roll_post(request, pk, run)


@require_POST
def codes(request: HttpRequest, pk: int) -> HttpResponse:
    """New personal codes, shown once on printable consultation notices."""
    project = queries.project(request.user, pk)
    if not _can_manage(request, project):
        raise PermissionDenied("elevator.manage")
    issued = services.do_issue_codes(_actor(request), project)
    owners = queries.owners_with_units(project)
    notices = [(owners[o.pk], code) for o, code in issued]
    response = render(
        request,
        "elevator/codes.html",
        {"p": project, "notices": notices, "today": timezone.localdate()},
    )
    response["Cache-Control"] = "no-store"
    return response
