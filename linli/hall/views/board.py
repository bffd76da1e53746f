"""The display board (public) and the JSON it polls."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .. import queries, services
from ..models import (
    Hall,
)
from .common import local_today


def _hall(key: str) -> Hall:
    """The hall by its key, or by a bare code while only one hall has it (else 404)."""
    found = queries.hall_by_key(key)
    if found is None:
        raise Http404
    return found


@login_not_required
def board(request: HttpRequest, hall: str) -> HttpResponse:
    hall_obj = _hall(hall)
    return render(
        request,
        "hall/board.html",
        {"hall": hall_obj, "data": queries.board(hall_obj, local_today()), "kiosk": True},
    )


@login_not_required
def board_data(request: HttpRequest, hall: str) -> JsonResponse:
    hall_obj = _hall(hall)
    services.do_mark_board_seen(hall_obj)
    response = JsonResponse(queries.board(hall_obj, local_today()))
    response["Cache-Control"] = "no-store"
    return response
