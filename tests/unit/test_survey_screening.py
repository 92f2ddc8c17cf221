"""Free text is screened before it is stored: personal identity numbers, phone numbers and
e-mail addresses are masked, ordinary words, dates and amounts are kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.personnummer import make
from intake.survey.screening import EMAIL_MASK, PHONE_MASK, PNR_MASK, screen


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mitt nummer är 19900506-6627.", f"Mitt nummer är {PNR_MASK}."),
        ("pnr 900506-6627", f"pnr {PNR_MASK}"),
        ("pnr 199005066627 tack", f"pnr {PNR_MASK} tack"),
        ("gammal 900506+6627", f"gammal {PNR_MASK}"),
        ("samordningsnummer 19900566-6624", f"samordningsnummer {PNR_MASK}"),
        ("Ring 070-123 45 67", f"Ring {PHONE_MASK}"),
        ("Ring +46 70 123 45 67!", f"Ring {PHONE_MASK}!"),
        ("eller 0046701234567", f"eller {PHONE_MASK}"),
        ("växel 08-123 456 78.", f"växel {PHONE_MASK}."),
        ("(08) 123 45 67", PHONE_MASK),
        ("0701234567", PHONE_MASK),
        ("Skriv till anna.berg@example.org", f"Skriv till {EMAIL_MASK}"),
        ("anna @ gmail.com svarar", f"{EMAIL_MASK} svarar"),
        ("رقمي ٠٧٠١٢٣٤٥٦٧ شكرا", f"رقمي {PHONE_MASK} شكرا"),
        ("شماره من ۰۷۰-۱۲۳ ۴۵ ۶۷", f"شماره من {PHONE_MASK}"),
        # Kept: dates, amounts, small numbers.
        ("Betalningen 2024-05-01 var sen", "Betalningen 2024-05-01 var sen"),
        ("den 1/5/2024 kom 12 345 kr", "den 1/5/2024 kom 12 345 kr"),
        ("Jag har 3 barn och fick 7 845:- i maj", "Jag har 3 barn och fick 7 845:- i maj"),
        ("Bra bemötande, tack!", "Bra bemötande, tack!"),
    ],
)
def test_examples(text: str, expected: str) -> None:
    assert screen(text) == expected


def test_control_characters_are_removed_and_unicode_normalised() -> None:
    assert screen("a\x00b\x1bc\u0065\u0301") == "abcé"
    assert screen("rad ett\nrad två") == "rad ett\nrad två"


words = st.text(
    alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Zs"), max_codepoint=0x6FF),
    max_size=40,
)


def _pnr(year: int, month: int, day: int, serial: int, separator: str, short: bool) -> str:
    number = make(f"{year}{month:02d}{day:02d}", f"{serial:03d}")
    number = number[2:] if short else number
    return number[:-4] + separator + number[-4:]


personnummer = st.builds(
    _pnr,
    st.integers(1930, 2024),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 999),
    st.sampled_from(["", "-", "+", " "]),
    st.booleans(),
)
phones = st.builds(
    lambda prefix, groups: prefix + " ".join(groups),
    st.sampled_from(["07", "+46 7", "08-", "0046 7", "031-"]),
    st.lists(st.from_regex(r"\d{2,3}", fullmatch=True), min_size=3, max_size=4),
)
emails = st.from_regex(r"[a-z][a-z0-9._]{0,15}@[a-z]{2,10}\.(se|org|com|nu)", fullmatch=True)


@given(words, st.one_of(personnummer, phones, emails), words)
def test_identifiers_never_survive(before: str, identifier: str, after: str) -> None:
    screened = screen(f"{before} {identifier} {after}")
    assert identifier not in screened
    digits = [char for char in identifier if char.isdigit()]
    if len(digits) >= 7:
        assert "".join(digits) not in "".join(char for char in screened if char.isdigit())
    assert any(mask in screened for mask in (PNR_MASK, PHONE_MASK, EMAIL_MASK))


@given(words)
def test_text_without_digits_or_at_signs_is_kept(text: str) -> None:
    assert screen(text) == text.replace("\x00", "")
