"""The sign-up engine: who gets a seat at an event, who waits, who is promoted and when.

Pure functions over plain data (no Django), so the web sign-up, the staff counter, the cancel
button and ``linli community signups`` all decide seats by the same rules (issue 12, §4):

- Until ``release_at`` (always, when there is none) an event has ``reserved_offline`` *held*
  seats, kept for residents signed up by staff at the counter, and ``capacity −
  reserved_offline`` *general* seats. An online sign-up takes a free general seat; a staff
  sign-up takes a free held seat, else a free general seat. With no seat, one joins the
  wait-list.
- Release happens just before the first operation dated at or after ``release_at``: from then
  on every seat is in one pool. Seated people keep their seat's label; seats taken afterwards
  are general; free seats go to the wait-list in order, each a promotion dated ``release_at``.
- One place per person. A cancel by a seated person frees the seat for the first waiting
  person who may take it (a held seat before release: the first waiting staff sign-up).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

SIGNUP: Final = "signup"
CANCEL: Final = "cancel"
OPS: Final = (SIGNUP, CANCEL)

ONLINE: Final = "online"
STAFF: Final = "staff"
CHANNELS: Final = (ONLINE, STAFF)

HELD: Final = "held"
GENERAL: Final = "general"

CONFIRMED: Final = "confirmed"
WAITLISTED: Final = "waitlisted"
CANCELLED: Final = "cancelled"
LEFT_WAITLIST: Final = "left_waitlist"
REJECTED: Final = "rejected"

DUPLICATE: Final = "duplicate"
UNKNOWN: Final = "unknown"

TIME_FORMAT: Final = "%Y-%m-%dT%H:%M"
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


class SignupError(ValueError):
    """Bad input: names the field (``operations[3].at``) so a caller can say what to fix."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Seat:
    person: str
    channel: str
    seat: str  # HELD or GENERAL

    def as_dict(self) -> dict[str, str]:
        return {"person": self.person, "channel": self.channel, "seat": self.seat}


@dataclass(frozen=True)
class Waiting:
    person: str
    channel: str

    def as_dict(self) -> dict[str, str]:
        return {"person": self.person, "channel": self.channel}


@dataclass(frozen=True)
class Promotion:
    person: str
    channel: str
    at: datetime
    seat: str

    def as_dict(self) -> dict[str, str]:
        return {"person": self.person, "at": format_time(self.at), "seat": self.seat}


@dataclass(frozen=True)
class Operation:
    at: datetime
    op: str  # SIGNUP or CANCEL
    person: str
    channel: str = ONLINE  # meaningful for SIGNUP only


@dataclass(frozen=True)
class Outcome:
    """What one operation did: its result, and the promotions it caused (release included)."""

    person: str
    result: str
    reason: str | None = None
    seat: str | None = None
    promotions: tuple[Promotion, ...] = ()
    released: bool = False  # the release happened just before this operation

    def as_dict(self, index: int) -> dict[str, object]:
        out: dict[str, object] = {"index": index, "person": self.person, "result": self.result}
        if self.reason is not None:
            out["reason"] = self.reason
        if self.seat is not None:
            out["seat"] = self.seat
        return out


@dataclass
class Roster:
    """The seats of one event: who holds which seat (in the order taken) and who waits.

    Build it from the stored state (``confirmed``, ``waitlist``, ``released``) and call
    :meth:`apply` for one operation; the caller persists the differences.
    """

    capacity: int
    reserved_offline: int = 0
    release_at: datetime | None = None
    confirmed: list[Seat] = field(default_factory=list)
    waitlist: list[Waiting] = field(default_factory=list)
    released: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.capacity, bool) or not isinstance(self.capacity, int):
            raise SignupError("capacity", "must be a whole number")
        if self.capacity < 1:
            raise SignupError("capacity", "must be at least 1")
        reserved = self.reserved_offline
        if isinstance(reserved, bool) or not isinstance(reserved, int):
            raise SignupError("reserved_offline", "must be a whole number")
        if not 0 <= reserved <= self.capacity:
            raise SignupError("reserved_offline", f"must be between 0 and {self.capacity}")

    # -- counts ----------------------------------------------------------------------------
    def held_taken(self) -> int:
        return sum(1 for s in self.confirmed if s.seat == HELD)

    def general_taken(self) -> int:
        return len(self.confirmed) - self.held_taken()

    def free_held(self) -> int:
        """Free held seats; none once released (every seat is then in one pool)."""
        if self.released:
            return 0
        return max(self.reserved_offline - self.held_taken(), 0)

    def free_general(self) -> int:
        if self.released:
            return self.capacity - len(self.confirmed)
        return max(self.capacity - self.reserved_offline - self.general_taken(), 0)

    def free(self) -> int:
        return self.free_held() + self.free_general()

    def status_of(self, person: str) -> str | None:
        """CONFIRMED, WAITLISTED or None (not signed up, or gone)."""
        if any(s.person == person for s in self.confirmed):
            return CONFIRMED
        if any(w.person == person for w in self.waitlist):
            return WAITLISTED
        return None

    def waiting_position(self, person: str) -> int | None:
        """1-based place on the wait-list."""
        for i, w in enumerate(self.waitlist, start=1):
            if w.person == person:
                return i
        return None

    # -- transitions -----------------------------------------------------------------------
    def due_for_release(self, at: datetime) -> bool:
        return not self.released and self.release_at is not None and at >= self.release_at

    def release(self, at: datetime | None = None) -> tuple[Promotion, ...]:
        """Merge held and general seats into one pool and seat the wait-list in order.

        Promotions are dated ``release_at`` (or ``at`` when staff release early).
        """
        if self.released:
            return ()
        when = self.release_at if at is None else at
        if when is None:
            raise SignupError("release_at", "no release time to date the promotions with")
        self.released = True
        promotions: list[Promotion] = []
        while self.waitlist and self.free_general() > 0:
            waiter = self.waitlist.pop(0)
            self.confirmed.append(Seat(waiter.person, waiter.channel, GENERAL))
            promotions.append(Promotion(waiter.person, waiter.channel, when, GENERAL))
        return tuple(promotions)

    def _seat(self, channel: str) -> str | None:
        if channel == STAFF and self.free_held() > 0:
            return HELD
        if self.free_general() > 0:
            return GENERAL
        return None

    def _refill(self, freed: str, at: datetime) -> tuple[Promotion, ...]:
        """Give a just-freed seat to the first waiting person who may take it."""
        label = GENERAL if self.released else freed
        for i, waiter in enumerate(self.waitlist):
            if label == HELD and waiter.channel != STAFF:
                continue
            del self.waitlist[i]
            self.confirmed.append(Seat(waiter.person, waiter.channel, label))
            return (Promotion(waiter.person, waiter.channel, at, label),)
        return ()

    def apply(self, op: Operation) -> Outcome:
        released = False
        promotions: tuple[Promotion, ...] = ()
        if self.due_for_release(op.at):
            promotions = self.release()
            released = True
        if op.op == SIGNUP:
            if self.status_of(op.person) is not None:
                return Outcome(op.person, REJECTED, DUPLICATE, None, promotions, released)
            label = self._seat(op.channel)
            if label is None:
                self.waitlist.append(Waiting(op.person, op.channel))
                return Outcome(op.person, WAITLISTED, None, None, promotions, released)
            self.confirmed.append(Seat(op.person, op.channel, label))
            return Outcome(op.person, CONFIRMED, None, label, promotions, released)
        if op.op == CANCEL:
            for i, seat in enumerate(self.confirmed):
                if seat.person == op.person:
                    del self.confirmed[i]
                    promotions += self._refill(seat.seat, op.at)
                    return Outcome(op.person, CANCELLED, None, None, promotions, released)
            for i, waiter in enumerate(self.waitlist):
                if waiter.person == op.person:
                    del self.waitlist[i]
                    return Outcome(op.person, LEFT_WAITLIST, None, None, promotions, released)
            return Outcome(op.person, REJECTED, UNKNOWN, None, promotions, released)
        raise SignupError("op", f"unknown operation {op.op!r}")


# -- time ----------------------------------------------------------------------------------
def parse_time(value: object, field_name: str) -> datetime:
    """Parse ``YYYY-MM-DDTHH:MM`` strictly (no seconds, no zone)."""
    if not isinstance(value, str) or not _TIME_RE.fullmatch(value):
        raise SignupError(field_name, "must be a time YYYY-MM-DDTHH:MM")
    try:
        # Naive on purpose: a local wall-clock time; the service makes it aware.
        return datetime.strptime(value, TIME_FORMAT)  # noqa: DTZ007
    except ValueError:
        raise SignupError(field_name, f"{value!r} is not a real date and time") from None


def format_time(value: datetime) -> str:
    return value.strftime(TIME_FORMAT)


# -- the machine interface's request ---------------------------------------------------------
_REQUEST_KEYS: Final = frozenset({"capacity", "reserved_offline", "release_at", "operations"})
_OPERATION_KEYS: Final = frozenset({"at", "op", "person", "channel"})


@dataclass(frozen=True)
class Request:
    capacity: int
    reserved_offline: int
    release_at: datetime | None
    operations: tuple[Operation, ...]


def _whole(value: object, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SignupError(field_name, "must be a whole number")
    return value


def parse_operation(raw: object, index: int, previous: datetime | None) -> Operation:
    where = f"operations[{index}]"
    if not isinstance(raw, Mapping):
        raise SignupError(where, "must be an object {at, op, person, channel}")
    unknown = sorted(str(k) for k in set(raw) - _OPERATION_KEYS)
    if unknown:
        raise SignupError(f"{where}.{unknown[0]}", "unknown field")
    if "at" not in raw:
        raise SignupError(f"{where}.at", "missing")
    at = parse_time(raw["at"], f"{where}.at")
    if previous is not None and at < previous:
        raise SignupError(
            f"{where}.at",
            f"{format_time(at)} is earlier than operation {index - 1} ({format_time(previous)})",
        )
    op = raw.get("op")
    if "op" not in raw:
        raise SignupError(f"{where}.op", "missing")
    if op not in OPS:
        raise SignupError(f"{where}.op", f"unknown operation {op!r} (use signup or cancel)")
    if "person" not in raw:
        raise SignupError(f"{where}.person", "missing")
    person = raw["person"]
    if not isinstance(person, str) or not person.strip():
        raise SignupError(f"{where}.person", "must be a non-empty text")
    channel = raw.get("channel", ONLINE)
    if channel not in CHANNELS:
        raise SignupError(f"{where}.channel", f"unknown channel {channel!r} (use online or staff)")
    return Operation(at=at, op=str(op), person=person, channel=str(channel))


def parse_request(data: object) -> Request:
    """Validate the JSON of ``linli community signups``; the first problem raises SignupError."""
    if not isinstance(data, Mapping):
        raise SignupError("input", 'must be an object {"capacity": ..., "operations": [...]}')
    unknown = sorted(str(k) for k in set(data) - _REQUEST_KEYS)
    if unknown:
        raise SignupError(unknown[0], "unknown field")
    if "capacity" not in data:
        raise SignupError("capacity", "missing")
    capacity = _whole(data["capacity"], "capacity")
    if capacity < 1:
        raise SignupError("capacity", "must be at least 1")
    reserved = _whole(data.get("reserved_offline", 0), "reserved_offline")
    if not 0 <= reserved <= capacity:
        raise SignupError("reserved_offline", f"must be between 0 and capacity ({capacity})")
    release_raw = data.get("release_at")
    release_at = None if release_raw is None else parse_time(release_raw, "release_at")
    if "operations" not in data:
        raise SignupError("operations", "missing")
    raw_ops = data["operations"]
    if not isinstance(raw_ops, list):
        raise SignupError("operations", "must be a list")
    ops: list[Operation] = []
    previous: datetime | None = None
    for index, raw in enumerate(raw_ops):
        op = parse_operation(raw, index, previous)
        ops.append(op)
        previous = op.at
    return Request(capacity, reserved, release_at, tuple(ops))


@dataclass(frozen=True)
class Replay:
    confirmed: tuple[Seat, ...]
    waitlist: tuple[Waiting, ...]
    outcomes: tuple[Outcome, ...]
    promotions: tuple[Promotion, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "confirmed": [s.as_dict() for s in self.confirmed],
            "waitlist": [w.as_dict() for w in self.waitlist],
            "results": [o.as_dict(i) for i, o in enumerate(self.outcomes)],
            "promotions": [p.as_dict() for p in self.promotions],
        }


def replay(
    capacity: int,
    operations: Iterable[Operation],
    *,
    reserved_offline: int = 0,
    release_at: datetime | None = None,
) -> Replay:
    """Apply operations in order from an empty event; operations must not go back in time."""
    roster = Roster(capacity, reserved_offline, release_at)
    outcomes: list[Outcome] = []
    promotions: list[Promotion] = []
    previous: datetime | None = None
    for index, op in enumerate(operations):
        if previous is not None and op.at < previous:
            raise SignupError(f"operations[{index}].at", "earlier than the operation before")
        previous = op.at
        outcome = roster.apply(op)
        outcomes.append(outcome)
        promotions.extend(outcome.promotions)
    return Replay(
        tuple(roster.confirmed), tuple(roster.waitlist), tuple(outcomes), tuple(promotions)
    )


def run(data: object) -> dict[str, object]:
    """The whole machine interface: parse, replay, and the JSON answer."""
    request = parse_request(data)
    return replay(
        request.capacity,
        request.operations,
        reserved_offline=request.reserved_offline,
        release_at=request.release_at,
    ).as_dict()


def attendance_rate(seated: int, attended: int) -> float | None:
    """Share of seated people who came (None with nobody seated)."""
    if seated <= 0:
        return None
    return attended / seated


# -- other pure rules of the module ----------------------------------------------------------
STAR_HOURS: Final = (100, 300, 600, 1000, 1500)  # Shanghai star levels 1–5 by approved hours


def star_level(minutes: int) -> int:
    """Stars (0–5) for approved service time: 100/300/600/1,000/1,500 hours, boundary included."""
    return sum(1 for hours in STAR_HOURS if minutes >= hours * 60)


def next_star(minutes: int) -> tuple[int, int] | None:
    """(next level, minutes still needed), or None at five stars."""
    level = star_level(minutes)
    if level >= len(STAR_HOURS):
        return None
    return level + 1, STAR_HOURS[level] * 60 - minutes


def budget_adds_up(total_fen: int, parts: Iterable[int]) -> bool:
    """A project's budget split (resident-raised, subsidy, other) adds up to the fen."""
    values = list(parts)
    return all(v >= 0 for v in values) and sum(values) == total_fen


def split_fen(total_fen: int, weights: Iterable[int]) -> list[int]:
    """Split an amount by whole weights, largest remainder first; the parts add to the fen."""
    ws = list(weights)
    if total_fen < 0 or not ws or any(w < 0 for w in ws) or sum(ws) == 0:
        raise ValueError("need a non-negative total and non-negative weights, not all zero")
    whole = sum(ws)
    shares = [total_fen * w // whole for w in ws]
    rest = total_fen - sum(shares)
    order = sorted(range(len(ws)), key=lambda i: (-(total_fen * ws[i] % whole), i))
    for i in order[:rest]:
        shares[i] += 1
    return shares


SLOT_MINUTES: Final = 30


def slots(start: datetime, end: datetime) -> list[datetime]:
    """The half-hour slots a booking from ``start`` to ``end`` occupies (partial ones count)."""
    if end <= start:
        raise ValueError("end must be after start")
    first = start.replace(
        minute=start.minute - start.minute % SLOT_MINUTES, second=0, microsecond=0
    )
    out: list[datetime] = []
    current = first
    while current < end:
        out.append(current)
        current += timedelta(minutes=SLOT_MINUTES)
    return out


def decision_passed(members: int, agree: int, against: int, abstain: int) -> bool:
    """A lane-committee motion passes with a quorum of more than half the members present and
    more than half of those present agreeing (abstentions count as present)."""
    present = agree + against + abstain
    if members < 1 or present > members or min(agree, against, abstain) < 0:
        raise ValueError("votes must be non-negative and no more than the members")
    return 2 * present > members and 2 * agree > present


# --- the network's hierarchy and series definitions ------------------------------------------

ANCHOR_KINDS: Final = ("centre", "culture", "party_school")
STATION_KINDS: Final = ("building_station", "residential_station")
POINT_KINDS: Final = ("point",)


def position_level(kind: str) -> int:
    """0 for the three anchor sites, 1 for stations, 2 for service points."""
    if kind in ANCHOR_KINDS:
        return 0
    if kind in STATION_KINDS:
        return 1
    if kind in POINT_KINDS:
        return 2
    raise ValueError(f"unknown position kind {kind!r}")


def hierarchy_problem(kind: str, parent_kind: str | None, child_kinds: Iterable[str]) -> str | None:
    """Why a position of ``kind`` cannot sit under ``parent_kind`` with those children, or None.

    Anchors stand at the top (no parent); a station hangs under an anchor; a service point under
    an anchor or a station. Each child must stay at a lower level than its parent, so a
    position with points under it cannot become a point itself. Levels strictly increase
    downwards, so no chain of parents can loop.
    """
    level = position_level(kind)
    if level == 0:
        if parent_kind is not None:
            return "anchor_has_parent"
    elif parent_kind is None:
        return "needs_parent"
    elif position_level(parent_kind) >= level:
        return "parent_not_above"
    if any(position_level(child) <= level for child in child_kinds):
        return "child_not_below"
    return None


def parse_weekdays(text: str) -> list[int]:
    """``"1,2,3,4,5"`` → [1, 2, 3, 4, 5] (ISO weekdays, Monday = 1); ValueError when malformed."""
    days: list[int] = []
    for part in text.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 7:
            raise ValueError(f"not a weekday: {part!r}")
        if int(part) not in days:
            days.append(int(part))
    if not days:
        raise ValueError("no weekday")
    return sorted(days)


def split_duties(text: str) -> list[str]:
    """全岗通 duties separated by 、 or commas, stripped, without repeats."""
    out: list[str] = []
    for part in re.split(r"[、,，;；/\n]", text):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def rotating_partner(partners: list[str], ordinal: int) -> str:
    """The partner of the day in a series' rotation (the same day always gets the same one)."""
    return partners[ordinal % len(partners)] if partners else ""
