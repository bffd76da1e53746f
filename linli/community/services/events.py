"""Activities in spaces: creating one, scheduling a series, cancelling (space slots keep rooms from
double booking).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.context import Actor

from .. import rules
from ..errors import (
    CommunityError,
    DoubleBooked,
)
from ..models import (
    Event,
    Series,
    Space,
    SpaceSlot,
)
from ._common import _aware, _local, _manage, _street_for

# --- spaces and events ------------------------------------------------------------------------


def _take_slots(space: Space, start: datetime, end: datetime, **holder: Any) -> None:
    """Occupy the half-hour slots; the unique constraint refuses a double booking."""
    local = [_aware(s) for s in rules.slots(_local(start), _local(end))]
    try:
        with transaction.atomic():
            SpaceSlot.objects.bulk_create(SpaceSlot(space=space, start=s, **holder) for s in local)
    except IntegrityError:
        raise DoubleBooked(
            _("%(space)s 在该时段已被占用。") % {"space": space},
            field="space",
        ) from None


def do_create_event(
    actor: Actor,
    *,
    title: str,
    space: Space,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    reserved_offline: int = 0,
    release_at: datetime | None = None,
    series: Series | None = None,
    committee_id: int | None = None,
    family: str = "culture",
    audience: str = "",
    partner: str = "",
    description: str = "",
) -> Event:
    street = _street_for(actor, committee_id, space.position.subdistrict_id)
    _manage(actor, committee_id, street)
    if ends_at <= starts_at:
        raise CommunityError(_("结束时间须晚于开始时间。"), field="ends_at")
    if capacity < 1 or capacity > space.capacity:
        raise CommunityError(
            _("名额须在 1 到 %(n)s（%(space)s容纳人数）之间。")
            % {"n": space.capacity, "space": space.name},
            field="capacity",
        )
    if not 0 <= reserved_offline <= capacity:
        raise CommunityError(_("保留名额不能超过总名额。"), field="reserved_offline")
    if release_at is not None and release_at > starts_at:
        raise CommunityError(_("保留名额须在活动开始前释放。"), field="release_at")
    with transaction.atomic():
        event = Event.objects.create(
            title=title, space=space, starts_at=starts_at, ends_at=ends_at, capacity=capacity,
            reserved_offline=reserved_offline, release_at=release_at, series=series,
            committee_id=committee_id, subdistrict_id=street, family=family, audience=audience,
            partner=partner, description=description,
        )  # fmt: skip
        _take_slots(space, starts_at, ends_at, event=event)
        audit.record(actor, "community.event.create", event)
    return event


def do_schedule_series(actor: Actor, series: Series, first: date, last: date) -> tuple[int, int]:
    """Create the series' events on its weekdays between two dates; (created, skipped).

    A day whose room is already taken, or that already has the series' event, is skipped.
    """
    position = series.space.position
    _manage(actor, position.committee_id, position.subdistrict_id)
    created = skipped = 0
    day = first
    partners = series.partner_list
    while day <= last:
        if day.isoweekday() in series.weekday_numbers:
            starts = _aware(datetime.combine(day, series.start_time))
            ends = _aware(datetime.combine(day, series.end_time))
            midnight = _aware(datetime.combine(day, datetime.min.time()))
            if Event.objects.filter(
                series=series,
                status=Event.Status.OPEN,
                starts_at__gte=midnight,
                starts_at__lt=midnight + timedelta(days=1),
            ).exists():
                skipped += 1
            else:
                partner = rules.rotating_partner(partners, day.toordinal())
                try:
                    do_create_event(
                        actor, title=series.title, space=series.space, starts_at=starts,
                        ends_at=ends, capacity=series.capacity,
                        reserved_offline=series.reserved_offline,
                        release_at=starts - timedelta(hours=series.release_hours)
                        if series.reserved_offline else None,
                        series=series, audience=series.audience, partner=partner,
                    )  # fmt: skip
                    created += 1
                except CommunityError:
                    skipped += 1
        day += timedelta(days=1)
    return created, skipped


def do_cancel_event(actor: Actor, event: Event, reason: str) -> Event:
    _manage(actor, event.committee_id, event.subdistrict_id)
    with transaction.atomic():
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status"])
        event.slots.all().delete()
        audit.record(actor, "community.event.cancel", event, details={"reason": reason[:200]})
    return event
