"""The offline checklist: one Excel sheet per sample (one row per sub-unit or per finding),
declared once on the shared machinery (``core.sheets``): its typed columns give the sheet to
fill in and read the filled one back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.core.errors import RowError
from linli.core.excel import Column, ParsedRow, boolean, integer, text, write_workbook
from linli.core.sheets import Resolution, Sheet, Written

from . import rules
from .models import Check, Finding, Sample
from .queries import method_of

RESULTS = {"无问题": "clean", "不适用": "na", "有问题": "findings", "未检查": "open"}


def result(value: Any) -> str:
    from linli.core.excel import CellError

    word = str(value).strip()
    if word in RESULTS:
        return RESULTS[word]
    if word in RESULTS.values():
        return word
    raise CellError(str(_("应为：无问题、不适用、有问题")))


COLUMNS = [
    Column("code", str(_("子单元代码")), text(10)),
    Column("name", str(_("子单元")), text(100), required=False),
    Column("check", str(_("检查内容")), text(300), required=False),
    Column("s0", str(_("S0")), integer(1, 5), required=False),
    Column("result", str(_("结果")), result),
    Column("likelihood", str(_("可能性L")), integer(1, 5), required=False),
    Column("reason", str(_("严重性上调理由")), text(30), required=False),
    Column("description", str(_("问题描述")), text(300), required=False),
    Column("location", str(_("位置")), text(100), required=False),
    Column("rule", str(_("违反条款")), text(150), required=False),
    Column("major", str(_("重大火灾隐患")), boolean, required=False),
]


class ChecklistSheet(Sheet):
    """One sample's checklist on the shared Excel machinery (``core.sheets``): the same typed
    columns write the filled-in sheet and read it back; every bad row and column is named
    before anything is written, and ``write`` replaces the listed sub-units' results and
    findings in the import's one transaction."""

    name = "checklist"
    title = _("检查表")
    model = Finding
    columns = COLUMNS
    permission = "risk.inspect"

    def __init__(self, sample: Sample) -> None:
        self.sample = sample
        self.method = method_of(sample.round.method)

    def template(self) -> bytes:
        """The sample's sheet as it stands: one row per sub-unit, plus one per extra finding."""
        return write_workbook(str(self.title), self.labels(), checklist_rows(self.sample))

    def resolve(
        self, rows: Sequence[ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        method = self.method
        res = Resolution()
        reasons = {r.code: r.code for r in method.severity_reasons}
        reasons.update({r.name_zh: r.code for r in method.severity_reasons})
        checks = {c.code: c for c in self.sample.checks.all()}
        statuses: dict[str, str] = {}
        for number, row in rows:
            code = row["code"]
            if code not in method.subunit_codes or code not in checks:
                res.errors.append(
                    RowError(
                        number,
                        gettext("子单元代码"),
                        gettext("未知子单元 %(code)s") % {"code": code},
                    )
                )
                continue
            status = row["result"]
            if code in statuses and (status != "findings" or statuses[code] != "findings"):
                res.errors.append(
                    RowError(number, gettext("结果"), gettext("同一子单元多行时每行都应为“有问题”"))
                )
                continue
            statuses[code] = status
            if status != "findings":
                continue
            problems = len(res.errors)
            if row["likelihood"] is None:
                res.errors.append(
                    RowError(number, gettext("可能性L"), gettext("有问题时必填（1–5）"))
                )
            if not row["description"]:
                res.errors.append(RowError(number, gettext("问题描述"), gettext("有问题时必填")))
            if row["reason"] and row["reason"] not in reasons:
                res.errors.append(RowError(number, gettext("严重性上调理由"), gettext("未知理由")))
            if len(res.errors) > problems:
                continue
            reason = reasons.get(row["reason"] or "", "")
            severity = rules.adjusted_severity(method, code, [reason] if reason else [])
            major = bool(row["major"])
            res.instances.append(
                (
                    number,
                    Finding(
                        check_item=checks[code],
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
                    ),
                )
            )
        res.extra["statuses"] = statuses
        res.extra["checks"] = checks
        return res

    def write(self, resolution: Resolution, progress: Callable[[int], None]) -> Written:
        """The listed sub-units' findings replaced, their results set, numbered in sheet order."""
        statuses: dict[str, str] = resolution.extra["statuses"]
        checks: dict[str, Check] = resolution.extra["checks"]
        Finding.objects.filter(
            check_item__sample=self.sample, check_item__code__in=statuses
        ).delete()
        changed = []
        for code, status in statuses.items():
            check = checks[code]
            check.status = status
            changed.append(check)
        Check.objects.bulk_update(changed, ["status"])
        positions: dict[int, int] = {}
        made = []
        for _number, instance in resolution.instances:
            assert isinstance(instance, Finding)
            finding = instance
            positions[finding.check_item_id] = positions.get(finding.check_item_id, 0) + 1
            finding.position = positions[finding.check_item_id]
            made.append(finding)
        Finding.objects.bulk_create(made)
        progress(len(resolution.instances))
        return len(made), len(statuses), []


def checklist_rows(sample: Sample) -> list[list[Any]]:
    """The sheet of a sample: one row per sub-unit, plus one per extra finding."""
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
