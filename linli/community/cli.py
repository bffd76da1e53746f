"""``linli community signups FILE.json``: replay sign-up operations through the seat engine.

JSON in, JSON out; exit 0 on success and 2 on bad input with one line on stderr naming the
field and the operation's index (``operations[3].at``). Runs without Django or a database.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TextIO

from linli.community.rules import SignupError, run
from linli.core.jsonin import limit_problem

USAGE = """usage: linli community signups FILE.json   replay sign-ups and cancels (- = stdin)

input:  {"capacity": 30, "reserved_offline": 5, "release_at": "2026-12-01T12:00",
         "operations": [{"at": "2026-11-30T09:00", "op": "signup", "person": "p1",
                         "channel": "online"}, ...]}
output: {"confirmed": [...], "waitlist": [...], "results": [...], "promotions": [...]}"""


class UsageError(Exception):
    """Bad command line or unreadable input (exit status 2)."""


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise UsageError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> object:
    raise UsageError(f"{name} is not a number")


def _read_json(path: str, stdin: TextIO) -> object:
    label = "stdin" if path == "-" else path
    try:
        if path == "-":
            text = stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        raise UsageError(f"cannot read {label}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{label} is not UTF-8 text") from None
    problem = limit_problem(text)
    if problem:
        raise UsageError(f"{label}: {problem}")
    try:
        return json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_reject_duplicates
        )
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{label} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except UsageError as error:
        raise UsageError(f"{label}: {error}") from None


def main(
    argv: Sequence[str],
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run ``linli community`` with the arguments after ``community``; return the exit status."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    inp = stdin if stdin is not None else sys.stdin
    args = list(argv)
    if args and args[0] in ("-h", "--help", "help"):
        print(USAGE, file=out)
        return 0
    if not args:
        print("error: missing command (use signups; --help for usage)", file=err)
        return 2
    command, rest = args[0], args[1:]
    try:
        if command != "signups":
            raise UsageError(f"unknown command {command!r} (use signups)")
        if len(rest) != 1:
            raise UsageError("signups takes exactly one FILE (use - for stdin)")
        result = run(_read_json(rest[0], inp))
    except (UsageError, SignupError) as error:
        print(f"error: {error}", file=err)
        return 2
    json.dump(result, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return 0
