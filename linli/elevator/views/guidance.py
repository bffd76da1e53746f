"""The guidance centre: the public guide and the consultation log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.errors import DomainError
from linli.core.excel import write_workbook

from .. import filters, queries, services
from .. import forms as f
from ._common import PAGE_SIZE, _actor

# --- guidance centre ---------------------------------------------------------------------------


@login_not_required
def guide(request: HttpRequest) -> HttpResponse:
    from ..guide import SECTIONS

    return render(request, "elevator/guide.html", {"sections": SECTIONS})


def consultations(request: HttpRequest) -> HttpResponse:
    filterset, qs = filters.apply(
        filters.ConsultationFilter, request.GET, queries.consultations(request.user), request
    )
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
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "elevator/consultations.html",
        {
            "page": page,
            "filter": filterset,
            "query": query.urlencode(),
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
            services.do_save_consultation(
                _actor(request), form.save(commit=False), form.changed_data
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("elevator:consultations")
    return render(request, "elevator/form.html", {"form": form, "obj": obj, "title": _("咨询记录")})
