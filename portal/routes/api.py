"""The hand-off REST API for the municipality's case system (Lifecare, Procapita, Viva, Treserva).

Every request carries ``Authorization: Bearer <token>`` (``portal api-token create NAME``); only the
token's SHA-256 is stored. Errors carry ``{"error": code, "detail": text}``: 401 without a
valid token, 404 for what does not exist or may not be handed over, 422 for a bad request,
all as problem details (RFC 9457, ``application/problem+json``, portal/problems.py).
Households with protected identity are never handed over by the API (fail closed). Every call
is written to the audit log before it is answered.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session
from starlette.responses import FileResponse, JSONResponse, Response

from intake.models import ApiToken, Attachment
from portal import handoff, repository
from portal import repository_handoff as repo
from portal.db import SessionDep, release
from portal.problems import problem


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail


class ApiRoute(APIRoute):
    """Answers the API's own errors (and bad parameters) as JSON instead of the HTML error pages
    the rest of the portal shows."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
                return problem(exc.status, exc.code, exc.detail, headers=headers)
            except RequestValidationError as exc:
                problems = [
                    {"loc": [str(part) for part in error.get("loc", ())], "msg": error.get("msg")}
                    for error in exc.errors()
                ]
                return problem(422, "bad_request", "invalid parameters", problems=problems)

        return handle


router = APIRouter(prefix="/api/v1", route_class=ApiRoute, tags=["hand-off"])
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="A token made with `portal api-token create NAME`.",
)


def require_api_token(
    db: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ApiToken:
    """The case system's token; 401 JSON without a valid, unrevoked one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "unauthorized", "An API token is required (Authorization: Bearer).")
    token = repo.authenticate(db, credentials.credentials)
    if token is None:
        raise ApiError(401, "invalid_token", "The token is unknown or has been revoked.")
    release(db)  # no connection held while the route waits for its thread
    return token


require_api_token.access = "api"  # type: ignore[attr-defined]
Client = Annotated[ApiToken, Depends(require_api_token)]


def _audit(
    db: Session,
    token: ApiToken,
    action: str,
    object_type: str,
    object_id: int | None,
    **detail: Any,
) -> None:
    """Written before the answer: a read that cannot be logged is not served."""
    repository.audit(
        db,
        "api",
        token.id,
        action,
        object_type=object_type,
        object_id=object_id,
        detail={"role": "api", "token": token.name, **detail},
    )


# --- models for the OpenAPI description ------------------------------------------------------


class ListedApplication(BaseModel):
    id: int
    reference: str | None
    month: str
    status: str
    unit_id: int
    submitted_at: str | None
    decided_at: str | None
    received_at: str | None = Field(description="When the case system marked it received")
    href: str


class ApplicationList(BaseModel):
    version: str = handoff.DOCUMENT_VERSION
    items: list[ListedApplication]
    next_after_id: int | None = Field(
        description="Pass as after_id for the next page; null when this is the last page"
    )


class ReceivedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_system: str | None = Field(default=None, max_length=50, description="e.g. Lifecare, Viva")
    case_reference: str | None = Field(
        default=None, max_length=100, description="The case system's id"
    )


class ReceivedOut(BaseModel):
    application_id: int
    received_at: str
    case_system: str | None
    case_reference: str | None
    document_version: str
    new: bool = Field(description="False when it had been marked received before")


class ErrorOut(BaseModel):
    """Problem details (RFC 9457), sent as ``application/problem+json``."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    error: str = Field(description="The portal's code for the problem")


def _problem_doc(description: str) -> dict[str, Any]:
    return {
        "model": ErrorOut,
        "description": description,
        "content": {"application/problem+json": {}},
    }


ERRORS: dict[int | str, dict[str, Any]] = {
    401: _problem_doc("No valid API token"),
    404: _problem_doc("Not found, or not to be handed over"),
    422: _problem_doc("Bad parameters"),
    429: _problem_doc("Too many requests"),
}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


# --- routes ------------------------------------------------------------------------------------


@router.get("/applications", response_model=ApplicationList, responses=ERRORS)
def list_applications(
    db: SessionDep,
    token: Client,
    status: Annotated[
        list[str] | None,
        Query(
            description="submitted, needs_completion, complete or decided; repeat or comma-separate"
        ),
    ] = None,
    received: Annotated[
        bool | None, Query(description="true: marked received; false: not yet")
    ] = None,
    after_id: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Sent applications by id, oldest first, e.g. ``?status=decided&received=false``."""
    wanted = [s.strip() for value in status or [] for s in value.split(",") if s.strip()]
    unknown = sorted(set(wanted) - set(repo.API_STATUSES))
    if unknown:
        raise ApiError(422, "bad_request", f"unknown status: {', '.join(unknown)}")
    rows = repo.list_applications(
        db, wanted or repo.API_STATUSES, received=received, after_id=after_id, limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    _audit(
        db,
        token,
        "api_list_applications",
        "application",
        None,
        statuses=wanted,
        received=received,
        ids=[row.application.id for row in rows],
    )
    return {
        "version": handoff.DOCUMENT_VERSION,
        "items": [
            {
                "id": row.application.id,
                "reference": row.application.reference,
                "month": row.application.month,
                "status": row.application.status,
                "unit_id": row.unit_id,
                "submitted_at": _iso(row.application.submitted_at),
                "decided_at": _iso(row.decided_at),
                "received_at": _iso(row.received_at),
                "href": f"/api/v1/applications/{row.application.id}",
            }
            for row in rows
        ],
        "next_after_id": rows[-1].application.id if more and rows else None,
    }


def _handed_over(db: Session, application_id: int) -> Any:
    found = repo.handed_over(db, application_id)
    if found is None:
        raise ApiError(404, "not_found", "No such application.")
    return found


@router.get(
    "/applications/{application_id}",
    response_model=handoff.ApplicationDocument,
    response_model_by_alias=True,
    responses={**ERRORS, 404: {"model": ErrorOut, "description": "No such application"}},
)
def get_application(request: Request, db: SessionDep, token: Client, application_id: int) -> Any:
    """The application as a versioned hand-off document (docs/handoff-schema.md)."""
    application, household = _handed_over(db, application_id)
    _audit(db, token, "api_view_application", "application", application.id)
    document = handoff.collect(db, request.app.state, application, household)
    return JSONResponse(handoff.dump(document))


@router.get(
    "/applications/{application_id}/attachments/{attachment_id}",
    response_class=FileResponse,
    responses={
        **ERRORS,
        200: {"description": "The file as uploaded", "content": {"application/octet-stream": {}}},
        404: {"model": ErrorOut, "description": "No such document"},
    },
)
def download_attachment(
    request: Request, db: SessionDep, token: Client, application_id: int, attachment_id: int
) -> Response:
    """A document of the application, byte for byte as received; ``Repr-Digest`` carries its
    SHA-256."""
    application, _household = _handed_over(db, application_id)
    attachment = db.get(Attachment, attachment_id)
    path = (
        request.app.state.settings.uploads / attachment.storage_path
        if attachment is not None
        else None
    )
    if (
        attachment is None
        or path is None
        or attachment.application_id != application.id
        or attachment.removed_at is not None
        or not path.is_file()
    ):
        raise ApiError(404, "not_found", "No such document.")
    _audit(
        db,
        token,
        "api_download_attachment",
        "attachment",
        attachment.id,
        application_id=application.id,
    )
    digest = base64.b64encode(bytes.fromhex(attachment.sha256)).decode()
    return FileResponse(
        path,
        media_type=attachment.content_type,
        filename=attachment.filename,
        headers={
            "Repr-Digest": f"sha-256=:{digest}:",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, no-store",
        },
    )


@router.post(
    "/applications/{application_id}/received",
    response_model=ReceivedOut,
    responses={**ERRORS, 404: {"model": ErrorOut, "description": "No such application"}},
)
def mark_received(
    db: SessionDep,
    token: Client,
    application_id: int,
    body: ReceivedIn | None = None,
) -> JSONResponse:
    """The case system has the application: 201 the first time, 200 when repeated."""
    application, _household = _handed_over(db, application_id)
    body = body or ReceivedIn()
    receipt, new = repo.mark_received(
        db,
        application,
        token,
        case_system=body.case_system,
        case_reference=body.case_reference,
        document_version=handoff.DOCUMENT_VERSION,
    )
    if new:
        _audit(
            db,
            token,
            "handoff_received",
            "application",
            application.id,
            case_system=body.case_system,
            case_reference=body.case_reference,
        )
    return JSONResponse(
        {
            "application_id": application.id,
            "received_at": _iso(receipt.received_at),
            "case_system": receipt.case_system,
            "case_reference": receipt.case_reference,
            "document_version": receipt.document_version,
            "new": new,
        },
        201 if new else 200,
    )
