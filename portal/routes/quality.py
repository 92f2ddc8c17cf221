"""The kvalitetsansvarig's pages: the bemötande survey dashboard and its CSV export."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from intake.models import Role
from portal import survey_dashboard
from portal.auth import Principal, require_role
from portal.db import SessionDep
from portal.i18n import gettext as _
from portal.repository_survey import versions_with_data
from portal.survey_settings import survey_settings_of
from portal.templating import render

router = APIRouter(prefix="/quality")


@router.get("")
def dashboard(
    request: Request, db: SessionDep, user: Principal = Depends(require_role(Role.quality))
) -> Response:
    survey = survey_settings_of(request.app.state)
    flt = survey_dashboard.parse_filter(request.query_params, survey)
    view = survey_dashboard.build(db, survey, flt)
    versions = sorted(set(versions_with_data(db)) | {survey.question_set})
    context = {
        "view": view,
        "d": survey_dashboard,
        "filter": flt,
        "versions": versions,
        "month_choices": survey_dashboard.month_choices(db, flt.version),
        "errors": [
            (field_id, _(survey_dashboard.FILTER_ERRORS[code])) for field_id, code in flt.errors
        ],
    }
    return render(request, "pages/quality/home.html", context)


@router.get("/export.csv")
def export(
    request: Request, db: SessionDep, user: Principal = Depends(require_role(Role.quality))
) -> Response:
    """The dashboard's figures as CSV, with the same suppression."""
    survey = survey_settings_of(request.app.state)
    flt = survey_dashboard.parse_filter(request.query_params, survey)
    view = survey_dashboard.build(db, survey, flt)
    filename = f"survey-{flt.version}-{flt.first}-{flt.last}.csv"
    return Response(
        survey_dashboard.to_csv(view),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
