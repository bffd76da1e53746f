"""The hall's home page: today's figures and whether each display board is alive."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from linli.core import policy

from .. import queries
from .common import local_today

BOARD_STALE_SECONDS = 30


def index(request: HttpRequest) -> HttpResponse:
    queries.require_any(request.user)
    today = local_today()
    user = request.user
    halls = list(queries.halls(user))
    context = {
        "halls": halls,
        **queries.home_counts(user, today),
        "can_serve": policy.can(user, "hall.serve"),
        "can_backoffice": policy.can(user, "hall.backoffice"),
        "can_supervise": policy.can(user, "hall.supervise"),
        "can_view": policy.can(user, "hall.view"),
        "can_manage": policy.can(user, "hall.manage"),
    }
    seen = []
    now = timezone.now()
    for hall in halls:
        at = hall.board_seen_at
        age = (now - at).total_seconds() if at else None
        seen.append({"hall": hall, "age": age, "stale": age is None or age > BOARD_STALE_SECONDS})
    context["board_status"] = seen
    return render(request, "hall/index.html", context)
