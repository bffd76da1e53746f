"""Projects and their stages: the record, the working group, moving a stage, the cost plan."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.context import Actor

from .. import present, stages
from ..errors import ElevatorError, StageBlocked
from ..models import Project, StageChange
from .base import _manage, _today
from .votes import tally_vote


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


def do_publish_cost_plan(actor: Actor, project: Project, plan: dict[str, str]) -> Project:
    """Publish the cost calculator's settings as the plan the owners see their share under."""
    _manage(actor, project.committee_id)
    with transaction.atomic():
        project.cost_plan = plan
        project.cost_plan_published = timezone.now()
        project.save(update_fields=["cost_plan", "cost_plan_published"])
        audit.record(actor, "elevator.cost_plan.publish", project, details={"plan": plan})
    return project
