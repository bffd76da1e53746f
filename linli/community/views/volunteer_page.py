"""The volunteer's own phone page (public, personal code plus phone tail)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from linli.core import ratelimit
from linli.core.context import client_address
from linli.core.errors import DomainError

from .. import forms as f
from .. import paper, queries, rules, services
from ..errors import VolunteerAccessDenied
from ..models import Volunteer
from ._common import _actor, _fail, _posted_id, _qr_svg, _render, _volunteer

# --- the volunteer's own phone page (public, personal code + phone tail) ------------------------

VOLUNTEER_SESSION = "community_volunteer"
VOLUNTEER_SESSION_SECONDS = 8 * 3600  # a day's shift: check in, serve, check out
VOLUNTEER_IP_LIMIT = 20  # failed log-ins per address per 15 minutes


def _client(request: HttpRequest) -> str:
    return client_address(request)[:64]


def _session_volunteer(request: HttpRequest) -> Volunteer | None:
    data = request.session.get(VOLUNTEER_SESSION)
    if not data or data.get("until", 0) < timezone.now().timestamp():
        return None
    return queries.volunteer_by_pk(data["volunteer"])


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _safe_next(request: HttpRequest, target: str) -> str:
    ok = target.startswith("/community/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if ok else reverse("community:me")


@login_not_required
def volunteer_login(request: HttpRequest) -> HttpResponse:
    form = f.VolunteerLoginForm(request.POST or None)
    status = 200
    key = f"community-volunteer-fail:{_client(request)}"
    target = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST":
        if ratelimit.exceeded(key, VOLUNTEER_IP_LIMIT):
            form.add_error(None, _("尝试次数过多，请 15 分钟后再试，或联系队长。"))
            status = 429
        elif form.is_valid():
            try:
                volunteer = services.do_log_in_volunteer(
                    form.cleaned_data["code"], form.cleaned_data["tail"], address=_client(request)
                )
            except VolunteerAccessDenied as exc:
                ratelimit.hit(key, 15 * 60)
                form.add_error(None, exc.message)
                status = 429 if exc.code == "locked" else 200
            else:
                request.session.cycle_key()
                request.session[VOLUNTEER_SESSION] = {
                    "volunteer": volunteer.pk,
                    "until": timezone.now().timestamp() + VOLUNTEER_SESSION_SECONDS,
                }
                return redirect(_safe_next(request, target))
    response = render(
        request, "community/volunteer_login.html", {"form": form, "next": target}, status=status
    )
    return _no_store(response)


def _home_page(
    request: HttpRequest, volunteer: Volunteer, hours_form: f.VolunteerHoursForm | None = None
) -> HttpResponse:
    """Shifts, check-in state, own hours and corrections, stars, certificates."""
    teams = queries.volunteer_teams(volunteer)
    context = queries.volunteer_home(volunteer)
    minutes = context["approved_minutes"]
    context.update(
        {
            "v": volunteer,
            "teams": list(teams),
            "hours_form": hours_form or f.VolunteerHoursForm(prefix="h", teams=teams),
            "stars": rules.star_level(minutes),
            "hours_served": minutes / 60,
            "next": rules.next_star(minutes),
        }
    )
    return _no_store(render(request, "community/volunteer_home.html", context))


@login_not_required
@require_safe
def volunteer_home(request: HttpRequest) -> HttpResponse:
    """The volunteer's own page; its forms post to views of their own."""
    volunteer = _session_volunteer(request)
    if volunteer is None:
        return redirect("community:me_login")
    return _home_page(request, volunteer)


@login_not_required
@require_POST
def me_hours(request: HttpRequest) -> HttpResponse:
    """Hours the volunteer reports themself, pending until the leader approves them."""
    volunteer = _session_volunteer(request)
    if volunteer is None:
        return redirect("community:me_login")
    form = f.VolunteerHoursForm(request.POST, prefix="h", teams=queries.volunteer_teams(volunteer))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.do_report_own_hours(
                services.volunteer_actor(volunteer, _client(request)),
                volunteer, d["team"], d["on"], d["minutes"], d["content"],
            )  # fmt: skip
        except DomainError as exc:
            if exc.field not in form.fields:
                _fail(request, exc)
                return redirect("community:me")
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("已提交，等待队长审核。"))
            return redirect("community:me")
    return _home_page(request, volunteer, form)


@login_not_required
@require_POST
def me_correction(request: HttpRequest) -> HttpResponse:
    """The volunteer asks for one of their own records (``record``) to be corrected."""
    volunteer = _session_volunteer(request)
    if volunteer is None:
        return redirect("community:me_login")
    record_pk = _posted_id(request, "record")
    if record_pk is None:
        messages.error(request, _("服务记录：请选择要更正的记录。"))
        return redirect("community:me")
    record = get_object_or_404(queries.own_records(volunteer), pk=record_pk)
    form = f.CorrectionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("请填写正确的时长（分钟）和理由。"), field="minutes")
        services.do_request_own_correction(
            services.volunteer_actor(volunteer, _client(request)), volunteer, record,
            form.cleaned_data["minutes"], form.cleaned_data["reason"],
        )  # fmt: skip
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("更正申请已提交，队长核实后处理。"))
    return redirect("community:me")


@login_not_required
@require_POST
def me_logout(request: HttpRequest) -> HttpResponse:
    """End the volunteer's session on this phone."""
    request.session.pop(VOLUNTEER_SESSION, None)
    return redirect("community:me_login")


def volunteer_shift(request: HttpRequest, token: str) -> HttpResponse:
    """The shift's QR scanned by a volunteer: a big check-in / check-out button."""
    item = get_object_or_404(queries.shifts_by_token(), token=token)
    volunteer = _session_volunteer(request)
    if volunteer is None:
        here = reverse("community:shift", args=[token])
        return redirect(f"{reverse('community:me_login')}?{urlencode({'next': here})}")
    if request.method == "POST":
        try:
            record = services.do_scan_own_shift(
                services.volunteer_actor(volunteer, _client(request)), volunteer, item
            )
        except DomainError as exc:
            _fail(request, exc)
        else:
            if record.check_out:
                text = _("已签退：%(m)d 分钟，待队长确认。") % {"m": record.minutes}
            else:
                text = _("已签到。服务结束时请再次扫码签退。")
            messages.success(request, text)
        return redirect("community:shift", token)
    mine = queries.own_shift_record(item, volunteer)
    member = queries.is_team_member(item.team, volunteer)
    return _no_store(
        render(
            request,
            "community/volunteer_shift.html",
            {"shift": item, "record": mine, "member": member, "v": volunteer},
        )
    )


@login_not_required
def volunteer_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer downloads one of their own certificates."""
    volunteer = _session_volunteer(request)
    if volunteer is None:
        return redirect("community:me_login")
    cert = get_object_or_404(queries.own_certificates(volunteer), pk=pk)
    response = HttpResponse(paper.certificate_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{cert.number}.pdf"'
    return _no_store(response)


@require_POST
def volunteer_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader hands a volunteer a new personal code for their own page (shown once)."""
    volunteer = _volunteer(request, pk)
    try:
        code = services.do_issue_volunteer_code(_actor(request), volunteer)
    except DomainError as exc:
        _fail(request, exc)
        return redirect("community:volunteers")
    url = request.build_absolute_uri(reverse("community:me_login"))
    return _no_store(
        _render(
            request,
            "community/volunteer_code.html",
            {"v": volunteer, "code": code, "url": url, "qr": _qr_svg(url)},
        )
    )
