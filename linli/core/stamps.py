"""Per-process copies of rarely changed rows, kept current through a version stamp.

A stamp is a one-row table ``(id = 1, n)``; whoever changes what a copy holds moves ``n``
inside the changing transaction (``changed``). A process keeps its copy with the ``n`` it was
loaded at and compares that with the stored one (``stamp``, a primary-key read) — or, where even
that read is too much (the hall kiosk), checks it inside the statement that does its work.

Hand-written rather than Django's cache framework: the copy must be dropped in every process
(web and task workers) without a shared cache server, the comparison must be possible inside
a SQL statement (so the stamp has to be a row of the database the data lives in), and the
copy is a Python object read by many threads (replaced whole, never mutated, no pickling).
Used by the street calendar (``core.workcalendar``) and the kiosk's configuration
(``hall.services.kiosk``).
"""

from __future__ import annotations

import time
from typing import Any, Generic, TypeVar

from django.db import connection, models, transaction

T = TypeVar("T")


def fresh_number() -> int:
    """A stamp no cached copy can hold (microseconds since the epoch), for a missing row."""
    return time.time_ns() // 1000


class StampedCache(Generic[T]):
    """One copy per process and database of something guarded by the stamp table ``model``.

    The copy is whatever the caller loads (it records the stamp it was loaded at itself);
    ``get``/``put`` are dictionary operations, ``stamp``/``changed`` the database side.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self._copies: dict[tuple[str, str], T] = {}

    @staticmethod
    def _key() -> tuple[str, str]:
        return connection.alias, str(connection.settings_dict["NAME"])

    @property
    def table(self) -> str:
        return str(self.model._meta.db_table)

    def stamp(self) -> int:
        """The stored stamp (creating its row, with a number no copy holds, if missing: a test
        flush removes it)."""
        # The table name comes from the model's meta; the one value is a bound parameter.
        select = f"SELECT n FROM {self.table} WHERE id = 1"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(select)
            row = cursor.fetchone()
            if row is None:
                self._create(cursor)
                cursor.execute(select)
                row = cursor.fetchone()
        return int(row[0])

    def _create(self, cursor: Any) -> None:
        cursor.execute(
            f"INSERT INTO {self.table} (id, n) VALUES (1, %s) ON CONFLICT DO NOTHING",  # noqa: S608
            [fresh_number()],
        )

    def changed(self) -> None:
        """Move the stamp (call inside the changing transaction): every process reloads on
        next use; this one drops its copies now and again after the commit."""
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {self.table} SET n = n + 1 WHERE id = 1")  # noqa: S608
            if cursor.rowcount == 0:
                self._create(cursor)
        self.forget()
        transaction.on_commit(self.forget)

    def get(self) -> T | None:
        """This process's copy for the current database (no query)."""
        return self._copies.get(self._key())

    def put(self, value: T) -> T:
        """Keep ``value`` as this process's copy for the current database (replaced whole)."""
        self._copies[self._key()] = value
        return value

    def forget(self) -> None:
        """Drop this process's copies (the next use reloads)."""
        self._copies.clear()
