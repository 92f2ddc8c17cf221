"""Each kind of document: its kind, its one amount and its period, from small digital PDFs."""

import pytest

from intake.extract.reader import read_bytes
from intake.extract.result import Kind
from tests.extract_support import pdf

HEAD = [(20, "Lönespecifikation"), (120, "Anna Lindqvist")]


@pytest.mark.parametrize("net_label", ["Att utbetala", "Nettolön", "Utbetalt belopp", "Utbetalas"])
@pytest.mark.parametrize(
    ("period_col", "ytd_col"),
    [("Perioden", "Hittills i år"), ("Denna period", "Ack."), ("Belopp", "Ackumulerat")],
)
def test_payslip_takes_the_period_column_never_the_year_to_date(
    net_label: str, period_col: str, ytd_col: str
) -> None:
    document = pdf(
        "Byggservice i Borås AB",
        HEAD,
        "Löneperiod 2026-10-01 – 2026-10-31",
        "Utbetalningsdag 2026-10-25",
        [(20, "Lönart"), (140, period_col, "r"), (190, ytd_col, "r")],
        [(20, "Bruttolön"), (140, "32 500,00", "r"), (190, "292 500,00", "r")],
        [(20, "Preliminär skatt"), (140, "-8 900,00", "r"), (190, "-80 100,00", "r")],
        [(20, net_label), (140, "23 600,00", "r"), (190, "212 400,00", "r")],
    )
    result = read_bytes(document)
    assert (result.kind, result.period, result.amount) == (Kind.payslip, "2026-10", "23600.00")
    assert result.fields["gross"] == "32500.00" and result.fields["tax"] == "-8900.00"
    assert result.checks["gross_minus_tax"] is True
    assert result.confidence >= 0.9


def test_payslip_when_the_year_to_date_column_comes_first() -> None:
    document = pdf(
        "Lönespecifikation",
        "Löneperiod: oktober 2026",
        [(20, "Lönart"), (120, "Hittills i år", "r"), (180, "Perioden", "r")],
        [(20, "Bruttolön"), (120, "292 500,00", "r"), (180, "32 500,00", "r")],
        [(20, "Skatt"), (120, "80 100,00", "r"), (180, "8 900,00", "r")],
        [(20, "Nettolön"), (120, "212 400,00", "r"), (180, "23 600,00", "r")],
    )
    result = read_bytes(document)
    assert (result.amount, result.period) == ("23600.00", "2026-10")


def test_payslip_with_year_to_date_written_inline() -> None:
    document = pdf(
        "Lönebesked",
        "Period: 202610",
        [(20, "Bruttolön"), (110, "32 500:-", "r"), (125, "Ack."), (190, "292 500:-", "r")],
        [(20, "Skatteavdrag"), (110, "-8 900:-", "r"), (125, "Ack."), (190, "-80 100:-", "r")],
        [
            (20, "Utbetalas"),
            (110, "23 600:-", "r"),
            (125, "Hittills i år"),
            (190, "212 400:-", "r"),
        ],
    )
    assert read_bytes(document).amount == "23600.00"


def test_payslip_with_a_year_to_date_section_below() -> None:
    document = pdf(
        "Lönespecifikation",
        "Löneperiod 2026-10",
        "Bruttolön: 32 500,00 kr",
        "Preliminär skatt: 8 900,00 kr",
        "Nettolön: 23 600,00 kr",
        "",
        "Hittills i år",
        "Bruttolön: 292 500,00 kr",
        "Nettolön: 212 400,00 kr",
    )
    result = read_bytes(document)
    assert (result.amount, result.fields["gross"]) == ("23600.00", "32500.00")


def test_payslip_period_is_the_salary_period_not_the_payment_day() -> None:
    document = pdf(
        "Lönespecifikation",
        "Löneperiod 2026-09-01 - 2026-09-30",
        "Utbetalningsdag 2026-10-25",
        [(20, "Bruttolön"), (150, "30 000,00", "r")],
        [(20, "Skatt"), (150, "-9 000,00", "r")],
        [(20, "Att utbetala"), (150, "21 000,00", "r")],
    )
    result = read_bytes(document)
    assert (result.period, result.fields["payment_date"]) == ("2026-09", "2026-10-25")


def test_payslip_without_a_period_uses_the_payment_day() -> None:
    document = pdf(
        "Lönespecifikation",
        "Utbetalningsdatum 2026-10-25",
        "Bruttolön 30 000,00",
        "Nettolön 21 000,00",
    )
    assert read_bytes(document).period == "2026-10"


@pytest.mark.parametrize(
    ("label", "period_text", "period"),
    [
        ("Att betala", "Avser: november 2026", "2026-11"),
        ("Summa att betala", "Hyresperiod 2026-11-01 – 2026-11-30", "2026-11"),
        ("Totalt att betala", "Avser period: 2026-11", "2026-11"),
        ("Att betala", "Period Nov 2026", "2026-11"),
    ],
)
def test_rent_notice_total_and_the_month_it_is_for(
    label: str, period_text: str, period: str
) -> None:
    document = pdf(
        "Bostadsbolaget i Mölndal AB",
        "HYRESAVI",
        period_text,
        "Förfallodag: 2026-10-30",
        "Årshyra: 82 200,00",
        [(20, "Specifikation"), (190, "Belopp", "r")],
        [(20, "Hyra lägenhet"), (190, "6 850,00", "r")],
        [(20, "Parkering"), (190, "450,00", "r")],
        [(20, "Förråd"), (190, "550,00", "r")],
        [(20, label), (190, "7 850,00", "r")],
        "Bankgiro: 5050-1055   OCR-nummer: 1234567897",
    )
    result = read_bytes(document)
    assert (result.kind, result.amount, result.period) == (Kind.rent_notice, "7850.00", period)
    assert result.checks["rows_sum"] is True and result.checks["luhn_ocr"] is True
    assert result.fields["due_date"] == "2026-10-30"
    assert result.fields["bankgiro"] == "5050-1055" and result.checks["luhn_bankgiro"] is True


def test_rent_notice_without_a_period_pays_the_month_after_a_late_due_date() -> None:
    document = pdf("Hyresavi", "Förfallodag 2026-10-30", "Hyra 7 850 kr", "Att betala 7 850 kr")
    assert read_bytes(document).period == "2026-11"


def test_electricity_bill_total_and_consumption_month() -> None:
    document = pdf(
        "Västkust Energi AB",
        "FAKTURA",
        "Fakturadatum: 2026-10-05",
        "Förfallodatum: 2026-10-30",
        "Förbrukningsperiod: 2026-09-01 – 2026-09-30",
        "Förbrukning: 312 kWh",
        [(20, "Elhandel rörligt pris 312 kWh"), (190, "383,76", "r")],
        [(20, "Elnät abonnemang"), (190, "265,00", "r")],
        [(20, "Energiskatt 312 kWh"), (190, "136,97", "r")],
        [(20, "Summa exkl. moms"), (190, "785,73", "r")],
        [(20, "Moms 25 %"), (190, "196,43", "r")],
        [(20, "Öresavrundning"), (190, "-0,16", "r")],
        [(20, "Att betala"), (190, "982,00", "r")],
    )
    result = read_bytes(document)
    assert (result.kind, result.amount, result.period) == (
        Kind.electricity_bill,
        "982.00",
        "2026-09",
    )
    assert result.checks["rows_sum"] is True


def test_electricity_bill_without_a_period_is_for_the_month_before_the_invoice() -> None:
    document = pdf(
        "Elräkning", "Fakturadatum 2026-10-05", "Elnät 312 kWh", "Totalt att betala 982,00 kr"
    )
    assert read_bytes(document).period == "2026-09"


@pytest.mark.parametrize("label", ["Summa utbetalt", "Utbetalt belopp", "Att utbetala"])
def test_benefit_payment_total_after_tax(label: str) -> None:
    document = pdf(
        "Försäkringskassan",
        "Utbetalningsbesked",
        "Pengarna betalas ut den 20 oktober 2026.",
        [(20, "Barnbidrag"), (190, "2 500 kr", "r")],
        [(20, "Flerbarnstillägg"), (190, "150 kr", "r")],
        [(20, "Föräldrapenning"), (190, "8 000 kr", "r")],
        [(20, "Preliminär skatt"), (190, "-2 400 kr", "r")],
        [(20, label), (190, "8 250 kr", "r")],
    )
    result = read_bytes(document)
    assert (result.kind, result.amount, result.period) == (
        Kind.benefit_payment,
        "8250.00",
        "2026-10",
    )
    assert result.checks["rows_sum"] is True


def test_unemployment_payment_net_under_its_column_heading() -> None:
    document = pdf(
        "Unionens a-kassa",
        "Utbetalningsbesked",
        "Utbetalningsdag: 2026-10-30",
        "Ersättningsperiod: vecka 38–41",
        [(60, "Dagar", "r"), (95, "Brutto", "r"), (130, "Skatt", "r"), (165, "Netto", "r")],
        [
            (20, "Perioden"),
            (60, "20", "r"),
            (95, "18 200 kr", "r"),
            (130, "-5 460 kr", "r"),
            (165, "12 740 kr", "r"),
        ],
        [
            (20, "Hittills i år"),
            (95, "150 000 kr", "r"),
            (130, "-45 000 kr", "r"),
            (165, "105 000 kr", "r"),
        ],
    )
    result = read_bytes(document)
    assert (result.kind, result.amount, result.period) == (
        Kind.unemployment_payment,
        "12740.00",
        "2026-10",
    )
    assert result.checks["gross_minus_tax"] is True


def test_student_aid_total_paid_out() -> None:
    document = pdf(
        "CSN",
        "Centrala studiestödsnämnden",
        "Utbetalning av studiemedel",
        "Utbetalningsdag: 2026-10-24",
        [(20, "Studiebidrag"), (190, "3 324:-", "r")],
        [(20, "Studielån"), (190, "8 048:-", "r")],
        [(20, "Summa utbetalt"), (190, "11 372:-", "r")],
        "Din skuld till CSN efter utbetalningen: 123 456:-",
    )
    result = read_bytes(document)
    assert (result.kind, result.amount, result.period) == (Kind.student_aid, "11372.00", "2026-10")


def test_pension_net_from_the_after_tax_column() -> None:
    document = pdf(
        "Pensionsmyndigheten",
        "Utbetalningsbesked",
        "Utbetalningsdag 2026-10-19",
        [(110, "Före skatt", "r"), (150, "Skatt", "r"), (190, "Efter skatt", "r")],
        [(20, "Inkomstpension"), (110, "9 850", "r"), (150, "-2 000", "r"), (190, "7 850", "r")],
        [(20, "Garantipension"), (110, "1 200", "r"), (150, "-200", "r"), (190, "1 000", "r")],
        [(20, "Summa"), (110, "11 050", "r"), (150, "-2 200", "r"), (190, "8 850", "r")],
    )
    result = read_bytes(document)
    assert (result.kind, result.amount, result.period) == (Kind.pension, "8850.00", "2026-10")


def test_pension_net_after_tax_free_supplement() -> None:
    document = pdf(
        "Pensionsmyndigheten",
        "Utbetalningsdag 2026-10-19",
        [(20, "Inkomstpension"), (190, "10 000", "r")],
        [(20, "Summa före skatt"), (190, "10 000", "r")],
        [(20, "Skatt"), (190, "-2 000", "r")],
        [(20, "Bostadstillägg (skattefritt)"), (190, "1 500", "r")],
        [(20, "Utbetalas"), (190, "9 500", "r")],
    )
    result = read_bytes(document)
    assert (result.amount, result.fields["gross"]) == ("9500.00", "10000.00")
    assert result.checks["rows_sum"] is True


@pytest.mark.parametrize("closing", ["Utgående saldo", "Saldo vid periodens slut", "Utg. saldo"])
def test_bank_statement_closing_balance_and_month(closing: str) -> None:
    document = pdf(
        "Swedbank",
        "Kontoutdrag",
        "Period 2026-10-01 – 2026-10-31",
        [(20, "Datum"), (45, "Text"), (160, "Belopp", "r"), (190, "Saldo", "r")],
        [(45, "Ingående saldo"), (190, "2 000,00", "r")],
        [(20, "2026-10-03"), (45, "Kortköp ICA"), (160, "-345,50", "r"), (190, "1 654,50", "r")],
        [(20, "2026-10-25"), (45, "Lön"), (160, "21 000,00", "r"), (190, "22 654,50", "r")],
        [(20, "2026-10-28"), (45, "Hyra"), (160, "-7 850,00", "r"), (190, "14 804,50", "r")],
        [(45, closing), (190, "14 804,50", "r")],
    )
    result = read_bytes(document)
    assert (result.kind, result.amount, result.period) == (
        Kind.bank_statement,
        "14804.50",
        "2026-10",
    )
    assert result.checks["balance"] is True


def test_bank_statement_negative_balance_with_trailing_minus() -> None:
    document = pdf(
        "Nordea",
        "Kontoutdrag oktober 2026",
        "Ingående saldo 100,00",
        [(20, "2026-10-03"), (45, "Kortköp"), (160, "350,50-", "r")],
        "Utgående saldo 250,50-",
    )
    result = read_bytes(document)
    assert (result.amount, result.period) == ("-250.50", "2026-10")


def test_multi_page_bank_statement_reads_the_last_page() -> None:
    from tests.extract_support import pages

    first = [
        "Handelsbanken",
        "Kontoutdrag",
        "Period 2026-09-15 - 2026-10-14",
        "Ingående saldo 1 000,00",
    ]
    first += [
        [(20, f"2026-09-{15 + i:02d}"), (45, "Kortköp"), (160, "-10,00", "r")] for i in range(10)
    ]
    second = [[(20, f"2026-10-{1 + i:02d}"), (45, "Swish"), (160, "5,00", "r")] for i in range(10)]
    second.append([(45, "Utgående saldo"), (160, "950,00", "r")])
    result = read_bytes(pages(first, second))
    assert (result.amount, result.period, result.pages) == ("950.00", "2026-10", 2)
    assert result.checks["balance"] is True


@pytest.mark.parametrize(
    "rows",
    [
        [
            "Tandläkare Lind AB",
            "FAKTURA",
            "Undersökning 800,00",
            "Att betala 800,00 kr",
            "OCR 1234567897",
        ],
        [
            "Telebolaget AB",
            "Faktura",
            "Mobilabonnemang Surf 20 GB",
            "Moms 25 % 40,00",
            "Totalt att betala 199,00",
        ],
        ["Arbetsförmedlingen", "Kallelse till möte", "Ta med din aktivitetsrapport."],
        ["Trygga Försäkringar AB", "Försäkringsbrev Hemförsäkring", "Premie per månad: 189 kr"],
    ],
)
def test_documents_of_no_known_kind_are_unknown_without_an_amount(rows: list[str]) -> None:
    result = read_bytes(pdf(*rows))
    assert (result.kind, result.amount, result.period) == (Kind.unknown, None, None)


def test_a_label_without_a_readable_amount_gives_no_amount_and_low_confidence() -> None:
    result = read_bytes(pdf("Hyresavi", "Avser: november 2026", "Att betala"))
    assert (result.kind, result.amount) == (Kind.rent_notice, None)
    assert result.confidence < 0.5


def test_conflicting_totals_lower_the_confidence() -> None:
    document = pdf(
        "Hyresavi", "Avser: november 2026", "Att betala 7 850,00", "", "", "Att betala 7 580,00"
    )
    result = read_bytes(document)
    assert result.amount == "7850.00" and result.confidence < 0.7
