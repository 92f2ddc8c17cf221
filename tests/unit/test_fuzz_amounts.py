"""Both amount parsers under hypothesis: what people type (intake/money.py) and what documents
say (intake/extract/amounts.py). Any text gives an answer or a coded error, never a crash;
every way a Swedish amount is written reads back as the same öre."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from intake import money
from intake.extract import amounts

ORE = st.integers(min_value=0, max_value=money.MAX_ORE)
GROUPING = st.sampled_from([" ", "\u00a0", "\u202f", ".", ""])
MINUS = st.sampled_from(["-", "\u2212", "\u2013"])
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.text(alphabet="0123456789 ,.-:krSEK\u00a0\u202f\u2212\u2013", max_size=25)


def swedish(ore: int, grouping: str, decimals: bool) -> str:
    """``12 345,67`` with the chosen grouping; whole kronor may drop the decimals."""
    kronor, rest = divmod(ore, 100)
    digits = f"{kronor:,}".replace(",", grouping) if grouping else str(kronor)
    return f"{digits},{rest:02d}" if decimals or rest else digits


@settings(max_examples=400)
@given(TEXT)
@example("\u2212")
@example(":-")
@example("1,2,3")
def test_money_never_crashes(text: str) -> None:
    try:
        value = money.parse_amount(text, allow_negative=True)
    except money.AmountError as error:
        assert error.code in {"empty", "format", "negative", "too_large"}
    else:
        assert abs(value) <= money.MAX_ORE


@settings(max_examples=300)
@given(ORE, GROUPING, st.booleans(), st.sampled_from(["", " kr", "kr", " SEK", " kronor", ":-"]))
def test_money_reads_every_swedish_way_of_writing(
    ore: int, grouping: str, decimals: bool, suffix: str
) -> None:
    if suffix == ":-" and ore % 100:
        suffix = ""  # ":-" is whole kronor only
    text = swedish(ore, grouping, decimals and suffix != ":-") + suffix
    if grouping == "." and "," not in text and text.count(".") == 1:
        # "7.850" alone reads as 7.85 kr (a decimal point): people write 7850 or 7 850.
        return
    assert money.parse_amount(text) == ore


@settings(max_examples=200)
@given(ORE.filter(lambda o: o > 0), MINUS, st.booleans())
def test_money_negative_forms(ore: int, minus: str, trailing: bool) -> None:
    text = swedish(ore, " ", True)
    text = f"{text}{minus}" if trailing else f"{minus}{text}"
    assert money.parse_amount(text, allow_negative=True) == -ore
    with pytest.raises(money.AmountError) as error:
        money.parse_amount(text)
    assert error.value.code == "negative"


@given(TEXT)
def test_normalising_twice_changes_nothing(text: str) -> None:
    assert money.normalise(money.normalise(text)) == money.normalise(text)
    assert amounts.normalise(amounts.normalise(text)) == amounts.normalise(text)


@settings(max_examples=400)
@given(TEXT)
@example("--1")
@example("kr -")
@example("1.234.56")
def test_document_parser_never_crashes(text: str) -> None:
    value = amounts.parse_amount(text)
    assert value is None or isinstance(value, int)
    found = amounts.find_amounts(amounts.normalise(text))
    starts = [match.start for match in found]
    assert starts == sorted(starts)
    for before, after in zip(found, found[1:], strict=False):
        assert before.end <= after.start  # no two amounts overlap


LARGE = st.integers(min_value=-(10**13), max_value=10**13)


@given(LARGE)
def test_document_formats_read_back(ore: int) -> None:
    assert amounts.parse_amount(amounts.format_amount(ore)) == ore
    assert amounts.parse_amount(amounts.format_swedish(ore)) == ore


@settings(max_examples=300)
@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.sampled_from(["Att betala", "Nettolön", "Utgående saldo", "Summa utbetalt"]),
    st.sampled_from(["{} kr", "{} SEK", "SEK {}", "{}"]),
)
def test_an_amount_on_a_document_line_is_found_where_it_stands(
    ore: int, label: str, layout: str
) -> None:
    written = layout.format(amounts.format_swedish(ore))
    line = amounts.normalise(f"{label}: {written}")
    found = [m for m in amounts.find_amounts(line) if m.strong]
    assert [m.ore for m in found] == [ore]
    assert amounts.parse_amount(line[found[0].start : found[0].end]) == ore


@settings(max_examples=300)
@given(ORE, st.sampled_from([" ", "\u00a0", "\u202f"]), st.sampled_from(["", " kr", " SEK"]))
def test_the_two_parsers_agree_on_what_both_read(ore: int, grouping: str, suffix: str) -> None:
    text = swedish(ore, grouping, True) + suffix
    assert money.parse_amount(text) == amounts.parse_amount(text) == ore
