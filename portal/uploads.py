"""Storing uploads: size enforced while the body streams, type by magic bytes, SHA-256 and an
fsync before the row is committed, so that "saved" is only said of what is on disk."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import anyio
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake.filetypes import ACCEPTED, sniff
from portal.virusscan import ClamdScanner, Infected, ScanUnavailable

log = logging.getLogger("portal.uploads")

CHUNK = 256 * 1024


class UploadError(Exception):
    """Codes: ``too_large``, ``wrong_type``, ``empty``, ``too_many``, ``incomplete``,
    ``disk_full`` (the storage is full), ``infected`` (the virus scan found something),
    ``unscanned`` (the virus scan failed and fails closed)."""

    def __init__(self, code: str, filename: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.filename = filename


@dataclass(frozen=True)
class Stored:
    path: str  # relative to the upload folder
    filename: str
    content_type: str
    size: int
    sha256: str


# Errors of a full disk or quota: the applicant is told, nothing half-written stays behind.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


async def store(
    upload: UploadFile,
    folder: Path,
    subfolder: str,
    max_bytes: int,
    scanner: ClamdScanner | None = None,
) -> Stored:
    """Copy an upload to ``folder/subfolder`` under a random name; nothing is left on failure.
    With a ``scanner`` the complete file is scanned before it gets its final name."""
    filename = os.path.basename(upload.filename or "document")[:200] or "document"
    target_dir = folder / subfolder
    temporary = target_dir / f".{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    size = 0
    kind: str | None = None
    descriptor = -1
    final: Path | None = None
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        while chunk := await upload.read(CHUNK):
            if kind is None:
                kind = sniff(chunk[:16])
                if kind is None:
                    raise UploadError("wrong_type", filename)
            size += len(chunk)
            if size > max_bytes:
                raise UploadError("too_large", filename)
            digest.update(chunk)
            _write_all(descriptor, chunk)
        os.fsync(descriptor)
        os.close(descriptor)
        descriptor = -1
        if size == 0 or kind is None:
            raise UploadError("empty", filename)
        if scanner is not None:
            await _scan(scanner, temporary, filename)
        final = target_dir / f"{uuid.uuid4().hex}.{'jpg' if kind == 'jpeg' else kind}"
        temporary.rename(final)
        _fsync_directory(target_dir)
    except OSError as exc:
        _discard(descriptor, temporary, final)
        if exc.errno in DISK_FULL:
            log.error("upload not stored, the storage is full: %s", exc)
            raise UploadError("disk_full", filename) from exc
        raise
    except BaseException:
        _discard(descriptor, temporary, final)
        raise
    return Stored(
        path=str(final.relative_to(folder)),
        filename=filename,
        content_type=ACCEPTED[kind],
        size=size,
        sha256=digest.hexdigest(),
    )


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def _fsync_directory(path: Path) -> None:
    """The new name itself is on disk, not only the file's bytes."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _discard(descriptor: int, *paths: Path | None) -> None:
    if descriptor >= 0:
        with contextlib.suppress(OSError):
            os.close(descriptor)
    for path in paths:
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


async def _scan(scanner: ClamdScanner, path: Path, filename: str) -> None:
    try:
        await anyio.to_thread.run_sync(scanner.check, path, filename)
    except Infected as exc:
        raise UploadError("infected", filename) from exc
    except ScanUnavailable as exc:
        raise UploadError("unscanned", filename) from exc


def discard_stored(folder: Path, stored: Stored) -> None:
    """Remove a stored file whose row could not be committed (the database failed)."""
    with contextlib.suppress(OSError):
        (folder / stored.path).unlink(missing_ok=True)


class BodySizeLimit:
    """Refuse a request body larger than ``limit`` bytes while it streams (at once when
    Content-Length announces it), before the multipart parser spools it anywhere, and answer
    with a clear 413 page. The application sees the client as gone and stores nothing."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await self._refuse(scope, send)
            return
        received = 0
        overflow = False
        started = False

        async def limited() -> Message:
            nonlocal received, overflow
            if overflow:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    overflow = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if overflow:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, guarded)
        except Exception:
            if not overflow:
                raise
        if overflow and not started:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        from portal.app import error_response  # the error page lives with the app

        response = error_response(Request(scope), 413)
        await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
