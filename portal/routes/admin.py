"""The administrator's pages: staff users and units."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from intake.models import Role
from portal import repository
from portal.auth import Principal, require_role
from portal.db import SessionDep
from portal.routes import admin_audit
from portal.templating import render

router = APIRouter(prefix="/admin")


@router.get("")
def home(
    request: Request, db: SessionDep, user: Principal = Depends(require_role(Role.admin))
) -> Response:
    context = {"staff": repository.staff_with_roles(db), "units": repository.units(db)}
    return render(request, "pages/admin/home.html", context)


admin_audit.register(router)  # the audit log search: /admin/audit
