"""One test per reading bug found on the generated corpus, each with its own small document
(image-side regressions live in test_extract_images.py, the fork server's in
test_extract_safety.py)."""

from intake.extract.amounts import find_amounts
from intake.extract.reader import read_bytes
from tests.extract_support import pdf


def test_regression_a_value_in_a_wide_box_under_its_label() -> None:
    """Boxes with the label at their left and the amount at their right: the amount lay more
    than ten ems right of the label and was not taken. Now a value belongs to the label whose
    cell it stands under, up to the next cell of the label's row."""
    document = pdf(
        "Lönespecifikation",
        "Löneperiod december 2026",
        [(20, "Summa brutto"), (100, "Preliminär skatt"), (155, "Utbetalas")],
        [(95, "35 842:-", "r"), (150, "-10 394:-", "r"), (195, "25 448:-", "r")],
        [(20, "Ack."), (150, "-124 728:-", "r"), (195, "306 771:-", "r")],
        size=8,
    )
    result = read_bytes(document)
    assert (result.amount, result.fields["gross"], result.fields["tax"]) == (
        "25448.00",
        "35842.00",
        "-10394.00",
    )
    assert result.checks["gross_minus_tax"] is True


def test_regression_a_generic_label_as_a_column_heading() -> None:
    """ "Netto" alone is too generic to look under; as one heading in a row of headings (and
    no amounts) it is a column heading, and its value is the one under it."""
    document = pdf(
        "Alfa-kassan",
        "Utbetalningsdag 2026-05-13",
        [(60, "Dagar", "r"), (100, "Brutto", "r"), (140, "Skatt", "r"), (180, "Netto", "r")],
        [
            (20, "Perioden"),
            (60, "10", "r"),
            (100, "9 700 kr", "r"),
            (140, "-2 619 kr", "r"),
            (180, "7 081 kr", "r"),
        ],
        [
            (20, "Hittills i år"),
            (100, "38 800 kr", "r"),
            (140, "-10 476 kr", "r"),
            (180, "28 324 kr", "r"),
        ],
    )
    assert read_bytes(document).amount == "7081.00"


def test_regression_a_generic_label_in_running_text_takes_nothing_below() -> None:
    document = pdf(
        "Försäkringskassan", "Utbetalningsdag 2026-05-13", "Summa", "Barnbidrag 1 250 kr"
    )
    assert read_bytes(document).amount is None


def test_regression_a_statement_period_written_with_a_hyphen_between_its_dates() -> None:
    """ "2026-12-15-2027-01-14": the second date was not found (a date preceded by "-" was
    refused), so the statement got the month of its first date."""
    document = pdf(
        "Swedbank",
        "Kontoutdrag",
        "Period 2026-12-15-2027-01-14",
        [(20, "2026-12-20"), (45, "Kortköp"), (160, "-100,00", "r")],
        "Utgående saldo 1 234,56",
    )
    assert read_bytes(document).period == "2027-01"


def test_regression_ocr_broke_the_hyphen_in_a_statement_period() -> None:
    """ "Period 2026-04 15 - 2026-05-14" (OCR read "-" as a space): the statement's month is the
    month of its latest date."""
    document = pdf(
        "Sparbanken Syd", "Kontoutdrag", "Period 2026-04 15 - 2026-05-14", "Utgående saldo 100,00"
    )
    assert read_bytes(document).period == "2026-05"


def test_regression_a_small_bare_number_beside_a_label_is_no_amount() -> None:
    """OCR lost the amount and kept "16" (a footnote, a page): a rent of 16 kr was given."""
    document = pdf(
        "Hyresavi", "Avser: november 2026", "Att betala\u00a0\u00a0 16", "Bankgiro 5050-1055"
    )
    assert read_bytes(document).amount is None


def test_regression_ocr_reads_a_wide_minus_as_two_dashes() -> None:
    """DejaVu's minus is wide; tesseract gives "--" or "=-": that is one minus."""
    assert [a.ore for a in find_amounts("Utgående saldo\t--24 014,60")] == [-2401460]
    assert [a.ore for a in find_amounts("Kortköp\t=-23 077,02")] == [-2307702]


def test_regression_rows_without_a_column_still_add_up() -> None:
    """ "Studiebidrag SEK 3 324" lines end wherever their text ends: no right-aligned column, so
    no check, and the confidence stayed low. Lines just above the total count as rows too."""
    document = pdf(
        "CSN",
        "Utbetalningsdag: 2025-01-24",
        "Antal veckor: 4",
        "Studiebidrag SEK 3 324",
        "Studielån SEK 8 048",
        "Summa utbetalt: SEK 11 372",
    )
    result = read_bytes(document)
    assert (result.amount, result.checks["rows_sum"]) == ("11372.00", True)
    assert result.confidence >= 0.9


def test_regression_a_statement_without_opening_or_running_balance_is_not_a_failed_check() -> None:
    """With neither an opening balance nor a running balance there is nothing to check the
    closing balance against: no check, rather than a failed one that lowered the confidence."""
    document = pdf(
        "ICA Banken",
        "Kontoutdrag",
        "Period 2026-03-01 - 2026-03-31",
        [(20, "2026-03-02"), (45, "Kortköp"), (190, "-100,00", "r")],
        [(20, "2026-03-05"), (45, "Swish"), (190, "250,00", "r")],
        [(45, "Utgående saldo"), (190, "24 772,55", "r")],
    )
    result = read_bytes(document)
    assert result.amount == "24772.55" and "balance" not in result.checks
