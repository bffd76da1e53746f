"""``linli elevator``: JSON in and out, exit 2 with one line naming the problem."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from linli.elevator.cli import main


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def units(*votes: str, area: str = "50.00") -> list[dict[str, object]]:
    return [
        {"unit": f"{i + 1:03d}", "owner": f"o{i + 1}", "area": area, "vote": vote}
        for i, vote in enumerate(votes)
    ]


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "vote.json"
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return str(path)


def fail(tmp_path: Path, data: object) -> str:
    status, out, err = run(["tally", write(tmp_path, data)])
    assert status == 2
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    return err


def test_tally_prints_the_contract_fields(tmp_path: Path) -> None:
    votes = ["agree"] * 9 + ["abstain", "against", "against"]
    status, out, err = run(
        ["tally", write(tmp_path, {"rule": "SH-801-building", "units": units(*votes)})]
    )
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert {key: result[key] for key in ("passed", "quorum_met", "approval_met")} == {
        "passed": True,
        "quorum_met": True,
        "approval_met": True,
    }
    assert (result["owners"], result["total_area"]) == (12, "600.00")
    assert (result["participating_owners"], result["participating_area"]) == (12, "600.00")
    assert (result["agreeing_owners"], result["agreeing_area"]) == (9, "450.00")
    assert result["still_needed"]["owners"] == 0
    assert result["unanimity"]["owners_not_agreeing"] == 3
    assert result["checks"][2]["text"].startswith("approval by area: 450.00 m² meets >= 3/4")


def test_tally_reports_what_is_still_needed_and_groups(tmp_path: Path) -> None:
    rows = units(*["agree"] * 8, "abstain", "abstain", "against", "none")
    for row in rows:
        row["group"] = {"floor": str(row["unit"])[-1]}
    rows[-1]["area"] = 70
    status, out, _ = run(["tally", write(tmp_path, {"rule": "SH-801-building", "units": rows})])
    result = json.loads(out)
    assert status == 0
    assert result["passed"] is False
    needed = result["still_needed"]
    assert needed["owners"] == 1
    # one 50 m² owner already taking part is enough (the 70 m² owner not responding also would
    # be); by area alone 412.50 of 550.00 m² must agree, so at least 12.50 m² more
    assert (needed["from_participants"], needed["witness_area"], needed["min_area"]) == (
        1,
        "50.00",
        "12.50",
    )
    assert needed["witness"][0]["vote"] in ("abstain", "against")
    assert set(result["groups"]["floor"]) == {str(i) for i in range(10)}


def test_area_numbers_with_decimals_are_read_exactly(tmp_path: Path) -> None:
    text = (
        '{"rule": "SH-801-estate", "units": ['
        '{"unit": "1", "owner": "a", "area": 46.1, "vote": "agree"},'
        '{"unit": "2", "owner": "b", "area": 46.05, "vote": "against"}]}'
    )
    status, out, _ = run(["tally", write(tmp_path, text)])
    assert status == 0
    assert json.loads(out)["total_area"] == "92.15"


def test_tally_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = {"rule": "SH-749", "units": units("agree", "agree", "none")}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(data)))
    status, out, _ = run(["tally", "-"])
    assert status == 0
    assert json.loads(out)["passed"] is True


def test_an_inline_rule_set_is_accepted(tmp_path: Path) -> None:
    rule = {
        "schema": 1,
        "name": "draft",
        "title": "draft",
        "source": "draft",
        "scope": "building",
        "effective_from": "2030-01-01",
        "approval": {"base": "all", "owners": "1/2", "comparator": ">"},
    }
    status, out, _ = run(["tally", write(tmp_path, {"rule": rule, "units": units("agree")})])
    assert status == 0
    assert json.loads(out)["rule"] == "draft"


def test_owner_with_a_vote_on_one_unit_and_none_on_another_votes_once(tmp_path: Path) -> None:
    rows = units("agree", "none", "agree")
    rows[1]["owner"] = "o1"
    status, out, _ = run(["tally", write(tmp_path, {"rule": "SH-801-building", "units": rows})])
    result = json.loads(out)
    assert status == 0
    assert (result["owners"], result["agreeing_area"]) == (2, "150.00")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rule": "SH-000", "units": units("agree")}, "unknown rule set 'SH-000'"),
        ({"rule": "SH-749", "units": units("yes")}, "unit 001: unknown vote 'yes'"),
        ({"rule": "SH-749", "units": units("agree", area="0")}, "unit 001: area"),
        ({"rule": "SH-749", "units": units("agree", area="-3")}, "unit 001: area"),
        ({"rule": "SH-749", "units": units("agree", area="fifty")}, "unit 001: area"),
        ({"rule": "SH-749", "units": []}, "units: the roll is empty"),
        ({"rule": "SH-749"}, "units: missing"),
        ({"units": units("agree")}, "rule: missing"),
        ({"rule": "SH-749", "units": units("agree"), "extra": 1}, "extra: unknown field"),
        ([], "input: must be an object"),
        ({"rule": 5, "units": units("agree")}, "rule: must be"),
        (
            {"rule": {"name": "x"}, "units": units("agree")},
            "rule.schema: missing",
        ),
    ],
)
def test_bad_input_exits_2_naming_the_problem(tmp_path: Path, data: object, message: str) -> None:
    assert message in fail(tmp_path, data)


def test_one_owner_voting_two_ways_names_the_owner(tmp_path: Path) -> None:
    rows = units("agree", "against")
    rows[1]["owner"] = "o1"
    assert "owner o1: votes 'agree' on unit 001 and 'against' on unit 002" in fail(
        tmp_path, {"rule": "SH-801-building", "units": rows}
    )


def test_duplicate_unit_ids(tmp_path: Path) -> None:
    rows = units("agree", "agree")
    rows[1]["unit"] = "001"
    assert "unit 001: appears twice" in fail(tmp_path, {"rule": "SH-749", "units": rows})


def test_malformed_json_and_duplicate_keys(tmp_path: Path) -> None:
    assert "is not valid JSON" in fail(tmp_path, '{"rule": "SH-749", "units": [')
    assert "duplicate key 'vote'" in fail(
        tmp_path,
        '{"rule": "SH-749", "units": [{"unit": "1", "owner": "a", "area": "5", '
        '"vote": "agree", "vote": "against"}]}',
    )
    assert "NaN is not a number" in fail(
        tmp_path, '{"rule": "SH-749", "units": [{"unit": "1", "owner": "a", "area": NaN}]}'
    )


def test_missing_file(tmp_path: Path) -> None:
    status, _, err = run(["tally", str(tmp_path / "nope.json")])
    assert status == 2
    assert err.startswith("error: cannot read ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "missing command"),
        (["count"], "unknown command 'count'"),
        (["tally"], "tally takes exactly one FILE"),
        (["tally", "a", "b"], "tally takes exactly one FILE"),
    ],
)
def test_usage_errors(argv: list[str], message: str) -> None:
    status, _, err = run(argv)
    assert status == 2
    assert message in err


def test_help() -> None:
    status, out, _ = run(["--help"])
    assert status == 0
    assert "linli elevator tally FILE.json" in out


def test_rules_lists_the_shipped_rule_sets_and_checks_a_file(tmp_path: Path) -> None:
    status, out, _ = run(["rules"])
    assert status == 0
    listed = {rule["name"]: rule for rule in json.loads(out)}
    assert listed["SH-801-estate"]["approval"] == {
        "base": "participating",
        "area": "1/2",
        "owners": "1/2",
        "comparator": ">",
    }
    bad = write(tmp_path, {"schema": 1, "name": "x"})
    status, _, err = run(["rules", bad])
    assert status == 2
    assert err == "error: title: missing\n"
