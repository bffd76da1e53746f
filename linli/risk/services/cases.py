"""Hazard cases (隐患整改): one service per step of the lifecycle, each with its own permission,
its transaction, a history line and an audit record; ``rectification.transition`` decides what
is allowed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor
from linli.core.roles import Role
from linli.core.workcalendar import work_calendar

from .. import paper, rules
from .. import rectification as rect
from ..errors import (
    AlreadySigned,
    CaseRefused,
)
from ..models import (
    CaseEvent,
    Finding,
    HazardCase,
    Photo,
    Sample,
)
from ..queries import method_of
from .photos import check_photo


def do_open_cases(actor: Actor, sample: Sample, *, today: date | None = None) -> list[HazardCase]:
    """One graded case per finding of a submitted sample, with the default deadline."""
    method = method_of(sample.round.method)
    found_on = today or sample.inspected_on or timezone.localdate()
    made = []
    calendar = work_calendar()
    for f in Finding.objects.filter(check_item__sample=sample).select_related("check_item"):
        d = rect.default_deadlines(f.grade, found_on, calendar, method=method)
        made.append(
            HazardCase(
                finding=f,
                round_id=sample.round_id,
                committee_id=sample.committee_id,
                subunit=f.check_item.code,
                grade=f.grade,
                state=HazardCase.State.GRADED,
                found_on=found_on,
                due_on=d.rectify_due or d.plan_due,
                escalation=rect.escalation_level(f.grade, 0, method=method).value,
            )
        )
    HazardCase.objects.bulk_create(made)
    for case in made:
        CaseEvent.objects.create(
            case=case, action="grade", state=case.state, actor_name=actor.label[:150]
        )
    if made:
        audit.record(actor, "risk.case.open", sample, details={"cases": len(made)})
        paper.schedule_refresh(committee=[sample.committee_id])
    return made


def can_act_on(user: Any, case: HazardCase) -> bool:
    if not policy.can(user, "risk.rectify"):
        return False
    org = policy.organisation_scope(user)
    if policy.role_of(user) == Role.PARTNER:
        return org is not None and case.organisation_id == org
    return policy.in_scope(user, case.committee_id)


def signoff_party(user: Any) -> str | None:
    """Which sign-off a user gives: the committee's (committee staff) or the street's."""
    if not policy.can(user, "risk.signoff"):
        return None
    return "committee" if policy.role_of(user) == Role.COMMITTEE_STAFF else "street"


def _require_rectifier(user: Any, case: HazardCase) -> None:
    """The responsible side acts on a case: its committee's staff and the street, or the
    partner body the case is assigned to."""
    if not can_act_on(user, case):
        raise PermissionDenied("risk.rectify")


def _require_signoff(user: Any, case: HazardCase) -> str:
    party = signoff_party(user)
    if party is None or not policy.in_scope(user, case.committee_id):
        raise PermissionDenied("risk.signoff")
    return party


def _next_state(
    case: HazardCase,
    action: rect.Action,
    method: rules.Method,
    today: date,
    *,
    responsible: str = "",
    interim_measure: str = "",
    plan: Mapping[str, str] | None = None,
    evidence_photos: int = 0,
    reason: str = "",
    interim_control: str = "",
    review_on: date | None = None,
) -> str:
    """The state ``action`` leads to (``rectification.transition`` decides), or why not."""
    try:
        return rect.transition(
            case.state,
            action,
            grade=case.grade,
            responsible=responsible or case.responsible,
            interim_measure=interim_measure or case.interim_measure,
            plan=dict(plan or case.plan or {}),
            evidence_photos=evidence_photos,
            signoffs=list(case.signoffs),
            reason=reason,
            interim_control=interim_control,
            review_on=review_on,
            found_on=case.found_on,
            today=today,
            method=method,
        ).value
    except rect.TransitionError as exc:
        raise CaseRefused(_transition_message(str(exc))) from None


def _record_step(
    actor: Actor,
    case: HazardCase,
    action: rect.Action,
    details: dict[str, Any],
    *,
    photos: Sequence[Any] = (),
    note: str = "",
) -> None:
    """Inside the step's transaction: the case, its photos, its history line and the audit."""
    case.save()
    for p in photos:
        Photo.objects.create(case=case, image=p)
    CaseEvent.objects.create(
        case=case,
        action=action.value,
        state=case.state,
        actor_name=actor.label[:150],
        note=note[:300],
    )
    audit.record(actor, f"risk.case.{action.value}", case, details=details)
    paper.schedule_refresh(committee=[case.committee_id])


def do_assign_case(
    actor: Actor,
    case: HazardCase,
    *,
    responsible: str = "",
    organisation: Any = None,
    interim_measure: str = "",
    due_on: date | None = None,
    today: date | None = None,
) -> HazardCase:
    """交办: name the responsible party (or partner body), the interim measure and deadline.

    The street's managers assign any case they reach; committee staff assign their own."""
    user = actor.user
    if not (
        policy.can(user, "risk.manage")
        or (
            policy.can(user, "risk.rectify")
            and policy.role_of(user) == Role.COMMITTEE_STAFF
            and policy.in_scope(user, case.committee_id)
        )
    ):
        raise PermissionDenied("risk.rectify")
    today = today or timezone.localdate()
    who = responsible or (organisation.name if organisation else "")
    new_state = _next_state(
        case,
        rect.Action.ASSIGN,
        method_of(case.round.method),
        today,
        responsible=responsible or case.responsible or who,
        interim_measure=interim_measure,
    )
    details: dict[str, Any] = {"from": case.state, "to": new_state}
    with transaction.atomic():
        case.responsible = who
        case.organisation = organisation
        case.interim_measure = interim_measure
        if due_on:
            case.due_on = due_on
        details.update(responsible=case.responsible, due_on=str(case.due_on))
        case.state = new_state
        _record_step(actor, case, rect.Action.ASSIGN, details)
    return case


def do_start_rectification(
    actor: Actor,
    case: HazardCase,
    *,
    plan: Mapping[str, str] | None = None,
    today: date | None = None,
) -> HazardCase:
    """开始整改; an A-grade case needs its five-point plan (五落实), whose deadline becomes the
    case's."""
    _require_rectifier(actor.user, case)
    today = today or timezone.localdate()
    chosen = dict(plan or case.plan or {})
    new_state = _next_state(
        case, rect.Action.START, method_of(case.round.method), today, plan=chosen
    )
    details: dict[str, Any] = {"from": case.state, "to": new_state}
    with transaction.atomic():
        case.plan = chosen
        if case.grade == "A" and chosen.get("deadline"):
            try:
                case.due_on = date.fromisoformat(str(chosen["deadline"]))
            except ValueError:
                raise CaseRefused(_("方案整改期限须为日期 YYYY-MM-DD")) from None
        case.state = new_state
        _record_step(actor, case, rect.Action.START, details)
    return case


def do_request_reinspection(
    actor: Actor, case: HazardCase, *, photos: Sequence[Any] = (), today: date | None = None
) -> HazardCase:
    """申请复查 with photos of the rectified place; the re-inspection is due in working days."""
    _require_rectifier(actor.user, case)
    for p in photos:
        check_photo(p)
    today = today or timezone.localdate()
    method = method_of(case.round.method)
    new_state = _next_state(
        case, rect.Action.REQUEST_REINSPECTION, method, today, evidence_photos=len(photos)
    )
    details: dict[str, Any] = {"from": case.state, "to": new_state}
    with transaction.atomic():
        case.reinspection_due = rect.reinspection_due(today, work_calendar(), method=method)
        case.state = new_state
        _record_step(actor, case, rect.Action.REQUEST_REINSPECTION, details, photos=photos)
    return case


def do_sign_case(actor: Actor, case: HazardCase, *, today: date | None = None) -> HazardCase:
    """One party's sign-off (the committee's or the street's) on a case awaiting re-inspection."""
    user = actor.user
    party = _require_signoff(user, case)
    today = today or timezone.localdate()
    with transaction.atomic():
        # the stored case under a row lock: two taps (or two tabs) sign once, not twice
        locked = HazardCase.objects.select_for_update().get(pk=case.pk)
        case.state, case.signoffs = locked.state, locked.signoffs
        if case.state != HazardCase.State.REINSPECTION:
            raise CaseRefused(_("只有待复查的隐患可以签字"))
        if party in case.signoffs:
            raise AlreadySigned(_("您已签字，无需重复签字。"))
        by = str(user) if user is not None else actor.label
        case.signoffs = {**case.signoffs, party: {"by": by, "on": today.isoformat()}}
        case.save(update_fields=["signoffs"])
        CaseEvent.objects.create(
            case=case, action="sign", state=case.state, actor_name=actor.label[:150], note=party
        )
        audit.record(actor, "risk.case.sign", case, details={"party": party})
    return case


def do_approve_case(actor: Actor, case: HazardCase, *, today: date | None = None) -> HazardCase:
    """复查通过，销号: close the case (A and B need both sign-offs first)."""
    _require_signoff(actor.user, case)
    today = today or timezone.localdate()
    new_state = _next_state(case, rect.Action.APPROVE, method_of(case.round.method), today)
    details: dict[str, Any] = {"from": case.state, "to": new_state}
    with transaction.atomic():
        case.closed_on = today
        case.state = new_state
        _record_step(actor, case, rect.Action.APPROVE, details)
    return case


def do_reject_case(
    actor: Actor, case: HazardCase, *, reason: str, today: date | None = None
) -> HazardCase:
    """复查不通过，退回: back to rectification, sign-offs cleared; past its deadline the case
    counts one more overdue event and may escalate."""
    _require_signoff(actor.user, case)
    today = today or timezone.localdate()
    method = method_of(case.round.method)
    new_state = _next_state(case, rect.Action.REJECT, method, today, reason=reason)
    details: dict[str, Any] = {"from": case.state, "to": new_state, "reason": reason}
    with transaction.atomic():
        case.signoffs = {}
        if rect.is_overdue(case.due_on, today):
            case.overdue_count += 1
            case.escalation = rect.escalation_level(
                case.grade, case.overdue_count, case.escalation, method=method
            ).value
        case.state = new_state
        _record_step(actor, case, rect.Action.REJECT, details, note=reason)
    return case


def do_defer_case(
    actor: Actor,
    case: HazardCase,
    *,
    interim_control: str,
    review_on: date | None,
    today: date | None = None,
) -> HazardCase:
    """转长期管控: a case that cannot be fixed now, under a control measure until a review."""
    _require_rectifier(actor.user, case)
    today = today or timezone.localdate()
    new_state = _next_state(
        case,
        rect.Action.DEFER,
        method_of(case.round.method),
        today,
        interim_control=interim_control,
        review_on=review_on,
    )
    details: dict[str, Any] = {"from": case.state, "to": new_state}
    with transaction.atomic():
        case.interim_control = interim_control
        case.review_on = review_on
        case.state = new_state
        _record_step(actor, case, rect.Action.DEFER, details, note=interim_control)
    return case


def do_resume_case(actor: Actor, case: HazardCase, *, today: date | None = None) -> HazardCase:
    """恢复整改: a deferred case is worked on again."""
    _require_rectifier(actor.user, case)
    today = today or timezone.localdate()
    new_state = _next_state(case, rect.Action.RESUME, method_of(case.round.method), today)
    details: dict[str, Any] = {"from": case.state, "to": new_state}
    with transaction.atomic():
        case.state = new_state
        _record_step(actor, case, rect.Action.RESUME, details)
    return case


def do_close_case_on_spot(
    actor: Actor, case: HazardCase, *, photos: Sequence[Any] = (), today: date | None = None
) -> HazardCase:
    """当场整改销号: fixed on the day it was found, with a photo as evidence."""
    _require_rectifier(actor.user, case)
    for p in photos:
        check_photo(p)
    today = today or timezone.localdate()
    new_state = _next_state(
        case,
        rect.Action.CLOSE_ON_SPOT,
        method_of(case.round.method),
        today,
        evidence_photos=len(photos) + case.photos.count(),
    )
    details: dict[str, Any] = {"from": case.state, "to": new_state}
    with transaction.atomic():
        case.closed_on = today
        case.state = new_state
        _record_step(actor, case, rect.Action.CLOSE_ON_SPOT, details, photos=photos)
    return case


def _transition_message(text: str) -> str:
    table = {
        "a responsible party is required": _("请填写责任方"),
        "needs an interim measure": _("A、B 级隐患须填写 24 小时内的临时措施"),
        "needs a plan naming": _("A 级隐患须先有“五落实”方案：措施、资金、期限、责任人、应急预案"),
        "evidence photo": _("请上传至少一张整改后的照片"),
        "needs sign-off": _("A、B 级隐患销号须居委和街道双签字"),
        "a reason is required": _("请填写退回理由"),
        "interim control measure": _("请填写长期管控措施"),
        "review date": _("复核日期须晚于今天"),
        "only possible on the day": _("只能在发现当天当场销号"),
        "cannot": _("当前状态不能执行该操作"),
    }
    for key, message in table.items():
        if key in text:
            return str(message)
    return text
