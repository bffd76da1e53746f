"""The owner's own page (public, personal code plus ID tail): vote, confirm, documents and
the owner's own share."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import ratelimit
from linli.core.context import Actor, client_address
from linli.core.errors import DomainError

from .. import costs, present, queries, rules, services
from .. import forms as f
from ..errors import OwnerAccessDenied
from ..models import OwnedUnit, Owner, Project, Scope
from ._common import IP_LIMIT, OWNER_SESSION, OWNER_SESSION_SECONDS, _fail
from .money import _cost_tables, _flats

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
                owner = services.do_log_in_owner(
                    form.cleaned_data["code"], form.cleaned_data["tail"],
                    terminal=_client(request), address=_client(request),
                )  # fmt: skip
            except OwnerAccessDenied as exc:
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
    return queries.session_owner(data["owner"])


@login_not_required
def owner_ballot(request: HttpRequest) -> HttpResponse:
    owner = _session_owner(request)
    if owner is None:
        return redirect("elevator:owner_login")
    votes = queries.owner_votes(owner)
    if request.method == "POST":
        vote = next((v for v in votes if str(v.pk) == request.POST.get("vote")), None)
        if vote is None:
            raise Http404
        form = f.OwnerChoiceForm(request.POST)
        try:
            if not form.is_valid():
                raise DomainError(_("请选择您的意见。"), field="choice")
            services.do_cast_owner_ballot(
                _owner_actor(request), vote, owner, form.cleaned_data["choice"]
            )
            messages.success(request, _("已记录您的意见。"))
        except DomainError as exc:
            _fail(request, exc)
        return redirect("elevator:owner_ballot")
    units = queries.owner_units(owner)
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
                "history": queries.owner_ballots(vote, owner),
                "totals": present.public_totals(state.result),
                "form": f.OwnerChoiceForm(
                    initial={"choice": ballot.choice if ballot else None},
                    auto_id=f"id_vote{vote.pk}_%s",  # one form per vote on the page
                ),
            }
        )
    documents = queries.owner_documents(owner)
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


def _owner_actor(request: HttpRequest) -> Actor:
    return Actor(None, _client(request), "owner")


@login_not_required
@require_POST
def owner_confirm(request: HttpRequest) -> HttpResponse:
    """The owner confirms the ballot staff entered for them (paper, door, proxy)."""
    owner = _session_owner(request)
    if owner is None:
        return redirect("elevator:owner_login")
    vote = next(
        (v for v in queries.owner_votes(owner) if str(v.pk) == request.POST.get("vote")), None
    )
    if vote is None:
        raise Http404
    try:
        services.do_confirm_owner_ballot(_owner_actor(request), vote, owner)
        messages.success(request, _("已确认您的表决票。"))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("elevator:owner_ballot")


@login_not_required
@require_POST
def owner_logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(OWNER_SESSION, None)
    return redirect("elevator:owner_login")


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
        document = services.do_open_owner_document(_owner_actor(request), owner, doc)
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
