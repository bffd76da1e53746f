"""Owners' consent to a lift retrofit: rule sets, owner roll, tally and what is still needed.

Everything here is plain data in, plain data out, so the Django layer, the ``linli elevator``
command and the tests all count a vote the same way. Areas are integer hundredths of a square
metre and ratios are ``Fraction``: a vote that passes "exactly at the boundary" must not
depend on floating-point rounding.

One package, one module per topic (``base``: the rule error and an owner's response;
``rulesets``: the versioned rule sets shipped as JSON; ``roll``: owners from units; ``counting``:
the breakdown and the checks; ``needed``: the fewest owners still needed; ``tally``: the whole
count; ``report``: the JSON shape of ``linli elevator tally`` and the API; ``documents``: what the
owners may open). Every public name is re-exported here, so callers import
``linli.elevator.rules`` as before.
"""

from __future__ import annotations

from .base import (
    DEVELOPER,
    SCHEMA_VERSION,
    Base,
    Comparator,
    Scope,
    TallyError,
    Vote,
)
from .counting import (
    Breakdown,
    Check,
    Count,
    decide,
)
from .documents import (
    DESIGN_DOCUMENTS,
    IMAGE_SUFFIXES,
    OWNER_DOCUMENTS,
    is_image,
)
from .needed import StillNeeded
from .report import (
    format_area,
    format_percent,
    format_ratio,
)
from .roll import (
    Owner,
    Unit,
    owner_roll,
    parse_area,
    parse_units,
)
from .rulesets import (
    RuleSet,
    Threshold,
    available_rulesets,
    load_ruleset,
    ruleset,
    rulesets_in_force,
)
from .tally import (
    GroupTally,
    TallyResult,
    Unanimity,
    tally,
)

__all__ = [
    "DESIGN_DOCUMENTS",
    "DEVELOPER",
    "IMAGE_SUFFIXES",
    "OWNER_DOCUMENTS",
    "SCHEMA_VERSION",
    "Base",
    "Breakdown",
    "Check",
    "Comparator",
    "Count",
    "GroupTally",
    "Owner",
    "RuleSet",
    "Scope",
    "StillNeeded",
    "TallyError",
    "TallyResult",
    "Threshold",
    "Unanimity",
    "Unit",
    "Vote",
    "available_rulesets",
    "decide",
    "format_area",
    "format_percent",
    "format_ratio",
    "is_image",
    "load_ruleset",
    "owner_roll",
    "parse_area",
    "parse_units",
    "ruleset",
    "rulesets_in_force",
    "tally",
]
