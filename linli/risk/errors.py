"""The risk app's domain errors, each with a stable ``code`` the API and callers can test.

Pages show ``message``; a refusal caught as ``RiskError`` covers all of them. The pure rules keep
their own ``ValueError`` subclasses (``rules.MethodError``, ``rules.ScoringError``,
``rectification.TransitionError``); the services turn those into the errors here.
"""

from __future__ import annotations

from linli.core.errors import DomainError


class RiskError(DomainError):
    code = "risk_error"


class MethodRejected(RiskError):
    """A method version cannot be copied or edited (taken version, in use, bad JSON)."""

    code = "method_rejected"


class RoundRejected(RiskError):
    """A round cannot be created, drawn or its papers started in its present state."""

    code = "round_rejected"


class SampleLocked(RiskError):
    """The sample is submitted: nothing on it changes any more."""

    code = "sample_locked"


class InspectionRejected(RiskError):
    """An inspector's entry does not fit the method (sub-unit, L, reason, open sub-units)."""

    code = "inspection_rejected"


class PhotoRejected(RiskError):
    """An uploaded photo is too large, of the wrong type or unreadable (the code says which)."""

    code = "photo_rejected"


class CaseRefused(RiskError):
    """The hazard case's lifecycle does not allow this step now (the message says why)."""

    code = "case_refused"


class AlreadySigned(CaseRefused):
    code = "already_signed"


class SurveyRejected(RiskError):
    """The resident survey refuses the entry (exists, closed, committee not in the round)."""

    code = "survey_rejected"
