"""``linli fire …`` commands: the fire rules as JSON in, JSON out, without a database.

The top-level ``linli`` command passes the arguments after ``fire``. Bad input exits with
status 2 and one line on stderr that names the record and the field, so a script or a clerk
can fix the row without reading a traceback.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from linli.core.jsonin import limit_problem
from linli.fire.rules import (
    Extinguisher,
    FireRuleError,
    ScrapCondition,
    due_window,
    lifecycle,
)

__all__ = ["main"]

USAGE = "usage: linli fire lifecycle FILE.json   (FILE may be '-' for standard input)"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_REQUIRED = ("id", "type", "manufactured", "last_maintained")


class InputError(Exception):
    """Bad input; the message is the single line printed on stderr."""


def main(
    argv: Sequence[str],
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run ``linli fire <command>``; return the exit status (0 ok, 2 bad input or usage)."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    args = list(argv)
    if args[:1] in (["-h"], ["--help"], ["help"]) or args[1:] in (["-h"], ["--help"]):
        print(USAGE, file=out)
        return 0
    if args[:1] not in ([], ["lifecycle"]):
        print(f"linli fire: unknown command {args[0]!r}", file=err)
    if args[:1] != ["lifecycle"] or len(args) != 2:
        print(USAGE, file=err)
        return 2
    try:
        document = _load(args[1], stdin if stdin is not None else sys.stdin)
        report = lifecycle_report(document)
    except InputError as exc:
        print(f"linli fire lifecycle: {exc}", file=err)
        return 2
    json.dump(report, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return 0


def _load(name: str, stdin: TextIO) -> Any:
    try:
        text = stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    problem = limit_problem(text)
    if problem:
        raise InputError(f"{name}: {problem}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


def _date(value: object, where: str, field: str) -> date:
    """A strict YYYY-MM-DD date (``date.fromisoformat`` alone also takes 20240101 and weeks)."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f'{where}field "{field}": malformed date {value!r}, expected YYYY-MM-DD')


def lifecycle_report(document: Any) -> dict[str, Any]:
    """Validate the ``lifecycle`` input document and compute its output document."""
    if not isinstance(document, dict):
        raise InputError('the input must be a JSON object with "on" and "extinguishers"')
    for key in ("on", "extinguishers"):
        if key not in document:
            raise InputError(f'field "{key}": missing')
    on = _date(document["on"], "", "on")
    records = document["extinguishers"]
    if not isinstance(records, list):
        raise InputError('field "extinguishers": must be a list')

    seen: dict[str, int] = {}
    rows = []
    for index, record in enumerate(records):
        where = f"extinguishers[{index}]: "
        if not isinstance(record, dict):
            raise InputError(f"{where}must be an object")
        raw_id = record.get("id")
        if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) and raw_id != "":
            where = f"extinguishers[{index}] (id {json.dumps(raw_id, ensure_ascii=False)}): "
        for key in _REQUIRED:
            if key not in record:
                raise InputError(f'{where}field "{key}": missing')
        if raw_id == "" or isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
            raise InputError(f'{where}field "id": must be a non-empty string or an integer')
        record_id = str(raw_id)
        if record_id in seen:
            raise InputError(f'{where}field "id": duplicate of extinguishers[{seen[record_id]}]')
        seen[record_id] = index
        if not isinstance(record["type"], str):
            raise InputError(f'{where}field "type": must be a string')
        flags = {}
        for condition in ScrapCondition:
            flag = record.get(condition.value, False)
            if not isinstance(flag, bool):
                raise InputError(f'{where}field "{condition.value}": must be true or false')
            flags[condition.value] = flag
        maintained = record["last_maintained"]
        ext = Extinguisher(
            id=record_id,
            type=record["type"],
            manufactured=_date(record["manufactured"], where, "manufactured"),
            last_maintained=None
            if maintained is None
            else _date(maintained, where, "last_maintained"),
            **flags,
        )
        try:
            life = lifecycle(ext, on)
        except FireRuleError as exc:
            raise InputError(f'{where}field "{exc.field}": {exc.message}') from None
        rows.append(
            {
                "id": raw_id,
                "type": life.type.value,
                "next_maintenance": _iso(life.next_maintenance),
                "scrap_date": life.scrap_date.isoformat(),
                "action": life.action.value,
                "next_due": life.next_due.isoformat(),
                "next_due_kind": life.next_due_kind.value,
                "days_to_due": (life.next_due - on).days,
                "window": due_window(life.next_due, on).value,
                "scrap_conditions": sorted(c.value for c in life.scrap_conditions),
            }
        )
    return {"on": on.isoformat(), "extinguishers": rows}


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
