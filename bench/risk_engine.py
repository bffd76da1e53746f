"""Benchmark: score a synthetic city round with the risk engine and print the median time.

A city round is 6,000 committees x 3 samples x 41 sub-units, about a third of the sub-units
with findings. The round is generated deterministically (fixed seed) before timing, so only
the engine is measured. Usage:

    python bench/risk_engine.py [--committees N] [--repeat K] [--materialise]

``--materialise`` also builds every unit and sub-unit result object (what a full white-paper
export does); by default those are left lazy, as they are for the platform's list pages.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from linli.risk.rules import (
    NA,
    CommitteeResult,
    Finding,
    Method,
    SampleInput,
    SubunitEntry,
    default_method,
    score_committee,
)

SEED = 20260101


def synthetic_round(method: Method, committees: int) -> list[tuple[str, list[SampleInput]]]:
    """Deterministic round: a third of sub-units with 1-3 findings, some NA (lift, basement)."""
    rng = random.Random(SEED)
    codes = method.subunit_codes
    basement = [s.code for s in method.subunits if s.unit == "DX"]
    round_: list[tuple[str, list[SampleInput]]] = []
    for k in range(committees):
        samples = []
        for j in range(3):
            entries: dict[str, SubunitEntry] = {}
            no_basement = rng.random() < 0.4
            for code in codes:
                no_lift = code == "SB01" and rng.random() < 0.5
                if (no_basement and code in basement) or no_lift:
                    entries[code] = NA
                elif rng.random() < 1 / 3:
                    entries[code] = [
                        Finding(rng.randint(1, 5), rng.randint(1, 5), rng.random() < 0.01)
                        for _ in range(rng.randint(1, 3))
                    ]
            samples.append(SampleInput(f"S{j + 1}", entries))
        round_.append((f"C{k:05d}", samples))
    return round_


def run(
    method: Method, round_: list[tuple[str, list[SampleInput]]], materialise: bool
) -> list[CommitteeResult]:
    results = [score_committee(method, samples, committee=name) for name, samples in round_]
    if materialise:
        for result in results:
            _ = result.units
            for sample in result.samples:
                _ = sample.units
                _ = sample.subunits
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--committees", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--materialise", action="store_true")
    args = parser.parse_args()
    method = default_method()
    round_ = synthetic_round(method, args.committees)
    findings = sum(
        len(entry)
        for _, samples in round_
        for sample in samples
        for entry in sample.subunits.values()
        if entry is not NA
    )
    times = []
    grades: dict[str, int] = {}
    for _ in range(args.repeat):
        start = time.perf_counter()
        results = run(method, round_, args.materialise)
        times.append(time.perf_counter() - start)
        grades = {}
        for result in results:
            grades[result.grade] = grades.get(result.grade, 0) + 1
    print(
        f"committees={args.committees} samples={3 * args.committees} findings={findings} "
        f"materialise={args.materialise} repeat={args.repeat}"
    )
    print(f"grades={dict(sorted(grades.items()))}")
    print(f"median={statistics.median(times):.3f}s min={min(times):.3f}s max={max(times):.3f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
