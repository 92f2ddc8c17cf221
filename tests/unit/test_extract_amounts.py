"""Swedish amounts: every format in DOMAIN.md, and what is not an amount."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.extract.amounts import (
    find_amounts,
    format_amount,
    format_swedish,
    normalise,
    parse_amount,
)


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("12 345,67", 1234567),
        ("12\u00a0345,67", 1234567),  # no-break space
        ("12\u202f345,67", 1234567),  # narrow no-break space
        ("12\u2009345,67", 1234567),  # thin space
        ("12.345,67", 1234567),  # dot grouping
        ("12345,67", 1234567),
        ("1 234 567,89", 123456789),
        ("7 850,00 kr", 785000),
        ("7 850,00 kr.", 785000),
        ("7850 kr", 785000),
        ("kr 7 850,00", 785000),
        ("7 850,00 SEK", 785000),
        ("SEK 7 850,00", 785000),
        ("7 845:-", 784500),
        ("7845:-", 784500),
        ("7 845:\u2013", 784500),  # ":–" with an en dash
        ("kr 7 845:-", 784500),
        ("-1 234,56", -123456),
        ("\u22121 234,56", -123456),  # U+2212 minus sign
        ("\u20131 234,56", -123456),  # en dash
        ("1 234,56-", -123456),  # trailing minus
        ("1 234,56 kr-", -123456),
        ("- 1 234,56", -123456),
        ("+500,00", 50000),
        ("0,00", 0),
        ("12,5", 1250),
        ("12345.67", 1234567),  # a decimal point, two decimals
        ("1.234", 123400),  # a dot before three digits groups
        ("  7 850,00  ", 785000),
    ],
)
def test_parse_amount_reads_every_format(text: str, ore: int) -> None:
    assert parse_amount(text) == ore


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-",
        "kr",
        "abc",
        "1.234.56",
        "12 34,00",
        "--12,00",
        "1 2345,00",
        "12,345",
        "7 850,00 kr kr",
    ],
)
def test_parse_amount_refuses_what_is_not_one_amount(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("line", "amounts"),
    [
        ("Att betala 7 850,00 kr", [785000]),
        ("Bruttolön\t32 500,00\t292 500,00", [3250000, 29250000]),
        ("Förfallodag 2026-10-30 Summa 1 234,00", [123400]),  # the date is no amount
        ("Period 2026-10-01 - 2026-10-31", []),
        ("Bankgiro 123-4567", []),
        ("Org.nr 556123-4567", []),
        ("Moms 25 % 169,00", [16900]),  # 25 % is a rate
        ("Förbrukning 312 kWh", []),
        ("Rörligt pris 1,23 öre/kWh", []),
        ("Saldo -1 234,50 kl 12:30", [-123450]),
        ("Skatt \u22128 900,00\t\u221280 100,00", [-890000, -8010000]),
        ("Utbetalas 9 525:-", [952500]),
        ("Netto 12 740 kr", [1274000]),
        ("Belopp 1 234,56-", [-123456]),
        ("saldo vid periodens slut 1624 38 kr", [162438]),  # OCR lost the comma
    ],
)
def test_find_amounts_in_a_line(line: str, amounts: list[int]) -> None:
    assert [a.ore for a in find_amounts(normalise(line))] == amounts


def test_bare_numbers_are_weak_and_money_is_strong() -> None:
    found = {a.ore: a.strong for a in find_amounts("Antal 12\t7 850,00\t2026\t850 kr\t1 000")}
    assert found == {1200: False, 785000: True, 202600: False, 85000: True, 100000: True}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12\u00a0345", "12 345"),
        ("12\u202f345", "12 345"),
        ("\u2212100", "-100"),
        ("\u2013100", "-100"),
        ("\u2014100", "-100"),
        ("1\u200b000", "1000"),  # zero-width space disappears
        ("ﬁ", "fi"),  # NFKC
        ("a\tb", "a\tb"),  # tabs separate columns and stay
    ],
)
def test_normalise_spaces_and_minuses(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("ore", "text"),
    [(785000, "7850.00"), (-123456, "-1234.56"), (5, "0.05"), (0, "0.00"), (-7, "-0.07")],
)
def test_format_amount_is_the_contracts(ore: int, text: str) -> None:
    assert format_amount(ore) == text


def test_format_swedish_groups_with_narrow_spaces() -> None:
    assert format_swedish(785000) == "7\u202f850,00"
    assert format_swedish(-123456700) == "\u22121\u202f234\u202f567,00"


# --- properties ----------------------------------------------------------------------------------

GROUPS = [" ", "\u00a0", "\u202f", ".", ""]
MINUSES = ["-", "\u2212", "\u2013", "trailing"]
CURRENCIES = ["", " kr", " SEK", "SEK ", ":-"]


def swedish(ore: int, group: str, minus: str, currency: str) -> str:
    kronor, rest = divmod(abs(ore), 100)
    digits = f"{kronor:,}".replace(",", group)
    if currency == ":-":
        text = f"{digits}:-"
    else:
        text = f"{digits},{rest:02d}"
        text = f"SEK {text}" if currency == "SEK " else text + currency
    if ore < 0:
        text = text + "-" if minus == "trailing" else minus + text
    return text


amounts = st.integers(min_value=-(10**11), max_value=10**11)


@given(amounts, st.sampled_from(GROUPS), st.sampled_from(MINUSES), st.sampled_from(CURRENCIES))
def test_every_written_form_parses_back(ore: int, group: str, minus: str, currency: str) -> None:
    if currency == ":-":
        ore -= ore % 100 if ore >= 0 else -(-ore % 100)
    assert parse_amount(swedish(ore, group, minus, currency)) == ore


@given(amounts, st.sampled_from(GROUPS), st.sampled_from(MINUSES), st.sampled_from(CURRENCIES))
def test_an_amount_after_a_label_is_found(ore: int, group: str, minus: str, currency: str) -> None:
    if currency == ":-":
        ore -= ore % 100 if ore >= 0 else -(-ore % 100)
    line = normalise(f"Att betala: {swedish(ore, group, minus, currency)}\tSida 1 av 2")
    assert [a.ore for a in find_amounts(line)][:1] == [ore]


@given(amounts)
def test_format_amount_parses_back(ore: int) -> None:
    assert parse_amount(format_amount(ore)) == ore


@given(st.text(max_size=60))
def test_parsing_never_raises(text: str) -> None:
    parse_amount(text)
    find_amounts(normalise(text))
