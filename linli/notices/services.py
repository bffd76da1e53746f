"""Every notice goes through here: ``do_send_notice`` records it, ``do_deliver_notice``
delivers it.

``do_send_notice`` creates one row per recipient and channel inside the caller's transaction
and queues delivery after commit; the idempotency key (unique per key, channel and recipient)
means a retried job never creates or sends a notice twice. ``do_deliver_notice`` is what the
Celery task runs: it locks the row, honours quiet hours and opt-outs, marks the attempt before
calling the channel (so a second run does nothing), and records the outcome: accepted is final,
a transport error is retried with exponential back-off, a rejection fails at once, and a
request that got no answer is never repeated (the provider may have sent it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from linli.core import audit, crypto, policy
from linli.core.context import Actor
from linli.core.roles import Role

from . import catalogue, rules
from .catalogue import EMAIL, INBOX, SMS
from .channels import Message, Outcome, channel, sign_name
from .errors import NoticeError, RecipientInvalid
from .models import Notice, OptOut, State

logger = logging.getLogger("linli.notices")

PHONE_PURPOSE = "notice.phone"
EMAIL_PURPOSE = "notice.email"
USER_PURPOSE = "notice.user"


# --- settings -------------------------------------------------------------------------------


def max_attempts() -> int:
    return int(getattr(settings, "LINLI_NOTICES_MAX_ATTEMPTS", 5))


def retry_base_seconds() -> float:
    return float(getattr(settings, "LINLI_NOTICES_RETRY_BASE_SECONDS", 60))


def retry_cap_seconds() -> float:
    return float(getattr(settings, "LINLI_NOTICES_RETRY_CAP_SECONDS", 3600))


def quiet_hours() -> tuple[time, time]:
    start, end = getattr(settings, "LINLI_NOTICES_QUIET_HOURS", ("21:00", "08:00"))
    return time.fromisoformat(start), time.fromisoformat(end)


def street_zone() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "LINLI_NOTICES_TIME_ZONE", "") or settings.TIME_ZONE)


def allowed_from(now: datetime) -> datetime:
    """The earliest moment at or after ``now`` an SMS may reach a resident (aware, UTC)."""
    start, end = quiet_hours()
    local = now.astimezone(street_zone())
    return rules.next_allowed_time(local, start, end).astimezone(ZoneInfo("UTC"))


# --- send -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    channel: str
    recipient_hash: str
    user: Any = None
    address: str = ""
    masked: str = ""


def phone_hash(phone: str) -> str:
    return crypto.keyed_hash(phone, PHONE_PURPOSE)


def _opted_out(phone: str) -> bool:
    """Opt-outs are kept by hash only: look them up under every accepted cipher suite."""
    return OptOut.objects.filter(phone_hash__in=crypto.keyed_hashes(phone, PHONE_PURPOSE)).exists()


def _notice_opted_out(notice: Notice) -> bool:
    """The notice's recipient opted out since it was queued, under the suite of then or now."""
    if OptOut.objects.filter(phone_hash=notice.recipient_hash).exists():
        return True
    try:
        phone = crypto.decrypt(notice.address_cipher, PHONE_PURPOSE)
    except Exception:  # an unreadable address fails when the message is prepared, below
        return False
    return _opted_out(phone)


def _targets(
    kind: catalogue.Kind, user: Any, phone: str | None, email: str | None
) -> list[_Target]:
    if user is None and phone is None and email is None:
        raise RecipientInvalid("a notice needs a user, a phone or an e-mail address", field="user")
    targets: list[_Target] = []
    if user is not None:
        if INBOX not in kind.channels:
            raise RecipientInvalid(
                f"notice {kind.key} is for residents, not for staff accounts", field="user"
            )
        if user.is_active:
            targets.append(_Target(INBOX, crypto.keyed_hash(str(user.pk), USER_PURPOSE), user=user))
            address = rules.normalize_email(user.email or "")
            if address and getattr(settings, "LINLI_NOTICES_EMAIL_STAFF", True):
                targets.append(_email_target(address, user))
        else:
            logger.info("notice %s skipped: user %s is inactive", kind.key, user.pk)
    if phone is not None:
        if SMS not in kind.channels:
            raise RecipientInvalid(f"notice {kind.key} is not sent by SMS", field="phone")
        normalized = rules.normalize_phone(phone)
        if normalized is None:
            raise RecipientInvalid("phone is not an 11-digit mainland mobile number", field="phone")
        targets.append(
            _Target(
                SMS, phone_hash(normalized), address=normalized, masked=rules.mask_phone(normalized)
            )
        )
    if email is not None:
        if EMAIL not in kind.channels:
            raise RecipientInvalid(f"notice {kind.key} is not sent by e-mail", field="email")
        address = rules.normalize_email(email)
        if address is None:
            raise RecipientInvalid("email is not an e-mail address", field="email")
        targets.append(_email_target(address, None))
    return targets


def _email_target(address: str, user: Any) -> _Target:
    return _Target(
        EMAIL,
        crypto.keyed_hash(address.lower(), EMAIL_PURPOSE),
        user=user,
        address=address,
        masked=rules.mask_email(address),
    )


def do_send_notice(
    kind: str,
    params: Mapping[str, str],
    *,
    key: str,
    user: Any = None,
    phone: str | None = None,
    email: str | None = None,
) -> list[Notice]:
    """Record a notice for each channel of the recipient and queue its delivery after commit.

    ``user`` (a staff account) gets the inbox, plus e-mail when the account has an address;
    ``phone`` (a resident's) gets an SMS; ``email`` an e-mail. Calling again with the same
    ``key`` returns the notices already recorded for that recipient and channel and sends
    nothing. Raises ``UnknownKind``, ``ParamsInvalid`` or ``RecipientInvalid`` (nothing written).
    """
    found = catalogue.kind(kind)
    params = dict(params)
    found.check(params)
    key = (key or "").strip()
    if not key or len(key) > 200:
        raise NoticeError("key must be 1 to 200 characters", code="notice_key_invalid", field="key")
    targets = _targets(found, user, phone, email)
    text = found.render(params, "zh-hans")
    now = timezone.now()
    return [_record(found, params, key, text, target, now) for target in targets]


def _record(
    kind: catalogue.Kind,
    params: dict[str, str],
    key: str,
    text: str,
    target: _Target,
    now: datetime,
) -> Notice:
    lookup = {"key": key, "channel": target.channel, "recipient_hash": target.recipient_hash}
    existing = Notice.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    notice = Notice(
        kind=kind.key,
        channel=target.channel,
        user=target.user,
        recipient_hash=target.recipient_hash,
        key=key,
        params=params,
        text=text,
        created_at=now,
    )
    if target.address:
        purpose = PHONE_PURPOSE if target.channel == SMS else EMAIL_PURPOSE
        notice.address_cipher = crypto.encrypt(target.address, purpose)
        notice.address_masked = target.masked
    if target.channel == INBOX:
        # Nothing to send: recording it is delivering it.
        notice.state, notice.sent_at = State.SENT, now
    elif target.channel == SMS:
        notice.template = kind.sms_template
        notice.segments = rules.sms_segments(text, sign_name())
        if _opted_out(target.address):
            notice.state = State.SUPPRESSED
        else:
            notice.state = State.QUEUED
            notice.next_attempt_at = allowed_from(now)
            if notice.next_attempt_at > now:
                notice.not_before = notice.next_attempt_at
    else:
        notice.state, notice.next_attempt_at = State.QUEUED, now
    try:
        with transaction.atomic():
            notice.save(force_insert=True)
    except IntegrityError:
        # The same key was recorded concurrently: that one stands.
        return Notice.objects.get(**lookup)
    logger.info(
        "notice %s recorded: %s by %s to %s, %s",
        notice.pk, notice.kind, notice.channel, notice.recipient_label, notice.state,
    )  # fmt: skip
    if notice.state == State.QUEUED:
        notice_id, eta = notice.pk, notice.not_before
        transaction.on_commit(lambda: do_queue_notice(notice_id, eta))
    return notice


def do_send_login_code(*, phone: str, code: str, minutes: int, key: str) -> Notice:
    """A staff member's log-in code by SMS (``LINLI_TWO_FACTOR_SMS_SENDER``): sent at once,
    at any hour. The code is recorded like any notice's parameters; it is valid only for a few
    minutes and only after the account's password."""
    (notice,) = do_send_notice(
        "core.login_code", {"code": code, "minutes": str(minutes)}, key=key, phone=phone
    )
    return notice


def do_send_to_unit(
    kind: str,
    params: Mapping[str, str],
    *,
    key: str,
    committee: Any = None,
    partner: Any = None,
) -> list[Notice]:
    """Remind a responsible unit: every active account of the committee and/or partner body.

    ``committee`` is a committee (or its id): its committee staff; ``partner`` an organisation
    (or its id): its partner accounts. Each gets an inbox notice (and e-mail where set).
    """
    if committee is None and partner is None:
        raise RecipientInvalid("do_send_to_unit needs a committee or a partner", field="committee")
    unit = Q(pk__in=[])
    if committee is not None:
        unit |= Q(role=Role.COMMITTEE_STAFF, committee=committee)
    if partner is not None:
        unit |= Q(role=Role.PARTNER, organisation=partner)
    users = list(get_user_model().objects.filter(unit, is_active=True).order_by("pk"))
    if not users:
        logger.warning(
            "notice %s (%s) reached nobody: no active account in committee %s / partner %s",
            kind, key, getattr(committee, "pk", committee), getattr(partner, "pk", partner),
        )  # fmt: skip
        catalogue.kind(kind).check(dict(params))
        return []
    out: list[Notice] = []
    for user in users:
        out.extend(do_send_notice(kind, params, key=key, user=user))
    return out


def do_queue_notice(notice_id: int, eta: datetime | None = None) -> None:
    """Hand a notice to the workers; if the broker is down, ``flush_due`` picks it up later."""
    from . import tasks  # the task module calls back into this one

    try:
        if eta is not None and eta > timezone.now():
            tasks.deliver.apply_async((notice_id,), eta=eta)
        else:
            tasks.deliver.delay(notice_id)
    except Exception as exc:  # the row is the truth; a lost message is recovered by flush_due
        logger.warning(
            "notice %s not queued (%s); flush_due will deliver it", notice_id, type(exc).__name__
        )


# --- deliver --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What one ``do_deliver_notice`` call did: the state after it, and when to run again if at
    all."""

    notice_id: int
    state: str
    acted: bool
    retry_at: datetime | None = None


def _is_resident_sms(notice: Notice) -> bool:
    found = catalogue.KINDS.get(notice.kind)
    return notice.channel == SMS and (found is None or found.audience == "resident")


def _message(notice: Notice) -> Message:
    found = catalogue.KINDS.get(notice.kind)  # a kind dropped from the catalogue still goes out
    params = notice.params if isinstance(notice.params, dict) else {}
    names = found.placeholders if found else tuple(n for n in params if n != "url")
    address = ""
    if notice.address_cipher:
        purpose = PHONE_PURPOSE if notice.channel == SMS else EMAIL_PURPOSE
        address = crypto.decrypt(notice.address_cipher, purpose)
    return Message(
        notice_id=notice.pk,
        kind=notice.kind,
        address=address,
        title=found.render_title("zh-hans") if found else notice.kind,
        text=notice.text,
        template=notice.template,
        template_params={name: str(params.get(name, "")) for name in names},
        link=notice.url,
    )


def do_deliver_notice(notice_id: int, *, now: datetime | None = None) -> Delivery:
    """Deliver one queued notice whose time has come; safe to run any number of times."""
    now = now or timezone.now()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().filter(pk=notice_id).first()
        if notice is None:
            return Delivery(notice_id, "missing", False)
        if notice.state != State.QUEUED:
            return Delivery(notice_id, notice.state, False)
        if notice.next_attempt_at is not None and notice.next_attempt_at > now:
            return Delivery(notice_id, notice.state, False)
        if _is_resident_sms(notice):
            allowed = allowed_from(now)
            if allowed > now:
                notice.not_before = notice.next_attempt_at = allowed
                notice.save(update_fields=["not_before", "next_attempt_at"])
                logger.info(
                    "notice %s held for quiet hours until %s", notice.pk, allowed.isoformat()
                )
                return Delivery(notice_id, notice.state, True, allowed)
            if _notice_opted_out(notice):
                notice.state = State.SUPPRESSED
                notice.save(update_fields=["state"])
                logger.info("notice %s suppressed: the resident opted out of SMS", notice.pk)
                return Delivery(notice_id, notice.state, True)
        try:
            message = _message(notice)
        except Exception as exc:  # e.g. the address was encrypted with a key no longer configured
            notice.state, notice.next_attempt_at = State.FAILED, None
            notice.last_error = f"{type(exc).__name__} preparing the message"
            notice.save(update_fields=["state", "next_attempt_at", "last_error"])
            logger.error("notice %s failed: %s", notice.pk, notice.last_error)
            return Delivery(notice_id, notice.state, True)
        # Mark the attempt before sending: a second run now finds "sending" and does nothing.
        notice.state, notice.next_attempt_at = State.SENDING, now
        notice.attempts += 1
        notice.save(update_fields=["state", "next_attempt_at", "attempts"])
    try:
        outcome = channel(notice.channel).send(message)
    except Exception as exc:  # an unexpected failure inside a backend counts as transport
        outcome = Outcome.transport(f"{type(exc).__name__} in the {notice.channel} channel")
    return _record_outcome(notice_id, outcome, now)


def _record_outcome(notice_id: int, outcome: Outcome, attempted_at: datetime) -> Delivery:
    now = timezone.now()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice_id)
        retry_at = None
        if outcome.status == "accepted":
            notice.state, notice.sent_at = State.SENT, now
            notice.provider_id, notice.last_error = outcome.provider_id, ""
            notice.next_attempt_at = None
        elif outcome.status == "transport" and notice.attempts < max_attempts():
            delay = rules.backoff_delay(notice.attempts, retry_base_seconds(), retry_cap_seconds())
            retry_at = max(now, attempted_at) + delay
            notice.state, notice.next_attempt_at = State.QUEUED, retry_at
            notice.last_error = outcome.error
        elif outcome.status == "unknown":
            notice.state, notice.next_attempt_at = State.FAILED, None
            notice.last_error = f"outcome unknown, not sent again: {outcome.error}"[:300]
        else:
            notice.state, notice.next_attempt_at = State.FAILED, None
            notice.last_error = outcome.error
        notice.save(
            update_fields=["state", "sent_at", "provider_id", "last_error", "next_attempt_at"]
        )
    logger.log(
        logging.INFO if outcome.status == "accepted" else logging.WARNING,
        "notice %s %s by %s to %s after %s attempt(s)%s",
        notice.pk, notice.state, notice.channel, notice.recipient_label, notice.attempts,
        f": {outcome.error}" if outcome.error else "",
    )  # fmt: skip
    return Delivery(notice_id, notice.state, True, retry_at)


def due_notice_ids(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Queued notices whose time has come and whose own scheduled run seems lost.

    A grace period leaves the run queued at creation or retry its chance to come first.
    """
    now = now or timezone.now()
    grace = timedelta(seconds=float(getattr(settings, "LINLI_NOTICES_FLUSH_GRACE_SECONDS", 60)))
    return list(
        Notice.objects.filter(state=State.QUEUED, next_attempt_at__lte=now - grace)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def do_fail_stale_sending(*, now: datetime | None = None) -> int:
    """Attempts whose worker died mid-send: the outcome is unknown, so never send again.

    A provider may have accepted the SMS before the worker died; sending again is how residents
    get duplicates. The notice is marked failed with the reason, for staff to follow up.
    """
    now = now or timezone.now()
    timeout = timedelta(seconds=float(getattr(settings, "LINLI_NOTICES_SENDING_TIMEOUT", 900)))
    return Notice.objects.filter(state=State.SENDING, next_attempt_at__lt=now - timeout).update(
        state=State.FAILED,
        next_attempt_at=None,
        last_error="outcome unknown: the worker stopped during the send; not sent again",
    )


def do_purge_old_notices(*, now: datetime | None = None) -> int:
    """Delete finished notices older than ``LINLI_NOTICES_KEEP_DAYS`` (180): personal data is
    kept no longer than its purpose needs. Unread inbox notices and pending ones stay."""
    now = now or timezone.now()
    before = now - timedelta(days=int(getattr(settings, "LINLI_NOTICES_KEEP_DAYS", 180)))
    finished = Q(state__in=[State.FAILED, State.SUPPRESSED]) | Q(state=State.SENT) & (
        ~Q(channel=INBOX) | Q(read_at__isnull=False)
    )
    deleted, _ = Notice.objects.filter(finished, created_at__lt=before).delete()
    if deleted:
        logger.info("purged %s notices created before %s", deleted, before.date().isoformat())
    return deleted


# --- inbox ----------------------------------------------------------------------------------


def do_mark_read(user: Any, notice_id: int) -> Notice:
    """Mark one of the user's own inbox notices read; another's notice is not found."""
    notice = Notice.objects.get(pk=notice_id, user=user, channel=INBOX)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def do_mark_all_read(user: Any) -> int:
    return Notice.objects.filter(user=user, channel=INBOX, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- opt-outs -------------------------------------------------------------------------------


def is_opted_out(phone: str) -> bool:
    normalized = rules.normalize_phone(phone)
    return normalized is not None and _opted_out(normalized)


def do_record_opt_out(actor: Actor, phone: str, note: str = "") -> OptOut:
    """A resident asked for no SMS: record it by the phone's hash (audited, masked)."""
    policy.require(actor.user, "notices.optout")
    normalized = rules.normalize_phone(phone)
    if normalized is None:
        raise RecipientInvalid("phone is not an 11-digit mainland mobile number", field="phone")
    masked = rules.mask_phone(normalized)
    with transaction.atomic():
        opt_out, created = OptOut.objects.get_or_create(
            phone_hash=phone_hash(normalized),
            defaults={
                "phone_masked": masked,
                "note": note.strip()[:200],
                "recorded_by": actor.user,
                "recorded_at": timezone.now(),
            },
        )
        if created:
            audit.record(actor, "notices.optout.create", opt_out, details={"phone": masked})
    return opt_out


def do_withdraw_opt_out(actor: Actor, opt_out: OptOut) -> None:
    """The resident wants SMS again (audited). Committee staff withdraw their committee's."""
    policy.require(actor.user, "notices.optout")
    recorder = opt_out.recorded_by
    policy.require_in_scope(actor.user, recorder.committee_id if recorder else None)
    street = recorder.subdistrict_id if recorder and recorder.committee_id is None else None
    if street and not policy.streets_in_reach(actor.user).filter(pk=street).exists():
        raise PermissionDenied("out of scope")
    with transaction.atomic():
        audit.record(
            actor, "notices.optout.delete", opt_out, details={"phone": opt_out.phone_masked}
        )
        opt_out.delete()
