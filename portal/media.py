"""Serving applicants' files to staff without trusting them.

- Images are never sent as uploaded: ``reencode_image`` decodes them with Pillow (pixel count
  checked from the header first), turns them upright by their EXIF orientation and writes a
  new JPEG or PNG with no metadata at all (no EXIF with GPS position or camera serial, no XMP,
  no ICC profile, no comments), so that a crafted file cannot reach the browser's decoder and
  the photo's hidden details do not reach staff. This happens in a child process with memory
  and CPU limits, once, when the file arrives (the worker, ``prepare_views``); the result is
  kept beside the uploads, named by the original's SHA-256, and served per view.
- PDFs are always downloads (``Content-Disposition: attachment``) under
  ``Content-Security-Policy: sandbox``: a PDF opened from the portal's origin runs no script
  with the portal's cookies.

``staff_file_response(uploads, attachment)`` picks the right one for an ``Attachment``.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
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


CHILD_WALL_SECONDS = 40


def _existing(folder: Path, sha256: str) -> tuple[Path, str] | None:
    for suffix, media_type in ((".jpg", "image/jpeg"), (".png", "image/png")):
        existing = folder / f"{sha256}{suffix}"
        if existing.is_file():
            return existing, media_type
    return None


def reencoded(uploads: Path, source: Path, sha256: str) -> tuple[Path, str]:
    """The re-encoded copy of an image upload, made once and kept by checksum.

    It is made in a child process (``python -m portal.media``) with the same memory and CPU
    limits as the page previews (portal/attachment_preview.py): a decompression bomb (a small
    PNG of 7 740 × 7 740 pixels decodes to hundreds of MB) takes only the child down, never the
    web process. The worker makes it when the file arrives (``prepare_views``); a view finds it
    stored. An image that cannot be made is remembered (``<sha256>.failed``) and raises
    ``MediaError`` at once the next time."""
    folder = uploads / "reencoded"
    found = _existing(folder, sha256)
    if found is not None:
        return found
    failed = folder / f"{sha256}.failed"
    if failed.exists():
        raise MediaError("the image cannot be shown")
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(subprocess.TimeoutExpired):
        subprocess.run(  # noqa: S603 - our own module, the paths are ours
            [sys.executable, "-m", "portal.media", str(source), str(uploads), sha256],
            check=False,
            timeout=CHILD_WALL_SECONDS,
            capture_output=True,
        )
    found = _existing(folder, sha256)
    if found is None:
        failed.write_text("")
        raise MediaError("the image cannot be shown")
    return found


def _write_copy(uploads: Path, source: Path, sha256: str) -> None:
    """In the child: decode, re-encode and store the clean copy (atomically)."""
    content, media_type = reencode_image(source.read_bytes())
    folder = uploads / "reencoded"
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


def prepare_views(uploads: Path, source: Path, sha256: str, content_type: str) -> None:
    """What staff will open, made once when the file arrives (by the worker): the page
    pictures, and for an image its clean full-size copy. Each in a child process with limits;
    one that cannot be made is remembered as such, and staff are told it cannot be shown."""
    from portal import attachment_preview

    attachment_preview.prepare(uploads, source, sha256)
    if content_type.startswith("image/"):
        with contextlib.suppress(MediaError):
            reencoded(uploads, source, sha256)


def main(argv: list[str]) -> int:
    """The child: limits first, then the image."""
    from portal.attachment_preview import _limit

    _limit()
    source, uploads, sha256 = Path(argv[0]), Path(argv[1]), argv[2]
    try:
        _write_copy(uploads, source, sha256)
    except MediaError:
        return 1
    return 0


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


if __name__ == "__main__":  # pragma: no cover - the child process
    sys.exit(main(sys.argv[1:]))
