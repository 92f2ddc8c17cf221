"""Every route declares who may use it, and the declarations hold."""

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from portal.app import api_routes
from portal.security import is_survey_path
from tests.conftest import csrf_of, login_applicant, login_staff

ROLES = ("informator", "officer", "quality", "admin")
# A user of each kind who holds none of the other roles.
ONLY_ROLE = {
    "informator": "informator",
    "officer": "handlaggare",
    "quality": "kvalitet",
    "admin": "admin",
}


def _access_of(call: Callable[..., object]) -> str | None:
    return getattr(call, "access", None)


def declared_access(route: APIRoute) -> list[str]:
    found: list[str] = []

    def walk(dependant) -> None:  # type: ignore[no-untyped-def]
        for dependency in dependant.dependencies:
            access = _access_of(dependency.call)
            if access:
                found.append(access)
            walk(dependency)

    walk(route.dependant)
    return found


def routes(app: FastAPI) -> list[APIRoute]:
    return api_routes(app)


def test_every_route_declares_exactly_one_access_rule(app: FastAPI) -> None:
    undeclared = {
        f"{sorted(route.methods)} {route.path}": declared_access(route)
        for route in routes(app)
        if len(set(declared_access(route))) != 1
    }
    assert undeclared == {}
    assert len(routes(app)) >= 14


def _requests(app: FastAPI, access: str) -> list[tuple[str, str]]:
    return [
        (method, re.sub(r"\{[^}]+\}", "1", route.path))  # path parameters get a sample value
        for route in routes(app)
        if access in declared_access(route)
        for method in sorted(route.methods)
    ]


def _call(client: TestClient, method: str, path: str, **headers: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_of(client)} if method != "GET" else None
    return client.request(method, path, data=data, headers=headers, follow_redirects=False)


@pytest.mark.parametrize("access", [*ROLES, "applicant", "staff"])
def test_unauthenticated_requests_are_sent_to_sign_in(
    app: FastAPI, client: TestClient, access: str
) -> None:
    for method, path in _requests(app, access):
        response = _call(client, method, path)
        assert response.status_code == 303, (method, path)
        assert response.headers["location"] == f"/login?next={path}"
        htmx = _call(client, method, path, **{"HX-Request": "true"})
        assert htmx.status_code == 401
        assert htmx.headers["HX-Redirect"] == f"/login?next={path}"


@pytest.mark.parametrize("role", ROLES)
def test_staff_without_the_role_are_refused(app: FastAPI, client: TestClient, role: str) -> None:
    others = [name for other, name in ONLY_ROLE.items() if other != role]
    requests = _requests(app, role)
    assert requests, f"no route needs {role}"
    for username in others:
        client.cookies.clear()
        login_staff(client, username)
        for method, path in requests:
            response = _call(client, method, path)
            assert response.status_code == 403, (username, method, path)
            assert "Du har inte behörighet" in response.text


def test_applicants_cannot_reach_staff_pages(app: FastAPI, client: TestClient) -> None:
    login_applicant(client, "single adult")
    for role in ROLES:
        for method, path in _requests(app, role):
            assert _call(client, method, path).status_code == 403, path


def test_staff_cannot_reach_applicant_pages(app: FastAPI, client: TestClient) -> None:
    login_staff(client, "admin")
    for method, path in _requests(app, "applicant"):
        assert _call(client, method, path).status_code == 403, path


def test_every_state_change_needs_a_csrf_token(app: FastAPI, client: TestClient) -> None:
    login_staff(client, "admin")
    unsafe = [
        (method, route.path)
        for route in routes(app)
        for method in route.methods
        if method not in ("GET", "HEAD", "OPTIONS")
    ]
    assert unsafe
    for method, path in unsafe:
        if is_survey_path(path):
            # The anonymous survey sets no cookie: its one-time token is what a forger lacks.
            forged = client.request(
                method, path.replace("{token}", "x" * 43), data={"token": "x" * 43, "overall": "1"}
            )
            assert forged.status_code == 404, (method, path)
            continue
        missing = client.request(method, path, data={"x": "1"}, follow_redirects=False)
        assert missing.status_code == 403, (method, path)
        if path.startswith("/api/"):  # problem details (RFC 9457) on the API
            assert missing.json()["error"] == "csrf", (method, path)
        else:
            assert "Formuläret hade gått ut" in missing.text
        forged = client.request(method, path, data={"csrf_token": "0" * 64}, follow_redirects=False)
        assert forged.status_code == 403, (method, path)
        header = client.request(
            method, path, headers={"X-CSRF-Token": "0" * 64}, follow_redirects=False
        )
        assert header.status_code == 403, (method, path)
