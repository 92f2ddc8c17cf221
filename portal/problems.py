"""Errors of the API as problem details (RFC 9457, ``application/problem+json``).

Every answer of an ``/api/`` path that is an error has this shape, whoever gives it: the API's
own routes, the app's error handlers (404, 405, 500, 503), the body limit (413) and the rate
limit (429). ``error`` is the portal's machine-readable code (kept from the earlier
``{"error", "detail"}`` answers), an extension member as RFC 9457 allows.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"

_DEFAULT_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "bad_request",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


def problem(
    status: int,
    code: str | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> ProblemResponse:
    """A problem details answer: ``type``, ``title``, ``status``, ``detail`` and ``error``."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": phrase,
        "status": status,
        "detail": detail or phrase,
        "error": code or _DEFAULT_CODES.get(status, "error"),
        **extensions,
    }
    return ProblemResponse(body, status_code=status, headers=headers)
