"""An objection's page: mediation sessions and the outcome, one view per form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError

from .. import forms as f
from .. import queries, services
from ._common import _actor, _can_manage, _fail, _form_or_error

# --- mediation ------------------------------------------------------------------------------------


def objection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objection = queries.objection(request.user, pk)
    manage = _can_manage(request, objection.project)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("elevator.manage")
        try:
            d = _form_or_error(f.SessionForm(request.POST))
            services.do_add_mediation_session(_actor(request), objection, d["on"], d["notes"])
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


@require_POST
def objection_settle(request: HttpRequest, pk: int) -> HttpResponse:
    """The mediation's outcome: settled with an agreement, or still open."""
    objection = queries.objection(request.user, pk)
    if not _can_manage(request, objection.project):
        raise PermissionDenied("elevator.manage")
    try:
        d = _form_or_error(f.SettleForm(request.POST))
        services.do_settle_objection(_actor(request), objection, d["status"], d["agreement"])
        messages.success(request, _("已保存。"))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("elevator:objection", pk=objection.pk)
