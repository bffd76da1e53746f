"""Scoring engine for the 三色预警 safety-risk method (pure Python, no Django).

The method (units, weights, bands, deadlines) is data: a street publishes a new method
version as JSON instead of changing code, and every assessment records the version it was
scored with. This package validates such data and scores committees exactly. Grades are
decided on band edges (60, 40, 20), where a float would flip results, so everything is
computed with integers and ``fractions.Fraction``; values are rounded only for reports.

The hot path keeps sub-unit values as integers (r = 4 x max R) and unit values as integer
numerators over one common denominator; ``Fraction`` objects are built for sample and
committee values, and for unit and sub-unit results only when a caller reads them.

The engine is a package by topic: ``method`` (the method as data and its errors), ``loading``
(validating method data, the shipped versions), ``scoring`` (samples and committees) and
``measures`` (the L and S guides, rounding for reports). Callers import from here.
"""

from __future__ import annotations

from .loading import (
    available_methods,
    default_method,
    get_method,
    load_method,
)
from .measures import (
    CONTROL_LIKELIHOOD,
    adjusted_severity,
    format_value,
    likelihood,
    round_half_up,
    survey_score,
)
from .method import (
    DEFAULT_METHOD_VERSION,
    GRADES,
    SUBUNIT_FACTOR,
    FindingBand,
    GradeInfo,
    Method,
    MethodError,
    RectificationRules,
    RiskError,
    ScoringError,
    SeverityReason,
    SubUnit,
    Unit,
    ValueBand,
)
from .scoring import (
    NA,
    CommitteeResult,
    Finding,
    NAType,
    SampleInput,
    SampleResult,
    SubunitEntry,
    SubunitResult,
    UnitResult,
    finding_grade,
    score_committee,
    score_sample,
    value_grade,
)

__all__ = [
    "CONTROL_LIKELIHOOD",
    "DEFAULT_METHOD_VERSION",
    "GRADES",
    "NA",
    "SUBUNIT_FACTOR",
    "CommitteeResult",
    "Finding",
    "FindingBand",
    "GradeInfo",
    "Method",
    "MethodError",
    "NAType",
    "RectificationRules",
    "RiskError",
    "SampleInput",
    "SampleResult",
    "ScoringError",
    "SeverityReason",
    "SubUnit",
    "SubunitEntry",
    "SubunitResult",
    "Unit",
    "UnitResult",
    "ValueBand",
    "adjusted_severity",
    "available_methods",
    "default_method",
    "finding_grade",
    "format_value",
    "get_method",
    "likelihood",
    "load_method",
    "round_half_up",
    "score_committee",
    "score_sample",
    "survey_score",
    "value_grade",
]
