"""What every consent rule shares: the rule error, an owner's response, the literal types."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Comparator = Literal[">=", ">"]
Base = Literal["all", "participating"]
Scope = Literal["building", "estate"]

SCHEMA_VERSION = 1
DEVELOPER = "(developer)"
"""Owner key under which all unsold developer units are counted as one owner."""


class TallyError(ValueError):
    """Bad rule set or owner roll; ``field`` names what is wrong (a JSON path, unit or owner)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Vote(StrEnum):
    """An owner's one response. Against and abstain are participation; none is not."""

    AGREE = "agree"
    AGAINST = "against"
    ABSTAIN = "abstain"
    NONE = "none"

    @property
    def participates(self) -> bool:
        return self is not Vote.NONE
