"""Issuing tickets.

A ticket is numbered and stored by one statement, so no two tickets of a queue and day share a
number and none is skipped:

* PostgreSQL: ``WITH c AS (INSERT INTO hall_queuecounter … ON CONFLICT DO UPDATE SET n = n + 1
  RETURNING n) INSERT INTO hall_ticket …`` — the counter row's lock orders the issuers;
* SQLite: ``INSERT INTO hall_ticket … SELECT MAX(seq) + 1 …`` — the write lock an ``INSERT``
  takes when it starts orders them (SQLite has no data-modifying ``WITH``; the counter table
  is not used there).
"""

from __future__ import annotations

import fcntl
import functools
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.identity import age_band, age_on, check_id_number
from linli.core.models import CalendarVersion

from .. import rules
from ..errors import HallError, StaleConfig
from ..models import (
    ConfigVersion,
    Item,
    Queue,
    QueueCounter,
    Ticket,
)
from ..rules import TicketState
from .common import id_hash, local_day

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


def do_issue_ticket(
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
    with _sqlite_writer():  # (nothing on PostgreSQL)
        if not _insert_numbered(ticket, values, config_version):
            raise StaleConfig
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


@functools.cache
def _numbered_insert_sql_sqlite(checked: bool) -> str:
    """``INSERT INTO hall_ticket … SELECT …, n.seq, prefix || digits FROM (SELECT MAX(seq) + 1
    …) n`` — SQLite has no data-modifying ``WITH``, so the number is the queue's day's highest
    first-issue number plus one, read from the number constraint's own index."""
    select = []
    for f in _ticket_fields():
        if f.attname == "seq":
            select.append("n.seq")
        elif f.attname == "number":
            select.append("%s || printf('%%03d', n.seq)")
        else:
            select.append("%s")
    table = connection.ops.quote_name(Ticket._meta.db_table)
    source = (
        f"(SELECT IFNULL(MAX(seq), 0) + 1 AS seq FROM {table}"
        " WHERE queue_id = %s AND day = %s AND parent_id IS NULL) n"
    )
    if checked:
        source += (
            f", {ConfigVersion._meta.db_table} v, {CalendarVersion._meta.db_table} c"
            " WHERE v.id = 1 AND v.n = %s AND c.id = 1 AND c.n = %s"
        )
    return (
        f"INSERT INTO {table} ({_columns()}) SELECT {', '.join(select)} FROM {source}"
        " RETURNING id, seq"
    )


def _insert_numbered(
    ticket: Ticket, values: list[Any], config_version: tuple[int, int] | None
) -> bool:
    """Number and insert a ticket in one statement (False: the configuration changed).

    PostgreSQL: the counter's row lock is held until the statement commits. SQLite: an
    ``INSERT`` takes the write lock when it starts, before its ``SELECT`` reads, so the highest
    number it reads is the latest and no other writer can take it in between. Either way the
    statement is its own transaction in autocommit, numbers have no duplicate and no gap, a
    failed insert takes its number back with it, and the number constraint refuses a duplicate
    whatever happens.
    """
    numbering: list[Any] = [ticket.queue_id, values[_ticket_template(connection.vendor)[1]["day"]]]
    if config_version is not None:
        numbering.extend(config_version)
    row: list[Any] = []
    for f, value in zip(_ticket_fields(), values, strict=True):
        if f.attname == "number":
            row.append(ticket.queue.prefix)
        elif f.attname != "seq":
            row.append(value)
    checked = config_version is not None
    if connection.vendor == "postgresql":  # WITH c AS (<numbering>) INSERT … SELECT <row>
        sql, params = _numbered_insert_sql_pg(checked), numbering + row
    else:  # INSERT … SELECT <row> FROM (<numbering>)
        sql, params = _numbered_insert_sql_sqlite(checked), row + numbering
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return False
    ticket.pk, ticket.seq = found[0], int(found[1])
    ticket.number = rules.format_ticket_number(ticket.queue.prefix, ticket.seq)
    ticket._state.adding = False
    ticket._state.db = connection.alias
    return True
