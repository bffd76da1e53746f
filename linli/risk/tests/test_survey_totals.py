"""The survey score from stored answer totals: the rule (``rules.survey_score``), the totals
kept on save and filled in by the migration, and the district comparison's street scores,
which sum the totals in SQL and must equal the scores of every answer read one by one."""

from __future__ import annotations

import datetime as dt
import importlib
import random
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.core.context import Actor
from linli.core.models import User
from linli.core.roles import Role
from linli.risk import rules, survey
from linli.risk.models import Round, Survey, SurveyResponse

HUNAN, TIANPING, HUAYANG = "310104004", "310104003", "310105001"


def test_survey_score_is_the_mean_answer_on_0_to_100_rounded_half_up() -> None:
    assert rules.survey_score(0, 0) is None
    assert rules.survey_score(5, 5) == Decimal("0.0")
    assert rules.survey_score(25, 5) == Decimal("100.0")
    assert rules.survey_score(7, 2) == Decimal("62.5")
    assert rules.survey_score(10, 3) == Decimal("58.3")  # 58.33…
    assert rules.survey_score(42, 40) == Decimal("1.3")  # 1.25 exactly: half up, not to even
    assert survey.score([[1, 1], [5, 5]]) == rules.survey_score(12, 4) == Decimal("50.0")
    # Totals add up: a street's score is the rule applied to its answers' sums and counts.
    assert survey.score([[3, 4, 5], [1, 2]]) == rules.survey_score(15, 5)


def _places() -> dict[str, Any]:
    from linli.geo import divisions
    from linli.geo.models import Committee, Subdistrict

    divisions.load(Actor.system("survey totals test"))
    streets = {code: Subdistrict.objects.get(code=code) for code in (HUNAN, TIANPING, HUAYANG)}
    committees = {
        (code, n): Committee.objects.create(
            subdistrict=street,
            code=f"T{code[-3:]}{n}",
            name=f"{street.name}{n}居委",
            map_x=10,
            map_y=10,
        )
        for code, street in streets.items()
        for n in range(3)
    }
    return {"streets": streets, "committees": committees}


def _survey(name: str, year: int, committees: list[Any], questions: int) -> Survey:
    from linli.risk import services

    rnd = Round.objects.create(name=name, method=services.default_version(), seed=name)
    rnd.committees.add(*committees)
    created = dt.datetime(year, 6, 1, 9, tzinfo=timezone.get_current_timezone())
    Round.objects.filter(pk=rnd.pk).update(created_at=created)
    return Survey.objects.create(round=rnd, title=name, questions=["q"] * questions)


def _scores_read_one_by_one(streets: list[int]) -> dict[int, dict[int, Decimal | None]]:
    """The street scores as they were computed before the totals: every answer's JSON read
    and scored in Python."""
    answers: dict[tuple[int, int], list[list[int]]] = {}
    for response in SurveyResponse.objects.filter(committee__subdistrict_id__in=streets):
        year = timezone.localtime(response.survey.round.created_at).year
        key = (response.committee.subdistrict_id, year)
        answers.setdefault(key, []).append(response.answers)
    out: dict[int, dict[int, Decimal | None]] = {}
    for (street, year), rows in answers.items():
        out.setdefault(street, {})[year] = survey.score(rows)
    return out


@pytest.fixture
def mixed(db: Any) -> dict[str, Any]:
    """Three streets over two districts and three years, surveys of five and of three
    questions, committees answering many, few or no times, answers drawn at random."""
    world = _places()
    rng = random.Random(20261203)
    committees = world["committees"]
    year = timezone.localdate().year
    for y in (year - 2, year - 1, year):
        for code in (HUNAN, TIANPING, HUAYANG):
            mine = [committees[(code, n)] for n in range(3)]
            questions = 3 if (y + int(code)) % 2 else 5
            sv = _survey(f"{code}-{y}", y, mine, questions)
            for n, committee in enumerate(mine):
                if code == TIANPING and y == year and n == 0:
                    continue  # a committee without answers this year
                for _ in range(rng.randint(1, 12) if n else rng.randint(20, 40)):
                    answers = [rng.randint(1, 5) for _q in range(questions)]
                    SurveyResponse.objects.create(survey=sv, committee=committee, answers=answers)
    # A round created just after midnight on 1 January in Shanghai (still 31 December in
    # UTC): its year is the local one, as before.
    late = _survey("湖南-新年", year + 1, [committees[(HUNAN, 0)]], 5)
    Round.objects.filter(pk=late.round_id).update(
        created_at=dt.datetime(year + 1, 1, 1, 0, 30, tzinfo=timezone.get_current_timezone())
    )
    SurveyResponse.objects.create(survey=late, committee=committees[(HUNAN, 0)], answers=[5] * 5)
    world["user"] = User.objects.create(
        username="survey_safety",
        role=Role.DISTRICT_SAFETY,
        district=world["streets"][HUNAN].district,
    )
    return world


def test_street_scores_equal_the_answers_read_one_by_one(mixed: dict[str, Any]) -> None:
    ids = [s.pk for s in mixed["streets"].values()]
    expected = _scores_read_one_by_one(ids)
    with CaptureQueriesContext(connection) as ctx:
        got = survey.street_scores(mixed["user"], ids)
    assert got == expected
    assert len(ctx.captured_queries) == 1
    year = timezone.localdate().year
    hunan = mixed["streets"][HUNAN].pk
    assert set(got[hunan]) == {year - 2, year - 1, year, year + 1}
    assert got[hunan][year + 1] == Decimal("100.0")
    # A subset of the streets: the same scores for those, nothing for the others.
    assert survey.street_scores(mixed["user"], [hunan]) == {hunan: expected[hunan]}


def test_totals_follow_the_answers_on_save(db: Any) -> None:
    world = _places()
    committee = world["committees"][(HUNAN, 0)]
    sv = _survey("保存", 2026, [committee], 5)
    response = SurveyResponse.objects.create(
        survey=sv, committee=committee, answers=[1, 2, 3, 4, 5]
    )
    response.refresh_from_db()
    assert (response.answer_total, response.answer_count) == (15, 5)
    response.answers = [5, 5, 5]
    response.save(update_fields=["answers"])
    response.refresh_from_db()
    assert (response.answer_total, response.answer_count) == (15, 3)


def test_the_migration_fills_in_the_totals_of_earlier_answers(
    mixed: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    migration = importlib.import_module("linli.risk.migrations.0007_surveyresponse_answer_totals")
    ids = [s.pk for s in mixed["streets"].values()]
    expected = survey.street_scores(mixed["user"], ids)
    SurveyResponse.objects.update(answer_total=0, answer_count=0)  # as before the migration
    assert survey.street_scores(mixed["user"], ids) != expected

    def execute(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    monkeypatch.setattr(migration, "BATCH", 7)  # several batches and a last, partial one
    migration.fill_totals(apps, SimpleNamespace(connection=connection, execute=execute))
    assert survey.street_scores(mixed["user"], ids) == expected
    for response in SurveyResponse.objects.all():
        assert response.answer_total == sum(response.answers)
        assert response.answer_count == len(response.answers)
