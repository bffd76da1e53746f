"""Service-centre use cases: one function each, permission-checked, atomic and audited.

Numbers come from one ``UPDATE … SET n = n + 1`` on the queue's counter row inside the
issuing transaction, so no two tickets of a queue and day share a number and none is skipped,
on SQLite (IMMEDIATE transactions) and PostgreSQL (the row lock) alike.
"""

from __future__ import annotations

import fcntl
import functools
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, crypto, excel, policy, workcalendar
from linli.core.context import Actor
from linli.core.errors import DomainError, ImportRejected, RowError
from linli.core.excel import Column, read_sheet
from linli.core.identity import age_band, age_on, check_id_number, mask_phone
from linli.core.models import CalendarVersion
from linli.core.workdays import WorkCalendar, add_working_days
from linli.notices import rules as notice_rules
from linli.notices import services as notices

from . import rules
from .models import (
    Appointment,
    Case,
    ConfigVersion,
    Hall,
    Item,
    Locker,
    Pickup,
    Queue,
    QueueCounter,
    Rating,
    Slot,
    Ticket,
    TicketEvent,
    Window,
)
from .rules import HallRuleError, TicketAction, TicketState

ID_PURPOSE = "hall.id_number"
PHONE_PURPOSE = "hall.phone"
FOLLOW_UP_WORKING_DAYS = 3
OPEN_STATES = (TicketState.WAITING, TicketState.RETURNED)
ACTIVE_AT_WINDOW = (TicketState.CALLED, TicketState.SERVING)


class HallError(DomainError):
    code = "hall"


RULE_MESSAGES = {
    "forbidden_transition": "该号码当前状态不允许此操作。",
    "recall_limit": "已达到重呼次数上限，请按过号处理。",
}


def _rule_error(exc: HallRuleError) -> HallError:
    return HallError(_(RULE_MESSAGES.get(exc.code, "操作不符合叫号规则。")), code=exc.code)


# --- helpers ---------------------------------------------------------------------------------


def id_hash(number: str) -> str:
    return crypto.keyed_hash(number, ID_PURPOSE)


def id_hashes(number: str) -> list[str]:
    """The number's hash under every accepted cipher suite: what a look-up matches while an
    installation moves from one suite to the other (docs/privacy.md)."""
    return crypto.keyed_hashes(number, ID_PURPOSE)


def work_calendar() -> WorkCalendar:
    """The street's working-day calendar (``core``: the package's notices and its overrides)."""
    return workcalendar.work_calendar()


def protect_phone(phone: str) -> tuple[str, str]:
    """An optional mobile number a resident gives for notices: (cipher, masked), or ("", "")."""
    if not (phone or "").strip():
        return "", ""
    normalized = notice_rules.normalize_phone(phone)
    if normalized is None:
        raise HallError(_("手机号应为 11 位手机号码。"), code="bad_phone", field="phone")
    return crypto.encrypt(normalized, PHONE_PURPOSE), mask_phone(normalized)


def resident_phone(obj: Case | Appointment) -> str | None:
    """The number a resident gave on a case or a booking (decrypted only to send a notice)."""
    return crypto.decrypt(obj.phone_cipher, PHONE_PURPOSE) if obj.phone_cipher else None


def pinyin_initials(*texts: str) -> str:
    """Space-separated pinyin initials of a name and its aliases: 居住证 → jzz.

    ``pypinyin`` is imported here, not at module level: with its phrase dictionary (needed for
    the right reading of polyphonic characters, 调解 → tj, 银行 → yh) it costs a process about
    45 MB, which web workers that never save a catalogue item should not carry.
    """
    from pypinyin import Style, lazy_pinyin

    out = []
    for text in texts:
        for part in text.replace("，", ",").split(","):
            part = part.strip()
            if part:
                out.append("".join(s[0] for s in lazy_pinyin(part, style=Style.FIRST_LETTER) if s))
    return " ".join(out).lower()


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _event(
    ticket: Ticket,
    action: str,
    before: str,
    now: datetime,
    actor: Actor,
    window: Window | None = None,
    note: str = "",
) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        at=now,
        action=action,
        from_state=before,
        to_state=ticket.state,
        window=window,
        actor=actor.user,
        note=note[:200],
    )


def _audit(actor: Actor, action: str, ticket: Ticket, **details: Any) -> None:
    audit.record(
        actor,
        f"hall.ticket.{action}",
        ticket,
        details={"number": ticket.number, "state": ticket.state, **details},
    )


# --- catalogue -------------------------------------------------------------------------------


def save_item(actor: Actor, item: Item) -> Item:
    policy.require(actor.user, "hall.manage")
    with transaction.atomic():
        created = item.pk is None
        item.pinyin = pinyin_initials(item.name, item.aliases)
        item.save()
        audit.record(actor, "hall.item.create" if created else "hall.item.update", item)
    return item


def search_items(qs: Any, text: str) -> Any:
    """Name, alias, code or pinyin initials (e.g. ``jzz`` for 居住证)."""
    from django.db.models import Q

    text = text.strip()
    if not text:
        return qs
    return qs.filter(
        Q(name__icontains=text)
        | Q(aliases__icontains=text)
        | Q(code__icontains=text)
        | Q(pinyin__icontains=text.lower())
    )


ITEM_COLUMNS = [
    Column("code", "事项编码", excel.text(40)),
    Column("name", "事项名称", excel.text(120)),
    Column("aliases", "别名", excel.text(200), required=False),
    Column("category", "类别", excel.text(40)),
    Column("hall", "大厅", excel.text(4)),
    Column("queue", "队列", excel.text(3)),
    Column("channel_window", "窗口办理", excel.boolean, required=False),
    Column("channel_self_service", "自助办理", excel.boolean, required=False),
    Column("channel_online", "一网通办", excel.boolean, required=False),
    Column("channel_citywide", "全市通办", excel.boolean, required=False),
    Column("fee", "收费", excel.text(60), required=False),
    Column("promised_days", "承诺时限(工作日)", excel.integer(0, 365), required=False),
    Column("materials", "申请材料", excel.text(4000), required=False),
    Column("legal_basis", "设定依据", excel.text(2000), required=False),
]


def format_materials(materials: list[dict[str, Any]]) -> str:
    """``本人办理：居民身份证、户口簿；代办：…`` — the Excel form of the materials."""
    return "；".join(
        f"{m.get('situation', '')}：{'、'.join(m.get('materials', []))}" for m in materials
    )


def parse_materials(text: str) -> list[dict[str, Any]]:
    out = []
    for part in (text or "").replace(";", "；").split("；"):
        if not part.strip():
            continue
        situation, _sep, rest = part.replace(":", "：").partition("：")
        if not rest:
            situation, rest = "", situation
        out.append(
            {
                "situation": situation.strip(),
                "materials": [m.strip() for m in rest.replace(",", "、").split("、") if m.strip()],
            }
        )
    return out


def import_items(actor: Actor, file: Any, filename: str = "") -> tuple[int, int]:
    """Catalogue import: every row valid or nothing written; existing codes are updated."""
    policy.require(actor.user, "hall.manage")
    rows = read_sheet(file, ITEM_COLUMNS)
    halls = {h.code: h for h in Hall.objects.all()}
    queues = {q.prefix: q for q in Queue.objects.all()}
    existing = {i.code: i for i in Item.objects.filter(code__in=[r["code"] for _n, r in rows])}
    errors: list[RowError] = []
    seen: set[str] = set()
    items = []
    for number, row in rows:
        if row["code"] in seen:
            errors.append(RowError(number, "事项编码", _("文件中重复")))
        seen.add(row["code"])
        hall = halls.get(row["hall"])
        queue = queues.get(row["queue"])
        if hall is None:
            errors.append(RowError(number, "大厅", _("没有这个大厅代码")))
        if queue is None or queue.is_backoffice:
            errors.append(RowError(number, "队列", _("没有这个取号队列")))
        item = existing.get(row["code"]) or Item(code=row["code"])
        item.name, item.category = row["name"], row["category"]
        item.aliases = row["aliases"] or ""
        item.hall, item.queue = hall, queue  # type: ignore[assignment]
        for key in ("channel_window", "channel_self_service", "channel_online", "channel_citywide"):
            setattr(item, key, bool(row[key]) if row[key] is not None else key == "channel_window")
        item.fee = row["fee"] or "不收费"
        item.promised_days = row["promised_days"] or 0
        item.materials = parse_materials(row["materials"] or "")
        item.legal_basis = row["legal_basis"] or ""
        item.pinyin = pinyin_initials(item.name, item.aliases)
        items.append(item)
    if errors:
        raise ImportRejected(errors)
    created = sum(1 for i in items if i.pk is None)
    with transaction.atomic():
        for item in items:
            item.save()
        audit.record(
            actor, "hall.item.import", object_type="hall.item", object_repr=filename[:200],
            details={"created": created, "updated": len(items) - created},
        )  # fmt: skip
    return created, len(items) - created


# --- ticketing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    ahead: int
    wait_minutes: float | None


_COUNTER_UPSERT = (
    "INSERT INTO {counter} (queue_id, day, n) {source}"
    " ON CONFLICT (queue_id, day) DO UPDATE SET n = {counter}.n + 1 RETURNING n"
)
# With a configuration version: the counter moves only while the kiosk's cached view of halls,
# queues and holidays is still current (see ``kiosk_config``).
_CHECKED_SOURCE = (
    "SELECT %s, %s, 1 FROM {version} v, {calendar} c"
    " WHERE v.id = 1 AND v.n = %s AND c.id = 1 AND c.n = %s"
)
_PLAIN_SOURCE = "SELECT %s, %s, 1 WHERE 1 = 1"  # (WHERE: SQLite's upsert-after-SELECT rule)


def _counter_sql(checked: bool) -> str:
    source = _CHECKED_SOURCE if checked else _PLAIN_SOURCE
    return _COUNTER_UPSERT.format(
        counter=QueueCounter._meta.db_table,
        source=source.format(
            version=ConfigVersion._meta.db_table, calendar=CalendarVersion._meta.db_table
        ),
    )


def next_seq(queue: Queue, day: date, config_version: tuple[int, int] | None = None) -> int | None:
    """Hand out the next number of a queue for a day; call inside a transaction.

    One ``INSERT … ON CONFLICT DO UPDATE SET n = n + 1 RETURNING n`` (SQLite ≥ 3.35,
    PostgreSQL): creating the day's counter, the increment and the read are one statement under
    the write lock (SQLite) or the row lock (PostgreSQL). With ``config_version`` nothing moves
    and None is returned when the hall configuration changed since it was read.
    """
    params: list[Any] = [queue.pk, day]
    if config_version is not None:
        params.extend(config_version)
    with connection.cursor() as cursor:
        cursor.execute(_counter_sql(config_version is not None), params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


# SQLite has one writer at a time. Issuers that collide on its lock wait in SQLite's busy
# handler, which sleeps 1, 2, 5 … 100 ms between tries: under load a waiter kept losing to
# writers that came later and the p99 of issuing exploded. Kiosk issuers therefore queue first
# on a process lock (threads of a gthread worker) and then on an exclusive ``flock`` of a file
# next to the database (the other worker processes), both of which wake the next waiter at
# once; SQLite's busy handler is left to other writers. PostgreSQL (row locks) needs neither.
_SQLITE_WRITE_LOCK = threading.Lock()
_SQLITE_LOCK_FILES: dict[tuple[int, str], int | None] = {}


def _sqlite_lock_file(name: str) -> int | None:
    """This process's descriptor of the database's lock file (None: in-memory or not possible).

    Keyed by process id too: a descriptor inherited over ``fork`` would share its lock.
    """
    key = (os.getpid(), name)
    if key not in _SQLITE_LOCK_FILES:
        fd = None
        if name and os.path.isabs(name):
            try:
                fd = os.open(f"{name}.issue-lock", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                fd = None
        _SQLITE_LOCK_FILES[key] = fd
    return _SQLITE_LOCK_FILES[key]


@contextmanager
def _sqlite_writer() -> Iterator[None]:
    # Not inside an outer transaction: that one may already hold SQLite's write lock, and
    # waiting for these locks while holding it could stall the writer that holds them.
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with _SQLITE_WRITE_LOCK:
        fd = _sqlite_lock_file(str(connection.settings_dict["NAME"]))
        if fd is None:
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


class StaleConfig(Exception):
    """The hall configuration changed since the kiosk's cached copy was read."""


def issue_ticket(
    queue: Queue,
    id_number: str = "",
    *,
    item: Item | None = None,
    now: datetime | None = None,
    source: str | None = None,
    config_version: tuple[int, int] | None = None,
) -> Ticket:
    """A kiosk ticket, with an ID swipe (checksum checked) or without ID.

    From the swipe only a keyed hash and the age band are kept; age ≥ 60 gives the green lane.
    With ``config_version`` (the kiosk's cached configuration) nothing is issued and
    ``StaleConfig`` is raised when halls, queues or holidays changed since.
    """
    now = now or timezone.now()
    day = local_day(now)
    hashed, band, priority = "", "", rules.NORMAL
    if id_number.strip():
        check = check_id_number(id_number, today=day)
        if not check.valid or check.number is None or check.birth_date is None:
            raise HallError(_("身份证号码无效，请重新刷卡或选择无证取号。"), code="bad_id")
        hashed = id_hash(check.number)
        band = age_band(check.birth_date, day)
        priority = rules.priority_class(age_on(check.birth_date, day))
    if queue.is_backoffice:
        raise HallError(_("中台不直接取号。"), code="backoffice_queue")
    ticket = Ticket(
        queue=queue,
        day=day,
        seq=0,
        number="",
        token=secrets.token_urlsafe(12),
        item=item,
        source=source or (Ticket.Source.ID_CARD if hashed else Ticket.Source.ANONYMOUS),
        state=TicketState.WAITING,
        priority=priority,
        id_hash=hashed,
        age_band=band,
        issued_at=now,
    )
    values = _ticket_values(ticket)
    if connection.vendor == "postgresql":
        # One statement, so one round trip and atomic by itself (no BEGIN/COMMIT needed).
        if not _insert_numbered_pg(ticket, values, config_version):
            raise StaleConfig
        return ticket
    with _sqlite_writer(), transaction.atomic():
        seq = next_seq(queue, day, config_version)
        if seq is None:
            raise StaleConfig
        ticket.seq = seq
        ticket.number = rules.format_ticket_number(queue.prefix, seq)
        index = _ticket_template(connection.vendor)[1]
        values[index["seq"]], values[index["number"]] = seq, ticket.number
        with connection.cursor() as cursor:
            cursor.execute(_insert_sql(connection.vendor), values)
            ticket.pk = cursor.fetchone()[0]
    ticket._state.adding = False
    ticket._state.db = connection.alias
    return ticket


# What varies from one kiosk ticket to the next; every other column of a new ticket has the same
# value each time (its default), prepared for the database once per process.
_TICKET_VARYING = (
    "queue_id", "day", "seq", "number", "token", "item_id", "source", "state", "priority",
    "id_hash", "age_band", "issued_at",
)  # fmt: skip


@functools.cache
def _ticket_template(vendor: str) -> tuple[tuple[Any, ...], dict[str, int]]:
    """(the prepared values of a new ticket's constant columns, column index by attname)."""
    blank = Ticket()
    fields = _ticket_fields()
    index = {f.attname: i for i, f in enumerate(fields)}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            raise AssertionError(f"{f.name}: a per-insert default needs preparing per ticket")
        if f.has_default() and callable(f.default):
            raise AssertionError(f"{f.name}: a callable default needs preparing per ticket")
    values = tuple(
        None
        if f.attname in _TICKET_VARYING
        else f.get_db_prep_save(f.pre_save(blank, True), connection)
        for f in fields
    )
    return values, index


def _ticket_values(ticket: Ticket) -> list[Any]:
    """The INSERT parameters of a new ticket (as ``objects.create`` would prepare them), seq and
    number left to the numbering: the constant columns come prepared from the template, only
    the varying ones are converted (the date and the time through their fields)."""
    template, index = _ticket_template(connection.vendor)
    values = list(template)
    day_field = Ticket._meta.get_field("day")
    issued_field = Ticket._meta.get_field("issued_at")
    values[index["queue_id"]] = ticket.queue_id
    values[index["day"]] = day_field.get_db_prep_save(ticket.day, connection)
    values[index["token"]] = ticket.token
    values[index["item_id"]] = ticket.item_id
    values[index["source"]] = str(ticket.source)
    values[index["state"]] = str(ticket.state)
    values[index["priority"]] = str(ticket.priority)
    values[index["id_hash"]] = ticket.id_hash
    values[index["age_band"]] = ticket.age_band
    values[index["issued_at"]] = issued_field.get_db_prep_save(ticket.issued_at, connection)
    return values


@functools.cache
def _ticket_fields() -> list[Any]:
    return [f for f in Ticket._meta.concrete_fields if not f.primary_key]


def _columns() -> str:
    return ", ".join(connection.ops.quote_name(str(f.column)) for f in _ticket_fields())


@functools.cache
def _insert_sql(vendor: str) -> str:
    """One plain ``INSERT … RETURNING id`` of a ticket: the same columns and values as
    ``Ticket.objects.create``, without the ORM's per-call query compilation."""
    marks = ", ".join(["%s"] * len(_ticket_fields()))
    table = connection.ops.quote_name(Ticket._meta.db_table)
    return f"INSERT INTO {table} ({_columns()}) VALUES ({marks}) RETURNING id"


@functools.cache
def _numbered_insert_sql_pg(checked: bool) -> str:
    """``WITH c AS (INSERT INTO hall_queuecounter … ON CONFLICT DO UPDATE SET n = n + 1
    RETURNING n) INSERT INTO hall_ticket … SELECT …, c.n, prefix || digits FROM c``."""
    select = []
    for f in _ticket_fields():
        if f.attname == "seq":
            select.append("c.n")
        elif f.attname == "number":
            select.append(
                "%s || CASE WHEN c.n < 1000 THEN LPAD(c.n::text, 3, '0') ELSE c.n::text END"
            )
        else:
            select.append("%s")
    table = connection.ops.quote_name(Ticket._meta.db_table)
    return (
        f"WITH c AS ({_counter_sql(checked)}) "
        f"INSERT INTO {table} ({_columns()}) SELECT {', '.join(select)} FROM c RETURNING id, seq"
    )


def _insert_numbered_pg(
    ticket: Ticket, values: list[Any], config_version: tuple[int, int] | None
) -> bool:
    """PostgreSQL: number and insert a ticket in one statement (False: configuration changed).

    The counter's row lock is held until the statement commits, so numbers have no duplicate
    and no gap, and a failed insert takes its number back with it.
    """
    params: list[Any] = [ticket.queue_id, ticket.day]
    if config_version is not None:
        params.extend(config_version)
    for f, value in zip(_ticket_fields(), values, strict=True):
        if f.attname == "number":
            params.append(ticket.queue.prefix)
        elif f.attname != "seq":
            params.append(value)
    with connection.cursor() as cursor:
        cursor.execute(_numbered_insert_sql_pg(config_version is not None), params)
        row = cursor.fetchone()
    if row is None:
        return False
    ticket.pk, ticket.seq = row[0], int(row[1])
    ticket.number = rules.format_ticket_number(ticket.queue.prefix, ticket.seq)
    ticket._state.adding = False
    ticket._state.db = connection.alias
    return True


def _waiting(tickets: list[Ticket]) -> list[rules.WaitingTicket]:
    return [
        rules.WaitingTicket(
            id=t.pk,
            number=t.number,
            skill=str(t.queue_id),
            issued_at=rules.minutes(t.issued_at),
            priority=t.priority,  # type: ignore[arg-type]
            appointment_at=rules.minutes(t.appointment_at) if t.appointment_at else None,
            requeue_rank=t.requeue_rank,
            returned=t.state == TicketState.RETURNED,
        )
        for t in tickets
    ]


def waiting_today(day: date, queue_ids: Any = None) -> list[Ticket]:
    qs = Ticket.objects.filter(day=day, state__in=OPEN_STATES)
    if queue_ids is not None:
        qs = qs.filter(queue_id__in=list(queue_ids))
    return list(qs.order_by("issued_at", "pk"))


def position(ticket: Ticket, now: datetime | None = None) -> Position | None:
    """People ahead and the estimated wait, for the slip and the status page."""
    if ticket.state not in OPEN_STATES:
        return None
    now = now or timezone.now()
    waiting = _waiting(waiting_today(ticket.day, [ticket.queue_id]))
    ahead = rules.people_ahead(ticket.pk, waiting, rules.minutes(now))
    open_windows = Window.objects.filter(
        active=True, clerk__isnull=False, skills=ticket.queue_id
    ).count()
    return Position(
        ahead,
        rules.estimate_wait_minutes(ahead, open_windows, ticket.queue.mean_service_minutes),
    )


# --- the window ------------------------------------------------------------------------------


def take_window(actor: Actor, window: Window) -> Window:
    """The clerk signs on at a window (one window per clerk)."""
    policy.require(actor.user, "hall.serve")
    with transaction.atomic():
        Window.objects.filter(clerk=actor.user).exclude(pk=window.pk).update(clerk=None)
        window.clerk = actor.user
        window.save(update_fields=["clerk"])
        audit.record(actor, "hall.window.on_duty", window)
    return window


def _require_at_window(actor: Actor, window: Window, permission: str = "hall.serve") -> None:
    policy.require(actor.user, permission)
    if permission == "hall.serve" and window.clerk_id != getattr(actor.user, "pk", None):
        raise HallError(_("请先在该窗口签到上岗。"), code="not_on_duty")


def current_ticket(window: Window) -> Ticket | None:
    return (
        Ticket.objects.filter(
            window=window, state__in=ACTIVE_AT_WINDOW, day=local_day(timezone.now())
        )
        .select_related("queue", "item")
        .order_by("-called_at")
        .first()
    )


def _call(actor: Actor, window: Window, ticket: Ticket, now: datetime, action: str) -> Ticket:
    before = ticket.state
    try:
        ticket.state = rules.check_transition(ticket.state, TicketAction.CALL)
    except HallRuleError as exc:
        raise _rule_error(exc) from exc
    updated = Ticket.objects.filter(pk=ticket.pk, state=before).update(
        state=ticket.state, called_at=now, window=window, clerk=actor.user,
        first_called_at=ticket.first_called_at or now, recalls=0,
    )  # fmt: skip
    if not updated:  # another window took it first (PostgreSQL); the caller retries
        raise HallError(_("该号码已被其他窗口叫走。"), code="taken")
    ticket.refresh_from_db()
    _event(ticket, action, before, now, actor, window)
    _audit(actor, action, ticket, window=window.number)
    return ticket


def call_next(actor: Actor, window: Window, now: datetime | None = None) -> Ticket | None:
    """前窗通办: the system chooses the next eligible ticket for the window's skills."""
    _require_at_window(actor, window)
    now = now or timezone.now()
    for _attempt in range(5):
        with transaction.atomic():
            if current_ticket(window) is not None:
                raise HallError(_("请先处理本窗口当前的号码。"), code="busy")
            skills = [str(q) for q in window.skills.values_list("pk", flat=True)]
            tickets = waiting_today(local_day(now), skills)
            chosen = rules.choose_next(skills, _waiting(tickets), rules.minutes(now))
            if chosen is None:
                return None
            ticket = next(t for t in tickets if t.pk == chosen)
            try:
                return _call(actor, window, ticket, now, "call")
            except HallError as exc:
                if exc.code != "taken":
                    raise
    return None


def call_by_number(
    actor: Actor, window: Window, number: str, now: datetime | None = None
) -> Ticket:
    """A supervisor calls one ticket to a window, bypassing the order (audited)."""
    policy.require(actor.user, "hall.supervise")
    now = now or timezone.now()
    try:
        rules.parse_ticket_number(number.strip().upper())
    except HallRuleError as exc:
        raise HallError(_("号码格式不正确，例如 A001。"), code="bad_number") from exc
    with transaction.atomic():
        ticket = (
            Ticket.objects.filter(
                day=local_day(now), number=number.strip().upper(), state__in=OPEN_STATES
            )
            .order_by("-pk")
            .first()
        )
        if ticket is None:
            raise HallError(_("今天没有等候中的这个号码。"), code="unknown_ticket")
        if current_ticket(window) is not None:
            raise HallError(_("该窗口正在办理其他号码。"), code="busy")
        return _call(actor, window, ticket, now, "call_by_number")


def _step(
    actor: Actor,
    ticket: Ticket,
    action: TicketAction,
    now: datetime | None,
    *,
    permission: str = "hall.serve",
    note: str = "",
    **fields: Any,
) -> Ticket:
    policy.require(actor.user, permission)
    now = now or timezone.now()
    with transaction.atomic():
        ticket.refresh_from_db()  # act on the stored state, not on a stale copy
        if permission == "hall.serve" and ticket.clerk_id != getattr(actor.user, "pk", None):
            raise HallError(_("这不是您叫的号码。"), code="not_yours")
        before = ticket.state
        try:
            ticket.state = rules.check_transition(
                ticket.state,
                action,
                recalls=ticket.recalls if action == TicketAction.RECALL else None,
            )
        except HallRuleError as exc:
            raise _rule_error(exc) from exc
        for key, value in fields.items():
            if key == "recalls":
                value = ticket.recalls + 1
            setattr(ticket, key, now if value == "now" else value)
        ticket.save()
        _event(ticket, str(action), before, now, actor, ticket.window, note)
        _audit(actor, str(action), ticket, note=note)
    return ticket


def recall(actor: Actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    return _step(actor, ticket, TicketAction.RECALL, now, recalls="+1", called_at="now")


def start(actor: Actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    return _step(actor, ticket, TicketAction.START, now, started_at="now")


def finish(actor: Actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    return _step(actor, ticket, TicketAction.FINISH, now, ended_at="now")


def no_show(actor: Actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    return _step(actor, ticket, TicketAction.NO_SHOW, now, ended_at="now")


def requeue(actor: Actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """过号重排: the resident came back; they go three places back in their queue."""
    now = now or timezone.now()
    others = [t for t in waiting_today(ticket.day, [ticket.queue_id]) if t.pk != ticket.pk]
    rank = rules.requeue_rank(_waiting(others), rules.minutes(now))
    return _step(
        actor, ticket, TicketAction.REQUEUE, now, requeue_rank=rank, window=None, clerk=None,
        ended_at=None,
    )  # fmt: skip


def transfer(
    actor: Actor, ticket: Ticket, queue: Queue, reason: str, now: datetime | None = None
) -> Ticket:
    """转窗: close this ticket and open a linked one in the target queue with the same number."""
    now = now or timezone.now()
    if queue.is_backoffice:
        raise HallError(_("转中台请使用“转中台”。"), code="backoffice_queue")
    with transaction.atomic():
        _step(actor, ticket, TicketAction.TRANSFER, now, note=reason, ended_at="now")
        child = Ticket.objects.create(
            queue=queue, day=ticket.day, seq=ticket.seq, number=ticket.number,
            token=secrets.token_urlsafe(12), parent=ticket, item=ticket.item,
            source=ticket.source, state=TicketState.WAITING, priority=ticket.priority,
            id_hash=ticket.id_hash, age_band=ticket.age_band, issued_at=ticket.issued_at,
        )  # fmt: skip
        TicketEvent.objects.create(
            ticket=child, at=now, action="transfer_in", from_state="",
            to_state=child.state, actor=actor.user, note=reason[:200],
        )  # fmt: skip
    return child


def escalate(actor: Actor, ticket: Ticket, reason: str, now: datetime | None = None) -> Ticket:
    """转中台: the ticket keeps its number; the back office resolves it and sends it back."""
    if not reason.strip():
        raise HallError(_("请填写转中台的原因。"), code="reason_required", field="reason")
    return _step(
        actor, ticket, TicketAction.ESCALATE, now, note=reason, escalation_reason=reason[:200]
    )


def return_ticket(actor: Actor, ticket: Ticket, note: str, now: datetime | None = None) -> Ticket:
    """The back office returns a resolved ticket; it is called back before everyone else."""
    return _step(
        actor, ticket, TicketAction.RETURN, now, permission="hall.backoffice", note=note,
        backoffice_note=note[:200],
    )  # fmt: skip


def finish_in_backoffice(
    actor: Actor, ticket: Ticket, note: str, now: datetime | None = None
) -> Ticket:
    """The back office finishes an escalated ticket itself; the resident need not go back."""
    if not note.strip():
        raise HallError(_("请填写办结说明。"), code="note_required", field="note")
    return _step(
        actor, ticket, TicketAction.FINISH, now, permission="hall.backoffice", note=note,
        backoffice_note=note[:200], ended_at="now",
    )  # fmt: skip


# --- cases -----------------------------------------------------------------------------------


def _case_number(day: date) -> str:
    prefix = day.strftime("%Y%m%d")
    last = (
        Case.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    n = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{n:04d}"


def open_case(
    actor: Actor,
    item: Item,
    *,
    ticket: Ticket | None = None,
    citywide: bool = False,
    id_number: str = "",
    today: date | None = None,
    note: str = "",
    phone: str = "",
) -> Case:
    """受理: a served ticket (or the terminal) opens a case with a working-day deadline."""
    if ticket is not None or actor.user is not None:
        policy.require(actor.user, "hall.serve")
    elif not (item.channel_self_service and id_number):
        # the 24-hour terminal (no account) may only open self-service items, with an ID
        raise HallError(_("该事项不能自助办理。"), code="not_self_service")
    today = today or timezone.localdate()
    hashed = ticket.id_hash if ticket is not None else ""
    if id_number:
        check = check_id_number(id_number, today=today)
        if not check.valid or check.number is None:
            raise HallError(_("身份证号码无效。"), code="bad_id", field="id_number")
        hashed = id_hash(check.number)
    if ticket is not None and ticket.state not in (TicketState.SERVING, TicketState.DONE):
        raise HallError(_("只有办理中或已办结的号码可以受理办件。"), code="ticket_state")
    phone_cipher, phone_masked = protect_phone(phone)
    with transaction.atomic():
        case = Case.objects.create(
            number=_case_number(today), item=item, ticket=ticket, id_hash=hashed,
            status=rules.CaseStatus.ACCEPTED, citywide=citywide and item.channel_citywide,
            accepted_on=today,
            due_on=rules.case_due_date(today, item.promised_days, work_calendar()),
            window=ticket.window if ticket else None,
            clerk=actor.user, note=note[:200],
            phone_cipher=phone_cipher, phone_masked=phone_masked,
        )  # fmt: skip
        if ticket is not None and ticket.item_id is None:
            Ticket.objects.filter(pk=ticket.pk).update(item=item)
            ticket.item = item
        audit.record(actor, "hall.case.open", case, details={"item": item.code})
    return case


def set_case_status(actor: Actor, case: Case, status: str, today: date | None = None) -> Case:
    policy.require(
        actor.user, "hall.serve" if policy.can(actor.user, "hall.serve") else "hall.backoffice"
    )
    try:
        new = rules.check_case_transition(case.status, status)
    except HallRuleError as exc:
        raise _rule_error(exc) from exc
    with transaction.atomic():
        before = case.status
        case.status = new
        if new in (rules.CaseStatus.COMPLETED, rules.CaseStatus.RETURNED):
            case.closed_on = today or timezone.localdate()
        case.save()
        audit.record(actor, "hall.case.status", case, details={"from": before, "to": str(new)})
        if new == rules.CaseStatus.COMPLETED:
            _notify_case_done(case)
    return case


def _notify_case_done(case: Case) -> None:
    """办结: an SMS to the applicant, when they gave a number for it (once per case)."""
    phone = resident_phone(case)
    if phone is not None:
        notices.send(
            "hall.case_done", {"item": case.item.name, "case": case.number},
            key=f"hall.case_done:{case.pk}", phone=phone,
        )  # fmt: skip


# --- ratings ---------------------------------------------------------------------------------


def rate(ticket: Ticket, stars: int, comment: str = "", now: datetime | None = None) -> Rating:
    """好差评 from the resident (public page); 1–2 stars open a follow-up with a deadline."""
    now = now or timezone.now()
    if not 1 <= stars <= 5:
        raise HallError(_("请选择 1 到 5 星。"), code="bad_stars")
    if ticket.state != TicketState.DONE:
        raise HallError(_("办结后才能评价。"), code="not_done")
    with transaction.atomic():
        if Rating.objects.filter(ticket=ticket).exists():
            raise HallError(_("这张号已经评价过了。"), code="already_rated")
        due = None
        if stars <= 2:
            due = add_working_days(local_day(now), FOLLOW_UP_WORKING_DAYS, work_calendar())
        item = ticket.item
        if item is None:  # the item is known from the case the window opened for this ticket
            case = Case.objects.filter(ticket__in=[ticket.pk, ticket.parent_id or 0]).first()
            item = case.item if case is not None else None
        rating = Rating.objects.create(
            ticket=ticket, stars=stars, window=ticket.window, clerk=ticket.clerk,
            item=item, comment=comment[:200], at=now, follow_up_due=due,
        )  # fmt: skip
        audit.record(
            Actor(None, "", "resident"), "hall.rating.create", rating,
            details={"stars": stars, "ticket": ticket.number},
        )  # fmt: skip
    return rating


def rate_case(case: Case, stars: int, comment: str = "", now: datetime | None = None) -> Rating:
    """好差评 of a finished case (from the terminal's query page)."""
    now = now or timezone.now()
    if not 1 <= stars <= 5:
        raise HallError(_("请选择 1 到 5 星。"), code="bad_stars")
    if case.status not in (rules.CaseStatus.COMPLETED, rules.CaseStatus.RETURNED):
        raise HallError(_("办结后才能评价。"), code="not_done")
    with transaction.atomic():
        if Rating.objects.filter(case=case).exists():
            raise HallError(_("这件办件已经评价过了。"), code="already_rated")
        due = None
        if stars <= 2:
            due = add_working_days(local_day(now), FOLLOW_UP_WORKING_DAYS, work_calendar())
        rating = Rating.objects.create(
            case=case, stars=stars, window=case.window, clerk=case.clerk, item=case.item,
            comment=comment[:200], at=now, follow_up_due=due,
        )  # fmt: skip
        audit.record(
            Actor(None, "", "resident"), "hall.rating.create", rating,
            details={"stars": stars, "case": case.number},
        )  # fmt: skip
    return rating


def close_follow_up(actor: Actor, rating: Rating, note: str, now: datetime | None = None) -> Rating:
    policy.require(actor.user, "hall.manage")
    if not note.strip():
        raise HallError(_("请填写整改说明。"), code="note_required", field="note")
    with transaction.atomic():
        rating.follow_up_done_at = now or timezone.now()
        rating.follow_up_note = note[:200]
        rating.save()
        audit.record(actor, "hall.rating.follow_up", rating)
    return rating


def find_case(number: str, id_number: str) -> Case | None:
    """The terminal's look-up: the case number and the applicant's ID must both match."""
    check = check_id_number(id_number)
    if not check.valid or check.number is None or not number.strip():
        return None
    return (
        Case.objects.select_related("item")
        .filter(number=number.strip(), id_hash__in=id_hashes(check.number))
        .first()
    )


def overdue_cases(today: date | None = None) -> Any:
    today = today or timezone.localdate()
    return Case.objects.filter(
        status__in=[rules.CaseStatus.ACCEPTED, rules.CaseStatus.IN_PROGRESS], due_on__lt=today
    )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start_at = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start_at, start_at + timedelta(days=1)


# --- appointments ----------------------------------------------------------------------------

APPOINTMENT_PREFIX = rules.PREFIX_APPOINTMENT


def _checked_id(id_number: str, today: date) -> tuple[str, Any]:
    check = check_id_number(id_number, today=today)
    if not check.valid or check.number is None:
        raise HallError(_("身份证号码无效。"), code="bad_id", field="id_number")
    return id_hash(check.number), check


def create_slots(
    actor: Actor,
    item: Item,
    first: date,
    last: date,
    times: list[Any],
    capacity: int,
    walk_in_reserve: int,
) -> int:
    """Open slots for an item on every working day of a range; existing slots are kept."""
    policy.require(actor.user, "hall.manage")
    if walk_in_reserve > capacity or capacity < 1:
        raise HallError(_("留给现场的名额不能超过可办理人数。"), code="bad_capacity")
    if last < first or (last - first).days > 92:
        raise HallError(_("日期范围应在 3 个月以内。"), code="bad_range")
    calendar = work_calendar()
    made = 0
    with transaction.atomic():
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                for at in times:
                    _slot, created = Slot.objects.get_or_create(
                        item=item, day=day, starts_at=at,
                        defaults={"capacity": capacity, "walk_in_reserve": walk_in_reserve},
                    )  # fmt: skip
                    made += int(created)
            day += timedelta(days=1)
        audit.record(
            actor, "hall.slot.create", item,
            details={"from": str(first), "to": str(last), "created": made},
        )  # fmt: skip
    return made


def book(slot: Slot, id_number: str, now: datetime | None = None, phone: str = "") -> Appointment:
    """预约 (public): within the bookable places (capacity minus the walk-in reserve).

    ``phone`` (optional) is for the reminder SMS the day before."""
    now = now or timezone.now()
    hashed, check = _checked_id(id_number, local_day(now))
    phone_cipher, phone_masked = protect_phone(phone)
    starts = timezone.make_aware(datetime.combine(slot.day, slot.starts_at))
    if starts <= now:
        raise HallError(_("该时段已过，请选择其他时段。"), code="slot_past")
    with transaction.atomic():
        slot = Slot.objects.select_for_update().get(pk=slot.pk)
        active = Appointment.objects.filter(slot=slot, status=Appointment.Status.BOOKED)
        if active.count() >= slot.bookable:
            raise HallError(_("该时段已约满，请选择其他时段。"), code="slot_full")
        if Appointment.objects.filter(
            id_hash__in=id_hashes(check.number), slot__day=slot.day, slot__item=slot.item_id,
            status=Appointment.Status.BOOKED,
        ).exists():  # fmt: skip
            raise HallError(_("您当天已预约过该事项。"), code="already_booked")
        appointment = Appointment.objects.create(
            slot=slot, code=secrets.token_hex(4).upper(), id_hash=hashed,
            status=Appointment.Status.BOOKED, booked_at=now,
            phone_cipher=phone_cipher, phone_masked=phone_masked,
        )  # fmt: skip
        audit.record(
            Actor(None, "", "resident"), "hall.appointment.book", appointment,
            details={"slot": slot.pk},
        )  # fmt: skip
    return appointment


def cancel_appointment(code: str, id_number: str, now: datetime | None = None) -> Appointment:
    now = now or timezone.now()
    _hashed, check = _checked_id(id_number, local_day(now))
    with transaction.atomic():
        appointment = Appointment.objects.filter(
            code=code.strip().upper(),
            id_hash__in=id_hashes(check.number),
            status=Appointment.Status.BOOKED,
        ).first()
        if appointment is None:
            raise HallError(_("未找到有效的预约：请核对预约码和身份证号码。"), code="unknown")
        appointment.status = Appointment.Status.CANCELLED
        appointment.save(update_fields=["status"])
        audit.record(Actor(None, "", "resident"), "hall.appointment.cancel", appointment)
    return appointment


def check_in(id_number: str, now: datetime | None = None) -> Ticket:
    """预约签到 at the kiosk: the ID swipe turns today's booking into a ``Y`` ticket."""
    now = now or timezone.now()
    day = local_day(now)
    _hashed, check = _checked_id(id_number, day)
    queue = Queue.objects.filter(prefix=APPOINTMENT_PREFIX).first()
    if queue is None:
        raise HallError(_("本中心未开通预约取号。"), code="no_appointment_queue")
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_related("slot__item")
            .filter(
                id_hash__in=id_hashes(check.number), slot__day=day, status=Appointment.Status.BOOKED
            )
            .order_by("slot__starts_at")
            .first()
        )
        if appointment is None:
            raise HallError(_("今天没有您的预约，请选择业务直接取号。"), code="no_booking")
        ticket = issue_ticket(queue, check.number, item=appointment.slot.item, now=now,
                              source=Ticket.Source.APPOINTMENT)  # fmt: skip
        ticket.priority = rules.priority_class(appointment=True)
        ticket.appointment_at = timezone.make_aware(
            datetime.combine(day, appointment.slot.starts_at)
        )
        ticket.save(update_fields=["priority", "appointment_at"])
        appointment.status = Appointment.Status.CHECKED_IN
        appointment.ticket = ticket
        appointment.save(update_fields=["status", "ticket"])
    return ticket


# --- business hours at the kiosk -------------------------------------------------------------

WEEKDAYS = "一二三四五六日"


def kiosk_clock() -> datetime:
    """The kiosk's "now" for business hours (tests replace it to be independent of the clock)."""
    return timezone.now()


@dataclass(frozen=True)
class KioskConfig:
    """What the kiosk checks before issuing, as read at configuration version ``version``."""

    version: tuple[int, int]  # (hall configuration, street calendar)
    halls: dict[str, Hall]  # by code
    queues: dict[tuple[str, str], Queue]  # (hall code, prefix) → a queue the kiosk offers
    appointment_halls: frozenset[str]  # halls with a 预约 queue (the kiosk's 预约签到 button)
    calendar: WorkCalendar

    def hall_queues(self, hall: str) -> list[Queue]:
        found = [q for (h, _p), q in self.queues.items() if h == hall]
        return sorted(found, key=lambda q: (q.sort, q.prefix))


# Per process (and per database), replaced whole, never mutated: threads may read it freely.
_KIOSK_CONFIG: dict[tuple[str, str], KioskConfig] = {}


def _config_key() -> tuple[str, str]:
    return connection.alias, str(connection.settings_dict["NAME"])


def _config_version() -> int:
    """The stored configuration version (creating its row if a flush removed it)."""
    table = ConfigVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n FROM {table} WHERE id = 1")
        row = cursor.fetchone()
        if row is None:
            # A fresh number no cached copy can hold (a test flush removes the row).
            fresh = time.time_ns() // 1000
            cursor.execute(
                f"INSERT INTO {table} (id, n) VALUES (1, %s) ON CONFLICT DO NOTHING", [fresh]
            )
            cursor.execute(f"SELECT n FROM {table} WHERE id = 1")
            row = cursor.fetchone()
    return int(row[0])


def kiosk_config(*, check: bool = False) -> KioskConfig:
    """This process's copy of halls, kiosk queues and the holiday calendar.

    Loaded on first use; ``check=True`` compares the stored version first (one query) and
    reloads when staff changed something. The ticket path does not check: its numbering
    statement carries the version and refuses to run on a stale copy (``StaleConfig``).
    """
    key = _config_key()
    cached = _KIOSK_CONFIG.get(key)
    if cached is not None and not check:
        return cached
    version = (_config_version(), workcalendar.version())
    if cached is not None and cached.version == version:
        return cached
    halls = {h.code: h for h in Hall.objects.order_by()}
    by_id = {h.pk: h for h in halls.values()}
    queues: dict[tuple[str, str], Queue] = {}
    appointment_halls: set[str] = set()
    for q in Queue.objects.filter(is_backoffice=False).order_by():
        hall = by_id[q.hall_id]
        q.hall = hall
        if q.prefix == APPOINTMENT_PREFIX:
            appointment_halls.add(hall.code)
        else:
            queues[(hall.code, q.prefix)] = q
    calendar = workcalendar.cached(version[1]).calendar
    config = KioskConfig(version, halls, queues, frozenset(appointment_halls), calendar)
    _KIOSK_CONFIG[key] = config
    return config


def forget_kiosk_config() -> None:
    """Drop this process's cached configuration (the next use reloads it)."""
    _KIOSK_CONFIG.clear()


def config_changed() -> None:
    """Record that halls or queues changed: every process's kiosk reloads (the street calendar
    has its own stamp, ``core.CalendarVersion``, which the kiosk checks too).

    Called inside the changing transaction by the services that change them (and the demo).
    """
    table = ConfigVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET n = n + 1 WHERE id = 1")
        if cursor.rowcount == 0:
            cursor.execute(
                f"INSERT INTO {table} (id, n) VALUES (1, %s) ON CONFLICT DO NOTHING",
                [time.time_ns() // 1000],
            )
    forget_kiosk_config()
    transaction.on_commit(forget_kiosk_config)


def kiosk_issue(hall: str, prefix: str, id_number: str = "") -> Ticket:
    """A ticket from a hall's kiosk: the queue must be one it offers and the hall open.

    In the steady state this costs one statement on PostgreSQL (numbering and insert) and the
    issuing transaction on SQLite: halls, queues and holidays come from ``kiosk_config``.
    Raises ``HallError`` (``unknown_queue``, ``hall_closed``, ``bad_id``).
    """
    config = kiosk_config()
    checked = False  # compared with the stored versions during this call
    for attempt in range(4):
        queue = config.queues.get((hall, prefix))
        if queue is None and not checked:
            config, checked = kiosk_config(check=True), True  # perhaps a queue just created
            queue = config.queues.get((hall, prefix))
        if queue is None:
            raise HallError(_("没有这个取号队列。"), code="unknown_queue")
        now = kiosk_clock()
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
            return issue_ticket(
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
    return _("本厅现在不营业，今天不再取号。下次开门：%(day)s（星期%(weekday)s）%(time)s。") % {
        "day": f"{at.month}月{at.day}日",
        "weekday": WEEKDAYS[at.weekday()],
        "time": at.strftime("%H:%M"),
    }


def require_open(
    hall: Hall, now: datetime | None = None, calendar: WorkCalendar | None = None
) -> None:
    """Raise ``hall_closed`` outside business hours, on weekends and holidays (调休 counts)."""
    now = now or kiosk_clock()
    if not is_open(hall, now, calendar):
        raise HallError(closed_message(hall, now, calendar), code="hall_closed")


# --- lockers (自助取件) ------------------------------------------------------------------------

HOLD_DAYS = 7
REMIND_AFTER_DAYS = 5


def deposit(actor: Actor, case: Case, locker: Locker, now: datetime | None = None) -> Pickup:
    """存柜: a finished case's result goes into a free compartment; a 6-digit code is issued.

    The code and the locker go to the applicant by SMS when the case has their number;
    otherwise the clerk gives the code (shown on the page) to the resident.
    """
    if not (policy.can(actor.user, "hall.serve") or policy.can(actor.user, "hall.backoffice")):
        policy.require(actor.user, "hall.serve")
    now = now or timezone.now()
    if case.status != rules.CaseStatus.COMPLETED:
        raise HallError(_("只有已办结的办件可以存柜。"), code="case_open")
    if not case.id_hash:
        raise HallError(_("该办件没有刷证记录，无法凭身份证取件，请窗口领取。"), code="no_id")
    with transaction.atomic():
        if Pickup.objects.filter(locker=locker, status=Pickup.Status.WAITING).exists():
            raise HallError(_("该柜已有待取物品。"), code="locker_busy")
        pickup = Pickup.objects.create(
            case=case, locker=locker, code=f"{secrets.randbelow(1_000_000):06d}",
            status=Pickup.Status.WAITING, deposited_at=now,
            expires_at=now + timedelta(days=HOLD_DAYS),
        )  # fmt: skip
        audit.record(actor, "hall.pickup.deposit", pickup, details={"case": case.number})
        _notify_pickup(pickup, key=f"hall.pickup_ready:{pickup.pk}")
    return pickup


def _notify_pickup(pickup: Pickup, *, key: str) -> None:
    phone = resident_phone(pickup.case)
    if phone is not None:
        notices.send(
            "hall.pickup_ready", {"locker": str(pickup.locker.number), "code": pickup.code},
            key=key, phone=phone,
        )  # fmt: skip


def collect(code: str, id_number: str, now: datetime | None = None) -> Pickup:
    """自助取件 at the terminal: the code and the applicant's ID must both match."""
    now = now or timezone.now()
    check = check_id_number(id_number, today=local_day(now))
    failure = HallError(_("取件码或身份证不正确。"), code="no_match")
    if not check.valid or check.number is None:
        raise failure
    with transaction.atomic():
        pickup = (
            Pickup.objects.select_related("locker", "case")
            .filter(
                code=code.strip(),
                status=Pickup.Status.WAITING,
                case__id_hash__in=id_hashes(check.number),
            )
            .first()
        )
        if pickup is None:
            raise failure
        if now > pickup.expires_at:
            raise HallError(_("已超过 7 天保管期，请到窗口领取。"), code="expired")
        pickup.status = Pickup.Status.COLLECTED
        pickup.collected_at = now
        pickup.save(update_fields=["status", "collected_at"])
        audit.record(Actor(None, "terminal", "resident"), "hall.pickup.collect", pickup)
    return pickup


def sweep_lockers(now: datetime | None = None) -> dict[str, int]:
    """Remind on day 5 (the code again by SMS, when the case has a number) and expire pickups
    past 7 days (staff take them back). Run hourly by the schedule (``tasks.expire_lockers``)."""
    now = now or timezone.now()
    with transaction.atomic():
        to_remind = Pickup.objects.filter(
            status=Pickup.Status.WAITING, reminded_at__isnull=True,
            deposited_at__lte=now - timedelta(days=REMIND_AFTER_DAYS),
        )  # fmt: skip
        for pickup in to_remind.filter(expires_at__gte=now).select_related("case", "locker"):
            _notify_pickup(pickup, key=f"hall.pickup_ready:{pickup.pk}:reminder")
        reminded = to_remind.update(reminded_at=now)
        expired = Pickup.objects.filter(status=Pickup.Status.WAITING, expires_at__lt=now).update(
            status=Pickup.Status.EXPIRED
        )
        if reminded or expired:
            audit.record(
                Actor.system("hall lockers"), "hall.pickup.sweep", object_type="hall.pickup",
                details={"reminded": reminded, "expired": expired},
            )  # fmt: skip
    return {"reminded": reminded, "expired": expired}


# --- retention (celery beat) ------------------------------------------------------------------


def purge_personal_data(now: datetime | None = None) -> dict[str, int]:
    """Anonymise the personal data of tickets, closed cases, appointments and locker pickups
    older than ``LINLI_HALL_RETENTION_DAYS`` (default 180): ID hashes, phones (encrypted and
    masked), pickup codes and staff notes are blanked in place, so every statistic -- counted
    from the rows' times, states, items and windows -- is unchanged. Open cases and waiting
    pickups keep theirs. One transaction, audited with the counts; a rerun changes nothing.
    Run daily by the schedule (``tasks.purge_personal_data``)."""
    from django.conf import settings
    from django.db.models import Q

    now = now or timezone.now()
    days = getattr(settings, "LINLI_HALL_RETENTION_DAYS", rules.RETENTION_DEFAULT_DAYS)
    cutoff = rules.retention_cutoff(local_day(now), days)
    since = timezone.make_aware(datetime.combine(cutoff, datetime.min.time()))
    with transaction.atomic():
        tickets = Ticket.objects.filter(day__lt=cutoff).filter(
            ~Q(id_hash="") | ~Q(escalation_reason="") | ~Q(backoffice_note="")
        )
        counts = {"tickets": tickets.update(id_hash="", escalation_reason="", backoffice_note="")}
        cases = Case.objects.filter(
            status__in=[rules.CaseStatus.COMPLETED, rules.CaseStatus.RETURNED],
            closed_on__lt=cutoff,
        ).filter(~Q(id_hash="") | ~Q(phone_cipher="") | ~Q(phone_masked="") | ~Q(note=""))
        counts["cases"] = cases.update(id_hash="", phone_cipher="", phone_masked="", note="")
        appointments = Appointment.objects.filter(slot__day__lt=cutoff).filter(
            ~Q(id_hash="") | ~Q(phone_cipher="") | ~Q(phone_masked="")
        )
        counts["appointments"] = appointments.update(id_hash="", phone_cipher="", phone_masked="")
        pickups = Pickup.objects.filter(deposited_at__lt=since).exclude(
            status=Pickup.Status.WAITING
        )
        counts["pickups"] = pickups.exclude(code="").update(code="")
        audit.record(
            Actor.system("hall retention"), "hall.retention.purge", object_type="hall.ticket",
            details={"before": cutoff.isoformat(), "days": days, **counts},
        )  # fmt: skip
    return counts


# --- reminders (celery beat) -------------------------------------------------------------------


def send_case_reminders(today: date | None = None) -> dict[str, int]:
    """Daily: a case due the next working day (or today) reminds the clerk who accepted it (the
    centre's managers when there is none); an overdue case reminds the clerk and the managers;
    a bad rating announces its follow-up to the managers, and again on its deadline. Each is
    keyed by object, date and stage, so a re-run the same day sends nothing twice."""
    from . import queries

    today = today or timezone.localdate()
    calendar = work_calendar()
    counts = {"due": 0, "overdue": 0, "follow_ups": 0}
    with transaction.atomic():
        managers = queries.centre_managers()
        horizon = add_working_days(today, rules.CASE_REMIND_WORKING_DAYS, calendar)
        for case in queries.open_cases_due_by(horizon):
            stage = rules.case_reminder(case.status, case.due_on, today, calendar)
            if stage is None:
                continue
            clerk = [case.clerk] if case.clerk is not None and case.clerk.is_active else []
            if stage is rules.CaseReminder.DUE:
                recipients = clerk or managers
            else:
                recipients = clerk + [m for m in managers if m not in clerk]
            params = {
                "case": case.number, "item": case.item.name, "due": case.due_on.isoformat(),
                "url": f"/hall/cases/?q={case.number}",
            }  # fmt: skip
            key = f"hall.case_deadline:{case.pk}:{case.due_on.isoformat()}:{stage.value}"
            for user in recipients:
                notices.send("hall.case_deadline", params, key=key, user=user)
            counts[stage.value] += 1
        for rating in queries.open_follow_ups():
            follow = rules.follow_up_reminder(rating.follow_up_due, False, today)
            if follow is None or rating.follow_up_due is None:
                continue
            params = {
                "window": str(rating.window) if rating.window else _("服务中心"),
                "stars": str(rating.stars),
                "item": rating.item.name if rating.item else _("未指定事项"),
                "due": rating.follow_up_due.isoformat(),
                "url": "/hall/ratings/",
            }
            key = f"hall.rating_followup:{rating.pk}:{follow.value}"
            for user in managers:
                notices.send("hall.rating_followup", params, key=key, user=user)
            counts["follow_ups"] += 1
    return counts


def send_appointment_reminders(today: date | None = None) -> int:
    """Daily at 17:00: an SMS to everyone booked for tomorrow who left a number (once each)."""
    from . import queries

    today = today or timezone.localdate()
    sent = 0
    with transaction.atomic():
        for appointment in queries.booked_on(today + timedelta(days=1)):
            slot = appointment.slot
            phone = resident_phone(appointment)
            if phone is None:
                continue
            params = {
                "date": f"{slot.day.month}月{slot.day.day}日",
                "time": slot.starts_at.strftime("%H:%M"),
                "hall": slot.item.hall.name,
                "item": slot.item.name,
            }
            notices.send(
                "hall.appointment_reminder", params,
                key=f"hall.appointment_reminder:{appointment.pk}", phone=phone,
            )  # fmt: skip
            sent += 1
    return sent


# --- hall set-up -----------------------------------------------------------------------------


def configure_window(
    actor: Actor, window: Window, queue_ids: list[int], active: bool, off_duty: bool = False
) -> Window:
    """Skills and opening of a window (hall.manage); ``off_duty`` signs the clerk off."""
    policy.require(actor.user, "hall.manage")
    queues = list(Queue.objects.filter(pk__in=queue_ids, is_backoffice=False))
    foreign = sorted(q.prefix for q in queues if q.hall_id != window.hall_id)
    if foreign:
        # A window calls into its own hall only: its hall's board shows the number, and the
        # resident waits in that hall.
        raise HallError(
            _("%(window)s在本大厅，不能受理其他大厅的队列：%(queues)s。")
            % {"window": window, "queues": "、".join(foreign)},
            code="other_hall",
        )
    if active and not queues:
        raise HallError(_("开放的窗口至少要受理一个队列。"), code="no_skills")
    with transaction.atomic():
        before = sorted(window.skills.values_list("prefix", flat=True))
        window.active = active
        if off_duty or not active:
            window.clerk = None
        window.save()
        window.skills.set(queues)
        audit.record(
            actor, "hall.window.configure", window,
            details={"before": before, "skills": sorted(q.prefix for q in queues),
                     "active": active},
        )  # fmt: skip
    return window


def set_hours(actor: Actor, hall: Hall, opens_at: Any, closes_at: Any) -> Hall:
    policy.require(actor.user, "hall.manage")
    if opens_at >= closes_at:
        raise HallError(_("开门时间应早于关门时间。"), code="bad_hours")
    with transaction.atomic():
        hall.opens_at, hall.closes_at = opens_at, closes_at
        hall.save(update_fields=["opens_at", "closes_at"])
        config_changed()
        audit.record(
            actor,
            "hall.hall.hours",
            hall,
            details={"opens": str(opens_at), "closes": str(closes_at)},
        )
    return hall


def _fields(obj: Any, names: list[str]) -> dict[str, str]:
    return {name: str(getattr(obj, name)) for name in names}


def save_hall(actor: Actor, hall: Hall) -> Hall:
    """Create or edit a hall (code, name, business hours); hall.manage, audited."""
    policy.require(actor.user, "hall.manage")
    if hall.opens_at >= hall.closes_at:
        raise HallError(_("开门时间应早于关门时间。"), code="bad_hours")
    created = hall.pk is None
    with transaction.atomic():
        hall.save()
        config_changed()
        audit.record(
            actor, "hall.hall.create" if created else "hall.hall.update", hall,
            details=_fields(hall, ["code", "name", "opens_at", "closes_at"]),
        )  # fmt: skip
    return hall


def save_queue(actor: Actor, queue: Queue, items: Any = ()) -> Queue:
    """Create or edit a queue (prefix numbered per day, 中台 flag); ``items`` move into it."""
    policy.require(actor.user, "hall.manage")
    created = queue.pk is None
    with transaction.atomic():
        queue.save()
        config_changed()
        moved = sorted(item.code for item in items)
        if moved:
            Item.objects.filter(code__in=moved).update(queue=queue, hall=queue.hall)
        if queue.is_backoffice:
            # the back office is its own queue: no front window takes it as a skill
            queue.windows.clear()
        else:
            # a queue moved to another hall leaves the windows of its old hall
            queue.windows.remove(*queue.windows.exclude(hall_id=queue.hall_id))
        details: dict[str, Any] = _fields(
            queue, ["prefix", "name", "is_backoffice", "mean_service_minutes"]
        )
        details.update(hall=queue.hall.code, items=moved)
        audit.record(
            actor, "hall.queue.create" if created else "hall.queue.update", queue, details=details
        )
    return queue


def save_locker(actor: Actor, locker: Locker) -> Locker:
    """Create or edit a pickup locker compartment; hall.manage, audited."""
    policy.require(actor.user, "hall.manage")
    created = locker.pk is None
    with transaction.atomic():
        locker.save()
        audit.record(
            actor, "hall.locker.create" if created else "hall.locker.update", locker,
            details={"hall": locker.hall.code, "number": locker.number, "active": locker.active},
        )  # fmt: skip
    return locker
