"""The method's guides for likelihood L and severity S, and the rounding of reported values."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Final

from .method import Method, ScoringError

# --------------------------------------------------------------------------- helpers

#: L from the control state (L guide): effective 2, partly 3, not working 4, none/recurring 5.
CONTROL_LIKELIHOOD: Final = MappingProxyType(
    {"effective": 2, "partial": 3, "not_working": 4, "none": 5, "recurring": 5}
)


def likelihood(prevalence: Fraction | int | None, control: str | None) -> int:
    """L per the method's guide: the higher of the prevalence base and the control base.

    Prevalence is the share of checked points found defective (0..1): below 10 % gives 2,
    10 % up to 30 % gives 3, 30 % to 60 % inclusive gives 4, above 60 % gives 5. Pass
    ``None`` for a binary item (control base only) or when no control state was judged.
    """
    bases = []
    if prevalence is not None:
        if isinstance(prevalence, float) or not isinstance(prevalence, Fraction | int):
            raise TypeError("prevalence must be a Fraction or int, never float")
        if not 0 <= prevalence <= 1:
            raise ValueError(f"prevalence must be between 0 and 1, got {prevalence}")
        if prevalence < Fraction(1, 10):
            bases.append(2)
        elif prevalence < Fraction(3, 10):
            bases.append(3)
        elif prevalence <= Fraction(6, 10):
            bases.append(4)
        else:
            bases.append(5)
    if control is not None:
        if control not in CONTROL_LIKELIHOOD:
            known = ", ".join(CONTROL_LIKELIHOOD)
            raise ValueError(f"unknown control state {control!r} (known: {known})")
        bases.append(CONTROL_LIKELIHOOD[control])
    if not bases:
        raise ValueError("give a prevalence, a control state or both")
    return max(bases)


def adjusted_severity(method: Method, code: str, reasons: Iterable[str] = ()) -> int:
    """S0 of a sub-unit, raised once by the method's step (capped) when any reason applies."""
    try:
        s0 = method.subunit(code).s0
    except KeyError:
        raise ScoringError("unknown sub-unit code", subunit=code) from None
    known = {r.code for r in method.severity_reasons}
    given = list(reasons)
    for reason in given:
        if reason not in known:
            raise ScoringError(f"unknown severity reason {reason!r}", subunit=code)
    if not given:
        return s0
    return max(s0, min(s0 + method.severity_step, method.severity_max))


def round_half_up(value: Fraction | int | Decimal, places: int = 2) -> Decimal:
    """Round exactly, half away from zero (12.345 -> 12.35), keeping trailing zeros."""
    if isinstance(value, float):
        raise TypeError("values must be Fraction, int or Decimal, never float")
    scaled = Fraction(value) * 10**places
    n, d = scaled.numerator, scaled.denominator
    magnitude = (2 * abs(n) + d) // (2 * d)
    return Decimal(-magnitude if n < 0 else magnitude).scaleb(-places)


def survey_score(total: int, count: int) -> Decimal | None:
    """The resident safety survey's score of ``count`` answers (1–5) summing to ``total``: the
    mean answer on a 0–100 scale (1 → 0, 5 → 100), exact, rounded half-up to one decimal; None
    without answers. Sums add up, so a street's score is this of its answers' totals."""
    if count <= 0:
        return None
    return round_half_up((Fraction(total, count) - 1) * 25, 1)


def format_value(value: Fraction | int | Decimal) -> str:
    """Report text of a value: half-up to exactly 2 decimals, e.g. "60.75", "40.00"."""
    return str(round_half_up(value, 2))
