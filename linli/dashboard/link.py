"""Registry facts → risk findings, and the equipment work for the white paper.

The risk and fire apps never import each other; this top layer combines them. Permission comes
from risk (the sample must be assigned to the inspector and still a draft: ``risk.queries``
and ``risk.services`` check it); the facts are read from fire's queries with a street-wide
reader because an inspector has no ``fire.view`` — they see only the facts of the committee of
a sample they are inspecting. An accepted fact is written by ``risk.services.do_add_finding`` (the
one write path, audited); the decision itself is stored and audited here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.models import User
from linli.core.roles import Role
from linli.fire import queries as fire_queries
from linli.risk import queries as risk_queries
from linli.risk import services as risk_services
from linli.risk.models import Finding, Sample

from .models import FactDecision

EVIDENCE_SHOWN = 30


class LinkError(DomainError):
    pass


@dataclass(frozen=True)
class Fact:
    key: str
    subunit: str
    description: str
    likelihood: int
    defective: int
    checked: int
    evidence: tuple[str, ...]
    decision: FactDecision | None = None

    @property
    def evidence_shown(self) -> tuple[str, ...]:
        return self.evidence[:EVIDENCE_SHOWN]

    @property
    def evidence_more(self) -> int:
        return max(len(self.evidence) - EVIDENCE_SHOWN, 0)


def fact_key(subunit: str, evidence: tuple[str, ...]) -> str:
    digest = hashlib.sha1("\n".join(evidence).encode(), usedforsecurity=False).hexdigest()
    return f"{subunit}-{digest[:24]}"


def _registry_reader() -> User:
    """A street-wide reader of the fire registry (not a stored account), as risk's batch does."""
    return User(username="dashboard_link", role=Role.STREET_ADMIN, is_active=True)


def sample_for(user: Any, pk: int) -> tuple[Sample, bool]:
    """The sample and whether ``user`` may decide on its facts (its inspector, still a draft).

    Inspectors: only their own samples (risk's ``sample_for_inspection``, 403 otherwise). The
    safety office (``risk.manage``) may look at any sample in scope, read only.
    """
    if policy.can(user, "risk.inspect"):
        sample = risk_queries.sample_for_inspection(user, pk)
        return sample, not sample.locked
    if policy.can(user, "risk.manage"):
        found = risk_queries.samples(user).filter(pk=pk).first()
        if found is None:
            raise PermissionDenied("sample out of scope")
        return found, False
    raise PermissionDenied("risk.inspect")


def facts(sample: Sample, on: date | None = None) -> list[Fact]:
    """Fire's suggested findings for the sample's committee, with any decision taken."""
    on = on or timezone.localdate()
    raw = fire_queries.risk_facts(_registry_reader(), sample.committee_id, on)
    decisions = {d.key: d for d in FactDecision.objects.filter(sample=sample)}
    out = []
    for f in raw:
        key = fact_key(f.subunit, tuple(f.evidence))
        out.append(
            Fact(
                key,
                f.subunit,
                f.description,
                f.likelihood,
                f.defective,
                f.checked,
                tuple(f.evidence),
                decisions.get(key),
            )
        )
    return out


def _require_decider(actor: Actor, sample: Sample) -> None:
    """The permission of recording a finding: the assigned inspector, sample not locked."""
    policy.require(actor.user, "risk.inspect")
    if actor.user is None or sample.inspector_id != actor.user.pk:
        raise PermissionDenied("not your sample")
    if sample.locked:
        raise LinkError(_("样本已提交，已锁定"))


def _open_fact(sample: Sample, key: str) -> Fact:
    for f in facts(sample):
        if f.key == key:
            if f.decision is not None:
                raise LinkError(_("这条事实已处理过。"))
            return f
    raise LinkError(_("这条事实已不在登记册中（可能已整改），请刷新页面。"))


def accept(
    actor: Actor,
    sample: Sample,
    key: str,
    *,
    likelihood: int | None = None,
    severity_reason: str = "",
    description: str = "",
    location: str = "",
) -> Finding:
    """Turn a fact into a finding of ``sample`` through risk's own service (audited)."""
    _require_decider(actor, sample)
    fact = _open_fact(sample, key)
    with transaction.atomic():
        finding = risk_services.do_add_finding(
            actor,
            sample,
            fact.subunit,
            likelihood=likelihood or fact.likelihood,
            severity_reason=severity_reason,
            description=(description or fact.description)[:300],
            location=location[:100],
            rule_breached="",
        )
        _decide(actor, sample, fact, FactDecision.Decision.ACCEPTED, finding)
    return finding


def dismiss(actor: Actor, sample: Sample, key: str) -> FactDecision:
    """Record that the inspector does not take this fact over (audited)."""
    _require_decider(actor, sample)
    fact = _open_fact(sample, key)
    with transaction.atomic():
        return _decide(actor, sample, fact, FactDecision.Decision.DISMISSED, None)


def _decide(
    actor: Actor, sample: Sample, fact: Fact, decision: str, finding: Finding | None
) -> FactDecision:
    try:
        with transaction.atomic():
            row = FactDecision.objects.create(
                sample=sample,
                key=fact.key,
                subunit=fact.subunit,
                description=fact.description[:300],
                evidence=list(fact.evidence),
                decision=decision,
                finding=finding,
                decided_by=actor.user,
            )
    except IntegrityError:
        raise LinkError(_("这条事实已处理过。")) from None
    audit.record(
        actor,
        f"dashboard.fact.{'accept' if finding else 'dismiss'}",
        row,
        details={
            "sample": sample.pk,
            "subunit": fact.subunit,
            "finding": finding.pk if finding else None,
            "defective": fact.defective,
            "checked": fact.checked,
            "evidence": list(fact.evidence[:50]),
        },
    )
    return row


def checklist_facts(user: Any, sample: Sample) -> list[dict[str, Any]]:
    """The sample's facts as the checklist shows them (``risk.extensions.sample_facts``)."""
    from django.urls import NoReverseMatch, reverse

    try:
        page = reverse("dashboard:sample_facts", args=[sample.pk])
    except NoReverseMatch:  # the link pages are not mounted: nothing to decide them with
        return []
    return [
        {
            "key": f.key,
            "subunit": f.subunit,
            "description": f.description,
            "likelihood": f.likelihood,
            "decided": f.decision.get_decision_display() if f.decision is not None else "",
            "action": page,
            "edit": f"{page}#{f.key}",
        }
        for f in facts(sample)
    ]
