"""The household register's routes: the case system's API (``/api/v1/households``) and the
officer's pages (``/officer/households``). Routes parse the request, call one service function
and render; the service owns the transaction and its audit event."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import JSONResponse, RedirectResponse, Response

from intake.languages import SUPPORTED
from intake.models import ApiToken, Household, MemberRole, Role
from intake.personnummer import Personnummer
from portal import protection
from portal.auth import Principal, require_role
from portal.db import SessionDep
from portal.households import queries, service
from portal.households.schemas import (
    CloseIn,
    HouseholdIn,
    HouseholdOut,
    MemberIn,
    MemberOut,
    problem_responses,
)
from portal.households.words import action_text, problem_text
from portal.problems import problem as problem_details
from portal.repository_officer import units_named, visible_units
from portal.routes.api import ApiError, require_api_token
from portal.templating import render

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    detail: str,
    problems: list[dict[str, Any]] | None = None,
    code: str | None = None,
) -> Response:
    """An RFC 9457 problem details answer, as every API error (portal/problems.py), with the
    register's list of problems beside it."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return problem_details(status, code, detail, headers=headers, problems=problems or [])


def _items(found: list[service.Problem]) -> list[dict[str, Any]]:
    return [{"code": p.code, "loc": list(p.loc), "detail": p.detail} for p in found]


class ProblemRoute(APIRoute):
    """Answers every error of these API routes as ``application/problem+json``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                return problem(exc.status, exc.detail, code=exc.code)
            except service.HouseholdProblem as exc:
                return problem(exc.status, "The change was not made.", _items(exc.problems))
            except RequestValidationError as exc:
                items = [
                    {
                        "code": str(error.get("type", "invalid")),
                        "loc": [part for part in error.get("loc", ()) if part != "body"],
                        "detail": str(error.get("msg", "")),
                    }
                    for error in exc.errors()
                ]
                return problem(422, "The request is not valid.", items)

        return handle


api = APIRouter(prefix="/api/v1/households", route_class=ProblemRoute, tags=["households"])
Client = Annotated[ApiToken, Depends(require_api_token)]
ExternalId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="The case system's id of the household",
        examples=["VIVA-2026-000123"],
    ),
]


def _api_actor(token: ApiToken) -> service.Actor:
    return service.Actor("api", token.id, "api", token.name)


def household_out(db: Session, household: Household) -> dict[str, Any]:
    assert household.id is not None
    hidden = household.protected_identity  # skyddad identitet: not echoed (fail closed)
    return HouseholdOut(
        external_id=household.external_id or "",
        id=household.id,
        unit_id=household.unit_id,
        language=household.language,
        interpreter_needed=household.interpreter_needed,
        protected_identity=household.protected_identity,
        closed_at=household.closed_at.isoformat() if household.closed_at else None,
        close_reason=household.close_reason,
        members=[
            MemberOut(
                personnummer=None if hidden else Personnummer(person.personnummer).formatted(),
                given_name=None if hidden else person.given_name,
                family_name=None if hidden else person.family_name,
                role=member.role,
                days_at_home=member.days_at_home,
            )
            for member, person in queries.members_of(db, household.id)
        ],
        basis_month=queries.basis_month(db, household.id),
    ).model_dump()


@api.put(
    "/{external_id}",
    operation_id="put_household",
    response_model=HouseholdOut,
    status_code=200,
    responses={
        201: {"model": HouseholdOut, "description": "Created"},
        **problem_responses(401, 409, 422),
    },
)
def put_household(
    db: SessionDep,
    token: Client,
    external_id: ExternalId,
    body: Annotated[HouseholdIn, Body()],
) -> JSONResponse:
    """Create (201) or update (200) the household the case system knows as ``external_id``.
    The members listed are the household: a member left out is removed. The same body again
    changes nothing. Every call is written to the audit log in the change's transaction."""
    result = service.upsert(db, external_id, body, _api_actor(token))
    return JSONResponse(household_out(db, result.household), 201 if result.created else 200)


@api.post(
    "/{external_id}/close",
    operation_id="close_household",
    response_model=HouseholdOut,
    responses=problem_responses(401, 404, 422),
)
def close_household(
    db: SessionDep,
    token: Client,
    external_id: ExternalId,
    body: Annotated[CloseIn, Body()],
) -> JSONResponse:
    """Close the household's case with a reason: no new applications. Repeating it changes
    nothing."""
    household = service.close_by_external_id(db, external_id, body.reason, _api_actor(token))
    return JSONResponse(household_out(db, household))


# --- the officer's pages ---------------------------------------------------------------------

pages = APIRouter(prefix="/officer/households")
Officer = Annotated[Principal, Depends(require_role(Role.officer))]
PAGE_SIZE = 50
ROLES = [role.value for role in MemberRole]


def _actor(user: Principal) -> service.Actor:
    return service.Actor("staff", user.subject_id, Role.officer.value)


def _household(db: Session, user: Principal, household_id: int) -> Household:
    found = queries.household_in_units(db, household_id, visible_units(db, user.staff))
    if found is None:
        raise HTTPException(404)
    # Skyddad identitet: staff see only that it is handled outside the portal; the case system
    # changes or closes such a household through the API.
    protection.check(db, found.id)
    return found


def _text(form: FormData, name: str, limit: int = 200) -> str:
    value = form.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def _errors(problems: list[service.Problem], prefix: str = "") -> list[tuple[str, str]]:
    """(field id, message) for the error summary; a field's id is its name."""
    found = []
    for p in problems:
        name = str(p.loc[-1]) if p.loc and isinstance(p.loc[-1], str) else "why"
        if p.code in ("applicant_count", "co_applicant_count"):
            name = "role"
        found.append((prefix + name, problem_text(p.code)))
    return list(dict.fromkeys(found))


def _member_from(form: FormData, prefix: str = "") -> MemberIn | list[service.Problem]:
    problems = []
    given = _text(form, prefix + "given_name", 100)
    family = _text(form, prefix + "family_name", 100)
    role = _text(form, prefix + "role", 20) or "applicant"
    days = _text(form, prefix + "days_at_home", 3)
    number = _text(form, prefix + "personnummer", 20)
    if not given or not family:
        problems.append(service.Problem("name_required", ("given_name",), ""))
    if role not in ROLES:
        problems.append(service.Problem("bad_role", ("role",), ""))
    if days and (not days.isdigit() or int(days) > 31):
        problems.append(service.Problem("days_range", ("days_at_home",), ""))
    if service.normal_personnummer(number) is None:
        problems.append(service.Problem("personnummer_checksum", ("personnummer",), ""))
    if problems:
        return problems
    return MemberIn(
        personnummer=number,
        given_name=given,
        family_name=family,
        role=role,  # type: ignore[arg-type]
        days_at_home=int(days) if days and role not in service.ADULTS else None,
        email=_text(form, prefix + "email", 254) or None,
        phone=_text(form, prefix + "phone", 30) or None,
    )


@pages.get("")
def register_list(
    request: Request, db: SessionDep, user: Officer, q: str = "", closed: str = "", page: str = "1"
) -> Response:
    units = visible_units(db, user.staff)
    number = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    rows, total = queries.register(
        db, units, q[:100], closed=closed == "1", page=number, page_size=PAGE_SIZE
    )
    return render(
        request,
        "households/list.html",
        {
            "rows": rows,
            "total": total,
            "q": q[:100],
            "closed": closed == "1",
            "page": number,
            "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        },
    )


def _new_form(
    request: Request, db: Session, user: Principal, values: dict[str, str], errors: Any, status: int
) -> Response:
    return render(
        request,
        "households/new.html",
        {
            "units": units_named(db, visible_units(db, user.staff)),
            "languages": SUPPORTED,
            "values": values,
            "errors": errors,
        },
        status,
    )


@pages.get("/new")
def new_household(request: Request, db: SessionDep, user: Officer) -> Response:
    return _new_form(request, db, user, {}, [], 200)


@pages.post("")
async def create_household(request: Request, db: SessionDep, user: Officer) -> Response:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    units = visible_units(db, user.staff)
    unit = _text(form, "unit", 12)
    language = _text(form, "language", 8)
    member = _member_from(form)
    problems = list(member) if isinstance(member, list) else []
    if not unit.isdigit() or int(unit) not in units:
        problems.append(service.Problem("unknown_unit", ("unit",), ""))
    if problems:
        return _new_form(request, db, user, values, _errors(problems), 422)
    assert isinstance(member, MemberIn)
    try:
        data = HouseholdIn(
            unit=unit,
            language=language if language in SUPPORTED else "sv",
            interpreter_needed=form.get("interpreter") == "yes",
            members=[member],
        )
        household = service.register(
            db,
            data,
            _actor(user),
            _text(form, "why", 2000),
            external_id=_text(form, "external_id", 64) or None,
        )
    except service.HouseholdProblem as exc:
        return _new_form(request, db, user, values, _errors(exc.problems), exc.status)
    except ValidationError:
        return _new_form(request, db, user, values, [("unit", problem_text("unknown_unit"))], 422)
    return RedirectResponse(f"/officer/households/{household.id}?saved=1", status_code=303)


def _show(
    request: Request,
    db: Session,
    user: Principal,
    household: Household,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
    form: str = "",
) -> Response:
    assert household.id is not None
    return render(
        request,
        "households/household.html",
        {
            "household": household,
            "members": queries.members_of(db, household.id),
            "tasks": queries.change_tasks(db, household.id),
            "history": queries.history(db, household.id),
            "unit": next((u for u in queries.units(db) if u.id == household.unit_id), None),
            "units": [u for u in queries.units(db) if u.id != household.unit_id],
            "action_text": action_text,
            "errors": errors or [],
            "failed_form": form,
            "masked": lambda number: Personnummer(number).formatted(),
        },
        status,
    )


@pages.get("/{household_id}")
def household_page(request: Request, db: SessionDep, user: Officer, household_id: int) -> Response:
    household = _household(db, user, household_id)
    return _show(request, db, user, household)


async def _change(
    request: Request,
    db: Session,
    user: Principal,
    household_id: int,
    name: str,
    call: Callable[[Household, FormData], object],
) -> Response:
    household = _household(db, user, household_id)
    form = await request.form()
    try:
        call(household, form)
    except service.HouseholdProblem as exc:
        db.refresh(household)
        return _show(
            request, db, user, household, _errors(exc.problems, name + "-"), exc.status, name
        )
    if household.unit_id not in visible_units(db, user.staff):
        return RedirectResponse("/officer/households?moved=1", status_code=303)
    return RedirectResponse(f"/officer/households/{household_id}?saved=1", status_code=303)


@pages.post("/{household_id}/members")
async def add_member(
    request: Request, db: SessionDep, user: Officer, household_id: int
) -> Response:
    def call(household: Household, form: FormData) -> object:
        member = _member_from(form)
        if isinstance(member, list):
            raise service.HouseholdProblem(422, member)
        return service.add_member(db, household, member, _actor(user), _text(form, "why", 2000))

    return await _change(request, db, user, household_id, "add", call)


@pages.post("/{household_id}/members/{person_id}/remove")
async def remove_member(
    request: Request, db: SessionDep, user: Officer, household_id: int, person_id: int
) -> Response:
    def call(household: Household, form: FormData) -> object:
        return service.remove_member(
            db, household, person_id, _actor(user), _text(form, "why", 2000)
        )

    return await _change(request, db, user, household_id, f"remove{person_id}", call)


@pages.post("/{household_id}/move")
async def move(request: Request, db: SessionDep, user: Officer, household_id: int) -> Response:
    def call(household: Household, form: FormData) -> object:
        unit = _text(form, "unit", 12)
        if not unit.isdigit():
            raise service.HouseholdProblem(422, [service.Problem("unknown_unit", ("unit",), "")])
        return service.move(db, household, int(unit), _actor(user), _text(form, "why", 2000))

    return await _change(request, db, user, household_id, "move", call)


@pages.post("/{household_id}/protect")
async def protect(request: Request, db: SessionDep, user: Officer, household_id: int) -> Response:
    def call(household: Household, form: FormData) -> object:
        return service.mark_protected(db, household, _actor(user), _text(form, "why", 2000))

    return await _change(request, db, user, household_id, "protect", call)


@pages.post("/{household_id}/close")
async def close(request: Request, db: SessionDep, user: Officer, household_id: int) -> Response:
    def call(household: Household, form: FormData) -> object:
        return service.close(db, household, _actor(user), _text(form, "why", 2000))

    return await _change(request, db, user, household_id, "close", call)


@pages.post("/{household_id}/tasks/{application_id}/done")
async def task_done(
    request: Request, db: SessionDep, user: Officer, household_id: int, application_id: int
) -> Response:
    def call(household: Household, form: FormData) -> object:
        service.task_done(db, household, application_id, _actor(user), _text(form, "why", 2000))
        return None

    return await _change(request, db, user, household_id, f"task{application_id}", call)
