"""The fire registry's errors, with stable codes.

Views, the API and the import show ``message``; tests, the API's error body and callers that
branch match on the class or on ``code``. A raise may pass a narrower ``code`` (``after_on``,
``photo_type``, ``required`` …) within its class; the class's own code is the fallback.
"""

from __future__ import annotations

from linli.core.errors import DomainError


class FireError(DomainError):
    code = "fire_error"


class FactRefused(FireError):
    """A date or value the fire rules refuse (a check after today, maintenance before
    manufacture, an unknown extinguisher type)."""

    code = "fact_refused"


class PlaceMismatch(FireError):
    """An item's building, door number and committee do not belong together."""

    code = "place_mismatch"


class DuplicateRecord(FireError):
    """A serial number or name already registered."""

    code = "duplicate"


class PhotoRejected(FireError):
    """A check's photo that is too large or not an image."""

    code = "photo_rejected"


class RecordRefused(FireError):
    """A check record that does not fit the item (wrong kind, missing pressure, not installed)."""

    code = "record_refused"


class PlanRefused(FireError):
    """A batch plan that cannot be saved or issued as asked."""

    code = "plan_refused"
