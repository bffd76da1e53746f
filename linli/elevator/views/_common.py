"""What every lift-retrofit page shares: the actor, the manage check, posting one form to a
project.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError

from .. import queries
from ..models import Project

PAGE_SIZE = 50
OWNER_SESSION = "elevator_owner"
OWNER_SESSION_SECONDS = 20 * 60
IP_LIMIT = 20  # failed owner log-ins per address per 15 minutes


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _can_manage(request: HttpRequest, project: Project) -> bool:
    return policy.can(request.user, "elevator.manage") and policy.in_scope(
        request.user, project.committee_id
    )


def _fail(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _project_post(
    request: HttpRequest, pk: int, run: Callable[[Actor, Project], str | None]
) -> HttpResponse:
    project = queries.project(request.user, pk)
    if not _can_manage(request, project):
        raise PermissionDenied("elevator.manage")
    try:
        done = run(_actor(request), project)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, done or _("已保存。"))
    return redirect("elevator:project", pk=project.pk)


def _form_or_error(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        errors = "；".join(
            f"{form.fields[k].label if k in form.fields else ''} {', '.join(v)}"
            for k, v in form.errors.items()
        )
        raise DomainError(errors.strip())
    data: dict[str, Any] = form.cleaned_data
    return data
