"""The household register's words for its problem codes and audit actions (English msgids,
translated when shown)."""

from __future__ import annotations

from portal.i18n import N_
from portal.i18n import gettext as _

PROBLEMS = {
    "unknown_unit": N_("Choose a unit."),
    "unknown_language": N_("Choose a language."),
    "household_closed": N_("The case is closed: the household cannot be changed."),
    "personnummer_format": N_("Write the personal identity number as YYYYMMDD-NNNN."),
    "personnummer_date": N_("The personal identity number has a date that does not exist."),
    "personnummer_checksum": N_(
        "The personal identity number is not right: check the last four digits."
    ),
    "person_twice": N_("The same person is in the household twice."),
    "birth_date_mismatch": N_(
        "The date of birth does not agree with the personal identity number."
    ),
    "days_for_adult": N_("Days at home are given only for children."),
    "person_in_other_household": N_("The person already belongs to another household."),
    "applicant_count": N_("A household has exactly one applicant."),
    "co_applicant_count": N_("A household has at most one co-applicant."),
    "why_required": N_("Say why you make the change."),
    "why_too_long": N_("Write at most 1000 characters."),
    "external_id_taken": N_("A household with this case number is already in the register."),
    "name_required": N_("Write the first name and the surname."),
    "bad_role": N_("Choose the person's role in the household."),
    "days_range": N_("Write a number of days from 0 to 31."),
    "not_found": N_("It is no longer there."),
}

ACTIONS = {
    "household_created": N_("Brought in from the case system"),
    "household_updated": N_("Updated from the case system"),
    "household_imported": N_("Imported from a file"),
    "household_registered": N_("Registered"),
    "household_member_added": N_("Member added"),
    "household_member_removed": N_("Member removed"),
    "household_moved": N_("Moved to another unit"),
    "household_protected": N_("Marked as protected identity"),
    "household_closed": N_("Case closed"),
    "household_task_done": N_("Household change acted on"),
}


def problem_text(code: str) -> str:
    return _(PROBLEMS[code]) if code in PROBLEMS else code


def action_text(action: str) -> str:
    return _(ACTIONS[action]) if action in ACTIONS else action
