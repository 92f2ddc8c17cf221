"""Bad files get a clean "unreadable" answer with a reason; bombs end in the child, not here.

These run through ``extract_file``: the fork server and its limited children."""

import io
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from fpdf import FPDF

from intake.extract import ErrorCode, Kind, Limits, extract_file
from tests.extract_support import pdf

RENT = ("Hyresavi", "Avser: november 2026", "Hyra 7 850,00", "Att betala 7 850,00 kr")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims to be ``width`` × ``height`` (a decompression bomb's header)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 100))
        + chunk(b"IEND", b"")
    )


def flate_bomb_pdf(unpacked_mb: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``unpacked_mb`` megabytes of spaces."""
    packer = zlib.compressobj(1)
    block = b" " * (1 << 20)
    stream = b"".join(packer.compress(block) for _ in range(unpacked_mb)) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def locked_pdf(user_password: str) -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    for i, line in enumerate(RENT):
        document.text(20, 20 + 8 * i, line.replace("\u00a0", " "))
    document.set_encryption(owner_password="owner-secret", user_password=user_password)
    return bytes(document.output())


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("empty.pdf", b"", ErrorCode.empty),
        ("notes.pdf", b"just some text, not a PDF\n", ErrorCode.unsupported_type),
        (
            "page.html",
            b"<!doctype html><html><body>Hyresavi</body></html>",
            ErrorCode.unsupported_type,
        ),
        ("archive.zip", b"PK\x03\x04" + b"\0" * 40, ErrorCode.unsupported_type),
        ("broken.pdf", b"%PDF-1.4\nthis is not a PDF body\n%%EOF\n", ErrorCode.damaged),
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 60, ErrorCode.damaged),
    ],
    ids=["empty", "text", "html", "zip", "broken-pdf", "broken-jpeg"],
)
def test_files_that_are_not_documents(
    tmp_path: Path, name: str, data: bytes, code: ErrorCode
) -> None:
    result = extract_file(write(tmp_path, name, data))
    assert (result.kind, result.error_code) == (Kind.unreadable, code)
    assert result.error and result.amount is None
    contract = result.contract(name)
    assert contract["kind"] == "unreadable" and contract["error"] == result.error


def test_a_truncated_pdf(tmp_path: Path) -> None:
    whole = pdf(*RENT)
    result = extract_file(write(tmp_path, "cut.pdf", whole[: len(whole) // 2]))
    assert (result.kind, result.error_code) == (Kind.unreadable, ErrorCode.truncated)


def test_a_truncated_jpeg(tmp_path: Path) -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(out, format="JPEG")
    result = extract_file(write(tmp_path, "cut.jpg", out.getvalue()[:300]))
    assert result.kind is Kind.unreadable
    assert result.error_code in (ErrorCode.truncated, ErrorCode.damaged)


def test_a_password_protected_pdf(tmp_path: Path) -> None:
    result = extract_file(write(tmp_path, "locked.pdf", locked_pdf("secret")))
    assert (result.kind, result.error_code) == (Kind.unreadable, ErrorCode.encrypted)


def test_a_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    result = extract_file(write(tmp_path, "owner.pdf", locked_pdf("")))
    assert (result.kind, result.amount, result.period) == (Kind.rent_notice, "7850.00", "2026-11")


def test_too_many_pages(tmp_path: Path) -> None:
    document = FPDF()
    for _ in range(4):
        document.add_page()
    result = extract_file(write(tmp_path, "long.pdf", bytes(document.output())), Limits(pages=3))
    assert (result.kind, result.error_code) == (Kind.unreadable, ErrorCode.too_many_pages)
    assert result.error == "the PDF has 4 pages; the limit is 3"


@pytest.mark.parametrize("size", [(12_000, 10_000), (60_000, 60_000)])
def test_an_image_bomb_is_refused_before_it_is_decoded(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    result = extract_file(write(tmp_path, "bomb.png", png_header(*size)))
    assert (result.kind, result.error_code) == (Kind.unreadable, ErrorCode.too_many_pixels)


def test_a_pdf_bomb_ends_at_the_memory_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "bomb.pdf", flate_bomb_pdf(600))
    result = extract_file(path, Limits(memory_bytes=300 * 1024 * 1024))
    assert (result.kind, result.error_code) == (Kind.unreadable, ErrorCode.memory_limit)
    # ... and the next document is read as usual.
    assert extract_file(write(tmp_path, "rent.pdf", pdf(*RENT))).amount == "7850.00"


def test_the_time_limit(tmp_path: Path) -> None:
    from tests.extract_support import jpeg, picture

    path = write(tmp_path, "slow.jpg", jpeg(picture(list(RENT))))
    result = extract_file(path, Limits(seconds=0.2))
    assert (result.kind, result.error_code) == (Kind.unreadable, ErrorCode.time_limit)
    assert result.error == "reading took longer than 0.2 s"


def test_a_missing_file(tmp_path: Path) -> None:
    result = extract_file(tmp_path / "nothing.pdf")
    assert (result.kind, result.error_code) == (Kind.unreadable, ErrorCode.not_found)


def test_regression_a_script_without_a_main_guard_can_read(tmp_path: Path) -> None:
    """multiprocessing's fork server re-imported the caller's main module in every child: a
    script without ``if __name__ == "__main__"`` started itself again and the read failed."""
    document = write(tmp_path, "rent.pdf", pdf(*RENT))
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from intake.extract import extract_file
            print(extract_file({str(document)!r}).amount)
            """
        )
    )
    root = Path(__file__).resolve().parents[2]
    output = subprocess.run(  # noqa: S603
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
        check=False,
    )
    assert output.stdout.strip() == "7850.00", output.stderr
