"""F4 of issue 13: staff opening an uploaded image never decodes it in the web process.

A 190 KB PNG of 7 740 × 7 740 pixels decodes to hundreds of MB: it is re-encoded in a child
process with memory and CPU limits (portal/media.py), made once when the file arrives (by the
worker, next to the reading), stored and served per view; when it cannot be made, staff are told
"The file cannot be shown" (and the web process grew by no more than a few MB)."""

from __future__ import annotations

import hashlib
import resource
import struct
import zlib

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from portal import attachment_preview
from portal.settings import Settings
from portal.tasks import extract_attachment
from tests.officer_support import add_document, case_of, png_bytes, sign_in

SIDE = 7740


def bomb_png(side: int = SIDE) -> bytes:
    """A valid RGB PNG of ``side`` × ``side`` black pixels, compressed row by row (the test
    itself never holds the pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (side * 3)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def test_a_decompression_bomb_does_not_grow_the_web_process(
    app: FastAPI, db: Session, settings: Settings, new_household
) -> None:  # type: ignore[no-untyped-def]
    content = bomb_png()
    assert len(content) < 1024 * 1024  # a small file ...
    case = case_of(db, new_household())
    attachment = add_document(
        db, settings.uploads, case, content, filename="bomb.png", content_type="image/png"
    )
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        sign_in(client, "handlaggare")
        client.get(case.url)  # warm up: the page itself
        before = peak_rss_mb()
        responses = [
            client.get(f"{case.url}/attachments/{attachment.id}"),
            client.get(f"{case.url}/attachments/{attachment.id}"),
            client.get(f"{case.url}/attachments/{attachment.id}/pages/1"),
        ]
        grown = peak_rss_mb() - before
    print(f"web process peak RSS grew by {grown:.1f} MB for a {SIDE}x{SIDE} PNG")
    # ... of 180 MB of pixels: decoded in the web process the peak grew by 900 MB (issue 13).
    assert grown < 100, grown
    for response in responses:
        assert response.status_code in (200, 404), response.status_code
        if response.status_code == 404:
            assert "The file cannot be shown" in response.text or "Page not found" in response.text
    # What could be made was made in the child, and stored.
    made = list((settings.uploads / "reencoded").glob(f"{attachment.sha256}*"))
    assert made, "nothing stored for the image"


def test_a_damaged_image_says_it_cannot_be_shown(
    app: FastAPI, db: Session, settings: Settings, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    damaged = b"\x89PNG\r\n\x1a\n" + b"garbage" * 50
    attachment = add_document(
        db, settings.uploads, case, damaged, filename="trasig.png", content_type="image/png"
    )
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        sign_in(client, "handlaggare")
        for _ in range(2):  # the second time from the stored verdict, without a child
            response = client.get(f"{case.url}/attachments/{attachment.id}")
            assert response.status_code == 404
            assert "The file cannot be shown" in response.text
            assert "Ask the applicant to send it again" in response.text
        client.cookies.delete("portal_lang")
        client.cookies.set("portal_lang", "sv")
        swedish = client.get(f"{case.url}/attachments/{attachment.id}")
        assert swedish.status_code == 404 and "Filen kan inte visas" in swedish.text
    assert (settings.uploads / "reencoded" / f"{attachment.sha256}.failed").exists()


def test_the_views_are_made_once_when_the_file_arrives(
    app: FastAPI, db: Session, settings: Settings, engine, new_household
) -> None:  # type: ignore[no-untyped-def]
    case = case_of(db, new_household())
    content = png_bytes() + hashlib.sha256(str(case.id).encode()).digest()  # a file of its own
    attachment = add_document(
        db,
        settings.uploads,
        case,
        content,
        filename="kvitto.png",
        content_type="image/png",
        status="pending",
    )
    sha = attachment.sha256
    assert not list((settings.uploads / "reencoded").glob(f"{sha}*"))
    extract_attachment(attachment.id or 0, settings, engine)  # what the worker runs on arrival
    copy = next((settings.uploads / "reencoded").glob(f"{sha}.*"))
    page = attachment_preview.page_path(settings.uploads, sha, 1)
    assert copy.is_file() and page.is_file()
    made = (copy.stat().st_mtime_ns, page.stat().st_mtime_ns)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        sign_in(client, "handlaggare")
        for _ in range(3):
            original = client.get(f"{case.url}/attachments/{attachment.id}")
            assert original.status_code == 200 and original.content == copy.read_bytes()
            picture = client.get(f"{case.url}/attachments/{attachment.id}/pages/1")
            assert picture.status_code == 200 and picture.content == page.read_bytes()
    assert (copy.stat().st_mtime_ns, page.stat().st_mtime_ns) == made  # served, not made again
