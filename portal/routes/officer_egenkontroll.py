"""Egenkontroll (seeds 000, 002, 004), under the officer's pages: a team lead draws a
reproducible random sample of a month's decided applications, assigns reviewers, and sees a
monthly summary; a reviewer records the checklist. Registered on the officer router by
``portal.routes.officer``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from intake.models import Application, ReviewItem, ReviewSample, Role
from intake.officer import sample as sampling
from portal import protection, repository
from portal import repository_egenkontroll as repo
from portal import repository_officer as officer_repo
from portal.auth import Principal, require_role
from portal.db import SessionDep
from portal.officer_settings import officer_settings_of
from portal.officer_text import helpers
from portal.templating import render

Officer = Annotated[Principal, Depends(require_role(Role.officer))]
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SEED = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _last_month() -> str:
    today = dt.date.today()
    index = today.year * 12 + today.month - 2
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _audit(
    db: Session,
    user: Principal,
    action: str,
    object_type: str,
    object_id: int | None,
    **detail: object,
) -> None:
    repository.audit_staff(db, user, Role.officer.value, action, object_type, object_id, **detail)


def home(request: Request, db: SessionDep, user: Officer) -> Response:
    return _home(request, db, user)


def _home(
    request: Request,
    db: Session,
    user: Principal,
    errors: list[tuple[str, str]] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    lead = officer_repo.lead_units(db, user.subject_id)
    context = {
        **helpers(),
        "lead_units": officer_repo.units_named(db, lead),
        "samples": repo.samples_in(db, lead),
        "summaries": repo.monthly_summaries(db, lead),
        "mine": repo.items_for_reviewer(db, user.subject_id or 0),
        "errors": errors or [],
        "values": values
        or {
            "month": _last_month(),
            "size": str(officer_settings_of(request.app.state).sample_size),
            "seed": "",
        },
        "checklist": sampling.CHECKLIST,
    }
    _audit(db, user, "view_egenkontroll", "egenkontroll", None)
    return render(request, "pages/officer/egenkontroll.html", context, status_code)


async def draw(request: Request, db: SessionDep, user: Officer) -> Response:
    form = await request.form()
    lead = officer_repo.lead_units(db, user.subject_id)
    if not lead:
        raise HTTPException(403)
    values = {name: str(form.get(name, "")).strip() for name in ("unit", "month", "size", "seed")}
    errors: list[tuple[str, str]] = []
    unit = int(values["unit"]) if values["unit"].isdigit() else None
    if unit not in lead:
        errors.append(("field-unit", "unit"))
    if not MONTH.match(values["month"]):
        errors.append(("field-month", "month"))
    size = int(values["size"]) if values["size"].isdigit() else 0
    if not 1 <= size <= sampling.MAX_SAMPLE:
        errors.append(("field-size", "size"))
    seed = values["seed"] or sampling.new_seed()
    if not SEED.match(seed):
        errors.append(("field-seed", "seed"))
    if errors or unit is None:
        return _home(request, db, user, errors, values, 422)
    sample = repo.draw_sample(db, unit, values["month"], size, seed, user.subject_id or 0)
    _audit(
        db,
        user,
        "egenkontroll_sample_drawn",
        "review_sample",
        sample.id,
        unit_id=unit,
        month=sample.month,
        seed=seed,
        size=size,
        population=sample.population,
    )
    return RedirectResponse(f"/officer/egenkontroll/samples/{sample.id}", status_code=303)


def _lead_sample(db: Session, user: Principal, sample_id: int) -> ReviewSample:
    sample = db.get(ReviewSample, sample_id)
    if sample is None:
        raise HTTPException(404)
    if sample.unit_id not in officer_repo.lead_units(db, user.subject_id):
        raise HTTPException(403)
    return sample


def sample_page(request: Request, db: SessionDep, user: Officer, sample_id: int) -> Response:
    sample = _lead_sample(db, user, sample_id)
    _audit(db, user, "view_egenkontroll_sample", "review_sample", sample.id)
    items = repo.items_of(db, sample.id or 0)
    context = {
        **helpers(),
        "sample": sample,
        "items": items,
        "unit_name": repository.unit_name(db, sample.unit_id),
        "reviewers": officer_repo.officers_in(db, [sample.unit_id]),
        "names": officer_repo.staff_names(
            db, [i.item.reviewer_id for i in items] + [i.decided_by for i in items]
        ),
        "saved": request.query_params.get("saved") == "1",
    }
    return render(request, "pages/officer/egenkontroll_sample.html", context)


async def assign_reviewers(
    request: Request, db: SessionDep, user: Officer, sample_id: int
) -> Response:
    sample = _lead_sample(db, user, sample_id)
    form = await request.form()
    allowed = {o.id for o in officer_repo.officers_in(db, [sample.unit_id])}
    items = repo.items_of(db, sample.id or 0)
    chosen: dict[int, int | None] = {}
    for row in items:
        raw = str(form.get(f"reviewer_{row.item.id}", ""))
        reviewer = int(raw) if raw.isdigit() and int(raw) in allowed else None
        if raw and reviewer is None:
            raise HTTPException(400)
        if reviewer is not None and reviewer == row.decided_by:
            reviewer = None  # nobody reviews their own decision
        chosen[row.item.id or 0] = reviewer
    repo.assign_reviewers(db, sample.id or 0, chosen)
    _audit(db, user, "egenkontroll_reviewers_assigned", "review_sample", sample.id)
    return RedirectResponse(f"/officer/egenkontroll/samples/{sample_id}?saved=1", status_code=303)


def _item(db: Session, user: Principal, item_id: int) -> tuple[ReviewItem, ReviewSample]:
    found = repo.item_with_sample(db, item_id)
    if found is None:
        raise HTTPException(404)
    item, sample = found
    lead = sample.unit_id in officer_repo.lead_units(db, user.subject_id)
    if item.reviewer_id != user.subject_id and not lead:
        raise HTTPException(403)
    protection.check_application(db, item.application_id)  # the placeholder page
    return item, sample


def item_page(request: Request, db: SessionDep, user: Officer, item_id: int) -> Response:
    item, sample = _item(db, user, item_id)
    return _item_page(request, db, user, item, sample)


def _item_page(
    request: Request,
    db: Session,
    user: Principal,
    item: ReviewItem,
    sample: ReviewSample,
    errors: list[tuple[str, str]] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    _audit(db, user, "view_review", "application", item.application_id, review_item=item.id)
    application = db.get(Application, item.application_id)
    decision = officer_repo.decision_of(db, item.application_id)
    context = {
        **helpers(),
        "item": item,
        "sample": sample,
        "application": application,
        "decision": decision,
        "checklist": sampling.CHECKLIST,
        "answers": sampling.ANSWERS,
        "errors": errors or [],
        "values": values
        or {name: getattr(item, name) or "" for name in (*sampling.CHECKLIST, "comment")},
        "can_open": application is not None
        and officer_repo.application_in_units(
            db, application.id or 0, officer_repo.visible_units(db, user.staff)
        )
        is not None,
    }
    return render(request, "pages/officer/egenkontroll_item.html", context, status_code)


async def save_item(request: Request, db: SessionDep, user: Officer, item_id: int) -> Response:
    item, sample = _item(db, user, item_id)
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in (*sampling.CHECKLIST, "comment")}
    errors = [
        (f"field-{name}", name)
        for name in sampling.CHECKLIST
        if values[name] not in sampling.ANSWERS
    ]
    if len(values["comment"]) > 2000:
        errors.append(("field-comment", "comment"))
    if errors:
        return _item_page(request, db, user, item, sample, errors, values, 422)
    repo.save_review(
        db, item, {n: values[n] for n in sampling.CHECKLIST}, values["comment"].strip()
    )
    _audit(
        db,
        user,
        "egenkontroll_reviewed",
        "application",
        item.application_id,
        review_item=item.id,
        **{n: values[n] for n in sampling.CHECKLIST},
    )
    return RedirectResponse("/officer/egenkontroll?reviewed=1", status_code=303)


def register(router: APIRouter) -> None:
    """Add these routes to the router of the area (so that their paths stay complete)."""
    router.add_api_route("/egenkontroll", home, methods=["GET"])
    router.add_api_route("/egenkontroll/samples", draw, methods=["POST"])
    router.add_api_route("/egenkontroll/samples/{sample_id}", sample_page, methods=["GET"])
    router.add_api_route(
        "/egenkontroll/samples/{sample_id}/reviewers", assign_reviewers, methods=["POST"]
    )
    router.add_api_route("/egenkontroll/items/{item_id}", item_page, methods=["GET"])
    router.add_api_route("/egenkontroll/items/{item_id}", save_item, methods=["POST"])
