"""What the officer's application page needs beside its routes: the page's context, the
accepted costs from the form, the Swedish case file, and the message to the applicant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from sqlmodel import Session
from starlette.datastructures import FormData

from intake import flow
from intake.models import Application, ApplicationStatus, Household, utcnow
from intake.money import AmountError, ore_to_input, parse_amount
from intake.norm import COST_KINDS, LIVSFORING_KINDS
from intake.officer import decision as decision_rules
from intake.officer.convert import Acceptance
from intake.officer.queue import days_waiting
from portal import notify, protection, repository, repository_flow
from portal import repository_officer as repo
from portal.auth import Principal
from portal.flow_view import summary_sections
from portal.i18n import gettext as _
from portal.i18n import use_locale
from portal.officer_settings import officer_settings_of
from portal.officer_text import helpers
from portal.officer_view import (
    ADULT_ROLES,
    answers_view,
    attachment_views,
    calculation_view,
    finding_views,
    flow_members,
    plan_of,
    suggested_obstacles,
)
from portal.receipt_pdf import render as receipt_pdf_render


def page_context(
    request: Request,
    db: Session,
    user: Principal,
    application: Application,
    household: Household,
) -> dict[str, Any]:
    settings = officer_settings_of(request.app.state)
    members = repo.members_with_people(db, household.id or 0)
    rows = repo.answer_rows(db, application.id)
    answers = {row.key: row.value for row in rows}
    previous_application = repo.previous_sent(db, application)
    previous = (
        {row.key: row.value for row in repo.answer_rows(db, previous_application.id)}
        if (previous_application)
        else {}
    )
    attachments = repository_flow.attachments_of(db, application)
    answers_page = answers_view(
        answers,
        {row.key for row in rows if row.changed},
        previous,
        flow_members(members, application.month),
        application,
        attachments,
        request.app.state.proof_rules,
    )
    assessment = repo.assessment_of(db, application.id or 0)
    acceptance = Acceptance.from_data(assessment.accepted if assessment else None)
    calculation = calculation_view(
        db, application, household, members, answers, acceptance, settings
    )
    plan, follow_ups, plan_state = plan_of(db, household, application.month, settings)
    decision = repo.decision_of(db, application.id or 0)
    findings = repo.findings_of(db, application.id or 0)
    history = repo.history_of(db, application.id or 0)
    adults = [person for member, person in members if member.role in ADULT_ROLES]
    names = repo.staff_names(
        db,
        [application.assigned_to, decision.decided_by if decision else None]
        + [f.resolved_by for f in findings]
        + [e.actor_id for e in history if e.actor_kind == "staff"]
        + [assessment.updated_by if assessment else None],
    )
    child_days = answers.get("children_days")
    return {
        **helpers(),
        "amount_input": ore_to_input,
        "child_days": {int(k): v for k, v in child_days.items() if str(k).isdigit()}
        if isinstance(child_days, dict)
        else {},
        "application": application,
        "household": household,
        "members": members,
        "adults": adults,
        "unit_name": repository.unit_name(db, household.unit_id),
        "answers": answers_page,
        "previous_application": previous_application,
        "attachments": attachment_views(attachments, answers, request.app.state.settings.uploads),
        "calculation": calculation,
        "acceptance": acceptance,
        "assessment": assessment,
        "plan": plan,
        "plan_state": plan_state,
        "follow_ups": follow_ups,
        "decision": decision,
        "obstacles": repo.obstacles_of(db, decision.id if decision else None),
        "suggested": suggested_obstacles(answers, adults),
        "findings": finding_views(findings, attachments, members),
        "history": history,
        "staff_names": names,
        "officers": repo.officers_in(db, [household.unit_id]),
        "receipt": repo.receipt_of(db, application.id or 0),
        "days_waiting": days_waiting(application.submitted_at, utcnow()),
        "mark_days": settings.waiting_mark_days,
        "read_only": application.status != ApplicationStatus.complete,
        "me": user.subject_id,
        "cost_kinds": COST_KINDS,
        "livsforing_kinds": LIVSFORING_KINDS,
        "outcomes": decision_rules.OUTCOMES,
        "obstacle_codes": decision_rules.SUPPORT_OBSTACLES,
        "today": dt.date.today(),
    }


def parse_acceptance(
    form: FormData, children: list[int], current: Acceptance
) -> tuple[Acceptance, dict[str, str]]:
    """The accepted amounts from the form. An empty amount field leaves that kind to its
    default (see ``intake.officer.convert``); 0 means not accepted."""
    errors: dict[str, str] = {}

    def amounts(prefix: str, kinds: tuple[str, ...]) -> dict[str, int]:
        found: dict[str, int] = {}
        for kind in kinds:
            raw = str(form.get(f"{prefix}_{kind}", "")).strip()
            if not raw:
                continue
            try:
                found[kind] = parse_amount(raw)
            except AmountError as exc:
                errors[f"{prefix}_{kind}"] = f"amount_{exc.code}"
        return found

    costs = amounts("cost", COST_KINDS)
    livsforing = amounts("liv", LIVSFORING_KINDS)
    others_raw = str(form.get("others_in_home", "0")).strip() or "0"
    others = int(others_raw) if others_raw.isdigit() and int(others_raw) <= 20 else None
    if others is None:
        errors["others_in_home"] = "days_range"
        others = current.others_in_home
    return (
        Acceptance(
            costs=costs,
            livsforing=livsforing,
            above_limit=frozenset(k for k in form.getlist("above_limit") if k in COST_KINDS),
            others_in_home=others,
            lunch_outside_home=frozenset(
                c for c in children if str(c) in [str(v) for v in form.getlist("lunch")]
            ),
        ),
        errors,
    )


def case_file_pdf(
    request: Request, db: Session, application: Application, household: Household
) -> bytes:
    protection.check(db, household.id)  # at build time, whatever the caller checked before
    with use_locale("sv"):
        answers = repository_flow.answers_of(db, application.id)
        members = repo.members_with_people(db, household.id or 0)
        previous_application = repo.previous_sent(db, application)
        context = flow.Context(
            month=application.month,
            members=flow_members(members, application.month),
            previous=repository_flow.answers_of(
                db, previous_application.id if previous_application else None
            ),
        )
        attachments = repository_flow.attachments_of(db, application)
        sections, missing = summary_sections(
            answers,
            context,
            attachments,
            application.month,
            editable=False,
            rules=request.app.state.proof_rules,
        )
        return receipt_pdf_render(
            "sv",
            municipality=request.app.state.settings.municipality_name,
            application=application,
            names=[f"{p.given_name} {p.family_name}" for _m, p in members],
            sections=sections,
            missing=missing,
            attachments=attachments,
        )


def tell_applicant(
    request: Request, db: Session, application: Application, household: Household
) -> None:
    """A message that there is news in the portal, in the application's language, on the channels
    the applicant chose; no personal details in it."""
    settings = request.app.state.settings
    contact = repository_flow.answers_of(db, application.id).get("contact")
    contact = contact if isinstance(contact, dict) else {}
    methods = contact.get("methods") or []
    with use_locale(application.language):
        body = _(
            "You have a new message from %(municipality)s. Sign in at %(url)s to read it.",
            municipality=settings.municipality_name,
            url=settings.base_url,
        )
    if "email" in methods and contact.get("email"):
        notify.queue(
            db,
            household_id=household.id,
            channel="email",
            recipient=str(contact["email"]),
            body=body,
            subject=settings.municipality_name,
            purpose="decision",
        )
    if "sms" in methods and contact.get("phone"):
        notify.queue(
            db,
            household_id=household.id,
            channel="sms",
            recipient=str(contact["phone"]),
            body=body,
            purpose="decision",
        )
    db.commit()
    notify.deliver(db, settings)
