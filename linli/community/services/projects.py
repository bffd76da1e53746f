"""The wish box and the practical projects (实事项目) wishes can become: milestones, contributions,
decisions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, crypto
from linli.core.context import Actor
from linli.core.identity import mask_phone
from linli.geo.models import Subdistrict

from .. import rules
from ..errors import (
    CommunityError,
    Duplicate,
    WrongState,
)
from ..models import (
    Contribution,
    LaneDecision,
    MenuItem,
    Milestone,
    Position,
    PracticalProject,
    Wish,
)
from ._common import PHONE_PURPOSE, _manage, _public, _street_for, _today, clean_phone

# --- the wish box -----------------------------------------------------------------------------


def do_make_wish(
    actor: Actor, text: str, name: str = "", phone: str = "", street_id: int | None = None
) -> Wish:
    """A resident's wish, to the street whose page it was left on (``street_id``), else to the
    acting account's or the installation's only street."""
    if street_id is not None and not Subdistrict.objects.filter(pk=street_id).exists():
        street_id = None
    text = (text or "").strip()
    if not text or len(text) > 500:
        raise CommunityError(_("请写下心愿（500 字以内）。"), field="text")
    clean = clean_phone(phone) if phone else ""
    with transaction.atomic():
        wish = Wish.objects.create(
            text=text, name=name.strip()[:50],
            phone_cipher=crypto.encrypt(clean, PHONE_PURPOSE) if clean else "",
            phone_masked=mask_phone(clean) if clean else "", created=timezone.now(),
            subdistrict_id=street_id or _street_for(actor),
        )  # fmt: skip
        audit.record(_public(actor), "community.wish.create", wish)
    return wish


def do_adopt_wish(
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
    _manage(actor, wish.committee_id, wish.subdistrict_id)
    _manage(actor, position.committee_id, position.subdistrict_id)
    if wish.status != Wish.Status.NEW:
        raise WrongState(_("该心愿已处理。"))
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


def do_decline_wish(actor: Actor, wish: Wish, answer: str) -> Wish:
    _manage(actor, wish.committee_id, wish.subdistrict_id)
    if wish.status != Wish.Status.NEW:
        raise WrongState(_("该心愿已处理。"))
    with transaction.atomic():
        wish.status, wish.answer = Wish.Status.DECLINED, answer
        wish.save(update_fields=["status", "answer"])
        audit.record(actor, "community.wish.decline", wish)
    return wish


# --- practical projects ---------------------------------------------------------------------


def do_save_project(actor: Actor, project: PracticalProject) -> PracticalProject:
    if project.pk is not None:  # the stored project must be in reach, not only the new values
        stored = PracticalProject.objects.filter(pk=project.pk).values_list(
            "committee_id", "subdistrict_id"
        )
        for committee_id, street_id in stored:
            _manage(actor, committee_id, street_id)
    area_street = project.area.subdistrict_id if project.area is not None else None
    project.subdistrict_id = _street_for(actor, project.committee_id, area_street)
    _manage(actor, project.committee_id, project.subdistrict_id)
    parts = (project.resident_fen, project.subsidy_fen, project.other_fen)
    if not rules.budget_adds_up(project.budget_fen, parts):
        raise CommunityError(
            _("居民筹资、政府补贴与其他来源之和须等于预算总额（精确到分）。"), field="budget_fen"
        )
    created = project.pk is None
    with transaction.atomic():
        try:
            with transaction.atomic():
                project.save()
        except IntegrityError:
            raise Duplicate(_("本街道已有同名实事项目。"), field="title") from None
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


def do_add_milestone(
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


def do_complete_milestone(
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


def do_record_contribution(
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


def do_record_decision(
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
