"""``linli hall simulate``: JSON in, JSON out, exit 2 with the field named on bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from linli.hall.cli import main

MINIMAL: dict[str, Any] = {
    "windows": 4,
    "arrivals_per_hour": 30,
    "mean_service_minutes": 5,
    "hours": 40,
    "warmup_hours": 1,
    "seed": 1,
}


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def run_doc(tmp_path: Path, doc: object) -> tuple[int, str, str]:
    path = tmp_path / "hall.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return run(["simulate", str(path)])


def test_minimal_input_gives_erlang_and_simulation(tmp_path: Path) -> None:
    code, out, err = run_doc(tmp_path, MINIMAL)
    assert (code, err) == (0, "")
    report = json.loads(out)
    erlang = report["erlang_c"]
    assert erlang["stable"] is True
    assert erlang["p_wait"] == 0.3199
    assert erlang["mean_wait_minutes"] == 1.07
    assert erlang["windows_needed"] == 4
    simulated = report["simulated"]
    assert set(simulated) >= {"mean_wait_minutes", "p90_wait_minutes", "utilization", "served"}
    assert simulated["served"] > 1000
    assert 0.5 < simulated["utilization"] < 0.75
    assert report["per_hour"][0]["windows_needed"] == 4
    assert report["pooling"] is None  # one item: nothing to split
    assert report["strict_priority"] is None


def test_same_input_same_output(tmp_path: Path) -> None:
    assert run_doc(tmp_path, MINIMAL) == run_doc(tmp_path, MINIMAL)


def test_reads_stdin_with_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(MINIMAL)))
    code, out, _ = run(["simulate", "-"])
    assert code == 0
    assert json.loads(out)["load"]["windows"] == 4


def test_overloaded_hall_is_reported_unstable(tmp_path: Path) -> None:
    doc = {**MINIMAL, "windows": 2, "hours": 8, "warmup_hours": 0}
    code, out, _ = run_doc(tmp_path, doc)
    assert code == 0
    report = json.loads(out)
    assert report["erlang_c"]["stable"] is False
    assert report["erlang_c"]["mean_wait_minutes"] is None
    assert report["simulated"]["waiting_at_end"] > 0


def test_rich_input_with_skills_items_profile_and_policy(tmp_path: Path) -> None:
    doc = {
        "windows": [
            ["综合", "社保"],
            ["综合"],
            ["综合"],
            ["综合"],
            ["综合"],
            ["综合"],
            ["综合"],
            ["社保", "税务"],
            ["税务"],
            ["税务"],
        ],
        "arrivals_per_hour": [20, 35, 45, 40, 25, 30, 40, 35, 20],
        "items": [
            {"name": "综合", "share": 0.7, "mean_service_minutes": 12},
            {
                "name": "社保",
                "share": 0.1,
                "mean_service_minutes": 15,
                "distribution": "lognormal",
                "cv": 0.6,
            },
            {"name": "税务", "share": 0.2},
        ],
        "mean_service_minutes": 10,
        "policy": {"name": "priority_ageing", "credit_minutes": 15},
        "priority_share": 0.25,
        "no_show_share": 0.05,
        "target": {"share": 0.9, "within_minutes": 15},
        "seed": 3,
    }
    code, out, err = run_doc(tmp_path, doc)
    assert (code, err) == (0, "")
    assert "综合" in out  # ensure_ascii=False keeps Chinese readable
    report = json.loads(out)
    assert report["load"]["hours"] == 9  # defaults to one pass over the profile
    assert report["load"]["mean_service_minutes"] == 11.9
    assert [h["hour"] for h in report["per_hour"]] == list(range(9))
    assert report["per_hour"][2]["windows_needed"] >= report["per_hour"][0]["windows_needed"]
    assert report["erlang_c"]["peak_windows_needed"] == max(
        h["windows_needed"] for h in report["per_hour"]
    )
    pooling = report["pooling"]
    assert sum(pooling["dedicated_windows"]) == 10
    assert pooling["pooled_mean_wait_minutes"] < pooling["dedicated_mean_wait_minutes"]
    assert [line["item"] for line in pooling["lines"]] == ["综合", "社保", "税务"]
    strict = report["strict_priority"]
    assert strict["green_mean_wait_minutes"] < strict["normal_mean_wait_minutes"]
    assert set(report["simulated"]["served_by_item"]) == {"综合", "社保", "税务"}


def test_pooling_with_the_doc_split(tmp_path: Path) -> None:
    doc = {
        "windows": 10,
        "arrivals_per_hour": 40,
        "items": [
            {"name": "A", "share": 0.7, "mean_service_minutes": 12},
            {"name": "B", "share": 0.3, "mean_service_minutes": 12},
        ],
        "dedicated_windows": [7, 3],
        "hours": 8,
    }
    code, out, _ = run_doc(tmp_path, doc)
    assert code == 0
    pooling = json.loads(out)["pooling"]
    assert pooling["pooled_mean_wait_minutes"] == 2.46
    assert pooling["dedicated_mean_wait_minutes"] == 6.8


def test_fifo_policy_by_name(tmp_path: Path) -> None:
    code, out, _ = run_doc(tmp_path, {**MINIMAL, "policy": "fifo", "priority_share": 0.2})
    assert code == 0
    assert json.loads(out)["load"]["policy"] == {"name": "fifo", "credit_minutes": None}


def test_help_and_usage() -> None:
    code, out, _ = run(["--help"])
    assert code == 0
    assert "simulate" in out
    code, _, err = run([])
    assert code == 2
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "starts"),
    [
        (["estimate", "x.json"], "command:"),
        (["simulate"], "usage:"),
        (["simulate", "a", "b"], "usage:"),
    ],
)
def test_bad_command_line_exits_2(argv: list[str], starts: str) -> None:
    code, out, err = run(argv)
    assert (code, out) == (2, "")
    assert err.startswith(starts)
    assert err.count("\n") == 1


def test_missing_file_exits_2(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.json")
    code, out, err = run(["simulate", missing])
    assert (code, out) == (2, "")
    assert err.startswith(f"{missing}: cannot read")
    assert err.count("\n") == 1


@pytest.mark.parametrize("text", ["{", "", "[1, 2", '{"windows": NaN}', "{'windows': 3}"])
def test_malformed_json_exits_2(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(["simulate", str(path)])
    assert (code, out) == (2, "")
    assert err.startswith(f"{path}: malformed JSON")
    assert err.count("\n") == 1


def test_malformed_stdin_names_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("not json"))
    code, _, err = run(["simulate", "-"])
    assert code == 2
    assert err.startswith("stdin: malformed JSON")


BAD_INPUTS: list[tuple[object, str]] = [
    ([1, 2], "input: must be a JSON object"),
    ({**MINIMAL, "windows": 0}, "windows: must be a positive integer"),
    ({**MINIMAL, "windows": 2.5}, "windows: must be a positive integer"),
    ({**MINIMAL, "windows": True}, "windows: must be a positive integer"),
    ({**MINIMAL, "windows": []}, "windows: must be a non-empty list"),
    (
        {**MINIMAL, "windows": [["general"], []]},
        "windows[1]: must be a non-empty list of skill names",
    ),
    ({**MINIMAL, "windows": [["general", 7]]}, "windows[0][1]: must be a non-empty string"),
    ({**MINIMAL, "windows": [["tax"]]}, "windows[0]: unknown skill 'tax'"),
    ({k: v for k, v in MINIMAL.items() if k != "windows"}, "windows: is required"),
    (
        {k: v for k, v in MINIMAL.items() if k != "arrivals_per_hour"},
        "arrivals_per_hour: is required",
    ),
    ({**MINIMAL, "arrivals_per_hour": -1}, "arrivals_per_hour: must be ≥ 0"),
    ({**MINIMAL, "arrivals_per_hour": "30"}, "arrivals_per_hour: must be a number ≥ 0"),
    ({**MINIMAL, "arrivals_per_hour": [10, 20, 30, -5]}, "arrivals_per_hour[3]: must be ≥ 0"),
    ({**MINIMAL, "arrivals_per_hour": [10, None]}, "arrivals_per_hour[1]: must be a number ≥ 0"),
    ({**MINIMAL, "arrivals_per_hour": []}, "arrivals_per_hour: must be a non-empty list"),
    (
        {k: v for k, v in MINIMAL.items() if k != "mean_service_minutes"},
        "mean_service_minutes: is required",
    ),
    ({**MINIMAL, "mean_service_minutes": 0}, "mean_service_minutes: must be > 0"),
    ({**MINIMAL, "hours": 0}, "hours: must be > 0"),
    ({**MINIMAL, "hours": 10**6}, "hours: must be at most"),
    ({**MINIMAL, "arrivals_per_hour": 10**6, "hours": 100}, "hours: about 100,000,000 arrivals"),
    ({**MINIMAL, "warmup_hours": -1}, "warmup_hours: must be ≥ 0"),
    ({**MINIMAL, "warmup_hours": 40}, "warmup_hours: must be less than hours"),
    ({**MINIMAL, "seed": 1.5}, "seed: must be an integer"),
    ({**MINIMAL, "seed": "1"}, "seed: must be an integer"),
    ({**MINIMAL, "policy": "vip"}, "policy: must be one of fifo, priority_ageing"),
    ({**MINIMAL, "policy": {"name": "x"}}, "policy.name: must be one of"),
    (
        {**MINIMAL, "policy": {"name": "priority_ageing", "credit_minutes": -3}},
        "policy.credit_minutes: must be ≥ 0",
    ),
    ({**MINIMAL, "policy": {"name": "fifo", "weight": 2}}, "policy.weight: unknown field"),
    ({**MINIMAL, "priority_share": 1.2}, "priority_share: must be between 0 and 1"),
    ({**MINIMAL, "no_show_share": -0.1}, "no_show_share: must be between 0 and 1"),
    ({**MINIMAL, "no_show_minutes": -1}, "no_show_minutes: must be ≥ 0"),
    ({**MINIMAL, "target": 0.8}, "target: must be an object"),
    ({**MINIMAL, "target": {"share": 1}}, "target.share: must be between 0 and 1 (exclusive)"),
    ({**MINIMAL, "target": {"within_minutes": -1}}, "target.within_minutes: must be ≥ 0"),
    ({**MINIMAL, "target": {"shares": 0.8}}, "target.shares: unknown field"),
    ({**MINIMAL, "arrival_per_hour": 30}, "arrival_per_hour: unknown field"),
    ({**MINIMAL, "items": []}, "items: must be a non-empty list"),
    ({**MINIMAL, "items": ["tax"]}, "items[0]: must be an object"),
    ({**MINIMAL, "items": [{"share": 1}]}, "items[0].name: must be a non-empty string"),
    ({**MINIMAL, "items": [{"name": "a"}, {"name": "a"}]}, "items[1].name: duplicate item name"),
    ({**MINIMAL, "items": [{"name": "a", "share": -1}]}, "items[0].share: must be ≥ 0"),
    (
        {**MINIMAL, "items": [{"name": "a", "share": 0}]},
        "items: at least one item needs a share > 0",
    ),
    (
        {**MINIMAL, "items": [{"name": "a", "mean_service_minutes": 0}]},
        "items[0].mean_service_minutes: must be > 0",
    ),
    (
        {**MINIMAL, "items": [{"name": "a", "distribution": "gamma"}]},
        "items[0].distribution: must be one of",
    ),
    ({**MINIMAL, "items": [{"name": "a", "cv": 0}]}, "items[0].cv: must be > 0"),
    ({**MINIMAL, "items": [{"name": "a", "colour": "red"}]}, "items[0].colour: unknown field"),
    (
        {k: v for k, v in MINIMAL.items() if k != "mean_service_minutes"}
        | {"items": [{"name": "a"}]},
        "items[0].mean_service_minutes: is required",
    ),
    (
        {**MINIMAL, "windows": [["a"]], "items": [{"name": "a"}, {"name": "b"}]},
        "items[1]: no window has the skill 'b'",
    ),
    (
        {**MINIMAL, "items": [{"name": "a"}, {"name": "b"}], "dedicated_windows": [1]},
        "dedicated_windows: must list one window count per item",
    ),
    (
        {**MINIMAL, "items": [{"name": "a"}, {"name": "b"}], "dedicated_windows": [1, 0]},
        "dedicated_windows[1]: must be a positive integer",
    ),
    (
        {**MINIMAL, "items": [{"name": "a"}, {"name": "b"}], "dedicated_windows": [1, 1]},
        "dedicated_windows: must add up to the 4 windows",
    ),
]


@pytest.mark.parametrize(("doc", "message"), BAD_INPUTS)
def test_bad_input_exits_2_naming_the_field(tmp_path: Path, doc: object, message: str) -> None:
    code, out, err = run_doc(tmp_path, doc)
    assert (code, out) == (2, "")
    assert err.startswith(message), err
    assert err.count("\n") == 1


def test_day_profile_with_closed_hours(tmp_path: Path) -> None:
    day = [0.0] * 8 + [30, 45, 50, 45, 30, 35, 45, 40, 40] + [0.0] * 7
    code, out, _ = run_doc(
        tmp_path, {"windows": 10, "arrivals_per_hour": day, "mean_service_minutes": 12, "seed": 2}
    )
    assert code == 0
    report = json.loads(out)
    assert report["load"]["hours"] == 24
    assert report["load"]["arrivals_per_hour"] == 40.0  # mean over the open hours
    assert len(report["per_hour"]) == 24
    assert report["per_hour"][3]["windows_needed"] == 0
    assert report["per_hour"][10]["windows_needed"] == 12
    assert report["per_hour"][3]["simulated"]["arrivals"] == 0
