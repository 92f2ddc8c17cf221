"""The administrator's search in the audit log: who saw or did what with case data, when, and in
which role. Registered on the admin router by ``portal.routes.admin``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from intake.models import Role
from portal import repository
from portal.auth import Principal, require_role
from portal.db import SessionDep
from portal.repository_audit import ACTOR_KINDS, AuditFilter, search
from portal.templating import render

Admin = Annotated[Principal, Depends(require_role(Role.admin))]
PAGE_SIZE = 100


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def audit_log(
    request: Request,
    db: SessionDep,
    user: Admin,
    actor_kind: str = "",
    username: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: str = "",
    until: str = "",
    page: str = "1",
) -> Response:
    chosen = AuditFilter(
        actor_kind=actor_kind if actor_kind in ACTOR_KINDS else "",
        username=username.strip()[:100],
        action=action.strip()[:64],
        object_type=object_type.strip()[:32],
        object_id=int(object_id) if object_id.strip().isdigit() else None,
        since=_date(since),
        until=_date(until),
        page=int(page) if page.isdigit() and int(page) > 0 else 1,
    )
    params = {
        "actor_kind": chosen.actor_kind,
        "username": chosen.username,
        "action": chosen.action,
        "object_type": chosen.object_type,
        "object_id": chosen.object_id or "",
        "since": chosen.since.isoformat() if chosen.since else "",
        "until": chosen.until.isoformat() if chosen.until else "",
    }
    kept = {k: v for k, v in params.items() if v}
    repository.audit(
        db,
        "staff",
        user.subject_id,
        "search_audit_log",
        detail={"role": Role.admin.value, "filters": kept},
    )
    rows, total = search(db, chosen, PAGE_SIZE)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    context = {
        "rows": rows,
        "total": total,
        "chosen": chosen,
        "params": params,
        "actor_kinds": ACTOR_KINDS,
        "page": chosen.page,
        "pages": pages,
        "page_link": lambda number: "/admin/audit?" + urlencode({**kept, "page": number}),
    }
    return render(request, "pages/admin/audit.html", context)


def register(router: APIRouter) -> None:
    """Add these routes to the router of the area (so that their paths stay complete)."""
    router.add_api_route("/audit", audit_log, methods=["GET"])
