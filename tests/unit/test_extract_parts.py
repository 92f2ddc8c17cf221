"""The small parts of the reader: dates and periods, checks, file types, classification."""

import datetime as dt

import pytest

from intake.extract.amounts import normalise
from intake.extract.checks import (
    bankgiro_valid,
    gross_minus_tax_is_net,
    luhn_valid,
    sums_to,
)
from intake.extract.classify import classify
from intake.extract.dates import add_months, find_dates, find_months, month_of_range
from intake.extract.filetype import FileType, detect
from intake.extract.layout import fold
from intake.extract.result import Kind
from intake.personnummer import luhn_check_digit


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("Förfallodag 2026-10-30", [dt.date(2026, 10, 30)]),
        ("Utbetalningsdag: 20261025", [dt.date(2026, 10, 25)]),
        ("den 20 oktober 2026", [dt.date(2026, 10, 20)]),
        ("31.10.2026 och 1/11/26", [dt.date(2026, 10, 31), dt.date(2026, 11, 1)]),
        ("Period 2026-12-15-2027-01-14", [dt.date(2026, 12, 15), dt.date(2027, 1, 14)]),
        ("Period 2026-04 15 - 2026-05-14", [dt.date(2026, 4, 15), dt.date(2026, 5, 14)]),  # OCR
        ("2026-02-30", []),  # no such day
        ("Summa 2026 12 345", []),
    ],
)
def test_find_dates(text: str, dates: list[dt.date]) -> None:
    assert [f.date for f in find_dates(text)] == dates


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("Avser: november 2026", ["2026-11"]),
        ("Period Nov 2026", ["2026-11"]),
        ("Löneperiod 202610", ["2026-10"]),
        ("Avser period: 2026-10", ["2026-10"]),
        ("Period 10/2026", ["2026-10"]),
        ("1–31 oktober 2026", ["2026-10"]),
        ("Förfallodag 2026-10-30", []),  # a date is no month
        ("Kontoutdrag september 2026 och oktober 2026", ["2026-09", "2026-10"]),
    ],
)
def test_find_months(text: str, months: list[str]) -> None:
    assert [f.month for f in find_months(normalise(text))] == months


@pytest.mark.parametrize(
    ("start", "end", "month"),
    [
        (dt.date(2026, 10, 1), dt.date(2026, 10, 31), "2026-10"),
        (dt.date(2026, 9, 21), dt.date(2026, 10, 20), "2026-10"),  # split evenly: the end's month
        (dt.date(2026, 9, 1), dt.date(2026, 10, 5), "2026-09"),
    ],
)
def test_month_of_range_is_where_most_days_fall(start: dt.date, end: dt.date, month: str) -> None:
    assert month_of_range(start, end) == month


def test_add_months_crosses_years() -> None:
    assert (add_months("2026-12", 1), add_months("2026-01", -1), add_months("2026-05", 14)) == (
        "2027-01",
        "2025-12",
        "2027-07",
    )


@pytest.mark.parametrize("number", ["8503122387", "1234567897", "50501055", "18"])
def test_luhn_accepts_valid_numbers(number: str) -> None:
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["8503122388", "1234567890", "", "abc", "5"])
def test_luhn_rejects_others(number: str) -> None:
    assert not luhn_valid(number)


def test_luhn_digit_completes_a_number() -> None:
    assert luhn_check_digit("123456789") == "7"


def test_bankgiro_has_seven_or_eight_digits_and_a_check_digit() -> None:
    assert bankgiro_valid("5050-1055") and bankgiro_valid("991-2346")
    assert not bankgiro_valid("5050-1056") and not bankgiro_valid("12-34")


def test_gross_minus_tax_with_or_without_the_minus_sign() -> None:
    assert gross_minus_tax_is_net(3250000, -890000, 2360000)
    assert gross_minus_tax_is_net(3250000, 890000, 2360000)
    assert not gross_minus_tax_is_net(3250000, 890000, 2360001)


def test_rows_sum_signed_or_as_deductions() -> None:
    assert sums_to([685000, 45000, 55000], 785000)
    assert sums_to([3250000, 890000, 20000], 2340000)  # deductions printed without a minus
    assert not sums_to([], 0)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", FileType.pdf),
        (b"\n\n%PDF-1.4", FileType.pdf),  # junk before the header is tolerated
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", FileType.jpeg),
        (b"\x89PNG\r\n\x1a\n\x00\x00", FileType.png),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", FileType.heif),
        (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heix", FileType.heif),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00mif1miaf", None),  # AVIF is not HEIC
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomiso2", None),  # an MP4 video
        (b"GIF89a", None),
        (b"<html><body>%PDF-1.4", FileType.pdf),  # a PDF header anywhere in the first KiB counts
        (b"Hello", None),
        (b"", None),
    ],
)
def test_file_type_from_magic_bytes(head: bytes, kind: FileType | None) -> None:
    assert detect(head) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Lönespecifikation Bruttolön Nettolön Skattetabell 33", Kind.payslip),
        ("HYRESAVI Hyra lägenhet Avser november", Kind.rent_notice),
        ("Faktura Elnät Elhandel 312 kWh Energiskatt", Kind.electricity_bill),
        ("Försäkringskassan Utbetalningsbesked Barnbidrag", Kind.benefit_payment),
        ("Unionens a-kassa Utbetalningsbesked Ersättningsdagar", Kind.unemployment_payment),
        ("CSN Studiebidrag Studielån", Kind.student_aid),
        ("Pensionsmyndigheten Inkomstpension Garantipension", Kind.pension),
        (
            "Kontoutdrag Ingående saldo Utgående saldo Kortköp Försäkringskassan",
            Kind.bank_statement,
        ),
        ("Faktura Tandvård Att betala", Kind.unknown),
    ],
)
def test_classify_by_the_words_that_give_a_kind_away(text: str, kind: Kind) -> None:
    assert classify(fold(text)).kind is kind


def test_ocr_text_may_have_one_letter_wrong_in_long_words() -> None:
    text = fold("Lönespecifikatlon Bruttolon Nettolön")
    assert classify(text, fuzzy=True).kind is Kind.payslip
    assert classify(fold("Lönespeclfikatlon Brutolon"), fuzzy=False).kind is Kind.unknown
