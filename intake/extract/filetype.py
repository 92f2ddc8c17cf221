"""The file type from its first bytes (magic numbers), never from its name."""

from __future__ import annotations

import enum

HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class FileType(enum.StrEnum):
    pdf = "pdf"
    jpeg = "jpeg"
    png = "png"
    heif = "heif"


def detect(head: bytes) -> FileType | None:
    """The type of a file starting with ``head`` (give at least 32 bytes), or None."""
    # PDF readers accept "%PDF-" within the first 1024 bytes (junk before the header).
    if b"%PDF-" in head[:1024]:
        return FileType.pdf
    if head.startswith(b"\xff\xd8\xff"):
        return FileType.jpeg
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.png
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] not in (b"avif", b"avis"):
        brands = {head[8:12]}
        size = int.from_bytes(head[:4], "big")
        # Compatible brands follow the minor version, four bytes each, up to the box's end.
        brands.update(head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4))
        if brands & HEIF_BRANDS:
            return FileType.heif
    return None
