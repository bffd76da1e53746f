"""Staff forms of the service network: positions and their staff, spaces, menus, series."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.ids import plain_int

from .. import forms as f
from .. import queries, services
from ..models import Position
from ._common import _actor, _posted_id, _render

# --- staff: editing the network, spaces, menus and series -------------------------------------

_FIELD_ALIASES = {"parent_id": "parent", "committee_id": "committee"}


def _form_error(form: Any, exc: DomainError) -> None:
    """Put a service's error on its field (or on the form when it names none)."""
    name = _FIELD_ALIASES.get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


def _position_in_scope(request: HttpRequest, pk: int) -> Position:
    """A position committee staff may change: their committee's only (403 otherwise)."""
    policy.require(request.user, "community.manage")
    item = get_object_or_404(queries.position_rows(), pk=pk)
    if not queries.position_in_reach(request.user, item):
        raise PermissionDenied
    return item


def network_manage(request: HttpRequest) -> HttpResponse:
    """The network for staff: every position with its staff, spaces and menu, and the series."""
    policy.require(request.user, "community.manage")
    positions = queries.network_positions(request.user)
    items = list(
        positions.annotate(
            n_staff=Count("staff", distinct=True),
            n_spaces=Count("spaces", distinct=True),
            n_menu=Count("menu", distinct=True),
        ).order_by("sort", "name")
    )
    for p in items:
        p.editable = policy.in_scope(request.user, p.committee_id)  # type: ignore[attr-defined]
    series_items = list(queries.network_series(request.user).order_by("title"))
    return _render(
        request,
        "community/network_manage.html",
        {
            "items": items,
            "series": series_items,
            "street_level": policy.committee_scope(request.user) is None,
        },
    )


def position_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a position (committee staff: positions of their own committee)."""
    policy.require(request.user, "community.manage")
    item = _position_in_scope(request, pk) if pk else None
    locked = policy.committee_scope(request.user) is not None
    initial: dict[str, Any] = {"map_x": 50, "map_y": 50, "sort": 0}
    if item is not None:
        initial = {
            "kind": item.kind, "name": item.name, "parent": item.parent_id,
            "address": item.address, "committee": item.committee_id, "map_x": item.map_x,
            "map_y": item.map_y, "hours": item.hours, "contact": item.contact,
            "contact_phone": item.contact_phone, "description": item.description,
            "sort": item.sort,
        }  # fmt: skip
    form = f.PositionForm(request.POST or None, initial=initial, committee_locked=locked)
    if item is not None:
        form.fields["parent"].queryset = queries.parent_choices(request.user, item)  # type: ignore[attr-defined]
    f.narrow_to_reach(form, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.do_save_position(_actor(request), item, form.data_for_service())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("阵地已保存。"))
            return redirect("community:position_manage", saved.pk)
    return _render(request, "community/position_form.html", {"form": form, "item": item})


# Each part of a position: its form, the relation holding its rows, and the field a form
# posts to name the row it changes (blank: a new one).
_PARTS = {
    "staff": (f.PositionStaffForm, "staff", "member"),
    "space": (f.SpaceForm, "spaces", "space"),
    "menu": (f.MenuItemForm, "menu", "menu_item"),
}


def _part_initial(part: str, obj: Any) -> dict[str, Any]:
    fields = _PARTS[part][0].base_fields
    return {name: getattr(obj, name) for name in fields}


def _position_page(
    request: HttpRequest,
    item: Position,
    editing: dict[str, Any],
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    """The position's staff, spaces and menu with a form for each (``bound``: one that came
    back with errors)."""
    forms_: dict[str, Any] = {
        part: cls(prefix=part, initial=_part_initial(part, editing[part]) if part in editing
                  else None)
        for part, (cls, _rel, _field) in _PARTS.items()
    }  # fmt: skip
    forms_.update(bound or {})
    return _render(
        request,
        "community/position_manage.html",
        {
            "p": item,
            **queries.position_parts(item),
            "forms": forms_,
            "editing": {part: obj.pk for part, obj in editing.items()},
        },
    )


@require_safe
def position_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """A position's 全岗通 staff, spaces and menu (``?edit=space-3`` fills a form to change
    one); each form posts to a view of its own."""
    item = _position_in_scope(request, pk)
    editing: dict[str, Any] = {}
    part, _sep, obj_pk = request.GET.get("edit", "").partition("-")
    row = plain_int(obj_pk)
    if part in _PARTS and row is not None:
        editing[part] = get_object_or_404(getattr(item, _PARTS[part][1]), pk=row)
    return _position_page(request, item, editing)


def _save_part(
    request: HttpRequest,
    pk: int,
    part: str,
    save: Callable[[Actor, Position, Any, dict[str, Any]], Any],
    wanting: str,
) -> HttpResponse:
    """Add a row to a part of a position, or change the one the form names; the form comes
    back with its errors, a row named by something not a number says so."""
    item = _position_in_scope(request, pk)
    cls, rel, field = _PARTS[part]
    current = None
    if request.POST.get(field, "").strip():
        obj_pk = _posted_id(request, field)
        if obj_pk is None:
            messages.error(request, wanting)
            return redirect("community:position_manage", item.pk)
        current = get_object_or_404(getattr(item, rel), pk=obj_pk)
    form = cls(request.POST, prefix=part)
    if form.is_valid():
        try:
            save(_actor(request), item, current, form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("community:position_manage", item.pk)
    editing = {part: current} if current is not None else {}
    return _position_page(request, item, editing, {part: form})


def _save_staff(actor: Actor, item: Position, current: Any, d: dict[str, Any]) -> Any:
    return services.do_save_position_staff(
        actor, item, current, name=d["name"], duties=d["duties"],
        user_id=current.user_id if current else None,
    )  # fmt: skip


@require_POST
def position_staff_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a 全岗通 staff member to a position, or change the one named by ``member``."""
    return _save_part(request, pk, "staff", _save_staff, _("人员：请选择要修改的人员。"))


@require_POST
def position_space_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a room to a position, or change the one named by ``space``."""
    return _save_part(
        request,
        pk,
        "space",
        lambda actor, item, current, d: services.do_save_space(actor, item, current, **d),
        _("空间：请选择要修改的空间。"),
    )


@require_POST
def position_menu_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a service to a position's menu, or change the one named by ``menu_item``."""
    return _save_part(
        request, pk, "menu", services.do_save_menu_item, _("服务项目：请选择要修改的服务项目。")
    )


@require_POST
def position_staff_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove the staff member named by ``member`` from a position."""
    item = _position_in_scope(request, pk)
    member_pk = _posted_id(request, "member")
    if member_pk is None:
        messages.error(request, _("人员：请选择要移除的人员。"))
        return redirect("community:position_manage", item.pk)
    member = get_object_or_404(item.staff, pk=member_pk)
    services.do_remove_position_staff(_actor(request), member)
    messages.success(request, _("已移除。"))
    return redirect("community:position_manage", item.pk)


def series_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Define or change a recurring series; changes reach its coming events without sign-ups."""
    policy.require(request.user, "community.manage")
    if policy.committee_scope(request.user) is not None:
        raise PermissionDenied  # series are the street's (党群 department)
    item = get_object_or_404(queries.network_series(request.user), pk=pk) if pk else None
    initial: dict[str, Any] = {}
    if item is not None:
        initial = {
            "title": item.title, "space": item.space_id,
            "weekdays": [str(d) for d in item.weekday_numbers], "start_time": item.start_time,
            "end_time": item.end_time, "capacity": item.capacity,
            "reserved_offline": item.reserved_offline, "release_hours": item.release_hours,
            "partners": item.partners, "audience": item.audience,
        }  # fmt: skip
    form = f.narrow_to_reach(f.SeriesForm(request.POST or None, initial=initial), request.user)
    if request.method == "POST" and form.is_valid():
        actor = _actor(request)
        try:
            saved = services.do_save_series(actor, item, form.data_for_service())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            if item is None:
                messages.success(request, _("系列已建立，请在下方排出活动。"))
            else:
                report = services.do_update_series_events(actor, saved)
                messages.success(
                    request,
                    _("系列已保存：更新 %(u)d 场，取消 %(c)d 场（不再在所选星期）。")
                    % {"u": report.updated, "c": report.cancelled},
                )
                if report.kept_signups:
                    messages.warning(
                        request,
                        _("以下日期的活动已有报名，未改动，请逐场处理：%(d)s")
                        % {"d": "、".join(f"{d:%m-%d}" for d in report.kept_signups)},
                    )
                if report.conflicts:
                    messages.warning(
                        request,
                        _("以下日期新时段的场地已被占用，活动保持原样：%(d)s")
                        % {"d": "、".join(f"{d:%m-%d}" for d in report.conflicts)},
                    )
            return redirect("community:series")
    return _render(request, "community/series_form.html", {"form": form, "item": item})
