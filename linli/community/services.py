"""Every change of community data goes through here: permission, transaction, audit.

Seats: ``sign_up``, ``cancel_signup`` and ``release_held_seats`` lock the event's row, rebuild
``rules.Roster`` from the stored sign-ups, apply one operation and store the differences, so
the site decides exactly as ``linli community signups`` does and never oversells a seat.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from linli.core import audit, crypto, policy, ratelimit
from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.identity import check_id_number, mask_id_number, mask_phone
from linli.notices import services as notices

from . import rules
from .models import (
    AllianceMember,
    AllianceOrder,
    AllianceProject,
    Certificate,
    Contribution,
    Correction,
    Event,
    Family,
    HourRecord,
    LaneDecision,
    MenuItem,
    Milestone,
    Position,
    PositionStaff,
    PracticalProject,
    Series,
    ServiceOrder,
    Shift,
    Signup,
    Space,
    SpaceSlot,
    TeamMember,
    Volunteer,
    VolunteerTeam,
    Wish,
)

PHONE_PURPOSE = "community.phone"
ID_PURPOSE = "community.volunteer_id"
PHONE_RE = re.compile(r"1\d{10}")
CHECKIN_EARLY = timedelta(hours=1)  # the door opens an hour before the start
CHECKIN_LATE = timedelta(hours=1)  # and closes an hour after the end


class CommunityError(DomainError):
    code = "community"


def _today() -> date:
    return timezone.localdate()


def _local(value: datetime) -> datetime:
    """The engine works in naive local time (the street's clock)."""
    return timezone.localtime(value).replace(tzinfo=None)


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def clean_phone(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "")
    if not PHONE_RE.fullmatch(phone):
        raise CommunityError(_("请填写 11 位手机号。"), field="phone", code="phone")
    return phone


def person_key(phone: str) -> str:
    return crypto.keyed_hash(phone, PHONE_PURPOSE)


def _manage(actor: Actor, committee_id: int | None) -> None:
    policy.require(actor.user, "community.manage")
    policy.require_in_scope(actor.user, committee_id)


def _serve(actor: Actor, committee_id: int | None) -> None:
    policy.require(actor.user, "community.serve")
    policy.require_in_scope(actor.user, committee_id)


def _public(actor: Actor) -> Actor:
    return actor if actor.user is not None else Actor(None, actor.terminal, "public")


# --- seats -----------------------------------------------------------------------------------


def notify_promotion(signup_id: int) -> None:
    """Tell a promoted person by SMS that they have a seat (called after the promotion commits).

    Idempotent: the notice's key is the sign-up, so a retried call never sends twice.
    """
    signup = Signup.objects.select_related("event").get(pk=signup_id)
    if not signup.phone_cipher:
        return
    when = timezone.localtime(signup.event.starts_at)
    notices.send(
        "community.promoted",
        {"activity": signup.event.title[:30], "when": f"{when:%m-%d %H:%M}"},
        key=f"community.promoted:{signup.pk}",
        phone=crypto.decrypt(signup.phone_cipher, PHONE_PURPOSE),
    )


@dataclass(frozen=True)
class Live:
    """The few columns of a live sign-up the engine needs (loaded under the event's lock)."""

    pk: int
    person_key: str
    channel: str
    state: str
    seat: str


def _roster(event: Event, live: Sequence[Live | Signup]) -> rules.Roster:
    confirmed = [
        rules.Seat(s.person_key, s.channel, s.seat)
        for s in live
        if s.state == Signup.State.CONFIRMED
    ]
    waiting = [
        rules.Waiting(s.person_key, s.channel) for s in live if s.state == Signup.State.WAITLISTED
    ]
    return rules.Roster(
        capacity=event.capacity,
        reserved_offline=event.reserved_offline,
        release_at=_local(event.release_at) if event.release_at else None,
        confirmed=confirmed,
        waitlist=waiting,
        released=event.released,
    )


def _locked(event_id: int) -> tuple[Event, list[Live]]:
    """Lock the event's row (the seat lock) and read its live sign-ups in engine order."""
    event = Event.objects.select_for_update().get(pk=event_id)
    rows = (
        Signup.objects.filter(
            event=event, state__in=[Signup.State.CONFIRMED, Signup.State.WAITLISTED]
        )
        .order_by("rank", "id")
        .values_list("pk", "person_key", "channel", "state", "seat")
    )
    return event, [Live(*row) for row in rows]


def _next_rank(event: Event) -> int:
    event.seq += 1
    return event.seq


def _apply_promotions(
    event: Event, live: Sequence[Live], promotions: Sequence[rules.Promotion]
) -> list[int]:
    by_key = {s.person_key: s.pk for s in live}
    promoted: list[int] = []
    for promo in promotions:
        pk = by_key[promo.person]
        Signup.objects.filter(pk=pk).update(
            state=Signup.State.CONFIRMED,
            seat=promo.seat,
            rank=_next_rank(event),
            promoted_at=_aware(promo.at),
        )
        promoted.append(pk)
    return promoted


def _after_commit_notices(ids: Sequence[int]) -> None:
    for signup_id in ids:
        transaction.on_commit(lambda sid=signup_id: notify_promotion(sid))  # type: ignore[misc]


@dataclass(frozen=True)
class SignupResult:
    signup: Signup
    result: str  # rules.CONFIRMED or rules.WAITLISTED
    waiting_position: int | None = None


def sign_up(
    actor: Actor, event_id: int, name: str, phone: str, *, channel: str = rules.ONLINE
) -> SignupResult:
    """A resident signs up online, or staff sign one up at the counter (channel ``staff``)."""
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise CommunityError(_("请填写姓名（50 字以内）。"), field="name", code="name")
    phone = clean_phone(phone)
    if channel not in rules.CHANNELS:
        raise CommunityError(_("报名方式无效。"), field="channel")
    if channel == rules.STAFF:
        policy.require(actor.user, "community.serve")
    actor = _public(actor)
    key = person_key(phone)
    now = timezone.now()
    with transaction.atomic():
        event, live = _locked(event_id)
        if event.status != Event.Status.OPEN:
            raise CommunityError(_("活动已取消。"), code="cancelled")
        if now >= event.starts_at:
            raise CommunityError(_("活动已开始，报名已截止。"), code="closed")
        roster = _roster(event, live)
        outcome = roster.apply(rules.Operation(_local(now), rules.SIGNUP, key, channel))
        if outcome.result == rules.REJECTED:
            raise CommunityError(
                _("这个手机号已经报名了本场活动。"), field="phone", code="duplicate"
            )
        if outcome.released:
            event.released = True
        promoted = _apply_promotions(event, live, outcome.promotions)
        signup = Signup.objects.create(
            event=event,
            person_key=key,
            name=name,
            phone_cipher=crypto.encrypt(phone, PHONE_PURPOSE),
            phone_masked=mask_phone(phone),
            channel=channel,
            state=outcome.result,
            seat=outcome.seat or "",
            rank=_next_rank(event),
            token=secrets.token_urlsafe(16),
            created=now,
            entered_by=actor.user,
        )
        event.save(update_fields=["seq", "released"])
        audit.record(
            actor,
            "community.signup.create",
            signup,
            details={"event": event.pk, "result": outcome.result, "channel": channel,
                     "seat": signup.seat, "promoted": promoted},
        )  # fmt: skip
        _after_commit_notices(promoted)
    position = roster.waiting_position(key) if outcome.result == rules.WAITLISTED else None
    return SignupResult(signup, outcome.result, position)


def cancel_signup(actor: Actor, token: str) -> Signup:
    """Cancel by the ticket's token (the resident's link) or by staff from the list."""
    actor = _public(actor)
    now = timezone.now()
    with transaction.atomic():
        found = Signup.objects.filter(token=token).only("event_id").first()
        if found is None:
            raise CommunityError(_("没有找到这条报名。"), code="unknown")
        event, live = _locked(found.event_id)
        signup = Signup.objects.get(pk=found.pk)
        if signup.state not in (Signup.State.CONFIRMED, Signup.State.WAITLISTED):
            raise CommunityError(_("这条报名已经取消。"), code="unknown")
        if now >= event.starts_at:
            raise CommunityError(_("活动已开始，不能取消。"), code="closed")
        roster = _roster(event, live)
        outcome = roster.apply(rules.Operation(_local(now), rules.CANCEL, signup.person_key))
        if outcome.result not in (rules.CANCELLED, rules.LEFT_WAITLIST):
            raise CommunityError(_("这条报名已经取消。"), code="unknown")
        signup.state = (
            Signup.State.CANCELLED if outcome.result == rules.CANCELLED else Signup.State.LEFT
        )
        signup.seat = ""
        signup.ended_at = now
        signup.save(update_fields=["state", "seat", "ended_at"])
        live = [s for s in live if s.pk != signup.pk]
        if outcome.released:
            event.released = True
        promoted = _apply_promotions(event, live, outcome.promotions)
        event.save(update_fields=["seq", "released"])
        audit.record(
            actor,
            "community.signup.cancel",
            signup,
            details={"event": event.pk, "result": outcome.result, "promoted": promoted},
        )
        _after_commit_notices(promoted)
    return signup


def release_held_seats(actor: Actor, event_id: int, *, early: bool = False) -> list[int]:
    """Release an event's held seats: when ``release_at`` has come, or early by staff."""
    now = timezone.now()
    with transaction.atomic():
        event, live = _locked(event_id)
        if early:
            _manage(actor, event.committee_id)
        if event.released:
            return []
        roster = _roster(event, live)
        if early:
            promotions = roster.release(_local(now))
        elif roster.due_for_release(_local(now)):
            promotions = roster.release()
        else:
            return []
        event.released = True
        promoted = _apply_promotions(event, live, promotions)
        event.save(update_fields=["seq", "released"])
        audit.record(actor, "community.event.release", event, details={"promoted": promoted})
        _after_commit_notices(promoted)
    return promoted


def release_due(actor: Actor) -> int:
    """Release every event whose release time has come (run every few minutes)."""
    now = timezone.now()
    ids = list(
        Event.objects.filter(
            released=False, release_at__lte=now, starts_at__gt=now, status=Event.Status.OPEN
        ).values_list("pk", flat=True)
    )
    return sum(len(release_held_seats(actor, pk)) for pk in ids)


def check_in(actor: Actor, token: str) -> Signup:
    """Staff scan the resident's ticket QR at the door."""
    now = timezone.now()
    with transaction.atomic():
        signup = Signup.objects.select_for_update().select_related("event").filter(token=token)
        found = signup.first()
        if found is None:
            raise CommunityError(_("无效的签到码。"), code="unknown")
        event = found.event
        _serve(actor, event.committee_id)
        if found.state != Signup.State.CONFIRMED:
            raise CommunityError(_("该报名不是正式名额，不能签到。"), code="not_confirmed")
        if not (event.starts_at - CHECKIN_EARLY <= now <= event.ends_at + CHECKIN_LATE):
            raise CommunityError(_("不在本场活动的签到时间内。"), code="not_now")
        if found.checked_in_at is not None:
            raise CommunityError(_("已经签到过了。"), code="already")
        found.checked_in_at = now
        found.save(update_fields=["checked_in_at"])
        audit.record(actor, "community.signup.check_in", found, details={"event": event.pk})
    return found


def reveal_phone(actor: Actor, signup: Signup, purpose: str) -> str:
    """The full phone of a sign-up, for a role that needs it to call; always audited."""
    if not policy.can(actor.user, "people.view_identity") or not policy.in_scope(
        actor.user, signup.event.committee_id
    ):
        audit.record(actor, "community.signup.reveal", signup, outcome="denied")
        raise CommunityError(_("无权查看完整手机号。"), code="denied")
    if not purpose.strip():
        raise CommunityError(_("请说明查看目的。"), field="purpose")
    audit.record(actor, "community.signup.reveal", signup, details={"purpose": purpose[:100]})
    return crypto.decrypt(signup.phone_cipher, PHONE_PURPOSE)


# --- spaces and events ------------------------------------------------------------------------


def _take_slots(space: Space, start: datetime, end: datetime, **holder: Any) -> None:
    """Occupy the half-hour slots; the unique constraint refuses a double booking."""
    local = [_aware(s) for s in rules.slots(_local(start), _local(end))]
    try:
        with transaction.atomic():
            SpaceSlot.objects.bulk_create(SpaceSlot(space=space, start=s, **holder) for s in local)
    except IntegrityError:
        raise CommunityError(
            _("%(space)s 在该时段已被占用。") % {"space": space},
            field="space",
            code="double_booked",
        ) from None


def create_event(
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
    _manage(actor, committee_id)
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
            committee_id=committee_id, family=family, audience=audience, partner=partner,
            description=description,
        )  # fmt: skip
        _take_slots(space, starts_at, ends_at, event=event)
        audit.record(actor, "community.event.create", event)
    return event


def schedule_series(actor: Actor, series: Series, first: date, last: date) -> tuple[int, int]:
    """Create the series' events on its weekdays between two dates; (created, skipped).

    A day whose room is already taken, or that already has the series' event, is skipped.
    """
    policy.require(actor.user, "community.manage")
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
                    create_event(
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


def cancel_event(actor: Actor, event: Event, reason: str) -> Event:
    _manage(actor, event.committee_id)
    with transaction.atomic():
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status"])
        event.slots.all().delete()
        audit.record(actor, "community.event.cancel", event, details={"reason": reason[:200]})
    return event


# --- orders -----------------------------------------------------------------------------------


def _order_number(now: datetime) -> str:
    prefix = f"FW{_local(now):%Y%m%d}"
    last = ServiceOrder.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def place_order(
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
    if requester_kind == ServiceOrder.Requester.COMMITTEE:
        _serve(actor, committee_id)
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


def advance_order(
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
        _manage(actor, order.committee_id or order.position.committee_id)
        allowed, target = _ORDER_FLOW[step]
        if order.status not in allowed:
            raise CommunityError(
                _("订单状态为「%(status)s」，不能进行此操作。")
                % {"status": order.get_status_display()},
                code="state",
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


# --- the wish box -----------------------------------------------------------------------------


def make_wish(actor: Actor, text: str, name: str = "", phone: str = "") -> Wish:
    text = (text or "").strip()
    if not text or len(text) > 500:
        raise CommunityError(_("请写下心愿（500 字以内）。"), field="text")
    clean = clean_phone(phone) if phone else ""
    with transaction.atomic():
        wish = Wish.objects.create(
            text=text, name=name.strip()[:50],
            phone_cipher=crypto.encrypt(clean, PHONE_PURPOSE) if clean else "",
            phone_masked=mask_phone(clean) if clean else "", created=timezone.now(),
        )  # fmt: skip
        audit.record(_public(actor), "community.wish.create", wish)
    return wish


def adopt_wish(
    actor: Actor,
    wish: Wish,
    *,
    position: Position,
    family: str,
    title: str,
    audience: str,
    capacity: int,
    duration_minutes: int,
    mode: str,
    answer: str = "",
) -> MenuItem:
    """Turn a wish into a new menu item."""
    _manage(actor, position.committee_id)
    if wish.status != Wish.Status.NEW:
        raise CommunityError(_("该心愿已处理。"), code="state")
    with transaction.atomic():
        try:
            with transaction.atomic():
                item = MenuItem.objects.create(
                    position=position, family=family, title=title, audience=audience,
                    capacity=capacity, duration_minutes=duration_minutes, mode=mode,
                    description=wish.text,
                )  # fmt: skip
        except IntegrityError:
            raise CommunityError(_("该阵地已有同名服务项目。"), field="title") from None
        wish.status, wish.menu_item, wish.answer = Wish.Status.ADOPTED, item, answer
        wish.save(update_fields=["status", "menu_item", "answer"])
        audit.record(actor, "community.wish.adopt", wish, details={"menu_item": item.pk})
    return item


def decline_wish(actor: Actor, wish: Wish, answer: str) -> Wish:
    _manage(actor, None)
    if wish.status != Wish.Status.NEW:
        raise CommunityError(_("该心愿已处理。"), code="state")
    with transaction.atomic():
        wish.status, wish.answer = Wish.Status.DECLINED, answer
        wish.save(update_fields=["status", "answer"])
        audit.record(actor, "community.wish.decline", wish)
    return wish


# --- volunteers -------------------------------------------------------------------------------


def register_volunteer(
    actor: Actor,
    team: VolunteerTeam,
    name: str,
    phone: str,
    id_number: str = "",
    committee_id: int | None = None,
) -> Volunteer:
    policy.require(actor.user, "community.manage")
    phone = clean_phone(phone)
    id_cipher = id_masked = ""
    if id_number:
        check = check_id_number(id_number)
        if not check.valid or check.number is None:
            raise CommunityError(_("身份证号无效。"), field="id_number")
        id_cipher = crypto.encrypt(check.number, ID_PURPOSE)
        id_masked = mask_id_number(check.number)
    with transaction.atomic():
        key = crypto.keyed_hash(phone, PHONE_PURPOSE)
        volunteer = Volunteer.objects.filter(
            phone_hash__in=crypto.keyed_hashes(phone, PHONE_PURPOSE)
        ).first()
        if volunteer is None:
            volunteer = Volunteer.objects.create(
                name=name.strip(), phone_hash=key,
                phone_cipher=crypto.encrypt(phone, PHONE_PURPOSE), phone_masked=mask_phone(phone),
                id_cipher=id_cipher, id_masked=id_masked, committee_id=committee_id,
                joined=_today(),
            )  # fmt: skip
        TeamMember.objects.get_or_create(
            team=team, volunteer=volunteer, defaults={"since": _today()}
        )
        audit.record(actor, "community.volunteer.register", volunteer, details={"team": team.pk})
    return volunteer


def _leader(actor: Actor) -> None:
    policy.require(actor.user, "community.manage")


def create_shift(
    actor: Actor,
    team: VolunteerTeam,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    event: Event | None = None,
    order: ServiceOrder | None = None,
) -> Shift:
    _leader(actor)
    if ends_at <= starts_at:
        raise CommunityError(_("结束时间须晚于开始时间。"), field="ends_at")
    with transaction.atomic():
        shift = Shift.objects.create(
            team=team, title=title, starts_at=starts_at, ends_at=ends_at, event=event,
            order=order, token=secrets.token_urlsafe(16),
        )  # fmt: skip
        audit.record(actor, "community.shift.create", shift)
    return shift


def shift_scan(actor: Actor, shift: Shift, volunteer: Volunteer) -> HourRecord:
    """QR check-in, then check-out: the minutes between, approved as recorded by the organiser."""
    policy.require(actor.user, "community.serve")
    now = timezone.now()
    with transaction.atomic():
        record = (
            HourRecord.objects.select_for_update().filter(shift=shift, volunteer=volunteer).first()
        )
        if record is None:
            record = HourRecord.objects.create(
                volunteer=volunteer, team=shift.team, shift=shift, on=_local(now).date(),
                content=shift.title, minutes=1, source=HourRecord.Source.QR,
                status=HourRecord.Status.PENDING, check_in=now,
            )  # fmt: skip
            audit.record(actor, "community.hours.check_in", record)
            return record
        if record.check_out is not None:
            raise CommunityError(_("本班次已签退。"), code="already")
        assert record.check_in is not None
        record.check_out = now
        record.minutes = max(1, min(24 * 60, int((now - record.check_in).total_seconds() // 60)))
        record.status = HourRecord.Status.APPROVED
        record.decided_by = actor.user
        record.save(update_fields=["check_out", "minutes", "status", "decided_by"])
        audit.record(
            actor, "community.hours.check_out", record, details={"minutes": record.minutes}
        )
    return record


def report_hours(
    actor: Actor,
    volunteer: Volunteer,
    team: VolunteerTeam,
    on: date,
    minutes: int,
    content: str,
    *,
    source: str = HourRecord.Source.SELF,
) -> HourRecord:
    """Self-reported hours (pending until the leader approves) or the leader's own entry."""
    policy.require(actor.user, "community.serve")
    return _report(actor, volunteer, team, on, minutes, content, source)


def _report(
    actor: Actor,
    volunteer: Volunteer,
    team: VolunteerTeam,
    on: date,
    minutes: int,
    content: str,
    source: str,
) -> HourRecord:
    if not TeamMember.objects.filter(team=team, volunteer=volunteer).exists():
        raise CommunityError(_("该志愿者不在本队伍。"), field="volunteer")
    if not 0 < minutes <= 24 * 60:
        raise CommunityError(_("时长须在 1 分钟到 24 小时之间。"), field="minutes")
    if on > _today():
        raise CommunityError(_("服务日期不能在将来。"), field="on")
    if not content.strip():
        raise CommunityError(_("请填写服务内容。"), field="content")
    with transaction.atomic():
        record = HourRecord.objects.create(
            volunteer=volunteer, team=team, on=on, minutes=minutes, content=content[:100],
            source=source,
            status=HourRecord.Status.APPROVED if source == HourRecord.Source.LEADER
            else HourRecord.Status.PENDING,
            decided_by=actor.user if source == HourRecord.Source.LEADER else None,
        )  # fmt: skip
        audit.record(actor, "community.hours.report", record, details={"source": source})
    return record


def decide_hours(actor: Actor, record: HourRecord, approve: bool, note: str = "") -> HourRecord:
    _leader(actor)
    if record.status != HourRecord.Status.PENDING:
        raise CommunityError(_("该记录已审核。"), code="state")
    with transaction.atomic():
        record.status = HourRecord.Status.APPROVED if approve else HourRecord.Status.REJECTED
        record.decided_by, record.note = actor.user, note[:200]
        record.save(update_fields=["status", "decided_by", "note"])
        audit.record(actor, "community.hours.decide", record, details={"approve": approve})
    return record


def request_correction(actor: Actor, record: HourRecord, minutes: int, reason: str) -> Correction:
    policy.require(actor.user, "community.serve")
    if not 0 < minutes <= 24 * 60 or not reason.strip():
        raise CommunityError(_("请填写正确的时长和理由。"), field="minutes")
    with transaction.atomic():
        corr = Correction.objects.create(
            record=record, minutes=minutes, reason=reason[:200], created=timezone.now()
        )
        audit.record(actor, "community.hours.correction", corr)
    return corr


def decide_correction(actor: Actor, corr: Correction, accept: bool) -> Correction:
    _leader(actor)
    if corr.status != Correction.Status.OPEN:
        raise CommunityError(_("该申请已处理。"), code="state")
    with transaction.atomic():
        corr.status = Correction.Status.FIXED if accept else Correction.Status.REFUSED
        corr.save(update_fields=["status"])
        if accept:
            record = corr.record
            record.minutes = corr.minutes
            record.save(update_fields=["minutes"])
        audit.record(actor, "community.hours.correction_decide", corr, details={"fix": accept})
    return corr


def issue_certificate(actor: Actor, volunteer: Volunteer, team: VolunteerTeam) -> Certificate:
    """A certificate of the approved hours served with one team (民政部令第67号 fields)."""
    _leader(actor)
    approved = list(
        HourRecord.objects.filter(
            volunteer=volunteer, team=team, status=HourRecord.Status.APPROVED
        ).order_by("on")
    )
    if not approved:
        raise CommunityError(_("没有已认定的服务时长。"), code="no_hours")
    minutes = sum(r.minutes for r in approved)
    contents = sorted({r.content for r in approved})
    today = _today()
    with transaction.atomic():
        prefix = f"HN{today:%Y}"
        last = Certificate.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
        seq = int(last[len(prefix) :]) + 1 if last else 1
        cert = Certificate.objects.create(
            number=f"{prefix}{seq:05d}", volunteer=volunteer, team=team, minutes=minutes,
            content="、".join(contents)[:1000], issued_on=today, issued_by=actor.user,
        )  # fmt: skip
        audit.record(actor, "community.certificate.issue", cert, details={"minutes": minutes})
    return cert


# --- the alliance ----------------------------------------------------------------------------


def _member_of(actor: Actor) -> AllianceMember | None:
    org = policy.organisation_scope(actor.user)
    if org is None:
        return None
    return AllianceMember.objects.filter(organisation_id=org).first()


def order_project(
    actor: Actor, project: AllianceProject, students: int, grade: str, wish: str = ""
) -> AllianceOrder:
    """A school orders a project from the menu (菜单式服务)."""
    policy.require(actor.user, "community.alliance")
    school = _member_of(actor)
    if school is None or school.kind != AllianceMember.Kind.SCHOOL:
        raise CommunityError(_("只有联盟学校可以下单。"), code="not_school")
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


def advance_alliance_order(
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
        if not (
            (policy.can(actor.user, "community.alliance") and member == party)
            or policy.can(actor.user, "community.manage")
        ):
            raise CommunityError(_("只能处理本单位的订单。"), code="denied")
        if order.status not in allowed:
            raise CommunityError(
                _("订单状态为「%(status)s」，不能进行此操作。")
                % {"status": order.get_status_display()},
                code="state",
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


# --- practical projects ---------------------------------------------------------------------


def save_project(actor: Actor, project: PracticalProject) -> PracticalProject:
    _manage(actor, project.committee_id)
    parts = (project.resident_fen, project.subsidy_fen, project.other_fen)
    if not rules.budget_adds_up(project.budget_fen, parts):
        raise CommunityError(
            _("居民筹资、政府补贴与其他来源之和须等于预算总额（精确到分）。"), field="budget_fen"
        )
    with transaction.atomic():
        created = project.pk is None
        project.save()
        audit.record(
            actor, "community.project.create" if created else "community.project.update", project
        )
    return project


PHOTO_TYPES = {".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG"}
MAX_PHOTO_BYTES = 10 * 1024 * 1024


def _check_photo(photo: Any) -> None:
    name = (photo.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in PHOTO_TYPES:
        raise CommunityError(_("照片只接受 JPG、PNG。"), field="photo")
    if (photo.size or 0) > MAX_PHOTO_BYTES:
        raise CommunityError(_("照片不能超过 10 MB。"), field="photo")
    head = photo.read(8)
    photo.seek(0)
    if not head.startswith(PHOTO_TYPES[suffix]):
        raise CommunityError(_("照片内容与扩展名不符。"), field="photo")
    from linli.core.images import pixels_error

    too_big = pixels_error(photo)
    if too_big:
        raise CommunityError(too_big, field="photo")


def add_milestone(
    actor: Actor,
    project: PracticalProject,
    title: str,
    due: date,
    done_on: date | None = None,
    *,
    photo: Any = None,
    note: str = "",
) -> Milestone:
    _manage(actor, project.committee_id)
    if not title.strip():
        raise CommunityError(_("请填写节点名称。"), field="title")
    if photo is not None:
        _check_photo(photo)
    with transaction.atomic():
        milestone = Milestone(project=project, title=title.strip(), due=due, done_on=done_on,
                              note=note[:200])  # fmt: skip
        if photo is not None:
            milestone.photo.save(photo.name or "photo.jpg", photo, save=False)
        milestone.save()
        audit.record(actor, "community.milestone.add", milestone)
    return milestone


def complete_milestone(
    actor: Actor, milestone: Milestone, done_on: date, *, photo: Any = None
) -> Milestone:
    _manage(actor, milestone.project.committee_id)
    if done_on > _today():
        raise CommunityError(_("完成日期不能在将来。"), field="done_on")
    if photo is not None:
        _check_photo(photo)
    with transaction.atomic():
        milestone.done_on = done_on
        if photo is not None:
            milestone.photo.save(photo.name or "photo.jpg", photo, save=False)
        milestone.save(update_fields=["done_on", "photo"])
        audit.record(actor, "community.milestone.done", milestone)
    return milestone


def record_contribution(
    actor: Actor,
    project: PracticalProject,
    household: str,
    amount_fen: int,
    receipt: str,
    *,
    paid_on: date | None = None,
) -> Contribution:
    _manage(actor, project.committee_id)
    if amount_fen <= 0:
        raise CommunityError(_("金额须大于 0。"), field="amount_fen")
    paid_on = paid_on or _today()
    if paid_on > _today():
        raise CommunityError(_("缴纳日期不能在将来。"), field="paid_on")
    raised = sum(project.contributions.values_list("amount_fen", flat=True))
    if raised + amount_fen > project.resident_fen:
        raise CommunityError(_("居民筹资累计将超过预算中的居民筹资部分。"), field="amount_fen")
    try:
        with transaction.atomic():
            contribution = Contribution.objects.create(
                project=project, household=household.strip(), amount_fen=amount_fen,
                receipt=receipt.strip(), paid_on=paid_on,
            )  # fmt: skip
            audit.record(actor, "community.contribution.add", contribution)
    except IntegrityError:
        raise CommunityError(_("该户已登记或收据号重复。"), field="receipt") from None
    return contribution


def record_decision(
    actor: Actor,
    project: PracticalProject,
    on: date,
    motion: str,
    members: int,
    agree: int,
    against: int,
    abstain: int,
) -> LaneDecision:
    _manage(actor, project.committee_id)
    try:
        passed = rules.decision_passed(members, agree, against, abstain)
    except ValueError:
        raise CommunityError(_("票数之和不能超过应到人数。"), field="agree") from None
    with transaction.atomic():
        decision = LaneDecision.objects.create(
            project=project, on=on, motion=motion, members=members, agree=agree,
            against=against, abstain=abstain, passed=passed,
        )  # fmt: skip
        audit.record(actor, "community.decision.add", decision, details={"passed": passed})
    return decision


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
            raise CommunityError(duplicate[0], field=duplicate[1], code="duplicate") from None
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


def save_position(actor: Actor, position: Position | None, data: dict[str, Any]) -> Position:
    """Create or edit a position; committee staff only their own committee's positions."""
    policy.require(actor.user, "community.manage")
    if position is not None:
        policy.require_in_scope(actor.user, position.committee_id)
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
    return _save_audited(
        actor, position or Position(), clean, "position", {}, (_("已有同名阵地。"), "name")
    )


def save_position_staff(
    actor: Actor,
    position: Position,
    member: PositionStaff | None,
    *,
    name: str,
    duties: str,
    user_id: int | None = None,
) -> PositionStaff:
    """全岗通: one person at a position with several duties."""
    _manage(actor, position.committee_id)
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


def remove_position_staff(actor: Actor, member: PositionStaff) -> None:
    _manage(actor, member.position.committee_id)
    with transaction.atomic():
        audit.record(actor, "community.position_staff.remove", member,
                     details={"position": member.position_id})  # fmt: skip
        member.delete()


def save_space(
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
    _manage(actor, position.committee_id)
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


def save_menu_item(
    actor: Actor, position: Position, item: MenuItem | None, data: dict[str, Any]
) -> MenuItem:
    """One service on a position's menu: family, audience, capacity, duration, how to order."""
    _manage(actor, position.committee_id)
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


def save_series(actor: Actor, series: Series | None, data: dict[str, Any]) -> Series:
    """Define or change a recurring series (street level: the 党群 department or the admin)."""
    _manage(actor, None)
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
    return _save_audited(
        actor, series or Series(), clean, "series", {}, (_("已有同名系列。"), "title")
    )


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


def update_series_events(actor: Actor, series: Series) -> SeriesUpdate:
    """Bring the series' coming events in line with its definition.

    An event anybody has signed up for (even if they cancelled since) is left exactly as it
    is; staff change it by hand. An event whose day is no longer a series weekday is cancelled
    and its room freed. Every other event takes the new time, room, seats and partner; if the
    room is taken at the new time, that event stays as it was and its day is reported.
    """
    _manage(actor, None)
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


@dataclass(frozen=True)
class RevealedVolunteer:
    phone: str
    id_number: str


def reveal_volunteer(actor: Actor, volunteer: Volunteer, purpose: str) -> RevealedVolunteer:
    """A volunteer's full phone and identity number, as for residents: a role holding
    ``people.view_identity`` in scope, a stated purpose, and an audit record either way."""
    if not policy.can(actor.user, "people.view_identity") or not policy.in_scope(
        actor.user, volunteer.committee_id
    ):
        audit.record(actor, "community.volunteer.reveal", volunteer, outcome="denied")
        raise CommunityError(_("无权查看完整手机号和身份证号。"), code="denied")
    if not purpose.strip():
        raise CommunityError(_("请说明查看目的。"), field="purpose")
    audit.record(actor, "community.volunteer.reveal", volunteer, details={"purpose": purpose[:100]})
    return RevealedVolunteer(
        phone=crypto.decrypt(volunteer.phone_cipher, PHONE_PURPOSE),
        id_number=crypto.decrypt(volunteer.id_cipher, ID_PURPOSE) if volunteer.id_cipher else "",
    )


# --- the volunteer's own phone page -----------------------------------------------------------

VOLUNTEER_CODE_PURPOSE = "community.volunteer_code"
VOLUNTEER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
VOLUNTEER_LOCK_AFTER = 5  # wrong phone tails from one address before the code locks there
VOLUNTEER_LOCK_MINUTES = 30
SELF_SCAN_NOTE = "本人扫码，待队长确认"


class VolunteerAccessDenied(CommunityError):
    code = "volunteer_access"


def normalise_volunteer_code(code: str) -> str:
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}"


def issue_volunteer_code(actor: Actor, volunteer: Volunteer) -> str:
    """A new personal code for the volunteer's own page (the old one stops working).

    Shown once to the leader, who hands it over; only its keyed hash is kept.
    """
    _manage(actor, volunteer.committee_id)
    with transaction.atomic():
        for _attempt in range(5):
            raw = "".join(secrets.choice(VOLUNTEER_CODE_ALPHABET) for _ in range(8))
            code = normalise_volunteer_code(raw)
            digest = crypto.keyed_hash(code, VOLUNTEER_CODE_PURPOSE)
            if not Volunteer.objects.filter(code_hash=digest).exists():
                break
        volunteer.code_hash = digest
        volunteer.save(update_fields=["code_hash"])
        audit.record(actor, "community.volunteer.code", volunteer)
    return code


def volunteer_login(code: str, tail: str, *, address: str = "") -> Volunteer:
    """Personal code plus the last four digits of the phone opens the volunteer's own page.

    As for lift owners: an unknown code reveals nothing (callers throttle by address); a known
    code with a wrong tail counts against that code from that address and locks there after a
    few tries, so nobody who knows a code can lock its volunteer out. Each outcome is audited.
    """
    digest = crypto.keyed_hash(normalise_volunteer_code(code), VOLUNTEER_CODE_PURPOSE)
    actor = Actor(None, address[:100], "volunteer")
    problem = ""
    with transaction.atomic():
        volunteer = Volunteer.objects.filter(code_hash=digest).first()
        if volunteer is None:
            raise VolunteerAccessDenied(_("个人码或手机号后四位不正确。"))
        tries = f"community-volunteer-tail:{volunteer.pk}:{address}"
        given = (tail or "").strip()
        if ratelimit.exceeded(tries, VOLUNTEER_LOCK_AFTER):
            problem = "locked"
        elif not (given.isdigit() and secrets.compare_digest(given, volunteer.phone_masked[-4:])):
            problem = "wrong"
            ratelimit.hit(tries, VOLUNTEER_LOCK_MINUTES * 60)
        else:
            ratelimit.reset(tries)
        audit.record(
            actor, "community.volunteer.login", volunteer,
            object_repr=f"volunteer {volunteer.pk}", outcome="denied" if problem else "ok",
        )  # fmt: skip
    if problem == "locked":
        raise VolunteerAccessDenied(
            _("尝试次数过多，请 30 分钟后再试，或联系队长。"), code="locked"
        )
    if problem:
        raise VolunteerAccessDenied(_("个人码或手机号后四位不正确。"))
    return volunteer


def volunteer_actor(volunteer: Volunteer, terminal: str = "") -> Actor:
    """The audit identity of a volunteer acting on their own page (no account)."""
    return Actor(None, terminal[:100], f"volunteer:{volunteer.pk}")


def volunteer_scan(actor: Actor, volunteer: Volunteer, shift: Shift) -> HourRecord:
    """The volunteer scans the shift's QR posted at the place: check in, then check out.

    The minutes between are recorded with the source QR and wait for the leader's
    confirmation (the organiser records and certifies: 谁组织谁记录). The door is open from
    an hour before the start to an hour after the end.
    """
    if not TeamMember.objects.filter(team_id=shift.team_id, volunteer=volunteer).exists():
        raise CommunityError(_("您不在本班次的队伍中。"), code="not_member")
    now = timezone.now()
    if not (shift.starts_at - CHECKIN_EARLY <= now <= shift.ends_at + CHECKIN_LATE):
        raise CommunityError(_("不在本班次的签到时间内。"), code="not_now")
    with transaction.atomic():
        record = (
            HourRecord.objects.select_for_update().filter(shift=shift, volunteer=volunteer).first()
        )
        if record is None:
            record = HourRecord.objects.create(
                volunteer=volunteer, team_id=shift.team_id, shift=shift, on=_local(now).date(),
                content=shift.title, minutes=1, source=HourRecord.Source.QR,
                status=HourRecord.Status.PENDING, check_in=now, note=SELF_SCAN_NOTE,
            )  # fmt: skip
            audit.record(actor, "community.hours.self_check_in", record)
            return record
        if record.check_out is not None:
            raise CommunityError(_("本班次已签退。"), code="already")
        assert record.check_in is not None
        record.check_out = now
        record.minutes = max(1, min(24 * 60, int((now - record.check_in).total_seconds() // 60)))
        record.save(update_fields=["check_out", "minutes"])
        audit.record(
            actor, "community.hours.self_check_out", record, details={"minutes": record.minutes}
        )
    return record


def volunteer_report_hours(
    actor: Actor, volunteer: Volunteer, team: VolunteerTeam, on: date, minutes: int, content: str
) -> HourRecord:
    """Hours the volunteer reports on their own page: pending until the leader approves."""
    return _report(actor, volunteer, team, on, minutes, content, HourRecord.Source.SELF)


def volunteer_request_correction(
    actor: Actor, volunteer: Volunteer, record: HourRecord, minutes: int, reason: str
) -> Correction:
    """A volunteer asks for one of their own records to be corrected (民政部令第67号)."""
    if record.volunteer_id != volunteer.pk:
        raise CommunityError(_("只能申请更正本人的记录。"), code="denied")
    if not 0 < minutes <= 24 * 60:
        raise CommunityError(_("时长须在 1 分钟到 24 小时之间。"), field="minutes")
    if not reason.strip():
        raise CommunityError(_("请写明更正理由。"), field="reason")
    if record.corrections.filter(status=Correction.Status.OPEN).exists():
        raise CommunityError(_("这条记录已有待核实的更正申请。"), code="open")
    with transaction.atomic():
        corr = Correction.objects.create(
            record=record, minutes=minutes, reason=reason.strip()[:200], created=timezone.now()
        )
        audit.record(actor, "community.hours.correction", corr, details={"by": "volunteer"})
    return corr
