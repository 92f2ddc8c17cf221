"""The independent document set (issue 12, item 2) is complete and its truth is on its pages.

This checks the set, not the reader: bench/independent_eval.py scores the reader on it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

SET = Path(__file__).resolve().parents[1] / "fixtures" / "documents" / "independent"
KNOWN = {
    "payslip",
    "rent_notice",
    "electricity_bill",
    "benefit_payment",
    "unemployment_payment",
    "student_aid",
    "pension",
    "bank_statement",
}

sys.path.insert(0, str(SET))
from kit import fmt  # noqa: E402


def documents() -> list[dict[str, object]]:
    return list(json.loads((SET / "manifest.json").read_text(encoding="utf-8"))["documents"])


def test_the_set_has_the_size_the_issue_asks_for() -> None:
    docs = documents()
    assert len(docs) >= 80
    photos = [d for d in docs if d["variant"] == "photo"]
    assert len(photos) >= 16
    per_kind = Counter(str(d["kind"]) for d in docs)
    assert set(per_kind) >= KNOWN
    assert all(per_kind[k] >= 8 for k in KNOWN), per_kind
    assert {str(d["kind"]) for d in photos} >= KNOWN
    assert (SET / "samples" / "lonespec-splitter" / "LICENSE").is_file()


def test_every_truth_entry_is_well_formed() -> None:
    for d in documents():
        assert (SET / str(d["file"])).is_file(), d["file"]
        if d["kind"] == "unknown":
            assert d["amount"] is None and d["period"] is None
            continue
        assert d["kind"] in KNOWN
        assert re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", str(d["period"])), d
        assert re.fullmatch(r"-?\d+\.\d\d", str(d["amount"])), d
        assert d["variant"] in ("pdf", "photo")


def test_every_photo_has_the_truth_of_a_one_page_pdf() -> None:
    docs = documents()
    pdfs = {(d["kind"], d["layout"]): d for d in docs if d["variant"] == "pdf"}
    for photo in (d for d in docs if d["variant"] == "photo"):
        pdf = pdfs[(photo["kind"], photo["layout"])]
        assert pdf["pages"] == 1
        assert (photo["period"], photo["amount"]) == (pdf["period"], pdf["amount"])


def renderings(amount: Decimal) -> set[str]:
    out = set()
    whole = amount == amount.to_integral_value()
    for st in ("sp", "dot", "plain", "en", "enplain"):
        for neg in ("-", "\u2212", "\u2013", "trail"):
            out.add(fmt(amount, st, True, neg))
            if whole:
                out.add(fmt(amount, st, False, neg))
    return out


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_every_pdf_prints_its_truth_amount_and_page_count() -> None:
    for d in documents():
        if d["variant"] != "pdf":
            continue
        path = SET / str(d["file"])
        text = subprocess.run(  # noqa: S603
            ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert text.count("\f") == d["pages"], d["file"]
        if d["amount"] is None:
            continue
        flat = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
        found = [r for r in renderings(Decimal(str(d["amount"]))) if r in flat]
        assert found, f"{d['file']}: {d['amount']} is not printed"
