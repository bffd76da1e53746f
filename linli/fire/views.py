"""Fire-safety pages: registry lists, due lists, batches, phone records, programmes, coverage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import django_filters as df
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.context import Actor
from linli.core.excel import write_workbook
from linli.core.lists import cell
from linli.core.sheets import Sheet
from linli.core.widgets import use_search_boxes
from linli.geo import queries as geo_queries
from linli.geo.paging import keyset_page
from linli.jobs import sheetviews
from linli.jobs.models import Job

from . import forms as fire_forms
from . import queries, rules, services
from .charts import bar_chart
from .lists import (
    DUE_LISTS,
    KINDS,
    ListKind,
    _due_row,
    _kind,
    _place,
    committee_param,
    due_queryset,
    filtered,
)
from .models import Extinguisher, Sprinkler, Station
from .sheets import SHEETS, STATION_SHEETS

L = gettext_lazy


def _require_read(request: HttpRequest) -> None:
    if not queries.can_read(request.user):
        raise PermissionDenied("fire.view")


def _filtered(request: HttpRequest, kind: ListKind) -> tuple[df.FilterSet, QuerySet[Any], str]:
    _require_read(request)
    return filtered(request.user, request.GET, kind)


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    for name in ("page", "cursor"):
        query.pop(name, None)
    return query.urlencode()


def index(request: HttpRequest) -> HttpResponse:
    _require_read(request)
    on = services.today()
    counts = queries.due_counts(request.user, on)
    total = {
        "total": sum(c.total for c in counts),
        "overdue": sum(c.overdue for c in counts),
        "soon": sum(c.soon for c in counts),
        "upcoming": sum(c.upcoming for c in counts),
        "inspection": sum(c.inspection for c in counts),
    }
    if queries.is_partner(request.user):
        # A partner has no committee table: count its assigned work directly.
        base = queries.extinguishers(request.user)
        total = {
            "total": base.count(),
            "overdue": base.filter(next_due__lt=on).count(),
            "soon": base.filter(next_due__gte=on, next_due__lte=on + timedelta(days=30)).count(),
            "upcoming": base.filter(
                next_due__gt=on + timedelta(days=30), next_due__lte=on + timedelta(days=90)
            ).count(),
            "inspection": base.filter(next_inspection__lte=on).count(),
        }
    return render(
        request,
        "fire/index.html",
        {
            "on": on,
            "counts": counts,
            "total": total,
            "sprinklers_due": queries.sprinklers_due(request.user, on).count(),
            "kinds": KINDS.values(),
            "can_view": policy.can(request.user, "fire.view"),
            "partner": queries.is_partner(request.user),
            "plans": list(queries.plans(request.user).filter(state="issued")[:5]),
        },
    )


def registry_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    filterset, qs, sort = _filtered(request, spec)
    page = keyset_page(qs, request.GET.get("cursor"))
    rows = [[cell(label, fn(obj)) for label, fn in spec.columns] for obj in page.object_list]
    return render(
        request,
        "fire/list.html",
        {
            "kind": spec,
            "filter": filterset,
            "page": page,
            "rows": rows,
            "headers": [label for label, _fn in spec.columns],
            "sort": sort,
            "query": _query(request),
            "can_change": policy.can(request.user, "fire.change"),
        },
        status=400 if page.error else 200,
    )


def _export(request: HttpRequest, key: str) -> HttpResponse:
    """A small register downloads at once; a large one is written by a job (``jobs.sheets``)."""
    return sheetviews.export_response(
        request, services.export_list, key, kind=services.EXPORT_JOB, task=services.EXPORT_TASK
    )


def registry_export(request: HttpRequest, kind: str) -> HttpResponse:
    if kind == "due":
        raise Http404
    return _export(request, kind)


@dataclass(frozen=True)
class SheetKind:
    key: str
    title: Any
    sheet: Sheet
    back: str


def _sheet_kind(kind: str) -> SheetKind:
    if kind in STATION_SHEETS:
        sheet = SHEETS[kind]
        return SheetKind(kind, sheet.title, sheet, reverse("fire:list", args=["stations"]))
    spec = _kind(kind)
    if spec.sheet is None:
        raise Http404
    return SheetKind(kind, spec.title, spec.sheet, reverse("fire:list", args=[kind]))


def registry_import(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload a sheet: it is saved and imported by a job; this page follows that job."""
    spec = _sheet_kind(kind)
    policy.require(request.user, "fire.change")

    def start(actor: Actor, upload: Any) -> Job:
        return services.do_start_import(actor, kind, str(spec.title), upload)

    return sheetviews.import_page(
        request,
        sheet=spec.sheet,
        kind=services.IMPORT_JOB,
        key=kind,
        start=start,
        url=reverse("fire:import", args=[kind]),
        template="fire/import.html",
        context={"kind": spec},
    )


def import_errors(request: HttpRequest, kind: str) -> HttpResponse:
    policy.require(request.user, "fire.change")
    _sheet_kind(kind)
    return sheetviews.errors_response(
        request, services.IMPORT_JOB, kind, f"linli-fire-{kind}-errors"
    )


def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    policy.require(request.user, "fire.change")
    spec = _sheet_kind(kind)
    return sheetviews.template_response(spec.sheet, f"linli-fire-{kind}-template")


def _scope_choices(request: HttpRequest, form: forms.BaseForm) -> None:
    mapping: dict[str, Callable[[Any], QuerySet[Any]]] = {
        "committee": geo_queries.committees,
        "building": geo_queries.buildings,
        "entrance": geo_queries.entrances,
    }
    for name, query in mapping.items():
        field = form.fields.get(name)
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = query(request.user)
    use_search_boxes(form)  # city-size choices become search boxes


def registry_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    spec = _kind(kind)
    if spec.form is None:
        raise Http404
    policy.require(request.user, "fire.change")
    obj = None
    if pk is not None:
        obj = spec.query(request.user).filter(pk=pk).first()
        if obj is None:
            raise Http404
    form = spec.form(request.POST or None, instance=obj)
    _scope_choices(request, form)
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        try:
            services.do_save_item(Actor.from_request(request), instance, form.changed_data)
        except services.FireError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已保存。"))
            if kind == "extinguishers":
                return redirect("fire:extinguisher", pk=instance.pk)
            if kind == "sprinklers":
                return redirect("fire:sprinkler", pk=instance.pk)
            if kind == "stations":
                return redirect("fire:station", pk=instance.pk)
            return redirect("fire:list", kind=kind)
    return render(request, "fire/form.html", {"kind": spec, "form": form, "obj": obj})


# --------------------------------------------------------------------------- item + record


def _item(request: HttpRequest, model: type[Model], pk: int) -> Any:
    _require_read(request)
    query = queries.extinguishers if model is Extinguisher else queries.sprinklers
    found = query(request.user).filter(pk=pk).first()
    if found is None:
        outside = get_object_or_404(model, pk=pk)
        policy.require_in_scope(request.user, outside.committee_id)  # type: ignore[attr-defined]
        raise PermissionDenied("not assigned")
    return found


def _initial_kind(request: HttpRequest, sprinkler: bool) -> str:
    """The record kind to preselect: ``?kind=`` from a due list or plan, else the routine one."""
    wanted = request.GET.get("kind", "")
    allowed = services.SPRINKLER_KINDS if sprinkler else services.EXTINGUISHER_KINDS
    if wanted in allowed:
        return wanted
    return "visual" if sprinkler else "inspection"


def _record_page(request: HttpRequest, item: Extinguisher | Sprinkler) -> HttpResponse:
    is_spr = isinstance(item, Sprinkler)
    on = services.today()
    may = services.may_record(request.user, item)
    form = fire_forms.CheckForm(
        request.POST or None,
        request.FILES or None,
        sprinkler=is_spr,
        initial={"done_on": on, "kind": _initial_kind(request, is_spr)},
    )
    if request.method == "POST":
        if not may:
            raise PermissionDenied("fire.record")
        if form.is_valid():
            d = form.cleaned_data
            data = services.CheckInput(
                kind=d["kind"],
                done_on=d["done_on"],
                passed=d["passed"],
                gauge=d.get("gauge") or "",
                pressure=d.get("pressure"),
                note=d.get("note") or "",
                new_manufactured=d.get("new_manufactured"),
                new_serial=d.get("new_serial") or "",
            )
            try:
                services.do_record_check(Actor.from_request(request), item, data, d.get("photo"))
            except services.FireError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("记录已保存，到期日期已更新。"))
                back = request.POST.get("next", "")
                if back.startswith("/fire/") and "//" not in back:
                    return redirect(back)
                return redirect(request.path)
    history = list(item.records.select_related("by").order_by("-done_on", "-id")[:20])
    context: dict[str, Any] = {
        "item": item,
        "form": form,
        "may_record": may,
        "history": history,
        "on": on,
        "next": request.GET.get("next", ""),
        "can_change": policy.can(request.user, "fire.change")
        and policy.in_scope(request.user, item.committee_id),
    }
    if isinstance(item, Extinguisher):
        life = rules.lifecycle(queries.rule_extinguisher(item), on)
        context["life"] = life
        context["window"] = rules.due_window(life.next_due, on)
        context["days_left"] = (life.next_due - on).days
        context["days_late"] = (on - life.next_due).days
        context["inspection"] = rules.inspection_due(
            item.last_inspected, on, half_monthly=item.half_monthly, since=min(item.placed_on, on)
        )
    elif item.installed_on is not None and item.status == "installed":
        context["schedule"] = rules.sprinkler_schedule(
            item.installed_on, item.last_visual, item.last_end_of_line, item.last_service, on
        )
    return render(request, "fire/item.html", context)


def extinguisher(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_page(request, _item(request, Extinguisher, pk))


def sprinkler(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_page(request, _item(request, Sprinkler, pk))


def photo(request: HttpRequest, pk: int) -> FileResponse:
    record = queries.records(request.user).filter(pk=pk).first()
    if record is None or not record.photo:
        raise Http404
    response = FileResponse(record.photo.open("rb"))
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- due lists


def _committee_param(request: HttpRequest) -> int | None:
    return committee_param(request.user, request.GET)


def _due_qs(request: HttpRequest, which: str, on: date) -> QuerySet[Extinguisher]:
    return due_queryset(request.user, request.GET, which, on)


def due(request: HttpRequest) -> HttpResponse:
    _require_read(request)
    on = services.today()
    which = request.GET.get("list", "30")
    if which not in DUE_LISTS:
        which = "30"
    qs = _due_qs(request, which, on)
    page = keyset_page(qs, request.GET.get("cursor"))
    committee = _committee_param(request)
    return render(
        request,
        "fire/due.html",
        {
            "on": on,
            "which": which,
            "lists": DUE_LISTS,
            "title": DUE_LISTS[which],
            "page": page,
            "rows": [_due_row(o, which, on) for o in page.object_list],
            "query": _query(request),
            "committee": committee,
            "committees": queries.committees(request.user).order_by("code"),
            "scoped": policy.committee_scope(request.user) is not None,
            "counts": queries.due_counts(request.user, on)
            if committee is None and policy.committee_scope(request.user) is None
            else [],
        },
        status=400 if page.error else 200,
    )


def due_export(request: HttpRequest) -> HttpResponse:
    _require_read(request)
    return _export(request, "due")


def _batch_context(request: HttpRequest) -> dict[str, Any]:
    _require_read(request)
    on = services.today()
    committee_id = _committee_param(request)
    try:
        within = max(0, min(365, int(request.GET.get("within", "30"))))
    except ValueError:
        within = 30
    plans = queries.batch_plans(request.user, committee_id, on, within) if committee_id else []
    return {
        "on": on,
        "within": within,
        "committee": committee_id,
        "committees": queries.committees(request.user).order_by("code"),
        "scoped": policy.committee_scope(request.user) is not None,
        "plans": plans,
        "sites": [_site_rows(site) for site in plans],
        "can_save": policy.can(request.user, "fire.change"),
    }


def _site_rows(site: queries.SitePlan) -> dict[str, Any]:
    labels = dict(rules_type_labels())
    return {
        "site": site.site,
        "plan": site.plan,
        "batches": [
            {
                "number": b.number,
                "subs": [(labels[str(t)], n) for t, n in b.substitutes.items()],
                "rows": [(site.objects[life.extinguisher_id], life) for life in b.items],
            }
            for b in site.plan.batches
        ],
    }


# --------------------------------------------------------------------------- work plans

PLAN_RECORD_KIND = {"maintain": "maintenance", "replace": "replacement"}


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def plan_list(request: HttpRequest) -> HttpResponse:
    """Saved plans with progress; a partner's work list of the plans issued to it."""
    _require_read(request)
    page = keyset_page(queries.plans(request.user), request.GET.get("cursor"))
    return render(
        request,
        "fire/plans.html",
        {
            "page": page,
            "query": _query(request),
            "partner": queries.is_partner(request.user),
            "on": services.today(),
        },
        status=400 if page.error else 200,
    )


@require_POST
def plan_save(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "fire.change")
    committee = policy.committee_scope(request.user) or _int(request.POST.get("committee"))
    within = _int(request.POST.get("within"))
    try:
        plan = services.do_save_plan(
            Actor.from_request(request),
            name=request.POST.get("name", ""),
            committee_id=committee,
            within_days=within if within is not None else -1,
        )
    except services.FireError as exc:
        messages.error(request, exc.message)
        query = f"?committee={committee or ''}&within={within if within is not None else 30}"
        return redirect(reverse("fire:batches") + query)
    messages.success(
        request,
        _("计划“%(name)s”已保存，共 %(n)s 具灭火器；可以下发给维保单位。")
        % {"name": plan.name, "n": plan.items.count()},
    )
    return redirect("fire:plan", pk=plan.pk)


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_read(request)
    plan = get_object_or_404(queries.plans(request.user), pk=pk)
    items = list(queries.plan_items(plan))
    on = services.today()
    batches: dict[int, list[Any]] = {}
    for item in items:
        batches.setdefault(item.batch, []).append(item)
    may_issue = (
        plan.state == "draft"
        and policy.can(request.user, "fire.change")
        and policy.in_scope(request.user, plan.committee_id)
    )
    partner = queries.is_partner(request.user)
    return render(
        request,
        "fire/plan.html",
        {
            "plan": plan,
            "batches": sorted(batches.items()),
            "on": on,
            "may_issue": may_issue,
            "partners": queries.plan_partners() if may_issue else [],
            "may_record": partner or policy.can(request.user, "fire.record"),
            "record_kind": PLAN_RECORD_KIND,
            "open": plan.n_items - plan.n_done,  # type: ignore[attr-defined]
        },
    )


@require_POST
def plan_issue(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "fire.change")
    plan = get_object_or_404(queries.plans(request.user), pk=pk)
    try:
        issued = services.do_issue_plan(
            Actor.from_request(request), plan, _int(request.POST.get("partner"))
        )
    except services.FireError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("计划已下发给%(partner)s，对方已收到通知。") % {"partner": issued.partner},
        )
    return redirect("fire:plan", pk=pk)


def rules_type_labels() -> list[tuple[str, str]]:
    from .models import ExtinguisherType

    return [(str(v), str(label)) for v, label in ExtinguisherType.choices]


def batches(request: HttpRequest) -> HttpResponse:
    return render(request, "fire/batches.html", _batch_context(request))


def batches_export(request: HttpRequest) -> HttpResponse:
    ctx = _batch_context(request)
    labels_map = dict(rules_type_labels())
    labels = [_("场所"), _("批次"), _("编号"), _("位置"), _("类型"), _("事项"), _("到期日期")]
    out = []
    for site in ctx["plans"]:
        for batch in site.plan.batches:
            for life in batch.items:
                o = site.objects[life.extinguisher_id]
                out.append([
                    site.site, batch.number, o.serial, _place(o), labels_map[str(life.type)],
                    str(dict(rules_kind_labels())[str(life.next_due_kind)]), life.next_due,
                ])  # fmt: skip
    return sheetviews.xlsx_response(
        write_workbook(_("分批送修更换"), labels, out), "linli-fire-batches"
    )


def rules_kind_labels() -> list[tuple[str, str]]:
    from .models import DueKind

    return [(str(v), str(label)) for v, label in DueKind.choices]


# --------------------------------------------------------------------------- stations


def station(request: HttpRequest, pk: int) -> HttpResponse:
    _require_read(request)
    on = services.today()
    found = [s for s in queries.station_status(request.user, on) if s[0].pk == pk]
    if not found:
        outside = get_object_or_404(Station, pk=pk)
        policy.require_in_scope(request.user, outside.committee_id)
        raise Http404
    st, gaps, kit = found[0]
    return render(
        request,
        "fire/station.html",
        {
            "station": st,
            "gaps": gaps,
            "kit": kit,
            "on": on,
            "members": list(st.members.all()),
            "shifts": list(st.shifts.all())[-14:],
            "may_change": policy.can(request.user, "fire.change")
            and policy.in_scope(request.user, st.committee_id),
            "may_check": policy.can(request.user, "fire.record")
            and not queries.is_partner(request.user)
            and policy.in_scope(request.user, st.committee_id),
        },
    )


STATION_PARTS: dict[str, Any] = {
    "members": fire_forms.MemberForm,
    "shifts": fire_forms.ShiftForm,
    "kit": fire_forms.KitForm,
}


def _station(request: HttpRequest, pk: int) -> Station:
    _require_read(request)
    found = queries.stations(request.user).filter(pk=pk).first()
    if found is None:
        outside = get_object_or_404(Station, pk=pk)
        policy.require_in_scope(request.user, outside.committee_id)
        raise Http404
    return found


def _part_form(part: str, station: Station, data: Any = None) -> forms.ModelForm:  # type: ignore[type-arg]
    form_class = STATION_PARTS[part]
    if part == "shifts":
        return form_class(data, station=station)  # type: ignore[no-any-return]
    return form_class(data)  # type: ignore[no-any-return]


def station_add(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    """Add a member, a shift or a kit item to a station (fire.change, audited)."""
    if part not in STATION_PARTS:
        raise Http404
    policy.require(request.user, "fire.change")
    st = _station(request, pk)
    form = _part_form(part, st, request.POST or None)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.station = st
        relations = {
            f.name: form.cleaned_data[f.name]
            for f in obj._meta.many_to_many
            if f.name in form.cleaned_data
        }
        try:
            services.do_save_item(
                Actor.from_request(request), obj, form.changed_data, relations=relations
            )
        except services.FireError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("fire:station", pk=pk)
    return render(request, "fire/station_part.html", {"station": st, "form": form, "part": part})


def station_remove(request: HttpRequest, pk: int, part: str, item: int) -> HttpResponse:
    policy.require(request.user, "fire.change")
    if part not in STATION_PARTS or request.method != "POST":
        raise Http404
    st = _station(request, pk)
    model = STATION_PARTS[part]._meta.model
    obj = get_object_or_404(model, pk=item, station_id=st.pk)
    services.do_delete_item(Actor.from_request(request), obj)
    messages.success(request, _("已删除。"))
    return redirect("fire:station", pk=pk)


def kit_check(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """Mark one kit item checked today (POST from the station page)."""
    from .models import KitItem

    _require_read(request)
    if request.method != "POST":
        return redirect("fire:station", pk=pk)
    kit = get_object_or_404(KitItem.objects.select_related("station"), pk=item, station_id=pk)
    services.do_check_kit_item(Actor.from_request(request), kit, services.today())
    messages.success(request, _("已登记检查：%(name)s") % {"name": kit.name})
    return redirect("fire:station", pk=pk)


# --------------------------------------------------------------------------- programmes


def programme(request: HttpRequest) -> HttpResponse:
    _require_read(request)
    names = queries.programmes(request.user)
    chosen = request.GET.get("programme") or (names[0] if names else "")
    rows = queries.sprinkler_programme(request.user, chosen) if chosen else []
    totals = {
        "planned": sum(r.planned for r in rows),
        "installed": sum(r.installed for r in rows),
        "heads_planned": sum(r.heads_planned for r in rows),
        "heads_installed": sum(r.heads_installed for r in rows),
        "households_planned": sum(r.households_planned for r in rows),
        "households_installed": sum(r.households_installed for r in rows),
        "committees": len(rows),
    }
    chart = bar_chart(
        [(r.committee.name, r.installed, r.planned) for r in rows],
        done_label=_("已安装"),
        plan_label=_("计划"),
        unit=_("门牌"),
    )
    charging = _charging_table(queries.charging_progress(request.user))
    charging_chart = bar_chart(
        [(f"{c['kind']} {c['programme']}", c["done"], c["total"]) for c in charging],
        done_label=_("已投用"),
        plan_label=_("总数"),
        unit=_("处"),
    )
    return render(
        request,
        "fire/programme.html",
        {
            "programmes": names,
            "chosen": chosen,
            "rows": rows,
            "totals": totals,
            "chart": chart,
            "charging": charging,
            "charging_chart": charging_chart,
        },
    )


def _charging_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from .models import ChargingKind, ChargingStatus

    table: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["kind"], r["programme"])
        entry = table.setdefault(
            key,
            {
                "kind": ChargingKind(r["kind"]).label,
                "programme": r["programme"] or "—",
                "total": 0,
                "done": 0,
                "bays": 0,
                "states": [],
            },
        )
        entry["total"] += r["n"]
        if r["status"] == ChargingStatus.IN_SERVICE:
            entry["done"] += r["n"]
            entry["bays"] += r["bays"] or 0
        entry["states"].append((ChargingStatus(r["status"]).label, r["n"]))
    for entry in table.values():
        entry["percent"] = round(100 * entry["done"] / entry["total"]) if entry["total"] else 0
    return list(table.values())


# --------------------------------------------------------------------------- coverage


def coverage(request: HttpRequest) -> HttpResponse:
    _require_read(request)
    on = services.today()
    try:
        speed = int(request.GET.get("speed", "200"))
        if not 20 <= speed <= 2000:
            raise ValueError
    except ValueError:
        speed = 200
    try:
        ratio = Decimal(request.GET.get("ratio", "1"))
        if not Decimal("0.1") <= ratio <= Decimal(5):
            raise InvalidOperation
    except InvalidOperation:
        ratio = Decimal(1)
    by_code = {c.code: c for c in queries.committees(request.user)}
    gaps = [(g, by_code[g.committee]) for g in queries.charging_gaps(request.user, ratio)]
    stations_, buildings, missing, by_id = queries.reach_inputs(request.user)
    out_of_reach = (
        rules.buildings_out_of_reach(stations_, buildings, speed_m_per_min=speed)
        if stations_
        else []
    )
    station_names = {str(s.pk): s.name for s in Station.objects.only("id", "name")}
    out_rows = [
        {
            "building": by_id[r.building_id],
            "station": station_names.get(r.station_id or "", "—"),
            "distance": r.distance_m,
            "minutes": r.minutes,
        }
        for r in sorted(out_of_reach, key=lambda r: -(r.distance_m or 0))
    ]
    status = queries.station_status(request.user, on)
    return render(
        request,
        "fire/coverage.html",
        {
            "gaps": gaps,
            "speed": speed,
            "ratio": ratio,
            "reach_m": speed * 3,
            "n_buildings": len(buildings),
            "missing": missing,
            "n_stations": len(stations_),
            "out_rows": out_rows[:300],
            "n_out": len(out_rows),
            "map": _gap_map(request, speed),
            "status": status,
            "can_change": policy.can(request.user, "fire.change"),
        },
    )


GAP_ORDER = ("out_of_reach", "no_extinguisher", "sprinkler_pending")


def _gap_map(request: HttpRequest, speed: int) -> dict[str, Any]:
    """The gap map's drawing: each building coloured by its most serious gap."""
    data = queries.gap_map(request.user, speed)
    for p in data["points"]:
        worst = [g for g in GAP_ORDER if g in p["gaps"]]
        p["cls"] = worst[0] if worst else "ok"
        p["many"] = len(worst) > 1
        p["labels"] = "、".join(str(GAP_LABELS[g]) for g in worst) or _("无缺口")
    for st in data["stations"]:
        x, y = st["xy"]
        st.update(x=x, y=y, rx=round(x - 10, 1), ry=round(y - 10, 1), tx=round(x + 14, 1))
        st["ty"] = round(y + 8, 1)
    data["legend"] = [(g, GAP_LABELS[g], data["counts"].get(g, 0)) for g in (*GAP_ORDER, "ok")]
    return data


GAP_LABELS = {
    "out_of_reach": gettext_lazy("3 分钟内无微型消防站"),
    "no_extinguisher": gettext_lazy("未登记灭火器"),
    "sprinkler_pending": gettext_lazy("简易喷淋待安装"),
    "ok": gettext_lazy("无缺口"),
}


def ebikes(request: HttpRequest) -> HttpResponse:
    """Set one committee's estimated e-bikes (the basis of the charging gap)."""
    policy.require(request.user, "fire.change")
    committee_id = _committee_param(request) or 0
    committee = queries.committees(request.user).filter(pk=committee_id).first()
    if committee is None:
        raise Http404
    form = fire_forms.EbikeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.do_set_ebike_estimate(
            Actor.from_request(request), committee.pk, form.cleaned_data["ebikes"]
        )
        messages.success(request, _("已保存。"))
        return redirect("fire:coverage")
    return render(request, "fire/ebikes.html", {"form": form, "committee": committee})
