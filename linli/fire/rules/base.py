"""Shared by every fire rule: the rule error and calendar arithmetic.

Pure (no Django, no I/O, no clock); see ``linli.fire.rules``.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date


class FireRuleError(ValueError):
    """Input that breaks a rule, naming the record and the field so staff can fix that row.

    ``code`` is stable (for the Django layer to map to a translated message); the text is English.
    """

    def __init__(self, record: str, field: str, message: str, code: str) -> None:
        super().__init__(f"{record or '-'}: {field}: {message}")
        self.record = record
        self.field = field
        self.message = message
        self.code = code


# ---------------------------------------------------------------------------
# Calendar arithmetic


def add_months(day: date, months: int) -> date:
    """Shift by calendar months; a day the target month lacks becomes its last day.

    So 31 January + 1 month is 28 (or 29) February: a schedule never skips a month.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month_index = divmod(index, 12)
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """Shift by whole years; 29 February lands on 28 February in a common year (domain rule)."""
    return add_months(day, 12 * years)


def check_unique_ids(ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for record_id in ids:
        if record_id in seen:
            raise FireRuleError(record_id, "id", f"duplicate id {record_id!r}", "duplicate_id")
        seen.add(record_id)
