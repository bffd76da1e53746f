"""Every change of places and people goes through here: permission, transaction, audit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import QueryDict
from django.utils.translation import gettext as _

from linli.core import audit, crypto, policy, sheets
from linli.core.context import Actor
from linli.core.errors import RowError
from linli.core.identity import check_id_number, mask_id_number, mask_phone
from linli.core.sheets import ImportResult, Resolution
from linli.jobs import sheets as jobsheets
from linli.jobs.models import Job
from linli.jobs.sheets import Export, ImportProgress

from .errors import GeoError, IdentityNumberInvalid
from .models import Building, Committee, Entrance, Estate, Household, Resident
from .sheets import DIVISIONS as DIVISION_SHEET
from .sheets import SHEETS

ID_PURPOSE = "resident.id_number"
PHONE_PURPOSE = "resident.phone"


def identity_hash(number: str) -> str:
    return crypto.keyed_hash(number, ID_PURPOSE)


def identity_hashes(number: str) -> list[str]:
    """The number's hash under every accepted cipher suite, the current first: duplicates are
    found under both while an installation moves from one suite to the other."""
    return crypto.keyed_hashes(number, ID_PURPOSE)


def committee_of(obj: Model) -> int | None:
    """The committee a place or person belongs to (for scope checks)."""
    if isinstance(obj, Committee):
        return obj.pk
    if isinstance(obj, Estate | Building | Household | Resident):
        return obj.committee_id
    if isinstance(obj, Entrance):
        return obj.building.committee_id
    return None


def _fill_denormalised(obj: Model, actor: Actor | None = None) -> None:
    if isinstance(obj, Committee) and getattr(obj, "subdistrict_id", None) is None:
        # A new committee belongs to the street of the account that makes it.
        street = policy.street_of(actor.user) if actor is not None else None
        if street is None:
            raise GeoError(_("请先建立街道。"), code="no_subdistrict")
        obj.subdistrict_id = street
    elif isinstance(obj, Building):
        obj.committee_id = obj.estate.committee_id
    elif isinstance(obj, Household):
        obj.committee_id = obj.entrance.building.committee_id
    elif isinstance(obj, Resident):
        obj.committee_id = obj.household.committee_id


def _permission_for(obj: Model) -> str:
    return "people.change" if isinstance(obj, Resident) else "geo.change"


def _action(obj: Model, verb: str) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}"


def do_save_place(actor: Actor, obj: Model, changed: list[str] | None = None) -> Model:
    """Create or update one place (committee … household) after the form validated it."""
    policy.require(actor.user, _permission_for(obj))
    _fill_denormalised(obj, actor)
    policy.require_in_scope(actor.user, committee_of(obj))
    creating = obj.pk is None
    if isinstance(obj, Committee) and policy.committee_scope(actor.user) is not None:
        _keep_committee_identity(obj)
    try:
        with transaction.atomic():
            obj.save()
            audit.record(
                actor,
                _action(obj, "create" if creating else "update"),
                obj,
                details={"fields": sorted(changed or [])},
            )
    except IntegrityError as exc:
        # A unique field taken by another record (a committee code, say): name it, write nothing.
        field = next(
            (
                f.name
                for f in obj._meta.fields
                if f.unique and not f.primary_key and f.name in str(exc)
            ),
            None,
        )
        raise GeoError(_("已有相同编号或名称的记录。"), code="duplicate", field=field) from exc
    return obj


# What identifies a committee on the street: set by the street, not by the committee's staff.
COMMITTEE_IDENTITY_FIELDS = ("code", "area_id", "subdistrict_id")


def _keep_committee_identity(obj: Committee) -> None:
    """Committee staff may edit their committee's address and map position, not its code or
    area (refused with PermissionDenied, nothing written)."""
    stored = Committee.objects.filter(pk=obj.pk).values(*COMMITTEE_IDENTITY_FIELDS).first()
    if stored is None or any(getattr(obj, f) != stored[f] for f in COMMITTEE_IDENTITY_FIELDS):
        raise PermissionDenied("committee identity")


def do_delete_place(actor: Actor, obj: Model) -> None:
    policy.require(actor.user, _permission_for(obj))
    policy.require_in_scope(actor.user, committee_of(obj))
    with transaction.atomic():
        audit.record(actor, _action(obj, "delete"), obj)
        obj.delete()


def _protect(resident: Resident, id_number: str | None, phone: str | None) -> list[str]:
    """Set the hashed, encrypted and masked forms; return the names of what changed."""
    changed = []
    if id_number:
        checked = check_id_number(id_number)
        if not checked.valid or checked.number is None or checked.birth_date is None:
            raise IdentityNumberInvalid(
                f"identity number invalid: {checked.reason}", field="id_number"
            )
        resident.id_hash = identity_hash(checked.number)
        # The unique constraint catches the current suite's hash; during a suite move a person
        # registered under the previous one is found by that hash.
        previous = identity_hashes(checked.number)[1:]
        others = Resident.objects.filter(id_hash__in=previous).exclude(pk=resident.pk)
        if previous and others.exists():
            raise _taken()
        resident.id_cipher = crypto.encrypt(checked.number, ID_PURPOSE)
        resident.id_masked = mask_id_number(checked.number)
        resident.sex = checked.sex or ""
        resident.birth_year = checked.birth_date.year
        changed.append("id_number")
    if phone:
        resident.phone_cipher = crypto.encrypt(phone, PHONE_PURPOSE)
        resident.phone_masked = mask_phone(phone)
        changed.append("phone")
    return changed


def do_save_resident(
    actor: Actor,
    resident: Resident,
    *,
    id_number: str | None = None,
    phone: str | None = None,
    changed: list[str] | None = None,
) -> Resident:
    """Create or update a resident; identity numbers and phones never reach the audit text."""
    policy.require(actor.user, "people.change")
    _fill_denormalised(resident)
    policy.require_in_scope(actor.user, resident.committee_id)
    creating = resident.pk is None
    fields = sorted(set(changed or []) | set(_protect(resident, id_number, phone)))
    try:
        with transaction.atomic():
            resident.save()
            audit.record(
                actor,
                "people.resident.create" if creating else "people.resident.update",
                resident,
                details={"fields": fields},
            )
    except IntegrityError:
        raise _taken() from None
    return resident


def _taken() -> IdentityNumberInvalid:
    # Neutral on purpose: committee staff must not learn where else a person lives;
    # moves between committees are resolved by the street's staff.
    return IdentityNumberInvalid(
        _("该身份证号已登记。居民在居委之间迁移的，请联系街道工作人员办理。"),
        code="identity_number_taken",
        field="id_number",
    )


@dataclass(frozen=True)
class RevealedIdentity:
    id_number: str
    phone: str


def do_reveal_identity(actor: Actor, resident: Resident, purpose: str) -> RevealedIdentity:
    """Decrypt a resident's number and phone for a role that needs them; always audited."""
    user = actor.user
    allowed = policy.can(user, "people.view_identity") and policy.in_scope(
        user, resident.committee_id
    )
    if not allowed:
        audit.record(
            actor,
            "people.resident.view_identity",
            resident,
            outcome="denied",
            details={"purpose": purpose[:100]},
        )
        policy.require(user, "people.view_identity")
        policy.require_in_scope(user, resident.committee_id)
    revealed = RevealedIdentity(
        crypto.decrypt(resident.id_cipher, ID_PURPOSE) if resident.id_cipher else "",
        crypto.decrypt(resident.phone_cipher, PHONE_PURPOSE) if resident.phone_cipher else "",
    )
    audit.record(
        actor, "people.resident.view_identity", resident, details={"purpose": purpose[:100]}
    )
    return revealed


def do_import_places(
    actor: Actor,
    sheet_name: str,
    file: IO[bytes],
    filename: str = "",
    *,
    progress: ImportProgress | None = None,
    record: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import one list from Excel: every row valid, or nothing written (ImportRejected).

    ``core.sheets.import_sheet`` with geo's checks: every row inside the importer's reach,
    and a resident's identity number and phone protectable (hashed, encrypted) before any
    row is written. ``progress``/``record`` as there.
    """
    sheet = SHEETS[sheet_name]

    def check(number: int, obj: Model, resolution: Resolution) -> list[RowError]:
        errors: list[RowError] = []
        if not isinstance(obj, Committee):
            outside = sheets.out_of_scope(actor.user, number, committee_of(obj))
            if outside is not None:
                errors.append(outside)
        if isinstance(obj, Resident):
            numbers = resolution.extra.get("protect", {}).get(number, (None, None))
            try:
                _protect(obj, *numbers)
            except IdentityNumberInvalid as exc:
                errors.append(RowError(number, "身份证号", exc.message))
        return errors

    return sheets.import_sheet(
        actor, sheet, file, filename, check=check, progress=progress, record=record
    )


def reveal_allowed(user: Any, resident: Resident) -> bool:
    return policy.can(user, "people.view_identity") and policy.in_scope(user, resident.committee_id)


# --------------------------------------------------------------------------- Excel jobs

EXPORT_JOB = "geo.export"
IMPORT_JOB = "geo.import"
EXPORT_TASK = "linli.geo.tasks.export"
IMPORT_TASK = "linli.geo.tasks.import_sheet"


def export_list(user: Any, kind: str, query: Mapping[str, Any]) -> Export:
    """A list's export as ``user`` may see it, filtered like the list page, reading only the
    sheet's columns as tuples. Raises PermissionDenied, or KeyError for no such list."""
    from .lists import KINDS, filtered

    spec = KINDS[kind]
    _filterset, qs, _sort = filtered(user, query, spec)
    sheet = spec.sheet
    return Export(
        str(spec.title), sheet.labels(), sheet.export_query(qs), sheet.export_row, f"linli-{kind}"
    )


def do_start_export(actor: Actor, kind: str, query: str, total: int) -> Job:
    """Queue the export of a list too large to write within the request."""
    export = export_list(actor.user, kind, QueryDict(query))
    return jobsheets.do_start_export(
        actor, export, kind=EXPORT_JOB, task=EXPORT_TASK, key=kind, query=query, total=total
    )


def do_run_export(job: Job) -> None:
    """The export job's body: the list under the requester's current scope, streamed."""
    jobsheets.do_run_export(job, export_list)


def do_start_import(actor: Actor, kind: str, upload: Any) -> Job:
    """Save the upload and queue its import (permission checked now and again in the job)."""
    sheet = SHEETS[kind]
    policy.require(actor.user, sheet.permission)
    return jobsheets.do_start_import(
        actor,
        kind=IMPORT_JOB,
        task=IMPORT_TASK,
        title=_("导入%(list)s：%(file)s") % {"list": sheet.title, "file": upload.name},
        upload=upload,
        params={"list": kind},
    )


DIVISIONS = "divisions"  # the import key of the divisions sheet (not a list of places)


def do_start_divisions_import(actor: Actor, upload: Any) -> Job:
    """Save an uploaded table of cities, districts and streets and queue its import."""
    policy.require(actor.user, DIVISION_SHEET.permission)
    return jobsheets.do_start_import(
        actor,
        kind=IMPORT_JOB,
        task=IMPORT_TASK,
        title=_("导入%(list)s：%(file)s") % {"list": DIVISION_SHEET.title, "file": upload.name},
        upload=upload,
        params={"list": DIVISIONS},
    )


def do_import_divisions(
    actor: Actor, file: IO[bytes], filename: str = "", **kw: Any
) -> ImportResult:
    """Import divisions from Excel: every row valid, or nothing written (ImportRejected)."""
    return sheets.import_sheet(actor, DIVISION_SHEET, file, filename, **kw)


def do_run_import(job: Job) -> None:
    kind = str(job.params["list"])

    def importer(actor: Actor, file: IO[bytes], filename: str, **kw: Any) -> ImportResult:
        if kind == DIVISIONS:
            return do_import_divisions(actor, file, filename, **kw)
        return do_import_places(actor, kind, file, filename, **kw)

    jobsheets.do_run_import(job, importer)
