"""Hall set-up: halls, queues, windows, business hours and lockers (hall.manage)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor

from ..errors import HallError
from ..models import (
    Hall,
    Item,
    Locker,
    Queue,
    Window,
)
from ..queries import in_reach, street_halls
from .common import require_reach
from .kiosk import config_changed


def do_configure_window(
    actor: Actor, window: Window, queue_ids: list[int], active: bool, off_duty: bool = False
) -> Window:
    """Skills and opening of a window (hall.manage); ``off_duty`` signs the clerk off."""
    policy.require(actor.user, "hall.manage")
    require_reach(actor.user, Window.objects.filter(pk=window.pk), "hall")
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


def do_set_hall_hours(actor: Actor, hall: Hall, opens_at: Any, closes_at: Any) -> Hall:
    policy.require(actor.user, "hall.manage")
    require_reach(actor.user, Hall.objects.filter(pk=hall.pk), "pk")
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


def _require_halls(actor: Actor, stored: QuerySet[Any], hall_id: int) -> None:
    """The hall a queue or locker goes to, and the one it is in (an edit), are the actor's."""
    require_reach(actor.user, Hall.objects.filter(pk=hall_id), "pk")
    if stored.exists():
        require_reach(actor.user, stored, "hall")


def _fields(obj: Any, names: list[str]) -> dict[str, str]:
    return {name: str(getattr(obj, name)) for name in names}


def do_save_hall(actor: Actor, hall: Hall) -> Hall:
    """Create or edit a hall (code, name, business hours); hall.manage, audited. A new hall
    belongs to the street of the account that creates it (none for wider reach: the
    installation's one street)."""
    policy.require(actor.user, "hall.manage")
    if hall.opens_at >= hall.closes_at:
        raise HallError(_("开门时间应早于关门时间。"), code="bad_hours")
    created = hall.pk is None
    if created:
        hall.subdistrict_id = hall.subdistrict_id or policy.street_of(actor.user)
    else:
        require_reach(actor.user, Hall.objects.filter(pk=hall.pk), "pk")
    with transaction.atomic():
        if street_halls(hall).filter(code=hall.code).exclude(pk=hall.pk).exists():
            raise HallError(
                _("代码：本街道已存在代码为 %(code)s 的大厅。") % {"code": hall.code},
                code="code_taken",
                field="code",
            )
        hall.save()
        config_changed()
        audit.record(
            actor, "hall.hall.create" if created else "hall.hall.update", hall,
            details=_fields(hall, ["code", "name", "opens_at", "closes_at"]),
        )  # fmt: skip
    return hall


def do_save_queue(actor: Actor, queue: Queue, items: Any = ()) -> Queue:
    """Create or edit a queue (prefix numbered per day, 中台 flag); ``items`` move into it."""
    policy.require(actor.user, "hall.manage")
    _require_halls(actor, Queue.objects.filter(pk=queue.pk), queue.hall_id)
    if (
        items
        and len(items)
        != in_reach(Item.objects.filter(pk__in=[i.pk for i in items]), actor.user, "hall").count()
    ):
        raise PermissionDenied("hall")
    created = queue.pk is None
    with transaction.atomic():
        # One centre's ticket numbers must tell its queues apart: a prefix serves one queue
        # in the whole street, not just in its hall (the database holds it per hall).
        taken = (
            Queue.objects.filter(hall__in=street_halls(queue.hall), prefix=queue.prefix)
            .exclude(pk=queue.pk)
            .select_related("hall")
            .first()
        )
        if taken is not None:
            raise HallError(
                _("字头：%(prefix)s 已用于本街道%(hall)s的“%(queue)s”，请换一个字头。")
                % {"prefix": queue.prefix, "hall": taken.hall.name, "queue": taken.name},
                code="prefix_taken",
                field="prefix",
            )
        queue.save()
        config_changed()
        moved = sorted(item.code for item in items)
        if items:
            Item.objects.filter(pk__in=[i.pk for i in items]).update(queue=queue, hall=queue.hall)
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


def do_save_locker(actor: Actor, locker: Locker) -> Locker:
    """Create or edit a pickup locker compartment; hall.manage, audited."""
    policy.require(actor.user, "hall.manage")
    _require_halls(actor, Locker.objects.filter(pk=locker.pk), locker.hall_id)
    created = locker.pk is None
    with transaction.atomic():
        if (
            Locker.objects.filter(hall_id=locker.hall_id, number=locker.number)
            .exclude(pk=locker.pk)
            .exists()
        ):
            raise HallError(
                _("柜号：本大厅已存在 %(number)s 号柜。") % {"number": locker.number},
                code="number_taken",
                field="number",
            )
        locker.save()
        audit.record(
            actor, "hall.locker.create" if created else "hall.locker.update", locker,
            details={"hall": locker.hall.code, "number": locker.number, "active": locker.active},
        )  # fmt: skip
    return locker
