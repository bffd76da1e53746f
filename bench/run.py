"""Run every benchmark module of bench/ (``make bench``; ``SCALE=0.01`` for a quick run).

A benchmark module is a ``bench/<name>.py`` that defines, at top level,
``run(scale: float, report: dict) -> None`` (see bench/README.md). Each one runs in a
process of its own (so each may set up Django its own way and its memory is its
own), receives an empty ``report`` and fills it with JSON-serialisable figures; the
keys ``summary`` (text printed at the end) and ``failures`` (a list of missed targets)
are read by this runner. Other files in bench/ (plain scripts such as
``hall_simulation.py``) are left alone.

    .venv/bin/python bench/run.py [--scale 1] [--database postgres|sqlite] [--only NAME ...]

Writes every report to ``var/bench/report-<database>-<scale>.json`` (or ``--json``) and
exits 1 when a module failed or missed a target.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks of bench/.")
    parser.add_argument("--scale", type=float, default=1.0, help="data size, 1 = city scale")
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres",
                        help="passed to modules as LINLI_BENCH_DATABASE")  # fmt: skip
    parser.add_argument("--only", nargs="*", metavar="NAME", help="run only these modules")
    parser.add_argument("--list", action="store_true", help="list the modules and exit")
    parser.add_argument("--json", help="where to write the reports")
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
        for failure in report.get("failures", []):
            print(f"MISSED: {failure}")
    print(f"\nreports: {target}")
    return status


if __name__ == "__main__":
    sys.exit(main())
