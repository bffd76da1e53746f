"""Assessment rounds: create one, draw its samples (seeded, recorded), assign inspectors."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor
from linli.core.roles import Role
from linli.geo.models import Building, Committee, HousingType

from .. import paper, rules, sampling
from ..errors import (
    InspectionRejected,
    RoundRejected,
    SampleLocked,
)
from ..models import (
    Check,
    MethodVersion,
    Round,
    Sample,
)
from ..queries import method_of


def do_create_round(
    actor: Actor,
    *,
    name: str,
    method: MethodVersion,
    committees: Iterable[Committee],
    samples_per_committee: int = 3,
    seed: str = "",
    assessor: str = "",
) -> Round:
    policy.require(actor.user, "risk.manage")
    rules.load_method(method.data)
    chosen = list(committees)
    if not chosen:
        raise RoundRejected(_("请至少选择一个居委"), field="committees")
    for committee in chosen:
        policy.require_in_scope(actor.user, committee.pk)
    streets = {committee.subdistrict_id for committee in chosen}
    street = streets.pop() if len(streets) == 1 else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                rnd = Round.objects.create(
                    name=name,
                    subdistrict_id=street,
                    method=method,
                    samples_per_committee=samples_per_committee,
                    seed=seed or secrets.token_hex(16),
                    assessor=assessor,
                )
        except IntegrityError:
            taken = _("本街道已有同名轮次") if street else _("已有同名的跨街道轮次")
            raise RoundRejected(taken, field="name") from None
        rnd.committees.set(chosen)
        audit.record(
            actor,
            "risk.round.create",
            rnd,
            details={
                "method": method.version,
                "committees": [c.code for c in chosen],
                "samples_per_committee": samples_per_committee,
                "seed": rnd.seed,
            },
        )
    return rnd


def do_draw_round(actor: Actor, rnd: Round) -> list[Sample]:
    """Stratified draw (sampling.draw) per committee; seed and frame stored on each sample."""
    policy.require(actor.user, "risk.manage")
    if rnd.status != Round.Status.DRAFT:
        raise RoundRejected(_("本轮已抽样"))
    method = method_of(rnd.method)
    labels = dict(HousingType.choices)
    committees = list(rnd.committees.order_by("code"))
    buildings: dict[int, list[Building]] = {}
    for b in Building.objects.filter(committee__in=committees).only(
        "id", "committee_id", "housing_type"
    ):
        buildings.setdefault(b.committee_id, []).append(b)
    made: list[Sample] = []
    summary: dict[str, list[str]] = {}
    with transaction.atomic():
        for committee in committees:
            frame = [
                (str(b.pk), str(labels.get(b.housing_type, b.housing_type)))
                for b in buildings.get(committee.pk, [])
            ]
            if not frame:
                raise RoundRejected(_("%(c)s 没有楼栋，无法抽样") % {"c": committee.name})
            result = sampling.draw(
                frame,
                rnd.samples_per_committee,
                seed=sampling.committee_seed(rnd.seed, committee.code),
            )
            record = result.to_record()
            strata = {c.id: c.stratum for c in result.frame}
            for i, bid in enumerate(result.selected_ids, start=1):
                made.append(
                    Sample(
                        round=rnd,
                        committee=committee,
                        building_id=int(bid),
                        label=f"S{i}",
                        stratum=strata[bid],
                        draw_record=record,
                    )
                )
            summary[committee.code] = list(result.selected_ids)
        Sample.objects.bulk_create(made)
        Check.objects.bulk_create(
            [Check(sample=s, code=code) for s in made for code in method.subunit_codes]
        )
        rnd.status = Round.Status.DRAWN
        rnd.drawn_at = timezone.now()
        rnd.save(update_fields=["status", "drawn_at"])
        audit.record(
            actor,
            "risk.round.draw",
            rnd,
            details={
                "algorithm": sampling.ALGORITHM,
                "seed": rnd.seed,
                "selected": summary,
            },
        )
        paper.schedule_refresh(round=[rnd.pk])  # the papers' annex lists the samples
    return made


def do_assign_inspector(actor: Actor, sample: Sample, inspector: Any) -> Sample:
    policy.require(actor.user, "risk.manage")
    policy.require_in_scope(actor.user, sample.committee_id)
    if inspector is not None and inspector.role != Role.INSPECTOR:
        raise InspectionRejected(_("只能指派检查员"))
    if sample.locked:
        raise SampleLocked(_("样本已提交，不能改派"))
    with transaction.atomic():
        sample.inspector = inspector
        sample.save(update_fields=["inspector"])
        audit.record(
            actor,
            "risk.sample.assign",
            sample,
            details={"inspector": inspector.username if inspector else None},
        )
    return sample
