"""Practical projects (public progress, staff editing) and the public screen."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from linli.core import policy
from linli.core.errors import DomainError

from .. import forms as f
from .. import queries, services
from ..models import (
    Event,
    PracticalProject,
)
from ._common import _actor, _fail, _posted_id, _render, _street
from .public import _seats_left

# --- public: projects and the screen ----------------------------------------------------------


@login_not_required
def projects(request: HttpRequest) -> HttpResponse:
    items = list(queries.projects(public_only=True, street=_street(request)))
    places: dict[str, list[PracticalProject]] = defaultdict(list)
    for p in items:
        key = p.area.name if p.area else (p.committee.name if p.committee else p.place)
        places[key].append(p)
    return _render(request, "community/projects.html", {"places": sorted(places.items())})


@login_not_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(queries.projects(public_only=True), pk=pk)
    return _render(
        request,
        "community/project.html",
        {
            "p": item,
            **queries.project_progress(item),
        },
    )


def _project_scope(request: HttpRequest) -> Any:
    policy.require(request.user, "community.view")
    return queries.projects_in_reach(request.user)


def project_new(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a practical project (committee staff: their committee's only)."""
    policy.require(request.user, "community.manage")
    item = get_object_or_404(_project_scope(request), pk=pk) if pk else None
    initial: dict[str, Any] = {}
    if item is not None:
        initial = {
            "title": item.title, "kind": item.kind, "area": item.area_id,
            "committee": item.committee_id, "place": item.place, "owner": item.owner,
            "pain_point": item.pain_point, "resident": item.resident_fen / 100,
            "subsidy": item.subsidy_fen / 100, "other": item.other_fen / 100,
            "budget": item.budget_fen / 100, "beneficiaries": item.beneficiaries,
            "status": item.status, "public": item.public,
        }  # fmt: skip
    form = f.narrow_to_reach(f.ProjectForm(request.POST or None, initial=initial), request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        target = item or PracticalProject()
        for field in ("title", "kind", "area", "committee", "place", "owner", "pain_point",
                      "beneficiaries", "status", "public"):  # fmt: skip
            setattr(target, field, d[field])
        for field, value in form.amounts().items():
            setattr(target, field, value)
        scope = policy.committee_scope(request.user)
        if scope is not None:
            target.committee_id = scope
        try:
            saved = services.do_save_project(_actor(request), target)
        except DomainError as exc:
            named = "budget" if exc.field == "budget_fen" else exc.field
            form.add_error(named if named in form.fields else None, exc.message)
        else:
            messages.success(request, _("项目已保存。"))
            return redirect("community:project_manage", saved.pk)
    return _render(request, "community/project_form.html", {"form": form, "item": item})


def _project_page(
    request: HttpRequest, item: PracticalProject, bound: dict[str, Any] | None = None
) -> HttpResponse:
    """The project's milestones, contributions and decisions with a form for each
    (``bound``: one that came back with errors)."""
    forms_: dict[str, Any] = {
        "milestone": f.MilestoneForm(prefix="m"),
        "contribution": f.ContributionForm(prefix="c"),
        "decision": f.DecisionForm(prefix="d"),
        **(bound or {}),
    }
    return _render(
        request,
        "community/project_manage.html",
        {
            "p": item,
            **queries.project_parts(item),
            "forms": forms_,
            "can_manage": policy.can(request.user, "community.manage"),
        },
    )


@require_safe
def project_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """Milestones with photos, household contributions, lane-committee decisions; each form
    posts to a view of its own."""
    item = get_object_or_404(_project_scope(request), pk=pk)
    return _project_page(request, item)


def _project_to_change(request: HttpRequest, pk: int) -> PracticalProject:
    """A project in reach the user may change (403 without ``community.manage``, else 404)."""
    policy.require(request.user, "community.manage")
    item: PracticalProject = get_object_or_404(_project_scope(request), pk=pk)
    return item


def _project_step(
    request: HttpRequest, item: PracticalProject, step: Callable[[], Any], done: str
) -> HttpResponse:
    """Apply one change to a project and go back to its page with the outcome."""
    try:
        step()
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, done)
    return redirect("community:project_manage", item.pk)


@require_POST
def project_milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _project_to_change(request, pk)
    form = f.MilestoneForm(request.POST, request.FILES, prefix="m")
    if not form.is_valid():
        return _project_page(request, item, {"milestone": form})
    d = form.cleaned_data
    return _project_step(
        request,
        item,
        lambda: services.do_add_milestone(
            _actor(request),
            item,
            d["title"],
            d["due"],
            d["done_on"],
            photo=d["photo"],
            note=d["note"],
        ),
        _("节点已添加。"),
    )


@require_POST
def project_milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the milestone named by ``milestone`` done today, with an optional photo."""
    item = _project_to_change(request, pk)
    milestone_pk = _posted_id(request, "milestone")
    if milestone_pk is None:
        messages.error(request, _("节点：请选择要完成的节点。"))
        return redirect("community:project_manage", item.pk)
    milestone = get_object_or_404(queries.milestones(item), pk=milestone_pk)
    return _project_step(
        request,
        item,
        lambda: services.do_complete_milestone(
            _actor(request), milestone, timezone.localdate(), photo=request.FILES.get("photo")
        ),
        _("节点已完成。"),
    )


@require_POST
def project_contribution_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _project_to_change(request, pk)
    form = f.ContributionForm(request.POST, prefix="c")
    if not form.is_valid():
        return _project_page(request, item, {"contribution": form})
    d = form.cleaned_data
    return _project_step(
        request,
        item,
        lambda: services.do_record_contribution(
            _actor(request), item, d["household"], int(d["amount"] * 100), d["receipt"]
        ),
        _("出资已登记。"),
    )


@require_POST
def project_decision_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _project_to_change(request, pk)
    form = f.DecisionForm(request.POST, prefix="d")
    if not form.is_valid():
        return _project_page(request, item, {"decision": form})
    return _project_step(
        request,
        item,
        lambda: services.do_record_decision(_actor(request), item, **form.cleaned_data),
        _("决议已记录。"),
    )


def _span(e: Event) -> str:
    return f"{timezone.localtime(e.starts_at):%H:%M}–{timezone.localtime(e.ends_at):%H:%M}"


def _screen_data(street: int | None = None) -> dict[str, Any]:
    today = timezone.localdate()
    now = timezone.now()
    events = list(queries.calendar(today, 1, street))
    evening = [e for e in events if e.series_id is not None]
    return {
        "updated": timezone.localtime(now).strftime("%H:%M"),
        "date": today.isoformat(),
        "network": [
            {"name": p.name, "kind": p.get_kind_display(), "address": p.address, "hours": p.hours}
            for p in queries.positions(street)
            if p.is_anchor or "station" in p.kind
        ][:8],
        "today": [
            {
                "title": e.title,
                "time": _span(e),
                "place": e.space.name,
                "left": _seats_left(e),
                "partner": e.partner,
            }
            for e in events
        ],
        "evening": [
            {"title": e.title, "partner": e.partner, "left": _seats_left(e)} for e in evening
        ],
        "figures": queries.screen_figures(today, street),
        "teams": [
            {"name": t.name, "members": t.n_members, "hours": (t.approved_minutes or 0) // 60}  # type: ignore[attr-defined]
            for t in queries.teams(street=street)
        ],
        "projects": [
            {
                "title": p.title,
                "place": p.place,
                "status": p.get_status_display(),
                "done": p.n_done,  # type: ignore[attr-defined]
                "total": p.n_milestones,  # type: ignore[attr-defined]
            }
            for p in queries.projects(public_only=True, street=street)
        ][:8],
    }


@login_not_required
def screen(request: HttpRequest) -> HttpResponse:
    return _render(
        request,
        "community/screen.html",
        {"data": _screen_data(_street(request)), "tz": settings.TIME_ZONE,
         "street": _street(request)},
    )  # fmt: skip


@login_not_required
def screen_data(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_screen_data(_street(request)))
