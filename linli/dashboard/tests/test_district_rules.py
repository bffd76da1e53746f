"""The district comparison's pure rules: ranks, averages, trend, and who sees which row."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from linli.core.roles import Level
from linli.dashboard import rules
from linli.dashboard.rules import HIGH, LOW, StreetFigures, Viewer

T1, T2, T3 = (datetime(2024 + i, 10, 1, tzinfo=UTC) for i in range(3))


def test_ranks_are_competition_ranks_best_first_and_skip_streets_without_a_value() -> None:
    values = {1: Decimal("3"), 2: Decimal("1"), 3: None, 4: Decimal("3"), 5: Decimal("7")}
    assert rules.ranks(values, LOW) == {2: 1, 1: 2, 4: 2, 5: 4}
    assert rules.ranks(values, HIGH) == {5: 1, 1: 2, 4: 2, 2: 4}
    assert rules.ranks({}, LOW) == {}


def test_an_unknown_direction_is_refused() -> None:
    with pytest.raises(ValueError, match="better"):
        rules.ranks({1: Decimal(1)}, "sideways")


def test_share_mean_and_quantize_round_half_up() -> None:
    assert rules.share(1, 3) == Decimal("33.3")
    assert rules.share(2, 3) == Decimal("66.7")
    assert rules.share(0, 0) is None
    assert rules.mean([Decimal("1.005"), None, Decimal("2")]) == Decimal("1.50")
    assert rules.mean([None, None]) is None
    assert rules.quantize(None) is None
    assert rules.quantize(Decimal("2.25")) == Decimal("2.3")
    assert rules.quantize(7, 0) == Decimal("7")


def test_risk_figures_take_each_committees_latest_score_and_the_trend_from_the_one_before() -> None:
    scores = [
        # street 1: committee 10 went 40 → 30 (B), committee 11 has one score 20 (C)
        (1, 10, T2, Decimal("30"), "B"),
        (1, 10, T1, Decimal("40"), "A"),
        (1, 11, T2, Decimal("20"), "C"),
        # street 2: one committee, three rounds, the latest is an A
        (2, 20, T1, Decimal("10"), "C"),
        (2, 20, T3, Decimal("50"), "A"),
        (2, 20, T2, Decimal("12"), "C"),
    ]
    out = rules.risk_figures(scores)
    assert out[1] == {
        "ab_share": Decimal("50.0"),
        "risk_mean": Decimal("25.00"),
        "risk_trend": Decimal("-10.00"),
    }
    assert out[2] == {
        "ab_share": Decimal("100.0"),
        "risk_mean": Decimal("50.00"),
        "risk_trend": Decimal("38.00"),
    }
    # A street whose committees were graded once has no trend.
    assert rules.risk_figures([(3, 30, T1, Decimal("5"), "D")])[3]["risk_trend"] is None
    assert rules.risk_figures([]) == {}


def test_lift_phases_group_the_twelve_stages_into_four() -> None:
    phases = rules.lift_phases({0: 2, 3: 1, 4: 1, 6: 1, 8: 3, 9: 1, 11: 4})
    assert [n for _label, n in phases] == [3, 2, 3, 5]
    assert [label for label, _n in phases] == ["征询", "审批", "施工", "投运"]
    assert rules.lift_phases({}) == tuple((label, 0) for label, _s in rules.LIFT_PHASES)


@pytest.mark.parametrize(
    ("level", "street", "expected"),
    [
        (Level.DISTRICT, None, Viewer(sees_all=True)),
        (Level.CITY, None, Viewer(sees_all=True)),
        (Level.DISTRICT, 5, Viewer(sees_all=True)),
        (Level.STREET, 5, Viewer(sees_all=False, own=5)),
        (Level.STREET, None, None),
        (Level.COMMITTEE, 5, None),
        (Level.OBJECT, None, None),
        (None, None, None),
        ("street", 7, Viewer(sees_all=False, own=7)),
    ],
)
def test_who_may_see_the_comparison_and_which_rows(
    level: Level | str | None, street: int | None, expected: Viewer | None
) -> None:
    assert rules.viewer_for(level, street) == expected


def test_visible_figures_follow_the_domains_a_role_reads() -> None:
    assert {f.domain for f in rules.visible_figures(["risk"])} == {"risk"}
    assert [f.key for f in rules.visible_figures(["hall", "community"])] == [
        "hall_wait", "hall_rating", "activities", "attendance",
    ]  # fmt: skip
    assert rules.visible_figures([]) == ()
    assert set(rules.BY_KEY) == {f.key for f in rules.FIGURES}


def _streets() -> list[StreetFigures]:
    return [
        StreetFigures(1, "乙街道", {"risk_mean": Decimal("30"), "survey": Decimal("80")},
                      lift_stages={0: 1, 10: 2}, survey_years={2025: Decimal("70"), 2026: Decimal("80")}),
        StreetFigures(2, "甲街道", {"risk_mean": Decimal("10"), "survey": None},
                      survey_years={2025: Decimal("75")}),
        StreetFigures(3, "丙街道", {"risk_mean": Decimal("20"), "survey": Decimal("90")},
                      survey_years={2026: Decimal("90")}),
    ]  # fmt: skip


FIGS = (rules.BY_KEY["risk_mean"], rules.BY_KEY["survey"])


def test_a_district_viewer_sees_every_street_with_ranks_averages_and_bars() -> None:
    c = rules.compare(_streets(), Viewer(sees_all=True), FIGS)
    assert [r.name for r in c.rows] == ["丙街道", "乙街道", "甲街道"]  # by name
    assert c.sees_all and c.streets == 3 and c.sort == ""
    by = {r.street: r for r in c.rows}
    assert by[2].cells["risk_mean"] == rules.Cell(Decimal("10"), 1, 33)
    assert by[1].cells["risk_mean"] == rules.Cell(Decimal("30"), 3, 100)
    assert by[2].cells["survey"] == rules.Cell(None, None, 0)
    assert by[3].cells["survey"].rank == 1 and by[1].cells["survey"].rank == 2
    assert c.average == {"risk_mean": Decimal("20.00"), "survey": Decimal("85.0")}
    assert c.average_bar == {"risk_mean": 67, "survey": 94}
    assert c.ranked == {"risk_mean": 3, "survey": 2}
    # The survey's rank per year, over the streets that had a survey that year.
    assert c.years == (2025, 2026)
    assert by[1].survey_ranks == ((2025, 2, 2), (2026, 2, 2))
    assert by[2].survey_ranks == ((2025, 1, 2), (2026, None, 2))
    assert by[1].phases[0] == ("征询", 1) and by[1].phases[3] == ("投运", 2)


def test_sorting_puts_the_best_first_and_streets_without_a_value_last() -> None:
    c = rules.compare(_streets(), Viewer(sees_all=True), FIGS, sort="risk_mean")
    assert [r.street for r in c.rows] == [2, 3, 1]
    c = rules.compare(_streets(), Viewer(sees_all=True), FIGS, sort="survey")
    assert [r.street for r in c.rows] == [3, 1, 2]
    assert c.sort == "survey"


def test_an_unknown_sort_names_the_field() -> None:
    with pytest.raises(ValueError, match="sort"):
        rules.compare(_streets(), Viewer(sees_all=True), FIGS, sort="hall_wait")


def test_a_street_viewer_sees_its_own_row_its_ranks_and_the_district_average_only() -> None:
    c = rules.compare(_streets(), Viewer(sees_all=False, own=1), FIGS, sort="survey")
    assert [r.street for r in c.rows] == [1]
    own = c.rows[0]
    assert own.cells["risk_mean"].rank == 3 and c.ranked["risk_mean"] == 3
    assert c.average["risk_mean"] == Decimal("20.00")  # over every street of the district
    assert not c.sees_all and c.streets == 3
    # The bars scale to what the viewer sees (its own value and the average), so no other
    # street's value can be read off their lengths.
    assert own.cells["risk_mean"].bar == 100 and c.average_bar["risk_mean"] == 67
    assert own.cells["survey"].bar == 94 and c.average_bar["survey"] == 100


def test_a_street_viewer_whose_street_has_no_figures_sees_no_row() -> None:
    c = rules.compare(_streets(), Viewer(sees_all=False, own=9), FIGS)
    assert c.rows == () and c.average["risk_mean"] == Decimal("20.00")


def test_an_empty_district_compares_nothing() -> None:
    c = rules.compare([], Viewer(sees_all=True))
    assert c.rows == () and c.streets == 0 and c.years == ()
    assert all(v is None for v in c.average.values())
    assert all(v == 0 for v in c.average_bar.values())
    assert c.figures == rules.FIGURES


def test_negative_values_draw_bars_by_their_size() -> None:
    trend = rules.BY_KEY["risk_trend"]
    streets = [
        StreetFigures(1, "甲", {"risk_trend": Decimal("-4")}),
        StreetFigures(2, "乙", {"risk_trend": Decimal("2")}),
    ]
    c = rules.compare(streets, Viewer(sees_all=True), (trend,))
    by = {r.street: r.cells["risk_trend"] for r in c.rows}
    assert (by[1].bar, by[1].rank) == (100, 1)  # the larger fall is the longer bar, and best
    assert (by[2].bar, by[2].rank) == (50, 2)
    assert c.average["risk_trend"] == Decimal("-1.00")
