"""The informatör's pages: completeness work before a case officer sees an application."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from intake.models import Role
from portal import repository
from portal.auth import Principal, require_role
from portal.db import SessionDep
from portal.templating import render

router = APIRouter(prefix="/informator")


@router.get("")
def home(
    request: Request, db: SessionDep, user: Principal = Depends(require_role(Role.informator))
) -> Response:
    counts = repository.count_applications_by_status(db)
    return render(request, "pages/informator/home.html", {"counts": counts})
