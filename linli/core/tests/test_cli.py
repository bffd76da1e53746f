"""`linli id check` is a public interface: JSON keys and exit codes are the contract."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

LINLI = [sys.executable, "-m", "linli.cli"]
ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LINLI, *args], capture_output=True, text=True, cwd=ROOT, check=False)


def test_valid_number_prints_facts_and_exits_0() -> None:
    done = run("id", "check", "11010519491231002X")
    assert done.returncode == 0
    assert json.loads(done.stdout) == {
        "valid": True, "reason": None, "birth_date": "1949-12-31", "sex": "female",
    }  # fmt: skip


@pytest.mark.parametrize("number", ["11010519491231002", "110105194912310021"])
def test_invalid_number_exits_1_with_a_reason(number: str) -> None:
    done = run("id", "check", number)
    assert done.returncode == 1
    out = json.loads(done.stdout)
    assert out["valid"] is False and out["reason"] in {"length", "checksum"}
    assert set(out) == {"valid", "reason", "birth_date", "sex"}


def test_missing_argument_exits_2() -> None:
    assert run("id", "check").returncode == 2


def test_help_lists_the_commands() -> None:
    done = run("--help")
    assert done.returncode == 0
    for word in ("id check", "risk score", "hall simulate", "elevator tally", "fire lifecycle"):
        assert word in done.stdout


def test_risk_papers_reaches_the_job_command_not_the_scoring_engine(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "LINLI_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [*LINLI, "risk", "papers", "--round", "nope"],
        capture_output=True, text=True, cwd=ROOT, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--round: a round id or `latest`" in done.stderr


def test_help_lists_the_platform_commands() -> None:
    done = run("--help")
    for word in ("worker [--beat]", "beat", "jobs list | show ID", "risk papers --round"):
        assert word in done.stdout
