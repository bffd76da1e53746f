"""The project list (filtered as the API list), the project page and its forms: one view per
form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.excel import write_workbook

from .. import filters, present, queries, services, stages
from .. import forms as f
from ..models import Project, Vote
from ._common import PAGE_SIZE, _actor, _can_manage, _form_or_error, _project_post

# --- project list ---------------------------------------------------------------------------

SORTS = {
    "name": gettext_lazy("名称"),
    "stage": gettext_lazy("阶段"),
    "committee__code": gettext_lazy("居委"),
}


def _project_list(request: HttpRequest) -> tuple[Any, Any, str, str]:
    """The projects the user reaches, narrowed by ``filters.ProjectFilter`` (as the API list)
    and sorted by one of ``SORTS``."""
    filterset, qs = filters.apply(
        filters.ProjectFilter, request.GET, queries.projects(request.user), request
    )
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in SORTS:
        qs = qs.order_by(sort, "pk")
    else:
        sort = ""
        qs = qs.order_by("committee__code", "name", "pk")
    query = request.GET.copy()
    query.pop("page", None)
    return filterset, qs, query.urlencode(), sort


def index(request: HttpRequest) -> HttpResponse:
    filterset, qs, query, sort = _project_list(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "elevator/index.html",
        {
            "page": page,
            "filter": filterset,
            "query": query,
            "sort": sort,
            "sorts": SORTS,
            "can_manage": policy.can(request.user, "elevator.manage"),
        },
    )


def export(request: HttpRequest) -> HttpResponse:
    _filter, qs, _query, _sort = _project_list(request)
    rows = (
        (
            p.name,
            p.committee.name,
            f"{p.building.estate.name} {p.building.name}",
            f"{p.stage} {_(stages.Stage(p.stage).label)}",
            "是" if p.uses_shared_ground else "否",
            p.n_open_objections,
        )
        for p in qs
    )
    data = write_workbook(
        "加装电梯项目", ["项目", "居委", "楼栋", "阶段", "占用共有部分", "调解中异议"], rows
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="linli-elevator-projects.xlsx"'
    return response


def project_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy.require(request.user, "elevator.manage")
    obj = queries.project(request.user, pk) if pk else None
    form = f.ProjectForm(request.POST or None, instance=obj, user=request.user)
    if request.method == "POST" and form.is_valid():
        project = form.save(commit=False)
        try:
            services.do_save_project(_actor(request), project, form.changed_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("elevator:project", pk=project.pk)
    return render(request, "elevator/form.html", {"form": form, "obj": obj, "title": _("加梯项目")})


# --- project page -----------------------------------------------------------------------------


def _vote_block(vote: Vote) -> dict[str, Any]:
    state = services.vote_state(vote)
    return {"vote": vote, "s": present.summary(state.result)}


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = queries.project_detail(request.user, pk)
    current = stages.Stage(project.stage)
    kinds = {d.kind for d in project.documents.all()}
    required = stages.required_documents(current, works_cost_fen=project.works_cost_fen)
    clocks = services.project_clocks(project, timezone.localdate())
    votes = [_vote_block(v) for v in project.votes.all()]
    passed = bool(votes) and all(v["s"]["passed"] for v in votes)
    nexts = []
    for target in stages.allowed_next(current):
        problems = stages.transition_problems(
            current,
            target,
            kinds,
            consultation_passed=current != stages.Stage.CONSULTATION or passed,
            works_cost_fen=project.works_cost_fen,
        )
        nexts.append(
            {
                "stage": target,
                "label": _(target.label),
                "back": target < current,
                "problems": [present.problem_text(x) for x in problems],
            }
        )
    manage = _can_manage(request, project)
    unit_counts = queries.unit_counts(project)
    return render(
        request,
        "elevator/project.html",
        {
            "p": project,
            "stage": current,
            "stage_list": [(int(s), _(s.label)) for s in stages.Stage],
            "required": [(k, _(stages.DOCUMENT_LABELS.get(k, k)), k in kinds) for k in required],
            "clocks": [{"c": c, "days": abs(c.days_left)} for c in clocks],
            "late": [c for c in clocks if c.status == "overdue"],
            "nexts": nexts,
            "votes": votes,
            "can_manage": manage,
            "unit_counts": unit_counts,
            "member_form": f.MemberForm(),
            "stage_form": f.StageForm(),
            "doc_form": f.DocumentForm(initial={"kind": required[0] if required else "other"}),
            "vote_form": f.VoteForm(
                initial={
                    "opens": timezone.localdate(),
                    "closes": timezone.localdate() + timedelta(days=14),
                    "rule": "SH-801-building",
                    "scope": "building",
                }
            ),
            # Both have a date field "on": their own ids keep ids unique on the page.
            "rt_form": f.RoundTableForm(initial={"on": timezone.localdate()}, auto_id="id_rt_%s"),
            "mt_form": f.MaintenanceForm(initial={"on": timezone.localdate()}, auto_id="id_mt_%s"),
            "objection_form": f.ObjectionForm(
                owners=project.owners.all(), initial={"raised": timezone.localdate()}
            ),
        },
    )


@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.MemberForm(request.POST))
        services.do_add_member(actor, project, d["name"], d["role"], d["party"])
        return _("已添加工作组成员。")

    return _project_post(request, pk, run)


@require_POST
def stage_move(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.StageForm(request.POST))
        services.do_move_stage(actor, project, d["target"], d["note"])
        return _("阶段已更新：%(stage)s") % {"stage": _(stages.Stage(d["target"]).label)}

    return _project_post(request, pk, run)


@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.DocumentForm(request.POST, request.FILES))
        services.do_add_document(actor, project, d["kind"], d["file"], d["title"])
        return _("材料已登记。")

    return _project_post(request, pk, run)


@require_POST
def vote_open(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.VoteForm(request.POST))
        services.do_open_vote(actor, project, d["scope"], d["rule"], d["opens"], d["closes"])
        return _("表决已开始。")

    return _project_post(request, pk, run)


@require_POST
def roll_build(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        n = services.do_build_roll(actor, project)
        return _("业主名册已生成：%(n)s 套房屋。") % {"n": n}

    return _project_post(request, pk, run)


@require_POST
def round_table_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.RoundTableForm(request.POST))
        services.do_add_round_table(
            actor, project, d["on"], d["agenda"], d["attendance"], d["minutes"]
        )
        return _("圆桌会议已记录。")

    return _project_post(request, pk, run)


@require_POST
def maintenance_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.MaintenanceForm(request.POST))
        services.do_add_maintenance(actor, project, d["on"], d["by"], d["notes"])
        return _("维保记录已登记。")

    return _project_post(request, pk, run)


@require_POST
def objection_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.ObjectionForm(request.POST, owners=project.owners.all()))
        services.do_add_objection(
            actor,
            project,
            objector=d["objector"],
            objector_label=d["objector_label"],
            reason=d["reason"],
            raised=d["raised"],
            mediators=list(d["mediators"]),
        )
        return _("异议已登记。")

    return _project_post(request, pk, run)


def document_file(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    project = queries.project(request.user, pk)
    document = get_object_or_404(project.documents, pk=doc)
    if not document.file:
        raise Http404
    response = HttpResponse(document.file.read(), content_type="application/octet-stream")
    response["Content-Disposition"] = (
        f'attachment; filename="doc-{document.pk}-{(document.file.name or "").rsplit("/", 1)[-1]}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
