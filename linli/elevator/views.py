"""Lift-retrofit pages: projects, rolls, votes, ballots, mediation, money, upkeep, guidance.

Owners have no accounts: their page is public and reached with a personal code plus the
last four ID characters (``services.owner_login``), throttled per address and per code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core import policy, ratelimit
from linli.core.context import Actor, client_address
from linli.core.errors import DomainError
from linli.core.excel import write_workbook

from . import costs, present, queries, rules, services, stages
from . import forms as f
from .models import Ballot, OwnedUnit, Owner, Project, Scope, Vote

PAGE_SIZE = 50
OWNER_SESSION = "elevator_owner"
OWNER_SESSION_SECONDS = 20 * 60
IP_LIMIT = 20  # failed owner log-ins per address per 15 minutes


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _can_manage(request: HttpRequest, project: Project) -> bool:
    return policy.can(request.user, "elevator.manage") and policy.in_scope(
        request.user, project.committee_id
    )


def _fail(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


# --- project list ---------------------------------------------------------------------------

SORTS = {
    "name": gettext_lazy("名称"),
    "stage": gettext_lazy("阶段"),
    "committee__code": gettext_lazy("居委"),
}


def _project_list(request: HttpRequest) -> tuple[Any, str, str]:
    qs = queries.projects(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(committee__name__icontains=q) | Q(building__name__icontains=q)
        )
    stage = request.GET.get("stage", "")
    if stage.isdigit():
        qs = qs.filter(stage=int(stage))
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in SORTS:
        qs = qs.order_by(sort, "pk")
    else:
        qs = qs.order_by("committee__code", "name", "pk")
    query = urlencode({k: v for k, v in (("q", q), ("stage", stage), ("sort", sort)) if v})
    return qs, query, sort


def index(request: HttpRequest) -> HttpResponse:
    qs, query, sort = _project_list(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "elevator/index.html",
        {
            "page": page,
            "query": query,
            "sort": sort,
            "sorts": SORTS,
            "stages": [(int(s), _(s.label)) for s in stages.Stage],
            "q": request.GET.get("q", ""),
            "stage": request.GET.get("stage", ""),
            "can_manage": policy.can(request.user, "elevator.manage"),
        },
    )


def export(request: HttpRequest) -> HttpResponse:
    qs, _query, _sort = _project_list(request)
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
            services.save_project(_actor(request), project, form.changed_data)
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
    unit_counts = OwnedUnit.objects.filter(project=project).aggregate(
        units=Count("pk"),
        building=Count("pk", filter=Q(in_building=True)),
        owners=Count("owner", distinct=True),
    )
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


def _project_post(
    request: HttpRequest, pk: int, run: Callable[[Actor, Project], str | None]
) -> HttpResponse:
    project = queries.project(request.user, pk)
    if not _can_manage(request, project):
        raise PermissionDenied("elevator.manage")
    try:
        done = run(_actor(request), project)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, done or _("已保存。"))
    return redirect("elevator:project", pk=project.pk)


def _form_or_error(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        errors = "；".join(
            f"{form.fields[k].label if k in form.fields else ''} {', '.join(v)}"
            for k, v in form.errors.items()
        )
        raise DomainError(errors.strip())
    data: dict[str, Any] = form.cleaned_data
    return data


@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.MemberForm(request.POST))
        services.add_member(actor, project, d["name"], d["role"], d["party"])
        return _("已添加工作组成员。")

    return _project_post(request, pk, run)


@require_POST
def stage_move(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.StageForm(request.POST))
        services.move_stage(actor, project, d["target"], d["note"])
        return _("阶段已更新：%(stage)s") % {"stage": _(stages.Stage(d["target"]).label)}

    return _project_post(request, pk, run)


@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.DocumentForm(request.POST, request.FILES))
        services.add_document(actor, project, d["kind"], d["file"], d["title"])
        return _("材料已登记。")

    return _project_post(request, pk, run)


@require_POST
def vote_open(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.VoteForm(request.POST))
        services.open_vote(actor, project, d["scope"], d["rule"], d["opens"], d["closes"])
        return _("表决已开始。")

    return _project_post(request, pk, run)


@require_POST
def roll_build(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        n = services.build_roll(actor, project)
        return _("业主名册已生成：%(n)s 套房屋。") % {"n": n}

    return _project_post(request, pk, run)


@require_POST
def round_table_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.RoundTableForm(request.POST))
        services.add_round_table(
            actor, project, d["on"], d["agenda"], d["attendance"], d["minutes"]
        )
        return _("圆桌会议已记录。")

    return _project_post(request, pk, run)


@require_POST
def maintenance_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.MaintenanceForm(request.POST))
        services.add_maintenance(actor, project, d["on"], d["by"], d["notes"])
        return _("维保记录已登记。")

    return _project_post(request, pk, run)


@require_POST
def objection_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(actor: Actor, project: Project) -> str:
        d = _form_or_error(f.ObjectionForm(request.POST, owners=project.owners.all()))
        services.add_objection(
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


# --- owner roll --------------------------------------------------------------------------------


def roll(request: HttpRequest, pk: int) -> HttpResponse:
    project = queries.project(request.user, pk)
    manage = _can_manage(request, project)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("elevator.manage")
        ids = [int(x) for x in request.POST.getlist("unit") if x.isdigit()]
        try:
            if request.POST.get("action") == "merge":
                owners = OwnedUnit.objects.filter(project=project, pk__in=ids).values_list(
                    "owner_id", flat=True
                )
                services.merge_owners(_actor(request), project, set(owners))
                messages.success(request, _("已合并为同一业主。"))
            elif request.POST.get("action") == "developer":
                services.mark_developer(_actor(request), project, ids)
                messages.success(request, _("已计入开发商（未售房屋合计一名业主）。"))
        except DomainError as exc:
            _fail(request, exc)
        return redirect("elevator:roll", pk=project.pk)
    units = OwnedUnit.objects.filter(project=project).select_related("owner", "household")
    scope = request.GET.get("scope", "")
    if scope == "building":
        units = units.filter(in_building=True)
    page = Paginator(units.order_by("building_label", "floor", "household__room", "pk"), 100)
    return render(
        request,
        "elevator/roll.html",
        {
            "p": project,
            "page": page.get_page(request.GET.get("page")),
            "query": urlencode({"scope": scope}) if scope else "",
            "scope": scope,
            "can_manage": manage,
        },
    )


@require_POST
def codes(request: HttpRequest, pk: int) -> HttpResponse:
    """New personal codes, shown once on printable consultation notices."""
    project = queries.project(request.user, pk)
    if not _can_manage(request, project):
        raise PermissionDenied("elevator.manage")
    issued = services.issue_codes(_actor(request), project)
    owners = {o.pk: o for o in project.owners.prefetch_related("units__household__entrance")}
    notices = [(owners[o.pk], code) for o, code in issued]
    response = render(
        request,
        "elevator/codes.html",
        {"p": project, "notices": notices, "today": timezone.localdate()},
    )
    response["Cache-Control"] = "no-store"
    return response


# --- votes and ballots --------------------------------------------------------------------------


def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vote = queries.vote(request.user, pk)
    project = vote.project
    manage = _can_manage(request, project) and vote.open
    owners = Owner.objects.filter(project=project)
    if vote.scope == Scope.BUILDING:
        owners = owners.filter(units__in_building=True)
    owners = owners.distinct().order_by("pk").prefetch_related("units__household__entrance")
    form = f.BallotForm(request.POST or None, owners=owners)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("elevator.manage")
        if request.POST.get("action") == "close":
            services.close_vote(_actor(request), vote)
            messages.success(request, _("表决已截止。"))
            return redirect("elevator:vote", pk=vote.pk)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.enter_ballot(
                    _actor(request), vote, d["owner"], d["choice"], d["channel"], d["proxy_note"]
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("表决票已录入：%(owner)s") % {"owner": d["owner"].name})
                return redirect("elevator:vote", pk=vote.pk)
    state = services.vote_state(vote)
    by_owner: dict[int, list[OwnedUnit]] = {}
    for unit in state.units:
        by_owner.setdefault(unit.owner_id, []).append(unit)
    rows: list[dict[str, Any]] = []
    for owner_id, units in by_owner.items():
        ballot = state.ballots.get(owner_id)
        rows.append(
            {
                "owner": units[0].owner,
                "rooms": "、".join(u.building_label + " " + str(u.floor) + "层" for u in units[:3])
                + ("…" if len(units) > 3 else ""),
                "area": sum(u.area for u in units),
                "ballot": ballot,
            }
        )
    show = request.GET.get("show", "")
    if show == "none":
        rows = [r for r in rows if r["ballot"] is None]
    elif show == "unconfirmed":
        rows = [r for r in rows if r["ballot"] and r["ballot"].confirmed is None]
    if request.GET.get("export"):
        return _ballot_sheet(vote, rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    history = (
        Ballot.objects.filter(vote=vote)
        .select_related("owner", "entered_by")
        .order_by("-cast", "-pk")[:20]
    )
    return render(
        request,
        "elevator/vote.html",
        {
            "vote": vote,
            "p": project,
            "s": present.summary(state.result),
            "form": form,
            "can_manage": manage,
            "page": page,
            "query": urlencode({"show": show}) if show else "",
            "show": show,
            "history": history,
        },
    )


def _ballot_sheet(vote: Vote, rows: list[dict[str, Any]]) -> HttpResponse:
    """The ballot register as staff keep it: one row per owner, current ballot only."""
    data = write_workbook(
        "表决登记",
        ["业主", "房屋", "面积(㎡)", "意见", "方式", "委托说明", "录入时间", "业主确认"],
        (
            (
                r["owner"].name,
                r["rooms"],
                f"{r['area']:.2f}",
                r["ballot"].get_choice_display() if r["ballot"] else "尚未表态",
                r["ballot"].get_channel_display() if r["ballot"] else "",
                r["ballot"].proxy_note if r["ballot"] else "",
                timezone.localtime(r["ballot"].cast).strftime("%Y-%m-%d %H:%M")
                if r["ballot"]
                else "",
                "是" if r["ballot"] and r["ballot"].confirmed else "",
            )
            for r in rows
        ),
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="linli-elevator-vote-{vote.pk}.xlsx"'
    return response


def vote_json(request: HttpRequest, pk: int) -> HttpResponse:
    from django.http import JsonResponse

    vote = queries.vote(request.user, pk)
    return JsonResponse(
        services.tally_vote(vote).as_dict(), json_dumps_params={"ensure_ascii": False}
    )


# --- owner's own page (public) ------------------------------------------------------------------


def _client(request: HttpRequest) -> str:
    return client_address(request)[:64]


@login_not_required
def owner_login(request: HttpRequest) -> HttpResponse:
    form = f.OwnerLoginForm(request.POST or None)
    status = 200
    key = f"elevator-owner-fail:{_client(request)}"
    if request.method == "POST":
        if ratelimit.exceeded(key, IP_LIMIT):
            form.add_error(None, _("尝试次数过多，请 15 分钟后再试，或联系居委。"))
            status = 429
        elif form.is_valid():
            try:
                owner = services.owner_login(
                    form.cleaned_data["code"], form.cleaned_data["tail"],
                    terminal=_client(request), address=_client(request),
                )  # fmt: skip
            except services.OwnerAccessDenied as exc:
                ratelimit.hit(key, 15 * 60)
                form.add_error(None, exc.message)
                status = 429 if exc.code == "locked" else 200
            else:
                request.session.cycle_key()
                request.session[OWNER_SESSION] = {
                    "owner": owner.pk,
                    "until": timezone.now().timestamp() + OWNER_SESSION_SECONDS,
                }
                return redirect("elevator:owner_ballot")
    response = render(request, "elevator/owner_login.html", {"form": form}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _session_owner(request: HttpRequest) -> Owner | None:
    data = request.session.get(OWNER_SESSION)
    if not data or data.get("until", 0) < timezone.now().timestamp():
        return None
    return (
        Owner.objects.select_related("project__building__estate").filter(pk=data["owner"]).first()
    )


@login_not_required
def owner_ballot(request: HttpRequest) -> HttpResponse:
    owner = _session_owner(request)
    if owner is None:
        return redirect("elevator:owner_login")
    actor = Actor(None, _client(request), "owner")
    votes = list(Vote.objects.filter(project=owner.project).order_by("scope"))
    if request.method == "POST":
        if request.POST.get("action") == "logout":
            request.session.pop(OWNER_SESSION, None)
            return redirect("elevator:owner_login")
        vote = next((v for v in votes if str(v.pk) == request.POST.get("vote")), None)
        if vote is None:
            raise Http404
        try:
            if request.POST.get("action") == "confirm":
                services.owner_confirm(actor, vote, owner)
                messages.success(request, _("已确认您的表决票。"))
            else:
                form = f.OwnerChoiceForm(request.POST)
                if not form.is_valid():
                    raise DomainError(_("请选择您的意见。"))
                services.owner_vote(actor, vote, owner, form.cleaned_data["choice"])
                messages.success(request, _("已记录您的意见。"))
        except DomainError as exc:
            _fail(request, exc)
        return redirect("elevator:owner_ballot")
    units = list(owner.units.select_related("household__entrance").order_by("pk"))
    blocks = []
    for vote in votes:
        in_roll = vote.scope == Scope.ESTATE or any(u.in_building for u in units)
        if not in_roll:
            continue
        state = services.vote_state(vote)
        ballot = state.ballots.get(owner.pk)
        blocks.append(
            {
                "vote": vote,
                "ballot": ballot,
                "history": list(
                    Ballot.objects.filter(vote=vote, owner=owner).order_by("cast", "pk")
                ),
                "totals": present.public_totals(state.result),
                "form": f.OwnerChoiceForm(
                    initial={"choice": ballot.choice if ballot else None},
                    auto_id=f"id_vote{vote.pk}_%s",  # one form per vote on the page
                ),
            }
        )
    documents = services.owner_documents(owner)
    design = [d for d in documents if d.kind in rules.DESIGN_DOCUMENTS]
    response = render(
        request,
        "elevator/owner_ballot.html",
        {
            "owner": owner,
            "units": units,
            "blocks": blocks,
            "project": owner.project,
            "share": _owner_share(owner.project, units),
            "documents": documents,
            "drawings": [d for d in design if rules.is_image(d.file.name or "")],
            "design": [d for d in design if not rules.is_image(d.file.name or "")],
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _flat_key(unit: OwnedUnit) -> str:
    return f"{unit.household.entrance.number} {unit.household.room}"


def _owner_share(project: Project, units: list[OwnedUnit]) -> dict[str, Any] | None:
    """The owner's part under the published plan, with the whole split for comparison."""
    if not project.cost_plan:
        return None
    form = f.CostForm(project.cost_plan)
    flats = _flats(project)
    if not flats or not form.is_valid():
        return {"error": True}
    try:
        tables = _cost_tables(flats, form.cleaned_data)
    except (costs.CostError, ValueError):
        return {"error": True}
    mine = {_flat_key(u) for u in units if u.in_building}
    y = costs.format_yuan
    floors: dict[int, dict[str, Any]] = {}
    for row in tables["rows"]:
        floor = floors.setdefault(row["floor"], {"floor": row["floor"], "flats": []})
        floor["flats"].append({**row, "mine": row["flat"] in mine})
    return {
        **tables,
        "mine": [r for r in tables["rows"] if r["flat"] in mine],
        "my_share": y(sum(tables["share_fen"][k] for k in mine if k in tables["share_fen"])),
        "my_running": y(sum(tables["running_fen"][k] for k in mine if k in tables["running_fen"])),
        "floors": sorted(floors.values(), key=lambda x: -x["floor"]),
        "published": project.cost_plan_published,
    }


@login_not_required
def owner_document(request: HttpRequest, doc: int) -> HttpResponse:
    """A document of the signed-in owner's own project; any other project's is not found."""
    owner = _session_owner(request)
    if owner is None:
        return redirect("elevator:owner_login")
    try:
        document = services.owner_document(Actor(None, _client(request), "owner"), owner, doc)
    except DomainError as exc:
        raise Http404 from exc
    name = (document.file.name or "").rsplit("/", 1)[-1]
    inline = request.GET.get("view") == "1" and rules.is_image(name)
    with document.file.open("rb") as handle:
        body = handle.read()
    suffix = name.rsplit(".", 1)[-1].lower()
    response = HttpResponse(
        body,
        content_type=f"image/{'jpeg' if suffix == 'jpg' else suffix}"
        if inline
        else "application/octet-stream",
    )
    response["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="doc-{document.pk}-{name}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- mediation ------------------------------------------------------------------------------------


def objection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objection = queries.objection(request.user, pk)
    manage = _can_manage(request, objection.project)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("elevator.manage")
        try:
            if request.POST.get("action") == "settle":
                d = _form_or_error(f.SettleForm(request.POST))
                services.settle_objection(_actor(request), objection, d["status"], d["agreement"])
            else:
                d = _form_or_error(f.SessionForm(request.POST))
                services.add_session(_actor(request), objection, d["on"], d["notes"])
            messages.success(request, _("已保存。"))
        except DomainError as exc:
            _fail(request, exc)
        return redirect("elevator:objection", pk=objection.pk)
    return render(
        request,
        "elevator/objection.html",
        {
            "o": objection,
            "p": objection.project,
            "mediators": list(objection.mediators.all()),
            "sessions": list(objection.sessions.all()),
            "can_manage": manage,
            "session_form": f.SessionForm(initial={"on": timezone.localdate()}),
            "settle_form": f.SettleForm(
                initial={"status": objection.status, "agreement": objection.agreement}
            ),
        },
    )


# --- money -------------------------------------------------------------------------------------


ITEM_LABELS = {
    "maintenance_contract": gettext_lazy("维保"),
    "inspection": gettext_lazy("检验"),
    "electricity": gettext_lazy("电费"),
    "insurance": gettext_lazy("保险"),
    "reserve": gettext_lazy("备用金"),
}


def _flats(project: Project) -> list[costs.Flat]:
    units = OwnedUnit.objects.filter(project=project, in_building=True).select_related(
        "household__entrance"
    )
    return [
        costs.Flat(
            flat=f"{u.household.entrance.number} {u.household.room}",
            floor=u.floor,
            area=int(u.area * 100),
        )
        for u in units.order_by("floor", "household__entrance__number", "household__room")
    ]


def _subsidy(text: str) -> tuple[costs.SubsidyPart, ...]:
    parts = []
    for i, line in enumerate(x for x in text.splitlines() if x.strip()):
        bits = [b.strip() for b in line.replace("，", ",").split(",")]
        row: dict[str, Any] = {"name": bits[0] or f"补贴{i + 1}"}
        if len(bits) > 1 and bits[1]:
            row["share"] = bits[1]
        if len(bits) > 2 and bits[2]:
            row["cap"] = bits[2]
        if len(bits) > 3 and bits[3]:
            row["fixed"] = bits[3]
        parts.append(row)
    return costs.load_subsidy(parts) if parts else ()


def _method(d: dict[str, Any], floors: int) -> costs.Method:
    if d["method"] == "area":
        return costs.ByArea()
    if d["method"] == "segments":
        return costs.BySegments()
    if d["method"] == "hybrid":
        return costs.Hybrid(costs.parse_share(d["fixed_share"] or "1/2", "fixed_share"))
    raw = [x.strip() for x in (d["coefficients"] or "").split(",") if x.strip()]
    if not raw:
        raw = [str(Fraction(6 + 2 * i, 10)) for i in range(max(floors - 1, 1))]
    return costs.ByCoefficients({floor: _coefficient(v, floor) for floor, v in enumerate(raw, 2)})


def _coefficient(text: str, floor: int) -> Fraction:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        value = Fraction(0)
    if value <= 0:
        raise costs.CostError(
            f"coefficients[{floor}]",
            _("%(floor)s 层系数 “%(text)s” 须为正数") % {"floor": floor, "text": text},
        )
    return value


COST_FIELDS = (
    "cost",
    "subsidy",
    "method",
    "coefficients",
    "fixed_share",
    "exempt_ground_floor",
    "maintenance",
    "inspection",
    "electricity",
    "insurance",
    "reserve",
)
"""The calculator's settings, kept as text when a plan is published to the owners."""

COST_DEFAULTS = {
    "cost": "600000",
    "subsidy": "市级补贴,1,240000",
    "method": "coefficients",
    "fixed_share": "1/2",
    "exempt_ground_floor": True,
    "maintenance": "6000",
    "inspection": "800",
    "electricity": "1200",
    "insurance": "500",
    "reserve": "1000",
}


def _cost_tables(flats: list[costs.Flat], d: dict[str, Any]) -> dict[str, Any]:
    """The calculator's result for valid settings ``d``; raises CostError/ValueError."""
    top = max((x.floor for x in flats), default=1)
    method = _method(d, top)
    shares = costs.construction_shares(
        int(d["cost"] * 100),
        _subsidy(d["subsidy"]),
        flats,
        method,
        exempt_ground_floor=d["exempt_ground_floor"],
    )
    yearly = {
        "maintenance_contract": int((d["maintenance"] or 0) * 100),
        "inspection": int((d["inspection"] or 0) * 100),
        "electricity": int((d["electricity"] or 0) * 100),
        "insurance": int((d["insurance"] or 0) * 100),
        "reserve": int((d["reserve"] or 0) * 100),
    }
    running = costs.running_cost_table(
        yearly, flats, method, exempt_ground_floor=d["exempt_ground_floor"]
    )
    y = costs.format_yuan
    return {
        "funding": {
            "cost": y(shares.funding.cost),
            "subsidies": [(n, y(v)) for n, v in shares.funding.subsidies],
            "subsidy": y(shares.funding.subsidy),
            "residents": y(shares.funding.residents),
        },
        "rows": [
            {
                "flat": x.flat,
                "floor": x.floor,
                "area": rules.format_area(x.area),
                "share": y(shares.shares[x.flat]),
                "running": y(running.totals[x.flat]),
                "items": [y(running.items[k][x.flat]) for k in yearly],
            }
            for x in flats
        ],
        "share_fen": dict(shares.shares),
        "running_fen": dict(running.totals),
        "total_share": y(sum(shares.shares.values())),
        "total_running": y(running.total),
        "item_labels": [ITEM_LABELS[k] for k in yearly],
        "item_totals": [y(v) for v in yearly.values()],
        "method_label": dict(f.CostForm.METHODS)[d["method"]],
        "exempt_ground_floor": d["exempt_ground_floor"],
    }


def costs_page(
    request: HttpRequest, pk: int, template: str = "elevator/costs.html"
) -> HttpResponse:
    project = queries.project(request.user, pk)
    flats = _flats(project)
    manage = _can_manage(request, project)
    if request.method == "POST":
        # Publish the settings shown as the plan the owners see their own share under.
        if not manage:
            raise PermissionDenied("elevator.manage")
        posted = f.CostForm(request.POST)
        plan = {k: request.POST.get(k, "") for k in COST_FIELDS}
        try:
            if not flats:
                raise DomainError(_("尚未生成业主名册，无法公示分摊方案。"))
            d = _form_or_error(posted)
            _cost_tables(flats, d)
            services.publish_cost_plan(_actor(request), project, plan)
            messages.success(request, _("分摊方案已公示，业主在表决页可看到自己的分摊额。"))
        except (costs.CostError, ValueError) as exc:
            messages.error(request, str(exc))
        except DomainError as exc:
            _fail(request, exc)
        query = urlencode({k: v for k, v in plan.items() if v})
        return redirect(f"{reverse('elevator:costs', args=[project.pk])}?{query}")
    form = f.CostForm(request.GET if "cost" in request.GET else project.cost_plan or COST_DEFAULTS)
    context: dict[str, Any] = {
        "p": project,
        "form": form,
        "flats": flats,
        "query": request.GET.urlencode(),
        "can_manage": manage,
    }
    if flats and form.is_valid():
        try:
            context.update(_cost_tables(flats, form.cleaned_data))
        except (costs.CostError, ValueError) as exc:
            context["error"] = str(exc)
        else:
            context["today"] = timezone.localdate()
    return render(request, template, context)


def annex(request: HttpRequest, pk: int) -> HttpResponse:
    return costs_page(request, pk, "elevator/annex.html")


# --- upkeep reminders ---------------------------------------------------------------------------


def reminders(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    calendar = services.work_calendar()
    for project in queries.projects(request.user).order_by("committee__code", "name"):
        for clock in services.project_clocks(project, today, calendar):
            if clock.status in ("overdue", "due_soon"):
                rows.append({"p": project, "c": clock})
    rows.sort(key=lambda r: (r["c"].status != "overdue", r["c"].due))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "elevator/reminders.html", {"page": page, "today": today})


# --- guidance centre ---------------------------------------------------------------------------


@login_not_required
def guide(request: HttpRequest) -> HttpResponse:
    from .guide import SECTIONS

    return render(request, "elevator/guide.html", {"sections": SECTIONS})


def consultations(request: HttpRequest) -> HttpResponse:
    qs = queries.consultations(request.user)
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.filter(done=False)
    elif state == "done":
        qs = qs.filter(done=True)
    channel = request.GET.get("channel", "")
    if channel:
        qs = qs.filter(channel=channel)
    if request.GET.get("export"):
        data = write_workbook(
            "加梯咨询记录",
            ["时间", "方式", "咨询人", "居委", "问题", "答复", "回访日期", "已办结"],
            (
                (
                    timezone.localtime(c.at).strftime("%Y-%m-%d %H:%M"),
                    c.get_channel_display(),
                    c.asker,
                    c.committee.name if c.committee else "",
                    c.question,
                    c.answer,
                    c.follow_up.isoformat() if c.follow_up else "",
                    "是" if c.done else "否",
                )
                for c in qs
            ),
        )
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="linli-elevator-consultations.xlsx"'
        return response
    page = Paginator(qs.order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("state", state), ("channel", channel)) if v})
    return render(
        request,
        "elevator/consultations.html",
        {
            "page": page,
            "query": query,
            "state": state,
            "channel": channel,
            "channels": f.ConsultationForm.base_fields["channel"].choices,  # type: ignore[attr-defined]
            "can_manage": policy.can(request.user, "elevator.manage"),
        },
    )


def consultation_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy.require(request.user, "elevator.manage")
    obj = get_object_or_404(queries.consultations(request.user), pk=pk) if pk else None
    form = f.ConsultationForm(
        request.POST or None,
        instance=obj,
        initial={"at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    form.fields["committee"].queryset = policy.scoped(  # type: ignore[attr-defined]
        form.fields["committee"].queryset,  # type: ignore[attr-defined]
        request.user,
        "pk",
    )
    form.fields["project"].queryset = queries.projects(request.user)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            services.save_consultation(_actor(request), form.save(commit=False), form.changed_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("elevator:consultations")
    return render(request, "elevator/form.html", {"form": form, "obj": obj, "title": _("咨询记录")})
