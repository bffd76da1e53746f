"""Tests of ``linli risk`` through ``main`` with temporary files (no Django, no database)."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from linli.risk.cli import main
from linli.risk.rules import default_method

M = default_method()
WORKED = {
    "XF01": [{"L": 4, "S": 4}],
    "XF03": [{"L": 4, "S": 3}],
    "XF04": [{"L": 2, "S": 4}],
    "XF05": [{"L": 2, "S": 3}],
    "XF06": [{"L": 3, "S": 4}],
    "XF07": [{"L": 4, "S": 5}],
    "XF08": [{"L": 3, "S": 3}],
}
NO_BASEMENT = dict.fromkeys(("DX01", "DX02", "DX03", "DX04"), "NA")


def document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "method": "linli-2026",
        "committee": "陕新居委",
        "samples": [
            {"id": "S1", "subunits": {**WORKED, **NO_BASEMENT}},
            {"id": "S2", "subunits": {"WY01": [{"L": 2, "S": 3, "major_fire_hazard": True}]}},
            {"id": "S3", "subunits": {}},
        ],
    }
    doc.update(changes)
    return doc


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def score_text(tmp_path: Path, text: str) -> tuple[int, str, str]:
    path = tmp_path / "committee.json"
    path.write_text(text, encoding="utf-8")
    return run(["score", str(path)])


def score(tmp_path: Path, doc: object) -> tuple[int, str, str]:
    return score_text(tmp_path, json.dumps(doc, ensure_ascii=False))


def test_score_success(tmp_path: Path) -> None:
    code, out, err = score(tmp_path, document())
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert set(result) == {"method", "committee", "samples"}
    assert result["method"] == "linli-2026"
    committee = result["committee"]
    assert set(committee) == {"value", "grade", "color", "units"}
    assert list(committee["units"]) == list(M.unit_codes)
    assert committee["units"]["XF"] == {"value": 20.25, "grade": "B"}  # 60.75 / 3, floor B
    assert committee["units"]["DX"] == {"value": 0.0, "grade": "D"}  # NA in S1 only
    s1 = result["samples"][0]
    assert set(s1) == {"id", "value", "grade", "units", "subunits"}
    assert s1["id"] == "S1"
    assert s1["units"]["XF"] == {"value": 60.75, "grade": "A"}
    assert s1["units"]["DX"] is None
    assert list(s1["subunits"]) == list(M.subunit_codes)
    assert s1["subunits"]["XF07"] == {"value": 80.0, "grade": "A"}
    assert s1["subunits"]["XF02"] == {"value": 0.0, "grade": "D"}
    assert s1["subunits"]["DX01"] is None
    s2 = result["samples"][1]
    assert s2["units"]["WY"] == {"value": 14.0, "grade": "B"}  # major fire hazard: floor B
    assert committee["units"]["WY"] == {"value": 4.67, "grade": "B"}  # 14 / 3
    assert s2["subunits"]["WY01"]["grade"] == "A"


def test_values_have_exactly_two_decimals_in_the_text(tmp_path: Path) -> None:
    code, out, _ = score(tmp_path, document())
    assert code == 0
    values = re.findall(r'"value": ([^,}\s]+)', out)
    # committee 1 + 8 units; S1 without its 4 basement sub-units and DX; S2 and S3 complete.
    assert len(values) == (1 + 8) + (1 + 7 + 37) + 2 * (1 + 8 + 41)
    assert all(re.fullmatch(r"\d+\.\d\d", v) for v in values), values
    assert '"value": 60.75' in out
    assert '"value": 0.00' in out
    assert '"value": 80.00' in out


def test_committee_value_and_colour(tmp_path: Path) -> None:
    _, out, _ = score(tmp_path, document())
    result = json.loads(out)
    values = [s["value"] for s in result["samples"]]
    assert result["committee"]["grade"] == "D"
    assert result["committee"]["color"] == "blue"
    assert abs(result["committee"]["value"] - sum(values) / 3) < 0.01


def test_chinese_stays_utf8_and_compact_is_one_line(tmp_path: Path) -> None:
    doc = document(samples=[{"id": "长乐路300弄", "subunits": WORKED}])
    code, out, _ = score(tmp_path, doc)
    assert code == 0
    assert '"id": "长乐路300弄"' in out
    path = tmp_path / "committee.json"
    code, out, _ = run(["score", "--compact", str(path)])
    assert code == 0
    assert out.count("\n") == 1
    assert json.loads(out)["samples"][0]["id"] == "长乐路300弄"


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(document())))
    code, out, _ = run(["score", "-"])
    assert code == 0
    assert json.loads(out)["samples"][0]["units"]["XF"]["value"] == 60.75
    raw = io.TextIOWrapper(io.BytesIO(json.dumps(document(), ensure_ascii=False).encode()))
    monkeypatch.setattr(sys, "stdin", raw)
    assert run(["score", "-"])[0] == 0


def bad_finding(value: Any, field: str = "L") -> dict[str, Any]:
    finding = {"L": 3, "S": 3}
    finding[field] = value
    return document(
        samples=[
            {"id": "S1", "subunits": {}},
            {"id": "S2", "subunits": {"XF01": [{"L": 3, "S": 3}, finding]}},
        ]
    )


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (bad_finding(6), "sample S2, sub-unit XF01, finding 2: L must be an integer 1–5, got 6"),
        (
            bad_finding(0, "S"),
            "sample S2, sub-unit XF01, finding 2: S must be an integer 1–5, got 0",
        ),
        (
            bad_finding(4.0),
            "sample S2, sub-unit XF01, finding 2: L must be an integer 1–5, got 4.0",
        ),
        (
            bad_finding("4"),
            'sample S2, sub-unit XF01, finding 2: L must be an integer 1–5, got "4"',
        ),
        (
            bad_finding(True),
            "sample S2, sub-unit XF01, finding 2: L must be an integer 1–5, got true",
        ),
        (bad_finding(1, "major"), "sample S2, sub-unit XF01, finding 2: unknown field 'major'"),
        (
            bad_finding("yes", "major_fire_hazard"),
            "sample S2, sub-unit XF01, finding 2: major_fire_hazard must be true or false",
        ),
        (
            document(samples=[{"id": "S1", "subunits": {"XF09": [{"L": 3, "S": 3}]}}]),
            "sample S1, sub-unit XF09: unknown sub-unit code",
        ),
        (
            document(samples=[{"id": "S1", "subunits": {"XF01": "na"}}]),
            'sample S1, sub-unit XF01: must be a list of findings or "NA"',
        ),
        (
            document(samples=[{"id": "S1", "subunits": {"XF01": [{"L": 3}]}}]),
            "sample S1, sub-unit XF01, finding 1: S is missing",
        ),
        (document(samples=[]), "samples: the sample list is empty"),
        (
            document(samples=[{"id": "S1"}, {"id": "S1"}]),
            "sample S1: duplicate sample id",
        ),
        (
            document(samples=[{"id": "S1", "subunits": dict.fromkeys(M.subunit_codes, "NA")}]),
            "sample S1: every unit is NA",
        ),
        (document(samples=[{"subunits": {}}]), "sample #1: id must be a non-empty string"),
        (document(method="linli-1999"), "method: unknown method version 'linli-1999'"),
        ({"samples": []}, "method: is missing"),
        ([], "input must be a JSON object"),
    ],
)
def test_invalid_input_exits_2_with_one_line(tmp_path: Path, doc: object, message: str) -> None:
    code, out, err = score(tmp_path, doc)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.endswith("\n")
    assert message in err, err


def test_malformed_json(tmp_path: Path) -> None:
    code, out, err = score_text(tmp_path, '{"method": "linli-2026", "samples": [}')
    assert (code, out) == (2, "")
    assert "malformed JSON at line 1 column" in err
    assert err.count("\n") == 1


def test_duplicate_json_keys_are_refused(tmp_path: Path) -> None:
    text = (
        '{"method": "linli-2026", "samples": [{"id": "S1", "subunits": {"XF01": [], "XF01": []}}]}'
    )
    code, _, err = score_text(tmp_path, text)
    assert code == 2
    assert "duplicate key 'XF01'" in err


def test_missing_file(tmp_path: Path) -> None:
    code, out, err = run(["score", str(tmp_path / "nope.json")])
    assert (code, out) == (2, "")
    assert err == f"error: {tmp_path / 'nope.json'}: no such file\n"


def test_help_and_usage_errors() -> None:
    code, out, err = run(["--help"])
    assert code == 0
    assert "score" in out
    assert err == ""
    code, out, _ = run(["score", "--help"])
    assert code == 0
    assert "FILE" in out
    assert "major_fire_hazard" in out
    code, _, err = run([])
    assert code == 2
    assert "a command is required" in err
    code, _, err = run(["score"])
    assert code == 2
    assert "FILE" in err
    code, _, err = run(["bogus"])
    assert code == 2
    assert "invalid choice" in err


def test_methods_lists_versions() -> None:
    code, out, _ = run(["methods"])
    assert code == 0
    assert "linli-2026" in out.split()
