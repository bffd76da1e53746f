"""``linli demo --district``: every street of the district has finished rounds and surveys."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from linli.risk.models import Round, Score, SurveyResponse


def test_every_street_gets_a_finished_round_and_a_survey_of_this_year_and_the_last(
    db: Any,
) -> None:
    from linli.core.models import User
    from linli.geo import demo as geo_demo
    from linli.geo.models import Subdistrict
    from linli.risk import demo

    geo_demo.build(with_residents=False)
    geo_demo.build_district()
    counts = demo.build_district()
    this_year = timezone.localdate().year
    streets = Subdistrict.objects.filter(district__code="310104").order_by("code")
    assert streets.count() == 13
    assert counts["rounds"] == 2 * 13 - 1  # the demo street's own this-year round is build()'s
    for street in streets:
        rounds = Round.objects.filter(committees__subdistrict=street).distinct()
        years = {r.created_at.year: r for r in rounds}
        expected = {this_year - 1} if street.code == geo_demo.HOME_STREET else {
            this_year - 1, this_year,
        }  # fmt: skip
        assert set(years) == expected, street.name
        for rnd in years.values():
            assert rnd.status == Round.Status.FINISHED, rnd.name
            assert Score.objects.filter(round=rnd, sample=None, unit="").count() == (
                rnd.committees.count()
            )
            assert SurveyResponse.objects.filter(survey__round=rnd).count() >= 4 * 3
    # Each street's rounds are its own safety office's, which reaches that street only.
    office = User.objects.get(username="safety_310104003")
    assert office.subdistrict is not None and office.subdistrict.code == "310104003"
    assert office.check_password(geo_demo.DEMO_PASSWORD)


def test_the_demo_street_leads_the_districts_survey_as_in_the_article(db: Any) -> None:
    """湖南街道 ranked first in the district's resident safety survey two years running: the
    demo's year-before survey has it on top, ahead of every other street."""
    from linli.core.models import User
    from linli.geo import demo as geo_demo
    from linli.geo.models import Subdistrict
    from linli.risk import demo, survey

    geo_demo.build(with_residents=False)
    geo_demo.build_district()
    demo.build_district()
    streets = {s.pk: s.code for s in Subdistrict.objects.filter(district__code="310104")}
    scores = survey.street_scores(User.objects.get(username="xuhui_safety"), list(streets))
    last_year = timezone.localdate().year - 1
    ranked = sorted(streets, key=lambda pk: scores[pk][last_year] or 0, reverse=True)
    assert streets[ranked[0]] == geo_demo.HOME_STREET
    assert scores[ranked[0]][last_year] > scores[ranked[1]][last_year]
