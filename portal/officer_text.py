"""The case officer's words for the domain's codes (English msgids, translated when shown)."""

from __future__ import annotations

from portal.flow_text import OPTIONS
from portal.i18n import N_
from portal.i18n import gettext as _

OUTCOMES = {
    "granted": N_("Granted"),
    "partly": N_("Partly granted"),
    "refused": N_("Refused"),
}

# Försörjningshinder, with the Swedish term kept for the case file.
OBSTACLES = {
    "unemployed": N_("Unemployed (arbetslös)"),
    "sick_leave": N_("On sick leave (sjukskriven)"),
    "sickness_or_activity_compensation": N_(
        "Sickness or activity compensation (sjuk- eller aktivitetsersättning)"
    ),
    "social_reasons": N_("Unable to work for social reasons (arbetshinder sociala skäl)"),
    "parental_leave": N_("On parental leave (föräldraledig)"),
    "working_insufficient_income": N_("Working, income not enough (arbetar, otillräcklig inkomst)"),
    "language_barrier": N_("Language barrier (språkhinder)"),
    "no_obstacle": N_("No obstacle to self-support (utan försörjningshinder)"),
    "other": N_("Other (annat)"),
}

FLAGS = {
    "changed": N_("Changed since last month"),
    "findings": N_("Open findings"),
    "low_confidence": N_("Uncertain document"),
    "interpreter": N_("Interpreter needed"),
    "plan": N_("Action plan missing or overdue"),
    "over_mark": N_("Waiting too long"),
}

HOUSEHOLD_TYPES = {
    "single": N_("Single adult"),
    "couple": N_("Couple"),
    "single_parent": N_("Single parent"),
    "couple_with_children": N_("Couple with children"),
}

PLAN_STATUS = {
    "not_needed_yet": N_("No action plan yet; one is expected from the second application."),
    "missing": N_("No action plan. One should exist from the second application."),
    "up_to_date": N_("The action plan is followed up."),
    "due_soon": N_("The next follow-up of the action plan is due soon."),
    "overdue": N_("The follow-up of the action plan is overdue."),
}

COST_STATUS = {
    "as_applied": N_("As applied for (not yet assessed)"),
    "not_assessed": N_("Not yet assessed: not counted"),
    "accepted": N_("Accepted"),
    "changed": N_("Accepted at another amount"),
    "not_accepted": N_("Not accepted"),
}

COSTS = {
    "rent": N_("Rent"),
    "household_electricity": N_("Household electricity"),
    "home_insurance": N_("Home insurance"),
}

CHECKLIST = {
    "planning_visible": N_("The planning is visible in the case"),
    "household_right": N_("The household is right"),
    "documents_support_costs": N_("The documents support the costs"),
    "other_benefits_applied": N_("Other benefits have been applied for"),
}

CHECK_ANSWERS = {
    "yes": N_("Yes"),
    "no": N_("No"),
    "not_applicable": N_("Not applicable"),
}

SEVERITIES = {
    "blocking": N_("Blocking"),
    "review": N_("To review"),
    "info": N_("Information"),
}

FINDING_STATUS = {
    "open": N_("Open"),
    "accepted": N_("Accepted"),
    "resolved": N_("Resolved"),
}

DECISION_ERRORS = {
    "choose_one": N_("Choose one of the answers."),
    "amount_positive": N_("Write the amount granted, more than 0 kronor."),
    "amount_must_be_zero": N_("A refusal has no amount. Leave the amount empty."),
    "reason_required": N_("Write the reason for what is refused."),
    "text_too_long": N_("The text is too long."),
    "amount_empty": N_("Write an amount in kronor."),
    "amount_format": N_("Write the amount in numbers, for example 7850 or 7 850,50."),
    "amount_negative": N_("The amount cannot be negative."),
    "amount_too_large": N_("The amount is too large. Check that it is right."),
    "days_range": N_("Write a number from 0 to 20."),
    "date_format": N_("Write a date as YYYY-MM-DD, for example 2026-03-15."),
    "date_in_future": N_("The date cannot be in the future."),
}

# The rules the calculation's trace names (intake.norm.trace.RULES), in words.
RULES = {
    "norm.table": N_("Socialtjänstförordningen (2001:937) 2 kap. 1 §: the yearly riksnorm"),
    "norm.personal": N_("SoL 4 kap. 3 § 1 p.: personal costs by age"),
    "norm.common": N_(
        "SoL 4 kap. 3 § 1 p.: household-common costs by size; beyond 7 persons the difference "
        "between 6 and 7 persons for each extra person"
    ),
    "norm.non_sambo": N_(
        "Riksnorm: sharing a home without being sambo gives the common costs divided by the "
        "persons in the home"
    ),
    "norm.part_time_child": N_("Configuration: a child living part-time gets the amount by days"),
    "norm.visiting_child": N_("Configuration: a visiting child gets a share of the amount by days"),
    "costs.outside_norm": N_("SoL 4 kap. 3 § 2 p.: reasonable costs outside the norm"),
    "costs.limit": N_("Configuration: the municipality's limit for the cost"),
    "livsforing": N_("SoL 4 kap. 1 §: livsföring i övrigt, as accepted"),
    "income.counted": N_(
        "SoL 4 kap. 1 §: the household's own means come first; every income counts"
    ),
    "income.children_earnings": N_("Children's own earnings are not counted"),
    "jobbstimulans": N_("SoL 4 kap. 1 b §: jobbstimulans"),
    "result": N_("Norm + costs outside the norm + livsföring − income, not below zero"),
}

NORM_ERRORS = {
    "norm.no_table_for_year": N_(
        "No norm table is loaded for %(year)s, so no preliminary calculation can be made for "
        "%(month)s. An administrator loads the year's table with the command "
        "“portal norm import”."
    ),
    "norm.bad_month": N_("The month %(month)s cannot be calculated."),
    "norm.table_year_mismatch": N_("The norm table loaded for %(year)s is for another year."),
    "input.no_adult": N_("The household has no adult, so no calculation can be made."),
    "input.child_age_out_of_range": N_(
        "A child in the household is %(age)s years old: check the household's members."
    ),
    "input.born_after_month": N_("A child in the household is born after the month applied for."),
}


def label(table: dict[str, str], code: str) -> str:
    """The words for ``code`` in the active language, or the code itself when unknown."""
    return _(table[code]) if code in table else code


def kind_label(kind: str) -> str:
    """A cost, livsföring or income kind in words."""
    if kind in COSTS:
        return _(COSTS[kind])
    if kind in OPTIONS:
        return _(OPTIONS[kind])
    return kind


def norm_error(code: str, params: dict[str, object]) -> str:
    if code in NORM_ERRORS:
        return _(NORM_ERRORS[code], **{k: params.get(k, "") for k in ("year", "month", "age")})
    return _("The preliminary calculation cannot be made (%(code)s).", code=code)


# Actions in an application's history (audit log), in words; unknown actions show their code.
ACTIONS = {
    "take_application": N_("Taken by a case officer"),
    "assign_application": N_("Assigned to a case officer"),
    "unassign_application": N_("No longer assigned"),
    "assessment_saved": N_("Accepted costs saved"),
    "plan_established": N_("Action plan recorded"),
    "plan_followed_up": N_("Action plan followed up"),
    "decision_made": N_("Decision recorded"),
    "handoff_received": N_("Received by the case system"),
    "documents_added": N_("Documents added by the applicant"),
    "egenkontroll_reviewed": N_("Reviewed in egenkontroll"),
    "mark_complete": N_("Marked complete by the informant"),
    "completion_requested": N_("Completion requested from the applicant"),
}


def helpers() -> dict[str, object]:
    """Label functions for the officer's templates."""

    def table_label(table: dict[str, str]) -> object:
        return lambda code: label(table, code or "")

    return {
        "flag_label": table_label(FLAGS),
        "household_label": table_label(HOUSEHOLD_TYPES),
        "outcome_label": table_label(OUTCOMES),
        "obstacle_label": table_label(OBSTACLES),
        "plan_label": table_label(PLAN_STATUS),
        "severity_label": table_label(SEVERITIES),
        "finding_status_label": table_label(FINDING_STATUS),
        "action_label": table_label(ACTIONS),
        "check_label": table_label(CHECKLIST),
        "answer_label": table_label(CHECK_ANSWERS),
        "kind_label": kind_label,
    }
