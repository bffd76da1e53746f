"""Seats at activities: sign-up, cancellation, release of held seats, check-in (one engine,
``rules.Roster``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, crypto, policy
from linli.core.context import Actor
from linli.core.identity import mask_phone
from linli.notices import services as notices

from .. import queries, rules
from ..errors import (
    AlreadyDone,
    Cancelled,
    Closed,
    CommunityError,
    Duplicate,
    NameInvalid,
    NotAllowed,
    NotConfirmed,
    NotNow,
    UnknownRecord,
)
from ..models import (
    Event,
    Signup,
)
from ._common import (
    CHECKIN_EARLY,
    CHECKIN_LATE,
    PHONE_PURPOSE,
    _aware,
    _local,
    _manage,
    _public,
    _serve,
    clean_phone,
    person_key,
)

# --- seats -----------------------------------------------------------------------------------


def notify_promotion(signup_id: int) -> None:
    """Tell a promoted person by SMS that they have a seat (called after the promotion commits).

    Idempotent: the notice's key is the sign-up, so a retried call never sends twice.
    """
    signup = Signup.objects.select_related("event").get(pk=signup_id)
    if not signup.phone_cipher:
        return
    when = timezone.localtime(signup.event.starts_at)
    notices.do_send_notice(
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


def event_roster(event: Event) -> rules.Roster:
    """The engine's view of an event's seats now (its public page shows what is still free)."""
    live = Signup.objects.filter(event=event, state__in=queries.LIVE).order_by("rank")
    return _roster(event, list(live))


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


def do_sign_up(
    actor: Actor, event_id: int, name: str, phone: str, *, channel: str = rules.ONLINE
) -> SignupResult:
    """A resident signs up online, or staff sign one up at the counter (channel ``staff``)."""
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise NameInvalid(_("请填写姓名（50 字以内）。"), field="name")
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
            raise Cancelled(_("活动已取消。"))
        if now >= event.starts_at:
            raise Closed(_("活动已开始，报名已截止。"))
        roster = _roster(event, live)
        outcome = roster.apply(rules.Operation(_local(now), rules.SIGNUP, key, channel))
        if outcome.result == rules.REJECTED:
            raise Duplicate(_("这个手机号已经报名了本场活动。"), field="phone")
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


def do_cancel_signup(actor: Actor, token: str) -> Signup:
    """Cancel by the ticket's token (the resident's link) or by staff from the list."""
    actor = _public(actor)
    now = timezone.now()
    with transaction.atomic():
        found = Signup.objects.filter(token=token).only("event_id").first()
        if found is None:
            raise UnknownRecord(_("没有找到这条报名。"))
        event, live = _locked(found.event_id)
        signup = Signup.objects.get(pk=found.pk)
        if signup.state not in (Signup.State.CONFIRMED, Signup.State.WAITLISTED):
            raise UnknownRecord(_("这条报名已经取消。"))
        if now >= event.starts_at:
            raise Closed(_("活动已开始，不能取消。"))
        roster = _roster(event, live)
        outcome = roster.apply(rules.Operation(_local(now), rules.CANCEL, signup.person_key))
        if outcome.result not in (rules.CANCELLED, rules.LEFT_WAITLIST):
            raise UnknownRecord(_("这条报名已经取消。"))
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


def do_release_held_seats(actor: Actor, event_id: int, *, early: bool = False) -> list[int]:
    """Release an event's held seats: when ``release_at`` has come, or early by staff."""
    now = timezone.now()
    with transaction.atomic():
        event, live = _locked(event_id)
        if early:
            _manage(actor, event.committee_id, event.subdistrict_id)
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


def do_release_due_seats(actor: Actor) -> int:
    """Release every event whose release time has come (run every few minutes)."""
    now = timezone.now()
    ids = list(
        Event.objects.filter(
            released=False, release_at__lte=now, starts_at__gt=now, status=Event.Status.OPEN
        ).values_list("pk", flat=True)
    )
    return sum(len(do_release_held_seats(actor, pk)) for pk in ids)


def do_check_in(actor: Actor, token: str) -> Signup:
    """Staff scan the resident's ticket QR at the door."""
    now = timezone.now()
    with transaction.atomic():
        signup = Signup.objects.select_for_update().select_related("event").filter(token=token)
        found = signup.first()
        if found is None:
            raise UnknownRecord(_("无效的签到码。"))
        event = found.event
        _serve(actor, event.committee_id, event.subdistrict_id)
        if found.state != Signup.State.CONFIRMED:
            raise NotConfirmed(_("该报名不是正式名额，不能签到。"))
        if not (event.starts_at - CHECKIN_EARLY <= now <= event.ends_at + CHECKIN_LATE):
            raise NotNow(_("不在本场活动的签到时间内。"))
        if found.checked_in_at is not None:
            raise AlreadyDone(_("已经签到过了。"))
        found.checked_in_at = now
        found.save(update_fields=["checked_in_at"])
        audit.record(actor, "community.signup.check_in", found, details={"event": event.pk})
    return found


def do_reveal_phone(actor: Actor, signup: Signup, purpose: str) -> str:
    """The full phone of a sign-up, for a role that needs it to call; always audited."""
    if not policy.can(actor.user, "people.view_identity") or not policy.in_scope(
        actor.user, signup.event.committee_id
    ):
        audit.record(actor, "community.signup.reveal", signup, outcome="denied")
        raise NotAllowed(_("无权查看完整手机号。"))
    if not purpose.strip():
        raise CommunityError(_("请说明查看目的。"), field="purpose")
    audit.record(actor, "community.signup.reveal", signup, details={"purpose": purpose[:100]})
    return crypto.decrypt(signup.phone_cipher, PHONE_PURPOSE)
