"""Service-hall queue rules (pure, no Django).

Everything the counters, kiosks and the staffing advisor decide lives here as
plain functions over plain data, so the platform, the simulator and the tests
share one definition of each rule:

* ticket numbers (``A001``) — formatting and parsing only; the database hands
  out the sequence atomically;
* the ticket state machine (叫号 → 办理 → 办结 / 过号 / 转窗 / 中台);
* routing for 前窗通办 (a free window pulls the next eligible ticket) and the
  ordering policies (``fifo``, ``priority_ageing``) that keep the green lane
  (绿色通道) from starving normal tickets;
* no-show (过号) recall limits and re-queueing k places back;
* Erlang B/C formulas, priority-class waits and staffing advice;
* case (办件) status and promised deadlines in working days.

Times in the routing rules are floats in minutes on any clock shared by all
tickets (use :func:`minutes` to turn an aware ``datetime`` into such a
value). Queueing formulas take rates and times in one consistent unit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final, Literal, TypeVar

from linli.core.workdays import PLAIN_WEEK, WorkCalendar, add_working_days


class HallRuleError(ValueError):
    """A rule refused an operation; ``code`` is stable for the API and the UI."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# ---------------------------------------------------------------------------
# Numbering
# ---------------------------------------------------------------------------

PREFIX_HALL_A: Final = "A"
PREFIX_HALL_B: Final = "B"
PREFIX_APPOINTMENT: Final = "Y"
PREFIX_GREEN_LANE: Final = "L"

#: Default queue → prefix map. Hall B lines may use further letters (``C``, ``D``…).
DEFAULT_PREFIXES: Final[dict[str, str]] = {
    "hall_a": PREFIX_HALL_A,
    "hall_b": PREFIX_HALL_B,
    "appointment": PREFIX_APPOINTMENT,
    "green_lane": PREFIX_GREEN_LANE,
}

MIN_DIGITS: Final = 3
_PREFIX_RE = re.compile(r"[A-Z]{1,3}")
_NUMBER_RE = re.compile(r"([A-Z]{1,3})(\d{3,})")


def check_prefix(prefix: str) -> str:
    """Validate a queue prefix: one to three upper-case Latin letters (readable when called)."""
    if not isinstance(prefix, str) or not _PREFIX_RE.fullmatch(prefix):
        raise HallRuleError("bad_prefix", f"queue prefix must be 1-3 letters A-Z, got {prefix!r}")
    return prefix


def check_prefixes(prefixes: dict[str, str]) -> dict[str, str]:
    """Validate a queue → prefix map: valid prefixes, no two queues share one.

    Numbers restart per queue and day, so a shared prefix would print the same
    number for two different residents.
    """
    seen: dict[str, str] = {}
    for queue, prefix in prefixes.items():
        check_prefix(prefix)
        if prefix in seen:
            raise HallRuleError(
                "duplicate_prefix",
                f"queues {seen[prefix]!r} and {queue!r} both use prefix {prefix!r}",
            )
        seen[prefix] = queue
    return prefixes


def format_ticket_number(prefix: str, seq: int) -> str:
    """``("A", 1)`` → ``"A001"``; at least three digits, more once past 999."""
    check_prefix(prefix)
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise HallRuleError("bad_sequence", f"ticket sequence must be an integer ≥ 1, got {seq!r}")
    return f"{prefix}{seq:0{MIN_DIGITS}d}"


def parse_ticket_number(number: str) -> tuple[str, int]:
    """``"A001"`` → ``("A", 1)``; refuses anything ``format_ticket_number`` would not print."""
    match = _NUMBER_RE.fullmatch(number) if isinstance(number, str) else None
    if match is None:
        raise HallRuleError("bad_ticket_number", f"not a ticket number: {number!r}")
    digits = match.group(2)
    seq = int(digits)
    if seq < 1 or (len(digits) > MIN_DIGITS and digits[0] == "0"):
        raise HallRuleError("bad_ticket_number", f"not a ticket number: {number!r}")
    return match.group(1), seq


# ---------------------------------------------------------------------------
# Ticket state machine
# ---------------------------------------------------------------------------


class TicketState(StrEnum):
    """Ticket states; values are the stored strings."""

    WAITING = "waiting"
    CALLED = "called"  # 叫号 (including recalls)
    SERVING = "serving"  # 办理中 at a window
    DONE = "done"  # 办结
    NO_SHOW = "no_show"  # 过号
    TRANSFERRED = "transferred"  # 转窗: closed here, a linked ticket continues
    ESCALATED = "escalated"  # handed to the back office (中台)
    RETURNED = "returned"  # back from 中台, waiting to be called back
    CANCELLED = "cancelled"


class TicketAction(StrEnum):
    """What a window, the back office or the resident does to a ticket."""

    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    REQUEUE = "requeue"
    TRANSFER = "transfer"
    ESCALATE = "escalate"
    RETURN = "return"
    CANCEL = "cancel"


_S = TicketState
_A = TicketAction

#: state → {action: next state}. Anything absent is forbidden.
TRANSITIONS: Final[dict[TicketState, dict[TicketAction, TicketState]]] = {
    _S.WAITING: {_A.CALL: _S.CALLED, _A.CANCEL: _S.CANCELLED},
    _S.CALLED: {
        _A.RECALL: _S.CALLED,
        _A.START: _S.SERVING,
        _A.NO_SHOW: _S.NO_SHOW,
        _A.CANCEL: _S.CANCELLED,
    },
    _S.SERVING: {
        _A.FINISH: _S.DONE,
        _A.TRANSFER: _S.TRANSFERRED,
        _A.ESCALATE: _S.ESCALATED,
    },
    # The back office either sends the resolved ticket back to a window or finishes it itself.
    _S.ESCALATED: {_A.RETURN: _S.RETURNED, _A.FINISH: _S.DONE, _A.CANCEL: _S.CANCELLED},
    _S.RETURNED: {_A.CALL: _S.CALLED, _A.CANCEL: _S.CANCELLED},
    _S.NO_SHOW: {_A.REQUEUE: _S.WAITING},
    _S.DONE: {},
    _S.TRANSFERRED: {},
    _S.CANCELLED: {},
}

#: States no action leaves (a no-show can still be re-queued, so it is not here).
TERMINAL_STATES: Final = frozenset(s for s, moves in TRANSITIONS.items() if not moves)

DEFAULT_MAX_RECALLS: Final = 2
DEFAULT_REQUEUE_PLACES: Final = 3


def check_transition(
    state: str,
    action: str,
    *,
    recalls: int | None = None,
    max_recalls: int = DEFAULT_MAX_RECALLS,
) -> TicketState:
    """Return the state ``action`` leads to from ``state`` or raise ``HallRuleError``.

    Codes: ``unknown_state``, ``unknown_action``, ``forbidden_transition`` and,
    when ``recalls`` (recalls already made) is given, ``recall_limit`` for a
    recall beyond ``max_recalls`` — after that the ticket must go to no-show.
    """
    try:
        current = TicketState(state)
    except ValueError:
        raise HallRuleError("unknown_state", f"unknown ticket state {state!r}") from None
    try:
        act = TicketAction(action)
    except ValueError:
        raise HallRuleError("unknown_action", f"unknown ticket action {action!r}") from None
    target = TRANSITIONS[current].get(act)
    if target is None:
        raise HallRuleError(
            "forbidden_transition", f"cannot {act.value} a ticket that is {current.value}"
        )
    if act is TicketAction.RECALL and recalls is not None and recalls >= max_recalls:
        raise HallRuleError(
            "recall_limit", f"already recalled {recalls} times (limit {max_recalls}); mark no-show"
        )
    return target


def unanswered_call_action(recalls: int, max_recalls: int = DEFAULT_MAX_RECALLS) -> TicketAction:
    """What to do when a called resident does not come: recall up to N times, then 过号."""
    if recalls < 0 or max_recalls < 0:
        raise HallRuleError("bad_argument", "recall counts must not be negative")
    return TicketAction.RECALL if recalls < max_recalls else TicketAction.NO_SHOW


T = TypeVar("T")


def requeue(order: Sequence[T], item: T, places: int = DEFAULT_REQUEUE_PLACES) -> list[T]:
    """Put a returning no-show ``places`` positions back from the head of ``order``.

    Pure list function: ``item`` is removed from ``order`` if present, then
    inserted after the first ``places`` entries (at the end when the line is
    shorter). ``places == 0`` puts it at the head.
    """
    if places < 0:
        raise HallRuleError("bad_argument", "places must not be negative")
    rest = [x for x in order if x != item]
    rest.insert(min(places, len(rest)), item)
    return rest


# ---------------------------------------------------------------------------
# Routing (前窗通办) and ordering policies
# ---------------------------------------------------------------------------

TicketId = int | str
PriorityClass = Literal["normal", "green"]
NORMAL: Final = "normal"
GREEN: Final = "green"
GREEN_LANE_MIN_AGE: Final = 60
DEFAULT_CREDIT_MINUTES: Final = 10.0


def minutes(moment: datetime) -> float:
    """An aware datetime as minutes since the Unix epoch, the clock the routing rules use."""
    if moment.tzinfo is None:
        raise HallRuleError("naive_datetime", "routing times must be timezone-aware")
    return moment.timestamp() / 60.0


def priority_class(
    age: int | None = None,
    *,
    disability: bool = False,
    pregnant: bool = False,
    appointment: bool = False,
    min_age: int = GREEN_LANE_MIN_AGE,
) -> PriorityClass:
    """Green lane for age ≥ 60 (from the ID), disability, pregnancy or an appointment."""
    if disability or pregnant or appointment or (age is not None and age >= min_age):
        return GREEN
    return NORMAL


@dataclass(frozen=True, slots=True)
class WaitingTicket:
    """What routing needs to know about a waiting ticket — no personal data.

    ``issued_at`` and ``appointment_at`` are minutes on the shared clock.
    ``requeue_rank`` is set by :func:`requeue_rank` when a no-show comes back;
    ``returned`` marks a ticket back from the back office (served first).
    """

    id: TicketId
    number: str
    skill: str
    issued_at: float
    priority: PriorityClass = NORMAL
    appointment_at: float | None = None
    requeue_rank: float | None = None
    returned: bool = False


#: A policy maps a ticket (and the current time) to its rank: smaller is served first.
#: Ranks are in minutes, read as "counts as if it had arrived at".
Policy = Callable[[WaitingTicket, float], float]


def fifo(ticket: WaitingTicket, now: float) -> float:
    """First come, first served by issue time; classes and appointments are ignored."""
    return ticket.issued_at


def priority_ageing(credit_minutes: float = DEFAULT_CREDIT_MINUTES) -> Policy:
    """Green lane by a time credit, not absolute precedence.

    A green ticket counts as if it had arrived ``credit_minutes`` earlier, so a
    normal ticket that has waited more than the credit longer than a green one
    is served first: no normal ticket is ever starved. An appointment ticket
    counts from its slot time, or from its arrival if it came late.
    """
    if not math.isfinite(credit_minutes) or credit_minutes < 0:
        raise HallRuleError("bad_argument", "credit_minutes must be a finite number ≥ 0")

    def rank(ticket: WaitingTicket, now: float) -> float:
        reference = ticket.issued_at
        if ticket.appointment_at is not None and ticket.appointment_at > reference:
            reference = ticket.appointment_at
        if ticket.priority == GREEN:
            return reference - credit_minutes
        return reference

    rank.__name__ = "priority_ageing"
    rank.__doc__ = f"priority_ageing(credit_minutes={credit_minutes})"
    return rank


DEFAULT_POLICY: Final[Policy] = priority_ageing()

POLICY_NAMES: Final = ("fifo", "priority_ageing")


def policy_from_name(name: str, credit_minutes: float = DEFAULT_CREDIT_MINUTES) -> Policy:
    """Build a shipped policy from its configured name."""
    if name == "fifo":
        return fifo
    if name == "priority_ageing":
        return priority_ageing(credit_minutes)
    raise HallRuleError("unknown_policy", f"unknown policy {name!r}; use one of {POLICY_NAMES}")


def _number_key(number: str) -> tuple[str, int]:
    try:
        return parse_ticket_number(number)
    except HallRuleError:
        return number, -1


def order_key(
    ticket: WaitingTicket, now: float, policy: Policy
) -> tuple[int, float, float, tuple[str, int]]:
    """Sort key: returned-from-中台 first, then policy rank, then issue time, then number."""
    rank = ticket.requeue_rank if ticket.requeue_rank is not None else policy(ticket, now)
    return (0 if ticket.returned else 1, rank, ticket.issued_at, _number_key(ticket.number))


def order_waiting(
    waiting: Iterable[WaitingTicket], now: float, policy: Policy = DEFAULT_POLICY
) -> list[WaitingTicket]:
    """All waiting tickets in the order the policy would call them (for displays and ETAs)."""
    return sorted(waiting, key=lambda t: order_key(t, now, policy))


def choose_next(
    window_skills: Collection[str],
    waiting: Iterable[WaitingTicket],
    now: float,
    policy: Policy = DEFAULT_POLICY,
) -> TicketId | None:
    """The ticket a free window pulls next, or ``None`` when it has nothing eligible.

    A window only takes tickets whose skill it has; staff never pick from a
    list (that invites cherry-picking). Tickets back from the back office come
    first, then the policy rank; ties go to the earlier issue time, then the
    lower number, so the choice is deterministic.
    """
    best: WaitingTicket | None = None
    best_key: tuple[int, float, float, tuple[str, int]] | None = None
    for ticket in waiting:
        if ticket.skill not in window_skills:
            continue
        key = order_key(ticket, now, policy)
        if best_key is None or key < best_key:
            best, best_key = ticket, key
    return None if best is None else best.id


def requeue_rank(
    waiting: Iterable[WaitingTicket],
    now: float,
    policy: Policy = DEFAULT_POLICY,
    places: int = DEFAULT_REQUEUE_PLACES,
) -> float:
    """Rank that puts a returning no-show ``places`` positions back in ``waiting``.

    Pass the tickets of the resident's own queue (without the no-show itself)
    and store the result in ``WaitingTicket.requeue_rank``. The rank sits just
    after the ``places``-th ticket; later arrivals still fall in behind by the
    usual policy.
    """
    if places < 0:
        raise HallRuleError("bad_argument", "places must not be negative")
    keys = sorted(order_key(t, now, policy) for t in waiting if not t.returned)
    ranks = [key[1] for key in keys]
    if not ranks:
        return now
    if places == 0:
        return math.nextafter(ranks[0], -math.inf)
    anchor = ranks[min(places, len(ranks)) - 1]
    return math.nextafter(anchor, math.inf)


def people_ahead(
    ticket_id: TicketId,
    waiting: Iterable[WaitingTicket],
    now: float,
    policy: Policy = DEFAULT_POLICY,
) -> int:
    """How many tickets of the same skill will be called before this one (printed on the slip)."""
    tickets = list(waiting)
    mine = next((t for t in tickets if t.id == ticket_id), None)
    if mine is None:
        raise HallRuleError("unknown_ticket", f"ticket {ticket_id!r} is not waiting")
    key = order_key(mine, now, policy)
    return sum(
        1
        for t in tickets
        if t.id != ticket_id and t.skill == mine.skill and order_key(t, now, policy) < key
    )


def estimate_wait_minutes(
    ahead: int, open_windows: int, mean_service_minutes: float
) -> float | None:
    """Rough wait for the slip: (ahead + 1) services shared by the open windows.

    With every window busy and exponential service, the (ahead + 1)-th
    departure takes on average (ahead + 1) · s / c. ``None`` when no window is open.
    """
    if ahead < 0 or mean_service_minutes < 0:
        raise HallRuleError("bad_argument", "ahead and service time must not be negative")
    if open_windows <= 0:
        return None
    return (ahead + 1) * mean_service_minutes / open_windows


# ---------------------------------------------------------------------------
# Erlang formulas (M/M/c) and staffing advice
# ---------------------------------------------------------------------------


def _check_servers(c: int) -> None:
    if isinstance(c, bool) or not isinstance(c, int) or c < 0:
        raise ValueError(f"number of windows must be an integer ≥ 0, got {c!r}")


def _check_nonneg(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")


def _check_positive(name: str, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


_RHO_TOLERANCE: Final = 1e-9


def _saturated(a: float, c: int) -> bool:
    """a ≥ c, counting a load within rounding of capacity (ρ = 1 ± 1e-9) as saturated.

    Shares such as 0.3 × λ land a hair below cμ in floating point and would
    otherwise pass as "stable" with an absurd wait.
    """
    return a >= c or math.isclose(a, c, rel_tol=_RHO_TOLERANCE)


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of c servers offered ``a`` erlangs (stable recursion, no factorials)."""
    _check_servers(c)
    _check_nonneg("offered load", a)
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability an arrival has to wait; 1.0 when the load is unstable (a ≥ c)."""
    _check_servers(c)
    _check_nonneg("offered load", a)
    if a == 0:
        return 0.0
    if _saturated(a, c):
        return 1.0
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def is_stable(c: int, lam: float, mu: float) -> bool:
    """A queue only settles when the windows can out-serve arrivals: λ < cμ."""
    _check_servers(c)
    _check_nonneg("arrival rate", lam)
    _check_positive("service rate", mu)
    return lam == 0 or not _saturated(lam / mu, c)


def mean_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue W_q = C / (cμ − λ), in the time unit of the rates; inf if unstable."""
    if not is_stable(c, lam, mu):
        return math.inf
    if lam == 0:
        return 0.0
    return erlang_c(c, lam / mu) / (c * mu - lam)


def p_wait_longer(c: int, lam: float, mu: float, t: float) -> float:
    """Share of arrivals waiting longer than ``t`` (FCFS): C·e^(−(cμ−λ)t); 1.0 if unstable."""
    _check_nonneg("t", t)
    if not is_stable(c, lam, mu):
        return 1.0
    return erlang_c(c, lam / mu) * math.exp(-(c * mu - lam) * t)


def service_level(c: int, lam: float, mu: float, t: float) -> float:
    """Share of arrivals served within ``t``: 1 − C·e^(−(cμ−λ)t); 0.0 if unstable."""
    return 1.0 - p_wait_longer(c, lam, mu, t)


MAX_WINDOWS: Final = 10_000


def windows_needed(lam: float, mu: float, target_share: float, within: float) -> int:
    """Smallest stable number of windows serving ``target_share`` of arrivals within ``within``.

    Rates and ``within`` share one time unit (e.g. per minute and minutes).
    Zero arrivals need zero windows.
    """
    _check_nonneg("arrival rate", lam)
    _check_positive("service rate", mu)
    _check_nonneg("within", within)
    if not 0 < target_share < 1:
        raise ValueError(f"target_share must be between 0 and 1 (exclusive), got {target_share!r}")
    if lam == 0:
        return 0
    c = max(1, math.floor(lam / mu) + 1)
    while c <= MAX_WINDOWS:
        if service_level(c, lam, mu, within) >= target_share:
            return c
        c += 1
    raise ValueError("load needs more than 10000 windows")


def windows_needed_per_hour(
    arrivals_per_hour: Sequence[float],
    mean_service_minutes: float,
    target_share: float = 0.8,
    within_minutes: float = 10.0,
) -> list[int]:
    """Staffing advice by hour of day: windows needed for each hourly arrival rate."""
    _check_positive("mean service minutes", mean_service_minutes)
    mu = 1.0 / mean_service_minutes
    return [
        windows_needed(rate / 60.0, mu, target_share, within_minutes) for rate in arrivals_per_hour
    ]


@dataclass(frozen=True, slots=True)
class ErlangSummary:
    """Erlang C figures for one hall load, waits in minutes; ``None`` waits when unstable."""

    windows: int
    arrivals_per_hour: float
    mean_service_minutes: float
    offered_load: float
    utilization: float
    stable: bool
    p_wait: float
    mean_wait_minutes: float | None
    service_level: float
    within_minutes: float


def erlang_summary(
    windows: int,
    arrivals_per_hour: float,
    mean_service_minutes: float,
    within_minutes: float = 10.0,
) -> ErlangSummary:
    """Erlang C for a hall in its own units (arrivals per hour, minutes)."""
    _check_positive("mean service minutes", mean_service_minutes)
    if windows < 1:
        raise ValueError("windows must be ≥ 1")
    lam = arrivals_per_hour / 60.0
    mu = 1.0 / mean_service_minutes
    a = lam / mu
    stable = is_stable(windows, lam, mu)
    wait = mean_wait(windows, lam, mu)
    return ErlangSummary(
        windows=windows,
        arrivals_per_hour=arrivals_per_hour,
        mean_service_minutes=mean_service_minutes,
        offered_load=a,
        utilization=a / windows,
        stable=stable,
        p_wait=erlang_c(windows, a),
        mean_wait_minutes=wait if stable else None,
        service_level=service_level(windows, lam, mu, within_minutes),
        within_minutes=within_minutes,
    )


@dataclass(frozen=True, slots=True)
class LineWait:
    """One dedicated line: its windows, traffic share and mean wait (inf if unstable)."""

    windows: int
    share: float
    mu: float
    mean_wait: float
    stable: bool


@dataclass(frozen=True, slots=True)
class PoolingComparison:
    """One shared line for all windows against separate lines with the same traffic."""

    pooled_windows: int
    pooled_mean_wait: float
    pooled_stable: bool
    dedicated_mean_wait: float
    dedicated_stable: bool
    lines: tuple[LineWait, ...]


def pooled_vs_dedicated(
    lam: float,
    mu: float,
    windows: Sequence[int],
    shares: Sequence[float] | None = None,
    line_mus: Sequence[float] | None = None,
) -> PoolingComparison:
    """Compare pooled windows (前窗通办) with dedicated lines.

    ``windows`` gives the windows of each dedicated line; ``shares`` the
    traffic share of each line (default: proportional to its windows);
    ``line_mus`` the service rate of each line (default ``mu`` everywhere —
    with per-line rates the pooled line uses the traffic-weighted mean service
    time, an M/M/c approximation). The dedicated wait is traffic-weighted.
    """
    _check_nonneg("arrival rate", lam)
    _check_positive("service rate", mu)
    if not windows or any(isinstance(w, bool) or w < 1 for w in windows):
        raise ValueError("every dedicated line needs at least one window")
    total = sum(windows)
    if shares is None:
        shares = [w / total for w in windows]
    if len(shares) != len(windows) or any(s < 0 for s in shares) or sum(shares) <= 0:
        raise ValueError("shares must be one non-negative number per line, not all zero")
    norm = sum(shares)
    shares = [s / norm for s in shares]
    mus = list(line_mus) if line_mus is not None else [mu] * len(windows)
    if len(mus) != len(windows):
        raise ValueError("line_mus must give one service rate per line")
    for m in mus:
        _check_positive("service rate", m)
    pooled_mu = (
        mu if line_mus is None else 1.0 / sum(s / m for s, m in zip(shares, mus, strict=True))
    )
    lines = tuple(
        LineWait(
            windows=w,
            share=s,
            mu=m,
            mean_wait=mean_wait(w, lam * s, m),
            stable=is_stable(w, lam * s, m),
        )
        for w, s, m in zip(windows, shares, mus, strict=True)
    )
    dedicated_stable = all(line.stable or line.share == 0 for line in lines)
    dedicated = (
        sum(line.share * line.mean_wait for line in lines if line.share > 0)
        if dedicated_stable
        else math.inf
    )
    return PoolingComparison(
        pooled_windows=total,
        pooled_mean_wait=mean_wait(total, lam, pooled_mu),
        pooled_stable=is_stable(total, lam, pooled_mu),
        dedicated_mean_wait=dedicated,
        dedicated_stable=dedicated_stable,
        lines=lines,
    )


def best_dedicated_split(
    lam: float, shares: Sequence[float], mus: Sequence[float], total: int
) -> list[int]:
    """Split ``total`` windows over dedicated lines to minimise the traffic-weighted wait.

    Each line first gets the fewest windows that keep it stable, then windows
    go one at a time where they cut the weighted wait most (Erlang C waits are
    convex in the number of windows, so this greedy split is optimal). If the
    lines cannot all be made stable, windows are split in proportion to load.
    """
    if len(shares) != len(mus) or not shares or total < len(shares):
        raise ValueError("need one share and one rate per line and at least one window each")
    loads = [lam * s / m for s, m in zip(shares, mus, strict=True)]
    split = [max(1, math.floor(a) + 1) for a in loads]
    if sum(split) > total:
        return _proportional_split(loads, total)

    def weighted(i: int, c: int) -> float:
        return shares[i] * mean_wait(c, lam * shares[i], mus[i])

    for _ in range(total - sum(split)):
        gains = [weighted(i, split[i]) - weighted(i, split[i] + 1) for i in range(len(split))]
        best = max(range(len(split)), key=lambda i: (gains[i], -i))
        split[best] += 1
    return split


def _proportional_split(loads: Sequence[float], total: int) -> list[int]:
    """Largest-remainder split with at least one window per line."""
    n = len(loads)
    spare = total - n
    weight = sum(loads)
    quotas = [spare * (a / weight) if weight > 0 else spare / n for a in loads]
    split = [1 + math.floor(q) for q in quotas]
    order = sorted(range(n), key=lambda i: (-(quotas[i] - math.floor(quotas[i])), i))
    for i in order[: total - sum(split)]:
        split[i] += 1
    return split


def priority_class_waits(c: int, lams: Sequence[float], mu: float) -> list[float]:
    """Mean queue wait per class under non-preemptive priority (class 0 highest).

    W_q,k = C / (cμ·(1 − σ_{k−1})·(1 − σ_k)), σ_k = Σ_{i≤k} λ_i/(cμ). A class
    whose cumulative load reaches the windows' capacity waits forever (inf);
    higher classes still get finite waits even when the hall as a whole is
    overloaded (every window is then always busy, C = 1).
    """
    _check_servers(c)
    _check_positive("service rate", mu)
    if c < 1:
        raise ValueError("need at least one window")
    for lam in lams:
        _check_nonneg("arrival rate", lam)
    capacity = c * mu
    congestion = erlang_c(c, sum(lams) / mu)
    waits: list[float] = []
    sigma_prev = 0.0
    for lam in lams:
        sigma = sigma_prev + lam / capacity
        if _saturated(sigma, 1):
            waits.append(math.inf)
        else:
            waits.append(congestion / (capacity * (1 - sigma_prev) * (1 - sigma)))
        sigma_prev = sigma
    return waits


# ---------------------------------------------------------------------------
# Cases (办件): status and promised deadline
# ---------------------------------------------------------------------------


class CaseStatus(StrEnum):
    """受理 → 办理中 → 办结 | 退件."""

    ACCEPTED = "accepted"  # 受理
    IN_PROGRESS = "in_progress"  # 办理中
    COMPLETED = "completed"  # 办结
    RETURNED = "returned"  # 退件 (refused / sent back to the applicant)


CASE_TRANSITIONS: Final[dict[CaseStatus, frozenset[CaseStatus]]] = {
    CaseStatus.ACCEPTED: frozenset(
        {CaseStatus.IN_PROGRESS, CaseStatus.COMPLETED, CaseStatus.RETURNED}
    ),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.COMPLETED, CaseStatus.RETURNED}),
    CaseStatus.COMPLETED: frozenset(),
    CaseStatus.RETURNED: frozenset(),
}


def check_case_transition(status: str, target: str) -> CaseStatus:
    """Return the new case status or raise ``HallRuleError`` (``forbidden_transition``)."""
    try:
        current, new = CaseStatus(status), CaseStatus(target)
    except ValueError:
        raise HallRuleError(
            "unknown_state", f"unknown case status in {status!r} → {target!r}"
        ) from None
    if new not in CASE_TRANSITIONS[current]:
        raise HallRuleError(
            "forbidden_transition", f"a case that is {current.value} cannot become {new.value}"
        )
    return new


def case_due_date(
    accepted_on: date, promised_working_days: int, calendar: WorkCalendar = PLAIN_WEEK
) -> date:
    """Promised completion date (承诺时限): N working days after acceptance, holidays skipped."""
    return add_working_days(accepted_on, promised_working_days, calendar)


def case_is_overdue(status: str, due: date, today: date) -> bool:
    """An open case past its promised date; finished cases are never overdue."""
    return CaseStatus(status) not in (CaseStatus.COMPLETED, CaseStatus.RETURNED) and today > due


# ---------------------------------------------------------------------------
# Reminders (the daily schedule)
# ---------------------------------------------------------------------------

#: Working days before a case's promised date when its clerk is reminded.
CASE_REMIND_WORKING_DAYS: Final = 1


class CaseReminder(StrEnum):
    DUE = "due"  # the promised date is today or the next working day
    OVERDUE = "overdue"  # the promised date has passed and the case is still open


def case_reminder(
    status: str,
    due: date,
    today: date,
    calendar: WorkCalendar = PLAIN_WEEK,
    *,
    working_days: int = CASE_REMIND_WORKING_DAYS,
) -> CaseReminder | None:
    """The reminder an open case calls for today: one working day before its promised date (or
    on the day, if that run was missed), and once overdue. Finished cases call for none."""
    if CaseStatus(status) in (CaseStatus.COMPLETED, CaseStatus.RETURNED):
        return None
    if today > due:
        return CaseReminder.OVERDUE
    if add_working_days(today, working_days, calendar) >= due:
        return CaseReminder.DUE
    return None


class FollowUpReminder(StrEnum):
    OPEN = "open"  # a bad rating waits for its follow-up
    DUE = "due"  # the follow-up deadline is today or has passed


def follow_up_reminder(due: date | None, done: bool, today: date) -> FollowUpReminder | None:
    """A bad rating (1–2 stars) is announced once when open and again on its deadline day."""
    if due is None or done:
        return None
    return FollowUpReminder.DUE if today >= due else FollowUpReminder.OPEN


# --- Retention of personal data (docs/hall.md, docs/privacy.md) ------------------------------

# Ticket, case, appointment and locker personal data is anonymised after this many days
# (settings.LINLI_HALL_RETENTION_DAYS): the 6 months network logs are kept (Cybersecurity Law
# art. 21), no longer than the purpose needs (PIPL art. 19).
RETENTION_DEFAULT_DAYS: Final = 180
# Never shorter than a locker holds a result (7 days) plus its day of expiry.
RETENTION_MIN_DAYS: Final = 8


class RetentionSettingError(ValueError):
    """LINLI_HALL_RETENTION_DAYS is not a whole number of days at least the minimum."""


def retention_cutoff(today: date, days: object) -> date:
    """The first day whose personal data is kept; records of earlier days are anonymised."""
    if isinstance(days, bool) or not isinstance(days, int):
        raise RetentionSettingError(
            f"LINLI_HALL_RETENTION_DAYS must be a whole number of days, not {days!r}"
        )
    if days < RETENTION_MIN_DAYS:
        raise RetentionSettingError(
            f"LINLI_HALL_RETENTION_DAYS must be at least {RETENTION_MIN_DAYS} days "
            f"(a locker holds a result 7 days), not {days}"
        )
    return today - timedelta(days=days)
