"""``linli risk``: score a committee from a JSON file without a database.

The top-level ``linli`` command calls ``main`` with the arguments after ``risk``. Output
values are JSON numbers with exactly two decimals (half-up), so the JSON text is written by
a small encoder here: the standard encoder cannot print ``Decimal('40.00')`` as ``40.00``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import NoReturn, TextIO

from linli.core.jsonin import limit_problem
from linli.risk.rules import (
    NA,
    CommitteeResult,
    Finding,
    MethodError,
    RiskError,
    SampleInput,
    ScoringError,
    SubunitEntry,
    SubunitResult,
    UnitResult,
    available_methods,
    get_method,
    round_half_up,
    score_committee,
)

__all__ = ["main"]

EXIT_OK = 0
EXIT_ERROR = 2

_FINDING_KEYS = frozenset({"L", "S", "major_fire_hazard"})


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _InputError(Exception):
    """A problem with the input file itself (missing, unreadable, malformed JSON)."""


def _parser(out: TextIO, err: TextIO) -> argparse.ArgumentParser:
    """An argparse parser that writes to the given streams and never calls sys.exit."""

    class Parser(argparse.ArgumentParser):
        def print_help(self, file: object = None) -> None:
            out.write(self.format_help())

        def print_usage(self, file: object = None) -> None:
            err.write(self.format_usage())

        def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
            if message:
                err.write(message)
            raise _Exit(status)

        def error(self, message: str) -> NoReturn:
            self.print_usage()
            self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")

    parser = Parser(
        prog="linli risk",
        description="Safety-risk assessment (三色预警): score committees from JSON.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    score = commands.add_parser(
        "score",
        help="score one committee from a JSON file and print the result as JSON",
        description=(
            'Score one committee. Input: {"method": "linli-2026", "committee": "...", '
            '"samples": [{"id": "S1", "subunits": {"XF01": [{"L": 4, "S": 4}], '
            '"DX01": "NA"}}]}. A sub-unit left out has no findings; "NA" means not '
            'applicable; a finding may carry "major_fire_hazard": true. Exit status 0 on '
            "success, 2 on invalid input (one line on stderr)."
        ),
    )
    score.add_argument("file", metavar="FILE", help="input JSON file, or - for stdin")
    score.add_argument("--compact", action="store_true", help="print the JSON on one line")
    commands.add_parser("methods", help="list the method versions shipped with Linli")
    return parser


def main(argv: Sequence[str], stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run ``linli risk ARGS``; returns the exit status (0 success, 2 invalid input)."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = _parser(out, err)
    try:
        args = parser.parse_args(list(argv))
    except _Exit as exc:
        return exc.status
    if args.command == "methods":
        for version in available_methods():
            out.write(f"{version}\n")
        return EXIT_OK
    if args.command != "score":
        parser.print_usage()
        err.write("linli risk: error: a command is required (score, methods)\n")
        return EXIT_ERROR
    try:
        data = _read_json(args.file)
        result = _score(data)
    except (_InputError, RiskError) as exc:
        err.write(f"error: {exc}\n")
        return EXIT_ERROR
    out.write(_dumps(_output(result), indent=None if args.compact else 2))
    out.write("\n")
    return EXIT_OK


# --------------------------------------------------------------------------- input


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _InputError(f"duplicate key {key!r} in a JSON object")
        result[key] = value
    return result


def _read_json(name: str) -> object:
    label = "stdin" if name == "-" else name
    try:
        if name == "-":
            buffer = getattr(sys.stdin, "buffer", None)
            raw = buffer.read() if buffer is not None else sys.stdin.read()
        else:
            raw = Path(name).read_bytes()
    except FileNotFoundError:
        raise _InputError(f"{label}: no such file") from None
    except OSError as exc:
        raise _InputError(f"{label}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise _InputError(f"{label}: not UTF-8 text") from None
    problem = limit_problem(text)
    if problem:
        raise _InputError(f"{label}: {problem}")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise _InputError(
            f"{label}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except _InputError as exc:
        raise _InputError(f"{label}: {exc}") from None


def _finding(raw: object, sample: str, code: str, index: int) -> Finding:
    def fail(problem: str) -> NoReturn:
        raise ScoringError(problem, sample=sample, subunit=code, finding=index)

    if not isinstance(raw, dict):
        fail('a finding must be an object like {"L": 4, "S": 4}')
    unknown = sorted(set(raw) - _FINDING_KEYS)
    if unknown:
        fail(f"unknown field {unknown[0]!r} (allowed: L, S, major_fire_hazard)")
    values = []
    for name in ("L", "S"):
        if name not in raw:
            fail(f"{name} is missing")
        value = raw[name]
        if type(value) is not int or not 1 <= value <= 5:
            fail(f"{name} must be an integer 1–5, got {json.dumps(value)}")
        values.append(value)
    major = raw.get("major_fire_hazard", False)
    if not isinstance(major, bool):
        fail(f"major_fire_hazard must be true or false, got {json.dumps(major)}")
    return Finding(values[0], values[1], major)


def _sample(raw: object, position: int) -> SampleInput:
    if not isinstance(raw, dict):
        raise ScoringError(f"sample #{position} must be an object with id and subunits")
    sid = raw.get("id")
    if not isinstance(sid, str) or not sid:
        raise ScoringError(f"sample #{position}: id must be a non-empty string")
    entries = raw.get("subunits", {})
    if not isinstance(entries, dict):
        raise ScoringError("subunits must be an object", sample=sid)
    subunits: dict[str, SubunitEntry] = {}
    for code, entry in entries.items():
        if entry == "NA":
            subunits[code] = NA
        elif isinstance(entry, list):
            subunits[code] = [_finding(f, sid, code, i) for i, f in enumerate(entry, 1)]
        else:
            raise ScoringError('must be a list of findings or "NA"', sample=sid, subunit=code)
    return SampleInput(sid, subunits)


def _score(data: object) -> CommitteeResult:
    if not isinstance(data, dict):
        raise _InputError("input must be a JSON object with method, committee and samples")
    version = data.get("method")
    if version is None:
        raise MethodError("method", 'is missing (e.g. "linli-2026")')
    if not isinstance(version, str):
        raise MethodError("method", f"must be a string, got {json.dumps(version)}")
    method = get_method(version)
    committee = data.get("committee", "")
    if not isinstance(committee, str):
        raise ScoringError(f"committee must be a string, got {json.dumps(committee)}")
    samples = data.get("samples")
    if not isinstance(samples, list):
        raise ScoringError("samples must be a list of samples")
    parsed = [_sample(raw, i) for i, raw in enumerate(samples, 1)]
    return score_committee(method, parsed, committee=committee)


# --------------------------------------------------------------------------- output


def _entry(result: UnitResult | SubunitResult | None) -> dict[str, object] | None:
    if result is None:
        return None
    return {"value": round_half_up(result.value), "grade": result.grade}


def _output(result: CommitteeResult) -> dict[str, object]:
    return {
        "method": result.method,
        "committee": {
            "value": round_half_up(result.value),
            "grade": result.grade,
            "color": result.color,
            "units": {code: _entry(u) for code, u in result.units.items()},
        },
        "samples": [
            {
                "id": sample.id,
                "value": round_half_up(sample.value),
                "grade": sample.grade,
                "units": {code: _entry(u) for code, u in sample.units.items()},
                "subunits": {code: _entry(s) for code, s in sample.subunits.items()},
            }
            for sample in result.samples
        ],
    }


def _dumps(value: object, indent: int | None, level: int = 0) -> str:
    """JSON text where ``Decimal`` values are written as-is (e.g. ``40.00``).

    With an indent, objects holding only scalars stay on one line: {"value": 64.00, ...}.
    """
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        items = [
            f"{json.dumps(str(k), ensure_ascii=False)}: {_dumps(v, indent, level + 1)}"
            for k, v in value.items()
        ]
        flat = not any(isinstance(v, Mapping | list | tuple) for v in value.values())
        return _wrap("{", "}", items, None if flat else indent, level)
    if isinstance(value, list | tuple):
        return _wrap("[", "]", [_dumps(v, indent, level + 1) for v in value], indent, level)
    return json.dumps(value, ensure_ascii=False)


def _wrap(open_: str, close: str, items: list[str], indent: int | None, level: int) -> str:
    if not items:
        return open_ + close
    if indent is None:
        return open_ + ", ".join(items) + close
    inner = "\n" + " " * (indent * (level + 1))
    return open_ + inner + ("," + inner).join(items) + "\n" + " " * (indent * level) + close
