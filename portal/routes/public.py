"""Pages for everyone: the start page, the accessibility statement, language choice, health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.responses import RedirectResponse, Response

from intake.languages import SUPPORTED
from portal import repository
from portal.auth import PublicUser, anyone
from portal.db import SessionDep, ping
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
def healthz() -> Response:
    """The process is alive."""
    return PlainTextResponse("ok")


@router.get("/readyz", dependencies=[Depends(anyone)])
def readyz(request: Request) -> Response:
    """The database answers."""
    if ping(request.app.state.engine):
        return JSONResponse({"status": "ready", "database": "ok"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
