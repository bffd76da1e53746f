"""Place and people pages: one list machinery (filter, sort, paginate, export, import)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
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
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError, ImportRejected
from linli.core.excel import error_workbook, write_workbook
from linli.core.pagination import EstimatingPaginator

from . import filters, queries, services
from . import forms as geo_forms
from .sheets import SHEETS, Sheet

Cell = str | tuple[str, str]  # text, or (text, link)


@dataclass(frozen=True)
class ListKind:
    key: str
    title: Any
    query: Callable[[Any], QuerySet[Any]]
    filterset: type[df.FilterSet]
    sheet: Sheet
    form: type[forms.ModelForm]  # type: ignore[type-arg]
    columns: tuple[tuple[Any, Callable[[Any], Cell]], ...]
    sorts: dict[str, Any]
    view_perm: str = "geo.view"
    change_perm: str = "geo.change"


def _link(kind: str, obj: Model, text: str) -> tuple[str, str]:
    return (text, reverse("geo:detail", args=[kind, obj.pk]))


L = gettext_lazy
KINDS: dict[str, ListKind] = {
    k.key: k
    for k in (
        ListKind(
            "committees", L("居委"), queries.committees, filters.CommitteeFilter,
            SHEETS["committees"], geo_forms.CommitteeForm,
            (
                (L("代码"), lambda o: o.code),
                (L("居委"), lambda o: _link("committees", o, o.name)),
                (L("片区"), lambda o: o.area.name if o.area else "—"),
                (L("地址"), lambda o: o.address),
            ),
            {"code": L("代码"), "name": L("名称")},
        ),
        ListKind(
            "estates", L("小区/弄"), queries.estates, filters.EstateFilter,
            SHEETS["estates"], geo_forms.EstateForm,
            (
                (L("小区/弄"), lambda o: _link("estates", o, o.name)),
                (L("类别"), lambda o: o.get_kind_display()),
                (L("居委"), lambda o: o.committee.name),
                (L("物业管理形式"), lambda o: o.get_management_display()),
                (L("地址"), lambda o: o.address),
            ),
            {"name": L("名称"), "committee": L("居委")},
        ),
        ListKind(
            "buildings", L("楼栋"), queries.buildings, filters.BuildingFilter,
            SHEETS["buildings"], geo_forms.BuildingForm,
            (
                (L("楼栋"), lambda o: _link("buildings", o, f"{o.estate.name} {o.name}")),
                (L("居委"), lambda o: o.committee.name),
                (L("房屋类型"), lambda o: o.get_housing_type_display()),
                (L("结构"), lambda o: o.get_structure_display()),
                (L("建成年份"), lambda o: str(o.year_built or "—")),
                (L("层数"), lambda o: str(o.floors)),
                (L("风貌保护"), lambda o: _("是") if o.heritage_protected else _("否")),
                (L("电梯"), lambda o: _("有") if o.has_lift else _("无")),
            ),
            {
                "name": L("名称"),
                "year_built": L("建成年份"),
                "floors": L("层数"),
                "committee": L("居委"),
            },
        ),
        ListKind(
            "entrances", L("门牌"), queries.entrances, filters.EntranceFilter,
            SHEETS["entrances"], geo_forms.EntranceForm,
            (
                (L("门牌"), lambda o: _link("entrances", o, o.address or o.number)),
                (L("楼栋"), lambda o: f"{o.building.estate.name} {o.building.name}"),
                (L("居委"), lambda o: o.building.committee.name),
            ),
            {"number": L("门牌号"), "address": L("地址")},
        ),
        ListKind(
            "households", L("户"), queries.households, filters.HouseholdFilter,
            SHEETS["households"], geo_forms.HouseholdForm,
            (
                (L("户"), lambda o: _link("households", o, f"{o.entrance} {o.room}")),
                (L("楼层"), lambda o: str(o.floor)),
                (L("专有面积(㎡)"), lambda o: f"{o.exclusive_area:.2f}"),
                (L("居委"), lambda o: o.committee.name),
            ),
            {"room": L("室号"), "floor": L("楼层"), "exclusive_area": L("面积")},
        ),
        ListKind(
            "residents", L("居民"), queries.residents, filters.ResidentFilter,
            SHEETS["residents"], geo_forms.ResidentForm,
            (
                (L("姓名"), lambda o: _link("residents", o, o.name)),
                (L("身份证号"), lambda o: o.id_masked or "—"),
                (L("手机号"), lambda o: o.phone_masked or "—"),
                (L("性别"), lambda o: o.get_sex_display()),
                (L("户"), lambda o: f"{o.household.entrance} {o.household.room}"),
                (L("居委"), lambda o: o.committee.name),
            ),
            {"name": L("姓名"), "birth_year": L("出生年份")},
            view_perm="people.view",
            change_perm="people.change",
        ),
    )
}  # fmt: skip


def _kind(key: str) -> ListKind:
    try:
        return KINDS[key]
    except KeyError:
        raise Http404 from None


def _filtered(request: HttpRequest, kind: ListKind) -> tuple[df.FilterSet, QuerySet[Any], str]:
    policy.require(request.user, kind.view_perm)
    filterset = kind.filterset(
        request.GET or None, queryset=kind.query(request.user), request=request
    )
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else kind.query(request.user)
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in kind.sorts:
        qs = qs.order_by(sort, "pk")
    else:
        sort = ""
    return filterset, qs, sort


def place_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    filterset, qs, sort = _filtered(request, spec)
    page = EstimatingPaginator(qs, 50).get_page(request.GET.get("page"))
    rows = [[_cell(label, fn(obj)) for label, fn in spec.columns] for obj in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
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
    )


def _cell(label: Any, value: Cell) -> dict[str, Any]:
    if isinstance(value, tuple):
        return {"label": label, "text": value[0], "url": value[1]}
    return {"label": label, "text": value, "url": ""}


def place_export(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    _filterset, qs, _sort = _filtered(request, spec)
    data = write_workbook(
        str(spec.title), spec.sheet.labels(), (spec.sheet.export_row(o) for o in qs.iterator(2000))
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="linli-{kind}.xlsx"'
    return response


def place_import(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    policy.require(request.user, spec.change_perm)
    form = geo_forms.ImportForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_sheet(
                Actor.from_request(request), kind, io.BytesIO(upload.read()), upload.name
            )
        except ImportRejected as exc:
            errors = exc.errors
            request.session[f"import-errors-{kind}"] = [
                (e.row, e.column, e.message) for e in exc.errors[:5000]
            ]
        else:
            messages.success(
                request,
                _("导入完成：新增 %(c)d 条，更新 %(u)d 条。")
                % {"c": result.created, "u": result.updated},
            )
            return redirect("geo:list", kind=kind)
    return render(
        request,
        "geo/import.html",
        {"kind": spec, "form": form, "errors": errors, "columns": spec.sheet.columns},
    )


def import_errors(request: HttpRequest, kind: str) -> HttpResponse:
    from linli.core.errors import RowError

    _kind(kind)
    stored = request.session.get(f"import-errors-{kind}") or []
    data = error_workbook([RowError(*e) for e in stored])
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="linli-{kind}-errors.xlsx"'
    return response


def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    data = write_workbook(str(spec.title), spec.sheet.labels(), [])
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="linli-{kind}-template.xlsx"'
    return response


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
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        actor = Actor.from_request(request)
        try:
            if kind == "residents":
                services.save_resident(
                    actor,
                    instance,
                    id_number=form.cleaned_data.get("id_number") or None,
                    phone=form.cleaned_data.get("phone") or None,
                    changed=[f for f in form.changed_data if f not in {"id_number", "phone"}],
                )
            else:
                services.save_place(actor, instance, form.changed_data)
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


def place_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    obj = _get(request, spec, pk)
    if request.method == "POST":
        from django.db.models import ProtectedError

        try:
            services.delete_place(Actor.from_request(request), obj)
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
        return redirect("geo:detail", kind="residents", pk=pk)
    purpose = request.POST.get("purpose", "").strip() or _("未说明")
    revealed = services.reveal_identity(Actor.from_request(request), resident, purpose)
    response = render(
        request, "geo/revealed.html", {"obj": resident, "revealed": revealed, "purpose": purpose}
    )
    response["Cache-Control"] = "no-store"
    return response
