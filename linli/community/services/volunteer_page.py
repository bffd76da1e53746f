"""The volunteer's own phone page: personal code, self check-in, own hours and corrections."""

from __future__ import annotations

import secrets
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, crypto, ratelimit
from linli.core.context import Actor

from ..errors import (
    AlreadyDone,
    CommunityError,
    CorrectionOpen,
    NotAllowed,
    NotMember,
    NotNow,
    VolunteerAccessDenied,
    VolunteerLocked,
)
from ..models import (
    Correction,
    HourRecord,
    Shift,
    TeamMember,
    Volunteer,
    VolunteerTeam,
)
from ._common import CHECKIN_EARLY, CHECKIN_LATE, _local, _manage
from .volunteers import _report

# --- the volunteer's own phone page -----------------------------------------------------------

VOLUNTEER_CODE_PURPOSE = "community.volunteer_code"
VOLUNTEER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
VOLUNTEER_LOCK_AFTER = 5  # wrong phone tails from one address before the code locks there
VOLUNTEER_LOCK_MINUTES = 30
SELF_SCAN_NOTE = "本人扫码，待队长确认"


def normalise_volunteer_code(code: str) -> str:
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}"


def do_issue_volunteer_code(actor: Actor, volunteer: Volunteer) -> str:
    """A new personal code for the volunteer's own page (the old one stops working).

    Shown once to the leader, who hands it over; only its keyed hash is kept.
    """
    _manage(actor, volunteer.committee_id, volunteer.subdistrict_id)
    with transaction.atomic():
        for _attempt in range(5):
            raw = "".join(secrets.choice(VOLUNTEER_CODE_ALPHABET) for _ in range(8))
            code = normalise_volunteer_code(raw)
            digest = crypto.keyed_hash(code, VOLUNTEER_CODE_PURPOSE)
            if not Volunteer.objects.filter(code_hash=digest).exists():
                break
        volunteer.code_hash = digest
        volunteer.save(update_fields=["code_hash"])
        audit.record(actor, "community.volunteer.code", volunteer)
    return code


def do_log_in_volunteer(code: str, tail: str, *, address: str = "") -> Volunteer:
    """Personal code plus the last four digits of the phone opens the volunteer's own page.

    As for lift owners: an unknown code reveals nothing (callers throttle by address); a known
    code with a wrong tail counts against that code from that address and locks there after a
    few tries, so nobody who knows a code can lock its volunteer out. Each outcome is audited.
    """
    digest = crypto.keyed_hash(normalise_volunteer_code(code), VOLUNTEER_CODE_PURPOSE)
    actor = Actor(None, address[:100], "volunteer")
    problem = ""
    with transaction.atomic():
        volunteer = Volunteer.objects.filter(code_hash=digest).first()
        if volunteer is None:
            raise VolunteerAccessDenied(_("个人码或手机号后四位不正确。"))
        tries = f"community-volunteer-tail:{volunteer.pk}:{address}"
        given = (tail or "").strip()
        if ratelimit.exceeded(tries, VOLUNTEER_LOCK_AFTER):
            problem = "locked"
        elif not (given.isdigit() and secrets.compare_digest(given, volunteer.phone_masked[-4:])):
            problem = "wrong"
            ratelimit.hit(tries, VOLUNTEER_LOCK_MINUTES * 60)
        else:
            ratelimit.reset(tries)
        audit.record(
            actor, "community.volunteer.login", volunteer,
            object_repr=f"volunteer {volunteer.pk}", outcome="denied" if problem else "ok",
        )  # fmt: skip
    if problem == "locked":
        raise VolunteerLocked(_("尝试次数过多，请 30 分钟后再试，或联系队长。"))
    if problem:
        raise VolunteerAccessDenied(_("个人码或手机号后四位不正确。"))
    return volunteer


def volunteer_actor(volunteer: Volunteer, terminal: str = "") -> Actor:
    """The audit identity of a volunteer acting on their own page (no account)."""
    return Actor(None, terminal[:100], f"volunteer:{volunteer.pk}")


def do_scan_own_shift(actor: Actor, volunteer: Volunteer, shift: Shift) -> HourRecord:
    """The volunteer scans the shift's QR posted at the place: check in, then check out.

    The minutes between are recorded with the source QR and wait for the leader's
    confirmation (the organiser records and certifies: 谁组织谁记录). The door is open from
    an hour before the start to an hour after the end.
    """
    if not TeamMember.objects.filter(team_id=shift.team_id, volunteer=volunteer).exists():
        raise NotMember(_("您不在本班次的队伍中。"))
    now = timezone.now()
    if not (shift.starts_at - CHECKIN_EARLY <= now <= shift.ends_at + CHECKIN_LATE):
        raise NotNow(_("不在本班次的签到时间内。"))
    with transaction.atomic():
        record = (
            HourRecord.objects.select_for_update().filter(shift=shift, volunteer=volunteer).first()
        )
        if record is None:
            record = HourRecord.objects.create(
                volunteer=volunteer, team_id=shift.team_id, shift=shift, on=_local(now).date(),
                content=shift.title, minutes=1, source=HourRecord.Source.QR,
                status=HourRecord.Status.PENDING, check_in=now, note=SELF_SCAN_NOTE,
            )  # fmt: skip
            audit.record(actor, "community.hours.self_check_in", record)
            return record
        if record.check_out is not None:
            raise AlreadyDone(_("本班次已签退。"))
        assert record.check_in is not None
        record.check_out = now
        record.minutes = max(1, min(24 * 60, int((now - record.check_in).total_seconds() // 60)))
        record.save(update_fields=["check_out", "minutes"])
        audit.record(
            actor, "community.hours.self_check_out", record, details={"minutes": record.minutes}
        )
    return record


def do_report_own_hours(
    actor: Actor, volunteer: Volunteer, team: VolunteerTeam, on: date, minutes: int, content: str
) -> HourRecord:
    """Hours the volunteer reports on their own page: pending until the leader approves."""
    return _report(actor, volunteer, team, on, minutes, content, HourRecord.Source.SELF)


def do_request_own_correction(
    actor: Actor, volunteer: Volunteer, record: HourRecord, minutes: int, reason: str
) -> Correction:
    """A volunteer asks for one of their own records to be corrected (民政部令第67号)."""
    if record.volunteer_id != volunteer.pk:
        raise NotAllowed(_("只能申请更正本人的记录。"))
    if not 0 < minutes <= 24 * 60:
        raise CommunityError(_("时长须在 1 分钟到 24 小时之间。"), field="minutes")
    if not reason.strip():
        raise CommunityError(_("请写明更正理由。"), field="reason")
    if record.corrections.filter(status=Correction.Status.OPEN).exists():
        raise CorrectionOpen(_("这条记录已有待核实的更正申请。"))
    with transaction.atomic():
        corr = Correction.objects.create(
            record=record, minutes=minutes, reason=reason.strip()[:200], created=timezone.now()
        )
        audit.record(actor, "community.hours.correction", corr, details={"by": "volunteer"})
    return corr
