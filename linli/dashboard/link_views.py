"""The registry-facts page of a sample: fire's suggested findings, accepted or dismissed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.redirects import safe_next
from linli.risk import queries as risk_queries

from . import link
from .forms import AcceptFactForm


def sample_facts(request: HttpRequest, pk: int) -> HttpResponse:
    sample, can_decide = link.sample_for(request.user, pk)
    method = risk_queries.method_of(sample.round.method)
    reasons = [(r.code, r.name_zh) for r in method.severity_reasons]
    failed: dict[str, AcceptFactForm] = {}
    if request.method == "POST":
        actor = Actor.from_request(request)
        key = request.POST.get("key", "")
        # back to the page the decision was taken on (the checklist), or to this page
        after = safe_next(request, request.POST.get("next"), request.path)
        try:
            if request.POST.get("action") == "dismiss":
                link.dismiss(actor, sample, key)
                messages.success(request, _("已忽略这条事实。"))
                return redirect(after)
            form = AcceptFactForm(request.POST, reasons=reasons)
            if form.is_valid():
                d = form.cleaned_data
                finding = link.accept(
                    actor,
                    sample,
                    d["key"],
                    likelihood=d["likelihood"],
                    severity_reason=d["severity_reason"],
                    description=d["description"],
                    location=d["location"],
                )
                messages.success(
                    request,
                    _("已记为问题：%(code)s，等级 %(grade)s。")
                    % {"code": finding.check_item.code, "grade": finding.grade},
                )
                return redirect(after)
            failed[key] = form
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(after)
    rows: list[dict[str, Any]] = []
    for fact in link.facts(sample):
        try:
            sub = method.subunit(fact.subunit)
        except KeyError:
            sub = None
        form = failed.get(fact.key) or AcceptFactForm(
            initial={
                "key": fact.key,
                "likelihood": fact.likelihood,
                "description": fact.description[:300],
            },
            reasons=reasons,
        )
        rows.append({"fact": fact, "sub": sub, "form": form})
    return render(
        request,
        "dashboard/sample_facts.html",
        {
            "sample": sample,
            "rows": rows,
            "can_decide": can_decide,
            "back": (
                reverse("risk:sample", args=[sample.pk])
                if sample.inspector_id == request.user.pk
                else reverse("risk:samples", args=[sample.round_id])
            ),
        },
    )
