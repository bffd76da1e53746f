"""Staff forms of the service network: positions and their staff, spaces, menus, series."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from linli.core import audit, policy
from linli.core.context import Actor
from linli.geo.models import Subdistrict

from .. import rules
from ..errors import (
    CommunityError,
    Duplicate,
)
from ..models import (
    Event,
    Family,
    MenuItem,
    Position,
    PositionStaff,
    Series,
    Space,
)
from ._common import _aware, _local, _manage, _require_reach, _street_for
from .events import _take_slots

# --- staff forms: the network, spaces, menus and series -------------------------------------

_HIERARCHY_MESSAGES = {
    "anchor_has_parent": (
        "parent",
        gettext_noop("中心、文化活动中心和党校是最上层阵地，不能有上级。"),
    ),
    "needs_parent": ("parent", gettext_noop("服务站和服务点须选择上级阵地。")),
    "parent_not_above": (
        "parent",
        gettext_noop("上级须高一层：服务站挂在三大阵地下，服务点挂在阵地或服务站下。"),
    ),
    "child_not_below": (
        "kind",
        gettext_noop("该阵地下还有同级或更高一级的下属阵地，不能改成这个类型。"),
    ),
}


def _changes(obj: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Set the fields that differ and return them (old, new) for the audit record."""
    changed: dict[str, Any] = {}
    for name, value in data.items():
        old = getattr(obj, name)
        if old != value:
            changed[name] = [str(old) if old is not None else None,
                             str(value) if value is not None else None]  # fmt: skip
            setattr(obj, name, value)
    return changed


_Saved = TypeVar("_Saved", bound=Model)


def _save_audited(
    actor: Actor,
    target: _Saved,
    clean: dict[str, Any],
    kind: str,
    details: dict[str, Any],
    duplicate: tuple[str, str] | None = None,
) -> _Saved:
    """Apply ``clean`` to ``target``, save it and audit ``community.<kind>.create|update`` with
    the changed fields, in one transaction; a unique clash is the named error ``duplicate``
    ((message, field)) instead of an IntegrityError."""
    created = target.pk is None
    with transaction.atomic():
        changed = _changes(target, clean)
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:
            if duplicate is None:
                raise
            raise Duplicate(duplicate[0], field=duplicate[1]) from None
        action = f"community.{kind}.{'create' if created else 'update'}"
        audit.record(actor, action, target, details={**details, "changed": sorted(changed)})
    return target


def _text(value: Any, field: str, label: str, limit: int, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise CommunityError(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(text) > limit:
        raise CommunityError(
            _("%(label)s不能超过 %(n)d 字。") % {"label": label, "n": limit}, field=field
        )
    return text


def do_save_position(actor: Actor, position: Position | None, data: dict[str, Any]) -> Position:
    """Create or edit a position; committee staff only their own committee's positions."""
    policy.require(actor.user, "community.manage")
    if position is not None:
        _require_reach(actor, position.committee_id, position.subdistrict_id)
    scope = policy.committee_scope(actor.user)
    if scope is not None:
        data["committee_id"] = scope
    kind = data.get("kind", "")
    if kind not in Position.Kind.values:
        raise CommunityError(_("请选择阵地类型。"), field="kind")
    clean = {
        "kind": kind,
        "name": _text(data.get("name"), "name", _("名称"), 100),
        "address": _text(data.get("address"), "address", _("地址"), 100),
        "hours": _text(data.get("hours"), "hours", _("开放时间"), 100, required=False),
        "contact": _text(data.get("contact"), "contact", _("联系人"), 50, required=False),
        "contact_phone": _text(data.get("contact_phone"), "contact_phone", _("联系电话"), 30,
                               required=False),
        "description": str(data.get("description") or "").strip(),
        "committee_id": data.get("committee_id"),
        "parent_id": data.get("parent_id"),
        "sort": int(data.get("sort") or 0),
    }  # fmt: skip
    for axis in ("map_x", "map_y"):
        value = data.get(axis)
        if value is None or not 0 <= int(value) <= 100:
            raise CommunityError(_("示意图坐标须在 0 到 100 之间。"), field=axis)
        clean[axis] = int(value)
    if clean["contact_phone"] and not re.fullmatch(r"[\d\- ]{7,30}", clean["contact_phone"]):
        raise CommunityError(_("联系电话只能包含数字、空格和连字符。"), field="contact_phone")
    parent = Position.objects.filter(pk=clean["parent_id"]).first() if clean["parent_id"] else None
    if clean["parent_id"] and parent is None:
        raise CommunityError(_("上级阵地不存在。"), field="parent")
    if position is not None and parent is not None and parent.pk == position.pk:
        raise CommunityError(_("不能把阵地设为自己的上级。"), field="parent")
    children = (
        list(position.children.values_list("kind", flat=True)) if position is not None else []
    )
    problem = rules.hierarchy_problem(kind, parent.kind if parent else None, children)
    if problem is not None:
        field, message = _HIERARCHY_MESSAGES[problem]
        raise CommunityError(_(message), field=field, code=problem)
    if parent is not None and position is None:
        _require_reach(actor, parent.committee_id, parent.subdistrict_id)
    near = parent.subdistrict_id if parent else (position.subdistrict_id if position else None)
    clean["subdistrict_id"] = _street_for(actor, clean["committee_id"], near)
    _require_reach(actor, clean["committee_id"], clean["subdistrict_id"])
    return _save_audited(
        actor, position or Position(), clean, "position", {},
        (_("本街道已有同名阵地。"), "name"),
    )  # fmt: skip


def do_save_position_staff(
    actor: Actor,
    position: Position,
    member: PositionStaff | None,
    *,
    name: str,
    duties: str,
    user_id: int | None = None,
) -> PositionStaff:
    """全岗通: one person at a position with several duties."""
    _manage(actor, position.committee_id, position.subdistrict_id)
    if member is not None and member.position_id != position.pk:
        raise CommunityError(_("该人员不在此阵地。"), field="member")
    duty_list = rules.split_duties(duties or "")
    if not duty_list:
        raise CommunityError(_("请至少填写一项岗位职责。"), field="duties")
    joined = "、".join(duty_list)
    if len(joined) > 200:
        raise CommunityError(_("岗位职责不能超过 200 字。"), field="duties")
    clean = {"name": _text(name, "name", _("姓名"), 50), "duties": joined, "user_id": user_id}
    target = member or PositionStaff(position=position)
    return _save_audited(actor, target, clean, "position_staff", {"position": position.pk})


def do_remove_position_staff(actor: Actor, member: PositionStaff) -> None:
    _manage(actor, member.position.committee_id, member.position.subdistrict_id)
    with transaction.atomic():
        audit.record(actor, "community.position_staff.remove", member,
                     details={"position": member.position_id})  # fmt: skip
        member.delete()


def do_save_space(
    actor: Actor,
    position: Position,
    space: Space | None,
    *,
    name: str,
    capacity: int,
    equipment: str = "",
    bookable: bool = True,
) -> Space:
    """A room with its capacity and equipment; never smaller than a coming event in it."""
    _manage(actor, position.committee_id, position.subdistrict_id)
    if space is not None and space.position_id != position.pk:
        raise CommunityError(_("该空间不在此阵地。"), field="space")
    if capacity is None or capacity < 1:
        raise CommunityError(_("容纳人数至少为 1。"), field="capacity")
    if space is not None:
        largest = (
            Event.objects.filter(space=space, status=Event.Status.OPEN, ends_at__gt=timezone.now())
            .aggregate(m=Max("capacity"))["m"]
        )  # fmt: skip
        if largest is not None and capacity < largest:
            raise CommunityError(
                _("此空间有即将举行、名额为 %(n)d 的活动，容纳人数不能小于它。") % {"n": largest},
                field="capacity",
            )
    clean = {
        "name": _text(name, "name", _("名称"), 50),
        "capacity": capacity,
        "equipment": _text(equipment, "equipment", _("设备"), 200, required=False),
        "bookable": bool(bookable),
    }
    return _save_audited(
        actor, space or Space(position=position), clean, "space", {"position": position.pk},
        (_("本阵地已有同名空间。"), "name"),
    )  # fmt: skip


def do_save_menu_item(
    actor: Actor, position: Position, item: MenuItem | None, data: dict[str, Any]
) -> MenuItem:
    """One service on a position's menu: family, audience, capacity, duration, how to order."""
    _manage(actor, position.committee_id, position.subdistrict_id)
    if item is not None and item.position_id != position.pk:
        raise CommunityError(_("该服务项目不在此阵地。"), field="item")
    if data.get("family") not in Family.values:
        raise CommunityError(_("请选择类别。"), field="family")
    if data.get("mode") not in MenuItem.Mode.values:
        raise CommunityError(_("请选择预约方式。"), field="mode")
    capacity = data.get("capacity")
    if capacity is None or int(capacity) < 1:
        raise CommunityError(_("人数上限至少为 1。"), field="capacity")
    duration = data.get("duration_minutes")
    if duration is None or not 15 <= int(duration) <= 24 * 60:
        raise CommunityError(_("时长须在 15 分钟到 24 小时之间。"), field="duration_minutes")
    lead = data.get("lead_days")
    if lead is None or not 0 <= int(lead) <= 90:
        raise CommunityError(_("受理时限须在 0 到 90 天之间。"), field="lead_days")
    clean = {
        "family": data["family"],
        "mode": data["mode"],
        "title": _text(data.get("title"), "title", _("服务项目"), 100),
        "audience": _text(data.get("audience"), "audience", _("服务对象"), 100),
        "description": str(data.get("description") or "").strip(),
        "provider": _text(data.get("provider"), "provider", _("提供方"), 100, required=False),
        "capacity": int(capacity),
        "duration_minutes": int(duration),
        "lead_days": int(lead),
        "active": bool(data.get("active", True)),
    }
    return _save_audited(
        actor, item or MenuItem(position=position), clean, "menu", {"position": position.pk},
        (_("本阵地已有同名服务项目。"), "title"),
    )  # fmt: skip


def do_save_series(actor: Actor, series: Series | None, data: dict[str, Any]) -> Series:
    """Define or change a recurring series (street level: the 党群 department or the admin)."""
    if series is not None:
        _manage(actor, None, series.space.position.subdistrict_id)
    space_ = data.get("space")
    _manage(actor, None, space_.position.subdistrict_id if isinstance(space_, Space) else None)
    try:
        weekdays = rules.parse_weekdays(str(data.get("weekdays") or ""))
    except ValueError:
        raise CommunityError(
            _("星期填 1 到 7 的数字，用逗号分隔（1 为星期一）。"), field="weekdays"
        ) from None
    space = data.get("space")
    if not isinstance(space, Space):
        raise CommunityError(_("请选择空间。"), field="space")
    start, end = data.get("start_time"), data.get("end_time")
    if start is None or end is None or end <= start:
        raise CommunityError(_("结束时间须晚于开始时间。"), field="end_time")
    capacity = int(data.get("capacity") or 0)
    if not 1 <= capacity <= space.capacity:
        raise CommunityError(
            _("每场人数须在 1 到 %(n)d（%(room)s容纳人数）之间。")
            % {"n": space.capacity, "room": space.name},
            field="capacity",
        )
    reserved = int(data.get("reserved_offline") or 0)
    if not 0 <= reserved <= capacity:
        raise CommunityError(_("保留名额不能超过每场人数。"), field="reserved_offline")
    release = int(data.get("release_hours") or 0)
    if not 0 <= release <= 24 * 14:
        raise CommunityError(_("提前释放须在 0 到 336 小时之间。"), field="release_hours")
    partners = "、".join(rules.split_duties(str(data.get("partners") or "")))
    if len(partners) > 200:
        raise CommunityError(_("合作单位不能超过 200 字。"), field="partners")
    clean = {
        "title": _text(data.get("title"), "title", _("系列名称"), 100),
        "space_id": space.pk,
        "weekdays": ",".join(str(d) for d in weekdays),
        "start_time": start,
        "end_time": end,
        "capacity": capacity,
        "reserved_offline": reserved,
        "release_hours": release,
        "partners": partners,
        "audience": _text(data.get("audience"), "audience", _("对象"), 100, required=False),
    }
    street = space.position.subdistrict_id
    with transaction.atomic():
        # The title is unique per street (Series' docstring); the locked street row makes two
        # saves of one title in one street wait for each other instead of both passing.
        same = Series.objects.filter(title=clean["title"])
        if street is None:
            same = same.filter(space__position__subdistrict__isnull=True)
        else:
            Subdistrict.objects.select_for_update().filter(pk=street).first()
            same = same.filter(space__position__subdistrict_id=street)
        if series is not None:
            same = same.exclude(pk=series.pk)
        if same.exists():
            raise Duplicate(_("本街道已有同名系列。"), field="title")
        return _save_audited(actor, series or Series(), clean, "series", {})


@dataclass
class SeriesUpdate:
    """What happened to a series' coming events after its definition changed."""

    updated: int = 0
    unchanged: int = 0
    kept_signups: list[date] = field(
        default_factory=list
    )  # days left as they were: people have signed up
    conflicts: list[date] = field(default_factory=list)  # days the room is taken at the new time
    cancelled: int = 0  # days no longer among the series' weekdays (no sign-ups)


def do_update_series_events(actor: Actor, series: Series) -> SeriesUpdate:
    """Bring the series' coming events in line with its definition.

    An event anybody has signed up for (even if they cancelled since) is left exactly as it
    is; staff change it by hand. An event whose day is no longer a series weekday is cancelled
    and its room freed. Every other event takes the new time, room, seats and partner; if the
    room is taken at the new time, that event stays as it was and its day is reported.
    """
    _manage(actor, None, series.space.position.subdistrict_id)
    now = timezone.now()
    report = SeriesUpdate()
    partners = series.partner_list
    events = list(
        Event.objects.filter(series=series, status=Event.Status.OPEN, starts_at__gt=now)
        .annotate(n_signups=Count("signups"))
        .order_by("starts_at")
    )
    for event in events:
        day = _local(event.starts_at).date()
        if event.n_signups:
            report.kept_signups.append(day)
            continue
        if day.isoweekday() not in series.weekday_numbers:
            with transaction.atomic():
                event.status = Event.Status.CANCELLED
                event.save(update_fields=["status"])
                event.slots.all().delete()
                audit.record(actor, "community.event.cancel", event,
                             details={"reason": "series weekdays changed"})  # fmt: skip
            report.cancelled += 1
            continue
        starts = _aware(datetime.combine(day, series.start_time))
        ends = _aware(datetime.combine(day, series.end_time))
        wanted = {
            "title": series.title, "space_id": series.space_id, "starts_at": starts,
            "ends_at": ends, "capacity": series.capacity,
            "reserved_offline": series.reserved_offline,
            "release_at": starts - timedelta(hours=series.release_hours)
            if series.reserved_offline else None,
            "audience": series.audience,
            "partner": rules.rotating_partner(partners, day.toordinal()),
        }  # fmt: skip
        moved = (event.space_id, event.starts_at, event.ends_at) != (
            wanted["space_id"], starts, ends,
        )  # fmt: skip
        try:
            with transaction.atomic():
                changed = _changes(event, wanted)
                if not changed:
                    report.unchanged += 1
                    continue
                event.save()
                if moved:
                    event.slots.all().delete()
                    _take_slots(series.space, starts, ends, event=event)
                audit.record(actor, "community.event.update", event,
                             details={"series": series.pk, "changed": sorted(changed)})  # fmt: skip
        except CommunityError:
            event.refresh_from_db()
            report.conflicts.append(day)
            continue
        report.updated += 1
    return report
