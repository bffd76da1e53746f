"""White papers: a committee's and the street's, on screen and as PDF, and the round's
batch generated in the background."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError

from .. import queries
from ._common import _error


def white_paper(request: HttpRequest, pk: int, committee: int) -> HttpResponse:
    from .. import paper

    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    c = get_object_or_404(rnd.committees.all(), pk=committee)
    context = paper.context(request.user, rnd, c)
    return render(request, "risk/paper.html", {**context, "web": True, "base": "core/base.html"})


def white_paper_pdf(request: HttpRequest, pk: int, committee: int) -> HttpResponse:
    from .. import paper

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
    from .. import paper

    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    context = paper.street_context(request.user, rnd)
    return render(
        request, "risk/street_paper.html", {**context, "web": True, "base": "core/base.html"}
    )


def street_paper_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from .. import paper

    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    response = HttpResponse(paper.street_pdf(request.user, rnd), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="linli-risk-{rnd.pk}-street.pdf"'
    return response


def papers(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's white papers generated in the background, with progress."""
    from .. import paper
    from ..models import PaperBatch

    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    policy.require(request.user, "risk.manage")
    if request.method == "POST":
        try:
            paper.do_start_paper_batch(Actor.from_request(request), rnd)
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
    from ..models import PaperFile

    policy.require(request.user, "risk.view")
    f = get_object_or_404(PaperFile.objects.select_related("committee"), pk=pk)
    policy.require_in_scope(request.user, f.committee_id)
    return FileResponse(f.pdf.open("rb"), content_type="application/pdf")
