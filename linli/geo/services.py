"""Every change of places and people goes through here: permission, transaction, audit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from linli.core import audit, crypto, policy
from linli.core.context import Actor
from linli.core.errors import ImportRejected, RowError
from linli.core.excel import read_sheet
from linli.core.identity import check_id_number, mask_id_number, mask_phone

from .errors import IdentityNumberInvalid
from .models import Building, Committee, Entrance, Estate, Household, Resident
from .sheets import SHEETS

ID_PURPOSE = "resident.id_number"
PHONE_PURPOSE = "resident.phone"


def identity_hash(number: str) -> str:
    return crypto.keyed_hash(number, ID_PURPOSE)


def committee_of(obj: Model) -> int | None:
    """The committee a place or person belongs to (for scope checks)."""
    if isinstance(obj, Committee):
        return obj.pk
    if isinstance(obj, Estate | Building | Household | Resident):
        return obj.committee_id
    if isinstance(obj, Entrance):
        return obj.building.committee_id
    return None


def _fill_denormalised(obj: Model) -> None:
    if isinstance(obj, Building):
        obj.committee_id = obj.estate.committee_id
    elif isinstance(obj, Household):
        obj.committee_id = obj.entrance.building.committee_id
    elif isinstance(obj, Resident):
        obj.committee_id = obj.household.committee_id


def _permission_for(obj: Model) -> str:
    return "people.change" if isinstance(obj, Resident) else "geo.change"


def _action(obj: Model, verb: str) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}"


def save_place(actor: Actor, obj: Model, changed: list[str] | None = None) -> Model:
    """Create or update one place (committee … household) after the form validated it."""
    policy.require(actor.user, _permission_for(obj))
    _fill_denormalised(obj)
    policy.require_in_scope(actor.user, committee_of(obj))
    creating = obj.pk is None
    with transaction.atomic():
        obj.save()
        audit.record(
            actor,
            _action(obj, "create" if creating else "update"),
            obj,
            details={"fields": sorted(changed or [])},
        )
    return obj


def delete_place(actor: Actor, obj: Model) -> None:
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


def save_resident(
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
        # Neutral on purpose: committee staff must not learn where else a person lives;
        # moves between committees are resolved by the street's staff.
        raise IdentityNumberInvalid(
            _("该身份证号已登记。居民在居委之间迁移的，请联系街道工作人员办理。"),
            code="identity_number_taken",
            field="id_number",
        ) from None
    return resident


@dataclass(frozen=True)
class RevealedIdentity:
    id_number: str
    phone: str


def reveal_identity(actor: Actor, resident: Resident, purpose: str) -> RevealedIdentity:
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


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def import_sheet(
    actor: Actor, sheet_name: str, file: IO[bytes], filename: str = ""
) -> ImportResult:
    """Import one list from Excel: every row valid, or nothing written (ImportRejected)."""
    sheet = SHEETS[sheet_name]
    permission = "people.change" if sheet_name == "residents" else "geo.change"
    policy.require(actor.user, permission)
    rows = read_sheet(file, sheet.columns)
    scope = policy.committee_scope(actor.user)
    resolution = sheet.resolve(rows, scope)
    if resolution.errors:
        raise ImportRejected(sorted(resolution.errors, key=lambda e: (e.row, e.column)))
    created = updated = 0
    errors: list[RowError] = []
    with transaction.atomic():
        for area in resolution.extra.get("new_areas", []):
            area.save()
        protect = resolution.extra.get("protect", {})
        for number, obj in resolution.instances:
            if isinstance(obj, Resident):
                try:
                    _protect(obj, *protect.get(number, (None, None)))
                except IdentityNumberInvalid as exc:
                    errors.append(RowError(number, "身份证号", exc.message))
                    continue
            if obj.pk is None:
                created += 1
            else:
                updated += 1
            try:
                with transaction.atomic():
                    obj.save()
            except IntegrityError:
                errors.append(RowError(number, "-", "与已有数据冲突（重复）"))
        if errors:
            transaction.set_rollback(True)
        else:
            audit.record(
                actor,
                f"{sheet.model._meta.app_label}.{sheet.model._meta.model_name}.import",
                object_type=sheet.model._meta.label_lower,
                object_repr=filename[:200] or sheet_name,
                details={"created": created, "updated": updated, "rows": len(rows)},
            )
    if errors:
        raise ImportRejected(errors)
    return ImportResult(created, updated)


def reveal_allowed(user: Any, resident: Resident) -> bool:
    return policy.can(user, "people.view_identity") and policy.in_scope(user, resident.committee_id)
