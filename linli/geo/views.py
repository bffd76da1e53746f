"""Place and people pages: one list machinery (filter, sort, paginate, export, import)."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.lists import cell
from linli.core.widgets import use_search_boxes
from linli.jobs import sheetviews
from linli.jobs.models import Job

from . import paging, queries, services
from .lists import KINDS, ListKind, _kind, filtered
from .sheets import DIVISIONS


def _filtered(request: HttpRequest, kind: ListKind) -> tuple[df.FilterSet, QuerySet[Any], str]:
    return filtered(request.user, request.GET, kind)


def place_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    filterset, qs, sort = _filtered(request, spec)
    if not sort:
        qs = paging.by_committee(qs)
    page = paging.keyset_page(qs, request.GET.get("cursor"))
    rows = [[cell(label, fn(obj)) for label, fn in spec.columns] for obj in page.object_list]
    query = request.GET.copy()
    for name in ("page", "cursor"):
        query.pop(name, None)
    return render(
        request,
        "geo/list.html",
        {
            "kind": spec,
            "filter": filterset,
            "page": page,
            "rows": rows,
            "headers": [label for label, _fn in spec.columns],
            "sort": sort,
            "query": query.urlencode(),
            "can_change": policy.can(request.user, spec.change_perm),
        },
        status=400 if page.error else 200,
    )


def place_export(request: HttpRequest, kind: str) -> HttpResponse:
    """A small list downloads at once; a large one is written by a job (``jobs.sheets``)."""
    _kind(kind)
    return sheetviews.export_response(
        request, services.export_list, kind, kind=services.EXPORT_JOB, task=services.EXPORT_TASK
    )


def place_import(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload a sheet: it is saved and imported by a job; this page follows that job."""
    spec = _kind(kind)
    policy.require(request.user, spec.change_perm)

    def start(actor: Actor, upload: Any) -> Job:
        return services.do_start_import(actor, kind, upload)

    return sheetviews.import_page(
        request,
        sheet=spec.sheet,
        kind=services.IMPORT_JOB,
        key=kind,
        start=start,
        url=reverse("geo:import", args=[kind]),
        template="geo/import.html",
        context={"kind": spec},
    )


def import_errors(request: HttpRequest, kind: str) -> HttpResponse:
    policy.require(request.user, _kind(kind).change_perm)
    return sheetviews.errors_response(request, services.IMPORT_JOB, kind, f"linli-{kind}-errors")


def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    policy.require(request.user, spec.change_perm)
    return sheetviews.template_response(spec.sheet, f"linli-{kind}-template")


def _get(request: HttpRequest, spec: ListKind, pk: int) -> Any:
    """One record, or 404; a record outside the user's committee is 403 (and says so)."""
    policy.require(request.user, spec.view_perm)
    found = spec.query(request.user).filter(pk=pk).first()
    if found is not None:
        return found
    outside = get_object_or_404(spec.sheet.model, pk=pk)
    policy.require_in_scope(request.user, services.committee_of(outside))
    raise Http404


def place_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    obj = _get(request, spec, pk)
    fields = [
        (f.verbose_name, _display(obj, f.name))
        for f in obj._meta.fields
        if f.name not in {"id", "id_hash", "id_cipher", "phone_cipher", "outline", "is_demo"}
    ]
    children: list[tuple[str, str, list[Any]]] = []
    if kind == "committees":
        children.append(("estates", _("小区/弄"), list(obj.estates.all()[:200])))
    elif kind == "estates":
        children.append(("buildings", _("楼栋"), list(obj.buildings.all()[:200])))
    elif kind == "buildings":
        children.append(("entrances", _("门牌"), list(obj.entrances.all()[:200])))
    elif kind == "entrances":
        children.append(("households", _("户"), list(obj.households.all()[:200])))
    elif kind == "households" and policy.can(request.user, "people.view"):
        children.append(("residents", _("居民"), list(obj.residents.all()[:200])))
    return render(
        request,
        "geo/detail.html",
        {
            "kind": spec,
            "obj": obj,
            "fields": fields,
            "children": children,
            "can_change": policy.can(request.user, spec.change_perm)
            and policy.in_scope(request.user, services.committee_of(obj)),
            "can_reveal": kind == "residents" and services.reveal_allowed(request.user, obj),
        },
    )


def _display(obj: Model, name: str) -> Any:
    getter = getattr(obj, f"get_{name}_display", None)
    value = getter() if getter else getattr(obj, name)
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    return "—" if value in (None, "") else value


def place_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    spec = _kind(kind)
    policy.require(request.user, spec.change_perm)
    obj = _get(request, spec, pk) if pk else None
    form = spec.form(request.POST or None, instance=obj)
    _scope_choices(request, form)
    if kind == "committees" and policy.committee_scope(request.user) is not None:
        # A committee's code and area are the street's to set (services refuse them too).
        for name in ("code", "area"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        actor = Actor.from_request(request)
        try:
            if kind == "residents":
                services.do_save_resident(
                    actor,
                    instance,
                    id_number=form.cleaned_data.get("id_number") or None,
                    phone=form.cleaned_data.get("phone") or None,
                    changed=[f for f in form.changed_data if f not in {"id_number", "phone"}],
                )
            else:
                services.do_save_place(actor, instance, form.changed_data)
        except PermissionDenied:
            raise
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("geo:detail", kind=kind, pk=instance.pk)
    return render(request, "geo/form.html", {"kind": spec, "form": form, "obj": obj})


def _scope_choices(request: HttpRequest, form: forms.ModelForm) -> None:  # type: ignore[type-arg]
    """Offer only parents inside the user's scope in the form's drop-downs."""
    mapping = {
        "committee": queries.committees,
        "estate": queries.estates,
        "building": queries.buildings,
        "entrance": queries.entrances,
        "household": queries.households,
    }
    for name, query in mapping.items():
        field = form.fields.get(name)
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = query(request.user)
    use_search_boxes(form)  # city-size choices become search boxes


def place_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    policy.require(request.user, spec.change_perm)
    obj = _get(request, spec, pk)
    if request.method == "POST":
        from django.db.models import ProtectedError

        try:
            services.do_delete_place(Actor.from_request(request), obj)
        except ProtectedError:
            messages.error(request, _("还有下属记录，不能删除。"))
            return redirect("geo:detail", kind=kind, pk=pk)
        messages.success(request, _("已删除。"))
        return redirect("geo:list", kind=kind)
    return render(request, "geo/confirm_delete.html", {"kind": spec, "obj": obj})


def resident_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the unmasked number and phone once, for a stated purpose (audited)."""
    resident = _get(request, KINDS["residents"], pk)
    if request.method != "POST":
        policy.require(request.user, "people.view_identity")
    if request.method != "POST":
        return redirect("geo:detail", kind="residents", pk=pk)
    purpose = request.POST.get("purpose", "").strip() or _("未说明")
    revealed = services.do_reveal_identity(Actor.from_request(request), resident, purpose)
    response = render(
        request, "geo/revealed.html", {"obj": resident, "revealed": revealed, "purpose": purpose}
    )
    response["Cache-Control"] = "no-store"
    return response


def divisions_import(request: HttpRequest) -> HttpResponse:
    """Upload a table of cities, districts and streets (the system administrator's)."""
    policy.require(request.user, DIVISIONS.permission)
    return sheetviews.import_page(
        request,
        sheet=DIVISIONS,
        kind=services.IMPORT_JOB,
        key=services.DIVISIONS,
        start=services.do_start_divisions_import,
        url=reverse("geo:divisions_import"),
        template="geo/divisions_import.html",
        context={},
    )


def divisions_template(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, DIVISIONS.permission)
    return sheetviews.template_response(DIVISIONS, "linli-divisions-template")


def divisions_errors(request: HttpRequest) -> HttpResponse:
    """The problems of one rejected divisions import (``?job=``); without one, the import page."""
    policy.require(request.user, DIVISIONS.permission)
    if not request.GET.get("job"):
        return redirect("geo:divisions_import")
    return sheetviews.errors_response(
        request, services.IMPORT_JOB, services.DIVISIONS, "linli-divisions-errors"
    )
