import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.money import AmountError, normalise, ore_to_input, parse_amount


@pytest.mark.parametrize(
    ("typed", "ore"),
    [
        ("7850", 785000),
        ("7 850", 785000),
        ("7850 kr", 785000),
        ("7.850,50", 785050),
        ("7 850:-", 785000),
        ("7\u00a0850,5", 785050),
        ("7\u202f850,00", 785000),
        ("7850,-", 785000),
        ("SEK 7850", 785000),
        ("7850 kronor", 785000),
        ("12.5", 1250),
        ("0", 0),
        ("234 567,89", 23456789),
    ],
)
def test_amounts_people_type(typed: str, ore: int) -> None:
    assert parse_amount(typed) == ore


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("kr", "empty"),
        ("abc", "format"),
        ("7,8,5", "format"),
        ("12,345", "format"),
        ("-5", "negative"),
        ("5\u2212", "negative"),
        ("99999999", "too_large"),
    ],
)
def test_bad_amounts_give_codes(typed: str, code: str) -> None:
    with pytest.raises(AmountError) as error:
        parse_amount(typed)
    assert error.value.code == code


def test_negative_balances_are_allowed_where_asked() -> None:
    assert parse_amount("\u2212250,50", allow_negative=True) == -25050
    assert parse_amount("250-", allow_negative=True) == -25000


def test_normalise_folds_spaces_and_minuses() -> None:
    assert normalise("\u2013 1\u00a0234\u202f5") == "-12345"


@given(st.integers(min_value=0, max_value=99_999_999))
def test_input_form_round_trips(ore: int) -> None:
    assert parse_amount(ore_to_input(ore)) == ore
