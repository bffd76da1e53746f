"""Run every benchmark module of bench/ (``make bench``; ``SCALE=0.01`` for a quick run).

A benchmark module is a ``bench/<name>.py`` that defines, at top level,
``run(scale: float, report: dict) -> None`` (see bench/README.md). Each one runs in a
process of its own (so each may set up Django its own way and its memory is its
own), receives an empty ``report`` and fills it with JSON-serialisable figures; the
keys ``summary`` (text printed at the end) and ``failures`` (a list of missed targets)
are read by this runner. Other files in bench/ (plain scripts such as
``hall_simulation.py``) are left alone.

    .venv/bin/python bench/run.py [--scale 1] [--database postgres|sqlite] [--only NAME ...]
    .venv/bin/python bench/run.py --scale 0.01 --check bench/baseline.json   # make bench-check
    .venv/bin/python bench/run.py --scale 0.01 --accept bench/baseline.json  # accept the ratios

Writes every report to ``var/bench/report-<database>-<scale>.json`` (or ``--json``) and
exits 1 when a module failed or missed a target.

Ratios: a module may report ``report["ratios"]`` — ``{name: {"value": x, "better": "higher" |
"lower", "of": "what ÷ what"}}`` — each figure divided by a ceiling measured in the same run
(a ping view, a one-INSERT view, a plain query), so that they move much less than absolute
times on a shared machine. ``--check`` compares them with the accepted ones in a baseline file
and names every ratio more than 20 % worse (exit 1 when there is one, or a module crashed);
``--accept`` writes the run's ratios into it.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def is_benchmark(path: Path) -> bool:
    """True when the file defines ``run(scale, report)`` at top level (read, not imported)."""
    if path.name == "run.py" or path.name.startswith("_"):
        return False
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "run":
            names = [a.arg for a in node.args.posonlyargs + node.args.args]
            return names[:2] == ["scale", "report"]
    return False


def discover() -> list[str]:
    return [p.stem for p in sorted(BENCH.glob("*.py")) if is_benchmark(p)]


def child(name: str, scale: float, out: str) -> int:
    """Inside the module's own process: import it, call run(), write the report as JSON."""
    for path in (str(ROOT), str(BENCH)):
        if path not in sys.path:
            sys.path.insert(0, path)
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load bench/{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look modules up here
    spec.loader.exec_module(module)
    report: dict[str, Any] = {}
    t0 = time.perf_counter()
    try:
        module.run(scale, report)
    except Exception:
        report.setdefault("failures", []).append("crashed:\n" + traceback.format_exc())
        code = 1
    else:
        code = 0
    report["wall_s"] = round(time.perf_counter() - t0, 1)
    Path(out).write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    return code


TOLERANCE = 0.20  # a ratio more than 20 % worse than the accepted one is a regression


def ratios_of(reports: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every module's ratios by name; a bare number (``excel`` reports its ratios so, as
    job ÷ ceiling) counts as ``{"value": number, "better": "lower"}``."""
    out: dict[str, dict[str, Any]] = {}
    for module, report in reports.items():
        for name, ratio in (report.get("ratios") or {}).items():
            if not isinstance(ratio, dict):
                name = name if "." in name else f"{module}.{name}"
                ratio = {"value": ratio, "better": "lower", "of": name}
            out[name] = ratio
    return out


def compare(current: dict[str, Any], accepted: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(table lines, regressions): every accepted ratio against this run's."""
    lines = ["| ratio | accepted | now | change | |", "|---|---:|---:|---:|---|"]
    worse = []
    for name, base in sorted(accepted.items()):
        now = current.get(name)
        if now is None:
            lines.append(f"| {name} | {base['value']:.3f} | — | | not measured |")
            continue
        b, v = float(base["value"]), float(now["value"])
        higher = base.get("better", "lower") == "higher"
        change = (v / b - 1) if b else 0.0
        bad = (v < b * (1 - TOLERANCE)) if higher else (v > b * (1 + TOLERANCE))
        mark = "**worse > 20 %**" if bad else "ok"
        lines.append(f"| {name} | {b:.3f} | {v:.3f} | {change:+.0%} | {mark} |")
        if bad:
            direction = "higher" if higher else "lower"
            worse.append(f"{name}: {v:.3f}, accepted {b:.3f} ({direction} is better)")
    for name in sorted(set(current) - set(accepted)):
        lines.append(f"| {name} | — | {float(current[name]['value']):.3f} | | new |")
    return lines, worse


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks of bench/.")
    parser.add_argument("--scale", type=float, default=1.0, help="data size, 1 = city scale")
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres",
                        help="passed to modules as LINLI_BENCH_DATABASE")  # fmt: skip
    parser.add_argument("--only", nargs="*", metavar="NAME", help="run only these modules")
    parser.add_argument("--list", action="store_true", help="list the modules and exit")
    parser.add_argument("--json", help="where to write the reports")
    parser.add_argument(
        "--check",
        metavar="BASELINE",
        help="compare the ratios with BASELINE; exit 1 if one is > 20 %% worse",
    )
    parser.add_argument("--accept", metavar="BASELINE", help="write the ratios into BASELINE")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ["LINLI_BENCH_DATABASE"] = args.database
    if args.child:
        return child(args.child, args.scale, args.out)

    names = discover()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        unknown = set(args.only) - set(names)
        if unknown:
            parser.error(f"not benchmark modules: {', '.join(sorted(unknown))}")
        names = [n for n in names if n in args.only]

    reports: dict[str, Any] = {}
    status = 0
    for name in names:
        print(f"== bench/{name}.py (scale {args.scale:g}, {args.database})", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            out = tmp.name
        try:
            code = subprocess.run(
                [sys.executable, __file__, "--child", name, "--scale", str(args.scale),
                 "--database", args.database, "--out", out],
                cwd=ROOT,
            ).returncode  # fmt: skip
            try:
                report = json.loads(Path(out).read_text() or "{}")
            except json.JSONDecodeError:
                report = {}
        finally:
            Path(out).unlink(missing_ok=True)
        if code and not report.get("failures"):
            report.setdefault("failures", []).append(f"exited with status {code}")
        reports[name] = report
        status |= 1 if (code or report.get("failures")) else 0

    target = Path(args.json) if args.json else (
        ROOT / "var" / "bench" / f"report-{args.database}-{args.scale:g}.json"
    )  # fmt: skip
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(reports, ensure_ascii=False, indent=1, default=str))
    for name, report in reports.items():
        print(f"\n== {name}")
        if report.get("summary"):
            print(report["summary"])
        for key, ratio in ratios_of({name: report}).items():
            print(f"ratio {key} = {ratio['value']} ({ratio['better']} is better: {ratio['of']})")
        for failure in report.get("failures", []):
            print(f"MISSED: {failure}")
    print(f"\nreports: {target}")
    current = ratios_of(reports)
    if args.accept:
        path = Path(args.accept)
        old = json.loads(path.read_text()) if path.exists() else {}
        # Each ratio keeps the run it was accepted from: an --only run replaces its own
        # module's ratios and leaves the others' (and their stamps) as they were.
        stamp = {
            "accepted": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": _commit(),
            "scale": args.scale,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
        merged = {**old.get("ratios", {}), **{k: {**v, **stamp} for k, v in current.items()}}
        path.write_text(json.dumps({
            "last_accepted": stamp["accepted"],
            "database": args.database,
            "ratios": merged,
        }, ensure_ascii=False, indent=1) + "\n")  # fmt: skip
        print(f"accepted {len(current)} ratios into {path}")
    if args.check:
        accepted = json.loads(Path(args.check).read_text()).get("ratios", {})
        lines, worse = compare(current, accepted)
        print("\n== ratios against " + args.check)
        print("\n".join(lines))
        crashed = [n for n, r in reports.items() if any(
            str(f).startswith(("crashed", "exited")) for f in r.get("failures", []))]  # fmt: skip
        for name in worse:
            print(f"WORSE: {name}")
        for name in crashed:
            print(f"CRASHED: {name}")
        if not (worse or crashed):
            print("every ratio within 20 % of the accepted one")
        return 1 if (worse or crashed) else 0
    return status


if __name__ == "__main__":
    sys.exit(main())
