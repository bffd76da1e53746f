"""What every community page shares: the actor, messages, QR codes, the staff links."""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.ids import plain_int

from .. import queries
from ..models import Volunteer

PAGE_SIZE = 50
CALENDAR_DAYS = 31


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _fail(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    text = buffer.getvalue().decode()
    return text[text.index("<svg") :]


def _staff_links(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    return {
        "view": policy.can(user, "community.view"),
        "manage": policy.can(user, "community.manage"),
        "serve": policy.can(user, "community.serve"),
        "alliance": policy.can(user, "community.alliance"),
    }


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {**context, "perms_community": _staff_links(request)})


def _street(request: HttpRequest) -> int | None:
    """The street a public page is narrowed to (``?street=<id>``); None: every street's."""
    return plain_int(request.GET.get("street"))


def _posted_id(request: HttpRequest, name: str) -> int | None:
    """The id a form posts in ``name``; None when it is missing or not a number (the caller
    says which field is wanting, instead of a server error)."""
    return plain_int(request.POST.get(name))


def _volunteer(request: HttpRequest, pk: int) -> Volunteer:
    policy.require(request.user, "community.view")
    return get_object_or_404(queries.volunteers(request.user), pk=pk)
