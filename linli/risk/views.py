"""Risk pages: rounds and the draw, the inspector's checklist, overview, committee page,
hazard cases and white papers. Views only read (queries) and call services."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from linli.core import policy
from linli.core.context import Actor, client_address
from linli.core.errors import DomainError, ImportRejected
from linli.core.excel import write_workbook
from linli.core.models import User
from linli.core.redirects import safe_next
from linli.core.roles import Role
from linli.geo.models import Committee

from . import extensions, filters, queries, services
from . import forms as risk_forms
from .models import ACTION_LABELS, Check, Finding, HazardCase, MethodVersion, Round, Sample

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _filtered(
    filterset_class: Any, request: HttpRequest, qs: QuerySet[Any]
) -> tuple[Any, QuerySet[Any], list[str]]:
    """A list page's filter (the API list's too, ``filters``): the filtered rows, or the whole
    list and each bad field named (never a 500)."""
    filterset = filterset_class(request.GET or None, queryset=qs, request=request)
    if not filterset.is_bound:
        return filterset, qs, []
    if filterset.is_valid():
        return filterset, filterset.qs, []
    problems = [
        f"{filterset.form.fields[name].label}：{message}"
        for name, messages_ in filterset.errors.items()
        for message in messages_
    ]
    return filterset, qs, problems


def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    role = policy.role_of(user)
    if role == Role.INSPECTOR:
        return redirect("risk:my_samples")
    if role == Role.PARTNER:
        return redirect("risk:cases")
    policy.require(user, "risk.view")
    round_list = list(queries.rounds(user)[:20])
    latest = round_list[0] if round_list else None
    context: dict[str, Any] = {
        "rounds": round_list,
        "can_manage": policy.can(user, "risk.manage"),
        "methods": MethodVersion.objects.all() if policy.can(user, "risk.manage") else [],
    }
    if latest is not None:
        # The street picture: every committee's latest grade, whichever round gave it; a
        # recheck round of a few committees shows beside it, never in its place.
        picture = queries.street_picture(user, latest)
        small = len(picture["rows"]) <= queries.DIAGRAM_MAX
        context.update(
            latest=latest,
            ov=picture,
            diagram=queries.diagram(picture["rows"]) if small and picture["graded"] else None,
        )
    cases = queries.cases(user)
    context["open_cases"] = cases.exclude(state=HazardCase.State.CLOSED).count()
    context["overdue_cases"] = queries.overdue(cases).count()
    return render(request, "risk/index.html", context)


# --------------------------------------------------------------------------- methods


def method_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "risk.manage")
    mv = get_object_or_404(MethodVersion, pk=pk)
    in_use = mv.rounds.exists()
    import json

    edit = risk_forms.MethodEditForm(
        request.POST or None,
        initial={"text": json.dumps(mv.data, ensure_ascii=False, indent=2)},
    )
    copy = risk_forms.MethodCopyForm(initial={"version": f"{mv.version}-1", "title": mv.title})
    if request.method == "POST" and edit.is_valid():
        try:
            services.edit_method(Actor.from_request(request), mv, edit.cleaned_data["text"])
        except DomainError as exc:
            edit.add_error("text", exc.message)
        else:
            messages.success(request, _("方法版本已保存。"))
            return redirect("risk:method", pk=mv.pk)
    return render(
        request,
        "risk/method.html",
        {
            "mv": mv,
            "method": queries.method_of(mv),
            "edit": edit,
            "copy": copy,
            "in_use": in_use,
        },
    )


@require_POST
def method_copy(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "risk.manage")
    base = get_object_or_404(MethodVersion, pk=pk)
    form = risk_forms.MethodCopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的版本号（字母、数字、连字符）和名称。"))
        return redirect("risk:method", pk=pk)
    try:
        mv = services.copy_method(
            Actor.from_request(request),
            base,
            form.cleaned_data["version"],
            form.cleaned_data["title"],
        )
    except DomainError as exc:
        _error(request, exc)
        return redirect("risk:method", pk=pk)
    messages.success(request, _("已复制为新版本，可编辑。"))
    return redirect("risk:method", pk=mv.pk)


# --------------------------------------------------------------------------- rounds


def round_create(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "risk.manage")
    mine = policy.scoped(Committee.objects.order_by("code"), request.user, "pk")
    form = risk_forms.RoundForm(
        request.POST or None,
        initial={"committees": mine, "method": MethodVersion.objects.first()},
    )
    form.fields["committees"].queryset = mine  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rnd = services.create_round(
                Actor.from_request(request),
                name=d["name"],
                method=d["method"],
                committees=d["committees"],
                samples_per_committee=d["samples_per_committee"],
                seed=d["seed"],
                assessor=d["assessor"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("轮次已创建，可以抽样。"))
            return redirect("risk:round", pk=rnd.pk)
    return render(request, "risk/round_form.html", {"form": form})


def round_overview(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    large = queries.committees_in(request.user, rnd).count() > queries.DIAGRAM_MAX
    ov = queries.overview(request.user, rnd, units=not large)
    ordered = ov["ranked"] + [r for r in ov["rows"] if r.value is None]
    page = Paginator(ordered, queries.PAGE_SIZE if large else max(len(ordered), 1)).get_page(
        request.GET.get("page")
    )
    if large:
        queries.add_units(rnd, list(page.object_list))
    heat = [{"row": r, "cells": [r.units.get(u.code) for u in ov["units"]]} for r in page]
    return render(
        request,
        "risk/round.html",
        {
            "round": rnd,
            "ov": ov,
            "page": page,
            "large": large,
            "diagram": None if large else queries.diagram(ov["rows"]),
            # A recheck (复查) covers only some committees: its average is not the street's.
            "partial": policy.scoped(Committee.objects.all(), request.user, "pk").count()
            > len(ov["rows"]),
            "heat": heat,
            "can_manage": policy.can(request.user, "risk.manage"),
        },
    )


@require_POST
def round_draw(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "risk.manage")
    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    try:
        made = services.draw_round(Actor.from_request(request), rnd)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已抽取 %(n)s 个样本。") % {"n": len(made)})
    return redirect("risk:samples", pk=rnd.pk)


SAMPLE_SORTS = {
    "committee__code": _("居委"),
    "state": _("状态"),
    "inspector__username": _("检查员"),
}


def round_samples(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    _filter, qs, problems = _filtered(
        filters.SampleFilter, request, queries.samples(request.user, rnd)
    )
    sort = request.GET.get("sort", "")
    qs = (
        qs.order_by(sort, "pk")
        if sort.lstrip("-") in SAMPLE_SORTS
        else qs.order_by("committee__code", "label")
    )
    if request.GET.get("export"):
        rows = (
            [
                s.committee.code,
                s.committee.name,
                s.label,
                str(s.building),
                s.stratum,
                s.inspector.username if s.inspector else "",
                s.get_state_display(),
            ]
            for s in qs
        )
        data = write_workbook(
            str(_("样本")),
            [
                str(_("居委代码")),
                str(_("居委")),
                str(_("样本号")),
                str(_("楼栋")),
                str(_("房屋类型")),
                str(_("检查员")),
                str(_("状态")),
            ],
            rows,
        )
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="linli-risk-samples-{rnd.pk}.xlsx"'
        return response
    page = Paginator(qs, 60).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_manage = policy.can(request.user, "risk.manage")
    return render(
        request,
        "risk/samples.html",
        {
            "round": rnd,
            "page": page,
            "inspectors": list(User.objects.filter(role=Role.INSPECTOR, is_active=True))
            if can_manage
            else [],
            "can_manage": can_manage,
            "states": Sample.State.choices,
            "state": request.GET.get("state", ""),
            "committee": request.GET.get("committee", ""),
            "committees": queries.committees_in(request.user, rnd),
            "filter_problems": problems,
            "sorts": SAMPLE_SORTS,
            "sort": sort,
            "query": query.urlencode(),
        },
    )


@require_POST
def sample_assign(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "risk.manage")
    sample = get_object_or_404(queries.samples(request.user), pk=pk)
    form = risk_forms.AssignForm(request.POST)
    if form.is_valid():
        try:
            services.assign_inspector(
                Actor.from_request(request), sample, form.cleaned_data["inspector"]
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已指派 %(s)s。") % {"s": sample})
    return redirect(safe_next(request, request.POST.get("next"), reverse("risk:index")))


def committee_page(request: HttpRequest, pk: int, committee: int) -> HttpResponse:
    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    c = get_object_or_404(rnd.committees.all(), pk=committee)
    data = queries.committee_detail(request.user, rnd, c)
    return render(request, "risk/committee.html", {"round": rnd, "committee": c, **data})


# --------------------------------------------------------------------------- inspection


def my_samples(request: HttpRequest) -> HttpResponse:
    mine = queries.my_samples(request.user)
    _filter, qs, problems = _filtered(
        filters.SampleFilter,
        request,
        mine.order_by("state", "round_id", "committee__code", "label"),
    )
    f = request.GET
    query = f.copy()
    query.pop("page", None)
    page = Paginator(qs, 50).get_page(f.get("page"))
    committees = Committee.objects.filter(pk__in=mine.values("committee_id")).order_by("code")
    counts = {s: mine.filter(state=s).count() for s in Sample.State.values}
    return render(
        request,
        "risk/my_samples.html",
        {
            "page": page,
            "query": query.urlencode(),
            "states": Sample.State.choices,
            "committees": committees,
            "counts": counts,
            "f": f,
            "filter_problems": problems,
        },
    )


def _unit_progress(sample: Sample, method: Any) -> list[dict[str, Any]]:
    checks = {c.code: c for c in sample.checks.all()}
    out = []
    for u in method.units:
        items = [checks[code] for code in u.subunits if code in checks]
        done = sum(1 for c in items if c.status != Check.Status.OPEN)
        findings = sum(len(c.findings.all()) for c in items)
        out.append({"unit": u, "done": done, "total": len(items), "findings": findings})
    return out


def sample_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    sample = queries.sample_for_inspection(request.user, pk)
    method = queries.method_of(sample.round.method)
    units = _unit_progress(sample, method)
    open_n = sum(u["total"] - u["done"] for u in units)
    # Facts from the registers (overdue extinguishers, sprinklers, charging gaps), shown here so
    # the inspector adopts or dismisses them before submitting locks the sample.
    facts = extensions.sample_facts(request.user, sample)
    for fact in facts:
        try:
            fact["name"] = method.subunit(fact["subunit"]).name_zh
        except KeyError:
            fact["name"] = ""
    return render(
        request,
        "risk/checklist.html",
        {
            "sample": sample,
            "units": units,
            "open_n": open_n,
            "method": method,
            "facts": facts,
            "undecided": sum(1 for f in facts if not f["decided"]),
        },
    )


def _unit_of(request: HttpRequest, pk: int, unit: str) -> tuple[Sample, Any, Any]:
    """The inspector's sample, its method and the named unit (404 for a unit not in it)."""
    sample = queries.sample_for_inspection(request.user, pk)
    method = queries.method_of(sample.round.method)
    try:
        return sample, method, method.unit(unit)
    except KeyError:
        raise Http404 from None


def _reasons(method: Any) -> list[tuple[str, str]]:
    return [(r.code, r.name_zh) for r in method.severity_reasons]


def _unit_page(
    request: HttpRequest,
    sample: Sample,
    method: Any,
    u: Any,
    *,
    finding_form: risk_forms.FindingForm | None = None,
    add_for: str = "",
) -> HttpResponse:
    checks = {c.code: c for c in sample.checks.all()}
    items = [{"sub": method.subunit(code), "check": checks.get(code)} for code in u.subunits]
    order = list(method.unit_codes)
    i = order.index(u.code)
    return render(
        request,
        "risk/unit.html",
        {
            "sample": sample,
            "unit": u,
            "items": items,
            "method": method,
            "blank_form": risk_forms.FindingForm(reasons=_reasons(method)),
            "finding_form": finding_form,
            "add_for": add_for,
            "prev": order[i - 1] if i else None,
            "next": order[i + 1] if i + 1 < len(order) else None,
            "position": i + 1,
            "count": len(order),
            "units": _unit_progress(sample, method),
        },
    )


@require_safe
def sample_unit(request: HttpRequest, pk: int, unit: str) -> HttpResponse:
    """One unit of the checklist; its three forms post to the three views below."""
    sample, method, u = _unit_of(request, pk, unit)
    return _unit_page(request, sample, method, u)


@require_POST
def sample_statuses(request: HttpRequest, pk: int, unit: str) -> HttpResponse:
    """Save the unit's clean/NA choices: a tap autosaved (204) or the save buttons."""
    sample, method, u = _unit_of(request, pk, unit)
    autosave = bool(request.headers.get("X-Linli-Autosave"))
    statuses = {
        code: request.POST.get(f"status-{code}", "")
        for code in u.subunits
        if request.POST.get(f"status-{code}")
    }
    page = reverse("risk:sample_unit", args=[sample.pk, u.code])
    try:
        services.save_statuses(Actor.from_request(request), sample, statuses)
    except DomainError as exc:
        if autosave:
            return HttpResponse(exc.message, status=409)
        _error(request, exc)
        return redirect(page)
    if autosave:
        return HttpResponse(status=204)
    # What is saved, autosaved taps included: not just what this press changed.
    filled = (
        Check.objects.filter(sample=sample, code__in=u.subunits)
        .exclude(status=Check.Status.OPEN)
        .count()
    )
    messages.success(
        request,
        _("已保存草稿：%(unit)s 已填 %(done)s / %(all)s 项。")
        % {"unit": u.name_zh, "done": filled, "all": len(u.subunits)},
    )
    codes = method.unit_codes
    nxt = codes.index(u.code) + 1
    if "next" in request.POST and nxt < len(codes):
        return redirect("risk:sample_unit", pk=sample.pk, unit=codes[nxt])
    if "next" in request.POST:
        return redirect("risk:sample", pk=sample.pk)
    return redirect(page)


@require_POST
def sample_finding_add(request: HttpRequest, pk: int, unit: str) -> HttpResponse:
    """Record a finding on one sub-unit of the unit; a refused one shows the page again with
    the form filled and the field named."""
    sample, method, u = _unit_of(request, pk, unit)
    code = request.POST.get("add_finding", "")
    if code not in u.subunits:
        raise Http404
    form = risk_forms.FindingForm(request.POST, request.FILES, reasons=_reasons(method))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.add_finding(
                Actor.from_request(request),
                sample,
                code,
                likelihood=d["likelihood"],
                severity_reason=d["severity_reason"],
                description=d["description"],
                location=d["location"],
                rule_breached=d["rule_breached"],
                major_fire_hazard=d["major_fire_hazard"],
                photos=d["photos"],
            )
        except DomainError as exc:
            _error(request, exc)
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            sample = queries.sample_for_inspection(request.user, pk)
        else:
            messages.success(request, _("已记录问题（%(code)s）。") % {"code": code})
            page = reverse("risk:sample_unit", args=[sample.pk, u.code])
            return redirect(f"{page}#{code}")
    return _unit_page(request, sample, method, u, finding_form=form, add_for=code)


@require_POST
def sample_finding_delete(request: HttpRequest, pk: int, unit: str) -> HttpResponse:
    sample, _method, u = _unit_of(request, pk, unit)
    finding = request.POST.get("delete_finding", "")
    f = get_object_or_404(
        Finding,
        pk=int(finding) if finding.isdigit() else 0,
        check_item__sample=sample,
        check_item__code__in=u.subunits,
    )
    try:
        services.delete_finding(Actor.from_request(request), f)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已删除问题。"))
    return redirect("risk:sample_unit", pk=sample.pk, unit=u.code)


def sample_template(request: HttpRequest, pk: int) -> HttpResponse:
    from .sheets import COLUMNS

    sample = queries.sample_for_inspection(request.user, pk)
    data = write_workbook(
        str(_("检查表")), [c.label for c in COLUMNS], services.checklist_rows(sample)
    )
    response = HttpResponse(data, content_type=XLSX)
    name = f"linli-risk-{sample.committee.code}-{sample.label}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def sample_import(request: HttpRequest, pk: int) -> HttpResponse:
    sample = queries.sample_for_inspection(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择 Excel 文件。"))
        return redirect("risk:sample", pk=pk)
    try:
        counts = services.import_checklist(Actor.from_request(request), sample, upload)
    except ImportRejected as exc:
        for e in exc.errors[:30]:
            messages.error(request, str(e))
        if len(exc.errors) > 30:
            messages.error(request, _("另有 %(n)s 处问题。") % {"n": len(exc.errors) - 30})
        messages.error(request, _("文件未导入（整份拒绝，未写入任何数据）。"))
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            _("已导入 %(s)s 个子单元、%(f)s 个问题。")
            % {"s": counts["subunits"], "f": counts["findings"]},
        )
    return redirect("risk:sample", pk=pk)


@require_POST
def sample_submit(request: HttpRequest, pk: int) -> HttpResponse:
    sample = queries.sample_for_inspection(request.user, pk)
    if request.POST.get("confirm") != "1":  # submitting locks the sample: asked, never one tap
        messages.error(request, _("请先勾选确认：提交后样本锁定，不能再修改。"))
        return redirect("risk:sample", pk=pk)
    try:
        services.submit_sample(Actor.from_request(request), sample)
    except DomainError as exc:
        _error(request, exc)
        return redirect("risk:sample", pk=pk)
    messages.success(request, _("样本已提交并锁定，居委风险等级已更新。"))
    return redirect("risk:sample", pk=pk)


def photo(request: HttpRequest, pk: int) -> FileResponse:
    p = queries.photo(request.user, pk)
    return FileResponse(p.image.open("rb"))


# --------------------------------------------------------------------------- cases


CASE_SORTS = {
    "due_on": gettext_lazy("期限"),
    "grade": gettext_lazy("等级"),
    "committee__code": gettext_lazy("居委"),
    "found_on": gettext_lazy("发现日期"),
}


def case_list(request: HttpRequest) -> HttpResponse:
    _filter, qs, problems = _filtered(filters.CaseFilter, request, queries.cases(request.user))
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
    from . import rectification as rect

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
        from . import rectification as rect

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


CaseStep = Callable[[Actor, HazardCase, dict[str, Any], dict[str, str] | None], HazardCase]

# The case page's forms, one per step of the lifecycle, each handed to its own service.
CASE_STEPS: dict[str, CaseStep] = {
    "sign": lambda actor, case, d, plan: services.do_sign_case(actor, case),
    "assign": lambda actor, case, d, plan: services.do_assign_case(
        actor,
        case,
        responsible=d["responsible"],
        organisation=d["organisation"],
        interim_measure=d["interim_measure"],
        due_on=d["due_on"],
    ),
    "start": lambda actor, case, d, plan: services.do_start_rectification(actor, case, plan=plan),
    "request_reinspection": lambda actor, case, d, plan: services.do_request_reinspection(
        actor, case, photos=d["photos"]
    ),
    "approve": lambda actor, case, d, plan: services.do_approve_case(actor, case),
    "reject": lambda actor, case, d, plan: services.do_reject_case(actor, case, reason=d["reason"]),
    "defer": lambda actor, case, d, plan: services.do_defer_case(
        actor, case, interim_control=d["interim_control"], review_on=d["review_on"]
    ),
    "resume": lambda actor, case, d, plan: services.do_resume_case(actor, case),
    "close_on_spot": lambda actor, case, d, plan: services.do_close_case_on_spot(
        actor, case, photos=d["photos"]
    ),
}


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(
        queries.cases(request.user).prefetch_related("events", "photos", "finding__photos"), pk=pk
    )
    if request.method == "POST":
        form = risk_forms.CaseActionForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            plan = None
            if d["action"] == "start" and case.grade == "A":
                plan = {
                    "measures": d["measures"],
                    "funding": d["funding"],
                    "deadline": d["deadline"].isoformat() if d["deadline"] else "",
                    "responsible": d["plan_responsible"],
                    "emergency_plan": d["emergency_plan"],
                }
            step = CASE_STEPS.get(d["action"])
            if step is None:
                messages.error(request, _("当前状态不能执行该操作"))
                return redirect("risk:case", pk=pk)
            try:
                step(Actor.from_request(request), case, d, plan)
            except DomainError as exc:
                _error(request, exc)
            else:
                messages.success(request, _done_message(case, d["action"]))
            return redirect("risk:case", pk=pk)
    actions = [(a, ACTION_LABELS.get(a, a)) for a in _actions(request.user, case)]
    return render(
        request,
        "risk/case.html",
        {
            "case": case,
            "actions": actions,
            "history": _history(case),
            "form": risk_forms.CaseActionForm(),
            "today": timezone.localdate(),
        },
    )


@require_POST
def cases_refresh(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "risk.manage")
    n = services.refresh_escalation(Actor.from_request(request))
    messages.success(request, _("已更新 %(n)s 件逾期隐患的督办层级。") % {"n": n})
    return redirect("risk:cases")


# --------------------------------------------------------------------------- white paper


def white_paper(request: HttpRequest, pk: int, committee: int) -> HttpResponse:
    from . import paper

    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    c = get_object_or_404(rnd.committees.all(), pk=committee)
    context = paper.context(request.user, rnd, c)
    return render(request, "risk/paper.html", {**context, "web": True, "base": "core/base.html"})


def white_paper_pdf(request: HttpRequest, pk: int, committee: int) -> HttpResponse:
    from . import paper

    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    c = get_object_or_404(rnd.committees.all(), pk=committee)
    try:
        data = paper.pdf(request.user, rnd, c)
    except PermissionDenied:
        raise
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="linli-risk-{rnd.pk}-{c.code}.pdf"'
    return response


def street_paper(request: HttpRequest, pk: int) -> HttpResponse:
    from . import paper

    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    context = paper.street_context(request.user, rnd)
    return render(
        request, "risk/street_paper.html", {**context, "web": True, "base": "core/base.html"}
    )


def street_paper_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from . import paper

    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    response = HttpResponse(paper.street_pdf(request.user, rnd), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="linli-risk-{rnd.pk}-street.pdf"'
    return response


# --------------------------------------------------------------------------- resident survey


def survey_page(request: HttpRequest, pk: int) -> HttpResponse:
    from . import survey as sv
    from .models import Survey

    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    actor = Actor.from_request(request)
    current = Survey.objects.filter(round=rnd).first()
    if request.method == "POST":
        try:
            if request.POST.get("create"):
                sv.create_survey(actor, rnd)
                messages.success(request, _("问卷已建立。"))
            elif current is not None:
                committee = get_object_or_404(
                    rnd.committees.all(), pk=request.POST.get("committee")
                )
                answers = []
                for i in range(len(current.questions)):
                    value = request.POST.get(f"q{i}", "")
                    answers.append(int(value) if value.isdigit() else 0)
                sv.enter_response(actor, current, committee, answers)
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
    from . import survey as sv
    from .models import Survey

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
    from . import survey as sv

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
            answers.append(int(value) if value.isdigit() else 0)
        try:
            sv.enter_online(Actor.from_request(request), current, committee, answers)
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


# --------------------------------------------------------------------------- paper batches


def papers(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's white papers generated in the background, with progress."""
    from . import paper
    from .models import PaperBatch

    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    policy.require(request.user, "risk.manage")
    if request.method == "POST":
        try:
            paper.start_batch(Actor.from_request(request), rnd)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已开始在后台生成本轮全部居委白皮书。"))
        return redirect("risk:papers", pk=pk)
    batch = PaperBatch.objects.select_related("job").filter(round=rnd).first()
    files = list(batch.files.select_related("committee")) if batch else []
    job = batch.job if batch else None
    return render(
        request,
        "risk/papers.html",
        {"round": rnd, "batch": batch, "job": job, "files": files, "running": job and job.active},
    )


def paper_file(request: HttpRequest, pk: int) -> FileResponse:
    from .models import PaperFile

    policy.require(request.user, "risk.view")
    f = get_object_or_404(PaperFile.objects.select_related("committee"), pk=pk)
    policy.require_in_scope(request.user, f.committee_id)
    return FileResponse(f.pdf.open("rb"), content_type="application/pdf")
