"""``linli hall …`` command line: the hall simulator and staffing advisor, JSON in and out.

``main(["simulate", "FILE.json"])`` reads a hall description (``-`` reads
stdin), runs the discrete-event simulation, adds the Erlang C figures for the
same load, staffing advice per hour and a pooled-vs-dedicated comparison, and
prints one JSON document. Bad input exits 2 with one line on stderr that
starts with the offending field. The contract is documented in
``docs/engines/hall.md``.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from typing import Any, Final, TextIO

from linli.core.jsonin import limit_problem
from linli.hall.rules import (
    DEFAULT_CREDIT_MINUTES,
    POLICY_NAMES,
    best_dedicated_split,
    erlang_summary,
    policy_from_name,
    pooled_vs_dedicated,
    priority_class_waits,
    windows_needed,
)
from linli.hall.simulation import DISTRIBUTIONS, HallConfig, ItemSpec, SimulationResult, simulate

USAGE: Final = """usage: linli hall simulate FILE.json   (FILE may be - for stdin)

Simulate a service hall and compare it with Erlang C. See docs/engines/hall.md.
"""

MAX_HOURS: Final = 87_600.0  # ten years of continuous time bounds the run
MAX_WINDOWS: Final = 1_000
MAX_RATE_LIST: Final = 8_784
MAX_EXPECTED_ARRIVALS: Final = 5_000_000  # keeps one run to seconds and bounded memory
DEFAULT_HOURS: Final = 8.0
DEFAULT_TARGET_SHARE: Final = 0.8
DEFAULT_WITHIN_MINUTES: Final = 10.0
DEFAULT_NO_SHOW_MINUTES: Final = 1.0

KNOWN_FIELDS: Final = frozenset(
    {
        "windows",
        "arrivals_per_hour",
        "mean_service_minutes",
        "hours",
        "warmup_hours",
        "seed",
        "items",
        "dedicated_windows",
        "policy",
        "priority_share",
        "no_show_share",
        "no_show_minutes",
        "target",
    }
)
ITEM_FIELDS: Final = frozenset({"name", "share", "mean_service_minutes", "distribution", "cv"})


class InputError(Exception):
    """Bad input: ``field`` names where, ``message`` says what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# ---------------------------------------------------------------------------
# Field checks
# ---------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(field: str, value: object, *, minimum: float, strict: bool = False) -> float:
    """A finite JSON number ≥ minimum (> minimum when ``strict``)."""
    sign = ">" if strict else "≥"
    if not _is_number(value):
        raise InputError(field, f"must be a number {sign} {minimum:g}")
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number) or number < minimum or (strict and number == minimum):
        raise InputError(field, f"must be {sign} {minimum:g}")
    return number


def _share(field: str, value: object, *, open_ends: bool = False) -> float:
    """A share in [0, 1], or (0, 1) when ``open_ends``."""
    text = "between 0 and 1 (exclusive)" if open_ends else "between 0 and 1"
    if not _is_number(value):
        raise InputError(field, f"must be a number {text}")
    number = float(value)  # type: ignore[arg-type]
    low_ok = number > 0 if open_ends else number >= 0
    high_ok = number < 1 if open_ends else number <= 1
    if not (math.isfinite(number) and low_ok and high_ok):
        raise InputError(field, f"must be {text}")
    return number


def _positive_int(field: str, value: object, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise InputError(field, f"must be a positive integer (at most {maximum})")
    return value


def _skill_name(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(field, "must be a non-empty string")
    return value.strip()


# ---------------------------------------------------------------------------
# Parsing the document
# ---------------------------------------------------------------------------


class Plan:
    """The validated input: the simulator config plus what the report needs."""

    def __init__(
        self,
        config: HallConfig,
        rates: tuple[float, ...],
        policy_name: str,
        credit_minutes: float | None,
        target_share: float,
        dedicated_windows: list[int] | None,
    ) -> None:
        self.config = config
        self.rates = rates
        self.policy_name = policy_name
        self.credit_minutes = credit_minutes
        self.target_share = target_share
        self.dedicated_windows = dedicated_windows


def _parse_rates(value: object) -> tuple[list[float], bool]:
    """Arrival rates and whether they came as a list (an hourly profile)."""
    if value is None:
        raise InputError("arrivals_per_hour", "is required")
    if isinstance(value, list):
        if not value or len(value) > MAX_RATE_LIST:
            raise InputError(
                "arrivals_per_hour", f"must be a non-empty list of at most {MAX_RATE_LIST} rates"
            )
        return [
            _number(f"arrivals_per_hour[{i}]", r, minimum=0.0) for i, r in enumerate(value)
        ], True
    return [_number("arrivals_per_hour", value, minimum=0.0)], False


def _parse_items(doc: dict[str, Any]) -> list[ItemSpec] | None:
    raw = doc.get("items")
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        raise InputError("items", "must be a non-empty list of objects")
    default_mean = doc.get("mean_service_minutes")
    items: list[ItemSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        where = f"items[{i}]"
        if not isinstance(entry, dict):
            raise InputError(where, "must be an object")
        for key in entry:
            if key not in ITEM_FIELDS:
                raise InputError(f"{where}.{key}", "unknown field")
        name = _skill_name(f"{where}.name", entry.get("name"))
        if name in seen:
            raise InputError(f"{where}.name", f"duplicate item name {name!r}")
        seen.add(name)
        share = _number(f"{where}.share", entry.get("share", 1.0), minimum=0.0)
        mean_raw = entry.get("mean_service_minutes", default_mean)
        if mean_raw is None:
            raise InputError(f"{where}.mean_service_minutes", "is required (no top-level default)")
        mean = _number(f"{where}.mean_service_minutes", mean_raw, minimum=0.0, strict=True)
        distribution = entry.get("distribution", "exponential")
        if distribution not in DISTRIBUTIONS:
            raise InputError(f"{where}.distribution", f"must be one of {', '.join(DISTRIBUTIONS)}")
        cv = _number(f"{where}.cv", entry.get("cv", 1.0), minimum=0.0, strict=True)
        items.append(ItemSpec(name, share, mean, distribution, cv))
    if sum(item.share for item in items) <= 0:
        raise InputError("items", "at least one item needs a share > 0")
    return items


def _parse_windows(value: object, items: list[ItemSpec]) -> tuple[frozenset[str], ...]:
    if value is None:
        raise InputError("windows", "is required")
    all_skills = frozenset(item.name for item in items)
    if isinstance(value, list):
        if not value or len(value) > MAX_WINDOWS:
            raise InputError(
                "windows", f"must be a non-empty list of at most {MAX_WINDOWS} windows"
            )
        windows: list[frozenset[str]] = []
        for i, entry in enumerate(value):
            where = f"windows[{i}]"
            if not isinstance(entry, list) or not entry:
                raise InputError(where, "must be a non-empty list of skill names")
            skills = frozenset(_skill_name(f"{where}[{j}]", s) for j, s in enumerate(entry))
            unknown = sorted(skills - all_skills)
            if unknown:
                raise InputError(where, f"unknown skill {unknown[0]!r} (not an item name)")
            windows.append(skills)
        covered = frozenset().union(*windows)
        for i, item in enumerate(items):
            if item.share > 0 and item.name not in covered:
                raise InputError(f"items[{i}]", f"no window has the skill {item.name!r}")
        return tuple(windows)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_WINDOWS:
        raise InputError("windows", "must be a positive integer or a list of skill lists")
    return tuple(all_skills for _ in range(value))


def _parse_policy(value: object) -> tuple[str, float | None]:
    if value is None:
        return "priority_ageing", DEFAULT_CREDIT_MINUTES
    credit_raw: object = DEFAULT_CREDIT_MINUTES
    if isinstance(value, dict):
        for key in value:
            if key not in ("name", "credit_minutes"):
                raise InputError(f"policy.{key}", "unknown field")
        name = value.get("name")
        field = "policy.name"
        credit_raw = value.get("credit_minutes", DEFAULT_CREDIT_MINUTES)
    else:
        name, field = value, "policy"
    if name not in POLICY_NAMES:
        raise InputError(field, f"must be one of {', '.join(POLICY_NAMES)}")
    if name == "fifo":
        return "fifo", None
    return str(name), _number("policy.credit_minutes", credit_raw, minimum=0.0)


def _parse_target(value: object) -> tuple[float, float]:
    if value is None:
        return DEFAULT_TARGET_SHARE, DEFAULT_WITHIN_MINUTES
    if not isinstance(value, dict):
        raise InputError("target", "must be an object with share and within_minutes")
    for key in value:
        if key not in ("share", "within_minutes"):
            raise InputError(f"target.{key}", "unknown field")
    share = _share("target.share", value.get("share", DEFAULT_TARGET_SHARE), open_ends=True)
    within = _number(
        "target.within_minutes", value.get("within_minutes", DEFAULT_WITHIN_MINUTES), minimum=0.0
    )
    return share, within


def parse_input(doc: object) -> Plan:
    """Validate a decoded JSON document; raise ``InputError`` naming the first bad field."""
    if not isinstance(doc, dict):
        raise InputError("input", "must be a JSON object")
    for key in doc:
        if key not in KNOWN_FIELDS:
            raise InputError(str(key), "unknown field")

    rates, is_profile = _parse_rates(doc.get("arrivals_per_hour"))
    items = _parse_items(doc)
    if items is None:
        if "mean_service_minutes" not in doc:
            raise InputError("mean_service_minutes", "is required")
        mean = _number(
            "mean_service_minutes", doc["mean_service_minutes"], minimum=0.0, strict=True
        )
        items = [ItemSpec("general", 1.0, mean)]
    elif "mean_service_minutes" in doc:
        _number("mean_service_minutes", doc["mean_service_minutes"], minimum=0.0, strict=True)
    windows = _parse_windows(doc.get("windows"), items)

    default_hours = float(len(rates)) if is_profile else DEFAULT_HOURS
    hours = _number("hours", doc.get("hours", default_hours), minimum=0.0, strict=True)
    if hours > MAX_HOURS:
        raise InputError("hours", f"must be at most {MAX_HOURS:g}")
    cycle_mean = sum(rates) / len(rates)
    if cycle_mean * hours > MAX_EXPECTED_ARRIVALS:
        raise InputError(
            "hours",
            f"about {cycle_mean * hours:,.0f} arrivals expected; keep a run under "
            f"{MAX_EXPECTED_ARRIVALS:,} (fewer hours or lower rates)",
        )
    warmup = _number("warmup_hours", doc.get("warmup_hours", 0.0), minimum=0.0)
    if warmup >= hours:
        raise InputError("warmup_hours", "must be less than hours")
    seed = doc.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InputError("seed", "must be an integer")

    policy_name, credit = _parse_policy(doc.get("policy"))
    priority_share = _share("priority_share", doc.get("priority_share", 0.0))
    no_show_share = _share("no_show_share", doc.get("no_show_share", 0.0))
    no_show_minutes = _number(
        "no_show_minutes", doc.get("no_show_minutes", DEFAULT_NO_SHOW_MINUTES), minimum=0.0
    )
    target_share, within = _parse_target(doc.get("target"))

    dedicated = doc.get("dedicated_windows")
    dedicated_windows: list[int] | None = None
    if dedicated is not None:
        if not isinstance(dedicated, list) or len(dedicated) != len(items):
            raise InputError("dedicated_windows", "must list one window count per item")
        dedicated_windows = [
            _positive_int(f"dedicated_windows[{i}]", w, MAX_WINDOWS)
            for i, w in enumerate(dedicated)
        ]
        if sum(dedicated_windows) != len(windows):
            raise InputError("dedicated_windows", f"must add up to the {len(windows)} windows")

    # A constant rate still gets hour-by-hour figures: one per simulated hour, up to a day.
    profile = tuple(rates) if is_profile else tuple(rates * max(1, min(24, math.ceil(hours))))
    try:
        config = HallConfig(
            windows=windows,
            arrivals_per_hour=profile,
            items=tuple(items),
            hours=hours,
            warmup_hours=warmup,
            seed=seed,
            policy=policy_from_name(policy_name, credit if credit is not None else 0.0),
            priority_share=priority_share,
            no_show_share=no_show_share,
            no_show_minutes=no_show_minutes,
            within_minutes=within,
        )
    except ValueError as exc:  # a rule the field checks above did not catch
        raise InputError("input", str(exc)) from None
    return Plan(config, profile, policy_name, credit, target_share, dedicated_windows)


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def _minutes(value: float | None) -> float | None:
    """Waits and times: 2 decimals; infinite or missing as null."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, 2)


def _ratio(value: float | None) -> float | None:
    """Probabilities, shares and utilisation: 4 decimals."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, 4)


def _load(value: float) -> float:
    """Rates and offered loads: 3 decimals."""
    return round(value, 3)


def _erlang(windows: int, rate: float, mean_service: float, within: float) -> dict[str, Any]:
    summary = erlang_summary(windows, rate, mean_service, within)
    return {
        "stable": summary.stable,
        "offered_load": _load(summary.offered_load),
        "utilization": _ratio(summary.utilization),
        "p_wait": _ratio(summary.p_wait),
        "mean_wait_minutes": _minutes(summary.mean_wait_minutes),
        "service_level": _ratio(summary.service_level),
    }


def _needed(rate: float, mean_service: float, share: float, within: float) -> int | None:
    try:
        return windows_needed(rate / 60.0, 1.0 / mean_service, share, within)
    except ValueError:
        return None


def build_report(plan: Plan, result: SimulationResult) -> dict[str, Any]:
    """Assemble the output document (rounded as documented)."""
    config = plan.config
    c = len(config.windows)
    mean_service = config.mean_service_minutes
    within = config.within_minutes
    # Closed hours (rate 0) would dilute the load: average over the open hours only.
    open_rates = [r for r in plan.rates if r > 0]
    average_rate = sum(open_rates) / len(open_rates) if open_rates else 0.0
    per_hour_needed = [_needed(r, mean_service, plan.target_share, within) for r in plan.rates]

    erlang = _erlang(c, average_rate, mean_service, within)
    erlang["windows_needed"] = _needed(average_rate, mean_service, plan.target_share, within)
    known = [n for n in per_hour_needed if n is not None]
    erlang["peak_windows_needed"] = max(known) if len(known) == len(per_hour_needed) else None

    simulated_hours = {h.hour: h for h in result.per_hour}
    per_hour: list[dict[str, Any]] = []
    for hour, rate in enumerate(plan.rates):
        stats = simulated_hours.get(hour)
        per_hour.append(
            {
                "hour": hour,
                "arrivals_per_hour": _load(rate),
                "windows_needed": per_hour_needed[hour],
                "erlang_c": _erlang(c, rate, mean_service, within),
                "simulated": None
                if stats is None
                else {
                    "arrivals": stats.arrivals,
                    "served": stats.served,
                    "no_shows": stats.no_shows,
                    "mean_wait_minutes": _minutes(stats.mean_wait_minutes),
                    "p90_wait_minutes": _minutes(stats.p90_wait_minutes),
                    "utilization": _ratio(stats.utilization),
                },
            }
        )

    report: dict[str, Any] = {
        "load": {
            "windows": c,
            "arrivals_per_hour": _load(average_rate),
            "mean_service_minutes": _minutes(mean_service),
            "hours": config.hours,
            "warmup_hours": config.warmup_hours,
            "seed": config.seed,
            "policy": {"name": plan.policy_name, "credit_minutes": plan.credit_minutes},
            "target": {"share": plan.target_share, "within_minutes": within},
        },
        "erlang_c": erlang,
        "simulated": {
            "mean_wait_minutes": _minutes(result.mean_wait_minutes),
            "p90_wait_minutes": _minutes(result.p90_wait_minutes),
            "max_wait_minutes": _minutes(result.max_wait_minutes),
            "service_level": _ratio(result.service_level),
            "utilization": _ratio(result.utilization),
            "arrivals": result.arrivals,
            "served": result.served,
            "no_shows": result.no_shows,
            "waiting_at_end": result.waiting_at_end,
            "mean_wait_by_class": {k: _minutes(v) for k, v in result.mean_wait_by_class.items()},
            "mean_wait_by_item": {k: _minutes(v) for k, v in result.mean_wait_by_item.items()},
            "served_by_item": dict(result.served_by_item),
        },
        "per_hour": per_hour,
        "pooling": _pooling(plan, average_rate),
        "strict_priority": _strict_priority(plan, average_rate),
    }
    return report


def _pooling(plan: Plan, rate: float) -> dict[str, Any] | None:
    """Pooled windows against one dedicated line per item (needs two items or more)."""
    items = list(plan.config.items)
    if len(items) < 2 or len(plan.config.windows) < len(items):
        return None
    total_share = sum(item.share for item in items)
    shares = [item.share / total_share for item in items]
    mus = [1.0 / item.mean_service_minutes for item in items]
    lam = rate / 60.0
    split = plan.dedicated_windows or best_dedicated_split(
        lam, shares, mus, len(plan.config.windows)
    )
    comparison = pooled_vs_dedicated(lam, mus[0], split, shares, mus)
    return {
        "pooled_windows": comparison.pooled_windows,
        "pooled_stable": comparison.pooled_stable,
        "pooled_mean_wait_minutes": _minutes(comparison.pooled_mean_wait),
        "dedicated_windows": split,
        "dedicated_stable": comparison.dedicated_stable,
        "dedicated_mean_wait_minutes": _minutes(comparison.dedicated_mean_wait),
        "lines": [
            {
                "item": item.name,
                "windows": line.windows,
                "share": _ratio(line.share),
                "stable": line.stable,
                "mean_wait_minutes": _minutes(line.mean_wait),
            }
            for item, line in zip(items, comparison.lines, strict=True)
        ],
    }


def _strict_priority(plan: Plan, rate: float) -> dict[str, Any] | None:
    """Erlang reference if the green lane had absolute precedence (ageing lies between)."""
    share = plan.config.priority_share
    if share <= 0:
        return None
    lam = rate / 60.0
    green, normal = priority_class_waits(
        len(plan.config.windows),
        [lam * share, lam * (1 - share)],
        1.0 / plan.config.mean_service_minutes,
    )
    return {
        "green_mean_wait_minutes": _minutes(green),
        "normal_mean_wait_minutes": _minutes(normal),
    }


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _read_document(path: str, stdin: TextIO) -> object:
    label = "stdin" if path == "-" else path
    try:
        if path == "-":
            text = stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(label, f"cannot read file ({reason})") from None
    problem = limit_problem(text)
    if problem:
        raise InputError(label, problem)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            label, f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:
        raise InputError(label, f"malformed JSON: {exc}") from None


def run_simulate(doc: object) -> dict[str, Any]:
    """Validate, simulate and report one decoded document (raises ``InputError``)."""
    plan = parse_input(doc)
    return build_report(plan, simulate(plan.config))


def main(argv: Sequence[str], stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """``linli hall`` entry point; returns the exit status (0 ok, 2 bad usage or input)."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    args = list(argv)
    if args and args[0] in ("-h", "--help", "help"):
        out.write(USAGE)
        return 0
    if not args:
        err.write("usage: linli hall simulate FILE.json\n")
        return 2
    if args[0] != "simulate":
        err.write(f"command: unknown hall command {args[0]!r} (use: simulate)\n")
        return 2
    if len(args) != 2:
        err.write("usage: linli hall simulate FILE.json\n")
        return 2
    try:
        report = run_simulate(_read_document(args[1], sys.stdin))
    except InputError as exc:
        err.write(f"{exc.field}: {exc.message}\n")
        return 2
    out.write(json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False))
    out.write("\n")
    return 0
