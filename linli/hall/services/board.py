"""The display board's heartbeat: the hall's home page shows a board that stopped polling."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from ..models import Hall

# A board polls every few seconds; the hall's "last seen" is written at most this often, so a
# busy board costs one UPDATE per interval, not one per poll.
BOARD_HEARTBEAT_SECONDS = 10


def do_mark_board_seen(hall: Hall, now: datetime | None = None) -> bool:
    """Record that the hall's public board asked for data (True when the time was written).

    Public and unaudited on purpose: it is the board's liveness, not a change anyone makes."""
    now = now or timezone.now()
    seen = hall.board_seen_at
    if seen is not None and (now - seen).total_seconds() <= BOARD_HEARTBEAT_SECONDS:
        return False
    Hall.objects.filter(pk=hall.pk).update(board_seen_at=now)
    hall.board_seen_at = now
    return True
