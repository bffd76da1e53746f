"""Volunteers, their shifts and hours, corrections and certificates, as their leaders keep them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, crypto, policy
from linli.core.context import Actor
from linli.core.identity import check_id_number, mask_id_number, mask_phone

from ..errors import (
    AlreadyDone,
    CommunityError,
    NoHours,
    NotAllowed,
    WrongState,
)
from ..models import (
    Certificate,
    Correction,
    Event,
    HourRecord,
    ServiceOrder,
    Shift,
    TeamMember,
    Volunteer,
    VolunteerTeam,
)
from ._common import (
    ID_PURPOSE,
    PHONE_PURPOSE,
    _local,
    _require_reach,
    _street_for,
    _street_row_in_reach,
    _today,
    clean_phone,
)

# --- volunteers -------------------------------------------------------------------------------


def do_register_volunteer(
    actor: Actor,
    team: VolunteerTeam,
    name: str,
    phone: str,
    id_number: str = "",
    committee_id: int | None = None,
) -> Volunteer:
    policy.require(actor.user, "community.manage")
    street = _street_for(actor, committee_id, team.subdistrict_id)
    _require_reach(actor, committee_id, street)
    phone = clean_phone(phone)
    id_cipher = id_masked = ""
    if id_number:
        check = check_id_number(id_number)
        if not check.valid or check.number is None:
            raise CommunityError(_("身份证号无效。"), field="id_number")
        id_cipher = crypto.encrypt(check.number, ID_PURPOSE)
        id_masked = mask_id_number(check.number)
    with transaction.atomic():
        key = crypto.keyed_hash(phone, PHONE_PURPOSE)
        volunteer = Volunteer.objects.filter(
            phone_hash__in=crypto.keyed_hashes(phone, PHONE_PURPOSE)
        ).first()
        if volunteer is None:
            volunteer = Volunteer.objects.create(
                name=name.strip(), phone_hash=key,
                phone_cipher=crypto.encrypt(phone, PHONE_PURPOSE), phone_masked=mask_phone(phone),
                id_cipher=id_cipher, id_masked=id_masked, committee_id=committee_id,
                subdistrict_id=street, joined=_today(),
            )  # fmt: skip
        TeamMember.objects.get_or_create(
            team=team, volunteer=volunteer, defaults={"since": _today()}
        )
        audit.record(actor, "community.volunteer.register", volunteer, details={"team": team.pk})
    return volunteer


def _leader(actor: Actor) -> None:
    policy.require(actor.user, "community.manage")


def do_create_shift(
    actor: Actor,
    team: VolunteerTeam,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    event: Event | None = None,
    order: ServiceOrder | None = None,
) -> Shift:
    _leader(actor)
    if ends_at <= starts_at:
        raise CommunityError(_("结束时间须晚于开始时间。"), field="ends_at")
    with transaction.atomic():
        shift = Shift.objects.create(
            team=team, title=title, starts_at=starts_at, ends_at=ends_at, event=event,
            order=order, token=secrets.token_urlsafe(16),
        )  # fmt: skip
        audit.record(actor, "community.shift.create", shift)
    return shift


def do_scan_shift(actor: Actor, shift: Shift, volunteer: Volunteer) -> HourRecord:
    """QR check-in, then check-out: the minutes between, approved as recorded by the organiser."""
    policy.require(actor.user, "community.serve")
    now = timezone.now()
    with transaction.atomic():
        record = (
            HourRecord.objects.select_for_update().filter(shift=shift, volunteer=volunteer).first()
        )
        if record is None:
            record = HourRecord.objects.create(
                volunteer=volunteer, team=shift.team, shift=shift, on=_local(now).date(),
                content=shift.title, minutes=1, source=HourRecord.Source.QR,
                status=HourRecord.Status.PENDING, check_in=now,
            )  # fmt: skip
            audit.record(actor, "community.hours.check_in", record)
            return record
        if record.check_out is not None:
            raise AlreadyDone(_("本班次已签退。"))
        assert record.check_in is not None
        record.check_out = now
        record.minutes = max(1, min(24 * 60, int((now - record.check_in).total_seconds() // 60)))
        record.status = HourRecord.Status.APPROVED
        record.decided_by = actor.user
        record.save(update_fields=["check_out", "minutes", "status", "decided_by"])
        audit.record(
            actor, "community.hours.check_out", record, details={"minutes": record.minutes}
        )
    return record


def do_report_hours(
    actor: Actor,
    volunteer: Volunteer,
    team: VolunteerTeam,
    on: date,
    minutes: int,
    content: str,
    *,
    source: str = HourRecord.Source.SELF,
) -> HourRecord:
    """Self-reported hours (pending until the leader approves) or the leader's own entry."""
    policy.require(actor.user, "community.serve")
    return _report(actor, volunteer, team, on, minutes, content, source)


def _report(
    actor: Actor,
    volunteer: Volunteer,
    team: VolunteerTeam,
    on: date,
    minutes: int,
    content: str,
    source: str,
) -> HourRecord:
    if not TeamMember.objects.filter(team=team, volunteer=volunteer).exists():
        raise CommunityError(_("该志愿者不在本队伍。"), field="volunteer")
    if not 0 < minutes <= 24 * 60:
        raise CommunityError(_("时长须在 1 分钟到 24 小时之间。"), field="minutes")
    if on > _today():
        raise CommunityError(_("服务日期不能在将来。"), field="on")
    if not content.strip():
        raise CommunityError(_("请填写服务内容。"), field="content")
    with transaction.atomic():
        record = HourRecord.objects.create(
            volunteer=volunteer, team=team, on=on, minutes=minutes, content=content[:100],
            source=source,
            status=HourRecord.Status.APPROVED if source == HourRecord.Source.LEADER
            else HourRecord.Status.PENDING,
            decided_by=actor.user if source == HourRecord.Source.LEADER else None,
        )  # fmt: skip
        audit.record(actor, "community.hours.report", record, details={"source": source})
    return record


def do_decide_hours(actor: Actor, record: HourRecord, approve: bool, note: str = "") -> HourRecord:
    _leader(actor)
    _require_reach(actor, record.volunteer.committee_id, record.volunteer.subdistrict_id)
    if record.status != HourRecord.Status.PENDING:
        raise WrongState(_("该记录已审核。"))
    with transaction.atomic():
        record.status = HourRecord.Status.APPROVED if approve else HourRecord.Status.REJECTED
        record.decided_by, record.note = actor.user, note[:200]
        record.save(update_fields=["status", "decided_by", "note"])
        audit.record(actor, "community.hours.decide", record, details={"approve": approve})
    return record


def do_request_correction(
    actor: Actor, record: HourRecord, minutes: int, reason: str
) -> Correction:
    policy.require(actor.user, "community.serve")
    if not 0 < minutes <= 24 * 60 or not reason.strip():
        raise CommunityError(_("请填写正确的时长和理由。"), field="minutes")
    with transaction.atomic():
        corr = Correction.objects.create(
            record=record, minutes=minutes, reason=reason[:200], created=timezone.now()
        )
        audit.record(actor, "community.hours.correction", corr)
    return corr


def do_decide_correction(actor: Actor, corr: Correction, accept: bool) -> Correction:
    _leader(actor)
    volunteer = corr.record.volunteer
    _require_reach(actor, volunteer.committee_id, volunteer.subdistrict_id)
    if corr.status != Correction.Status.OPEN:
        raise WrongState(_("该申请已处理。"))
    with transaction.atomic():
        corr.status = Correction.Status.FIXED if accept else Correction.Status.REFUSED
        corr.save(update_fields=["status"])
        if accept:
            record = corr.record
            record.minutes = corr.minutes
            record.save(update_fields=["minutes"])
        audit.record(actor, "community.hours.correction_decide", corr, details={"fix": accept})
    return corr


def do_issue_certificate(actor: Actor, volunteer: Volunteer, team: VolunteerTeam) -> Certificate:
    """A certificate of the approved hours served with one team (民政部令第67号 fields)."""
    _leader(actor)
    _require_reach(actor, volunteer.committee_id, volunteer.subdistrict_id)
    approved = list(
        HourRecord.objects.filter(
            volunteer=volunteer, team=team, status=HourRecord.Status.APPROVED
        ).order_by("on")
    )
    if not approved:
        raise NoHours(_("没有已认定的服务时长。"))
    minutes = sum(r.minutes for r in approved)
    contents = sorted({r.content for r in approved})
    today = _today()
    with transaction.atomic():
        # Numbered per street and year ("310104004-2026-00001"): every street's centre keeps
        # its own register; a team without a street numbers under "LL".
        street = team.subdistrict.code if team.subdistrict is not None else "LL"
        prefix = f"{street}-{today:%Y}-"
        last = Certificate.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
        seq = int(last[len(prefix) :]) + 1 if last else 1
        cert = Certificate.objects.create(
            number=f"{prefix}{seq:05d}", volunteer=volunteer, team=team, minutes=minutes,
            content="、".join(contents)[:1000], issued_on=today, issued_by=actor.user,
        )  # fmt: skip
        audit.record(actor, "community.certificate.issue", cert, details={"minutes": minutes})
    return cert


@dataclass(frozen=True)
class RevealedVolunteer:
    phone: str
    id_number: str


def do_reveal_volunteer(actor: Actor, volunteer: Volunteer, purpose: str) -> RevealedVolunteer:
    """A volunteer's full phone and identity number, as for residents: a role holding
    ``people.view_identity`` in scope, a stated purpose, and an audit record either way."""
    in_reach = policy.in_scope(actor.user, volunteer.committee_id) and (
        volunteer.committee_id is not None
        or _street_row_in_reach(actor.user, volunteer.subdistrict_id)
    )
    if not policy.can(actor.user, "people.view_identity") or not in_reach:
        audit.record(actor, "community.volunteer.reveal", volunteer, outcome="denied")
        raise NotAllowed(_("无权查看完整手机号和身份证号。"))
    if not purpose.strip():
        raise CommunityError(_("请说明查看目的。"), field="purpose")
    audit.record(actor, "community.volunteer.reveal", volunteer, details={"purpose": purpose[:100]})
    return RevealedVolunteer(
        phone=crypto.decrypt(volunteer.phone_cipher, PHONE_PURPOSE),
        id_number=crypto.decrypt(volunteer.id_cipher, ID_PURPOSE) if volunteer.id_cipher else "",
    )
