"""Shell pages: login, display preferences, module placeholders, the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import audit
from .audit_labels import action_label
from .context_processors import MODULES
from .forms import AuditFilterForm
from .models import AuditRecord
from .policy import permission_required, role_of, unit_of
from .redirects import safe_next
from .roles import Role
from .widgets import SEARCHABLE_KINDS, search_choices


class LoginView(auth_views.LoginView):
    """Django's login; failed attempts are counted by django-axes (settings: AXES_*), in the
    database, so every worker and app server shares the count. ``next=`` only to this site
    (Django's check)."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Without ``next=``, each role lands on its work page, not the street dashboard."""
        user = self.request.user
        name = WORK_PAGES.get(role_of(user) or "")
        if role_of(user) == Role.PARTNER:
            name = PARTNER_WORK_PAGES.get(unit_of(user) or "")
        return reverse(name) if name else super().get_default_redirect_url()


#: Where a role starts its day after logging in (roles that see the street start at home).
WORK_PAGES: dict[str, str] = {
    Role.WINDOW_CLERK: "hall:window_choose",  # which goes on to the clerk's own window
    Role.BACKOFFICE_CLERK: "hall:backoffice",
    Role.INSPECTOR: "risk:my_samples",
    Role.AUDITOR: "audit_log",
}

#: Where a partner starts, by its kind of body (``roles.PARTNER_WORK``): the alliance's orders
#: for schools and cultural units, the hazards assigned for property companies and contractors.
PARTNER_WORK_PAGES: dict[str, str] = {
    "school": "community:alliance",
    "cultural": "community:alliance",
    "property": "risk:cases",
    "contractor": "risk:cases",
}


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kw: Any
) -> HttpResponse:
    """What django-axes answers a locked-out log-in with, on our login page and the admin's."""
    context = {
        "form": AuthenticationForm(request),
        "lockout": _("登录失败次数过多，请 15 分钟后再试。"),
        "next": safe_next(request, request.POST.get("next"), ""),
    }
    return render(request, "core/login.html", context, status=429)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.headers.get("Referer")
    return HttpResponseRedirect(safe_next(request, target, "/"))


@login_not_required
@require_POST
def toggle_large_type(request: HttpRequest) -> HttpResponse:
    """Large type and high contrast for elderly users; a cookie, so kiosks can use it too."""
    response = _back(request)
    if request.COOKIES.get("linli_large") == "1":
        response.delete_cookie("linli_large")
    else:
        response.set_cookie("linli_large", "1", max_age=365 * 24 * 3600, samesite="Lax")
    return response


def module(request: HttpRequest, key: str) -> HttpResponse:
    found = next((m for m in MODULES if m["key"] == key), None)
    if found is None:
        raise Http404
    return render(request, "core/module_pending.html", {"module": found})


@permission_required("audit.view")
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    records = AuditRecord.objects.select_related(None).order_by("-seq")
    if form.is_valid():
        data = form.cleaned_data
        if data.get("action"):
            records = records.filter(action__icontains=data["action"])
        if data.get("actor"):
            records = records.filter(actor_name__icontains=data["actor"])
        if data.get("object"):
            records = records.filter(object_repr__icontains=data["object"])
        if data.get("outcome"):
            records = records.filter(outcome=data["outcome"])
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    for record in page:  # the action in words; the code stays beside it for filtering
        setattr(record, "action_label", action_label(record.action))  # noqa: B010
    chain = audit.verify() if request.GET.get("verify") else None
    return render(request, "core/audit_log.html", {"page": page, "form": form, "chain": chain})


@permission_required("geo.view")
def choice_search(request: HttpRequest) -> HttpResponse:
    """The search behind a search box (``widgets.SearchSelect``): JSON matches of the account's
    reach. ``kind`` names the table, ``q`` the text (at least one character)."""
    spec = SEARCHABLE_KINDS.get(request.GET.get("kind", ""))
    if spec is None:
        return JsonResponse(
            {"code": "invalid", "field": "kind", "message": _("未知的搜索对象。")}, status=400
        )
    text = request.GET.get("q", "").strip()[:50]
    if "\x00" in text:
        return JsonResponse(
            {"code": "invalid", "field": "q", "message": _("搜索内容含有无效字符。")}, status=400
        )
    return JsonResponse({"results": search_choices(request.user, spec, text) if text else []})
