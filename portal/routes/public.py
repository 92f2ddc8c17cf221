"""Pages for everyone: the start page, the accessibility statement, language choice, health."""

from __future__ import annotations

import asyncio
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.responses import RedirectResponse, Response

from intake.languages import SUPPORTED
from portal import repository
from portal.auth import PublicUser, anyone
from portal.db import READY_TIMEOUT_SECONDS, SessionDep, ping
from portal.security import remember_language, safe_next
from portal.templating import render

router = APIRouter()


@router.get("/")
def start(request: Request, user: PublicUser) -> Response:
    return render(request, "pages/public/start.html")


@router.get("/accessibility")
def accessibility(request: Request, user: PublicUser) -> Response:
    return render(request, "pages/public/accessibility.html")


@router.post("/language")
def choose_language(
    request: Request,
    db: SessionDep,
    user: PublicUser,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Remember the chosen language in a cookie, and in the profile when signed in."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in SUPPORTED:
        remember_language(request, response, lang)
        if user is not None:
            repository.save_language(db, user, lang)
    return response


@router.get("/healthz", dependencies=[Depends(anyone)])
async def healthz() -> Response:
    """The process is alive. Runs on the event loop: no thread, no queue, no database."""
    return PlainTextResponse("ok")


_ready_limiters: dict[int, anyio.CapacityLimiter] = {}


@router.get("/readyz", dependencies=[Depends(anyone)])
async def readyz(request: Request) -> Response:
    """The database answers, within a second: the ping goes over a connection of its own
    (never the request pool), in a thread of its own (never queued behind requests)."""
    loop = id(asyncio.get_running_loop())
    limiter = _ready_limiters.get(loop)
    if limiter is None:
        _ready_limiters.clear()
        limiter = _ready_limiters[loop] = anyio.CapacityLimiter(2)
    ok = False
    with anyio.move_on_after(READY_TIMEOUT_SECONDS):
        ok = await anyio.to_thread.run_sync(
            ping, request.app.state.readiness_engine, limiter=limiter, abandon_on_cancel=True
        )
    if ok:
        return JSONResponse({"status": "ready", "database": "ok"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
