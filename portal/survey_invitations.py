"""Survey invitations for applicants (issue: the bemötande survey). Filled in by the survey work.

``open_invitation_for`` is called by the applicant's pages to show the survey banner.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from intake.models import Household


def open_invitation_for(db: Session, household: Household) -> Any | None:
    """The household's open survey invitation, if any (none until the survey is built)."""
    return None
