"""The inspector's checklist: my samples, one unit at a time, findings, Excel, submit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from linli.core.context import Actor
from linli.core.errors import DomainError, ImportRejected
from linli.core.ids import plain_int
from linli.geo.models import Committee
from linli.jobs import sheetviews

from .. import extensions, filters, queries, services
from .. import forms as risk_forms
from ..models import Check, Finding, Sample
from ..sheets import ChecklistSheet
from ._common import _chosen, _error, _filtered


def my_samples(request: HttpRequest) -> HttpResponse:
    mine = queries.my_samples(request.user)
    filterset, qs, problems = _filtered(
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
            "chosen_committee": _chosen(filterset, "committee"),
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
        services.do_save_check_statuses(Actor.from_request(request), sample, statuses)
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
            services.do_add_finding(
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
        pk=plain_int(finding) or 0,
        check_item__sample=sample,
        check_item__code__in=u.subunits,
    )
    try:
        services.do_delete_finding(Actor.from_request(request), f)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已删除问题。"))
    return redirect("risk:sample_unit", pk=sample.pk, unit=u.code)


def sample_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The sample's sheet to fill in offline (as it stands), read back by ``sample_import``."""
    sample = queries.sample_for_inspection(request.user, pk)
    return sheetviews.template_response(
        ChecklistSheet(sample), f"linli-risk-{sample.committee.code}-{sample.label}"
    )


@require_POST
def sample_import(request: HttpRequest, pk: int) -> HttpResponse:
    sample = queries.sample_for_inspection(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择 Excel 文件。"))
        return redirect("risk:sample", pk=pk)
    try:
        counts = services.do_import_checklist(Actor.from_request(request), sample, upload)
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
        services.do_submit_sample(Actor.from_request(request), sample)
    except DomainError as exc:
        _error(request, exc)
        return redirect("risk:sample", pk=pk)
    messages.success(request, _("样本已提交并锁定，居委风险等级已更新。"))
    return redirect("risk:sample", pk=pk)


def photo(request: HttpRequest, pk: int) -> FileResponse:
    p = queries.photo(request.user, pk)
    return FileResponse(p.image.open("rb"))
