"""The kiosk: its cached view of halls, queues and the calendar, business hours, issuing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES
from django.utils.translation import gettext as _

from linli.core import workcalendar
from linli.core.stamps import StampedCache
from linli.core.workdays import WorkCalendar

from ..errors import HallError, StaleConfig
from ..models import (
    ConfigVersion,
    Hall,
    Queue,
    Ticket,
)
from .appointments import APPOINTMENT_PREFIX
from .common import work_calendar
from .tickets import do_issue_ticket


def kiosk_clock() -> datetime:
    """The kiosk's "now" for business hours (tests replace it to be independent of the clock)."""
    return timezone.now()


def _clock() -> datetime:
    """``services.kiosk_clock()`` looked up at call time: the package attribute is the one
    place a test replaces the clock, for the pages and these services alike."""
    from linli.hall import services

    return services.kiosk_clock()


@dataclass(frozen=True)
class KioskConfig:
    """What the kiosk checks before issuing, as read at configuration version ``version``.

    Halls go by their key (``Hall.key``); a kiosk may also name a hall by its bare code while
    only one hall has that code (``codes``), so kiosks set up before a second street keep
    working."""

    version: tuple[int, int]  # (hall configuration, street calendar)
    halls: dict[str, Hall]  # by key
    queues: dict[tuple[str, str], Queue]  # (hall key, prefix) → a queue the kiosk offers
    appointment_halls: frozenset[str]  # hall keys with a 预约 queue (the 预约签到 button)
    calendar: WorkCalendar
    codes: dict[str, str] = field(default_factory=dict)  # a code only one hall has → its key

    def key_of(self, hall: str) -> str | None:
        """The key of the hall a kiosk names by key or by an unambiguous bare code."""
        return hall if hall in self.halls else self.codes.get(hall)

    def hall(self, hall: str) -> Hall | None:
        key = self.key_of(hall)
        return None if key is None else self.halls[key]

    def hall_queues(self, hall: str) -> list[Queue]:
        key = self.key_of(hall)
        found = [q for (h, _p), q in self.queues.items() if h == key]
        return sorted(found, key=lambda q: (q.sort, q.prefix))

    def street_has_appointments(self, hall: Hall) -> bool:
        """The hall's street takes appointments (some hall of it has the 预约 queue)."""
        return any(
            self.halls[key].subdistrict_id == hall.subdistrict_id for key in self.appointment_halls
        )


# Per process (and per database), replaced whole, never mutated: threads may read it freely.
_KIOSK_CONFIG: StampedCache[KioskConfig] = StampedCache(ConfigVersion)


def _config_version() -> int:
    """The stored configuration version (creating its row if a flush removed it)."""
    return _KIOSK_CONFIG.stamp()


def kiosk_config(*, check: bool = False) -> KioskConfig:
    """This process's copy of halls, kiosk queues and the holiday calendar.

    Loaded on first use; ``check=True`` compares the stored version first (one query) and
    reloads when staff changed something. The ticket path does not check: its numbering
    statement carries the version and refuses to run on a stale copy (``StaleConfig``).
    """
    cached = _KIOSK_CONFIG.get()
    if cached is not None and not check:
        return cached
    version = (_config_version(), workcalendar.version())
    if cached is not None and cached.version == version:
        return cached
    halls = {h.key: h for h in Hall.objects.select_related("subdistrict").order_by()}
    by_id = {h.pk: h for h in halls.values()}
    # A bare code still names a hall while it is the only one with that code.
    counted = Counter(h.code for h in halls.values())
    codes = {h.code: key for key, h in halls.items() if counted[h.code] == 1 and key != h.code}
    queues: dict[tuple[str, str], Queue] = {}
    appointment_halls: set[str] = set()
    for q in Queue.objects.filter(is_backoffice=False).order_by():
        hall = by_id[q.hall_id]
        q.hall = hall
        if q.prefix == APPOINTMENT_PREFIX:
            appointment_halls.add(hall.key)
        else:
            queues[(hall.key, q.prefix)] = q
    calendar = workcalendar.cached(version[1]).calendar
    return _KIOSK_CONFIG.put(
        KioskConfig(version, halls, queues, frozenset(appointment_halls), calendar, codes)
    )


def forget_kiosk_config() -> None:
    """Drop this process's cached configuration (the next use reloads it)."""
    _KIOSK_CONFIG.forget()


def config_changed() -> None:
    """Record that halls or queues changed: every process's kiosk reloads (the street calendar
    has its own stamp, ``core.CalendarVersion``, which the kiosk checks too).

    Called inside the changing transaction by the services that change them (and the demo).
    """
    _KIOSK_CONFIG.changed()


def do_issue_kiosk_ticket(hall: str, prefix: str, id_number: str = "") -> Ticket:
    """A ticket from a hall's kiosk: the queue must be one it offers and the hall open.

    ``hall`` is the hall's key, or its bare code while only one hall has that code.

    In the steady state this costs one statement on PostgreSQL (numbering and insert) and the
    issuing transaction on SQLite: halls, queues and holidays come from ``kiosk_config``.
    Raises ``HallError`` (``unknown_queue``, ``hall_closed``, ``bad_id``).
    """
    config = kiosk_config()
    checked = False  # compared with the stored versions during this call
    for attempt in range(4):
        queue = config.queues.get((config.key_of(hall) or "", prefix))
        if queue is None and not checked:
            config, checked = kiosk_config(check=True), True  # perhaps a queue just created
            queue = config.queues.get((config.key_of(hall) or "", prefix))
        if queue is None:
            raise HallError(_("没有这个取号队列。"), code="unknown_queue")
        now = _clock()
        if not is_open(queue.hall, now, config.calendar):
            if not checked:
                # Closed by this copy: before refusing, make sure staff did not just change the
                # hours or the calendar (the only path that reads the versions; a closed hall
                # is not the steady state).
                config, checked = kiosk_config(check=True), True
                continue
            raise HallError(closed_message(queue.hall, now, config.calendar), code="hall_closed")
        try:
            # The last try, after three changes in a row, checks against a copy read just
            # now and issues without the guard (as a plain read-then-issue would).
            return do_issue_ticket(
                queue, id_number, config_version=config.version if attempt < 3 else None
            )
        except StaleConfig:
            config, checked = kiosk_config(check=True), True
    raise AssertionError("unreachable: the last try is unguarded")


def next_opening(
    hall: Hall, now: datetime, calendar: WorkCalendar | None = None
) -> datetime | None:
    """When the hall next opens at or after ``now``: working days (holidays, 调休) and hours."""
    local = timezone.localtime(now)
    calendar = calendar or work_calendar()
    day = local.date()
    for offset in range(60):
        candidate = day + timedelta(days=offset)
        if not calendar.is_working_day(candidate):
            continue
        if offset == 0 and local.time() >= hall.opens_at:
            continue
        return timezone.make_aware(datetime.combine(candidate, hall.opens_at))
    return None


def is_open(hall: Hall, now: datetime, calendar: WorkCalendar | None = None) -> bool:
    local = timezone.localtime(now)
    return (calendar or work_calendar()).is_working_day(
        local.date()
    ) and hall.opens_at <= local.time() < hall.closes_at


def closed_message(hall: Hall, now: datetime, calendar: WorkCalendar | None = None) -> str:
    opening = next_opening(hall, now, calendar)
    if opening is None:
        return _("本厅现在不营业，暂无开门安排。")
    at = timezone.localtime(opening)
    # The date as YYYY-MM-DD and the weekday in the reader's language (Django's own names).
    return _("本厅现在不营业，今天不再取号。下次开门：%(day)s（%(weekday)s）%(time)s。") % {
        "day": at.date().isoformat(),
        "weekday": WEEKDAY_NAMES[at.weekday()],
        "time": at.strftime("%H:%M"),
    }


def require_open(
    hall: Hall, now: datetime | None = None, calendar: WorkCalendar | None = None
) -> None:
    """Raise ``hall_closed`` outside business hours, on weekends and holidays (调休 counts)."""
    now = now or _clock()
    if not is_open(hall, now, calendar):
        raise HallError(closed_message(hall, now, calendar), code="hall_closed")
