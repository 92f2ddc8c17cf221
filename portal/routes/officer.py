"""The case officer's (socialsekreterare's) pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from intake.models import Role
from portal import repository
from portal.auth import Principal, require_role
from portal.db import SessionDep
from portal.templating import render

router = APIRouter(prefix="/officer")


@router.get("")
def home(
    request: Request, db: SessionDep, user: Principal = Depends(require_role(Role.officer))
) -> Response:
    unit_id = user.staff.unit_id if user.staff else None
    context = {
        "counts": repository.count_applications_by_status(db, unit_id),
        "unit_name": repository.unit_name(db, unit_id),
    }
    return render(request, "pages/officer/home.html", context)
