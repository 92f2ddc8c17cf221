"""A second corpus generator: documents drawn from a grammar of layouts, grouped in families.

A *family* is one issuer's template: its language (Swedish or English), its labels (picked from
synonyms), how it writes amounts (every format in DOMAIN.md), its font, portrait or landscape,
how its period is shown (a label and a month, a range, a title, week ranges, only a payment date),
where its totals stand (label and amount on a line, dot leaders, a totals row of a table, boxes with
the label above the amount, a sentence) and which distractors it prints (year-to-date columns,
previous balances, personnummer, OCR and account numbers). A family's documents differ in their
values, row counts and pages (1–3). ``family_index`` seeds the template: families 0..N are the same
templates on every run, so a reader can be trained on some and measured on others
(leave-family-out, ``bench/extract.py --grammar``).

    .venv/bin/python -m bench.corpus.grammar --out /tmp/grammar --families 48 --per-family 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import data as d  # noqa: E402
from bench.corpus.render import Sheet, available_fonts, covers  # noqa: E402

KINDS = [
    "payslip",
    "rent_notice",
    "electricity_bill",
    "benefit_payment",
    "unemployment_payment",
    "student_aid",
    "pension",
    "bank_statement",
]
EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

# Words per kind and language: (titles, target labels, issuers, keywords shown somewhere).
VOCAB: dict[str, dict[str, dict[str, list[str]]]] = {
    "payslip": {
        "sv": {
            "title": ["Lönespecifikation", "LÖNESPECIFIKATION", "Lönebesked", "Lönespec"],
            "target": [
                "Att utbetala",
                "Nettolön",
                "Utbetalt belopp",
                "Netto att betala ut",
                "Summa netto",
                "Utbetalas",
                "Nettobelopp",
                "Totalt efter skatt",
            ],
            "gross": ["Bruttolön", "Summa brutto", "Bruttobelopp", "Totalt före skatt"],
            "tax": ["Preliminär skatt", "Prel. skatt", "Skatteavdrag", "Avdragen skatt"],
            "period": ["Löneperiod", "Period", "Avser period", "Lönemånad", "Avser"],
            "paydate": ["Utbetalningsdag", "Utbetalningsdatum", "Utbetalas den", "Betalas ut"],
            "rows": [
                "Månadslön",
                "Timlön",
                "OB-tillägg",
                "Övertid",
                "Semestertillägg",
                "Sjukavdrag",
                "Karensavdrag",
                "Friskvårdsbidrag",
            ],
            "cols": ["Lönart", "Antal", "À-pris", "Belopp"],
            "ytd": ["Hittills i år", "Ack.", "Ackumulerat"],
            "issuer": [
                "Byggservice i Borås AB",
                "Vårdbolaget Omsorg AB",
                "Lagerlogistik Nord AB",
                "Restaurang Solsidan HB",
                "Exempelkommun",
                "Mälardalens Städ AB",
            ],
        },
        "en": {
            "title": ["Payslip", "PAYSLIP", "Salary statement", "Pay statement"],
            "target": ["Net pay", "Net salary", "Amount paid", "Total net pay", "To be paid"],
            "gross": ["Gross pay", "Total gross", "Gross salary"],
            "tax": ["Income tax", "Tax deducted", "Preliminary tax"],
            "period": ["Pay period", "Period", "Salary period"],
            "paydate": ["Payment date", "Pay date", "Paid on"],
            "rows": [
                "Monthly salary",
                "Hourly wage",
                "Overtime",
                "Unsocial hours",
                "Holiday pay",
                "Sick leave deduction",
            ],
            "cols": ["Item", "Qty", "Rate", "Amount"],
            "ytd": ["Year to date", "YTD"],
            "issuer": ["Nordic Logistics AB", "Stockholm Tech AB", "Cleanway Services AB"],
        },
    },
    "rent_notice": {
        "sv": {
            "title": ["Hyresavi", "Avi", "Inbetalningskort", "Avgiftsavi", "HYRESAVI", "Hyra"],
            "target": [
                "Att betala",
                "Summa att betala",
                "Totalt att betala",
                "Belopp att betala",
                "Att betala totalt",
                "Summa",
                "Totalt",
            ],
            "period": ["Avser", "Avser period", "Hyresperiod", "Period", "Hyra för"],
            "duedate": ["Förfallodag", "Betalas senast", "Förfallodatum", "Sista betalningsdag"],
            "rows": [
                "Hyra lägenhet",
                "Grundhyra",
                "Värme",
                "Parkering",
                "Förråd",
                "Bredband",
                "Hushållsel",
                "Garage",
                "Vatten",
            ],
            "cols": ["Specifikation", "Belopp"],
            "prev": ["Tidigare obetalt", "Skuld från föregående avi", "Tidigare saldo"],
            "issuer": [
                "Bostadsbolaget i Vänersborg",
                "Brf Björken",
                "Hyresfastigheter AB",
                "Kommunala Bostäder AB",
                "Fastighets AB Ängen",
            ],
        },
        "en": {
            "title": ["Rent invoice", "Rent notice", "Invoice"],
            "target": ["Amount due", "Total to pay", "Total amount due", "To pay"],
            "period": ["Period", "Rent period", "For"],
            "duedate": ["Due date", "Pay by"],
            "rows": ["Rent apartment", "Heating", "Parking", "Storage", "Broadband"],
            "cols": ["Description", "Amount"],
            "prev": ["Previous balance", "Unpaid from last invoice"],
            "issuer": ["Stockholm Housing AB", "City Apartments AB"],
        },
    },
    "electricity_bill": {
        "sv": {
            "title": ["Faktura", "Elräkning", "Faktura el", "Din elfaktura"],
            "target": [
                "Att betala",
                "Summa att betala",
                "Totalt att betala",
                "Belopp att betala",
                "Att betala inkl. moms",
                "Totalt",
            ],
            "period": [
                "Förbrukningsperiod",
                "Avser period",
                "Mätperiod",
                "Period",
                "Faktureringsperiod",
            ],
            "duedate": ["Förfallodag", "Betalas senast", "Förfallodatum"],
            "rows": [
                "Elhandel rörligt pris",
                "Elnät överföring",
                "Fast avgift elnät",
                "Energiskatt",
                "Elcertifikat",
                "Månadsavgift",
            ],
            "cols": ["Specifikation", "Förbrukning", "Pris", "Belopp"],
            "issuer": [
                "Exempel Energi AB",
                "Norrkraft Elhandel AB",
                "Stadens Elnät AB",
                "Vattenfall-liknande Elhandel AB",
            ],
        },
        "en": {
            "title": ["Electricity invoice", "Invoice", "Your electricity bill"],
            "target": ["Amount due", "Total to pay", "Total incl. VAT", "To pay"],
            "period": ["Consumption period", "Billing period", "Period"],
            "duedate": ["Due date", "Pay by"],
            "rows": [
                "Electricity variable price",
                "Grid transfer",
                "Grid fixed fee",
                "Energy tax",
                "Monthly fee",
            ],
            "cols": ["Description", "Usage", "Price", "Amount"],
            "issuer": ["Nordic Power AB", "Green Grid Energy AB"],
        },
    },
    "benefit_payment": {
        "sv": {
            "title": [
                "Utbetalningsbesked",
                "Besked om utbetalning",
                "Utbetalning",
                "Din utbetalning",
            ],
            "target": [
                "Summa utbetalt",
                "Utbetalt belopp",
                "Att utbetala",
                "Totalt utbetalt",
                "Summa",
                "Utbetalas",
            ],
            "tax": ["Preliminär skatt", "Avdragen skatt", "Skatteavdrag"],
            "paydate": ["Utbetalningsdag", "Utbetalningsdatum", "Utbetalas den", "Datum"],
            "rows": [
                "Bostadsbidrag",
                "Barnbidrag",
                "Flerbarnstillägg",
                "Underhållsstöd",
                "Föräldrapenning",
                "Sjukpenning",
                "Aktivitetsstöd",
                "Vårdbidrag",
            ],
            "cols": ["Förmån", "Belopp"],
            "ytd": ["Utbetalt hittills i år", "Hittills i år"],
            "issuer": ["Försäkringskassan"],
        },
        "en": {
            "title": ["Payment notice", "Payment statement"],
            "target": ["Total paid", "Amount paid", "Total payment"],
            "tax": ["Tax deducted", "Income tax"],
            "paydate": ["Payment date", "Paid on"],
            "rows": [
                "Housing allowance (bostadsbidrag)",
                "Child allowance (barnbidrag)",
                "Parental benefit (föräldrapenning)",
                "Sickness benefit (sjukpenning)",
            ],
            "cols": ["Benefit", "Amount"],
            "ytd": ["Paid so far this year", "Year to date"],
            "issuer": ["Försäkringskassan (Swedish Social Insurance Agency)"],
        },
    },
    "unemployment_payment": {
        "sv": {
            "title": [
                "Utbetalningsbesked",
                "Utbetalningsspecifikation",
                "Besked om utbetalning",
                "Ersättning från a-kassan",
            ],
            "target": [
                "Att utbetala",
                "Netto att utbetala",
                "Utbetalt belopp",
                "Nettobelopp",
                "Netto",
                "Utbetalas",
            ],
            "gross": ["Bruttobelopp", "Brutto", "Summa brutto", "Före skatt"],
            "tax": ["Preliminär skatt", "Skatt", "Avdragen skatt"],
            "paydate": ["Utbetalningsdag", "Utbetalningsdatum", "Utbetalas den"],
            "cols": ["Vecka", "Dagar", "Dagpenning", "Belopp"],
            "issuer": [
                "Unionens a-kassa",
                "Akademikernas a-kassa",
                "IF Metalls a-kassa",
                "Alfa-kassan",
                "Kommunals a-kassa",
                "Byggnads a-kassa",
            ],
        },
        "en": {
            "title": ["Payment statement", "Unemployment benefit payment"],
            "target": ["Net amount paid", "Net payment", "Amount paid"],
            "gross": ["Gross amount", "Gross"],
            "tax": ["Tax", "Tax deducted"],
            "paydate": ["Payment date", "Paid on"],
            "cols": ["Week", "Days", "Daily rate", "Amount"],
            "issuer": ["Unionens a-kassa (unemployment fund)", "Alfa-kassan (unemployment fund)"],
        },
    },
    "student_aid": {
        "sv": {
            "title": ["Utbetalningsbesked", "Besked om studiemedel", "Utbetalning av studiemedel"],
            "target": [
                "Summa utbetalt",
                "Totalt utbetalt",
                "Utbetalt belopp",
                "Att utbetala",
                "Summa",
                "Utbetalas",
            ],
            "paydate": ["Utbetalningsdag", "Utbetalningsdatum", "Utbetalas den"],
            "rows": [
                "Studiebidrag",
                "Studielån",
                "Tilläggsbidrag",
                "Tilläggslån",
                "Merkostnadslån",
            ],
            "cols": ["Studiemedel", "Belopp"],
            "issuer": ["CSN", "CSN Centrala studiestödsnämnden"],
        },
        "en": {
            "title": ["Student finance payment", "Payment notice"],
            "target": ["Total paid", "Amount paid"],
            "paydate": ["Payment date", "Paid on"],
            "rows": [
                "Study grant (studiebidrag)",
                "Student loan (studielån)",
                "Supplementary grant (tilläggsbidrag)",
            ],
            "cols": ["Student finance", "Amount"],
            "issuer": ["CSN (Swedish Board of Student Finance)"],
        },
    },
    "pension": {
        "sv": {
            "title": ["Utbetalningsbesked", "Din pension", "Besked om pension", "Pension"],
            "target": [
                "Summa efter skatt",
                "Att utbetala",
                "Utbetalt belopp",
                "Netto",
                "Efter skatt",
                "Totalt efter skatt",
            ],
            "gross": ["Summa före skatt", "Före skatt", "Brutto"],
            "tax": ["Preliminär skatt", "Skatt", "Avdragen skatt"],
            "paydate": ["Utbetalningsdag", "Utbetalningsdatum", "Utbetalas den"],
            "rows": [
                "Inkomstpension",
                "Garantipension",
                "Tilläggspension",
                "Premiepension",
                "Bostadstillägg",
            ],
            "cols": ["Pensionsslag", "Före skatt", "Skatt", "Efter skatt"],
            "issuer": ["Pensionsmyndigheten"],
        },
        "en": {
            "title": ["Pension payment", "Your pension"],
            "target": ["Total after tax", "Net amount", "Amount paid"],
            "gross": ["Total before tax", "Before tax"],
            "tax": ["Tax"],
            "paydate": ["Payment date", "Paid on"],
            "rows": [
                "Income pension (inkomstpension)",
                "Guarantee pension (garantipension)",
                "Premium pension (premiepension)",
            ],
            "cols": ["Pension", "Before tax", "Tax", "After tax"],
            "issuer": ["Pensionsmyndigheten (Swedish Pensions Agency)"],
        },
    },
    "bank_statement": {
        "sv": {
            "title": ["Kontoutdrag", "KONTOUTDRAG", "Kontohändelser", "Kontoutdrag privatkonto"],
            "target": [
                "Utgående saldo",
                "Saldo vid periodens slut",
                "Utg. saldo",
                "Slutsaldo",
                "Saldo",
            ],
            "opening": ["Ingående saldo", "Ing. saldo", "Saldo vid periodens början", "Saldo"],
            "period": ["Period", "Kontoutdrag för", "Utdragsperiod", "Avser"],
            "cols": ["Datum", "Text", "Belopp", "Saldo"],
            "issuer": [
                "Swedbank",
                "Nordea",
                "Handelsbanken",
                "SEB",
                "Sparbanken Syd",
                "ICA Banken",
                "Exempelbanken",
            ],
        },
        "en": {
            "title": ["Statement", "Account statement", "Bank statement"],
            "target": ["Closing balance", "Balance at end of period", "Closing balance"],
            "opening": ["Opening balance", "Balance brought forward"],
            "period": ["Statement period", "Period"],
            "cols": ["Date", "Description", "Amount", "Balance"],
            "issuer": ["Nordea", "SEB", "Swedbank", "Handelsbanken", "Exempelbanken"],
        },
    },
}

SHOPS = ["ICA Supermarket", "Coop", "Willys", "Apotek Hjärtat", "SL", "Lidl", "Hemköp", "Circle K"]
PERIOD_KINDS = {"payslip", "rent_notice", "electricity_bill", "bank_statement"}


@dataclass
class Family:
    kind: str
    index: int
    lang: str
    font: str
    size: float
    landscape: bool
    money: d.Money
    title: str
    issuer: str
    target: str
    words: dict[str, str]  # one synonym per role
    summary: str  # lines / leaders / boxes / table_total / sentence / colon
    info: str  # lines / grid
    period_style: str  # label_month / label_range / title / weeks / paydate
    total_top: bool  # the total stands in a box near the top as well as at the bottom
    ytd: bool
    previous: bool  # a previous balance / earlier debt row
    max_pages: int
    date_style: str
    distractors: bool  # personnummer, OCR number, account number lines
    bold_total: bool

    @property
    def name(self) -> str:
        return f"{self.kind}-g{self.index:02d}"


def family(kind: str, index: int) -> Family:
    rng = random.Random(f"grammar-family-{kind}-{index}")
    lang = "en" if rng.random() < (0.35 if kind == "bank_statement" else 0.2) else "sv"
    vocab = VOCAB[kind][lang]
    money = d.money(rng, whole_kronor_likely=kind in ("unemployment_payment", "benefit_payment"))
    if kind == "bank_statement" and (money.currency in (":-",) or not money.decimals):
        money = d.Money(money.group, rng.choice(["", " kr", " SEK"]), money.minus, True)
    needed = "åäöÅÄÖ–" + money.group + ("" if money.minus == "trailing" else money.minus)
    fonts = [f for f in available_fonts() if covers(f, needed)]
    words = {
        role: rng.choice(options)
        for role, options in vocab.items()
        if role not in ("title", "target", "rows", "cols", "issuer")
    }
    summaries = ["lines", "leaders", "boxes", "table_total", "sentence", "colon"]
    if kind == "bank_statement":
        summaries = ["lines", "leaders", "boxes", "last_row", "saldo_date", "sentence"]
    period_styles = {
        "payslip": ["label_month", "label_range", "title", "paydate"],
        "rent_notice": ["label_month", "label_range", "title"],
        "electricity_bill": ["label_range", "label_month", "label_range"],
        "bank_statement": ["label_range", "label_range", "title"],
    }.get(kind, ["paydate"])
    if kind == "unemployment_payment":
        period_styles = ["weeks", "paydate"]
    return Family(
        kind=kind,
        index=index,
        lang=lang,
        font=rng.choice(fonts),
        size=rng.choice([8, 8.5, 9, 9.5, 10, 11]),
        landscape=rng.random() < 0.15,
        money=money,
        title=rng.choice(vocab["title"]),
        issuer=rng.choice(vocab["issuer"]),
        target=rng.choice(vocab["target"]),
        words=words,
        summary=rng.choice(summaries),
        info=rng.choice(["lines", "lines", "grid"]),
        period_style=rng.choice(period_styles),
        total_top=rng.random() < 0.25,
        ytd=rng.random() < 0.4 and "ytd" in vocab,
        previous=rng.random() < 0.3 and kind == "rent_notice",
        max_pages=rng.choice([1, 1, 1, 2, 3]),
        date_style=rng.choice(["iso", "iso", "words", "dmy", "compact"]),
        distractors=rng.random() < 0.7,
        bold_total=rng.random() < 0.6,
    )


# --- content -------------------------------------------------------------------------------------


@dataclass
class Content:
    period: str | None
    amount: int
    info: list[tuple[str, str]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    total_row: list[str] | None = None  # cells of a totals row ("Summa", ..., target)
    summary: list[tuple[str, int, bool]] = field(default_factory=list)  # label, öre, is target
    sentence: str = ""
    title_suffix: str = ""
    notes: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


def _date(f: Family, date: dt.date) -> str:
    if f.date_style == "words":
        if f.lang == "en":
            return f"{date.day} {EN_MONTHS[date.month - 1]} {date.year}"
        return f"{date.day} {d.MONTH_NAMES[date.month - 1]} {date.year}"
    if f.date_style == "dmy":
        return date.strftime("%d.%m.%Y")
    if f.date_style == "compact":
        return date.strftime("%Y%m%d")
    return date.isoformat()


def _month(f: Family, month: str, rng: random.Random) -> str:
    if f.lang == "en":
        return f"{EN_MONTHS[int(month[5:]) - 1]} {month[:4]}"
    return d.month_text(rng, month)


def _range(f: Family, start: dt.date, end: dt.date) -> str:
    dash = " – " if f.index % 3 else (" to " if f.lang == "en" else " - ")
    return f"{_date(f, start)}{dash}{_date(f, end)}"


def _period_info(f: Family, rng: random.Random, period: str, content: Content) -> None:
    start, end = d.month_start(period), d.month_end(period)
    label = f.words.get("period", "Period")
    if f.period_style == "label_month":
        content.info.append((label, _month(f, period, rng)))
    elif f.period_style == "label_range":
        content.info.append((label, _range(f, start, end)))
    elif f.period_style == "title":
        content.title_suffix = " " + _month(f, period, rng)


def _person_lines(f: Family, rng: random.Random, content: Content) -> None:
    if not f.distractors:
        return
    year = rng.randint(1950, 2005)
    birth = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    body = birth.strftime("%y%m%d") + f"{rng.randint(0, 999):03d}"
    pnr = f"{birth.strftime('%Y%m%d')}-{body[6:]}{d.luhn_digit(body)}"
    content.info.append(("Personnummer" if f.lang == "sv" else "Personal identity no.", pnr))


def _pay_date(period: str, rng: random.Random, day: int | None = None) -> dt.date:
    return d.weekday_on_or_before(d.month_start(period).replace(day=day or rng.randint(3, 27)))


def payslip(f: Family, rng: random.Random) -> Content:
    period = d.random_month(rng)
    paid_in = d.shift(period, 1) if f.period_style != "paydate" and f.index % 3 == 0 else period
    pay = _pay_date(paid_in, rng, 25)
    whole = f.money.whole
    vocab = VOCAB["payslip"][f.lang]
    rows: list[tuple[str, int]] = [(vocab["rows"][0], d.kronor(rng, 19000, 46000, True))]
    for name in rng.sample(vocab["rows"][2:], rng.randint(0, 4)):
        sign = -1 if "avdrag" in name.lower() or "deduction" in name.lower() else 1
        rows.append((name, sign * d.kronor(rng, 200, 3000, whole)))
    gross = sum(v for _, v in rows)
    tax = gross * rng.randint(19, 33) // 100 // 100 * 100
    net = gross - tax
    c = Content(period, net)
    _period_info(f, rng, period, c)
    c.info.append((f.words["paydate"], _date(f, pay)))
    _person_lines(f, rng, c)
    c.headers = [*vocab["cols"]] + ([f.words["ytd"]] if f.ytd else [])
    months = int(period[5:])
    for name, value in rows:
        cells = [name, "1,00" if value > 0 else "", "", f.money(value)]
        if f.ytd:
            cells.append(f.money(value * months + d.kronor(rng, 0, 2000, whole)))
        c.rows.append(cells)
    tax_cells = [f.words["tax"], "", "", f.money(-tax)]
    if f.ytd:
        tax_cells.append(f.money(-tax * months))
    c.rows.append(tax_cells)
    c.summary = [
        (f.words["gross"], gross, False),
        (f.words["tax"], -tax, False),
        (f.target, net, True),
    ]
    if f.ytd:
        c.notes.append(f"{f.words['ytd']}: {f.money(net * months + d.kronor(rng, 0, 900, whole))}")
    c.total_row = [f.target, "", "", f.money(net)] + ([f.money(net * months)] if f.ytd else [])
    c.sentence = (
        f"Du får {f.money(net)} utbetalt den {_date(f, pay)}."
        if f.lang == "sv"
        else f"You will receive {f.money(net)} on {_date(f, pay)}."
    )
    c.fields = {"gross": d.iso(pay)}
    return c


def rent_notice(f: Family, rng: random.Random) -> Content:
    period = d.random_month(rng)
    due = d.weekday_on_or_before(d.month_end(d.shift(period, -1)))
    vocab = VOCAB["rent_notice"][f.lang]
    whole = f.money.whole
    rows = [(vocab["rows"][0], d.kronor(rng, 3500, 12000, True))]
    for name in rng.sample(vocab["rows"][2:], rng.randint(0, 3)):
        rows.append((name, d.kronor(rng, 100, 900, whole)))
    if f.previous:
        rows.append((f.words["prev"], d.kronor(rng, 0, 3000, whole) if rng.random() < 0.5 else 0))
    total = sum(v for _, v in rows)
    c = Content(period, total)
    _period_info(f, rng, period, c)
    c.info.append((f.words["duedate"], _date(f, due)))
    if f.distractors:
        body = str(rng.randint(10**8, 10**12))
        c.info.append(
            ("OCR-nummer" if f.lang == "sv" else "Reference (OCR)", body + d.luhn_digit(body))
        )
        c.info.append(("Bankgiro", d.bankgiro(rng)))
    c.headers = list(vocab["cols"])
    c.rows = [[name, f.money(value)] for name, value in rows]
    c.total_row = [f.target, f.money(total)]
    c.summary = [(f.target, total, True)]
    if rng.random() < 0.5:
        c.notes.append(
            ("Årshyra" if f.lang == "sv" else "Annual rent") + f" {f.money(rows[0][1] * 12)}"
        )
    c.sentence = (
        f"Betala {f.money(total)} senast {_date(f, due)}."
        if f.lang == "sv"
        else f"Please pay {f.money(total)} by {_date(f, due)}."
    )
    return c


def electricity_bill(f: Family, rng: random.Random) -> Content:
    period = d.random_month(rng)
    invoiced = d.month_start(d.shift(period, 1)) + dt.timedelta(days=rng.randint(2, 8))
    due = invoiced + dt.timedelta(days=rng.randint(20, 30))
    vocab = VOCAB["electricity_bill"][f.lang]
    kwh = rng.randint(120, 1800)
    price = rng.randint(40, 260)  # öre per kWh
    rows = [(vocab["rows"][0], f"{kwh} kWh", f"{price},00 öre/kWh", kwh * price)]
    for name in rng.sample(vocab["rows"][1:], rng.randint(1, 4)):
        rows.append((name, "", "", d.kronor(rng, 30, 600, False)))
    net = sum(r[3] for r in rows)
    vat = net // 4
    total = net + vat
    c = Content(period, total)
    _period_info(f, rng, period, c)
    c.info.append(("Fakturadatum" if f.lang == "sv" else "Invoice date", _date(f, invoiced)))
    c.info.append((f.words["duedate"], _date(f, due)))
    if f.distractors:
        c.info.append(
            (
                "Anläggnings-id" if f.lang == "sv" else "Meter point ID",
                f"735999{rng.randint(10**11, 10**12 - 1)}",
            )
        )
    c.headers = list(vocab["cols"])
    c.rows = [[name, use, pr, f.money(value)] for name, use, pr, value in rows]
    c.rows.append(["Moms 25 %" if f.lang == "sv" else "VAT 25 %", "", "", f.money(vat)])
    c.total_row = [f.target, "", "", f.money(total)]
    c.summary = [
        ("Summa exkl. moms" if f.lang == "sv" else "Total excl. VAT", net, False),
        ("Moms" if f.lang == "sv" else "VAT", vat, False),
        (f.target, total, True),
    ]
    c.sentence = (
        f"Totalt att betala {f.money(total)} senast {_date(f, due)}."
        if f.lang == "sv"
        else f"The total to pay is {f.money(total)} by {_date(f, due)}."
    )
    return c


def _benefit_like(f: Family, rng: random.Random, kind: str, low: int, high: int) -> Content:
    period = d.random_month(rng)
    pay = _pay_date(period, rng)
    vocab = VOCAB[kind][f.lang]
    whole = f.money.whole
    rows = [
        (name, d.kronor(rng, low, high, whole))
        for name in rng.sample(vocab["rows"], rng.randint(1, 3))
    ]
    gross = sum(v for _, v in rows)
    taxed = "tax" in f.words and rng.random() < 0.6
    tax = gross * rng.randint(15, 30) // 100 // 100 * 100 if taxed else 0
    total = gross - tax
    c = Content(period, total)
    c.info.append((f.words["paydate"], _date(f, pay)))
    _person_lines(f, rng, c)
    c.headers = list(vocab["cols"]) + ([f.words["ytd"]] if f.ytd else [])
    months = int(period[5:])
    for name, value in rows:
        c.rows.append([name, f.money(value)] + ([f.money(value * months)] if f.ytd else []))
    if taxed:
        c.rows.append([f.words["tax"], f.money(-tax)] + ([f.money(-tax * months)] if f.ytd else []))
    c.total_row = [f.target, f.money(total)] + ([f.money(total * months)] if f.ytd else [])
    c.summary = ([(f.words["tax"], -tax, False)] if taxed else []) + [(f.target, total, True)]
    c.sentence = (
        f"Vi betalar ut {f.money(total)} till ditt konto den {_date(f, pay)}."
        if f.lang == "sv"
        else f"We will pay {f.money(total)} into your account on {_date(f, pay)}."
    )
    return c


def benefit_payment(f: Family, rng: random.Random) -> Content:
    return _benefit_like(f, rng, "benefit_payment", 600, 9000)


def student_aid(f: Family, rng: random.Random) -> Content:
    c = _benefit_like(f, rng, "student_aid", 1500, 9000)
    if f.distractors:
        c.notes.append(
            ("Din skuld till CSN" if f.lang == "sv" else "Your debt to CSN")
            + f" {f.money(d.kronor(rng, 20000, 300000, False))}"
        )
    return c


def unemployment_payment(f: Family, rng: random.Random) -> Content:
    period = d.random_month(rng)
    pay = _pay_date(period, rng)
    rate = d.kronor(rng, 380, 1200, True)
    weeks = rng.randint(2, 5)
    end_week = pay - dt.timedelta(days=rng.randint(3, 10))
    first = end_week - dt.timedelta(weeks=weeks - 1)
    rows, gross = [], 0
    for w in range(weeks):
        day = first + dt.timedelta(weeks=w)
        days = rng.randint(3, 5)
        gross += days * rate
        iso = day.isocalendar()
        label = f"v. {iso.week:02d} {iso.year}" if f.index % 2 else f"Vecka {iso.week}"
        if f.lang == "en":
            label = f"Week {iso.week}"
        rows.append([label, str(days), f.money(rate), f.money(days * rate)])
    tax = gross * rng.randint(25, 33) // 100 // 100 * 100
    net = gross - tax
    c = Content(period, net)
    if f.period_style == "weeks":
        a, b = first.isocalendar(), end_week.isocalendar()
        word = "vecka" if f.lang == "sv" else "week"
        c.info.append(("Period", f"{word} {a.week:02d} {a.year} – {word} {b.week:02d} {b.year}"))
    c.info.append((f.words["paydate"], _date(f, pay)))
    _person_lines(f, rng, c)
    c.headers = list(VOCAB["unemployment_payment"][f.lang]["cols"])
    c.rows = rows
    c.total_row = [f.words["gross"], "", "", f.money(gross)]
    c.summary = [
        (f.words["gross"], gross, False),
        (f.words["tax"], -tax, False),
        (f.target, net, True),
    ]
    c.sentence = (
        f"Efter skatt får du {f.money(net)} den {_date(f, pay)}."
        if f.lang == "sv"
        else f"After tax you get {f.money(net)} on {_date(f, pay)}."
    )
    return c


def pension(f: Family, rng: random.Random) -> Content:
    period = d.random_month(rng)
    pay = _pay_date(period, rng, 19)
    vocab = VOCAB["pension"][f.lang]
    rows = []
    for name in rng.sample(vocab["rows"], rng.randint(1, 3)):
        before = d.kronor(rng, 800, 14000, False)
        tax = before * rng.randint(0, 30) // 100
        rows.append((name, before, tax))
    gross = sum(r[1] for r in rows)
    tax = sum(r[2] for r in rows)
    net = gross - tax
    c = Content(period, net)
    c.info.append((f.words["paydate"], _date(f, pay)))
    _person_lines(f, rng, c)
    c.headers = list(vocab["cols"])
    c.rows = [[n, f.money(b), f.money(-t), f.money(b - t)] for n, b, t in rows]
    c.total_row = [
        "Summa" if f.lang == "sv" else "Total",
        f.money(gross),
        f.money(-tax),
        f.money(net),
    ]
    c.summary = [
        (f.words["gross"], gross, False),
        (f.words["tax"], -tax, False),
        (f.target, net, True),
    ]
    c.sentence = (
        f"Du får totalt {f.money(net)} efter skatt den {_date(f, pay)}."
        if f.lang == "sv"
        else f"You get {f.money(net)} in total after tax on {_date(f, pay)}."
    )
    return c


def bank_statement(f: Family, rng: random.Random) -> Content:
    period = d.random_month(rng)
    start, end = d.month_start(period), d.month_end(period)
    opening = d.kronor(rng, -2000, 25000, False)
    count = rng.choice([4, 8, 12, 20, 30, 45]) if f.max_pages > 1 else rng.choice([4, 8, 12, 18])
    days = sorted(
        start + dt.timedelta(days=rng.randint(0, (end - start).days)) for _ in range(count)
    )
    vocab = VOCAB["bank_statement"][f.lang]
    balance = opening
    c = Content(period, 0)
    c.headers = list(vocab["cols"])
    for day in days:
        roll = rng.random()
        if roll < 0.1:
            text, value = ("Lön" if f.lang == "sv" else "Salary"), d.kronor(rng, 9000, 30000, False)
        elif roll < 0.2:
            text, value = "Swish " + rng.choice(d.GIVEN), d.kronor(rng, -800, 800, False)
        elif roll < 0.25:
            text, value = ("Hyra" if f.lang == "sv" else "Rent"), -d.kronor(rng, 4000, 11000, False)
        else:
            text, value = rng.choice(SHOPS), -d.kronor(rng, 15, 1200, False)
        balance += value
        c.rows.append([_date(f, day), text, f.money(value), f.money(balance)])
    c.amount = balance
    _period_info(f, rng, period, c)
    if f.distractors:
        c.info.append(
            (
                "Kontonummer" if f.lang == "sv" else "Account number",
                f"{rng.randint(3000, 9999)}-{rng.randint(0, 9)} {rng.randint(10**8, 10**9 - 1)}",
            )
        )
    saldo = f.words["opening"]
    c.summary = [(saldo, opening, False), (f.target, balance, True)]
    if f.summary == "saldo_date":
        c.summary = [
            (f"Saldo {_date(f, start)}", opening, False),
            (f"Saldo {_date(f, end)}", balance, True),
        ]
    if f.summary == "last_row":
        c.rows.insert(0, [_date(f, start), saldo, "", f.money(opening)])
        c.summary = []
    c.total_row = None
    c.notes.append(
        ("Beviljad kredit" if f.lang == "sv" else "Credit limit")
        + f" {f.money(d.kronor(rng, 0, 20000, True))}"
    )
    c.sentence = (
        f"Saldot den {_date(f, end)} var {f.money(balance)}."
        if f.lang == "sv"
        else f"Your balance on {_date(f, end)} was {f.money(balance)}."
    )
    return c


CONTENT = {
    "payslip": payslip,
    "rent_notice": rent_notice,
    "electricity_bill": electricity_bill,
    "benefit_payment": benefit_payment,
    "unemployment_payment": unemployment_payment,
    "student_aid": student_aid,
    "pension": pension,
    "bank_statement": bank_statement,
}


# --- layout --------------------------------------------------------------------------------------


def _leaders(s: Sheet, x0: float, x1: float, y: float, label: str, value: str, bold: bool) -> None:
    s.text(x0, y, label, bold=bold)
    s.right(x1, y, value, bold=bold)
    start = x0 + s.width(label, bold=bold) + 1.5
    stop = x1 - s.width(value, bold=bold) - 1.5
    dots = int((stop - start) / max(0.1, s.width(".")))
    if dots > 2:
        s.text(start, y, "." * dots)


def render(f: Family, c: Content, rng: random.Random) -> Sheet:
    s = Sheet(f.font, size=f.size, landscape=f.landscape)
    width, height = s.WIDTH, s.HEIGHT
    left, right = 18.0, width - 18.0
    step = f.size * 0.5
    # Split the rows over the family's pages.
    pages = rng.randint(1, f.max_pages)
    if len(c.rows) < 2 * pages:
        pages = 1
    per_page = -(-len(c.rows) // pages)
    # Every row is printed (the truth adds them all up): a page holds what fits above its totals.
    fits = max(4, int((height - 40 - 60 - 12 * step) / step))
    per_page = min(per_page, fits)
    chunks = [c.rows[i : i + per_page] for i in range(0, len(c.rows), per_page)] or [[]]
    pages = len(chunks)
    for number, chunk in enumerate(chunks, start=1):
        if number > 1:
            s.new_page()
        s.text(left, 20, f.issuer, size=f.size + 5, bold=True)
        s.text(left, 28, f.title + c.title_suffix, size=f.size + 3, bold=True)
        y = 40.0
        if number == 1:
            person = d.person(rng)
            s.lines(width * 0.56, 22, person.address, step=step)
            if f.info == "lines":
                for label, value in c.info:
                    s.text(left, y, f"{label}: {value}" if f.index % 2 else label)
                    if not f.index % 2:
                        s.text(left + 48, y, value)
                    y += step
            else:
                x = left
                for label, value in c.info:
                    s.text(x, y, label, size=f.size - 1)
                    s.text(x, y + step, value)
                    x += (right - left) / max(4, len(c.info))
                y += 2 * step
            if f.total_top:
                s.box(width * 0.56, 34, right - width * 0.56, 2.6 * step)
                s.text(width * 0.56 + 2, 34 + step, f.target, size=f.size - 0.5)
                s.right(right - 2, 34 + 2.2 * step, f.money(c.amount), bold=True)
        y += step
        # the table
        columns = len(c.headers)
        xs = [left] + [
            left + (right - left) * (0.45 + 0.55 * i / max(1, columns - 1))
            for i in range(1, columns)
        ]
        if f.kind == "bank_statement":
            xs = [left, left + 28] + [
                left + (right - left) * (0.65 + 0.35 * i / 2) for i in range(columns - 2)
            ]
        for i, header in enumerate(c.headers):
            (s.text if i < (2 if f.kind == "bank_statement" else 1) else s.right)(
                xs[i], y, header, bold=True
            )
        s.rule(left, y + 1.2, right)
        y += step + 1
        for row in chunk:
            for i, cell in enumerate(row):
                if i < (2 if f.kind == "bank_statement" else 1):
                    s.text(xs[i], y, cell)
                elif i < len(xs):
                    s.right(xs[i], y, cell)
            y += step
        last = number == pages
        if last and f.summary == "table_total" and c.total_row:
            s.rule(left, y - step + 1.5, right)
            y += 1
            for i, cell in enumerate(c.total_row):
                if not cell:
                    continue
                if i == 0:
                    s.text(xs[0], y, cell, bold=True)
                elif i < len(xs):
                    s.right(xs[i], y, cell, bold=f.bold_total)
            y += step
        if last:
            y += step
            x_label, x_value = (width * 0.5, right) if f.index % 2 else (left, width * 0.6)
            if f.summary == "table_total" and c.total_row is None:
                summary = c.summary
            elif f.summary == "table_total":
                summary = [sm for sm in c.summary if not sm[2]]
            else:
                summary = c.summary
            if f.summary == "sentence":
                s.text(left, y, c.sentence, bold=f.bold_total)
                y += step
                summary = [sm for sm in summary if not sm[2]]
            if f.summary == "boxes" and summary:
                w = (right - left) / len(summary)
                for i, (label, ore, target) in enumerate(summary):
                    s.box(left + i * w, y - step, w - 2, 2.6 * step)
                    s.text(left + i * w + 2, y, label, size=f.size - 1)
                    s.right(
                        left + (i + 1) * w - 4,
                        y + 1.2 * step,
                        f.money(ore),
                        bold=target and f.bold_total,
                    )
                y += 3 * step
            else:
                for label, ore, target in summary:
                    bold = target and f.bold_total
                    if f.summary == "leaders":
                        _leaders(s, x_label, x_value, y, label, f.money(ore), bold)
                    elif f.summary == "colon":
                        s.text(x_label, y, f"{label}: {f.money(ore)}", bold=bold)
                    else:
                        s.text(x_label, y, label, bold=bold)
                        s.right(x_value, y, f.money(ore), bold=bold)
                    y += step
            for note in c.notes:
                y += step
                s.text(left, y, note, size=f.size - 1)
        s.rule(left, height - 15, right, 0.15)
        s.text(left, height - 10, f"{f.issuer} · Org.nr {d.org_number(rng)}", size=7)
        s.right(
            right,
            height - 10,
            (f"Sida {number} av {pages}" if f.lang == "sv" else f"Page {number} of {pages}"),
            size=7,
        )
    return s


@dataclass
class Made:
    family: Family
    sheet: Sheet
    content: Content


def make(kind: str, index: int, rng: random.Random) -> Made:
    f = family(kind, index)
    content = CONTENT[kind](f, rng)
    return Made(f, render(f, content, rng), content)


def _amount(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    return f"{sign}{abs(ore) // 100}.{abs(ore) % 100:02d}"


def generate(
    out: Path,
    seed: int,
    families: int,
    per_family: int,
    photos_per_kind: int = 0,
    kinds: list[str] | None = None,
    first_family: int = 0,
) -> list[dict[str, object]]:
    """Write ``per_family`` PDFs of each of ``families`` families per kind, and a manifest."""
    from bench.corpus.photo import phone_photo

    out.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, object]] = []
    for kind in kinds or KINDS:
        photo_rng = random.Random(f"{seed}-{kind}-photos")
        photo_left = photos_per_kind
        for index in range(first_family, first_family + families):
            for number in range(per_family):
                rng = random.Random(f"{seed}-{kind}-{index}-{number}")
                made = make(kind, index, rng)
                pdf = made.sheet.bytes()
                stem = f"{made.family.name}-{number}"
                (out / f"{stem}.pdf").write_bytes(pdf)
                truth = {
                    "kind": kind,
                    "period": made.content.period,
                    "amount": _amount(made.content.amount),
                    "layout": made.family.summary,
                    "family": made.family.name,
                    "family_index": index,
                    "lang": made.family.lang,
                    "pages": made.sheet.page_count,
                }
                entries.append({"file": f"{stem}.pdf", "variant": "pdf", "note": "", **truth})
                if photo_left and made.sheet.page_count == 1 and number == 0 and index % 2 == 0:
                    photo_left -= 1
                    photo = phone_photo(pdf, photo_rng, hard=photo_left % 3 == 2)
                    name = f"{stem}-photo{photo.suffix}"
                    (out / name).write_bytes(photo.data)
                    entries.append({"file": name, "variant": "photo", "note": photo.note, **truth})
    manifest = {"seed": seed, "generator": "grammar", "documents": entries}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--families", type=int, default=48, help="families per kind")
    parser.add_argument("--first-family", type=int, default=0)
    parser.add_argument("--per-family", type=int, default=3, help="documents per family")
    parser.add_argument("--photos", type=int, default=0, help="phone photos per kind")
    args = parser.parse_args()
    entries = generate(
        args.out,
        args.seed,
        args.families,
        args.per_family,
        args.photos,
        first_family=args.first_family,
    )
    print(f"{len(entries)} documents in {args.out}")


if __name__ == "__main__":
    main()
