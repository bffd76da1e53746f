"""Service orders on the positions' menus: placing one and moving it along its flow."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, crypto, policy
from linli.core.context import Actor
from linli.core.identity import mask_phone

from ..errors import (
    CommunityError,
    WrongState,
)
from ..models import (
    MenuItem,
    Position,
    ServiceOrder,
    Space,
    VolunteerTeam,
)
from ._common import (
    PHONE_PURPOSE,
    _local,
    _manage,
    _public,
    _serve,
    _street_for,
    _today,
    clean_phone,
)
from .events import _take_slots

# --- orders -----------------------------------------------------------------------------------


def _order_number(now: datetime) -> str:
    prefix = f"FW{_local(now):%Y%m%d}"
    last = ServiceOrder.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def do_place_order(
    actor: Actor,
    *,
    position: Position,
    requester_kind: str,
    requester_name: str,
    phone: str = "",
    menu_item: MenuItem | None = None,
    space: Space | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    people: int = 1,
    note: str = "",
    committee_id: int | None = None,
    channel: str = ServiceOrder.Channel.ONLINE,
) -> ServiceOrder:
    """下单: a resident online, or staff entering an order taken by phone or at the counter."""
    if channel != ServiceOrder.Channel.ONLINE:
        policy.require(actor.user, "community.serve")
        # Staff take orders for their own street's positions only.
        street = position.subdistrict_id
        if (
            street is not None
            and not policy.streets_in_reach(actor.user).filter(pk=street).exists()
        ):
            raise PermissionDenied("out of scope")
    if requester_kind == ServiceOrder.Requester.COMMITTEE:
        _serve(actor, committee_id)
    street = _street_for(actor, committee_id, position.subdistrict_id)
    actor = _public(actor)
    name = (requester_name or "").strip()
    if not name:
        raise CommunityError(_("请填写下单人或单位。"), field="requester_name")
    if menu_item is None and space is None:
        raise CommunityError(_("请选择服务项目或空间。"), field="menu_item")
    if menu_item is not None and (menu_item.position_id != position.pk or not menu_item.active):
        raise CommunityError(_("该服务项目不在此阵地的清单上。"), field="menu_item")
    if menu_item is not None and people > menu_item.capacity:
        raise CommunityError(_("人数不能超过 %(n)s。") % {"n": menu_item.capacity}, field="people")
    if space is not None:
        if space.position_id != position.pk or not space.bookable:
            raise CommunityError(_("该空间不可预约。"), field="space")
        if starts_at is None or ends_at is None or ends_at <= starts_at:
            raise CommunityError(_("请填写预订的开始和结束时间。"), field="starts_at")
        if starts_at <= timezone.now():
            raise CommunityError(_("预订时间须在将来。"), field="starts_at")
        if people > space.capacity:
            raise CommunityError(_("人数不能超过 %(n)s。") % {"n": space.capacity}, field="people")
    clean = clean_phone(phone) if phone else ""
    if requester_kind == ServiceOrder.Requester.RESIDENT and not clean:
        raise CommunityError(_("请留下联系电话。"), field="phone")
    now = timezone.now()
    lead = menu_item.lead_days if menu_item else 3
    with transaction.atomic():
        order = ServiceOrder.objects.create(
            number=_order_number(now), menu_item=menu_item, position=position, space=space,
            starts_at=starts_at if space else None, ends_at=ends_at if space else None,
            requester_kind=requester_kind, requester_name=name,
            phone_cipher=crypto.encrypt(clean, PHONE_PURPOSE) if clean else "",
            phone_masked=mask_phone(clean) if clean else "", committee_id=committee_id,
            subdistrict_id=street,
            people=people, note=note, channel=channel, due_by=_today() + timedelta(days=lead),
            created=now, created_by=actor.user,
        )  # fmt: skip
        if space is not None and starts_at is not None and ends_at is not None:
            _take_slots(space, starts_at, ends_at, order=order)
        audit.record(actor, "community.order.create", order, details={"channel": channel})
    return order


_ORDER_FLOW = {
    "accept": ((ServiceOrder.Status.ORDERED,), ServiceOrder.Status.ACCEPTED),
    "dispatch": ((ServiceOrder.Status.ACCEPTED,), ServiceOrder.Status.DISPATCHED),
    "deliver": (
        (ServiceOrder.Status.ACCEPTED, ServiceOrder.Status.DISPATCHED),
        ServiceOrder.Status.DELIVERED,
    ),
    "rate": ((ServiceOrder.Status.DELIVERED,), ServiceOrder.Status.RATED),
    "decline": ((ServiceOrder.Status.ORDERED,), ServiceOrder.Status.DECLINED),
    "cancel": (
        (ServiceOrder.Status.ORDERED, ServiceOrder.Status.ACCEPTED),
        ServiceOrder.Status.CANCELLED,
    ),
}


def do_advance_order(
    actor: Actor,
    order_id: int,
    step: str,
    *,
    to_position: Position | None = None,
    to_team: VolunteerTeam | None = None,
    rating: int | None = None,
    feedback: str = "",
) -> ServiceOrder:
    """受理 / 派单 / 服务 / 评价 / 不予受理 / 取消: one step of the loop."""
    if step not in _ORDER_FLOW:
        raise CommunityError(_("未知操作。"), field="step")
    with transaction.atomic():
        order = ServiceOrder.objects.select_for_update().select_related("position").get(pk=order_id)
        # A committee handles the orders of its own committee and of its own station.
        _manage(actor, order.committee_id or order.position.committee_id, order.subdistrict_id)
        allowed, target = _ORDER_FLOW[step]
        if order.status not in allowed:
            raise WrongState(
                _("订单状态为「%(status)s」，不能进行此操作。")
                % {"status": order.get_status_display()},
            )
        fields = ["status"]
        if step == "dispatch":
            if (to_position is None) == (to_team is None):
                raise CommunityError(_("请选择派至的阵地或志愿者队伍（二选一）。"), field="to")
            order.dispatched_position = to_position
            order.dispatched_team = to_team
            fields += ["dispatched_position", "dispatched_team"]
        if step == "deliver":
            order.delivered_on = _today()
            fields.append("delivered_on")
        if step == "rate":
            if rating is None or not 1 <= rating <= 5:
                raise CommunityError(_("评价为 1 到 5 分。"), field="rating")
            order.rating, order.feedback = rating, feedback[:1000]
            fields += ["rating", "feedback"]
        if target in (ServiceOrder.Status.DECLINED, ServiceOrder.Status.CANCELLED):
            order.slots.all().delete()
            if feedback:
                order.feedback = feedback[:1000]
                fields.append("feedback")
        order.status = target
        order.save(update_fields=fields)
        audit.record(actor, f"community.order.{step}", order, details={"to": target})
    return order


def is_overdue(order: ServiceOrder, today: date | None = None) -> bool:
    return order.status in ServiceOrder.OPEN and order.due_by < (today or _today())


# One use case per step (each page form calls its own); the flow above checks them all. The
# API's ``advance`` takes the step by name and calls ``do_advance_order`` itself.


def do_accept_order(actor: Actor, order_id: int) -> ServiceOrder:
    """受理: the position takes the order on."""
    return do_advance_order(actor, order_id, "accept")


def do_decline_order(actor: Actor, order_id: int, feedback: str = "") -> ServiceOrder:
    """不予受理, with the reason; a booked room is freed."""
    return do_advance_order(actor, order_id, "decline", feedback=feedback)


def do_dispatch_order(
    actor: Actor,
    order_id: int,
    to_position: Position | None = None,
    to_team: VolunteerTeam | None = None,
) -> ServiceOrder:
    """派单 to a position or a volunteer team (one of the two)."""
    return do_advance_order(actor, order_id, "dispatch", to_position=to_position, to_team=to_team)


def do_deliver_order(actor: Actor, order_id: int) -> ServiceOrder:
    """服务完成: the service was given today."""
    return do_advance_order(actor, order_id, "deliver")


def do_rate_order(
    actor: Actor, order_id: int, rating: int | None = None, feedback: str = ""
) -> ServiceOrder:
    """评价: the requester's rating, recorded by staff."""
    return do_advance_order(actor, order_id, "rate", rating=rating, feedback=feedback)


def do_cancel_order(actor: Actor, order_id: int, feedback: str = "") -> ServiceOrder:
    """取消订单; a booked room is freed."""
    return do_advance_order(actor, order_id, "cancel", feedback=feedback)
