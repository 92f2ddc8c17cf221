"""The committed fixture documents (bench/corpus/generate.py --fixtures) read as their manifest
says: every kind, several layouts, every amount format, year-to-date distractors, a multi-page
statement and a phone photo of each kind (JPEG and HEIC, turned, tilted, shaded)."""

import json
from pathlib import Path

import pytest

from intake.extract.reader import read_bytes

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
MANIFEST = json.loads((FOLDER / "manifest.json").read_text())["documents"]


def test_the_fixture_set_covers_every_kind_and_variant() -> None:
    kinds = {d["kind"] for d in MANIFEST}
    assert len(kinds) == 9
    assert {d["variant"] for d in MANIFEST} == {"pdf", "photo"}
    assert any(d["pages"] > 1 for d in MANIFEST)
    assert {Path(d["file"]).suffix for d in MANIFEST} >= {".pdf", ".jpg", ".heic"}
    assert sum(f.stat().st_size for f in FOLDER.iterdir()) < 3 * 1024 * 1024


@pytest.mark.parametrize("document", MANIFEST, ids=[d["file"] for d in MANIFEST])
def test_fixture_reads_as_its_manifest_says(document: dict[str, object]) -> None:
    result = read_bytes((FOLDER / str(document["file"])).read_bytes())
    assert (result.kind.value, result.period, result.amount) == (
        document["kind"],
        document["period"],
        document["amount"],
    )
    if document["variant"] == "pdf" and document["amount"] is not None:
        assert result.confidence >= 0.7
    for name in ("due_date", "ocr", "bankgiro"):
        if name in document["fields"] and document["variant"] == "pdf":  # type: ignore[operator]
            assert result.fields[name] == document["fields"][name]  # type: ignore[index]
