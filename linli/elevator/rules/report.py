"""Presentation shared by ``linli elevator tally`` and the API: areas and ratios as strings."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from .counting import Breakdown, Check, Count
from .needed import StillNeeded

if TYPE_CHECKING:
    from .tally import TallyResult


def format_area(hundredths: int) -> str:
    """Hundredths of m² as a decimal string with two places ("600.00")."""
    sign = "-" if hundredths < 0 else ""
    whole, cents = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{cents:02d}"


def format_ratio(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def format_percent(value: Fraction) -> str:
    """A ratio as a percentage with two decimals, for display only (decisions use fractions)."""
    return format_area(round(value * 10000))


def _ratio(part: int, whole: int) -> dict[str, str] | None:
    if whole == 0:
        return None
    value = Fraction(part, whole)
    return {"ratio": format_ratio(value), "percent": format_percent(value)}


def _count_dict(count: Count) -> dict[str, object]:
    return {"owners": count.owners, "area": format_area(count.area)}


def _breakdown_dict(breakdown: Breakdown) -> dict[str, object]:
    return {
        "owners": breakdown.total.owners,
        "area": format_area(breakdown.total.area),
        "agree": _count_dict(breakdown.agree),
        "against": _count_dict(breakdown.against),
        "abstain": _count_dict(breakdown.abstain),
        "none": _count_dict(breakdown.none),
    }


def _still_needed_dict(needed: StillNeeded | None) -> dict[str, object] | None:
    if needed is None:
        return None
    return {
        "owners": needed.owners,
        "min_area": format_area(needed.min_area),
        "from_non_participants": needed.from_non_participants,
        "from_participants": needed.from_participants,
        "witness_area": format_area(needed.witness_area),
        "witness": [
            {"owner": owner.key, "area": format_area(owner.area), "vote": owner.vote.value}
            for owner in needed.witness
        ],
    }


def _check_dict(check: Check) -> dict[str, object]:
    area = check.measure == "area"

    def show(value: int) -> str:
        return f"{format_area(value)} m²" if area else str(value)

    required = check.required / 100 if area else check.required
    verdict = "meets" if check.met else "misses"
    return {
        "condition": check.condition,
        "measure": check.measure,
        "actual": format_area(check.actual) if area else check.actual,
        "base": format_area(check.base) if area else check.base,
        "share": format_ratio(check.share),
        "comparator": check.comparator,
        "required": format_ratio(required),
        "minimum": format_area(check.minimum) if area else check.minimum,
        "met": check.met,
        "actual_share": _ratio(check.actual, check.base),
        "text": f"{check.condition} by {check.measure}: {show(check.actual)} {verdict} "
        f"{check.comparator} {format_ratio(check.share)} of {show(check.base)} "
        f"(at least {show(check.minimum)})",
    }


def _result_dict(result: TallyResult) -> dict[str, object]:
    breakdown = result.breakdown
    total, taking_part = breakdown.total, breakdown.participating
    return {
        "rule": result.rule.name,
        "source": result.rule.source,
        "scope": result.rule.scope,
        "passed": result.passed,
        "quorum_met": result.quorum_met,
        "approval_met": result.approval_met,
        "owners": total.owners,
        "total_area": format_area(total.area),
        "participating_owners": taking_part.owners,
        "participating_area": format_area(taking_part.area),
        "agreeing_owners": breakdown.agree.owners,
        "agreeing_area": format_area(breakdown.agree.area),
        "against_owners": breakdown.against.owners,
        "against_area": format_area(breakdown.against.area),
        "abstaining_owners": breakdown.abstain.owners,
        "abstaining_area": format_area(breakdown.abstain.area),
        "not_participating_owners": breakdown.none.owners,
        "not_participating_area": format_area(breakdown.none.area),
        "still_needed": _still_needed_dict(result.still_needed),
        "ratios": {
            "participating_owners": _ratio(taking_part.owners, total.owners),
            "participating_area": _ratio(taking_part.area, total.area),
            "agreeing_owners_of_participating": _ratio(breakdown.agree.owners, taking_part.owners),
            "agreeing_area_of_participating": _ratio(breakdown.agree.area, taking_part.area),
            "agreeing_owners_of_all": _ratio(breakdown.agree.owners, total.owners),
            "agreeing_area_of_all": _ratio(breakdown.agree.area, total.area),
        },
        "checks": [_check_dict(check) for check in result.checks],
        "unanimity": {
            "owners_not_agreeing": result.unanimity.owners_not_agreeing,
            "area_not_agreeing": format_area(result.unanimity.area_not_agreeing),
            "agreeing_owners_share": format_ratio(result.unanimity.owner_share),
            "agreeing_area_share": format_ratio(result.unanimity.area_share),
            "agreeing_owners_percent": format_percent(result.unanimity.owner_share),
            "agreeing_area_percent": format_percent(result.unanimity.area_share),
        },
        "manual_conditions": list(result.rule.manual_conditions),
        "groups": {
            dimension: {
                name: {
                    **_breakdown_dict(group.breakdown),
                    "still_needed": _still_needed_dict(group.still_needed),
                }
                for name, group in groups.items()
            }
            for dimension, groups in result.groups.items()
        },
    }
