"""File type from magic bytes, never from the name."""

from __future__ import annotations

ACCEPTED = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "heic": "image/heic",
}


def sniff(head: bytes) -> str | None:
    """``pdf``, ``jpeg``, ``png`` or ``heic`` from the first bytes of a file, else None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if (
        len(head) >= 12
        and head[4:8] == b"ftyp"
        and head[8:12]
        in (
            b"heic",
            b"heix",
            b"hevc",
            b"hevx",
            b"mif1",
            b"msf1",
            b"heim",
            b"heis",
        )
    ):
        return "heic"
    return None
