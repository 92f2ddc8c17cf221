"""``portal extract``: the JSON contract of issue 4, and a table for people."""

import json
from pathlib import Path

from click.testing import CliRunner

from portal.commands.extract import command
from tests.extract_support import pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
KEYS = ["file", "kind", "period", "amount", "currency", "confidence", "fields", "error"]


def test_json_one_object_per_file_in_input_order(tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not a document")
    whole = pdf("Hyresavi", "Avser: november 2026", "Att betala 7 850,00 kr")
    (tmp_path / "cut.pdf").write_bytes(whole[:200])
    files = [
        str(FIXTURES / "rent_notice-000-slip.pdf"),
        str(tmp_path / "empty.pdf"),
        str(tmp_path / "notes.txt"),
        str(tmp_path / "missing.pdf"),
        str(tmp_path / "cut.pdf"),
        str(FIXTURES / "bank_statement-001-summary.pdf"),
        str(tmp_path),
    ]
    result = CliRunner().invoke(command, ["--json", "--jobs", "2", *files])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    objects = [json.loads(line) for line in result.output.splitlines()]
    assert [o["file"] for o in objects] == files
    assert all(list(o) == KEYS for o in objects)
    rent, empty, notes, missing, cut, bank, folder = objects
    assert (rent["kind"], rent["period"], rent["amount"], rent["currency"]) == (
        "rent_notice",
        "2027-08",
        "8383.00",
        "SEK",
    )
    assert rent["fields"]["due_date"] == "2027-07-30" and rent["error"] is None
    assert 0 <= rent["confidence"] <= 1
    assert (bank["kind"], bank["amount"]) == ("bank_statement", "-37176.81")  # leading minus
    for bad, error in [
        (empty, "the file is empty"),
        (notes, "not a PDF, JPEG, PNG or HEIC file"),
        (missing, "no such file"),
        (cut, "the PDF is truncated (no end-of-file marker)"),
        (folder, "a folder, not a file"),
    ]:
        assert (bad["kind"], bad["amount"], bad["period"], bad["error"]) == (
            "unreadable",
            None,
            None,
            error,
        )


def test_table_for_people() -> None:
    result = CliRunner().invoke(command, [str(FIXTURES / "payslip-001-columns.pdf")])
    assert result.exit_code == 0
    header, row = result.output.splitlines()
    assert header.split() == ["file", "kind", "period", "amount", "conf", "fields", "/", "error"]
    assert "payslip" in row and "2025-11" in row and "17842.24 SEK" in row and "gross" in row


def test_limits_are_options(tmp_path: Path) -> None:
    from fpdf import FPDF

    document = FPDF()
    for _ in range(3):
        document.add_page()
    (tmp_path / "long.pdf").write_bytes(bytes(document.output()))
    result = CliRunner().invoke(command, ["--json", "--max-pages", "2", str(tmp_path / "long.pdf")])
    assert json.loads(result.output)["error"] == "the PDF has 3 pages; the limit is 2"


def test_no_files_is_a_usage_error() -> None:
    result = CliRunner().invoke(command, ["--json"])
    assert result.exit_code == 2 and "Missing argument" in result.output
