"""Whole numbers from requests: row ids in forms, query strings and search boxes.

``str.isdigit`` is not the test: it accepts ``"²"`` and Arabic-Indic or full-width digits,
which ``int`` then refuses (a server error), and a 40-digit number passes it and overflows
the database's integer. Every view reads such values through ``plain_int``.
"""

from __future__ import annotations

MAX_DIGITS = 18  # below 2**63: every id column (bigint) holds it


def plain_int(raw: object) -> int | None:
    """The non-negative integer ``raw`` spells in plain ASCII digits (surrounding spaces
    allowed), or None when it spells none that fits a database integer."""
    text = str(raw).strip() if raw is not None else ""
    if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS:
        return int(text)
    return None
