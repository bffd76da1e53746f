"""The inspector's checklist: sub-unit results, findings, the offline Excel sheet, submitting
(which locks the sample, opens its cases and rescores its committee)."""

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

from .. import paper, rules
from ..errors import (
    InspectionRejected,
    SampleLocked,
)
from ..models import (
    Check,
    Finding,
    Photo,
    Round,
    Sample,
)
from ..queries import method_of
from ..sheets import ChecklistSheet
from .cases import do_open_cases
from .photos import check_photo
from .scoring import do_rescore, sample_input


def _require_inspector(actor: Actor, sample: Sample) -> None:
    policy.require(actor.user, "risk.inspect")
    if actor.user is None or sample.inspector_id != actor.user.pk:
        raise PermissionDenied("not your sample")
    if sample.locked:
        raise SampleLocked(_("样本已提交，已锁定"))


def do_set_check_status(actor: Actor, sample: Sample, code: str, status: str) -> Check:
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
        paper.schedule_refresh(committee=[sample.committee_id])
    return check


def do_save_check_statuses(actor: Actor, sample: Sample, statuses: Mapping[str, str]) -> int:
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
            paper.schedule_refresh(committee=[sample.committee_id])
    return len(changed)


def do_add_finding(
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
        paper.schedule_refresh(committee=[sample.committee_id])
    return finding


def do_delete_finding(actor: Actor, finding: Finding) -> None:
    check = finding.check_item
    _require_inspector(actor, check.sample)
    with transaction.atomic():
        audit.record(actor, "risk.finding.delete", finding, details={"subunit": check.code})
        finding.delete()
        if not check.findings.exists():
            check.status = Check.Status.OPEN
            check.save(update_fields=["status"])
        paper.schedule_refresh(committee=[check.sample.committee_id])


def do_submit_sample(actor: Actor, sample: Sample, *, today: date | None = None) -> Sample:
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
        paper.schedule_refresh(committee=[sample.committee_id])
        do_open_cases(actor, sample, today=today)
        do_rescore(actor, sample.round, sample.committee)
        rnd = sample.round
        if not rnd.samples.exclude(state=Sample.State.SUBMITTED).exists():
            rnd.status = Round.Status.FINISHED
            rnd.save(update_fields=["status"])
            audit.record(actor, "risk.round.finish", rnd)
    return sample


def do_import_checklist(actor: Actor, sample: Sample, file: Any) -> dict[str, int]:
    """The inspector's filled-in sheet, through the one Excel import (``core.sheets``): all or
    nothing, every bad row and column named; the listed sub-units' results and findings are
    replaced."""
    from linli.core.sheets import import_sheet

    _require_inspector(actor, sample)

    def record(created: int, updated: int) -> None:  # inside the import's transaction
        if sample.inspected_on is None:
            sample.inspected_on = timezone.localdate()
            sample.save(update_fields=["inspected_on"])
        paper.schedule_refresh(committee=[sample.committee_id])

    result = import_sheet(
        actor,
        ChecklistSheet(sample),
        file,
        getattr(file, "name", "") or f"{sample.committee.code}-{sample.label}.xlsx",
        record=record,
    )
    return {"subunits": result.updated, "findings": result.created}
