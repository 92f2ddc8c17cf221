"""The reader that chooses among every amount on the page (issue 12): layouts it was not written
for, dates that are parts of numbers, the model file, --explain, the grammar generator."""

from __future__ import annotations

import json
import random

import numpy as np
from click.testing import CliRunner
from PIL import Image

from bench.corpus.grammar import KINDS, family, make
from intake.extract.amounts import find_amounts
from intake.extract.choose import MODEL, load_model
from intake.extract.dates import find_dates
from intake.extract.imageprep import LONG_SIDE, cv_sheet
from intake.extract.reader import read_bytes
from intake.extract.result import Kind
from portal.commands.extract import command
from tests.extract_support import pdf


def test_a_date_inside_a_personnummer_or_a_long_number_is_no_date() -> None:
    for text in ("Personnummer 20010312-1234", "Pnr 200103121234", "OCR 1220261015334"):
        assert find_dates(text) == [], text
    assert [f.date.isoformat() for f in find_dates("2026-10-01 - 2026-10-31") if f.date] == [
        "2026-10-01",
        "2026-10-31",
    ]


def test_a_compact_date_is_no_amount() -> None:
    assert [a.ore for a in find_amounts("Utbetalas 20261007  Belopp 12 345,00 kr")] == [1234500]


def test_the_model_is_plain_json_with_weights_and_a_calibration() -> None:
    data = json.loads(MODEL.read_text())
    assert data["weights"] and len(data["calibration_x"]) == len(data["calibration_y"])
    model = load_model()
    assert model is not None and model.calibrated(1.0) <= 1.0


def test_a_total_written_as_a_sentence_is_read() -> None:
    result = read_bytes(
        pdf(
            "Pensionsmyndigheten",
            "Utbetalningsbesked",
            "Utbetalningsdag 2026-10-19",
            "Inkomstpension 9 120,00",
            "Du får totalt 7 296,00 kr efter skatt den 19 oktober 2026.",
        )
    )
    assert (result.kind, result.amount, result.period) == (Kind.pension, "7296.00", "2026-10")


def test_dot_leaders_do_not_make_the_year_the_amount() -> None:
    result = read_bytes(
        pdf(
            "Lönespecifikation",
            "Löneperiod oktober 2026",
            "Bruttolön ......................... 31 000,00",
            "Preliminär skatt .................. -7 440,00",
            "Att utbetala ...................... 23 560,00",
        )
    )
    assert (result.kind, result.amount, result.period) == (Kind.payslip, "23560.00", "2026-10")


def test_a_rent_notice_titled_only_avi_and_an_english_statement_are_known() -> None:
    avi = read_bytes(
        pdf("Avi", "Hyra lägenhet 7 120,00", "Att betala 7 120,00", "Förfallodag 2026-10-30")
    )
    assert (avi.kind, avi.amount) == (Kind.rent_notice, "7120.00")
    statement = read_bytes(
        pdf(
            "Account statement",
            "Statement period 2026-10-01 – 2026-10-31",
            "Opening balance 1 200,00",
            "2026-10-05  ICA Supermarket  -200,00  1 000,00",
            "Closing balance 1 000,00",
        )
    )
    assert (statement.kind, statement.amount, statement.period) == (
        Kind.bank_statement,
        "1000.00",
        "2026-10",
    )


def test_explain_gives_the_candidates_and_their_reasons(tmp_path: object) -> None:
    document = pdf("Hyresavi", "Avser: november 2026", "Hyra 7 850,00", "Att betala 7 850,00")
    result = read_bytes(document, explain=True)
    assert result.explain and result.explain[0]["amount"] == "7850.00"
    assert any(name for name, _ in result.explain[0]["because"])
    assert "explain" not in result.contract("x.pdf")  # the --json contract is unchanged
    from pathlib import Path

    path = Path(str(tmp_path)) / "avi.pdf"
    path.write_bytes(document)
    output = CliRunner().invoke(command, ["--explain", str(path)]).output
    assert "7850.00" in output and "score" in output and "left_target" in output


def test_the_grammar_makes_at_least_40_different_families_per_kind() -> None:
    for kind in KINDS:
        shapes = {
            (f.lang, f.summary, f.info, f.period_style, f.target, f.title, f.landscape, f.ytd)
            for f in (family(kind, i) for i in range(48))
        }
        assert len(shapes) >= 40, kind
        assert family(kind, 3) == family(kind, 3)  # a family is the same template every run
    made = make("pension", 5, random.Random(1))
    assert made.content.amount and made.sheet.page_count >= 1


def test_the_sheet_is_cut_out_of_a_photo_with_opencv() -> None:
    table = np.full((1000, 800), 70, np.uint8)
    table[120:900, 150:700] = 235  # the sheet, brighter than the table
    sheet = cv_sheet(Image.fromarray(table))
    assert sheet is not None and max(sheet.size) == LONG_SIDE
    assert abs(sheet.width / sheet.height - 550 / 780) < 0.03
    assert cv_sheet(Image.fromarray(np.full((1000, 800), 235, np.uint8))) is None  # a scan
