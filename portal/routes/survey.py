"""The anonymous bemötande survey, reached from a one-time link that works without signing in.

Nothing here looks at who is signed in or where the request came from: the answer is stored
with the invitation's month, unit and version, the language and the channel, and the invitation
is deleted. Used, expired and unknown links get the same page, so a link reveals nothing.

So that an answer cannot be linked back to the person through what the portal stores and logs
(docs/security.md, "F8"): the routes under ``/survey/`` never read or touch the signed-in session
and set no cookie (only ``POST /survey/start``, the banner on the applicant's page, is signed in);
the one-time token travels in the body of ``POST /survey/answer`` (the emailed link
``/survey/t/<token>`` shows the form, and the access log never shows the token: portal.access_log);
the one-time token is the form's CSRF protection; pages are sent with ``Referrer-Policy:
no-referrer``; the language chosen on these pages travels in the form or the query, not a cookie.
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
from portal.auth import Applicant, anyone
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
# One-time links are nobody's business: not search engines', and not other sites' (no Referer).
PAGE_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"}
# The routes that take a one-time token and no session: no cookie read or set, no CSRF cookie.
ANONYMOUS = [Depends(anyone)]


async def _form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]


def _speak(request: Request, invitation: SurveyInvitation | None, chosen: str | None) -> None:
    """The language chosen on the survey's pages (in the form or query), else the language
    cookie, else the invitation's language."""
    if chosen in SUPPORTED:
        language = chosen
    elif request.cookies.get(LANG_COOKIE) in SUPPORTED or invitation is None:
        return
    elif invitation.language in SUPPORTED:
        language = invitation.language
    else:
        return
    i18n.set_locale(language)
    request.state.language = language


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
        "survey_token": token,
    }
    return _page(request, "pages/survey/form.html", context, status_code)


def _page(
    request: Request, name: str, context: dict[str, object], status_code: int = 200
) -> Response:
    response = render(request, name, context, status_code)
    response.headers.update(PAGE_HEADERS)
    return response


def _gone(request: Request) -> Response:
    return _page(request, "pages/survey/gone.html", {"survey_page": "/survey/gone"}, 404)


@router.post("/start")
def start(request: Request, db: SessionDep, user: Applicant) -> Response:
    """From the banner on the applicant's page: a fresh one-time link, and the survey's form at
    once (the token goes into the form, never into an address)."""
    household = user.household
    invitation = open_invitation_for(db, household) if household is not None else None
    if invitation is None:
        return RedirectResponse("/applicant", status_code=303)
    token = start_from_portal(db, invitation)
    _speak(request, invitation, None)
    return _render_form(request, token, invitation)


@router.get("/t/{token}", dependencies=ANONYMOUS)
def survey_form(request: Request, db: SessionDep, token: str) -> Response:
    """The link in the e-mail or SMS: the form, which sends the token in its body."""
    found = repo.invitation_by_token(db, token, utcnow())
    _speak(request, found[0] if found else None, request.query_params.get("lang"))
    if found is None:
        return _gone(request)
    return _render_form(request, token, found[0])


@router.post("/language", dependencies=ANONYMOUS)
def survey_language(request: Request, db: SessionDep, fields: FormFields) -> Response:
    """The form again in another language (the choice stays in the form, not in a cookie)."""
    token = fields.get("token", "")
    found = repo.invitation_by_token(db, token, utcnow())
    _speak(request, found[0] if found else None, fields.get("lang"))
    if found is None:
        return _gone(request)
    return _render_form(request, token, found[0])


@router.post("/answer", dependencies=ANONYMOUS)
def survey_answer(request: Request, db: SessionDep, fields: FormFields) -> Response:
    return _submit(request, db, fields.get("token", ""), fields)


@router.post("/t/{token}", dependencies=ANONYMOUS)
def survey_submit(request: Request, db: SessionDep, token: str, fields: FormFields) -> Response:
    """Forms opened before the token moved into the body still send their answers here."""
    return _submit(request, db, token, fields)


def _submit(request: Request, db: SessionDep, token: str, fields: dict[str, str]) -> Response:
    found = repo.invitation_by_token(db, token, utcnow())
    _speak(request, found[0] if found else None, fields.get("lang"))
    if found is None:
        return _gone(request)
    invitation, link = found
    questions = question_set(invitation.question_set_version)
    answers, free_text, problems = validate(questions, fields, fields.get("free_text"))
    if problems:
        values = {code: fields.get(code, "") for code in questions.codes}
        values["free_text"] = fields.get("free_text", "")
        return _render_form(
            request, token, invitation, values=values, problems=problems, status_code=422
        )
    language = i18n.get_locale()
    stored = record_answer(
        db, invitation, link, answers=answers, free_text=free_text, language=language
    )
    if not stored:
        return _gone(request)
    return RedirectResponse(f"/survey/thanks?lang={language}", status_code=303)


def _chosen(request: Request) -> None:
    _speak(request, None, request.query_params.get("lang"))


@router.get("/thanks", dependencies=ANONYMOUS)
def thanks(request: Request) -> Response:
    _chosen(request)
    return _page(request, "pages/survey/thanks.html", {"survey_page": "/survey/thanks"})


@router.get("/gone", dependencies=ANONYMOUS)
def gone(request: Request) -> Response:
    """The page of a link that no longer works, in the language chosen on it."""
    _chosen(request)
    return _gone(request)
