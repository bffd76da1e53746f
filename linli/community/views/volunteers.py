"""Staff pages of volunteers: hours to decide, shifts and their QR page, certificates, export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from linli.core import policy
from linli.core.errors import DomainError
from linli.core.ids import plain_int
from linli.jobs.sheetviews import xlsx_response

from .. import paper, queries, rules, services
from ..sheets import HOURS
from ._common import _actor, _fail, _posted_id, _qr_svg, _render, _volunteer
from .volunteer_page import volunteer_shift

# --- volunteers --------------------------------------------------------------------------------


@require_safe
def volunteers(request: HttpRequest) -> HttpResponse:
    """Teams, volunteers with their stars, hours and corrections to decide (each decision
    posts to a view of its own)."""
    policy.require(request.user, "community.view")
    team = queries.team_or_none(request.user, plain_int(request.GET.get("team")))
    people = list(queries.volunteers(request.user, team)[:200])
    for v in people:
        minutes = v.approved_minutes or 0  # type: ignore[attr-defined]
        v.stars = rules.star_level(minutes)  # type: ignore[attr-defined]
        v.hours_served = minutes / 60  # type: ignore[attr-defined]
        v.next = rules.next_star(minutes)  # type: ignore[attr-defined]
    return _render(
        request,
        "community/volunteers.html",
        {
            "teams": list(queries.teams(request.user)),
            "team": team,
            "people": people,
            "pending": list(queries.pending_hours(request.user)[:100]),
            "shifts": list(queries.shifts(request.user)[:20]),
            "corrections": list(queries.open_corrections(request.user)[:50]),
            "can_manage": policy.can(request.user, "community.manage"),
            "stars": rules.STAR_HOURS,
        },
    )


def _back_to_volunteers(request: HttpRequest) -> HttpResponse:
    """The volunteers page, with the team it showed (``team`` posted with the form)."""
    url = reverse("community:volunteers")
    team = plain_int(request.POST.get("team"))
    if team is not None:
        url += "?" + urlencode({"team": team})
    return redirect(url)


def _decision(request: HttpRequest, name: str) -> bool | None:
    """A yes/no button's value (``1`` or ``0``); None when neither was posted."""
    return {"1": True, "0": False}.get(request.POST.get(name, "").strip())


@require_POST
def hours_decide(request: HttpRequest) -> HttpResponse:
    """The leader approves (``approve=1``) or refuses (``0``) the pending record ``record``."""
    policy.require(request.user, "community.manage")
    record_pk = _posted_id(request, "record")
    if record_pk is None:
        messages.error(request, _("时长记录：请选择要审核的记录。"))
        return _back_to_volunteers(request)
    record = get_object_or_404(queries.pending_hours(request.user), pk=record_pk)
    approve = _decision(request, "approve")
    if approve is None:
        messages.error(request, _("认定：请选择认定或不认定。"))
        return _back_to_volunteers(request)
    try:
        services.do_decide_hours(_actor(request), record, approve)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("时长已认定。") if approve else _("时长未予认定。"))
    return _back_to_volunteers(request)


@require_POST
def correction_decide(request: HttpRequest) -> HttpResponse:
    """The leader fixes (``fix=1``) or refuses (``0``) the open correction ``correction``."""
    policy.require(request.user, "community.manage")
    corr_pk = _posted_id(request, "correction")
    if corr_pk is None:
        messages.error(request, _("更正申请：请选择要处理的更正申请。"))
        return _back_to_volunteers(request)
    corr = get_object_or_404(queries.open_corrections(request.user), pk=corr_pk)
    fix = _decision(request, "fix")
    if fix is None:
        messages.error(request, _("更正：请选择更正或不予更正。"))
        return _back_to_volunteers(request)
    try:
        services.do_decide_correction(_actor(request), corr, fix)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已更正。") if fix else _("已不予更正。"))
    return _back_to_volunteers(request)


@login_not_required
def shift(request: HttpRequest, token: str) -> HttpResponse:
    """A shift's page (its QR code opens it): the leader checks volunteers in and out; a
    volunteer who scans the QR posted at the place checks themself in and out."""
    if not request.user.is_authenticated:
        return volunteer_shift(request, token)
    policy.require(request.user, "community.serve")
    item = get_object_or_404(queries.staff_shifts(request.user), token=token)
    members = list(queries.volunteers(request.user, item.team).order_by("name", "id"))
    if request.method == "POST":
        volunteer = get_object_or_404(
            queries.volunteers(request.user, item.team), pk=request.POST.get("volunteer")
        )
        try:
            record = services.do_scan_shift(_actor(request), item, volunteer)
        except DomainError as exc:
            _fail(request, exc)
        else:
            text = (
                _("%(name)s 已签退，认定 %(m)d 分钟。")
                if record.check_out
                else _("%(name)s 已签到。")
            )
            messages.success(request, text % {"name": volunteer.name, "m": record.minutes})
        return redirect("community:shift", token)
    records = queries.shift_records(item)
    rows = [(v, records.get(v.pk)) for v in members]
    url = request.build_absolute_uri(reverse("community:shift", args=[token]))
    return _render(
        request, "community/shift.html", {"shift": item, "rows": rows, "qr": _qr_svg(url)}
    )


def certificate(request: HttpRequest, pk: int, team_pk: int) -> HttpResponse:
    """Issue (POST) or re-print the newest certificate of a volunteer with a team, as PDF."""
    volunteer = _volunteer(request, pk)
    team = get_object_or_404(queries.team_rows(request.user), pk=team_pk)
    if request.method == "POST":
        try:
            services.do_issue_certificate(_actor(request), volunteer, team)
        except DomainError as exc:
            _fail(request, exc)
            return redirect("community:volunteers")
    cert = queries.newest_certificate(volunteer, team)
    if cert is None:
        raise Http404
    pdf = paper.certificate_pdf(cert)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.number}.pdf"'
    return response


def volunteers_export(request: HttpRequest) -> HttpResponse:
    """Approved hours in the fields of 民政部令第67号 (for the city's volunteer site)."""
    policy.require(request.user, "community.view")
    data = HOURS.workbook(queries.approved_hours(request.user))
    return xlsx_response(data, "volunteer-hours")
