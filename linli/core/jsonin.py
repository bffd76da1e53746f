"""Limits every engine CLI applies to its JSON input before parsing it (one place for all).

Unbounded input made ``linli risk score`` on a 50 MB file reach 14 GB, and deeply nested JSON or
a 5,000-digit number print a traceback. :func:`limit_problem` names the first limit the text
breaks — size, nesting depth, digits of a number — or returns None; each CLI reports it in its
own error format and exits 2. Pure Python, no Django.
"""

from __future__ import annotations

import os
import re
from itertools import accumulate

MAX_BYTES = 16 * 1024 * 1024  # LINLI_CLI_MAX_BYTES
MAX_DEPTH = 64  # LINLI_CLI_MAX_DEPTH
MAX_DIGITS = 100  # digits in one number

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_LONG_NUMBER = re.compile(r"\d{" + str(MAX_DIGITS + 1) + ",}")


def _limit(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def limit_problem(text: str) -> str | None:
    """The first input limit ``text`` breaks, as a message naming the limit, or None."""
    max_bytes = _limit("LINLI_CLI_MAX_BYTES", MAX_BYTES)
    # Characters are at least one byte each: a cheap bound before encoding.
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        return f"input larger than the limit of {max_bytes} bytes"
    bare = _STRING.sub('""', text)
    max_depth = _limit("LINLI_CLI_MAX_DEPTH", MAX_DEPTH)
    steps = (1 if b in "[{" else -1 for b in _BRACKET.findall(bare))
    if max(accumulate(steps, initial=0)) > max_depth:
        return f"JSON nested deeper than the limit of {max_depth} levels"
    if _LONG_NUMBER.search(bare):
        return f"a number with more than the limit of {MAX_DIGITS} digits"
    return None
