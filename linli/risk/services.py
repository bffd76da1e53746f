"""Every change of risk data goes through here: permission, transaction, audit.

``rescore`` is the one writer of ``Score`` rows: it rebuilds a committee's stored results from
its submitted samples with the pure engine (``rules.score_committee``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor
from linli.core.roles import Role
from linli.core.workcalendar import work_calendar
from linli.geo.models import Building, Committee, HousingType
from linli.notices import services as notices

from . import paper, rules, sampling
from . import rectification as rect
from .errors import (
    AlreadySigned,
    CaseRefused,
    InspectionRejected,
    MethodRejected,
    PhotoRejected,
    RoundRejected,
    SampleLocked,
)
from .models import (
    CaseEvent,
    Check,
    Finding,
    HazardCase,
    MethodVersion,
    Photo,
    Round,
    Sample,
    Score,
)
from .queries import method_of
from .sheets import RESULTS

PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
PHOTO_MAX_BYTES = 8 * 1024 * 1024


# --------------------------------------------------------------------------- methods


def copy_method(actor: Actor, base: MethodVersion, version: str, title: str) -> MethodVersion:
    policy.require(actor.user, "risk.manage")
    if MethodVersion.objects.filter(version=version).exists():
        raise MethodRejected(_("版本号已存在"), field="version")
    data = dict(base.data)
    data["version"] = version
    with transaction.atomic():
        mv = MethodVersion.objects.create(version=version, title=title, data=data, based_on=base)
        audit.record(actor, "risk.method.copy", mv, details={"based_on": base.version})
    return mv


def edit_method(actor: Actor, mv: MethodVersion, text: str) -> MethodVersion:
    """Replace a version's data with edited JSON; refused once a round uses the version."""
    policy.require(actor.user, "risk.manage")
    if mv.rounds.exists():
        raise MethodRejected(_("该版本已被评估轮次使用，不能修改；请复制为新版本。"))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MethodRejected(
            _("JSON 格式错误：第 %(line)s 行 %(col)s 列") % {"line": exc.lineno, "col": exc.colno}
        ) from None
    if not isinstance(data, dict):
        raise MethodRejected(_("方法数据必须是 JSON 对象"))
    data["version"] = mv.version
    try:
        rules.load_method(data)
    except rules.MethodError as exc:
        raise MethodRejected(str(exc)) from None
    with transaction.atomic():
        mv.data = data
        mv.save(update_fields=["data"])
        audit.record(actor, "risk.method.edit", mv)
    return mv


# --------------------------------------------------------------------------- rounds


def create_round(
    actor: Actor,
    *,
    name: str,
    method: MethodVersion,
    committees: Iterable[Committee],
    samples_per_committee: int = 3,
    seed: str = "",
    assessor: str = "",
) -> Round:
    policy.require(actor.user, "risk.manage")
    rules.load_method(method.data)
    chosen = list(committees)
    if not chosen:
        raise RoundRejected(_("请至少选择一个居委"), field="committees")
    for committee in chosen:
        policy.require_in_scope(actor.user, committee.pk)
    with transaction.atomic():
        rnd = Round.objects.create(
            name=name,
            method=method,
            samples_per_committee=samples_per_committee,
            seed=seed or secrets.token_hex(16),
            assessor=assessor,
        )
        rnd.committees.set(chosen)
        audit.record(
            actor,
            "risk.round.create",
            rnd,
            details={
                "method": method.version,
                "committees": [c.code for c in chosen],
                "samples_per_committee": samples_per_committee,
                "seed": rnd.seed,
            },
        )
    return rnd


def draw_round(actor: Actor, rnd: Round) -> list[Sample]:
    """Stratified draw (sampling.draw) per committee; seed and frame stored on each sample."""
    policy.require(actor.user, "risk.manage")
    if rnd.status != Round.Status.DRAFT:
        raise RoundRejected(_("本轮已抽样"))
    method = method_of(rnd.method)
    labels = dict(HousingType.choices)
    committees = list(rnd.committees.order_by("code"))
    buildings: dict[int, list[Building]] = {}
    for b in Building.objects.filter(committee__in=committees).only(
        "id", "committee_id", "housing_type"
    ):
        buildings.setdefault(b.committee_id, []).append(b)
    made: list[Sample] = []
    summary: dict[str, list[str]] = {}
    with transaction.atomic():
        for committee in committees:
            frame = [
                (str(b.pk), str(labels.get(b.housing_type, b.housing_type)))
                for b in buildings.get(committee.pk, [])
            ]
            if not frame:
                raise RoundRejected(_("%(c)s 没有楼栋，无法抽样") % {"c": committee.name})
            result = sampling.draw(
                frame,
                rnd.samples_per_committee,
                seed=sampling.committee_seed(rnd.seed, committee.code),
            )
            record = result.to_record()
            strata = {c.id: c.stratum for c in result.frame}
            for i, bid in enumerate(result.selected_ids, start=1):
                made.append(
                    Sample(
                        round=rnd,
                        committee=committee,
                        building_id=int(bid),
                        label=f"S{i}",
                        stratum=strata[bid],
                        draw_record=record,
                    )
                )
            summary[committee.code] = list(result.selected_ids)
        Sample.objects.bulk_create(made)
        Check.objects.bulk_create(
            [Check(sample=s, code=code) for s in made for code in method.subunit_codes]
        )
        rnd.status = Round.Status.DRAWN
        rnd.drawn_at = timezone.now()
        rnd.save(update_fields=["status", "drawn_at"])
        audit.record(
            actor,
            "risk.round.draw",
            rnd,
            details={
                "algorithm": sampling.ALGORITHM,
                "seed": rnd.seed,
                "selected": summary,
            },
        )
    return made


def assign_inspector(actor: Actor, sample: Sample, inspector: Any) -> Sample:
    policy.require(actor.user, "risk.manage")
    policy.require_in_scope(actor.user, sample.committee_id)
    if inspector is not None and inspector.role != Role.INSPECTOR:
        raise InspectionRejected(_("只能指派检查员"))
    if sample.locked:
        raise SampleLocked(_("样本已提交，不能改派"))
    with transaction.atomic():
        sample.inspector = inspector
        sample.save(update_fields=["inspector"])
        audit.record(
            actor,
            "risk.sample.assign",
            sample,
            details={"inspector": inspector.username if inspector else None},
        )
    return sample


# --------------------------------------------------------------------------- inspection


def _require_inspector(actor: Actor, sample: Sample) -> None:
    policy.require(actor.user, "risk.inspect")
    if actor.user is None or sample.inspector_id != actor.user.pk:
        raise PermissionDenied("not your sample")
    if sample.locked:
        raise SampleLocked(_("样本已提交，已锁定"))


def set_status(actor: Actor, sample: Sample, code: str, status: str) -> Check:
    """Mark a sub-unit clean, NA or open. A sub-unit with findings keeps them unless NA/clean
    is chosen, which is refused while findings exist (delete them first)."""
    _require_inspector(actor, sample)
    check = sample.checks.get(code=code)
    if status not in (Check.Status.CLEAN, Check.Status.NA, Check.Status.OPEN):
        raise InspectionRejected(_("无效的检查结果"))
    if check.findings.exists():
        raise InspectionRejected(
            _("%(code)s 已记录问题；如需改为无问题或不适用，请先删除问题。") % {"code": code}
        )
    with transaction.atomic():
        check.status = status
        check.save(update_fields=["status"])
        if sample.inspected_on is None:
            sample.inspected_on = timezone.localdate()
            sample.save(update_fields=["inspected_on"])
        audit.record(actor, "risk.check.set", check, details={"status": status})
    return check


def save_statuses(actor: Actor, sample: Sample, statuses: Mapping[str, str]) -> int:
    """Save the clean/NA choices of several sub-units at once (one unit's page)."""
    _require_inspector(actor, sample)
    checks = {c.code: c for c in sample.checks.all()}
    with_findings = set(
        Finding.objects.filter(check_item__sample=sample).values_list("check_item__code", flat=True)
    )
    changed = {}
    with transaction.atomic():
        for code, status in statuses.items():
            check = checks.get(code)
            if check is None or code in with_findings or status == check.status:
                continue
            if status not in (Check.Status.CLEAN, Check.Status.NA, Check.Status.OPEN):
                continue
            check.status = status
            check.save(update_fields=["status"])
            changed[code] = status
        if changed:
            if sample.inspected_on is None:
                sample.inspected_on = timezone.localdate()
                sample.save(update_fields=["inspected_on"])
            audit.record(actor, "risk.check.set", sample, details={"statuses": changed})
    return len(changed)


def check_photo(upload: Any) -> None:
    if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
        raise PhotoRejected(_("照片不能超过 8 MB"), code="photo_too_large", field="photos")
    if (upload.content_type or "") not in PHOTO_TYPES:
        message = _("照片只能是 JPEG、PNG 或 WebP")
        raise PhotoRejected(message, code="photo_type", field="photos")
    from PIL import Image

    from linli.core.images import pixels_error

    too_big = pixels_error(upload)
    if too_big:
        raise PhotoRejected(too_big, code="photo_pixels", field="photos")
    try:
        with Image.open(upload) as img:
            img.verify()
    except Exception:
        raise PhotoRejected(
            _("照片文件无法识别"), code="photo_unreadable", field="photos"
        ) from None
    upload.seek(0)


def add_finding(
    actor: Actor,
    sample: Sample,
    code: str,
    *,
    likelihood: int,
    severity_reason: str = "",
    description: str,
    location: str = "",
    rule_breached: str = "",
    major_fire_hazard: bool = False,
    photos: Sequence[Any] = (),
) -> Finding:
    """Record a finding: S is the sub-unit's S0, raised once (+1, max 5) when a reason is given."""
    _require_inspector(actor, sample)
    method = method_of(sample.round.method)
    if code not in method.subunit_codes:
        raise InspectionRejected(_("未知子单元 %(code)s") % {"code": code})
    if not 1 <= int(likelihood) <= 5:
        raise InspectionRejected(_("可能性 L 必须是 1–5"), field="likelihood")
    reasons = [severity_reason] if severity_reason else []
    if severity_reason and severity_reason not in {r.code for r in method.severity_reasons}:
        raise InspectionRejected(_("未知的严重性上调理由"), field="severity_reason")
    severity = rules.adjusted_severity(method, code, reasons)
    grade = rules.finding_grade(method, rules.Finding(int(likelihood), severity, major_fire_hazard))
    for p in photos:
        check_photo(p)
    check = sample.checks.get(code=code)
    with transaction.atomic():
        position = check.findings.count() + 1
        finding = Finding.objects.create(
            check_item=check,
            position=position,
            likelihood=int(likelihood),
            severity=severity,
            severity_reason=severity_reason,
            description=description,
            location=location,
            rule_breached=rule_breached,
            major_fire_hazard=major_fire_hazard,
            grade=grade,
        )
        for p in photos:
            Photo.objects.create(finding=finding, image=p)
        if check.status != Check.Status.FINDINGS:
            check.status = Check.Status.FINDINGS
            check.save(update_fields=["status"])
        if sample.inspected_on is None:
            sample.inspected_on = timezone.localdate()
            sample.save(update_fields=["inspected_on"])
        audit.record(
            actor,
            "risk.finding.add",
            finding,
            details={
                "sample": sample.pk,
                "subunit": code,
                "L": finding.likelihood,
                "S": severity,
                "major_fire_hazard": major_fire_hazard,
                "grade": grade,
                "photos": len(photos),
            },
        )
    return finding


def delete_finding(actor: Actor, finding: Finding) -> None:
    check = finding.check_item
    _require_inspector(actor, check.sample)
    with transaction.atomic():
        audit.record(actor, "risk.finding.delete", finding, details={"subunit": check.code})
        finding.delete()
        if not check.findings.exists():
            check.status = Check.Status.OPEN
            check.save(update_fields=["status"])


def sample_input(method: rules.Method, sample: Sample) -> rules.SampleInput:
    """The engine's input for a sample (checks and findings prefetched)."""
    subunits: dict[str, Any] = {}
    for check in sample.checks.all():
        if check.status == Check.Status.NA:
            subunits[check.code] = rules.NA
        else:
            found = [
                rules.Finding(f.likelihood, f.severity, f.major_fire_hazard)
                for f in check.findings.all()
            ]
            if found:
                subunits[check.code] = found
    return rules.SampleInput(sample.label, subunits)


def submit_sample(actor: Actor, sample: Sample, *, today: date | None = None) -> Sample:
    """Lock the sample, score its committee and open a hazard case per finding."""
    _require_inspector(actor, sample)
    open_codes = list(sample.checks.filter(status=Check.Status.OPEN).values_list("code", flat=True))
    if open_codes:
        raise InspectionRejected(
            _("还有 %(n)s 个子单元未检查：%(codes)s")
            % {"n": len(open_codes), "codes": "、".join(open_codes[:8])}
        )
    method = method_of(sample.round.method)
    loaded = Sample.objects.prefetch_related("checks__findings").get(pk=sample.pk)
    try:
        rules.score_sample(method, sample_input(method, loaded))
    except rules.ScoringError as exc:
        raise InspectionRejected(str(exc)) from None
    with transaction.atomic():
        sample.state = Sample.State.SUBMITTED
        sample.submitted_at = timezone.now()
        sample.inspected_on = sample.inspected_on or timezone.localdate()
        sample.save(update_fields=["state", "submitted_at", "inspected_on"])
        audit.record(actor, "risk.sample.submit", sample)
        open_cases(actor, sample, today=today)
        rescore(actor, sample.round, sample.committee)
        rnd = sample.round
        if not rnd.samples.exclude(state=Sample.State.SUBMITTED).exists():
            rnd.status = Round.Status.FINISHED
            rnd.save(update_fields=["status"])
            audit.record(actor, "risk.round.finish", rnd)
    return sample


# --------------------------------------------------------------------------- scoring


def _dec(value: Any) -> Decimal:
    return rules.round_half_up(value, 2)


def _cents(value: Fraction) -> int:
    """``round_half_up(value, 2)`` × 100 for the non-negative values of scoring, in integers."""
    n, d = value.numerator, value.denominator
    return (200 * n + d) // (2 * d)


def _cents_text(cents: int) -> str:
    """A non-negative value in hundredths as the database reads it (1234 → "12.34")."""
    return f"{cents // 100}.{cents % 100:02d}"


def rescore(actor: Actor, rnd: Round, committee: Committee) -> rules.CommitteeResult | None:
    """Recompute and store a committee's results from its submitted samples (the one writer)."""
    method = method_of(rnd.method)
    samples = list(
        Sample.objects.filter(round=rnd, committee=committee, state=Sample.State.SUBMITTED)
        .prefetch_related("checks__findings")
        .order_by("label")
    )
    old = Score.objects.filter(round=rnd, committee=committee, sample=None, unit="").first()
    with transaction.atomic():
        Score.objects.filter(round=rnd, committee=committee).delete()
        if not samples:
            return None
        inputs = [sample_input(method, s) for s in samples]
        result = rules.score_committee(method, inputs, committee=committee.name)
        rows = [
            Score(
                round=rnd,
                committee=committee,
                unit="",
                value=_dec(result.value),
                grade=result.grade,
                band_grade=result.band_grade,
            )
        ]
        for code, u in result.units.items():
            if u is not None:
                rows.append(
                    Score(
                        round=rnd,
                        committee=committee,
                        unit=code,
                        value=_dec(u.value),
                        grade=u.grade,
                        band_grade=u.band_grade,
                    )
                )
        for s, sr in zip(samples, result.samples, strict=True):
            rows.append(
                Score(
                    round=rnd,
                    committee=committee,
                    sample=s,
                    unit="",
                    value=_dec(sr.value),
                    grade=sr.grade,
                    band_grade=sr.grade,
                )
            )
            for code, u in sr.units.items():
                if u is not None:
                    rows.append(
                        Score(
                            round=rnd,
                            committee=committee,
                            sample=s,
                            unit=code,
                            value=_dec(u.value),
                            grade=u.grade,
                            band_grade=u.band_grade,
                        )
                    )
        Score.objects.bulk_create(rows)
        paper.schedule_refresh(committee=[committee.pk])  # bulk writes send no signals
        new = (str(_dec(result.value)), result.grade)
        before = (str(old.value), old.grade) if old else None
        if before != new:
            audit.record(
                actor,
                "risk.grade",
                committee,
                details={
                    "round": rnd.name,
                    "method": method.version,
                    "samples": len(samples),
                    "before": before,
                    "value": new[0],
                    "grade": new[1],
                },
            )
    return result


# --------------------------------------------------------------------------- hazard cases


def open_cases(actor: Actor, sample: Sample, *, today: date | None = None) -> list[HazardCase]:
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


def refresh_escalation(actor: Actor, today: date | None = None) -> int:
    """Count a new overdue event for open cases past their deadline (run daily); escalate."""
    policy.require(actor.user, "risk.manage")
    return len(escalate_overdue(actor, today or timezone.localdate()))


def escalate_overdue(actor: Actor, today: date) -> list[HazardCase]:
    """Escalate (督办) open cases newly past their deadline and tell who supervises them.

    The one escalation path: the cases page's button (``refresh_escalation``, which checks the
    permission) and the daily schedule (``send_hazard_reminders``) both come here.
    """
    escalated = []
    with transaction.atomic():
        for case in (
            HazardCase.objects.select_related("round__method", "committee", "finding")
            .exclude(state__in=[HazardCase.State.CLOSED, HazardCase.State.DEFERRED])
            .filter(due_on__lt=today, overdue_count=0)
        ):
            method = method_of(case.round.method)
            case.overdue_count = 1
            case.escalation = rect.escalation_level(
                case.grade, 1, case.escalation, method=method
            ).value
            case.save(update_fields=["overdue_count", "escalation"])
            escalated.append(case)
        if escalated:
            audit.record(
                actor,
                "risk.case.escalate",
                details={"cases": len(escalated), "on": today.isoformat()},
                object_type="risk.hazardcase",
            )
            _notify_overdue(escalated, today)
    return escalated


# --------------------------------------------------------------------------- reminders


def _hazard_label(case: HazardCase) -> str:
    text = f"{case.committee.name} {case.subunit} {case.finding.description}"
    return text if len(text) <= 60 else text[:59] + "…"


def _case_url(case: HazardCase) -> str:
    return f"/risk/cases/{case.pk}/"


def _notify_overdue(cases: Sequence[HazardCase], today: date) -> None:
    """Overdue: the responsible unit and the street's safety office (the case is escalated)."""
    from . import queries

    supervisors = queries.safety_department()
    for case in cases:
        assert case.due_on is not None
        params = {
            "hazard": _hazard_label(case),
            "due": case.due_on.isoformat(),
            "days": str((today - case.due_on).days),
            "url": _case_url(case),
        }
        key = f"risk.hazard_overdue:{case.pk}:{case.due_on.isoformat()}"
        notices.send_to_unit(
            "risk.hazard_overdue", params, key=key,
            committee=case.committee_id, partner=case.organisation_id,
        )  # fmt: skip
        for user in supervisors:
            notices.send("risk.hazard_overdue", params, key=key, user=user)


def send_hazard_reminders(today: date | None = None) -> dict[str, int]:
    """The daily schedule: escalate overdue cases (and say so), and remind the responsible
    unit (committee, and the partner body the case is assigned to) 3 working days before a
    rectification deadline and on the day. Each reminder is keyed by case and deadline, so a
    re-run sends nothing twice and a moved deadline is reminded afresh."""
    from . import queries

    today = today or timezone.localdate()
    counts = {"due": 0, "today": 0, "overdue": 0}
    with transaction.atomic():
        counts["overdue"] = len(escalate_overdue(Actor.system("risk reminders"), today))
        calendar = work_calendar()
        horizon = rect.reminder_horizon(today, calendar)
        for case in queries.cases_due_by(today, horizon):
            stage = rect.deadline_reminder(case.due_on, today, calendar)
            if stage is None or case.due_on is None:
                continue
            due = case.due_on.isoformat()
            if stage is rect.DeadlineReminder.TODAY:
                kind, params = "risk.hazard_today", {"hazard": _hazard_label(case)}
            else:
                kind, params = "risk.hazard_due", {"hazard": _hazard_label(case), "due": due}
            params["url"] = _case_url(case)
            notices.send_to_unit(
                kind, params, key=f"{kind}:{case.pk}:{due}",
                committee=case.committee_id, partner=case.organisation_id,
            )  # fmt: skip
            counts[stage.value] += 1
    return counts


def _merge_scores(round_id: int, rows: list[tuple[Any, ...]]) -> tuple[int, set[int]]:
    """Make the round's stored scores equal to ``rows`` (round, committee, sample, unit, value in
    hundredths, grade, band grade), writing only what changed.

    The stored scores are read once (their key and values, in no particular order) and compared
    in Python; then, in bulk, only the changed values are updated by primary key, rows no longer
    produced are deleted and new ones inserted. A re-run with nothing changed writes nothing.
    Returns the number of rows written (updated + inserted + deleted) and the committees whose
    scores changed.
    """
    table = connection.ops.quote_name(Score._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, committee_id, sample_id, unit, CAST(ROUND(value * 100) AS integer), grade,"
            f" band_grade FROM {table} WHERE round_id = %s",
            [round_id],
        )
        stored = {(c, s, u): (pk, v, g, b) for pk, c, s, u, v, g, b in cursor.fetchall()}
    changed: list[tuple[Any, ...]] = []
    new: list[tuple[Any, ...]] = []
    touched: set[int] = set()
    for row in rows:
        old = stored.pop((row[1], row[2], row[3]), None)
        if old is None:
            new.append(row)
            touched.add(row[1])
        elif (old[1], old[2], old[3]) != (row[4], row[5], row[6]):
            changed.append((old[0], _cents_text(row[4]), row[5], row[6]))
            touched.add(row[1])
    new = [(*row[:4], _cents_text(row[4]), *row[5:]) for row in new]
    gone = [old[0] for old in stored.values()]
    touched.update(key[0] for key in stored)
    if not (changed or new or gone):
        return 0, touched
    columns = "round_id, committee_id, sample_id, unit, value, grade, band_grade"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Scores are derived data, recomputable at any time: no need to wait for the WAL.
            cursor.execute("SET LOCAL synchronous_commit = off")
            if changed:
                cursor.execute(
                    "CREATE TEMPORARY TABLE risk_score_changed (id bigint, value numeric,"
                    " grade varchar(1), band_grade varchar(1)) ON COMMIT DROP"
                )
                _copy(cursor, "risk_score_changed (id, value, grade, band_grade)", changed)
                cursor.execute(
                    f"UPDATE {table} s SET value = t.value, grade = t.grade,"
                    " band_grade = t.band_grade FROM risk_score_changed t WHERE s.id = t.id"
                )
                cursor.execute("DROP TABLE risk_score_changed")
            if gone:
                cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [gone])
            if new:
                _copy(cursor, f"{table} ({columns})", new)
        else:
            cursor.executemany(
                f"UPDATE {table} SET value = %s, grade = %s, band_grade = %s WHERE id = %s",
                [(v, g, b, pk) for pk, v, g, b in changed],
            )
            for start in range(0, len(gone), 500):
                chunk = gone[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)
            sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            for start in range(0, len(new), 20000):
                cursor.executemany(sql, new[start : start + 20000])
    return len(changed) + len(new) + len(gone), touched


def _copy(cursor: Any, target: str, rows: list[tuple[Any, ...]]) -> None:
    """``COPY target FROM STDIN`` of plain values (numbers, short codes, None → NULL)."""
    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for start in range(0, len(rows), 20000):
            copy.write(
                "".join(
                    "\t".join("\\N" if v is None else str(v) for v in row) + "\n"
                    for row in rows[start : start + 20000]
                ).encode()
            )


def default_version() -> MethodVersion:
    """The shipped ``linli-2026`` as a stored version (loaded by migration; restored if missing)."""
    method_file = rules.default_method().version
    mv = MethodVersion.objects.filter(version=method_file).first()
    if mv is None:
        from pathlib import Path

        path = Path(__file__).resolve().parent / "methods" / f"{method_file}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        mv = MethodVersion.objects.create(
            version=data["version"], title=data["title_zh"], data=data
        )
    return mv


# --------------------------------------------------------------------------- offline checklist


def checklist_rows(sample: Sample) -> list[list[Any]]:
    """The Excel template of a sample: one row per sub-unit, plus one per extra finding."""
    method = method_of(sample.round.method)
    labels = {v: k for k, v in RESULTS.items()}
    checks = {c.code: c for c in sample.checks.prefetch_related("findings")}
    reasons = {r.code: r.name_zh for r in method.severity_reasons}
    rows: list[list[Any]] = []
    for s in method.subunits:
        check = checks.get(s.code)
        status = check.status if check else "open"
        head = [s.code, s.name_zh, s.check_zh, s.s0]
        found = list(check.findings.all()) if check else []
        if not found:
            rows.append([*head, labels[status], "", "", "", "", "", ""])
        for f in found:
            rows.append(
                [
                    *head,
                    labels["findings"],
                    f.likelihood,
                    reasons.get(f.severity_reason, ""),
                    f.description,
                    f.location,
                    f.rule_breached,
                    "是" if f.major_fire_hazard else "否",
                ]
            )
    return rows


def import_checklist(actor: Actor, sample: Sample, file: Any) -> dict[str, int]:
    """All or nothing: every bad row and column is named; the sample's rows are replaced."""
    from linli.core.errors import ImportRejected, RowError
    from linli.core.excel import read_sheet

    from .sheets import COLUMNS

    _require_inspector(actor, sample)
    method = method_of(sample.round.method)
    rows = read_sheet(file, COLUMNS)
    reasons = {r.code: r.code for r in method.severity_reasons}
    reasons.update({r.name_zh: r.code for r in method.severity_reasons})
    errors: list[RowError] = []
    statuses: dict[str, str] = {}
    findings: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for number, row in rows:
        code = row["code"]
        if code not in method.subunit_codes:
            errors.append(
                RowError(number, _("子单元代码"), _("未知子单元 %(code)s") % {"code": code})
            )
            continue
        status = row["result"]
        if code in statuses and (status != "findings" or statuses[code] != "findings"):
            errors.append(RowError(number, _("结果"), _("同一子单元多行时每行都应为“有问题”")))
            continue
        statuses[code] = status
        if status == "findings":
            if row["likelihood"] is None:
                errors.append(RowError(number, _("可能性L"), _("有问题时必填（1–5）")))
            if not row["description"]:
                errors.append(RowError(number, _("问题描述"), _("有问题时必填")))
            if row["reason"] and row["reason"] not in reasons:
                errors.append(RowError(number, _("严重性上调理由"), _("未知理由")))
            findings.setdefault(code, []).append((number, row))
    if errors:
        raise ImportRejected(errors)
    checks = {c.code: c for c in sample.checks.all()}
    made = 0
    with transaction.atomic():
        Finding.objects.filter(check_item__sample=sample, check_item__code__in=statuses).delete()
        for code, status in statuses.items():
            check = checks[code]
            check.status = status
            check.save(update_fields=["status"])
            for position, (_number, row) in enumerate(findings.get(code, []), start=1):
                reason = reasons.get(row["reason"] or "", "")
                severity = rules.adjusted_severity(method, code, [reason] if reason else [])
                major = bool(row["major"])
                Finding.objects.create(
                    check_item=check,
                    position=position,
                    likelihood=row["likelihood"],
                    severity=severity,
                    severity_reason=reason,
                    description=row["description"],
                    location=row["location"] or "",
                    rule_breached=row["rule"] or "",
                    major_fire_hazard=major,
                    grade=rules.finding_grade(
                        method, rules.Finding(row["likelihood"], severity, major)
                    ),
                )
                made += 1
        if sample.inspected_on is None:
            sample.inspected_on = timezone.localdate()
            sample.save(update_fields=["inspected_on"])
        counts = {"rows": len(rows), "subunits": len(statuses), "findings": made}
        audit.record(actor, "risk.checklist.import", sample, details=counts)
    return counts


def _folded_finding(token: str) -> rules.Finding:
    """A finding folded by ``rescore_round``'s query outside the usual 1–5 range (the engine
    then names it as an error)."""
    value = int(token.rstrip("m"))
    return rules.Finding(value // 10, value % 10, token.endswith("m"))


def rescore_round(actor: Actor, rnd: Round) -> int:
    """Rescore every committee of a round from the database in bulk (three reads: the samples,
    the checks with their findings folded, the stored scores; only the scores that changed are
    written).

    The same engine and the same rows as ``rescore``; used after a method correction and by
    the city-scale benchmark. Returns the number of committees scored.
    """
    policy.require(actor.user, "risk.manage")
    method = method_of(rnd.method)
    samples: dict[int, tuple[int, str]] = {
        pk: (committee_id, label)
        for pk, committee_id, label in Sample.objects.filter(
            round=rnd, state=Sample.State.SUBMITTED
        )
        .order_by()
        .values_list("pk", "committee_id", "label")
    }
    subunits: dict[int, dict[str, Any]] = {pk: {} for pk in samples}
    # One read of what the engine needs, ~250,000 rows at city scale: each check that is not
    # applicable or has findings, its findings folded by PostgreSQL into one short text
    # ("45,32m": L and S of each, m for a major fire hazard), in no particular order (the
    # scores do not depend on it). Equal texts share one (immutable) tuple of rules.Finding.
    check = connection.ops.quote_name(Check._meta.db_table)
    finding = connection.ops.quote_name(Finding._meta.db_table)
    sample = connection.ops.quote_name(Sample._meta.db_table)
    folded = (
        "string_agg(CAST(f.likelihood * 10 + f.severity AS varchar)"
        " || CASE WHEN f.major_fire_hazard THEN 'm' ELSE '' END, ',')"
        if connection.vendor == "postgresql"
        else "group_concat(CAST(f.likelihood * 10 + f.severity AS text)"
        " || CASE WHEN f.major_fire_hazard THEN 'm' ELSE '' END, ',')"
    )
    sql = (
        f"SELECT c.sample_id, c.code, c.status = %s, {folded} FROM {check} c"
        f" JOIN {sample} s ON s.id = c.sample_id LEFT JOIN {finding} f ON f.check_item_id = c.id"
        " WHERE s.round_id = %s AND s.state = %s AND (c.status = %s OR f.id IS NOT NULL)"
        " GROUP BY c.id, c.sample_id, c.code, c.status"
    )
    params: list[Any] = [Check.Status.NA, rnd.pk, Sample.State.SUBMITTED, Check.Status.NA]
    shared: dict[str, tuple[rules.Finding, ...]] = {}
    one = {
        f"{lk * 10 + sv}{'m' if major else ''}": rules.Finding(lk, sv, major)
        for lk in range(1, 6)
        for sv in range(1, 6)
        for major in (False, True)
    }
    na = rules.NA
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for sample_id, code, is_na, text in cursor.fetchall():
            if is_na:
                subunits[sample_id][code] = na
                continue
            found = shared.get(text)
            if found is None:
                found = shared[text] = tuple(
                    one.get(t) or _folded_finding(t) for t in text.split(",")
                )
            subunits[sample_id][code] = found
    by_committee: dict[int, list[tuple[int, str]]] = {}
    for pk, (committee_id, label) in samples.items():
        by_committee.setdefault(committee_id, []).append((pk, label))
    rows: list[tuple[Any, ...]] = []
    rid = rnd.pk
    dec = _cents
    for committee_id, group in by_committee.items():
        group.sort(key=lambda item: item[1])
        inputs = [rules.SampleInput(label, subunits[pk]) for pk, label in group]
        result = rules.score_committee(method, inputs)
        rows.append(
            (rid, committee_id, None, "", dec(result.value), result.grade, result.band_grade)
        )
        for code, u in result.units.items():
            if u is not None:
                rows.append((rid, committee_id, None, code, dec(u.value), u.grade, u.band_grade))
        for (pk, _label), sr in zip(group, result.samples, strict=True):
            rows.append((rid, committee_id, pk, "", dec(sr.value), sr.grade, sr.grade))
            for code, u in sr.units.items():
                if u is not None:
                    rows.append((rid, committee_id, pk, code, dec(u.value), u.grade, u.band_grade))
    with transaction.atomic():
        written, touched = _merge_scores(rnd.pk, rows)
        paper.schedule_refresh(committee=touched)  # the stored papers of what changed
        audit.record(
            actor,
            "risk.round.rescore",
            rnd,
            details={
                "method": method.version,
                "committees": len(by_committee),
                "rows": len(rows),
                "written": written,
            },
        )
    return len(by_committee)
