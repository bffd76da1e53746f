"""Resident safety survey (居民安全感调查): questions, entry of paper answers, scores, trend.

The score of a committee is the mean answer scaled to 0–100 (1 → 0, 5 → 100), exact, then
rounded half-up to one decimal; higher is safer (the opposite of the risk value).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N

from linli.core import audit, policy
from linli.core.context import Actor
from linli.core.roles import Role
from linli.geo.models import Committee

from . import rules
from .errors import SurveyRejected
from .models import Round, Survey, SurveyResponse

# Stored on the survey in Chinese (the questionnaire as printed); marked for the catalogue so
# the pages show them in the reader's language (``{% trans q %}``).
QUESTIONS = [
    N("您觉得居住的小区/弄堂总体安全吗？"),
    N("您对楼道、通道的消防安全（无堆物、通道畅通）满意吗？"),
    N("您对家中和公共部位的用电、用气安全放心吗？"),
    N("您对小区治安状况（门禁、巡逻、监控）满意吗？"),
    N("您对居委会和物业开展安全工作的情况满意吗？"),
]
SCALE = [
    N("1 很不满意/很不安全"),
    N("2 不太满意"),
    N("3 一般"),
    N("4 比较满意"),
    N("5 很满意/很安全"),
]


def do_create_survey(actor: Actor, rnd: Round) -> Survey:
    policy.require(actor.user, "risk.manage")
    if Survey.objects.filter(round=rnd).exists():
        raise SurveyRejected(_("本轮已有问卷"))
    with transaction.atomic():
        survey = Survey.objects.create(
            round=rnd, title=f"{rnd.name}居民安全感调查", questions=QUESTIONS
        )
        audit.record(actor, "risk.survey.create", survey)
    return survey


def can_enter(user: Any, committee_id: int) -> bool:
    if policy.can(user, "risk.manage"):
        return True
    return policy.role_of(user) == Role.COMMITTEE_STAFF and policy.in_scope(user, committee_id)


def do_enter_survey_response(
    actor: Actor, survey: Survey, committee: Committee, answers: Sequence[int]
) -> SurveyResponse:
    """A paper questionnaire entered by staff (own committee, or the safety office)."""
    if not can_enter(actor.user, committee.pk):
        raise PermissionDenied("survey")
    return _store(actor, survey, committee, answers, SurveyResponse.Source.PAPER)


def do_enter_online_survey_response(
    actor: Actor, survey: Survey, committee: Committee, answers: Sequence[int]
) -> SurveyResponse:
    """A resident's own answers from the public link/QR (no login, no personal data).

    The caller has already resolved the unguessable token to (survey, committee); a round
    that is finished no longer takes answers.
    """
    if survey.round.status == Round.Status.FINISHED:
        raise SurveyRejected(_("本轮调查已结束，感谢关注"))
    return _store(actor, survey, committee, answers, SurveyResponse.Source.ONLINE)


def _store(
    actor: Actor,
    survey: Survey,
    committee: Committee,
    answers: Sequence[int],
    source: str,
) -> SurveyResponse:
    if not survey.round.committees.filter(pk=committee.pk).exists():
        raise SurveyRejected(_("该居委不在本轮范围内"))
    if len(answers) != len(survey.questions) or any(
        isinstance(a, bool) or not isinstance(a, int) or not 1 <= a <= 5 for a in answers
    ):
        raise SurveyRejected(_("每题须选择 1–5"))
    with transaction.atomic():
        response = SurveyResponse.objects.create(
            survey=survey,
            committee=committee,
            answers=list(answers),
            source=source,
            entered_by=actor.label if source == SurveyResponse.Source.PAPER else "",
        )
        audit.record(
            actor,
            "risk.survey.response",
            response,
            details={"committee": committee.code, "source": source},
        )
    return response


# Online link: a signed (HMAC with SECRET_KEY) pair (survey, committee) — cannot be guessed or
# forged, needs no extra table; it stops working when the survey is deleted.
_SALT = "linli.risk.survey.online"


def online_token(survey: Survey, committee: Committee) -> str:
    return signing.Signer(salt=_SALT).sign(f"{survey.pk}.{committee.pk}")


def from_token(token: str) -> tuple[Survey, Committee] | None:
    """The (survey, committee) a token stands for, or None when it is invalid."""
    try:
        value = signing.Signer(salt=_SALT).unsign(token)
        survey_id, committee_id = (int(x) for x in value.split("."))
    except (signing.BadSignature, ValueError):
        return None
    survey = Survey.objects.select_related("round").filter(pk=survey_id).first()
    if survey is None:
        return None
    committee = survey.round.committees.filter(pk=committee_id).first()
    if committee is None:
        return None
    return survey, committee


def score(answers: Sequence[Sequence[int]]) -> Decimal | None:
    """Mean answer on a 0–100 scale (exact), or None without answers (``rules.survey_score``)."""
    return rules.survey_score(sum(sum(row) for row in answers), sum(len(row) for row in answers))


def results(user: Any, survey: Survey) -> list[dict[str, Any]]:
    """Per committee (scoped): responses, score, and the scores of earlier rounds (trend)."""
    policy.require(user, "risk.view")
    committees = list(policy.scoped(survey.round.committees.order_by("code"), user, "pk"))
    earlier = list(
        Survey.objects.filter(round__created_at__lt=survey.round.created_at)
        .select_related("round")
        .order_by("round__created_at")
    )
    answers: dict[tuple[int, int], list[list[int]]] = {}
    for survey_id, committee_id, row in SurveyResponse.objects.filter(
        survey__in=[survey, *earlier], committee__in=committees
    ).values_list("survey_id", "committee_id", "answers"):
        answers.setdefault((survey_id, committee_id), []).append(row)
    out = []
    for c in committees:
        mine = answers.get((survey.pk, c.pk), [])
        out.append(
            {
                "committee": c,
                "responses": len(mine),
                "score": score(mine),
                "trend": [(s.round.name, score(answers.get((s.pk, c.pk), []))) for s in earlier],
            }
        )
    return out


def street_scores(user: Any, streets: list[int]) -> dict[int, dict[int, Decimal | None]]:
    """The survey score of each street per year (the year its round was created), over all
    its committees' answers; one query summing the answers' stored totals per street and
    round, read by committee from an index (aggregates for the district comparison: the
    caller, ``dashboard.district``, decides the streets)."""
    policy.require(user, "risk.view")
    rows = (
        SurveyResponse.objects.filter(committee__subdistrict_id__in=streets)
        .values_list("committee__subdistrict_id", "survey__round__created_at")
        .annotate(total=Sum("answer_total"), count=Sum("answer_count"))
        .order_by()
    )
    totals: dict[tuple[int, int], list[int]] = {}
    for street, created, total, count in rows:  # a few rows per street: one per round
        mine = totals.setdefault((street, timezone.localtime(created).year), [0, 0])
        mine[0] += total
        mine[1] += count
    out: dict[int, dict[int, Decimal | None]] = {}
    for (street, year), (total, count) in totals.items():
        out.setdefault(street, {})[year] = rules.survey_score(total, count)
    return out
