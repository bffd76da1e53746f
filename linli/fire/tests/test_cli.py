"""``linli fire lifecycle``: JSON in, JSON out, exit 2 with one line naming the record."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from linli.fire.cli import main

GOOD: dict[str, Any] = {
    "on": "2025-03-01",
    "extinguishers": [
        {"id": "E1", "type": "powder", "manufactured": "2020-02-29", "last_maintained": None},
        {
            "id": "E2",
            "type": "water",
            "manufactured": "2019-03-01",
            "last_maintained": "2024-03-01",
        },
        {"id": 3, "type": "co2", "manufactured": "2014-01-01", "last_maintained": "2023-01-01"},
        {"id": "E4", "type": "clean_agent", "manufactured": "2024-01-01", "last_maintained": None},
        {
            "id": "E5",
            "type": "powder",
            "manufactured": "2024-01-01",
            "last_maintained": None,
            "was_in_fire": True,
        },
    ],
}


def run(tmp_path: Path, document: Any, *, raw: str | None = None) -> tuple[int, str, str]:
    path = tmp_path / "in.json"
    path.write_text(raw if raw is not None else json.dumps(document), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["lifecycle", str(path)], out, err)
    return code, out.getvalue(), err.getvalue()


def test_lifecycle_prints_dates_and_actions(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, GOOD)
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["on"] == "2025-03-01"
    rows = {row["id"]: row for row in report["extinguishers"]}
    assert list(rows) == ["E1", "E2", 3, "E4", "E5"]  # input order, ids as given
    assert rows["E1"] == {
        "id": "E1",
        "type": "powder",
        "next_maintenance": "2025-02-28",
        "scrap_date": "2030-02-28",
        "action": "maintain",
        "next_due": "2025-02-28",
        "next_due_kind": "maintain",
        "days_to_due": -1,
        "window": "overdue",
        "scrap_conditions": [],
    }
    assert (rows["E2"]["next_maintenance"], rows["E2"]["scrap_date"], rows["E2"]["action"]) == (
        None,
        "2025-03-01",
        "replace",
    )
    assert (rows[3]["next_maintenance"], rows[3]["scrap_date"], rows[3]["action"]) == (
        "2025-01-01",
        "2026-01-01",
        "maintain",
    )
    assert (rows["E4"]["next_maintenance"], rows["E4"]["action"], rows["E4"]["window"]) == (
        "2029-01-01",
        "ok",
        "ok",
    )
    assert (rows["E5"]["action"], rows["E5"]["scrap_conditions"]) == ("replace", ["was_in_fire"])


def test_lifecycle_reads_standard_input() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["lifecycle", "-"], out, err, stdin=io.StringIO(json.dumps(GOOD)))
    assert code == 0
    assert len(json.loads(out.getvalue())["extinguishers"]) == 5


def test_an_empty_list_is_fine(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, {"on": "2025-03-01", "extinguishers": []})
    assert (code, json.loads(out)) == (0, {"on": "2025-03-01", "extinguishers": []})


def with_record(index: int, **changes: Any) -> dict[str, Any]:
    records = [dict(r) for r in GOOD["extinguishers"]]
    for key, value in changes.items():
        if value is ...:
            records[index].pop(key)
        else:
            records[index][key] = value
    return {"on": GOOD["on"], "extinguishers": records}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (with_record(1, type="foam"), ['extinguishers[1] (id "E2")', 'field "type"', "foam"]),
        (with_record(1, type=7), ['extinguishers[1] (id "E2")', 'field "type"']),
        (with_record(0, manufactured="2020-13-01"), ['(id "E1")', 'field "manufactured"']),
        (with_record(0, manufactured="20200101"), ['(id "E1")', 'field "manufactured"']),
        (with_record(2, last_maintained="2023/01/01"), ["(id 3)", 'field "last_maintained"']),
        (with_record(0, manufactured="2025-03-02"), ['(id "E1")', 'field "manufactured"', "after"]),
        (
            with_record(1, last_maintained="2025-03-02"),
            ['(id "E2")', 'field "last_maintained"', "after"],
        ),
        (
            with_record(1, last_maintained="2019-02-28"),
            ['(id "E2")', 'field "last_maintained"', "before manufacture"],
        ),
        (with_record(3, type=...), ['extinguishers[3] (id "E4")', 'field "type"', "missing"]),
        (with_record(3, last_maintained=...), ['(id "E4")', 'field "last_maintained"', "missing"]),
        (with_record(3, id=...), ["extinguishers[3]:", 'field "id"', "missing"]),
        (with_record(3, id=""), ["extinguishers[3]:", 'field "id"']),
        (with_record(3, id="E1"), ['extinguishers[3] (id "E1")', 'field "id"', "duplicate"]),
        (with_record(4, was_in_fire="yes"), ['(id "E5")', 'field "was_in_fire"']),
        ({"on": "2025-3-1", "extinguishers": []}, ['field "on"', "malformed date"]),
        ({"extinguishers": []}, ['field "on"', "missing"]),
        ({"on": "2025-03-01"}, ['field "extinguishers"', "missing"]),
        ({"on": "2025-03-01", "extinguishers": {}}, ['field "extinguishers"', "list"]),
        ({"on": "2025-03-01", "extinguishers": ["E1"]}, ["extinguishers[0]", "object"]),
        ([], ["JSON object"]),
    ],
)
def test_bad_records_exit_2_with_one_line_naming_record_and_field(
    tmp_path: Path, document: Any, expected: list[str]
) -> None:
    code, out, err = run(tmp_path, document)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    for part in expected:
        assert part in err


def test_malformed_json_exits_2(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, None, raw='{"on": "2025-03-01", ')
    assert (code, out) == (2, "")
    assert "malformed JSON at line 1" in err
    assert err.count("\n") == 1


def test_missing_file_exits_2(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["lifecycle", str(tmp_path / "nope.json")], out, err)
    assert (code, out.getvalue()) == (2, "")
    assert "nope.json: no such file" in err.getvalue()
    assert err.getvalue().count("\n") == 1


@pytest.mark.parametrize("argv", [[], ["lifecycle"], ["scrap", "x.json"], ["lifecycle", "a", "b"]])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(argv, out, err) == 2
    assert "usage: linli fire lifecycle" in err.getvalue()


def test_help_exits_0() -> None:
    out = io.StringIO()
    assert main(["--help"], out, io.StringIO()) == 0
    assert "usage:" in out.getvalue()
