"""The school-and-culture alliance: schools order projects from units, units answer."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor

from ..errors import (
    CommunityError,
    NotAllowed,
    NotSchool,
    WrongState,
)
from ..models import (
    AllianceMember,
    AllianceOrder,
    AllianceProject,
)
from ._common import _street_row_in_reach, _today

# --- the alliance ----------------------------------------------------------------------------


def _member_of(actor: Actor) -> AllianceMember | None:
    org = policy.organisation_scope(actor.user)
    if org is None:
        return None
    return AllianceMember.objects.filter(organisation_id=org).first()


def do_order_alliance_project(
    actor: Actor, project: AllianceProject, students: int, grade: str, wish: str = ""
) -> AllianceOrder:
    """A school orders a project from the menu (菜单式服务)."""
    policy.require(actor.user, "community.alliance")
    school = _member_of(actor)
    if school is None or school.kind != AllianceMember.Kind.SCHOOL:
        raise NotSchool(_("只有联盟学校可以下单。"))
    streets = {project.unit.subdistrict_id, school.subdistrict_id}
    if None not in streets and len(streets) > 1:  # another street's alliance
        raise CommunityError(_("只能预订本街道美育联盟的项目。"), field="project")
    if not 1 <= students <= project.capacity:
        raise CommunityError(
            _("人数须在 1 到 %(n)s 之间。") % {"n": project.capacity}, field="students"
        )
    with transaction.atomic():
        order = AllianceOrder.objects.create(
            project=project, school=school, students=students, grade=grade[:20], wish=wish[:200],
            created=timezone.now(),
        )  # fmt: skip
        audit.record(actor, "community.alliance.order", order)
    return order


_ALLIANCE_FLOW = {
    "accept": ((AllianceOrder.Status.ORDERED,), AllianceOrder.Status.ACCEPTED, "unit"),
    "decline": ((AllianceOrder.Status.ORDERED,), AllianceOrder.Status.DECLINED, "unit"),
    "schedule": (
        (AllianceOrder.Status.ACCEPTED, AllianceOrder.Status.SCHEDULED),
        AllianceOrder.Status.SCHEDULED,
        "unit",
    ),
    "deliver": ((AllianceOrder.Status.SCHEDULED,), AllianceOrder.Status.DELIVERED, "unit"),
    "feedback": ((AllianceOrder.Status.DELIVERED,), AllianceOrder.Status.CLOSED, "school"),
}


def do_advance_alliance_order(
    actor: Actor,
    order_id: int,
    step: str,
    *,
    scheduled_at: datetime | None = None,
    place: str = "",
    rating: int | None = None,
    feedback: str = "",
) -> AllianceOrder:
    """The unit accepts, schedules and delivers; the school gives feedback."""
    if step not in _ALLIANCE_FLOW:
        raise CommunityError(_("未知操作。"), field="step")
    allowed, target, side = _ALLIANCE_FLOW[step]
    with transaction.atomic():
        order = (
            AllianceOrder.objects.select_for_update()
            .select_related("project__unit", "school")
            .get(pk=order_id)
        )
        member = _member_of(actor)
        party = order.project.unit if side == "unit" else order.school
        street_staff = policy.can(actor.user, "community.manage") and _street_row_in_reach(
            actor.user, order.school.subdistrict_id
        )
        if not ((policy.can(actor.user, "community.alliance") and member == party) or street_staff):
            raise NotAllowed(_("只能处理本单位的订单。"))
        if order.status not in allowed:
            raise WrongState(
                _("订单状态为「%(status)s」，不能进行此操作。")
                % {"status": order.get_status_display()},
            )
        fields = ["status"]
        if step == "schedule":
            if scheduled_at is None or not place.strip():
                raise CommunityError(_("请填写排期时间和地点。"), field="scheduled_at")
            order.scheduled_at, order.place = scheduled_at, place.strip()[:100]
            fields += ["scheduled_at", "place"]
        if step == "deliver":
            order.delivered_on = _today()
            fields.append("delivered_on")
        if step == "feedback":
            if rating is None or not 1 <= rating <= 5:
                raise CommunityError(_("评价为 1 到 5 分。"), field="rating")
            order.rating, order.feedback = rating, feedback[:1000]
            fields += ["rating", "feedback"]
        order.status = target
        order.save(update_fields=fields)
        audit.record(actor, f"community.alliance.{step}", order)
    return order


# One use case per step (each page form calls its own); the flow above checks them all.


def do_accept_alliance_order(actor: Actor, order_id: int) -> AllianceOrder:
    """The unit takes the school's order (接单)."""
    return do_advance_alliance_order(actor, order_id, "accept")


def do_decline_alliance_order(actor: Actor, order_id: int) -> AllianceOrder:
    """The unit declines the school's order (婉拒)."""
    return do_advance_alliance_order(actor, order_id, "decline")


def do_schedule_alliance_order(
    actor: Actor, order_id: int, scheduled_at: datetime | None = None, place: str = ""
) -> AllianceOrder:
    """The unit fixes (or moves) the session's time and place (排期)."""
    return do_advance_alliance_order(
        actor, order_id, "schedule", scheduled_at=scheduled_at, place=place
    )


def do_deliver_alliance_order(actor: Actor, order_id: int) -> AllianceOrder:
    """The unit records the session as held (实施)."""
    return do_advance_alliance_order(actor, order_id, "deliver")


def do_rate_alliance_order(
    actor: Actor, order_id: int, rating: int | None = None, feedback: str = ""
) -> AllianceOrder:
    """The school rates the session and closes the order (反馈)."""
    return do_advance_alliance_order(actor, order_id, "feedback", rating=rating, feedback=feedback)
