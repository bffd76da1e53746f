"""`make bench-check`: a ratio more than 20 % worse than the accepted one is named."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

RUN = Path(__file__).resolve().parents[1] / "bench" / "run.py"


def _run_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ratios_worse_by_more_than_20_percent_are_named() -> None:
    run = _run_module()
    accepted = {
        "hall.tickets_per_insert": {"value": 0.8, "better": "higher", "of": ""},
        "risk.rescore_per_plain": {"value": 10.0, "better": "lower", "of": ""},
        "fire.counts_per_plain": {"value": 50.0, "better": "lower", "of": ""},
        "gone": {"value": 1.0, "better": "lower", "of": ""},
    }
    current = {
        "hall.tickets_per_insert": {"value": 0.63, "better": "higher"},  # −21 %: worse
        "risk.rescore_per_plain": {"value": 11.9, "better": "lower"},  # +19 %: within
        "fire.counts_per_plain": {"value": 61.0, "better": "lower"},  # +22 %: worse
        "new": {"value": 2.0, "better": "lower"},
    }
    lines, worse = run.compare(current, accepted)
    assert [w.split(":")[0] for w in worse] == ["fire.counts_per_plain", "hall.tickets_per_insert"]
    table = "\n".join(lines)
    assert "| gone | 1.000 | — | | not measured |" in table
    assert "| new | — | 2.000 | | new |" in table
    assert run.compare(accepted, accepted)[1] == []  # the accepted run passes its own check
