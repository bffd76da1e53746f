"""Shell pages: login, display preferences, module placeholders, the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import audit
from .context_processors import MODULES
from .forms import AuditFilterForm
from .models import AuditRecord
from .policy import permission_required

LOGIN_LIMIT = 10  # failed attempts per username and address per 15 minutes


class LoginView(auth_views.LoginView):
    """Django's login with a throttle on failed attempts (brute-force protection)."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def _key(self) -> str:
        username = self.request.POST.get("username", "")[:150]
        return f"login-fail:{username}:{self.request.META.get('REMOTE_ADDR', '')}"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if cache.get(self._key(), 0) >= LOGIN_LIMIT:
            form = self.get_form()
            form.add_error(None, _("登录失败次数过多，请 15 分钟后再试。"))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        key = self._key()
        cache.set(key, cache.get(key, 0) + 1, 15 * 60)
        return super().form_invalid(form)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.headers.get("Referer") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    return HttpResponseRedirect(target)


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
    chain = audit.verify() if request.GET.get("verify") else None
    return render(request, "core/audit_log.html", {"page": page, "form": form, "chain": chain})
