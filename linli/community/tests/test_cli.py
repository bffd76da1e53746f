"""``linli community signups``: JSON in and out, exit 2 with one line naming the problem."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from linli.community.cli import main

ROOT = Path(__file__).resolve().parents[3]
REQUEST = {
    "capacity": 2,
    "reserved_offline": 1,
    "release_at": "2026-12-01T12:00",
    "operations": [
        {"at": "2026-11-30T09:00", "op": "signup", "person": "王", "channel": "online"},
        {"at": "2026-11-30T09:01", "op": "signup", "person": "李", "channel": "online"},
        {"at": "2026-11-30T09:02", "op": "signup", "person": "张", "channel": "staff"},
        {"at": "2026-12-01T12:00", "op": "cancel", "person": "王"},
    ],
}


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return status, out.getvalue(), err.getvalue()


def test_file_in_json_out(tmp_path: Path) -> None:
    path = tmp_path / "ops.json"
    path.write_text(json.dumps(REQUEST, ensure_ascii=False), encoding="utf-8")
    status, out, err = run(["signups", str(path)])
    assert (status, err) == (0, "")
    assert json.loads(out) == {
        "confirmed": [
            {"person": "张", "channel": "staff", "seat": "held"},
            {"person": "李", "channel": "online", "seat": "general"},
        ],
        "waitlist": [],
        "results": [
            {"index": 0, "person": "王", "result": "confirmed", "seat": "general"},
            {"index": 1, "person": "李", "result": "waitlisted"},
            {"index": 2, "person": "张", "result": "confirmed", "seat": "held"},
            {"index": 3, "person": "王", "result": "cancelled"},
        ],
        "promotions": [{"person": "李", "at": "2026-12-01T12:00", "seat": "general"}],
    }


def test_dash_reads_stdin() -> None:
    status, out, _ = run(["signups", "-"], json.dumps(REQUEST))
    assert status == 0
    assert len(json.loads(out)["results"]) == 4


def test_bad_operation_exits_2_naming_field_and_index() -> None:
    bad = {
        **REQUEST,
        "operations": [
            *REQUEST["operations"][:2],
            {"at": "2026-11-30T09:05", "op": "signup", "person": "赵", "channel": "fax"},
        ],
    }  # type: ignore[misc]
    status, out, err = run(["signups", "-"], json.dumps(bad))
    assert (status, out) == (2, "")
    assert err.startswith("error: operations[2].channel: ")
    assert err.count("\n") == 1


def test_decreasing_time_exits_2() -> None:
    ops = [REQUEST["operations"][1], REQUEST["operations"][0]]  # type: ignore[index]
    status, _, err = run(["signups", "-"], json.dumps({"capacity": 3, "operations": ops}))
    assert status == 2
    assert "operations[1].at" in err and "earlier" in err


def test_not_json_missing_file_and_usage_exit_2(tmp_path: Path) -> None:
    assert run(["signups", "-"], "{nope")[0] == 2
    assert run(["signups", str(tmp_path / "none.json")])[0] == 2
    assert run(["signups"])[0] == 2
    assert run(["seats", "-"])[0] == 2
    assert run([])[0] == 2
    status, out, _ = run(["--help"])
    assert status == 0 and "signups" in out


def test_capacity_below_one_exits_2() -> None:
    status, _, err = run(["signups", "-"], json.dumps({"capacity": 0, "operations": []}))
    assert status == 2 and err.startswith("error: capacity: ")


def test_linli_command_runs_it_without_django() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "linli.cli", "community", "signups", "-"],
        input=json.dumps(REQUEST), capture_output=True, text=True, cwd=ROOT, check=False,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "does.not.exist"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["promotions"][0]["person"] == "李"


def test_linli_help_lists_community_signups() -> None:
    done = subprocess.run([sys.executable, "-m", "linli.cli", "--help"], capture_output=True,
                          text=True, cwd=ROOT, check=False)  # fmt: skip
    assert "community signups FILE.json" in done.stdout
