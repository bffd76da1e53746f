from datetime import date

import pytest

from linli.core.identity import (
    age_band,
    age_on,
    check_character,
    check_id_number,
    mask_id_number,
    mask_name_public,
    mask_phone,
    upgrade_15,
)

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), "female"),
        ("440524188001010014", date(1880, 1, 1), "male"),
    ],
)
def test_known_good_numbers(number: str, born: date, sex: str) -> None:
    result = check_id_number(number, TODAY)
    assert result.valid and result.reason is None
    assert result.birth_date == born
    assert result.sex == sex
    assert result.number == number


def test_lower_case_x_is_accepted_and_stored_upper_case() -> None:
    result = check_id_number(" 11010519491231002x ", TODAY)
    assert result.valid
    assert result.number == "11010519491231002X"


def test_every_wrong_check_character_is_rejected() -> None:
    good = "11010519491231002X"
    for char in "0123456789":
        assert check_id_number(good[:17] + char, TODAY).reason == "checksum"


def test_check_character_follows_the_standard_weights() -> None:
    assert check_character("44052418800101001") == "4"
    assert check_character("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("", "empty"),
        ("1101051949123100", "length"),
        ("11010519491231002XX", "length"),
        ("1101051949123100A2", "characters"),
        ("X10105194912310021", "characters"),
        ("00010519491231002X", "address"),
        ("810000199001010019", "residence_permit"),
        ("910000199001010019", "foreigner_card"),
    ],
)
def test_structural_errors_have_their_reason(number: str, reason: str) -> None:
    result = check_id_number(number, TODAY)
    assert not result.valid
    assert result.reason == reason
    assert result.birth_date is None and result.sex is None


def _with_date(ymd: str) -> str:
    first17 = f"310104{ymd}123"
    return first17 + check_character(first17)


def test_impossible_dates_are_rejected() -> None:
    assert check_id_number(_with_date("20230229"), TODAY).reason == "birth_date"
    assert check_id_number(_with_date("19991301"), TODAY).reason == "birth_date"
    assert check_id_number(_with_date("20240229"), TODAY).valid  # a real leap day


def test_future_birth_date_is_rejected_but_today_is_fine() -> None:
    assert check_id_number(_with_date("20261126"), TODAY).reason == "future_birth_date"
    assert check_id_number(_with_date("20261125"), TODAY).valid


def test_old_15_digit_numbers_are_upgraded() -> None:
    old = "110105491231002"
    assert upgrade_15(old) == "11010519491231002X"
    result = check_id_number(old, TODAY)
    assert result.valid and result.number == "11010519491231002X"
    assert result.birth_date == date(1949, 12, 31)
    assert check_id_number("110105491331002", TODAY).reason == "birth_date"


def test_sex_comes_from_the_17th_digit() -> None:
    odd = "31010419800101121"
    even = "31010419800101122"
    assert check_id_number(odd + check_character(odd), TODAY).sex == "male"
    assert check_id_number(even + check_character(even), TODAY).sex == "female"


def test_masks() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_name_public("王芳") == "王*"
    assert mask_name_public("欧阳娜娜") == "欧阳**"
    assert mask_name_public("") == ""


def test_age_and_band_turn_on_the_birthday() -> None:
    born = date(1966, 11, 25)
    assert age_on(born, date(2026, 11, 24)) == 59
    assert age_on(born, date(2026, 11, 25)) == 60
    assert age_band(born, date(2026, 11, 25)) == "60-69"
