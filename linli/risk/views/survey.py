"""The resident survey: staff entry, QR links, and the public online questionnaire."""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.context import Actor, client_address
from linli.core.errors import DomainError
from linli.core.ids import plain_int

from .. import queries
from ..models import Round
from ._common import _error


def survey_page(request: HttpRequest, pk: int) -> HttpResponse:
    from .. import survey as sv
    from ..models import Survey

    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    actor = Actor.from_request(request)
    current = Survey.objects.filter(round=rnd).first()
    if request.method == "POST":
        try:
            if request.POST.get("create"):
                sv.do_create_survey(actor, rnd)
                messages.success(request, _("问卷已建立。"))
            elif current is not None:
                committee = get_object_or_404(
                    rnd.committees.all(), pk=request.POST.get("committee")
                )
                answers = []
                for i in range(len(current.questions)):
                    value = request.POST.get(f"q{i}", "")
                    answers.append(plain_int(value) or 0)
                sv.do_enter_survey_response(actor, current, committee, answers)
                messages.success(request, _("已录入一份问卷（%(c)s）。") % {"c": committee.name})
        except DomainError as exc:
            _error(request, exc)
        return redirect("risk:survey", pk=pk)
    rows = sv.results(request.user, current) if current else []
    committees = [r["committee"] for r in rows if sv.can_enter(request.user, r["committee"].pk)]
    return render(
        request,
        "risk/survey.html",
        {
            "round": rnd,
            "survey": current,
            "rows": rows,
            "entry_committees": committees,
            "scale": sv.SCALE,
            "can_manage": policy.can(request.user, "risk.manage"),
            "links": [
                (
                    r["committee"],
                    request.build_absolute_uri(
                        reverse(
                            "risk:survey_online", args=[sv.online_token(current, r["committee"])]
                        )
                    ),
                )
                for r in rows
            ]
            if current is not None
            else [],
            "closed": rnd.status == Round.Status.FINISHED,
        },
    )


def survey_qr(request: HttpRequest, pk: int, committee: int) -> HttpResponse:
    """QR code (SVG) of a committee's online survey link, for staff to print and post."""
    from .. import survey as sv
    from ..models import Survey

    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    current = get_object_or_404(Survey, round=rnd)
    chosen = get_object_or_404(
        policy.scoped(rnd.committees.all(), request.user, "pk"), pk=committee
    )
    url = request.build_absolute_uri(
        reverse("risk:survey_online", args=[sv.online_token(current, chosen)])
    )
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


ONLINE_LIMIT = 30  # answers per address and survey per hour (an estate may share one address)


@login_not_required
def survey_online(request: HttpRequest, token: str) -> HttpResponse:
    """Public questionnaire reached from the committee's link/QR; stores no personal data."""
    from .. import survey as sv

    found = sv.from_token(token)
    if found is None:
        raise Http404
    current, committee = found
    done: list[str] = request.session.get("risk_survey_done", [])
    context: dict[str, Any] = {
        "survey": current,
        "committee": committee,
        "scale": sv.SCALE,
        "closed": current.round.status == Round.Status.FINISHED,
        "thanks": token in done,
    }
    if request.method == "POST" and not context["closed"] and not context["thanks"]:
        address = client_address(request)
        key = f"risk:survey:{current.pk}:{address}"
        cache.add(key, 0, 3600)
        if cache.get(key, 0) >= ONLINE_LIMIT:
            context["error"] = _("本地址提交过于频繁，请稍后再试。")
            return render(request, "risk/survey_online.html", context, status=429)
        answers = []
        for i in range(len(current.questions)):
            value = request.POST.get(f"q{i}", "")
            answers.append(plain_int(value) or 0)
        try:
            sv.do_enter_online_survey_response(
                Actor.from_request(request), current, committee, answers
            )
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "risk/survey_online.html", context, status=400)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, 3600)
        request.session["risk_survey_done"] = [*done, token][-20:]
        return redirect("risk:survey_online", token=token)
    status = 409 if request.method == "POST" else 200
    return render(request, "risk/survey_online.html", context, status=status)
