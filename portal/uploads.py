"""Storing uploads: size enforced while the body streams, type by magic bytes, SHA-256 and an
fsync before the row is committed, so that "saved" is only said of what is on disk."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake.filetypes import ACCEPTED, sniff

CHUNK = 256 * 1024


class UploadError(Exception):
    """Codes: ``too_large``, ``wrong_type``, ``empty``, ``too_many``, ``incomplete``."""

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


async def store(upload: UploadFile, folder: Path, subfolder: str, max_bytes: int) -> Stored:
    """Copy an upload to ``folder/subfolder`` under a random name; nothing is left on failure."""
    filename = os.path.basename(upload.filename or "document")[:200] or "document"
    target_dir = folder / subfolder
    target_dir.mkdir(parents=True, exist_ok=True)
    temporary = target_dir / f".{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    size = 0
    kind: str | None = None
    try:
        with temporary.open("wb") as out:
            while chunk := await upload.read(CHUNK):
                if kind is None:
                    kind = sniff(chunk[:16])
                    if kind is None:
                        raise UploadError("wrong_type", filename)
                size += len(chunk)
                if size > max_bytes:
                    raise UploadError("too_large", filename)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0 or kind is None:
            raise UploadError("empty", filename)
        final = target_dir / f"{uuid.uuid4().hex}.{'jpg' if kind == 'jpeg' else kind}"
        temporary.rename(final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return Stored(
        path=str(final.relative_to(folder)),
        filename=filename,
        content_type=ACCEPTED[kind],
        size=size,
        sha256=digest.hexdigest(),
    )


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
