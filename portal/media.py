"""Serving applicants' files to staff without trusting them.

- Images are never sent as uploaded: ``reencode_image`` decodes them with Pillow (pixel count
  checked from the header first), turns them upright by their EXIF orientation and writes a
  new JPEG or PNG with no metadata at all (no EXIF with GPS position or camera serial, no XMP,
  no ICC profile, no comments), so that a crafted file cannot reach the browser's decoder and
  the photo's hidden details do not reach staff. The result is kept beside the uploads, named
  by the original's SHA-256.
- PDFs are always downloads (``Content-Disposition: attachment``) under
  ``Content-Security-Policy: sandbox``: a PDF opened from the portal's origin runs no script
  with the portal's cookies.

``staff_file_response(uploads, attachment)`` picks the right one for an ``Attachment``.
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid
import warnings
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from starlette.responses import FileResponse, Response

MAX_PIXELS = 60_000_000  # larger images are refused (decompression bombs)
JPEG_QUALITY = 90
SANDBOX = "sandbox; default-src 'none'"
IMAGE_CSP = "sandbox; default-src 'none'; img-src 'self'"
PRIVATE = "private, no-store"


class MediaError(Exception):
    """The file cannot be shown: not an image we read, too many pixels, or broken."""


class StoredFile(Protocol):
    storage_path: str
    filename: str
    content_type: str
    sha256: str


def reencode_image(data: bytes) -> tuple[bytes, str]:
    """A new image from the pixels only: ``(bytes, media type)``. PNG stays PNG (documents
    with sharp text), everything else becomes JPEG."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        from pillow_heif import register_heif_opener

        register_heif_opener()
    except ImportError:  # pragma: no cover - pillow-heif is a dependency
        pass
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise MediaError("too many pixels")
                source_format = opened.format
                opened.load()
                upright = ImageOps.exif_transpose(opened)
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise MediaError(str(exc)) from exc
    output = io.BytesIO()
    if source_format == "PNG":
        mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB"
        clean = Image.new(mode, upright.size)
        clean.paste(upright.convert(mode))
        clean.save(output, "PNG", optimize=False)
        return output.getvalue(), "image/png"
    clean = Image.new("RGB", upright.size)
    clean.paste(upright.convert("RGB"))
    clean.save(output, "JPEG", quality=JPEG_QUALITY)
    return output.getvalue(), "image/jpeg"


def reencoded(uploads: Path, source: Path, sha256: str) -> tuple[Path, str]:
    """The re-encoded copy of an image upload, made once and kept by checksum."""
    folder = uploads / "reencoded"
    for suffix, media_type in ((".jpg", "image/jpeg"), (".png", "image/png")):
        existing = folder / f"{sha256}{suffix}"
        if existing.is_file():
            return existing, media_type
    content, media_type = reencode_image(source.read_bytes())
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{sha256}{'.png' if media_type == 'image/png' else '.jpg'}"
    temporary = folder / f".{uuid.uuid4().hex}.part"
    try:
        with temporary.open("wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(target)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
    return target, media_type


def content_disposition(kind: str, filename: str) -> str:
    """``attachment``/``inline`` with an ASCII fallback name and the real one (RFC 6266)."""
    fallback = "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in filename
    )
    return f"{kind}; filename=\"{fallback or 'document'}\"; filename*=UTF-8''{quote(filename)}"


def _download_headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": content_disposition("attachment", filename),
        "Content-Security-Policy": SANDBOX,
        "Cache-Control": PRIVATE,
        "X-Content-Type-Options": "nosniff",
    }


def pdf_response(path: Path, filename: str) -> Response:
    """A PDF file as a download, sandboxed should the browser open it anyway."""
    return FileResponse(path, media_type="application/pdf", headers=_download_headers(filename))


def pdf_download(content: bytes, filename: str) -> Response:
    """A PDF the portal made (receipt, case file) as a download, sandboxed like an upload."""
    return Response(content, media_type="application/pdf", headers=_download_headers(filename))


def image_response(
    uploads: Path, source: Path, sha256: str, filename: str, *, download: bool = False
) -> Response:
    """An image re-encoded by us, inline (or as a download); raises ``MediaError`` when it
    cannot be."""
    path, media_type = reencoded(uploads, source, sha256)
    stem = filename.rsplit(".", 1)[0] or "document"
    name = f"{stem}{'.png' if media_type == 'image/png' else '.jpg'}"
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(
                "attachment" if download else "inline", name
            ),
            "Content-Security-Policy": IMAGE_CSP,
            "Cache-Control": PRIVATE,
            "X-Content-Type-Options": "nosniff",
        },
    )


def staff_file_response(
    uploads: Path, attachment: StoredFile, *, download: bool = False
) -> Response:
    """What staff get when they open an uploaded document: images re-encoded, PDFs (and
    anything else) as sandboxed downloads. Raises ``FileNotFoundError`` without the file and
    ``MediaError`` for an image that cannot be decoded."""
    source = uploads / attachment.storage_path
    if not source.is_file():
        raise FileNotFoundError(attachment.storage_path)
    if attachment.content_type.startswith("image/"):
        return image_response(
            uploads, source, attachment.sha256, attachment.filename, download=download
        )
    if attachment.content_type == "application/pdf":
        return pdf_response(source, attachment.filename)
    return FileResponse(
        source,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": content_disposition("attachment", attachment.filename),
            "Content-Security-Policy": SANDBOX,
            "Cache-Control": PRIVATE,
            "X-Content-Type-Options": "nosniff",
        },
    )
