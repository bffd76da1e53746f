"""The staff inbox (own notices only), the delivery log (street admin) and SMS opt-outs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.pagination import EstimatingPaginator

from . import queries, rules, services
from .forms import LogFilterForm, OptOutForm
from .models import Notice


def _staff(request: HttpRequest) -> None:
    if policy.role_of(request.user) is None:
        raise PermissionDenied("no role")


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    tabs = {
        "can_log": policy.can(request.user, "notices.log"),
        "can_optout": policy.can(request.user, "notices.optout"),
    }
    return render(request, template, {**context, **tabs})


def inbox(request: HttpRequest) -> HttpResponse:
    _staff(request)
    page = Paginator(queries.inbox(request.user), 30).get_page(request.GET.get("page"))
    return _page(request, "notices/inbox.html", {"page": page})


@require_POST
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one's own notice read and go to what it is about (or back to the inbox)."""
    _staff(request)
    try:
        notice = services.do_mark_read(request.user, pk)
    except Notice.DoesNotExist:
        raise Http404 from None
    link = notice.url
    if request.POST.get("go") and link and rules.safe_link(link):
        return HttpResponseRedirect(link)
    return redirect("notices:inbox")


@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    _staff(request)
    count = services.do_mark_all_read(request.user)
    messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return redirect("notices:inbox")


def delivery_log(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "notices.log")
    form = LogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = queries.delivery_log(
        request.user,
        state=filters.get("state", ""),
        kind=filters.get("kind", ""),
        channel=filters.get("channel", ""),
    )
    page = EstimatingPaginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request, "notices/log.html", {"page": page, "form": form, "query": query.urlencode()}
    )


def opt_outs(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "notices.optout")
    form = OptOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opt_out = services.do_record_opt_out(
                Actor.from_request(request), form.cleaned_data["phone"], form.cleaned_data["note"]
            )
        except DomainError as exc:
            form.add_error(
                exc.field if exc.field in form.fields else None, _("请输入 11 位手机号。")
            )
        else:
            messages.success(
                request,
                _("已登记：%(phone)s 不再接收短信通知。") % {"phone": opt_out.phone_masked},
            )
            return redirect("notices:opt_outs")
    page = Paginator(queries.opt_outs(request.user), 50).get_page(request.GET.get("page"))
    return _page(request, "notices/opt_outs.html", {"form": form, "page": page})


@require_POST
def withdraw_opt_out(request: HttpRequest, pk: int) -> HttpResponse:
    opt_out = get_object_or_404(queries.opt_outs(request.user), pk=pk)
    services.do_withdraw_opt_out(Actor.from_request(request), opt_out)
    messages.success(
        request, _("已撤销：%(phone)s 恢复接收短信通知。") % {"phone": opt_out.phone_masked}
    )
    return redirect("notices:opt_outs")
