"""The anonymous bemötande survey, reached from a one-time link that works without signing in.

Nothing here looks at who is signed in or where the request came from: the answer is stored
with the invitation's month, unit and version, the language and the channel, and the invitation
is deleted. Used, expired and unknown links get the same page, so a link reveals nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from intake.languages import SUPPORTED
from intake.models import SurveyInvitation, utcnow
from intake.survey.questions import FREE_TEXT_MAX, Problem, question_set, validate
from portal import i18n, survey_texts
from portal import repository_survey as repo
from portal.auth import Applicant, PublicUser
from portal.db import SessionDep
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.security import LANG_COOKIE
from portal.survey_invitations import (
    STOCKHOLM,
    open_invitation_for,
    record_answer,
    start_from_portal,
)
from portal.templating import render

router = APIRouter(prefix="/survey")

PROBLEMS = {
    "invalid": N_("Choose one of the answers."),
    "too_long": N_("Write at most %(max)s characters."),
    "nothing_answered": N_("Answer at least one question, or write a comment."),
}
NO_INDEX = {"X-Robots-Tag": "noindex, nofollow"}


async def _form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]


def _speak_invitation_language(request: Request, invitation: SurveyInvitation) -> None:
    """Without an explicit choice of language, the page speaks the invitation's language."""
    if request.cookies.get(LANG_COOKIE) not in SUPPORTED and invitation.language in SUPPORTED:
        i18n.set_locale(invitation.language)
        request.state.language = invitation.language


def _questions_view(invitation: SurveyInvitation) -> list[dict[str, object]]:
    questions = question_set(invitation.question_set_version)
    return [
        {
            "code": question.code,
            "text": survey_texts.question(question.code),
            "options": [
                (value, survey_texts.step(question.scale.code, value))
                for value in question.scale.values
            ],
        }
        for question in questions.questions
    ]


def _render_form(
    request: Request,
    token: str,
    invitation: SurveyInvitation,
    *,
    values: dict[str, str] | None = None,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    questions = _questions_view(invitation)
    field_errors: dict[str, str] = {}
    summary: list[tuple[str, str]] = []
    for problem in problems or []:
        message = _(PROBLEMS[problem.code], max=FREE_TEXT_MAX)
        field_errors[problem.field] = message
        # The summary links to the first choice of a question (or to the comment box).
        target = problem.field if problem.field == "free_text" else f"{problem.field}-0"
        summary.append((target, message))
    context = {
        "token": token,
        "questions": questions,
        "values": values or {},
        "field_errors": field_errors,
        "errors": summary,
        "free_text_max": FREE_TEXT_MAX,
        "free_text": question_set(invitation.question_set_version).free_text,
        "until": invitation.expires_at.astimezone(STOCKHOLM).date(),
    }
    return _page(request, "pages/survey/form.html", context, status_code)


def _page(
    request: Request, name: str, context: dict[str, object], status_code: int = 200
) -> Response:
    response = render(request, name, context, status_code)
    response.headers.update(NO_INDEX)  # one-time links are nobody's business, search engines'
    return response


def _gone(request: Request) -> Response:
    return _page(request, "pages/survey/gone.html", {}, 404)


@router.post("/start")
def start(request: Request, db: SessionDep, user: Applicant) -> Response:
    """From the banner on the applicant's page: a fresh one-time link, then the survey."""
    household = user.household
    invitation = open_invitation_for(db, household) if household is not None else None
    if invitation is None:
        return RedirectResponse("/applicant", status_code=303)
    token = start_from_portal(db, invitation)
    return RedirectResponse(f"/survey/t/{token}", status_code=303)


@router.get("/t/{token}")
def survey_form(request: Request, db: SessionDep, user: PublicUser, token: str) -> Response:
    found = repo.invitation_by_token(db, token, utcnow())
    if found is None:
        return _gone(request)
    invitation, _link = found
    _speak_invitation_language(request, invitation)
    return _render_form(request, token, invitation)


@router.post("/t/{token}")
def survey_submit(
    request: Request, db: SessionDep, user: PublicUser, token: str, fields: FormFields
) -> Response:
    found = repo.invitation_by_token(db, token, utcnow())
    if found is None:
        return _gone(request)
    invitation, link = found
    _speak_invitation_language(request, invitation)
    questions = question_set(invitation.question_set_version)
    answers, free_text, problems = validate(questions, fields, fields.get("free_text"))
    if problems:
        values = {code: fields.get(code, "") for code in questions.codes}
        values["free_text"] = fields.get("free_text", "")
        return _render_form(
            request, token, invitation, values=values, problems=problems, status_code=422
        )
    stored = record_answer(
        db, invitation, link, answers=answers, free_text=free_text, language=i18n.get_locale()
    )
    if not stored:
        return _gone(request)
    return RedirectResponse("/survey/thanks", status_code=303)


@router.get("/thanks")
def thanks(request: Request, user: PublicUser) -> Response:
    return _page(request, "pages/survey/thanks.html", {})
