import datetime as dt

import pytest

from intake import personnummer
from intake.personnummer import InvalidPersonnummer, luhn_ok, parse

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("19860412-2385", "198604122385"),
        ("198604122385", "198604122385"),
        (" 860412-2385 ", "198604122385"),
        ("8604122385", "198604122385"),
        ("121212+1212", "191212121212"),  # centenarian: '+' puts the year a century back
        ("121212-1212", "201212121212"),
        ("19701063-2391", "197010632391"),  # samordningsnummer: day + 60
    ],
)
def test_valid_numbers_are_normalised_to_twelve_digits(typed: str, normal: str) -> None:
    assert parse(typed, TODAY).value == normal


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "format"),
        ("abc", "format"),
        ("1986-04-12-2389", "format"),
        ("19861332-2384", "date"),
        ("19860230-2381", "date"),
        ("20300101-1234", "date"),  # in the future
        ("19860412-2389", "checksum"),
        ("19860412-2380", "checksum"),
    ],
)
def test_invalid_numbers_say_why(typed: str, code: str) -> None:
    with pytest.raises(InvalidPersonnummer) as error:
        parse(typed, TODAY)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("8604122385", True), ("8604122389", False), ("5560360793", True), ("0", True), ("x1", False)],
)
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok


def test_make_builds_a_number_that_parses_back() -> None:
    number = personnummer.make("19900506", "662")
    assert len(number) == 12
    parsed = parse(number, TODAY)
    assert parsed.birth_date == dt.date(1990, 5, 6)
    assert parsed.formatted() == number[:8] + "-" + number[8:]
    assert parsed.masked() == "19900506-****"
    assert parsed.age_on(TODAY) == 36


def test_samordningsnummer_birth_date() -> None:
    number = parse(personnummer.make("19701063", "239"), TODAY)
    assert number.is_samordningsnummer
    assert number.birth_date == dt.date(1970, 10, 3)
