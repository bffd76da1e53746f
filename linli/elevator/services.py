"""Every change of lift-retrofit data goes through here: permission, transaction, audit.

Tallies are computed, never stored: ``tally_vote`` turns the current ballots into
``rules.Unit`` rows and asks ``rules.tally``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, crypto, policy, ratelimit, workcalendar
from linli.core.context import Actor
from linli.core.workdays import WorkCalendar
from linli.geo.labels import join_place
from linli.geo.models import Household, Resident
from linli.geo.services import PHONE_PURPOSE as RESIDENT_PHONE_PURPOSE
from linli.notices import rules as notice_rules
from linli.notices import services as notices

from . import present, rules, stages
from .errors import (
    DocumentNotFound,
    ElevatorError,
    NoBallot,
    OwnerAccessDenied,
    OwnerLocked,
    RollInUse,
    StageBlocked,
    VoteClosed,
)
from .models import (
    Ballot,
    Channel,
    Choice,
    Consultation,
    Document,
    MaintenanceRecord,
    MediationSession,
    Objection,
    OwnedUnit,
    Owner,
    Project,
    RoundTable,
    Scope,
    StageChange,
    Vote,
)

CODE_PURPOSE = "elevator.owner_code"
TAIL_PURPOSE = "elevator.owner_id_tail"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed by elders
CODE_LENGTH = 12  # 31**12 ≈ 7.9e17 codes (59 bits): not guessable, not enumerable
OWNER_LOCK_AFTER = 5  # wrong ID tails from one address before the code locks there
OWNER_LOCK_MINUTES = 30
HIGH_RISE_FLOORS = 10  # 高层住宅: ten storeys or more
UPLOAD_TYPES = {
    ".pdf": b"%PDF",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _manage(actor: Actor, committee_id: int) -> None:
    policy.require(actor.user, "elevator.manage")
    policy.require_in_scope(actor.user, committee_id)


def _today() -> date:
    return timezone.localdate()


# --- projects and stages -------------------------------------------------------------------


def do_save_project(actor: Actor, project: Project, changed: Sequence[str] = ()) -> Project:
    project.committee_id = project.building.committee_id
    _manage(actor, project.committee_id)
    if project.entrance is not None and project.entrance.building_id != project.building_id:
        raise ElevatorError(_("门牌不属于该楼栋。"), field="entrance")
    with transaction.atomic():
        created = project.pk is None
        project.save()
        audit.record(
            actor,
            "elevator.project.create" if created else "elevator.project.update",
            project,
            details={"fields": sorted(changed)},
        )
    return project


def do_add_member(actor: Actor, project: Project, name: str, role: str, party: bool) -> None:
    _manage(actor, project.committee_id)
    with transaction.atomic():
        member = project.members.create(name=name, role=role, party_branch=party)
        audit.record(actor, "elevator.member.add", member, details={"project": project.pk})


def consultation_passed(project: Project) -> bool:
    """Every vote the project holds passes (building scope, and estate scope if any)."""
    votes = list(project.votes.all())
    return bool(votes) and all(tally_vote(v).passed for v in votes)


def do_move_stage(actor: Actor, project: Project, target: int, note: str = "") -> Project:
    _manage(actor, project.committee_id)
    kinds = set(project.documents.values_list("kind", flat=True))
    current = stages.Stage(project.stage)
    problems = stages.transition_problems(
        current,
        stages.Stage(target),
        kinds,
        consultation_passed=current != stages.Stage.CONSULTATION or consultation_passed(project),
        works_cost_fen=project.works_cost_fen,
    )
    if problems:
        raise StageBlocked(_("；").join(present.problem_text(x) for x in problems))
    with transaction.atomic():
        StageChange.objects.create(
            project=project,
            from_stage=project.stage,
            to_stage=target,
            on=_today(),
            note=note,
            by=actor.user,
        )
        old, project.stage = project.stage, target
        project.save(update_fields=["stage"])
        audit.record(actor, "elevator.project.stage", project, details={"from": old, "to": target})
    return project


def check_upload(upload: UploadedFile[Any]) -> None:
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in UPLOAD_TYPES:
        raise ElevatorError(_("只接受 PDF、PNG、JPG 文件。"), field="file")
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise ElevatorError(_("文件不能超过 10 MB。"), field="file")
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(UPLOAD_TYPES[suffix]):
        raise ElevatorError(_("文件内容与扩展名不符。"), field="file")


def do_add_document(
    actor: Actor,
    project: Project,
    kind: str,
    upload: UploadedFile[Any] | None,
    title: str = "",
    stage: int | None = None,
) -> Document:
    _manage(actor, project.committee_id)
    if upload is not None:
        check_upload(upload)
    with transaction.atomic():
        doc = Document(
            project=project,
            stage=project.stage if stage is None else stage,
            kind=kind,
            title=title,
            by=actor.user,
            size=upload.size or 0 if upload else 0,
        )
        if upload is not None:
            doc.file.save(upload.name or "upload", upload, save=False)
        doc.save()
        audit.record(
            actor, "elevator.document.add", doc, details={"project": project.pk, "kind": kind}
        )
    return doc


def do_publish_cost_plan(actor: Actor, project: Project, plan: dict[str, str]) -> Project:
    """Publish the cost calculator's settings as the plan the owners see their share under."""
    _manage(actor, project.committee_id)
    with transaction.atomic():
        project.cost_plan = plan
        project.cost_plan_published = timezone.now()
        project.save(update_fields=["cost_plan", "cost_plan_published"])
        audit.record(actor, "elevator.cost_plan.publish", project, details={"plan": plan})
    return project


def do_open_owner_document(actor: Actor, owner: Owner, doc_id: int) -> Document:
    """One document for the owner to open; only their project's, and every opening is audited
    (an agreement or a cost table names owners)."""
    doc = (
        Document.objects.filter(
            pk=doc_id, project_id=owner.project_id, kind__in=rules.OWNER_DOCUMENTS
        )
        .exclude(file="")
        .first()
    )
    if doc is None:
        raise DocumentNotFound(_("没有这份材料。"))
    audit.record(
        actor,
        "elevator.document.owner_open",
        doc,
        details={"owner": owner.pk, "project": owner.project_id, "kind": doc.kind},
    )
    return doc


# --- owner rolls -----------------------------------------------------------------------------


def _high_rise(floors: int) -> bool:
    return floors >= HIGH_RISE_FLOORS


def do_build_roll(actor: Actor, project: Project) -> int:
    """(Re)build the project's owner roll from the geo households; returns the unit count.

    Building scope: the project's building (or its stairwell). Estate scope, when the lift
    uses shared ground: every household of the estate. The owner of a household is its
    registered head; heads with the same identity hash are one owner. Refused once ballots exist.
    """
    _manage(actor, project.committee_id)
    if Ballot.objects.filter(vote__project=project).exists():
        raise RollInUse(_("已有表决票，不能重建业主名册。"))
    households = Household.objects.select_related("entrance__building")
    if project.uses_shared_ground:
        households = households.filter(entrance__building__estate_id=project.building.estate_id)
    elif project.entrance_id:
        households = households.filter(entrance_id=project.entrance_id)
    else:
        households = households.filter(entrance__building_id=project.building_id)
    households = households.order_by("entrance__building__name", "entrance__number", "room")
    heads: dict[int, Resident] = {}
    for resident in Resident.objects.filter(household__in=households).order_by("id"):
        known = heads.get(resident.household_id)
        if known is None or (
            resident.relation == Resident.Relation.HEAD and known.relation != Resident.Relation.HEAD
        ):
            heads[resident.household_id] = resident
    with transaction.atomic():
        project.owners.all().delete()
        by_hash: dict[str, Owner] = {}
        count = 0
        for hh in households:
            building = hh.entrance.building
            in_building = (
                hh.entrance_id == project.entrance_id
                if project.entrance_id
                else building.pk == project.building_id
            )
            head = heads.get(hh.pk)
            if head is not None and head.id_hash and head.id_hash in by_hash:
                owner = by_hash[head.id_hash]
            else:
                owner = Owner.objects.create(
                    project=project,
                    name=head.name if head else f"{hh.entrance} {hh.room} 业主（未登记）",
                    id_hash=(head.id_hash or "") if head else "",
                    id_masked=head.id_masked if head else "",
                    phone_masked=head.phone_masked if head else "",
                    phone_cipher=head.phone_cipher if head else "",
                )
                if head is not None and head.id_masked:
                    _set_tail(owner, head.id_masked[-4:])
                if head is not None and head.id_hash:
                    by_hash[head.id_hash] = owner
            OwnedUnit.objects.create(
                project=project,
                owner=owner,
                household=hh,
                area=hh.exclusive_area,
                floor=hh.floor,
                building_label=join_place(building.name, hh.entrance.number),
                high_rise=_high_rise(building.floors),
                in_building=in_building,
            )
            count += 1
        audit.record(actor, "elevator.roll.build", project, details={"units": count})
    return count


def _set_tail(owner: Owner, tail: str) -> None:
    owner.id_tail_hash = crypto.keyed_hash(f"{owner.pk}:{tail.upper()}", TAIL_PURPOSE)
    owner.save(update_fields=["id_tail_hash"])


def do_merge_owners(actor: Actor, project: Project, owner_ids: Iterable[int]) -> Owner:
    """Several units of one owner count once with the summed area: move them to one owner."""
    _manage(actor, project.committee_id)
    owners = list(project.owners.filter(pk__in=list(owner_ids)).order_by("pk"))
    if len(owners) < 2:
        raise ElevatorError(_("请选择至少两位业主合并。"))
    if Ballot.objects.filter(owner__in=owners).exists():
        raise RollInUse(_("已投票的业主不能合并。"))
    keep, rest = owners[0], owners[1:]
    with transaction.atomic():
        OwnedUnit.objects.filter(owner__in=rest).update(owner=keep)
        Owner.objects.filter(pk__in=[o.pk for o in rest]).delete()
        audit.record(actor, "elevator.roll.merge", keep, details={"merged": [o.pk for o in rest]})
    return keep


def do_mark_developer_units(actor: Actor, project: Project, unit_ids: Iterable[int]) -> Owner:
    """All undelivered developer units are one owner: move the units to that owner."""
    _manage(actor, project.committee_id)
    units = list(project.units.filter(pk__in=list(unit_ids)))
    if not units:
        raise ElevatorError(_("请选择开发商未售房屋。"))
    with transaction.atomic():
        dev, _created = Owner.objects.get_or_create(
            project=project, developer=True, defaults={"name": "开发商（未售房屋）"}
        )
        old = {u.owner_id for u in units} - {dev.pk}
        OwnedUnit.objects.filter(pk__in=[u.pk for u in units]).update(owner=dev)
        Owner.objects.filter(pk__in=old, units__isnull=True).delete()
        audit.record(
            actor, "elevator.roll.developer", dev, details={"units": [u.pk for u in units]}
        )
    return dev


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def do_issue_codes(actor: Actor, project: Project) -> list[tuple[Owner, str]]:
    """New personal codes for every owner (old codes stop working). Shown once, for printing."""
    _manage(actor, project.committee_id)
    issued: list[tuple[Owner, str]] = []
    with transaction.atomic():
        for owner in project.owners.order_by("pk"):
            code = new_code()
            owner.code_hash = crypto.keyed_hash(code, CODE_PURPOSE)
            owner.save(update_fields=["code_hash"])
            issued.append((owner, code))
        audit.record(actor, "elevator.codes.issue", project, details={"owners": len(issued)})
    return issued


def do_set_owner_id_tail(actor: Actor, owner: Owner, tail: str) -> None:
    """Record the ID check for an owner not found in the residents register."""
    _manage(actor, owner.project.committee_id)
    tail = tail.strip().upper()
    if len(tail) != 4 or not tail.isalnum():
        raise ElevatorError(_("请输入身份证号后四位。"), field="tail")
    with transaction.atomic():
        _set_tail(owner, tail)
        audit.record(actor, "elevator.owner.id_tail", owner)


def do_log_in_owner(code: str, tail: str, *, terminal: str = "", address: str = "") -> Owner:
    """The owner's own access: personal code plus the last four ID characters.

    Wrong codes reveal nothing (callers throttle by address); a right code with a wrong
    tail counts against that code *from that address*, which locks after a few tries. The
    lock is per address, not for the owner: someone who knows an owner's code cannot lock
    the owner out of their own vote. Each outcome is audited.
    """
    # Codes are kept by hash only: accepted under every cipher suite an installation accepts.
    code_hashes = crypto.keyed_hashes(normalise_code(code), CODE_PURPOSE)
    actor = Actor(None, terminal[:100], "owner")
    problem = ""
    with transaction.atomic():
        owner = Owner.objects.select_related("project").filter(code_hash__in=code_hashes).first()
        if owner is None:
            raise OwnerAccessDenied(_("个人码或身份证号后四位不正确。"))
        tails = crypto.keyed_hashes(f"{owner.pk}:{tail.strip().upper()}", TAIL_PURPOSE)
        tries = f"elevator-owner-tail:{owner.pk}:{address}"
        if ratelimit.exceeded(tries, OWNER_LOCK_AFTER):
            problem = "locked"
        elif not owner.id_tail_hash or not any(
            secrets.compare_digest(expected, owner.id_tail_hash) for expected in tails
        ):
            problem = "wrong"
            ratelimit.hit(tries, OWNER_LOCK_MINUTES * 60)
        else:
            ratelimit.reset(tries)
        audit.record(
            actor,
            "elevator.owner.login",
            owner,
            object_repr=f"owner {owner.pk}",
            outcome="denied" if problem else "ok",
        )
    if problem == "locked":
        raise OwnerLocked(_("尝试次数过多，请 30 分钟后再试，或联系居委。"))
    if problem:
        raise OwnerAccessDenied(_("个人码或身份证号后四位不正确。"))
    return owner


# --- votes and ballots -------------------------------------------------------------------------


def do_open_vote(
    actor: Actor,
    project: Project,
    scope: str,
    rule: str,
    opens: date,
    closes: date | None = None,
) -> Vote:
    """Open a consent vote; ``closes`` is its deadline (截止). With a deadline, owners on the roll
    who have a phone are told by SMS once the vote has started (today, or by the schedule on
    the start day), and the committee is reminded before the deadline."""
    _manage(actor, project.committee_id)
    if closes is not None and closes < opens:
        raise ElevatorError(_("截止日期不能早于开始日期。"), field="closes")
    try:
        ruleset = rules.ruleset(rule)
    except rules.TallyError as exc:
        raise ElevatorError(exc.message, field="rule") from exc
    if ruleset.scope != scope:
        raise ElevatorError(_("表决规则的范围与表决范围不一致。"), field="rule")
    if str(scope) == Scope.ESTATE.value and not project.uses_shared_ground:
        raise ElevatorError(_("项目未占用小区共有部分，无需小区范围表决。"), field="scope")
    with transaction.atomic():
        vote = Vote.objects.create(
            project=project,
            scope=scope,
            rule=rule,
            title=_("加装电梯 · %(scope)s表决") % {"scope": Scope(scope).label},
            opens=opens,
            closes=closes,
        )
        audit.record(actor, "elevator.vote.open", vote, details={"rule": rule, "scope": scope})
        if stages.vote_notice_due(vote.opens, vote.closes, _today()):
            do_notify_owners(vote)
    return vote


def do_notify_owners(vote: Vote) -> int:
    """The vote notice (SMS) to each owner in the vote's scope whose roll entry has a valid
    mobile number; once per vote and owner. Returns how many owners were addressed."""
    if vote.closes is None:
        return 0
    owners = {u.owner_id: u.owner for u in vote_state_units(vote) if u.owner.phone_cipher}
    params = {"project": vote.project.name, "deadline": f"{vote.closes.month}月{vote.closes.day}日"}
    sent = 0
    for owner_id, owner in sorted(owners.items()):
        phone = notice_rules.normalize_phone(
            crypto.decrypt(owner.phone_cipher, RESIDENT_PHONE_PURPOSE)
        )
        if phone is None:
            continue  # the register holds something that is not a mobile number
        notices.send(
            "elevator.vote_notice", params,
            key=f"elevator.vote_notice:{vote.pk}:{owner_id}", phone=phone,
        )  # fmt: skip
        sent += 1
    return sent


def do_close_vote(actor: Actor, vote: Vote) -> Vote:
    _manage(actor, vote.project.committee_id)
    with transaction.atomic():
        vote.open = False
        vote.closes = _today()
        vote.save(update_fields=["open", "closes"])
        result = tally_vote(vote)
        audit.record(actor, "elevator.vote.close", vote, details={"passed": result.passed})
    return vote


def _in_roll(vote: Vote, owner: Owner) -> bool:
    units = owner.units.all()
    if vote.scope == Scope.BUILDING:
        units = units.filter(in_building=True)
    return owner.project_id == vote.project_id and units.exists()


def _cast(
    actor: Actor,
    vote: Vote,
    owner: Owner,
    choice: str,
    channel: str,
    proxy_note: str,
    entered_by: Any,
) -> Ballot:
    if not vote.open:
        raise VoteClosed(_("表决已截止。"))
    if choice not in Choice.values:
        raise ElevatorError(_("未知的意见。"), field="choice")
    if channel not in Channel.values:
        raise ElevatorError(_("未知的投票方式。"), field="channel")
    if channel == Channel.PROXY and not proxy_note.strip():
        raise ElevatorError(
            _("委托代理须写明授权委托书（委托人、受托人、日期）。"), field="proxy_note"
        )
    if not _in_roll(vote, owner):
        raise ElevatorError(_("该业主不在本次表决的名册中。"), field="owner")
    with transaction.atomic():
        # One owner's ballots are cast one at a time: the owner's row is the lock. Without it
        # two concurrent ballots both found no current ballot (or the same one) and the second
        # failed on the one-current-ballot constraint, its vote lost (issue 10).
        Owner.objects.select_for_update().filter(pk=owner.pk).first()
        old = (
            Ballot.objects.select_for_update().filter(vote=vote, owner=owner, current=True).first()
        )
        if old is not None:
            old.current = False
            old.save(update_fields=["current"])
        ballot = Ballot.objects.create(
            vote=vote,
            owner=owner,
            choice=choice,
            channel=channel,
            proxy_note=proxy_note.strip(),
            entered_by=entered_by,
            cast=timezone.now(),
            confirmed=timezone.now() if channel == Channel.ONLINE else None,
            replaces=old,
        )
        audit.record(
            actor,
            "elevator.ballot.change" if old else "elevator.ballot.cast",
            ballot,
            object_repr=f"{vote} · {owner.pk}",
            details={
                "vote": vote.pk,
                "owner": owner.pk,
                "choice": choice,
                "channel": channel,
                "replaces": old.pk if old else None,
                "previous_choice": old.choice if old else None,
            },
        )
    return ballot


def do_enter_ballot(
    actor: Actor, vote: Vote, owner: Owner, choice: str, channel: str, proxy_note: str = ""
) -> Ballot:
    """Staff enter a ballot cast on paper, at the door, with assistance, or by proxy."""
    _manage(actor, vote.project.committee_id)
    if channel == Channel.ONLINE:
        raise ElevatorError(_("在线投票只能由业主本人完成。"), field="channel")
    return _cast(actor, vote, owner, choice, channel, proxy_note, actor.user)


def do_cast_owner_ballot(actor: Actor, vote: Vote, owner: Owner, choice: str) -> Ballot:
    """The owner votes online, or overrides a ballot someone cast for them."""
    if actor.user is not None:
        raise PermissionDenied("owners act without an account")
    return _cast(actor, vote, owner, choice, Channel.ONLINE, "", None)


def do_confirm_owner_ballot(actor: Actor, vote: Vote, owner: Owner) -> Ballot:
    """The owner confirms the ballot entered for them; the confirmation is audited."""
    if not vote.open:
        raise VoteClosed(_("表决已截止。"))
    with transaction.atomic():
        ballot = (
            Ballot.objects.select_for_update().filter(vote=vote, owner=owner, current=True).first()
        )
        if ballot is None:
            raise NoBallot(_("还没有为您录入的表决票。"))
        if ballot.confirmed is None:
            ballot.confirmed = timezone.now()
            ballot.save(update_fields=["confirmed"])
            audit.record(
                actor,
                "elevator.ballot.confirm",
                ballot,
                object_repr=f"{vote} · {owner.pk}",
                details={"vote": vote.pk, "owner": owner.pk, "choice": ballot.choice},
            )
    return ballot


def _group_label(unit: OwnedUnit, scope: str) -> dict[str, str]:
    groups = {"floor": f"{unit.floor}层", "building": unit.building_label.split(" ")[0]}
    if scope == Scope.ESTATE:
        groups["type"] = "高层" if unit.high_rise else "多层"
    return groups


@dataclass(frozen=True)
class VoteState:
    vote: Vote
    result: rules.TallyResult
    ballots: dict[int, Ballot]  # owner id -> current ballot
    units: list[OwnedUnit]


def vote_state_units(vote: Vote) -> list[OwnedUnit]:
    units = OwnedUnit.objects.filter(project_id=vote.project_id).select_related("owner")
    if vote.scope == Scope.BUILDING:
        units = units.filter(in_building=True)
    return list(units.order_by("pk"))


def _units(vote: Vote, units: list[OwnedUnit], ballots: dict[int, Ballot]) -> list[rules.Unit]:
    rows = []
    for unit in units:
        ballot = ballots.get(unit.owner_id)
        rows.append(
            rules.Unit(
                unit=str(unit.pk),
                owner=str(unit.owner_id),
                area=int(unit.area * 100),
                vote=rules.Vote(ballot.choice) if ballot else rules.Vote.NONE,
                groups=_group_label(unit, vote.scope),
                developer=unit.owner.developer,
            )
        )
    return rows


def vote_state(vote: Vote) -> VoteState:
    """Always from the records: the roll's units and the current ballots, tallied."""
    units = vote_state_units(vote)
    ballots = {b.owner_id: b for b in Ballot.objects.filter(vote=vote, current=True)}
    result = rules.tally(rules.ruleset(vote.rule), _units(vote, units, ballots))
    return VoteState(vote, result, ballots, units)


def tally_vote(vote: Vote) -> rules.TallyResult:
    return vote_state(vote).result


# --- mediation and meetings ------------------------------------------------------------


def do_add_objection(
    actor: Actor,
    project: Project,
    *,
    objector: Owner | None,
    objector_label: str,
    reason: str,
    raised: date,
    mediators: Sequence[Owner] = (),
) -> Objection:
    _manage(actor, project.committee_id)
    if len(mediators) > 3:
        raise ElevatorError(_("老娘舅调解小组由三位业主组成。"), field="mediators")
    if objector is None and not objector_label.strip():
        raise ElevatorError(_("请选择或填写提出人。"), field="objector")
    with transaction.atomic():
        obj = Objection.objects.create(
            project=project,
            objector=objector,
            objector_label=objector_label.strip(),
            reason=reason,
            raised=raised,
        )
        obj.mediators.set(mediators)
        audit.record(actor, "elevator.objection.add", obj, details={"project": project.pk})
    return obj


def do_add_mediation_session(
    actor: Actor, objection: Objection, on: date, notes: str
) -> MediationSession:
    _manage(actor, objection.project.committee_id)
    with transaction.atomic():
        session = objection.sessions.create(on=on, notes=notes)
        audit.record(
            actor, "elevator.mediation.session", session, details={"objection": objection.pk}
        )
    return session


def do_settle_objection(actor: Actor, objection: Objection, status: str, agreement: str) -> None:
    _manage(actor, objection.project.committee_id)
    if status not in Objection.Status.values:
        raise ElevatorError(_("未知的状态。"), field="status")
    with transaction.atomic():
        objection.status = status
        objection.agreement = agreement
        objection.save(update_fields=["status", "agreement"])
        audit.record(actor, "elevator.objection.settle", objection, details={"status": status})


def do_add_round_table(
    actor: Actor, project: Project, on: date, agenda: str, attendance: str, minutes: str
) -> RoundTable:
    _manage(actor, project.committee_id)
    with transaction.atomic():
        table = project.round_tables.create(
            on=on, agenda=agenda, attendance=attendance, minutes=minutes
        )
        audit.record(actor, "elevator.round_table.add", table, details={"project": project.pk})
    return table


# --- upkeep --------------------------------------------------------------------------------


def do_add_maintenance(actor: Actor, project: Project, on: date, by: str, notes: str) -> None:
    _manage(actor, project.committee_id)
    with transaction.atomic():
        rec = MaintenanceRecord.objects.create(project=project, on=on, by=by, notes=notes)
        audit.record(actor, "elevator.maintenance.add", rec, details={"project": project.pk})


def do_save_consultation(actor: Actor, entry: Consultation, changed: Sequence[str] = ()) -> None:
    """A question to the guidance centre (phone, visit, online) and its follow-up."""
    policy.require(actor.user, "elevator.manage")
    scope = policy.committee_scope(actor.user)
    if scope is not None:
        if entry.committee_id not in (None, scope):
            raise PermissionDenied("out of scope")
        entry.committee_id = scope
    if entry.project is not None and entry.committee_id is None:
        entry.committee_id = entry.project.committee_id
    policy.require_in_scope(actor.user, entry.committee_id)
    if entry.project is not None:
        policy.require_in_scope(actor.user, entry.project.committee_id)
    with transaction.atomic():
        created = entry.pk is None
        if created:
            entry.by = actor.user
        entry.save()
        audit.record(
            actor,
            "elevator.consultation.create" if created else "elevator.consultation.update",
            entry,
            object_repr=f"consultation {entry.pk}",
            details={"fields": sorted(changed)},
        )


# --- reminders (celery beat) -------------------------------------------------------------------


def do_send_stage_reminders(today: date | None = None) -> dict[str, int]:
    """Daily: each project's committee is reminded of clocks due soon or overdue (planning
    notice, registration, maintenance, inspection), of an open vote's deadline 3 days ahead
    with the number of owners yet to vote; owners get the notice of a vote that opens today.
    Each is keyed by project or vote and date, so a re-run sends nothing twice."""
    from . import queries

    today = today or _today()
    counts = {"clocks": 0, "vote_deadlines": 0, "vote_notices": 0}
    calendar = workcalendar.work_calendar()
    with transaction.atomic():
        for project in queries.projects_for_reminders():
            last: date | None = getattr(project, "last_maintenance", None)
            dates = project_dates(project, last)
            for clock in stages.clock_reminders(stages.clocks(dates, today, calendar=calendar)):
                params = {
                    "project": project.name, "stage": clock.label, "due": clock.due.isoformat(),
                    "url": f"/elevator/projects/{project.pk}/",
                }  # fmt: skip
                notices.send_to_unit(
                    "elevator.stage_clock", params,
                    key=f"elevator.stage_clock:{project.pk}:{clock.name}:{clock.due.isoformat()}",
                    committee=project.committee_id,
                )  # fmt: skip
                counts["clocks"] += 1
        for vote in queries.open_votes():
            if stages.vote_notice_due(vote.opens, vote.closes, today):
                counts["vote_notices"] += do_notify_owners(vote)
            if vote.closes is None or not stages.vote_deadline_due(vote.closes, today):
                continue
            state = vote_state(vote)
            owners = {u.owner_id for u in state.units}
            params = {
                "project": vote.project.name, "deadline": vote.closes.isoformat(),
                "missing": str(len(owners - set(state.ballots))),
                "url": f"/elevator/votes/{vote.pk}/",
            }  # fmt: skip
            notices.send_to_unit(
                "elevator.vote_deadline", params,
                key=f"elevator.vote_deadline:{vote.pk}:{vote.closes.isoformat()}",
                committee=vote.project.committee_id,
            )  # fmt: skip
            counts["vote_deadlines"] += 1
    return counts


def work_calendar() -> WorkCalendar:
    """The street's working-day calendar (core: State Council notices and street overrides)."""
    return workcalendar.work_calendar()


def project_clocks(
    project: Project, today: date, calendar: WorkCalendar | None = None
) -> list[stages.Clock]:
    """The project's clocks, statutory periods rolled off days off by the street calendar
    (``calendar``: the street's, read once by a caller that lists many projects)."""
    dates = project_dates(project, getattr(project, "last_maintenance", None))
    return stages.clocks(dates, today, calendar=calendar or workcalendar.work_calendar())


def project_dates(project: Project, last_maintenance: date | None) -> stages.ProjectDates:
    return stages.ProjectDates(
        planning_notice_start=project.planning_notice_start,
        entered_service=project.entered_service,
        use_registered=project.use_registered,
        last_maintenance=last_maintenance,
        last_inspection=project.last_inspection,
        inspection_due=project.inspection_due,
        inspection_requested=project.inspection_requested,
    )


def area_text(value: Decimal) -> str:
    return f"{value:.2f}"


# The names before the do_<verb>_<noun> convention, for the browser tests outside this app.
build_roll = do_build_roll
enter_ballot = do_enter_ballot
issue_codes = do_issue_codes
open_vote = do_open_vote
save_project = do_save_project
