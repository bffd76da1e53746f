"""Every change of the fire registry goes through here: permission, transaction, audit.

The stored lifecycle of an extinguisher and the schedule of a sprinkler are recomputed here,
and only here, through ``rules`` — whenever the facts they depend on change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, policy, sheets
from linli.core.context import Actor
from linli.core.errors import RowError
from linli.core.models import Organisation
from linli.core.roles import Role
from linli.core.sheets import ImportResult, Resolution
from linli.geo.models import Committee, Subdistrict
from linli.jobs import sheets as jobsheets
from linli.jobs.models import Job
from linli.jobs.sheets import Export
from linli.notices import services as notices

from . import queries, rules
from .errors import (
    DuplicateRecord,
    FactRefused,
    FireError,
    PhotoRejected,
    PlaceMismatch,
    PlanRefused,
    RecordRefused,
)
from .models import (
    ChargingSite,
    CheckKind,
    CheckRecord,
    EbikeEstimate,
    Extinguisher,
    KitItem,
    PlanState,
    Sprinkler,
    SprinklerStatus,
    Station,
    WorkPlan,
    WorkPlanItem,
)


def today() -> date:
    return timezone.localdate()


# --------------------------------------------------------------------------- lifecycle


def _rule_error(exc: rules.FireRuleError) -> FireError:
    if exc.code == "after_on":
        message = _("日期不能晚于今天")
    elif exc.code == "before_manufacture":
        message = _("维修日期不能早于生产日期")
    elif exc.code == "before_start":
        message = _("检查日期不能早于安装或设置日期")
    elif exc.code == "unknown_type":
        message = _("未知的灭火器类型")
    else:
        message = _("数值无效")
    return FactRefused(message, code=exc.code, field=exc.field)


def refresh_extinguisher(obj: Extinguisher, on: date | None = None) -> None:
    """Recompute the stored lifecycle dates from the facts (raises FireError on bad facts)."""
    on = on or today()
    if obj.last_inspected and obj.last_inspected > on:
        raise FactRefused(_("日期不能晚于今天"), code="after_on", field="last_inspected")
    try:
        life = rules.lifecycle(queries.rule_extinguisher(obj), on)
        check = rules.inspection_due(
            obj.last_inspected,
            on,
            half_monthly=obj.half_monthly,
            since=min(obj.placed_on, on) if obj.placed_on else None,
            record=obj.serial,
        )
    except rules.FireRuleError as exc:
        raise _rule_error(exc) from None
    obj.scrap_date = life.scrap_date
    obj.next_maintenance = life.next_maintenance
    obj.next_due = life.next_due
    obj.next_due_kind = str(life.next_due_kind)
    obj.next_inspection = check.next_date


def refresh_sprinkler(obj: Sprinkler, on: date | None = None) -> None:
    on = on or today()
    if obj.status != SprinklerStatus.INSTALLED or obj.installed_on is None:
        obj.next_check = None
        return
    try:
        schedule = rules.sprinkler_schedule(
            obj.installed_on,
            obj.last_visual,
            obj.last_end_of_line,
            obj.last_service,
            on,
            record=str(obj.entrance_id),
        )
    except rules.FireRuleError as exc:
        raise _rule_error(exc) from None
    obj.next_check = min(
        schedule.visual.next_date, schedule.end_of_line.next_date, schedule.service.next_date
    )


def _fill_committee(obj: Model) -> None:
    if isinstance(obj, Extinguisher):
        if obj.entrance is not None and not obj.building_id:
            obj.building_id = obj.entrance.building_id
        if obj.building is not None:
            obj.committee_id = obj.building.committee_id
    elif isinstance(obj, Sprinkler):
        obj.committee_id = obj.entrance.building.committee_id


def _committee(obj: Model) -> int | None:
    if isinstance(obj, Station | ChargingSite | Extinguisher | Sprinkler | EbikeEstimate):
        return obj.committee_id
    station = getattr(obj, "station", None)
    return station.committee_id if station is not None else None


def _action(obj: Model, verb: str) -> str:
    return f"fire.{obj._meta.model_name}.{verb}"


def _check_place(obj: Model) -> None:
    if isinstance(obj, Extinguisher):
        entrance, building = obj.entrance, obj.building
        if entrance is not None and building is not None and entrance.building_id != building.pk:
            raise PlaceMismatch(_("门牌不属于所选楼栋"), field="entrance")
        if building is not None and building.committee_id != obj.committee_id:
            raise PlaceMismatch(_("楼栋不属于所选居委"), field="building")
    if (
        isinstance(obj, Sprinkler)
        and obj.status == SprinklerStatus.INSTALLED
        and obj.installed_on is None
    ):
        raise FactRefused(_("已安装的喷淋需要填写安装日期"), code="required", field="installed_on")


def prepare(obj: Model, on: date | None = None) -> None:
    """Denormalise and recompute what is stored; raise FireError on facts the rules refuse."""
    _fill_committee(obj)
    _check_place(obj)
    if isinstance(obj, Extinguisher):
        refresh_extinguisher(obj, on)
    elif isinstance(obj, Sprinkler):
        refresh_sprinkler(obj, on)


def _check_station_name(station: Station) -> None:
    """A station's name is unique within its committee's street (``Station``'s docstring).

    Called in the saving transaction with the street's row locked, so two saves of one name in
    one street wait for each other instead of both passing the check."""
    street = Committee.objects.filter(pk=station.committee_id).values("subdistrict_id")
    Subdistrict.objects.select_for_update().filter(pk__in=street).first()
    same = Station.objects.filter(name=station.name, committee__subdistrict_id__in=street)
    if station.pk is not None:
        same = same.exclude(pk=station.pk)
    if same.exists():
        raise DuplicateRecord(_("本街道已有同名微型消防站"), field="name")


def do_save_item(
    actor: Actor,
    obj: Model,
    changed: list[str] | None = None,
    *,
    relations: Mapping[str, Iterable[Model]] | None = None,
) -> Model:
    """Create or update one registry row (extinguisher, sprinkler, site, station, …).

    ``relations`` sets many-to-many fields (a duty shift's members) in the same transaction
    as the row and names them in the same audit record, so a shift is never saved without
    the members it was entered with.
    """
    policy.require(actor.user, "fire.change")
    prepare(obj)
    policy.require_in_scope(actor.user, _committee(obj))
    created = obj.pk is None
    if not created:
        old = type(obj)._default_manager.get(pk=obj.pk)
        policy.require_in_scope(actor.user, _committee(old))
    with transaction.atomic():
        if isinstance(obj, Station):
            _check_station_name(obj)
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            raise DuplicateRecord(_("与已有记录冲突（编号或名称重复）")) from None
        details: dict[str, Any] = {"changed": sorted(changed or [])}
        for name, related in (relations or {}).items():
            chosen = list(related)
            getattr(obj, name).set(chosen)
            details[name] = sorted(r.pk for r in chosen)
        audit.record(actor, _action(obj, "create" if created else "update"), obj, details=details)
    return obj


def do_delete_item(actor: Actor, obj: Model) -> None:
    policy.require(actor.user, "fire.change")
    policy.require_in_scope(actor.user, _committee(obj))
    with transaction.atomic():
        audit.record(actor, _action(obj, "delete"), obj)
        obj.delete()


# --------------------------------------------------------------------------- records

PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024
EXTINGUISHER_KINDS = {CheckKind.INSPECTION, CheckKind.MAINTENANCE, CheckKind.REPLACEMENT}
SPRINKLER_KINDS = {CheckKind.VISUAL, CheckKind.END_OF_LINE, CheckKind.SERVICE}


def check_photo(photo: UploadedFile[Any]) -> None:
    """A photo must be a JPEG, PNG or WebP image of at most 5 MB (its content is checked)."""
    if photo.size is not None and photo.size > PHOTO_MAX_BYTES:
        raise PhotoRejected(_("照片不能超过 5 MB"), code="photo_too_large", field="photo")
    from PIL import Image, UnidentifiedImageError

    from linli.core.images import pixels_error

    too_big = pixels_error(photo)
    if too_big:
        raise PhotoRejected(too_big, code="photo_pixels", field="photo")
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            image.verify()
            found = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoRejected(
            _("照片应为 JPEG、PNG 或 WebP 图片"), code="photo_type", field="photo"
        ) from None
    if found not in PHOTO_TYPES.values():
        raise PhotoRejected(_("照片应为 JPEG、PNG 或 WebP 图片"), code="photo_type", field="photo")
    photo.seek(0)


def may_record(user: Any, item: Extinguisher | Sprinkler) -> bool:
    """fire.record, inside the committee; a partner only on work assigned to its organisation."""
    if not policy.can(user, "fire.record"):
        return False
    org = policy.organisation_scope(user)
    if policy.role_of(user) == Role.PARTNER:
        assigned = item.assigned_to_id if isinstance(item, Extinguisher) else item.contractor_id
        if org is not None and assigned == org:
            return True
        # A plan issued to the partner reaches its extinguishers too.
        return (
            org is not None
            and isinstance(item, Extinguisher)
            and WorkPlanItem.objects.filter(
                extinguisher=item, plan__partner_id=org, plan__state=PlanState.ISSUED
            ).exists()
        )
    return policy.in_scope(user, item.committee_id)


@dataclass(frozen=True)
class CheckInput:
    kind: str
    done_on: date
    passed: bool = True
    gauge: str = ""
    pressure: Decimal | None = None
    note: str = ""
    new_manufactured: date | None = None  # for a replacement: the new unit's manufacture date
    new_serial: str = ""


def do_record_check(
    actor: Actor,
    item: Extinguisher | Sprinkler,
    data: CheckInput,
    photo: UploadedFile[Any] | None = None,
) -> CheckRecord:
    """Record an inspection or maintenance, update the item's dates, audit both."""
    if not may_record(actor.user, item):
        raise PermissionDenied("fire.record")
    on = today()
    if data.done_on > on:
        raise FactRefused(_("日期不能晚于今天"), code="after_on", field="done_on")
    if photo is not None:
        check_photo(photo)
    is_ext = isinstance(item, Extinguisher)
    allowed = EXTINGUISHER_KINDS if is_ext else SPRINKLER_KINDS
    if data.kind not in allowed:
        raise RecordRefused(_("这类设施不能登记这种记录"), code="wrong_kind", field="kind")
    before: dict[str, Any] = {}
    if isinstance(item, Extinguisher):
        before = {"next_due": str(item.next_due), "next_inspection": str(item.next_inspection)}
        if data.kind == CheckKind.INSPECTION:
            if item.last_inspected is None or data.done_on >= item.last_inspected:
                item.last_inspected = data.done_on
            if data.gauge:
                item.gauge = data.gauge
        elif data.kind == CheckKind.MAINTENANCE:
            if data.done_on < item.manufactured:
                raise FactRefused(
                    _("维修日期不能早于生产日期"), code="before_manufacture", field="done_on"
                )
            item.last_maintained = data.done_on
            item.gauge = data.gauge or "green"
        else:
            if data.new_manufactured is None:
                raise RecordRefused(
                    _("请填写新灭火器的生产日期"), code="required", field="new_manufactured"
                )
            item.manufactured = data.new_manufactured
            item.last_maintained = None
            item.scrap_condition = ""
            item.gauge = data.gauge or "green"
            item.last_inspected = data.done_on
            if data.new_serial:
                item.serial = data.new_serial
        refresh_extinguisher(item, on)
    else:
        before = {"next_check": str(item.next_check)}
        if item.installed_on is None or item.status != SprinklerStatus.INSTALLED:
            raise RecordRefused(_("该门牌的喷淋尚未安装"), code="not_installed", field="kind")
        if data.done_on < item.installed_on:
            raise FactRefused(_("检查日期不能早于安装日期"), code="before_start", field="done_on")
        if data.kind == CheckKind.VISUAL:
            item.last_visual = max(data.done_on, item.last_visual or data.done_on)
        elif data.kind == CheckKind.END_OF_LINE:
            if data.pressure is None:
                raise RecordRefused(_("末端试水需要记录压力"), code="required", field="pressure")
            item.last_end_of_line = data.done_on
            item.last_pressure = data.pressure
            if not rules.end_of_line_ok(data.pressure):
                data = CheckInput(**{**data.__dict__, "passed": False})
        else:
            item.last_service = data.done_on
        item.fault = "" if data.passed else (data.note or _("检查不合格"))[:200]
        refresh_sprinkler(item, on)
    record = CheckRecord(
        committee_id=item.committee_id,
        extinguisher=item if isinstance(item, Extinguisher) else None,
        sprinkler=item if isinstance(item, Sprinkler) else None,
        kind=data.kind,
        done_on=data.done_on,
        passed=data.passed,
        gauge=data.gauge,
        pressure=data.pressure,
        note=data.note,
        by=actor.user,
        organisation_id=getattr(actor.user, "organisation_id", None),
    )
    if photo is not None:
        ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
        from PIL import Image

        with Image.open(photo) as image:
            suffix = ext.get(str(image.format), "jpg")
        photo.seek(0)
        record.photo.save(f"check-{item.committee_id}.{suffix}", photo, save=False)
    with transaction.atomic():
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            raise DuplicateRecord(_("新编号与已有灭火器重复"), field="new_serial") from None
        record.save()
        if isinstance(item, Extinguisher) and data.kind in PLAN_DONE_KINDS:
            # The work of an issued plan is done by the record (maintenance or replacement).
            closed = WorkPlanItem.objects.filter(
                extinguisher=item, done_on__isnull=True, plan__state=PlanState.ISSUED
            ).update(done_on=data.done_on, record=record)
            if closed:
                audit.record(actor, "fire.plan.item_done", item, details={"record": record.pk})
        audit.record(
            actor,
            f"fire.record.{data.kind}",
            item,
            details={
                "record": record.pk,
                "done_on": str(data.done_on),
                "passed": data.passed,
                "photo": bool(photo),
                "before": before,
            },
        )
    return record


# --------------------------------------------------------------------------- work plans

PLAN_DONE_KINDS = (CheckKind.MAINTENANCE, CheckKind.REPLACEMENT)
PLAN_NAME_MAX = 80


def _require_plan_change(user: Any, committee_id: int) -> None:
    if not policy.can(user, "fire.change"):
        raise PermissionDenied("fire.change")
    policy.require_in_scope(user, committee_id)


def do_save_plan(
    actor: Actor, *, name: str, committee_id: int | None, within_days: int, on: date | None = None
) -> WorkPlan:
    """Save the batch plan of one committee (``rules.batch_plan`` per site) as a draft.

    The items are the extinguishers due within ``within_days`` of ``on``, with their site,
    batch, what is due and by when. Nothing is written when nothing is due.
    """
    if not policy.can(actor.user, "fire.change"):
        raise PermissionDenied("fire.change")
    name = (name or "").strip()
    if not name:
        raise PlanRefused(_("请填写计划名称"), code="required", field="name")
    if len(name) > PLAN_NAME_MAX:
        raise PlanRefused(_("计划名称不能超过 80 个字"), code="too_long", field="name")
    if committee_id is None:
        raise PlanRefused(_("请选择居委"), code="required", field="committee")
    if not 0 <= within_days <= 365:
        raise PlanRefused(_("到期范围应在 0 到 365 天之间"), code="range", field="within")
    _require_plan_change(actor.user, committee_id)
    on = on or today()
    sites = queries.batch_plans(actor.user, committee_id, on, within_days)
    rows = [
        (site, batch.number, site.objects[life.extinguisher_id], life)
        for site in sites
        for batch in site.plan.batches
        for life in batch.items
    ]
    if not rows:
        raise PlanRefused(
            _("这个范围内没有需要送修或更换的灭火器，无需保存计划"), code="empty", field="within"
        )
    with transaction.atomic():
        plan = WorkPlan.objects.create(
            name=name, committee_id=committee_id, within_days=within_days, created_by=actor.user
        )
        WorkPlanItem.objects.bulk_create(
            WorkPlanItem(
                plan=plan,
                extinguisher=obj,
                site=site.site[:120],
                batch=number,
                kind=str(life.next_due_kind),
                due_on=life.next_due,
            )
            for site, number, obj, life in rows
        )
        audit.record(
            actor, "fire.plan.save", plan, details={"items": len(rows), "within": within_days}
        )
    return plan


def do_issue_plan(actor: Actor, plan: WorkPlan, partner_id: int | None) -> WorkPlan:
    """Issue a draft plan to a maintenance partner: it sees the plan in its work list and
    records on the plan's extinguishers; its accounts get a notice."""
    _require_plan_change(actor.user, plan.committee_id)
    if plan.state != PlanState.DRAFT:
        raise PlanRefused(_("计划已下发，不能再次下发"), code="issued", field="partner")
    partner = (
        Organisation.objects.filter(pk=partner_id, kind__in=queries.PARTNER_KINDS).first()
        if partner_id
        else None
    )
    if partner is None:
        raise PlanRefused(_("请选择维保单位"), code="required", field="partner")
    with transaction.atomic():
        locked = WorkPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.state != PlanState.DRAFT:
            raise PlanRefused(_("计划已下发，不能再次下发"), code="issued", field="partner")
        locked.state, locked.partner, locked.issued_at = PlanState.ISSUED, partner, timezone.now()
        locked.save(update_fields=["state", "partner", "issued_at"])
        count = locked.items.count()
        audit.record(
            actor, "fire.plan.issue", locked, details={"partner": partner.pk, "items": count}
        )
        notices.do_send_to_unit(
            "fire.plan_issued",
            {"plan": locked.name, "count": str(count), "url": f"/fire/plans/{locked.pk}/"},
            key=f"fire.plan_issued:{locked.pk}",
            partner=partner.pk,
        )
    return locked


# --------------------------------------------------------------------------- imports


def do_import_registry(
    actor: Actor,
    sheet_name: str,
    file: IO[bytes],
    filename: str = "",
    *,
    progress: Callable[[int, int], None] | None = None,
    record: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import one registry list from Excel: every row valid, or nothing written.

    ``core.sheets.import_sheet`` with fire's checks: every row inside the importer's reach,
    and its stored dates recomputed (``prepare``) so a fact the rules refuse names its row.
    """
    from .sheets import SHEETS

    sheet = SHEETS[sheet_name]
    on = today()

    def check(number: int, obj: Model, _res: Resolution) -> list[RowError]:
        committee_id = getattr(obj, "committee_id", None)
        if hasattr(obj, "committee_id"):
            outside = sheets.out_of_scope(actor.user, number, committee_id)
            if outside is not None:
                return [outside]
        try:
            prepare(obj, on)
        except FireError as exc:
            return [RowError(number, sheet.label_for(exc.field or ""), exc.message)]
        return []

    return sheets.import_sheet(
        actor, sheet, file, filename, check=check, progress=progress, record=record
    )


# --------------------------------------------------------------------------- Excel jobs

EXPORT_JOB = "fire.export"
IMPORT_JOB = "fire.import"
EXPORT_TASK = "linli.fire.tasks.export"
IMPORT_TASK = "linli.fire.tasks.import_sheet"


def export_list(user: Any, key: str, query: Mapping[str, Any]) -> Export:
    """The export of a register (``key``: a list, a station part, or ``due``) for ``user``,
    filtered by ``query`` like its page. Raises PermissionDenied, or KeyError for no list."""
    from . import lists
    from .sheets import SHEETS, STATION_SHEETS

    if not queries.can_read(user):
        raise PermissionDenied("fire.view")
    if key == "due":
        return _due_export(user, query)
    if key in STATION_SHEETS:
        part = SHEETS[key]
        qs = lists.station_parts(user, key)
        return Export(str(part.title), part.labels(), qs, part.export_row, f"linli-fire-{key}")
    spec = lists.KINDS[key]
    _filterset, qs, _sort = lists.filtered(user, query, spec)
    if spec.sheet is None:

        def plain(o: Any) -> list[Any]:
            return [
                str(v[0] if isinstance(v, tuple) else v) for v in (fn(o) for _l, fn in spec.columns)
            ]

        labels = [str(label) for label, _fn in spec.columns]
        return Export(str(spec.title), labels, qs, plain, f"linli-fire-{key}")
    sheet = spec.sheet
    return Export(str(spec.title), sheet.labels(), qs, sheet.export_row, f"linli-fire-{key}")


def _due_export(user: Any, query: Mapping[str, Any]) -> Export:
    from . import lists

    on = today()
    which = str(query.get("list", "30"))
    if which not in lists.DUE_LISTS:
        which = "30"
    labels = [_("编号"), _("居委"), _("位置"), _("类型"), _("事项"), _("到期日期"), _("剩余天数")]

    def row(o: Any) -> list[Any]:
        r = lists._due_row(o, which, on)
        return [
            o.serial, o.committee.name, r["place"], o.get_type_display(), r["what"], r["due"],
            r["days"],
        ]  # fmt: skip

    qs = lists.due_queryset(user, query, which, on)
    return Export(str(lists.DUE_LISTS[which]), labels, qs, row, f"linli-fire-due-{which}")


def do_start_export(actor: Actor, key: str, query: str, total: int) -> Job:
    """Queue the export of a register too large to write within the request."""
    export = export_list(actor.user, key, QueryDict(query))
    return jobsheets.do_start_export(
        actor, export, kind=EXPORT_JOB, task=EXPORT_TASK, key=key, query=query, total=total
    )


def do_run_export(job: Job) -> None:
    """The export job's body: the register under the requester's current scope, streamed."""
    jobsheets.do_run_export(job, export_list)


def do_start_import(actor: Actor, key: str, title: str, upload: Any) -> Job:
    """Save the upload and queue its import (permission checked now and again in the job)."""
    policy.require(actor.user, "fire.change")
    return jobsheets.do_start_import(
        actor,
        kind=IMPORT_JOB,
        task=IMPORT_TASK,
        title=_("导入%(list)s：%(file)s") % {"list": title, "file": upload.name},
        upload=upload,
        params={"list": key},
    )


def do_run_import(job: Job) -> None:
    key = str(job.params["list"])

    def importer(actor: Actor, file: IO[bytes], filename: str, **kw: Any) -> ImportResult:
        return do_import_registry(actor, key, file, filename, **kw)

    jobsheets.do_run_import(job, importer)


def do_check_kit_item(actor: Actor, item: KitItem, done_on: date) -> KitItem:
    """Record the check of one station's kit item (fire.record, in the station's committee)."""
    policy.require(actor.user, "fire.record")
    if policy.role_of(actor.user) == Role.PARTNER:
        raise PermissionDenied("fire.record")
    policy.require_in_scope(actor.user, item.station.committee_id)
    if done_on > today():
        raise FactRefused(_("日期不能晚于今天"), code="after_on", field="done_on")
    with transaction.atomic():
        item.last_checked = done_on
        item.save(update_fields=["last_checked"])
        audit.record(actor, "fire.kititem.check", item, details={"done_on": str(done_on)})
    return item


def do_set_ebike_estimate(actor: Actor, committee_id: int, ebikes: int) -> EbikeEstimate:
    policy.require(actor.user, "fire.change")
    policy.require_in_scope(actor.user, committee_id)
    with transaction.atomic():
        obj, _created = EbikeEstimate.objects.update_or_create(
            committee_id=committee_id, defaults={"ebikes": ebikes, "as_of": today()}
        )
        audit.record(actor, "fire.ebikeestimate.update", obj, details={"ebikes": ebikes})
    return obj


# --------------------------------------------------------------------------- reminders


def do_send_equipment_reminders(on: date | None = None) -> dict[str, int]:
    """The weekly reminder (celery beat): each committee and each partner body is told how many
    of its extinguishers, sprinkler checks and station kit items are overdue, due within 30
    days and due in 31–90 days. Keyed by unit and ISO week, so a re-run that week sends nothing
    new; the notices are recorded in this transaction and delivered after it commits."""
    on = on or today()
    by_committee: dict[int, rules.ReminderCounts] = {}
    by_partner: dict[int, rules.ReminderCounts] = {}
    for item in queries.reminder_items(on):
        counts = rules.count_windows([rules.item_window(item.dues, on)])
        if counts == rules.ReminderCounts():
            continue
        by_committee[item.committee_id] = (
            by_committee.get(item.committee_id, rules.ReminderCounts()) + counts
        )
        if item.partner_id is not None:
            by_partner[item.partner_id] = (
                by_partner.get(item.partner_id, rules.ReminderCounts()) + counts
            )
    committee_names, partner_names = queries.unit_names(by_committee, by_partner)
    week = rules.reminder_week(on)
    sent = 0
    with transaction.atomic():
        for unit, counts_by_unit, names in (
            ("committee", by_committee, committee_names),
            ("partner", by_partner, partner_names),
        ):
            for unit_id, counts in sorted(counts_by_unit.items()):
                for notice in rules.equipment_notices(counts):
                    params = {"unit": names.get(unit_id, ""), "count": str(notice.count)}
                    if notice.days is not None:
                        params["days"] = str(notice.days)
                    params["url"] = (
                        "/fire/due/?list=overdue" if notice.days is None
                        else f"/fire/due/?list={notice.days}"
                    )  # fmt: skip
                    key = f"{notice.kind}:{unit}:{unit_id}:{notice.days or 'overdue'}:{week}"
                    target = {unit: unit_id}
                    sent += len(notices.do_send_to_unit(notice.kind, params, key=key, **target))
        audit.record(
            Actor.system("fire reminders"),
            "fire.reminders.send",
            object_type="fire.reminder",
            object_repr=week,
            details={"committees": len(by_committee), "partners": len(by_partner), "notices": sent},
        )
    return {"committees": len(by_committee), "partners": len(by_partner), "notices": sent}


__all__ = [
    "CheckInput",
    "FireError",
    "ImportResult",
    "Station",
    "do_delete_item",
    "do_import_registry",
    "do_issue_plan",
    "do_record_check",
    "do_save_item",
    "do_save_plan",
    "do_send_equipment_reminders",
    "do_set_ebike_estimate",
    "may_record",
    "prepare",
    "refresh_extinguisher",
    "refresh_sprinkler",
    "today",
]
