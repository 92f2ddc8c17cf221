"""The applicant's pages."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from starlette.responses import Response

from intake.flow import month_to_apply_for
from portal import repository
from portal.auth import Applicant
from portal.db import SessionDep
from portal.survey_invitations import open_invitation_for
from portal.templating import render

router = APIRouter(prefix="/applicant")


@router.get("")
def home(request: Request, db: SessionDep, user: Applicant) -> Response:
    household = user.household
    if household is None or household.protected_identity:
        # Skyddad identitet: show the other channel and process nothing (fail closed).
        return render(request, "pages/applicant/protected.html")
    repository.audit(
        db,
        "applicant",
        user.person.id if user.person else None,
        "view_household",
        object_type="household",
        object_id=household.id,
    )
    context = {
        "household": household,
        "applications": repository.applications_of(db, household),
        "messages": repository.messages_to(db, household),
        "members": repository.members_of(db, household),
        "survey_invitation": open_invitation_for(db, household),
        "next_month": month_to_apply_for(dt.date.today()),
    }
    return render(request, "pages/applicant/home.html", context)
