"""Turn a tally into neutral text and rows for the pages, in the reader's language (no decisions
here)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import rules, stages

CONDITION = {"quorum": gettext_lazy("参与表决"), "approval": gettext_lazy("同意")}
MEASURE = {"owners": gettext_lazy("人数"), "area": gettext_lazy("专有面积")}
DIMENSION = {
    "building": gettext_lazy("楼栋"),
    "type": gettext_lazy("高层 / 多层"),
    "floor": gettext_lazy("楼层"),
}
DIMENSION_ORDER = ("type", "building", "floor")


def _amount(check: rules.Check, value: int) -> str:
    if check.measure == "area":
        return f"{rules.format_area(value)} ㎡"
    return _("%(n)s 人") % {"n": value}


def check_rows(result: rules.TallyResult) -> list[dict[str, Any]]:
    rows = []
    for check in result.checks:
        of_all = check.condition == "quorum" or result.rule.approval.base == "all"
        share = rules.format_ratio(check.share)
        if check.comparator == ">":
            rule = _("超过全体业主的 %(share)s") if of_all else _("超过参与表决业主的 %(share)s")
        else:
            rule = (
                _("不少于全体业主的 %(share)s") if of_all else _("不少于参与表决业主的 %(share)s")
            )
        rows.append(
            {
                "label": _("%(condition)s%(measure)s")
                % {"condition": CONDITION[check.condition], "measure": MEASURE[check.measure]},
                "rule": rule % {"share": share},
                "actual": _amount(check, check.actual),
                "base": _amount(check, check.base),
                "minimum": _amount(check, check.minimum),
                "met": check.met,
            }
        )
    return rows


def needed_text(needed: rules.StillNeeded | None) -> str:
    """Only ever proposes owners agreeing; never suggests anyone stay away."""
    if needed is None:
        return _("仅本组业主同意尚不足以通过，需要其他业主的支持")
    if needed.owners == 0:
        return _("已达到通过条件")
    return _("再有 %(owners)s 位业主表示同意（同意面积合计至少再增加 %(area)s ㎡），即可通过") % {
        "owners": needed.owners,
        "area": rules.format_area(needed.min_area),
    }


def group_rows(result: rules.TallyResult) -> list[dict[str, Any]]:
    out = []
    for dimension in DIMENSION_ORDER:
        groups = result.groups.get(dimension)
        if not groups:
            continue
        rows = []
        for name in sorted(groups, key=_group_key):
            g = groups[name]
            b = g.breakdown
            rows.append(
                {
                    "group": name,
                    "owners": b.total.owners,
                    "area": rules.format_area(b.total.area),
                    "agree": b.agree.owners,
                    "against": b.against.owners,
                    "abstain": b.abstain.owners,
                    "none": b.none.owners,
                    "needed": needed_text(g.still_needed),
                }
            )
        out.append({"dimension": DIMENSION.get(dimension, dimension), "rows": rows})
    return out


def _group_key(name: str) -> tuple[int, str]:
    digits = "".join(ch for ch in name if ch.isdigit())
    return (int(digits) if digits else 0, name)


def summary(result: rules.TallyResult) -> dict[str, Any]:
    b = result.breakdown
    u = result.unanimity
    return {
        "rule": result.rule,
        "passed": result.passed,
        "quorum_met": result.quorum_met,
        "approval_met": result.approval_met,
        "owners": result.owners,
        "total_area": rules.format_area(result.total_area),
        "agree": (b.agree.owners, rules.format_area(b.agree.area)),
        "against": (b.against.owners, rules.format_area(b.against.area)),
        "abstain": (b.abstain.owners, rules.format_area(b.abstain.area)),
        "none": (b.none.owners, rules.format_area(b.none.area)),
        "participating": (
            result.participating_owners,
            rules.format_area(result.participating_area),
        ),
        "checks": check_rows(result),
        "needed": needed_text(result.still_needed),
        "needed_owners": result.still_needed.owners,
        "unanimity": {
            "owners": u.owners_not_agreeing,
            "area": rules.format_area(u.area_not_agreeing),
            "owners_percent": rules.format_percent(u.owner_share),
            "area_percent": rules.format_percent(u.area_share),
        },
        "agree_percent": rules.format_percent(u.owner_share),
        "groups": group_rows(result),
        "manual_conditions": result.rule.manual_conditions,
    }


def public_totals(result: rules.TallyResult) -> dict[str, Any]:
    """What an owner sees of everyone else: counts and areas only, no names."""
    data = summary(result)
    return {
        k: data[k]
        for k in (
            "rule",
            "passed",
            "owners",
            "total_area",
            "agree",
            "against",
            "abstain",
            "none",
            "participating",
            "checks",
            "needed",
        )
    }


def problem_text(problem: str) -> str:
    """The stage engine's reasons, in the reader's language."""
    if problem.startswith("missing document: "):
        kind = problem.removeprefix("missing document: ")
        return _("缺少材料：%(document)s") % {"document": _(stages.DOCUMENT_LABELS.get(kind, kind))}
    if problem == "the consultation has not passed":
        return _("征询表决尚未通过（每个适用范围的表决都须通过）")
    if problem.startswith("stage "):
        return _("不能直接转到该阶段")
    return problem
