"""What staff are sent of an applicant's file: images re-encoded without metadata, PDFs as
sandboxed downloads."""

from __future__ import annotations

import asyncio
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import ExifTags, Image, PngImagePlugin
from starlette.responses import Response

from portal.media import MediaError, content_disposition, reencode_image, staff_file_response

GPS_PLACE = {2: (57.0, 42.0, 0.0), 1: "N"}


def _jpeg_with_secrets(width: int = 40, height: int = 20) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((20, 20, 200), (0, 0, width // 2, height))  # left half blue
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # taken with the phone turned: rotate 90° to show
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.BodySerialNumber] = "SERIAL-123456"
    exif[ExifTags.IFD.GPSInfo] = GPS_PLACE
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at Storgatan 1")
    return out.getvalue()


def test_a_photo_loses_its_metadata_and_is_turned_upright() -> None:
    original = _jpeg_with_secrets()
    assert b"SERIAL-123456" in original and b"Storgatan" in original
    content, media_type = reencode_image(original)
    assert media_type == "image/jpeg"
    assert b"SERIAL-123456" not in content and b"PhoneMaker" not in content
    assert b"Storgatan" not in content and b"Exif" not in content
    with Image.open(io.BytesIO(content)) as shown:
        assert shown.size == (20, 40)  # rotated as the phone meant it
        assert (
            not shown.getexif() and "comment" not in shown.info and "icc_profile" not in shown.info
        )
        top = shown.getpixel((10, 2))
    assert isinstance(top, tuple) and top[2] > 150  # the blue half is now on top


def test_a_png_stays_png_without_its_text_chunks() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Applicant Name")
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 128)).save(out, "PNG", pnginfo=info)
    content, media_type = reencode_image(out.getvalue())
    assert media_type == "image/png" and b"Applicant Name" not in content
    with Image.open(io.BytesIO(content)) as shown:
        assert shown.mode == "RGBA" and shown.getpixel((1, 1)) == (0, 0, 0, 128)


def test_a_heic_photo_becomes_jpeg() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 128, 0)).save(out, "HEIF")
    content, media_type = reencode_image(out.getvalue())
    assert media_type == "image/jpeg" and content.startswith(b"\xff\xd8\xff")


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # 100 megapixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(MediaError):
        reencode_image(out.getvalue())


@pytest.mark.parametrize(
    "content", [b"", b"\xff\xd8\xff\xe0 broken", b"<svg onload=alert(1)>", b"%PDF-1.4"]
)
def test_what_is_not_a_readable_image_is_refused(content: bytes) -> None:
    with pytest.raises(MediaError):
        reencode_image(content)


@dataclass
class _Stored:
    storage_path: str
    filename: str
    content_type: str
    sha256: str


def _store(folder: Path, name: str, content: bytes, content_type: str) -> _Stored:
    (folder / "7").mkdir(parents=True, exist_ok=True)
    (folder / "7" / name).write_bytes(content)
    return _Stored(f"7/{name}", name, content_type, hashlib.sha256(content).hexdigest())


def _body(response: Response) -> bytes:
    chunks: list[bytes] = []

    async def run() -> None:
        done = asyncio.Event()

        async def receive() -> dict[str, object]:
            await done.wait()  # the client stays until the body is sent
            return {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))  # type: ignore[arg-type]
                if not message.get("more_body"):
                    done.set()

        scope = {"type": "http", "method": "GET", "headers": [], "extensions": {}}
        await response(scope, receive, send)  # type: ignore[arg-type]

    asyncio.run(run())
    return b"".join(chunks)


def test_staff_get_a_pdf_only_as_a_sandboxed_download(tmp_path: Path) -> None:
    stored = _store(tmp_path, "a1.pdf", b"%PDF-1.4 hello", "application/pdf")
    stored.filename = "Lönespec november.pdf"
    response = staff_file_response(tmp_path, stored)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="L_nespec november.pdf"; '
        "filename*=UTF-8''L%C3%B6nespec%20november.pdf"
    )
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert _body(response) == b"%PDF-1.4 hello"


def test_staff_get_an_image_re_encoded_and_it_is_made_once(tmp_path: Path) -> None:
    original = _jpeg_with_secrets()
    stored = _store(tmp_path, "b2.jpg", original, "image/jpeg")
    response = staff_file_response(tmp_path, stored)
    body = _body(response)
    assert body != original and b"SERIAL-123456" not in body
    assert response.headers["Content-Disposition"].startswith('inline; filename="b2.jpg"')
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    cached = tmp_path / "reencoded" / f"{stored.sha256}.jpg"
    assert cached.read_bytes() == body
    assert _body(staff_file_response(tmp_path, stored)) == body


def test_a_missing_file_is_said_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        staff_file_response(tmp_path, _Stored("9/gone.pdf", "gone.pdf", "application/pdf", "0"))


def test_header_names_cannot_break_out() -> None:
    header = content_disposition("attachment", 'evil";\r\nSet-Cookie: x=1.pdf')
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="evil____Set-Cookie: x=1.pdf";')
