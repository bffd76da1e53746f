"""``linli elevator ...``: the batch and machine interface to the consent tally.

JSON in, JSON out; exit 0 on success and 2 on bad input with one line on stderr naming the
field, unit or owner, so scripts and staff see what to fix.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TextIO, cast

from linli.core.jsonin import limit_problem
from linli.elevator.rules import (
    RuleSet,
    TallyError,
    Threshold,
    available_rulesets,
    format_ratio,
    load_ruleset,
    parse_units,
    ruleset,
    tally,
)

USAGE = """usage: linli elevator tally FILE.json   count a vote (FILE may be - for stdin)
       linli elevator rules [FILE.json]    list the shipped rule sets, or check one rule file"""

_REQUEST_KEYS = frozenset({"rule", "units"})


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


def _read_json(path: str) -> object:
    """Read a file (or stdin for "-"); numbers are parsed as Decimal, never float."""
    label = "stdin" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.read()
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
            text,
            parse_float=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_reject_duplicates,
        )
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{label} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except UsageError as error:
        raise UsageError(f"{label}: {error}") from None


def _rule(value: object) -> RuleSet:
    if isinstance(value, str):
        return ruleset(value)
    if isinstance(value, Mapping):
        return load_ruleset(value, where="rule.")
    raise TallyError("rule", "must be a rule-set name or a rule-set object")


def _tally(path: str) -> dict[str, object]:
    request = _read_json(path)
    if not isinstance(request, Mapping):
        raise TallyError("input", 'must be an object {"rule": ..., "units": [...]}')
    data = cast(Mapping[str, object], request)
    unknown = sorted(set(data) - _REQUEST_KEYS)
    if unknown:
        raise TallyError(unknown[0], "unknown field")
    if "rule" not in data:
        raise TallyError("rule", "missing")
    if "units" not in data:
        raise TallyError("units", "missing")
    rule = _rule(data["rule"])
    return tally(rule, parse_units(data["units"])).as_dict()


def _rule_summary(rule: RuleSet) -> dict[str, object]:
    def threshold(value: Threshold | None) -> dict[str, object] | None:
        if value is None:
            return None
        return {
            "base": value.base,
            "area": None if value.area is None else format_ratio(value.area),
            "owners": None if value.owners is None else format_ratio(value.owners),
            "comparator": value.comparator,
        }

    return {
        "name": rule.name,
        "title": rule.title,
        "source": rule.source,
        "scope": rule.scope,
        "effective_from": rule.effective_from.isoformat(),
        "effective_to": None if rule.effective_to is None else rule.effective_to.isoformat(),
        "quorum": threshold(rule.quorum),
        "approval": threshold(rule.approval),
        "manual_conditions": list(rule.manual_conditions),
    }


def _rules(args: Sequence[str]) -> object:
    if not args:
        return [_rule_summary(ruleset(name)) for name in available_rulesets()]
    if len(args) > 1:
        raise UsageError("rules takes at most one FILE")
    return _rule_summary(load_ruleset(_read_json(args[0])))


def main(argv: Sequence[str], stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run ``linli elevator`` with the arguments after ``elevator``; return the exit status."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    args = list(argv)
    if args and args[0] in ("-h", "--help", "help"):
        print(USAGE, file=out)
        return 0
    if not args:
        print("error: missing command (use tally or rules; --help for usage)", file=err)
        return 2
    command, rest = args[0], args[1:]
    try:
        if command == "tally":
            if len(rest) != 1:
                raise UsageError("tally takes exactly one FILE (use - for stdin)")
            result: object = _tally(rest[0])
        elif command == "rules":
            result = _rules(rest)
        else:
            raise UsageError(f"unknown command {command!r} (use tally or rules)")
    except (UsageError, TallyError) as error:
        print(f"error: {error}", file=err)
        return 2
    json.dump(result, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return 0
