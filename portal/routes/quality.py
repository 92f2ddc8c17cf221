"""The kvalitetsansvarig's pages: the bemötande survey results."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from intake.models import Role
from portal import repository
from portal.auth import Principal, require_role
from portal.db import SessionDep
from portal.templating import render

router = APIRouter(prefix="/quality")


@router.get("")
def home(
    request: Request, db: SessionDep, user: Principal = Depends(require_role(Role.quality))
) -> Response:
    context = {"answers": repository.count_survey_answers(db)}
    return render(request, "pages/quality/home.html", context)
