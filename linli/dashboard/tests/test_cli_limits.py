"""Issue 10: deeply nested JSON, a 5,000-digit number or an oversized file made every engine
CLI print a traceback (exit 1) or grow to gigabytes. Now each exits 2 naming the limit, fast."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from linli.core.jsonin import MAX_DEPTH, limit_problem

COMMANDS = [
    ["risk", "score"],
    ["hall", "simulate"],
    ["elevator", "tally"],
    ["fire", "lifecycle"],
    ["community", "signups"],
]
BAD = {
    "nested": ("[" * 100_000 + "]" * 100_000, f"limit of {MAX_DEPTH} levels"),
    "digits": ('{"n": ' + "9" * 5000 + "}", "100 digits"),
}


def test_limit_problem_is_quiet_on_ordinary_json() -> None:
    assert limit_problem('{"a": [1, 2, {"b": "[[[[ not nesting ]]]] 99999"}], "n": 12.5}') is None
    assert limit_problem('"' + "9" * 500 + '"') is None  # digits inside a string are text


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
@pytest.mark.parametrize("kind", sorted(BAD))
def test_engine_cli_exits_2_naming_the_limit(tmp_path: Path, command: list[str], kind: str) -> None:
    text, named = BAD[kind]
    path = tmp_path / "input.json"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "linli.cli", *command, str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert named in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - started < 30


def test_an_oversized_file_is_refused_by_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINLI_CLI_MAX_BYTES", "1000")
    path = tmp_path / "big.json"
    path.write_text("[" + ",".join(["1"] * 1000) + "]", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "linli.cli", "risk", "score", str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "limit of 1000 bytes" in done.stderr
