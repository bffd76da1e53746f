"""A vote's page: staff enter ballots, close the vote, export the register; the tally as JSON."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.core.excel import write_workbook

from .. import forms as f
from .. import present, queries, services
from ..models import OwnedUnit, Vote
from ._common import PAGE_SIZE, _actor, _can_manage

# --- votes and ballots --------------------------------------------------------------------------


def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vote = queries.vote(request.user, pk)
    project = vote.project
    manage = _can_manage(request, project) and vote.open
    form = f.BallotForm(request.POST or None, owners=queries.vote_owners(vote))
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("elevator.manage")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.do_enter_ballot(
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
    history = queries.recent_ballots(vote)
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


@require_POST
def vote_close(request: HttpRequest, pk: int) -> HttpResponse:
    vote = queries.vote(request.user, pk)
    if not (_can_manage(request, vote.project) and vote.open):
        raise PermissionDenied("elevator.manage")
    services.do_close_vote(_actor(request), vote)
    messages.success(request, _("表决已截止。"))
    return redirect("elevator:vote", pk=vote.pk)


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
