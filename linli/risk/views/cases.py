"""Hazard cases: the list, the case page and its step forms, the escalation refresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.excel import write_workbook
from linli.core.models import User
from linli.core.roles import Role
from linli.geo.models import Committee

from .. import filters, queries, services
from .. import forms as risk_forms
from ..models import ACTION_LABELS, HazardCase
from ._common import _chosen, _error, _filtered, _streets

CASE_SORTS = {
    "due_on": gettext_lazy("期限"),
    "grade": gettext_lazy("等级"),
    "committee__code": gettext_lazy("居委"),
    "found_on": gettext_lazy("发现日期"),
}


def case_list(request: HttpRequest) -> HttpResponse:
    filterset, qs, problems = _filtered(filters.CaseFilter, request, queries.cases(request.user))
    f = request.GET
    sort = f.get("sort", "")
    qs = (
        qs.order_by(sort, "pk")
        if sort.lstrip("-") in CASE_SORTS
        else qs.order_by("state", "grade", "due_on", "pk")
    )
    today = timezone.localdate()
    if f.get("export"):
        rows = (
            [
                c.pk,
                c.committee.name,
                c.subunit,
                c.grade,
                c.get_state_display(),
                c.finding.description,
                c.responsible,
                c.found_on,
                c.due_on,
                c.closed_on,
                c.escalation,
            ]
            for c in qs
        )
        labels = [
            str(x)
            for x in (
                _("编号"),
                _("居委"),
                _("子单元"),
                _("等级"),
                _("状态"),
                _("问题"),
                _("责任方"),
                _("发现日期"),
                _("期限"),
                _("销号日期"),
                _("督办层级"),
            )
        ]
        data = write_workbook(str(_("隐患")), labels, rows)
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="linli-risk-cases.xlsx"'
        return response
    page = Paginator(qs, 50).get_page(f.get("page"))
    query = f.copy()
    query.pop("page", None)
    return render(
        request,
        "risk/cases.html",
        {
            "page": page,
            "today": today,
            "can_manage": policy.can(request.user, "risk.manage"),
            "figures": queries.case_figures(request.user, today) if not f.get("page") else [],
            "states": HazardCase.State.choices,
            "f": f,
            "chosen_committee": _chosen(filterset, "committee"),
            "streets": _streets(filterset),
            "chosen_street": _chosen(filterset, "street"),
            "sorts": CASE_SORTS,
            "sort": sort,
            "query": query.urlencode(),
            "committees": policy.scoped(Committee.objects.all(), request.user, "pk")
            if policy.role_of(request.user) != Role.PARTNER
            else [],
            "filter_problems": problems,
        },
    )


def _actions(user: Any, case: HazardCase) -> list[str]:
    from .. import rectification as rect

    allowed = [a.value for a in rect.allowed_transitions(case.state)]
    out = []
    for a in allowed:
        if a in ("approve", "reject"):
            if services.signoff_party(user) and policy.in_scope(user, case.committee_id):
                out.append(a)
        elif a == "assign":
            if policy.can(user, "risk.manage") or (
                policy.role_of(user) == Role.COMMITTEE_STAFF
                and policy.in_scope(user, case.committee_id)
            ):
                out.append(a)
        elif a != "grade" and services.can_act_on(user, case):
            out.append(a)
    party = services.signoff_party(user)
    if (
        case.state == HazardCase.State.REINSPECTION
        and party
        and party not in case.signoffs  # signed: the button has done its job
        and policy.in_scope(user, case.committee_id)
    ):
        out.insert(0, "sign")
    return out


PARTY_LABELS = {"committee": gettext_lazy("居委"), "street": gettext_lazy("街道")}


def _done_message(case: HazardCase, action: str) -> str:
    """What happened, in words: the action, the case's new state, and what is still needed."""
    case.refresh_from_db()
    said = _("已%(a)s，隐患现为“%(s)s”。") % {
        "a": ACTION_LABELS.get(action, action),
        "s": case.get_state_display(),
    }
    if action == "sign":
        from .. import rectification as rect

        missing = [
            str(PARTY_LABELS.get(p, p))
            for p in sorted(rect.required_signoffs(case.grade) - set(case.signoffs))
        ]
        if missing:
            said += " " + _("还需%(who)s签字后才能销号。") % {"who": "、".join(missing)}
        else:
            said += " " + _("签字已齐，可以复查通过并销号。")
    return said


def _history(case: HazardCase) -> list[dict[str, Any]]:
    """The case's events as people read them: names rather than log-in names, parties in words."""
    events = list(case.events.all())
    names = {
        u.username: str(u) for u in User.objects.filter(username__in={e.actor_name for e in events})
    }
    return [
        {
            "e": e,
            "who": names.get(e.actor_name, e.actor_name),
            "note": PARTY_LABELS.get(e.note, e.note) if e.action == "sign" else e.note,
        }
        for e in events
    ]


# Each form of the case page posts to its own view, which calls its one service.
STEP_URLS = {
    "sign": "risk:case_sign",
    "assign": "risk:case_assign",
    "start": "risk:case_start",
    "request_reinspection": "risk:case_request_reinspection",
    "approve": "risk:case_approve",
    "reject": "risk:case_reject",
    "defer": "risk:case_defer",
    "resume": "risk:case_resume",
    "close_on_spot": "risk:case_close_on_spot",
}
STEP_FORMS: dict[str, type[forms.Form]] = {
    "assign": risk_forms.CaseAssignForm,
    "start": risk_forms.CaseStartForm,
    "request_reinspection": risk_forms.CasePhotosForm,
    "close_on_spot": risk_forms.CasePhotosForm,
    "reject": risk_forms.CaseRejectForm,
    "defer": risk_forms.CaseDeferForm,
}


@require_safe
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(
        queries.cases(request.user).prefetch_related("events", "photos", "finding__photos"), pk=pk
    )
    actions = [
        {
            "action": a,
            "label": ACTION_LABELS.get(a, a),
            "url": reverse(STEP_URLS[a], args=[case.pk]),
            "form": STEP_FORMS.get(a, risk_forms.CaseConfirmForm)(),
        }
        for a in _actions(request.user, case)
    ]
    return render(
        request,
        "risk/case.html",
        {
            "case": case,
            "actions": actions,
            "history": _history(case),
            "today": timezone.localdate(),
        },
    )


F = TypeVar("F", bound=forms.Form)


def _step(
    request: HttpRequest,
    pk: int,
    action: str,
    form_class: type[F],
    call: Callable[[Actor, HazardCase, F], object],
) -> HttpResponse:
    """One step of the case page: the route's permission (403 before any work), the case in
    the user's reach, the form checked (each bad field named), its one service, the outcome in
    words, back to the case page."""
    if not policy.can_open(request.user, STEP_URLS[action]):
        raise PermissionDenied(STEP_URLS[action])
    case = get_object_or_404(queries.cases(request.user), pk=pk)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        for name, problems in form.errors.items():
            for problem in problems:
                label = form.fields[name].label if name in form.fields else name
                messages.error(
                    request, _("%(field)s：%(problem)s") % {"field": label, "problem": problem}
                )
        return redirect("risk:case", pk=pk)
    try:
        call(Actor.from_request(request), case, form)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _done_message(case, action))
    return redirect("risk:case", pk=pk)


@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """交办."""

    def call(actor: Actor, case: HazardCase, form: risk_forms.CaseAssignForm) -> object:
        d = form.cleaned_data
        return services.do_assign_case(
            actor,
            case,
            responsible=d["responsible"],
            organisation=d["organisation"],
            interim_measure=d["interim_measure"],
            due_on=d["due_on"],
        )

    return _step(request, pk, "assign", risk_forms.CaseAssignForm, call)


@require_POST
def case_start(request: HttpRequest, pk: int) -> HttpResponse:
    """开始整改 (an A-grade case with its five-point plan)."""

    def call(actor: Actor, case: HazardCase, form: risk_forms.CaseStartForm) -> object:
        plan = form.plan() if case.grade == "A" else None
        return services.do_start_rectification(actor, case, plan=plan)

    return _step(request, pk, "start", risk_forms.CaseStartForm, call)


@require_POST
def case_request_reinspection(request: HttpRequest, pk: int) -> HttpResponse:
    """申请复查, with photos of the rectified place."""

    def call(actor: Actor, case: HazardCase, form: risk_forms.CasePhotosForm) -> object:
        return services.do_request_reinspection(actor, case, photos=form.cleaned_data["photos"])

    return _step(request, pk, "request_reinspection", risk_forms.CasePhotosForm, call)


@require_POST
def case_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """One party's sign-off."""

    def call(actor: Actor, case: HazardCase, form: risk_forms.CaseConfirmForm) -> object:
        return services.do_sign_case(actor, case)

    return _step(request, pk, "sign", risk_forms.CaseConfirmForm, call)


@require_POST
def case_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """复查通过，销号."""

    def call(actor: Actor, case: HazardCase, form: risk_forms.CaseConfirmForm) -> object:
        return services.do_approve_case(actor, case)

    return _step(request, pk, "approve", risk_forms.CaseConfirmForm, call)


@require_POST
def case_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """复查不通过，退回."""

    def call(actor: Actor, case: HazardCase, form: risk_forms.CaseRejectForm) -> object:
        return services.do_reject_case(actor, case, reason=form.cleaned_data["reason"])

    return _step(request, pk, "reject", risk_forms.CaseRejectForm, call)


@require_POST
def case_defer(request: HttpRequest, pk: int) -> HttpResponse:
    """转长期管控."""

    def call(actor: Actor, case: HazardCase, form: risk_forms.CaseDeferForm) -> object:
        d = form.cleaned_data
        return services.do_defer_case(
            actor, case, interim_control=d["interim_control"], review_on=d["review_on"]
        )

    return _step(request, pk, "defer", risk_forms.CaseDeferForm, call)


@require_POST
def case_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """恢复整改."""

    def call(actor: Actor, case: HazardCase, form: risk_forms.CaseConfirmForm) -> object:
        return services.do_resume_case(actor, case)

    return _step(request, pk, "resume", risk_forms.CaseConfirmForm, call)


@require_POST
def case_close_on_spot(request: HttpRequest, pk: int) -> HttpResponse:
    """当场整改销号, with a photo."""

    def call(actor: Actor, case: HazardCase, form: risk_forms.CasePhotosForm) -> object:
        return services.do_close_case_on_spot(actor, case, photos=form.cleaned_data["photos"])

    return _step(request, pk, "close_on_spot", risk_forms.CasePhotosForm, call)


@require_POST
def cases_refresh(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "risk.manage")
    n = services.do_refresh_escalation(Actor.from_request(request))
    messages.success(request, _("已更新 %(n)s 件逾期隐患的督办层级。") % {"n": n})
    return redirect("risk:cases")
