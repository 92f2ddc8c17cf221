"""Realistic Swedish documents of every kind, several layouts each, with the truth about them.

Every builder takes a seeded ``random.Random`` and gives a drawn ``Sheet`` plus what a reader
should find: the kind, the period (``YYYY-MM``) and the one amount that matters, in öre.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.corpus import data as d
from bench.corpus.render import Sheet, available_fonts, covers


@dataclass
class Generated:
    kind: str
    layout: str
    sheet: Sheet
    period: str | None
    amount_ore: int | None
    fields: dict[str, str] = field(default_factory=dict)


def _sheet(rng: random.Random, money: d.Money) -> Sheet:
    needed = "åäöÅÄÖ–" + money.group + ("" if money.minus == "trailing" else money.minus)
    families = [f for f in available_fonts() if covers(f, needed)]
    return Sheet(rng.choice(families), size=rng.choice([8.5, 9, 9.5, 10]))


def _letterhead(s: Sheet, rng: random.Random, issuer: str, extra: list[str]) -> None:
    s.text(18, 20, issuer, size=s.size + 5, bold=True)
    s.lines(18, 26, extra, step=4.2, size=s.size - 1.5)


def _recipient(s: Sheet, person: d.Person, y: float = 45) -> None:
    s.lines(118, y, person.address, step=4.8)


def _footer(s: Sheet, rng: random.Random, issuer: str, page: int, pages: int) -> None:
    s.rule(18, 282, 192, 0.15)
    s.text(18, 287, f"{issuer} · Org.nr {d.org_number(rng)}", size=7)
    s.right(192, 287, f"Sida {page} av {pages}", size=7)


# --- payslip -------------------------------------------------------------------------------------

PAYSLIP_NET = ["Att utbetala", "Nettolön", "Utbetalt belopp", "Utbetalas", "Nettobelopp"]
PAYSLIP_GROSS = ["Bruttolön", "Summa brutto", "Bruttobelopp"]
PAYSLIP_TAX = ["Preliminär skatt", "Prel. skatt", "Skatteavdrag", "Skatt"]
YTD_HEADINGS = ["Hittills i år", "Ack.", "Ackumulerat", "Hittills i år"]


def payslip(rng: random.Random) -> Generated:
    money = d.money(rng)
    s = _sheet(rng, money)
    period = d.random_month(rng)
    arrears = rng.random() < 0.35
    pay_month = d.shift(period, 1) if arrears else period
    pay_day = d.weekday_on_or_before(d.month_start(pay_month).replace(day=25))
    whole = money.whole
    rows: list[tuple[str, str, str, int]] = []
    if rng.random() < 0.7:
        base = d.kronor(rng, 21000, 46000, True)
        rows.append(("Månadslön", "1,00", money(base, False), base))
    else:
        hours, rate = rng.randint(60, 170), d.kronor(rng, 140, 260, whole)
        base = hours * rate
        rows.append(("Timlön", f"{hours},00", money(rate, False), base))
    for name, low, high, sign in [
        ("OB-tillägg", 300, 3200, 1),
        ("Övertid", 500, 4000, 1),
        ("Sjukavdrag", 400, 5000, -1),
        ("Karensavdrag", 300, 1200, -1),
        ("Semestertillägg", 200, 1500, 1),
    ]:
        if rng.random() < 0.3:
            value = sign * d.kronor(rng, low, high, whole)
            rows.append((name, "", "", value))
    gross = sum(r[3] for r in rows)
    tax = -(gross * rng.randint(19, 33) // 100 // 100 * 100)
    deductions = []
    if rng.random() < 0.3:
        deductions.append(("Nettolöneavdrag lunch", -d.kronor(rng, 100, 600, whole)))
    if rng.random() < 0.2:
        deductions.append(("Förmånsbil nettoavdrag", -d.kronor(rng, 200, 900, whole)))
    net = gross + tax + sum(v for _, v in deductions)
    months_in = int(period[5:])
    ytd = [gross * months_in + d.kronor(rng, 0, 3000, whole), tax * months_in]
    ytd_net = ytd[0] + ytd[1] + sum(v for _, v in deductions) * months_in
    employer = rng.choice(
        [
            "Byggservice i Borås AB",
            "Vårdbolaget Omsorg AB",
            "Lagerlogistik Nord AB",
            "Restaurang Solsidan HB",
            "Städ & Fastighet i Mölndal AB",
            "Exempelkommun",
        ]
    )
    employee = d.person(rng)
    net_label = rng.choice(PAYSLIP_NET)
    gross_label = rng.choice(PAYSLIP_GROSS)
    tax_label = rng.choice(PAYSLIP_TAX)
    title = rng.choice(["LÖNESPECIFIKATION", "Lönespecifikation", "Lönebesked"])
    _letterhead(s, rng, employer, [f"Org.nr {d.org_number(rng)}", title])
    _recipient(s, employee)
    start, end = d.month_start(period), d.month_end(period)
    period_line = rng.choice(
        [
            f"Löneperiod: {d.range_text(rng, start, end)}",
            f"Löneperiod {d.month_text(rng, period)}",
            f"Period: {d.month_text(rng, period)}",
            f"Avser period {d.range_text(rng, start, end)}",
        ]
    )
    info = [
        period_line,
        f"Utbetalningsdag: {d.date_text(rng, pay_day)}",
        f"Anställningsnr: {rng.randint(1000, 99999)}",
        f"Skattetabell {rng.randint(29, 35)}, kolumn 1",
    ]
    rng.shuffle(info)
    s.lines(18, 48, info, step=4.8)
    layout = rng.choice(["columns", "boxes", "sections", "inline"])
    y = 80.0
    s.text(18, y, "Lönart", bold=True)
    s.text(80, y, "Antal", bold=True)
    s.right(140, y, "À-pris", bold=True)
    s.right(190, y, "Belopp", bold=True)
    s.rule(18, y + 1.5, 192)
    y += 7
    for name, count, price, value in rows:
        s.text(18, y, name)
        if count:
            s.text(80, y, count)
        if price:
            s.right(140, y, price)
        s.right(190, y, money(value))
        y += 5.5
    for name, value in deductions:
        s.text(18, y, name)
        s.right(190, y, money(value))
        y += 5.5
    y += 6
    summary = [(gross_label, gross, ytd[0]), (tax_label, tax, ytd[1])]
    summary += [(n, v, v * months_in) for n, v in deductions]
    summary.append((net_label, net, ytd_net))
    if layout == "columns":
        left, right = rng.choice(
            [("Perioden", "Hittills i år"), ("Denna period", "Ack."), ("Belopp", "Ackumulerat")]
        )
        s.right(140, y, left, bold=True)
        s.right(190, y, right, bold=True)
        s.rule(18, y + 1.5, 192)
        y += 7
        for name, value, accumulated in summary:
            bold = name == net_label
            s.text(18, y, name, bold=bold)
            s.right(140, y, money(value), bold=bold)
            s.right(190, y, money(accumulated))
            y += 5.5
    elif layout == "boxes":
        width = 174 / len(summary)
        for i, (name, _, _) in enumerate(summary):
            s.box(18 + i * width, y - 5, width, 22, shade=235 if i % 2 else None)
            s.text(20 + i * width, y, name.split()[0] if len(name) > 18 else name, size=s.size - 1)
        y += 7
        for i, (_, value, _) in enumerate(summary):
            s.right(16 + (i + 1) * width, y, money(value), bold=True)
        y += 7
        s.text(20, y, rng.choice(YTD_HEADINGS), size=s.size - 1.5)
        for i, (_, _, accumulated) in enumerate(summary):
            if i:
                s.right(16 + (i + 1) * width, y, money(accumulated), size=s.size - 1)
        y += 10
    elif layout == "sections":
        for name, value, _ in summary:
            s.text(18, y, f"{name}:", bold=name == net_label)
            s.right(110, y, money(value), bold=name == net_label)
            y += 5.5
        y += 8
        s.text(
            18,
            y,
            rng.choice(["Hittills i år", "Ackumulerat", "Hittills i år " + period[:4]]),
            bold=True,
        )
        y += 6
        for name, _, accumulated in summary[:2]:
            s.text(18, y, name)
            s.right(110, y, money(accumulated))
            y += 5.5
    else:  # inline
        for name, value, accumulated in summary:
            s.text(18, y, name, bold=name == net_label)
            s.right(120, y, money(value), bold=name == net_label)
            s.text(135, y, rng.choice(["Ack.", "Hittills i år"]), size=s.size - 1)
            s.right(190, y, money(accumulated), size=s.size - 1)
            y += 5.5
    y += 10
    s.text(
        18,
        y,
        f"Semesterdagar kvar: {rng.randint(0, 30)}   Sparade: {rng.randint(0, 10)}",
        size=s.size - 1,
    )
    s.text(
        18,
        y + 5,
        f"Lönen sätts in på konto {rng.randint(1000, 9999)}-{rng.randint(10**9, 10**10 - 1)}",
        size=s.size - 1,
    )
    _footer(s, rng, employer, 1, 1)
    fields = {"gross": _amount(gross), "tax": _amount(tax)}
    return Generated("payslip", layout, s, period, net, fields)


def _amount(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    return f"{sign}{abs(ore) // 100}.{abs(ore) % 100:02d}"


# --- rent notice ---------------------------------------------------------------------------------


def rent_notice(rng: random.Random) -> Generated:
    money = d.money(rng, whole_kronor_likely=True)
    s = _sheet(rng, money)
    month = d.random_month(rng)
    due = d.last_weekday(*map(int, d.shift(month, -1).split("-")))
    whole = money.whole or rng.random() < 0.6
    brf = rng.random() < 0.25
    rows = [
        (
            "Månadsavgift" if brf else rng.choice(["Hyra lägenhet", "Hyra bostad", "Grundhyra"]),
            d.kronor(rng, 3500, 12500, whole),
        )
    ]
    for name, low, high in [
        ("Parkering", 250, 900),
        ("Garage", 600, 1400),
        ("Förråd", 80, 300),
        ("Bredband", 99, 399),
        ("Vatten (IMD)", 120, 450),
        ("Hushållsel", 150, 700),
    ]:
        if rng.random() < 0.25:
            rows.append((name, d.kronor(rng, low, high, whole)))
    if rng.random() < 0.1:
        rows.append(("Hyresrabatt", -d.kronor(rng, 100, 500, whole)))
    total = sum(v for _, v in rows)
    landlord = (
        rng.choice(["Brf Solrosen", "HSB Brf Eken", "Riksbyggen Brf Lärkan"])
        if brf
        else rng.choice(
            [
                "Bostadsbolaget i Mölndal AB",
                "Vänersborgsbostäder AB",
                "Hyresfastigheter Norr AB",
                "Familjebostäder i Borås",
                "Fastighets AB Hemmet",
            ]
        )
    )
    tenant = d.person(rng)
    ocr, bankgiro = d.ocr_number(rng), d.bankgiro(rng)
    _letterhead(s, rng, landlord, [f"Org.nr {d.org_number(rng)}", "Kundtjänst 010-123 45 67"])
    s.text(
        18,
        42,
        "AVGIFTSAVI" if brf else rng.choice(["HYRESAVI", "Hyresavi", "Avi"]),
        size=s.size + 3,
        bold=True,
    )
    _recipient(s, tenant)
    start, end = d.month_start(month), d.month_end(month)
    period_text = rng.choice(
        [
            f"Avser: {d.month_text(rng, month)}",
            f"Avser period: {d.range_text(rng, start, end)}",
            f"Hyresperiod {d.range_text(rng, start, end)}",
            f"Period {d.month_text(rng, month)}",
        ]
    )
    total_label = rng.choice(
        ["Att betala", "Summa att betala", "Totalt att betala", "Belopp att betala"]
    )
    layout = rng.choice(["table", "slip", "summary"])
    info = [
        period_text,
        f"Förfallodag: {d.date_text(rng, due)}",
        f"Objekt: {rng.randint(1000, 9999)}-{rng.randint(1000, 1400)}",
        f"Kontraktsnr: {rng.randint(100000, 999999)}",
    ]
    s.lines(18, 52, info, step=4.8)
    y = 82.0
    if layout == "summary":
        s.box(118, 64, 74, 14, shade=240)
        s.text(121, 70, total_label, bold=True)
        s.right(189, 75, money(total), bold=True, size=s.size + 2)
        y = 88
    s.text(18, y, "Specifikation", bold=True)
    s.right(190, y, "Belopp", bold=True)
    s.rule(18, y + 1.5, 192)
    y += 7
    for name, value in rows:
        s.text(18, y, name)
        s.right(190, y, money(value))
        y += 5.5
    s.rule(140, y - 3.5, 192)
    y += 1.5
    if layout != "summary" or rng.random() < 0.5:
        s.text(18, y, total_label, bold=True)
        s.right(190, y, money(total), bold=True)
    else:
        s.text(18, y, "Summa")
        s.right(190, y, money(total))
    y += 10
    if rng.random() < 0.5:
        yearly = rows[0][1] * 12
        s.text(
            18,
            y,
            f"Årshyra: {money(yearly)}" if not brf else f"Årsavgift: {money(yearly)}",
            size=s.size - 1,
        )
        y += 5
    if rng.random() < 0.4:
        s.text(
            18,
            y,
            f"Hyran höjs från 1 januari med {rng.randint(2, 6)},{rng.randint(0, 9)} %.",
            size=s.size - 1,
        )
        y += 5
    s.text(18, y, f"Bankgiro: {bankgiro}   OCR-nummer: {ocr}", size=s.size - 0.5)
    if layout == "slip":
        y = 222
        s.rule(10, y, 200, 0.4)
        s.text(18, y + 8, "INBETALNING/GIRERING AVI", bold=True, size=s.size - 1)
        s.text(18, y + 16, "OCR-nummer")
        s.text(18, y + 21, ocr, bold=True)
        s.text(90, y + 16, "Att betala")
        s.text(90, y + 21, money(total), bold=True)
        s.text(140, y + 16, "Till bankgironummer")
        s.text(140, y + 21, bankgiro, bold=True)
        s.text(18, y + 32, f"Betalningsmottagare: {landlord}", size=s.size - 1)
    _footer(s, rng, landlord, 1, 1)
    fields = {"due_date": due.isoformat(), "ocr": ocr, "bankgiro": bankgiro}
    return Generated("rent_notice", layout, s, month, total, fields)


# --- electricity ---------------------------------------------------------------------------------


def electricity_bill(rng: random.Random) -> Generated:
    money = d.money(rng)
    s = _sheet(rng, money)
    month = d.random_month(rng)
    invoice_month = d.shift(month, 1)
    invoice_date = d.month_start(invoice_month) + dt.timedelta(days=rng.randint(2, 9))
    due = d.last_weekday(*map(int, invoice_month.split("-")))
    kwh = rng.randint(120, 1400)
    price = rng.randint(40, 260)  # öre per kWh
    transfer = rng.randint(20, 45)
    energy_tax = 439  # 43,9 öre per kWh (configuration in real life; here a plausible figure)
    rows = [
        ("Elhandel fast avgift", d.kronor(rng, 29, 69, False)),
        (f"Elhandel rörligt pris {kwh} kWh", kwh * price),
        ("Elnät abonnemang", d.kronor(rng, 180, 420, False)),
        (f"Elnät överföring {kwh} kWh", kwh * transfer),
        (f"Energiskatt {kwh} kWh", kwh * energy_tax // 10),
    ]
    excl = sum(v for _, v in rows)
    vat = round(excl * 0.25)
    rounding = -((excl + vat) % 100) if (excl + vat) % 100 < 50 else 100 - (excl + vat) % 100
    total = excl + vat + rounding
    company = rng.choice(
        ["Västkust Energi AB", "Norrsken El AB", "Elbolaget Syd AB", "Kommunens Energi AB"]
    )
    customer = d.person(rng)
    ocr, bankgiro = d.ocr_number(rng), d.bankgiro(rng)
    _letterhead(s, rng, company, [f"Org.nr {d.org_number(rng)}", "Kundservice 0771-12 34 56"])
    s.text(18, 42, rng.choice(["FAKTURA", "Faktura el", "Elräkning"]), size=s.size + 3, bold=True)
    _recipient(s, customer)
    start, end = d.month_start(month), d.month_end(month)
    period_text = rng.choice(
        [
            f"Förbrukningsperiod: {d.range_text(rng, start, end)}",
            f"Avser period: {d.range_text(rng, start, end)}",
            f"Avser förbrukning {d.month_text(rng, month)}",
            f"Mätperiod {d.range_text(rng, start, end)}",
        ]
    )
    s.lines(
        18,
        52,
        [
            f"Fakturadatum: {d.date_text(rng, invoice_date)}",
            f"Förfallodatum: {d.date_text(rng, due)}",
            period_text,
            f"Anläggnings-id: 735999{rng.randint(10**11, 10**12 - 1)}",
            f"Förbrukning: {kwh} kWh",
        ],
        step=4.8,
    )
    total_label = rng.choice(
        ["Att betala", "Summa att betala", "Totalt att betala", "Belopp att betala"]
    )
    layout = rng.choice(["plain", "grouped", "history"])
    y = 88.0
    s.text(18, y, "Specifikation", bold=True)
    s.right(190, y, "Belopp", bold=True)
    s.rule(18, y + 1.5, 192)
    y += 7
    if layout == "grouped":
        groups = [("Elhandel", rows[:2]), ("Elnät", rows[2:])]
        for title, group in groups:
            s.text(18, y, title, bold=True)
            y += 5.5
            for name, value in group:
                s.text(22, y, name)
                s.right(190, y, money(value))
                y += 5.5
            s.text(22, y, f"Summa {title.lower()}")
            s.right(160, y, money(sum(v for _, v in group)))
            y += 7
    else:
        for name, value in rows:
            s.text(18, y, name)
            s.right(190, y, money(value))
            y += 5.5
    s.rule(140, y - 3.5, 192)
    y += 1.5
    for name, value in [
        ("Summa exkl. moms", excl),
        ("Moms 25 %", vat),
        ("Öresavrundning", rounding),
    ]:
        s.text(18, y, name)
        s.right(190, y, money(value))
        y += 5.5
    s.text(18, y + 1, total_label, bold=True)
    s.right(190, y + 1, money(total), bold=True)
    y += 14
    if layout == "history":
        s.text(18, y, "Din förbrukning och tidigare fakturor", bold=True)
        y += 6
        for back in range(1, 5):
            earlier = d.shift(month, -back)
            s.text(18, y, d.month_text(rng, earlier))
            s.text(70, y, f"{rng.randint(100, 1500)} kWh")
            s.right(150, y, money(d.kronor(rng, 300, 2500, False)))
            y += 5
        y += 5
    s.text(18, y, f"Bankgiro {bankgiro}   OCR {ocr}", size=s.size - 0.5)
    _footer(s, rng, company, 1, 1)
    return Generated(
        "electricity_bill",
        layout,
        s,
        month,
        total,
        {"due_date": due.isoformat(), "ocr": ocr, "bankgiro": bankgiro},
    )


# --- Försäkringskassan ----------------------------------------------------------------------


def benefit_payment(rng: random.Random) -> Generated:
    money = d.money(rng, whole_kronor_likely=True)
    s = _sheet(rng, money)
    month = d.random_month(rng)
    pay_day = d.weekday_on_or_before(d.month_start(month).replace(day=rng.choice([5, 18, 20, 25])))
    children = rng.randint(0, 4)
    rows: list[tuple[str, int, bool]] = []  # name, amount, taxable
    if children:
        rows.append(("Barnbidrag", 125000 * children, False))
        extra = {2: 15000, 3: 73000, 4: 164000}.get(children)
        if extra:
            rows.append(("Flerbarnstillägg", extra, False))
    if rng.random() < 0.5:
        rows.append(("Bostadsbidrag", d.kronor(rng, 400, 4600, True), False))
    if rng.random() < 0.3 and children:
        rows.append(("Underhållsstöd", 167300 * rng.randint(1, children), False))
    if rng.random() < 0.4 or not rows:
        rows.append(
            (
                rng.choice(["Sjukpenning", "Föräldrapenning", "Aktivitetsstöd", "Sjukersättning"]),
                d.kronor(rng, 2000, 19000, True),
                True,
            )
        )
    taxable = sum(v for _, v, t in rows if t)
    tax = -(taxable * rng.randint(25, 32) // 100 // 100 * 100)
    total = sum(v for _, v, _ in rows) + tax
    person = d.person(rng)
    _letterhead(s, rng, "Försäkringskassan", ["105 11 Stockholm", "Telefon 0771-524 524"])
    _recipient(s, person)
    title = rng.choice(
        ["Utbetalningsbesked", "UTBETALNINGSBESKED", "Utbetalning från Försäkringskassan"]
    )
    s.text(18, 72, title, size=s.size + 3, bold=True)
    total_label = rng.choice(
        ["Summa utbetalt", "Utbetalt belopp", "Att utbetala", "Summa att utbetala"]
    )
    layout = rng.choice(["table", "lines"])
    y = 82.0
    pay_text = rng.choice(
        [
            f"Utbetalningsdag: {d.date_text(rng, pay_day)}",
            f"Pengarna betalas ut den {pay_day.day} {d.MONTH_NAMES[pay_day.month - 1]} "
            f"{pay_day.year}.",
            f"Utbetalningsdatum {d.date_text(rng, pay_day)}",
        ]
    )
    s.text(18, y, pay_text)
    y += 10
    if rng.random() < 0.3:
        earlier = d.shift(month, -1)
        s.text(
            18,
            y,
            "Sjukpenningen avser perioden "
            f"{d.range_text(rng, d.month_start(earlier), d.month_end(earlier))}.",
            size=s.size - 1,
        )
        y += 8
    if layout == "table":
        s.text(18, y, "Förmån", bold=True)
        s.right(190, y, "Belopp", bold=True)
        s.rule(18, y + 1.5, 192)
        y += 7
    for name, value, _ in rows:
        s.text(18, y, name)
        s.right(190 if layout == "table" else 120, y, money(value))
        y += 5.5
    if tax:
        s.text(18, y, rng.choice(["Preliminär skatt", "Avdragen skatt", "Skatteavdrag"]))
        s.right(190 if layout == "table" else 120, y, money(tax))
        y += 5.5
    y += 2
    s.text(18, y, total_label, bold=True)
    s.right(190 if layout == "table" else 120, y, money(total), bold=True)
    y += 12
    s.text(
        18,
        y,
        "Pengarna sätts in på ditt konto i "
        f"{rng.choice(['Swedbank', 'Nordea', 'Handelsbanken', 'SEB'])}.",
        size=s.size - 1,
    )
    if rng.random() < 0.4:
        s.text(
            18, y + 5, f"Utbetalt hittills i år: {money(total * int(month[5:]))}", size=s.size - 1
        )
    _footer(s, rng, "Försäkringskassan", 1, 1)
    return Generated(
        "benefit_payment", layout, s, month, total, {"tax": _amount(tax)} if tax else {}
    )


# --- a-kassa -------------------------------------------------------------------------------------


def unemployment_payment(rng: random.Random) -> Generated:
    money = d.money(rng, whole_kronor_likely=True)
    s = _sheet(rng, money)
    month = d.random_month(rng)
    pay_day = d.weekday_on_or_before(d.month_start(month).replace(day=rng.randint(3, 27)))
    days = rng.randint(5, 22)
    rate = d.kronor(rng, 380, 1200, True)
    gross = days * rate
    tax = -(gross * rng.randint(25, 33) // 100 // 100 * 100)
    net = gross + tax
    fund = rng.choice(
        [
            "Unionens a-kassa",
            "Akademikernas a-kassa",
            "IF Metalls a-kassa",
            "Alfa-kassan",
            "Kommunals a-kassa",
            "Handelsanställdas a-kassa",
            "Byggnads a-kassa",
        ]
    )
    person = d.person(rng)
    _letterhead(s, rng, fund, ["Box 1234, 111 00 Stockholm", "Arbetslöshetskassa"])
    _recipient(s, person)
    s.text(
        18,
        72,
        rng.choice(["Utbetalningsbesked", "Utbetalningsspecifikation", "Besked om utbetalning"]),
        size=s.size + 3,
        bold=True,
    )
    week = pay_day.isocalendar().week
    first_week = max(1, week - 4)
    y = 82.0
    s.lines(
        18,
        y,
        [
            f"Utbetalningsdag: {d.date_text(rng, pay_day)}",
            f"Ersättningsperiod: vecka {first_week}–{max(first_week, week - 1)}",
            f"Ersättningsdagar kvar: {rng.randint(10, 290)}",
        ],
        step=4.8,
    )
    y += 20
    layout = rng.choice(["grid", "lines"])
    net_label = rng.choice(["Netto", "Att utbetala", "Utbetalt belopp", "Nettobelopp"])
    if layout == "grid":
        columns = [
            ("Dagar", str(days), None),
            ("Dagpenning", money(rate, False), None),
            ("Brutto", money(gross), gross * 4),
            ("Skatt", money(tax), tax * 4),
            (net_label, money(net), net * 4),
        ]
        for i, (name, _, _) in enumerate(columns):
            s.right(60 + i * 32, y, name, bold=True)
        s.rule(18, y + 1.5, 192)
        y += 7
        s.text(18, y, "Perioden")
        for i, (_, text, _) in enumerate(columns):
            s.right(60 + i * 32, y, text)
        y += 6
        if rng.random() < 0.7:
            s.text(18, y, rng.choice(["Hittills i år", "Ack."]))
            for i, (_, _, accumulated) in enumerate(columns):
                if accumulated is not None:
                    s.right(60 + i * 32, y, money(accumulated))
            y += 6
    else:
        for name, value in [
            ("Antal dagar", str(days)),
            ("Dagpenning", money(rate, False)),
            ("Brutto", money(gross)),
            ("Skatt", money(tax)),
            (net_label, money(net)),
        ]:
            s.text(18, y, f"{name}:", bold=name == net_label)
            s.right(120, y, value, bold=name == net_label)
            y += 5.5
    y += 10
    s.text(18, y, "Har du frågor om din ersättning? Logga in på Mina sidor.", size=s.size - 1)
    _footer(s, rng, fund, 1, 1)
    return Generated(
        "unemployment_payment",
        layout,
        s,
        month,
        net,
        {"gross": _amount(gross), "tax": _amount(tax)},
    )


# --- CSN -----------------------------------------------------------------------------------------


def student_aid(rng: random.Random) -> Generated:
    money = d.money(rng, whole_kronor_likely=True)
    s = _sheet(rng, money)
    month = d.random_month(rng)
    pay_day = d.weekday_on_or_before(d.month_start(month).replace(day=25))
    weeks = rng.choice([4, 4, 5, 3])
    rows = [("Studiebidrag", 831 * 100 * weeks)]
    if rng.random() < 0.8:
        rows.append(("Studielån", 2012 * 100 * weeks))
    if rng.random() < 0.3:
        rows.append(("Tilläggsbidrag", rng.choice([152, 244, 359]) * 100 * weeks))
    if rng.random() < 0.15:
        rows.append(("Tilläggslån", 761 * 100 * weeks))
    total = sum(v for _, v in rows)
    person = d.person(rng)
    _letterhead(s, rng, "CSN", ["Centrala studiestödsnämnden", "851 82 Sundsvall"])
    _recipient(s, person)
    s.text(
        18,
        72,
        rng.choice(["Utbetalningsbesked", "Utbetalning av studiemedel"]),
        size=s.size + 3,
        bold=True,
    )
    y = 82.0
    s.lines(
        18,
        y,
        [
            f"Utbetalningsdag: {d.date_text(rng, pay_day)}",
            f"Antal veckor: {weeks}",
            f"Studietakt: {rng.choice([50, 75, 100])} %",
        ],
        step=4.8,
    )
    y += 20
    total_label = rng.choice(
        ["Summa utbetalt", "Totalt utbetalt", "Utbetalt belopp", "Att utbetala"]
    )
    layout = rng.choice(["table", "lines"])
    if layout == "table":
        s.text(18, y, "Studiemedel", bold=True)
        s.right(120, y, "Per vecka", bold=True)
        s.right(190, y, "Belopp", bold=True)
        s.rule(18, y + 1.5, 192)
        y += 7
        for name, value in rows:
            s.text(18, y, name)
            s.right(120, y, money(value // weeks, False))
            s.right(190, y, money(value))
            y += 5.5
        s.text(18, y + 1, total_label, bold=True)
        s.right(190, y + 1, money(total), bold=True)
    else:
        for name, value in rows:
            s.text(18, y, f"{name} {money(value)}")
            y += 5.5
        s.text(18, y + 1, f"{total_label}: {money(total)}", bold=True)
    y += 14
    debt = d.kronor(rng, 20000, 400000, True)
    s.text(18, y, f"Din skuld till CSN efter utbetalningen: {money(debt)}", size=s.size - 1)
    _footer(s, rng, "CSN", 1, 1)
    return Generated("student_aid", layout, s, month, total)


# --- pension -------------------------------------------------------------------------------------


def pension(rng: random.Random) -> Generated:
    money = d.money(rng, whole_kronor_likely=True)
    s = _sheet(rng, money)
    month = d.random_month(rng)
    pay_day = d.weekday_on_or_before(d.month_start(month).replace(day=rng.choice([18, 19, 20])))
    rows = [("Inkomstpension", d.kronor(rng, 3000, 16000, True))]
    for name, low, high in [
        ("Tilläggspension", 200, 6000),
        ("Premiepension", 100, 2500),
        ("Garantipension", 300, 3500),
    ]:
        if rng.random() < 0.6:
            rows.append((name, d.kronor(rng, low, high, True)))
    before = sum(v for _, v in rows)
    tax = -(before * rng.randint(10, 28) // 100 // 100 * 100)
    free = d.kronor(rng, 500, 6000, True) if rng.random() < 0.3 else 0
    net = before + tax + free
    person = d.person(rng)
    _letterhead(
        s, rng, "Pensionsmyndigheten", ["Box 38190, 100 64 Stockholm", "Telefon 0771-776 776"]
    )
    _recipient(s, person)
    s.text(
        18,
        72,
        rng.choice(["Utbetalningsbesked", "Besked om utbetalning av allmän pension"]),
        size=s.size + 2,
        bold=True,
    )
    y = 82.0
    s.text(18, y, f"Utbetalningsdag {d.date_text(rng, pay_day)}")
    y += 10
    layout = rng.choice(["table", "taxcolumns"])
    net_label = rng.choice(["Utbetalas", "Att utbetala", "Summa utbetalt", "Netto"])
    if layout == "table":
        s.text(18, y, "Pensionsslag", bold=True)
        s.right(190, y, "Belopp", bold=True)
        s.rule(18, y + 1.5, 192)
        y += 7
        for name, value in rows:
            s.text(18, y, name)
            s.right(190, y, money(value))
            y += 5.5
        for name, value in [("Summa före skatt", before), ("Skatt", tax)] + (
            [("Bostadstillägg (skattefritt)", free)] if free else []
        ):
            s.text(18, y, name)
            s.right(190, y, money(value))
            y += 5.5
        s.text(18, y + 1, net_label, bold=True)
        s.right(190, y + 1, money(net), bold=True)
        y += 8
    else:
        for x, name in [(110, "Före skatt"), (150, "Skatt"), (190, "Efter skatt")]:
            s.right(x, y, name, bold=True)
        s.rule(18, y + 1.5, 192)
        y += 7
        for name, value in rows:
            part = round(value / before * tax / 100) * 100 if before else 0
            s.text(18, y, name)
            s.right(110, y, money(value))
            s.right(150, y, money(part))
            s.right(190, y, money(value + part))
            y += 5.5
        if free:
            s.text(18, y, "Bostadstillägg")
            s.right(110, y, money(free))
            s.right(150, y, money(0))
            s.right(190, y, money(free))
            y += 5.5
        parts_tax = sum(round(v / before * tax / 100) * 100 for _, v in rows)
        net = before + parts_tax + free
        s.rule(60, y - 3.5, 192)
        y += 1.5
        s.text(18, y, "Summa", bold=True)
        s.right(110, y, money(before + free))
        s.right(150, y, money(parts_tax))
        s.right(190, y, money(net), bold=True)
        y += 8
        tax = parts_tax
    if rng.random() < 0.5:
        s.text(18, y + 4, f"Utbetalt hittills i år: {money(net * int(month[5:]))}", size=s.size - 1)
    _footer(s, rng, "Pensionsmyndigheten", 1, 1)
    return Generated("pension", layout, s, month, net, {"tax": _amount(tax)})


# --- bank statement ------------------------------------------------------------------------------

SHOPS = [
    "ICA Kvantum",
    "Coop Konsum",
    "Willys",
    "Lidl",
    "Apotek Hjärtat",
    "SL Access",
    "Västtrafik",
    "Systembolaget",
    "Clas Ohlson",
    "Biltema",
    "Espresso House",
    "Pressbyrån",
    "Circle K",
]


def bank_statement(rng: random.Random) -> Generated:
    money = d.money(rng)
    if money.currency in (":-", "SEK ") or not money.decimals:
        money = d.Money(money.group, rng.choice(["", " kr"]), money.minus, True)
    s = _sheet(rng, money)
    month = d.random_month(rng)
    if rng.random() < 0.2:
        start = d.month_start(d.shift(month, -1)) + dt.timedelta(days=14)
        end = d.month_start(month) + dt.timedelta(days=13)
    else:
        start, end = d.month_start(month), d.month_end(month)
    count = rng.choice([6, 12, 20, 35, 55, 80])
    opening = d.kronor(rng, -2000, 25000, False)
    days = sorted(
        start + dt.timedelta(days=rng.randint(0, (end - start).days)) for _ in range(count)
    )
    transactions = []
    for day in days:
        roll = rng.random()
        if roll < 0.08:
            text, value = "Lön", d.kronor(rng, 9000, 30000, False)
        elif roll < 0.15:
            text, value = "Försäkringskassan", d.kronor(rng, 1000, 6000, True)
        elif roll < 0.25:
            text, value = (
                f"Swish {rng.choice(d.GIVEN)} {rng.choice(d.FAMILY)}",
                d.kronor(rng, -800, 800, False),
            )
        elif roll < 0.3:
            text, value = "Hyra", -d.kronor(rng, 4000, 11000, False)
        else:
            text, value = f"Kortköp {rng.choice(SHOPS)}", -d.kronor(rng, 15, 1200, False)
        transactions.append((day, text, value))
    closing = opening + sum(v for _, _, v in transactions)
    bank = rng.choice(
        [
            "Swedbank",
            "Nordea",
            "Handelsbanken",
            "SEB",
            "Sparbanken Syd",
            "ICA Banken",
            "Exempelbanken",
        ]
    )
    holder = d.person(rng)
    layout = rng.choice(["ledger", "summary", "nobalance"])
    per_page = rng.randint(28, 36)
    pages = max(1, -(-count // per_page))
    closing_label = rng.choice(
        ["Utgående saldo", "Utgående saldo", "Saldo vid periodens slut", "Utg. saldo"]
    )

    def head(page: int) -> float:
        _letterhead(s, rng, bank, ["Kontoutdrag" if page == 1 else "Kontoutdrag, forts."])
        s.text(118, 22, f"Period {d.range_text(rng, start, end)}")
        s.text(
            118,
            27,
            f"Konto {rng.randint(3000, 9999)}-{rng.randint(0, 9)}, {rng.randint(100, 999)} "
            f"{rng.randint(100, 999)} {rng.randint(100, 999)}-{rng.randint(0, 9)}",
        )
        y = 40.0
        if page == 1:
            _recipient(s, holder, 40)
            y = 62
            if layout == "summary":
                s.box(18, y - 5, 174, 28, shade=242)
                pairs = [
                    ("Ingående saldo", opening),
                    ("Insättningar", sum(v for *_, v in transactions if v > 0)),
                    ("Uttag", sum(v for *_, v in transactions if v < 0)),
                    (closing_label, closing),
                ]
                for i, (name, value) in enumerate(pairs):
                    s.text(22, y + i * 5.5, name)
                    s.right(110, y + i * 5.5, money(value))
                s.text(120, y, "Beviljad kredit")
                credit = d.kronor(rng, 0, 20000, True)
                s.right(188, y, money(credit))
                s.text(120, y + 5.5, "Disponibelt belopp")
                s.right(188, y + 5.5, money(closing + credit))
                y += 30
        s.text(18, y, "Datum" if layout != "nobalance" else "Bokf.dag", bold=True)
        s.text(45, y, "Text" if layout != "nobalance" else "Transaktion", bold=True)
        s.right(160 if layout != "nobalance" else 190, y, "Belopp", bold=True)
        if layout != "nobalance":
            s.right(190, y, "Saldo", bold=True)
        s.rule(18, y + 1.5, 192)
        return y + 7

    y = head(1)
    balance = opening
    if layout == "ledger":
        s.text(45, y, "Ingående saldo")
        s.right(190, y, money(opening))
        y += 5.2
    for index, (day, text, value) in enumerate(transactions):
        if index and index % per_page == 0:
            _footer(s, rng, bank, s.page_count, pages)
            s.new_page()
            y = head(s.page_count)
        balance += value
        s.text(18, y, day.isoformat())
        s.text(45, y, text)
        s.right(160 if layout != "nobalance" else 190, y, money(value))
        if layout != "nobalance":
            s.right(190, y, money(balance))
        y += 5.2
    s.rule(18, y - 3.2, 192)
    y += 2
    if layout != "summary" or rng.random() < 0.5:
        s.text(45, y, closing_label, bold=True)
        s.right(190, y, money(closing), bold=True)
    _footer(s, rng, bank, s.page_count, s.page_count)
    return Generated(
        "bank_statement",
        layout,
        s,
        d.shift(end.isoformat()[:7], 0),
        closing,
        {"opening_balance": _amount(opening)},
    )


# --- not one of ours -----------------------------------------------------------------------------


def unknown(rng: random.Random) -> Generated:
    money = d.money(rng)
    s = _sheet(rng, money)
    person = d.person(rng)
    layout = rng.choice(["dentist", "phone", "letter", "insurance", "school"])
    date = d.month_start(d.random_month(rng)) + dt.timedelta(days=rng.randint(0, 27))
    if layout == "dentist":
        _letterhead(s, rng, "Tandläkare Lind AB", [f"Org.nr {d.org_number(rng)}"])
        s.text(18, 42, "FAKTURA", size=s.size + 3, bold=True)
        _recipient(s, person)
        y = s.lines(
            18,
            72,
            [
                f"Fakturadatum: {date.isoformat()}",
                f"Förfallodatum: {(date + dt.timedelta(days=30)).isoformat()}",
            ],
        )
        rows = [
            ("Undersökning", d.kronor(rng, 400, 1200, True)),
            ("Lagning", d.kronor(rng, 600, 2500, True)),
        ]
        for name, value in rows:
            s.text(18, y + 6, name)
            s.right(190, y + 6, money(value))
            y += 5.5
        s.text(18, y + 8, "Att betala", bold=True)
        s.right(190, y + 8, money(sum(v for _, v in rows)), bold=True)
        s.text(18, y + 18, f"Bankgiro {d.bankgiro(rng)}  OCR {d.ocr_number(rng)}")
    elif layout == "phone":
        _letterhead(s, rng, "Telebolaget Sverige AB", ["Kundservice 90 200"])
        s.text(18, 42, "Faktura", size=s.size + 3, bold=True)
        _recipient(s, person)
        y = s.lines(18, 72, [f"Fakturadatum {date.isoformat()}", "Mobilabonnemang Surf 20 GB"])
        for name, value in [
            ("Månadsavgift", d.kronor(rng, 99, 399, False)),
            ("Samtal och sms", d.kronor(rng, 0, 90, False)),
        ]:
            s.text(18, y + 6, name)
            s.right(190, y + 6, money(value))
            y += 5.5
        s.text(18, y + 8, "Moms 25 %")
        s.right(190, y + 8, money(d.kronor(rng, 20, 90, False)))
        s.text(18, y + 14, "Totalt att betala", bold=True)
        s.right(190, y + 14, money(d.kronor(rng, 120, 500, False)), bold=True)
    elif layout == "letter":
        _letterhead(s, rng, "Arbetsförmedlingen", ["113 99 Stockholm"])
        _recipient(s, person)
        s.text(18, 72, "Kallelse till möte", size=s.size + 3, bold=True)
        s.lines(
            18,
            82,
            [
                f"Du är välkommen till ett möte den {date.day} "
                f"{d.MONTH_NAMES[date.month - 1]} kl. 10.00.",
                "Ta med din aktivitetsrapport och legitimation.",
                "Om du inte kan komma, kontakta din handläggare.",
            ],
        )
    elif layout == "insurance":
        _letterhead(s, rng, "Trygga Försäkringar AB", ["Box 100, 106 50 Stockholm"])
        _recipient(s, person)
        s.text(18, 72, "Försäkringsbrev Hemförsäkring", size=s.size + 3, bold=True)
        s.lines(
            18,
            82,
            [
                f"Försäkringsperiod {date.isoformat()} – "
                f"{(date + dt.timedelta(days=364)).isoformat()}",
                f"Premie per månad: {money(d.kronor(rng, 90, 400, True))}",
                f"Självrisk: {money(150000)}",
                "Ansvarsbelopp: 5 000 000 kr",
            ],
        )
    else:
        _letterhead(s, rng, "Björkskolan", ["Exempelkommun, Utbildningsförvaltningen"])
        _recipient(s, person)
        s.text(18, 72, "Information inför terminen", size=s.size + 3, bold=True)
        s.lines(
            18,
            82,
            [
                "Terminen börjar den 18 augusti.",
                f"Studieresan kostar {money(d.kronor(rng, 100, 600, True))} per elev.",
                "Anmäl senast till din mentor.",
            ],
        )
    _footer(s, rng, "", 1, 1)
    return Generated("unknown", layout, s, None, None)


BUILDERS: dict[str, Callable[[random.Random], Generated]] = {
    "payslip": payslip,
    "rent_notice": rent_notice,
    "electricity_bill": electricity_bill,
    "benefit_payment": benefit_payment,
    "unemployment_payment": unemployment_payment,
    "student_aid": student_aid,
    "pension": pension,
    "bank_statement": bank_statement,
    "unknown": unknown,
}
