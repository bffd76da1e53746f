"""Method versions: edit a draft, copy one into a new version."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError

from .. import forms as risk_forms
from .. import queries, services
from ..models import MethodVersion
from ._common import _error


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
            services.do_edit_method(Actor.from_request(request), mv, edit.cleaned_data["text"])
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
        mv = services.do_copy_method(
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
