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
        ("11010549123100X", "characters"),  # 15 characters: old numbers have no check X
        ("1101054912310A2", "characters"),
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
    # Too short to keep anything: every character hidden.
    assert mask_id_number("110105491") == "*********"
    assert mask_id_number("") == ""
    assert mask_phone(" 139123 ") == "******"
    # A short number would show every digit between prefix and tail: hide at least half.
    assert mask_phone("1391234") == "*******"
    assert mask_phone("64381234") == "****1234"
    assert mask_phone("+8613912345678") == "+86*******5678"


def test_check_result_as_json_carries_no_number() -> None:
    good = check_id_number("11010519491231002X", TODAY).as_json()
    assert good == {"valid": True, "reason": None, "birth_date": "1949-12-31", "sex": "female"}
    bad = check_id_number("110105194912310021", TODAY).as_json()
    assert bad == {"valid": False, "reason": "checksum", "birth_date": None, "sex": None}


def test_age_and_band_turn_on_the_birthday() -> None:
    born = date(1966, 11, 25)
    assert age_on(born, date(2026, 11, 24)) == 59
    assert age_on(born, date(2026, 11, 25)) == 60
    assert age_band(born, date(2026, 11, 25)) == "60-69"


# --- Normalisation: one person, one spelling (issue 10) -------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from linli.core.identity import normalise_id_number  # noqa: E402

FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def test_full_width_digits_and_x_are_the_same_number() -> None:
    typed = "11010519491231002X".translate(FULL)
    result = check_id_number(typed, TODAY)
    assert result.valid and result.number == "11010519491231002X"
    assert check_id_number("11010519491231002ｘ", TODAY).number == "11010519491231002X"
    assert check_id_number("\u300011010519491231002X\u3000", TODAY).valid


@pytest.mark.parametrize(
    "typed",
    [
        # Arabic-Indic, Devanagari and mathematical bold digits: str.isdigit() says yes to all.
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
        "११०१०५१९४९१२३१००२X",
        "𝟏𝟏𝟎𝟏𝟎𝟓𝟏𝟗𝟒𝟗𝟏𝟐𝟑𝟏𝟎𝟎𝟐X",
        "11010519491231002Χ",  # Greek capital chi
        "11010519491231002ｘ\u200b",  # zero-width space
        "ﬀ0105194912310021",  # a ligature whose upper case is two letters
        "110105１９４９１２３１0２X".replace("1", "¹", 1),
        "11010519491231\u00a0002X",
    ],
)
def test_every_other_non_ascii_character_is_refused(typed: str) -> None:
    result = check_id_number(typed, TODAY)
    assert not result.valid and result.reason == "characters"


def test_fifteen_non_ascii_digits_are_refused_too() -> None:
    assert check_id_number("١" * 15, TODAY).reason == "characters"


def _valid_number(area: str, born: date, seq: int) -> str:
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


numbers = st.builds(
    _valid_number,
    st.sampled_from(["110105", "310104", "440524", "650102"]),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
)


@settings(suppress_health_check=[HealthCheck.too_slow], database=None, deadline=None)
@given(numbers)
def test_property_a_valid_number_round_trips(number: str) -> None:
    result = check_id_number(number, TODAY)
    assert result.valid and result.number == number
    assert result.birth_date is not None
    assert number[6:14] == f"{result.birth_date:%Y%m%d}"
    again = check_id_number(result.number, TODAY)
    assert again == result


@settings(suppress_health_check=[HealthCheck.too_slow], database=None, deadline=None)
@given(numbers, st.lists(st.booleans(), min_size=18, max_size=18))
def test_property_full_width_is_equivalent_to_ascii(number: str, widen: list[bool]) -> None:
    typed = "".join(ch.translate(FULL) if w else ch for ch, w in zip(number, widen, strict=True))
    assert check_id_number(typed, TODAY) == check_id_number(number, TODAY)


@settings(suppress_health_check=[HealthCheck.too_slow], database=None, deadline=None)
@given(st.text(max_size=25))
def test_property_normalisation_is_idempotent(text: str) -> None:
    once = normalise_id_number(text)
    assert normalise_id_number(once) == once


@settings(suppress_health_check=[HealthCheck.too_slow], database=None, deadline=None)
@given(st.text(max_size=25))
def test_property_only_ascii_numbers_are_ever_accepted(text: str) -> None:
    result = check_id_number(text, TODAY)
    if result.valid:
        assert result.number is not None and result.number.isascii()
        assert len(result.number) == 18
