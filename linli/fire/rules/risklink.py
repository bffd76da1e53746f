"""Risk link: registry facts as suggested findings for the risk assessment.

Pure (no Django, no I/O, no clock); see ``linli.fire.rules``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .base import check_unique_ids
from .checks import END_OF_LINE_MIN_MPA, CheckStatus, Sprinkler, end_of_line_ok
from .coverage import ChargingGap, Reach
from .extinguishers import Action, Extinguisher, lifecycle

# ---------------------------------------------------------------------------
# Risk link: registry facts as suggested findings for the assessment

XF03 = "XF03"  # 灭火器
XF04 = "XF04"  # 简易喷淋/喷淋
XF07 = "XF07"  # 电动自行车停放充电
WY05 = "WY05"  # 应急预案与处置力量


@dataclass(frozen=True)
class RiskFact:
    """A suggested finding; the inspector accepts or rejects it in the risk app."""

    subunit: str
    description: str  # Chinese, for the inspector and the white paper
    likelihood: int  # L from the prevalence rule
    defective: int
    checked: int
    evidence: tuple[str, ...]  # ids of the defective items

    @property
    def share(self) -> Fraction:
        """Share of the checked points that are defective."""
        return Fraction(self.defective, self.checked)


def prevalence_likelihood(defective: int, checked: int) -> int | None:
    """L from the share defective: <10 % → 2, 10–<30 % → 3, 30–60 % → 4, >60 % → 5.

    None when nothing is defective (no finding). Exact: the edges 10 % and 30 % go up a band;
    60 % stays at 4 because the rule says "> 60 %".
    """
    if checked <= 0 or not 0 <= defective <= checked:
        raise ValueError("need 0 <= defective <= checked and checked > 0")
    if defective == 0:
        return None
    share = Fraction(defective, checked)
    if share < Fraction(1, 10):
        return 2
    if share < Fraction(3, 10):
        return 3
    if share <= Fraction(6, 10):
        return 4
    return 5


def _percent(defective: int, checked: int) -> str:
    value = (Decimal(100 * defective) / checked).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value.normalize():f}%"


def _fact(
    subunit: str, description: str, defective: int, checked: int, evidence: Sequence[str]
) -> RiskFact:
    likelihood = prevalence_likelihood(defective, checked)
    if likelihood is None:  # pragma: no cover - facts are only built for defects
        raise AssertionError("a fact needs at least one defect")
    return RiskFact(subunit, description, likelihood, defective, checked, tuple(evidence))


def risk_facts(
    on: date,
    *,
    extinguishers: Sequence[Extinguisher] = (),
    sprinklers: Sequence[Sprinkler] = (),
    charging: Sequence[ChargingGap] = (),
    reach: Sequence[Reach] = (),
) -> list[RiskFact]:
    """Suggested findings from the registry of one assessment scope (a sample or a committee).

    XF03: extinguishers whose action on ``on`` is maintain or replace. XF04: door numbers with
    a recorded fault, an end-of-line pressure below 0.03 MPa, or a check past its due day. XF07:
    one fact per committee short of charging bays. WY05: buildings beyond the station reach.
    """
    facts: list[RiskFact] = []

    if extinguishers:
        check_unique_ids(e.id for e in extinguishers)
        lives = [lifecycle(e, on) for e in extinguishers]
        replace = [x.extinguisher_id for x in lives if x.action is Action.REPLACE]
        maintain = [x.extinguisher_id for x in lives if x.action is Action.MAINTAIN]
        bad = sorted(replace + maintain)
        if bad:
            total = len(lives)
            facts.append(
                _fact(
                    XF03,
                    f"灭火器超出使用或维修期限：共 {total} 具，{len(bad)} 具不合格"
                    f"（占 {_percent(len(bad), total)}），其中需报废更换 {len(replace)} 具、"
                    f"逾期未送修 {len(maintain)} 具。",
                    len(bad),
                    total,
                    bad,
                )
            )

    if sprinklers:
        check_unique_ids(s.id for s in sprinklers)
        faulty, low, late = [], [], []
        for s in sprinklers:
            if s.faults:
                faulty.append(s.id)
            if s.last_pressure_mpa is not None and not end_of_line_ok(
                s.last_pressure_mpa, record=s.id
            ):
                low.append(s.id)
            if s.schedule(on).status is CheckStatus.OVERDUE:
                late.append(s.id)
        bad = sorted(set(faulty) | set(low) | set(late))
        if bad:
            total = len(sprinklers)
            facts.append(
                _fact(
                    XF04,
                    f"简易喷淋存在故障或检查逾期：共 {total} 个门牌，{len(bad)} 个有问题"
                    f"（占 {_percent(len(bad), total)}），其中有故障 {len(faulty)} 个、"
                    f"末端试水压力低于 {END_OF_LINE_MIN_MPA} MPa {len(low)} 个、"
                    f"检查逾期 {len(late)} 个。",
                    len(bad),
                    total,
                    bad,
                )
            )

    for gap in charging:
        if gap.shortfall > 0:
            facts.append(
                _fact(
                    XF07,
                    f"{gap.committee} 电动自行车充电能力不足：估计 {gap.ebikes} 辆，"
                    f"充电车位 {gap.bays} 个，缺口 {gap.shortfall} 个"
                    f"（占所需 {_percent(gap.shortfall, gap.needed)}）。",
                    gap.shortfall,
                    gap.needed,
                    (gap.committee,),
                )
            )

    if reach:
        check_unique_ids(r.building_id for r in reach)
        far = sorted(r.building_id for r in reach if not r.in_reach)
        if far:
            total = len(reach)
            limit = max(r.limit_minutes for r in reach)
            facts.append(
                _fact(
                    WY05,
                    f"{len(far)} 栋楼超出微型消防站 {limit.normalize():f} 分钟到场范围"
                    f"（共 {total} 栋，占 {_percent(len(far), total)}）。",
                    len(far),
                    total,
                    far,
                )
            )
    return facts
