"""The words of completeness findings: for the applicant (plain language, what to do), for staff
(short and exact), and the wordings an informatör can choose for a completion request.

``intake.completeness`` gives codes and parameters; this module turns them into text in the active
locale. Every text here is an English msgid translated at request time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from intake.completeness import Code
from portal.flow_text import DOCUMENTS, OPTIONS, text
from portal.i18n import N_, format_month, format_ore
from portal.i18n import gettext as _

# Short names of findings, for filters and headings.
TITLES = {
    Code.missing_attachment: N_("Document missing"),
    Code.wrong_kind: N_("Wrong kind of document"),
    Code.unrecognised_document: N_("Document not recognised"),
    Code.wrong_period: N_("Document for the wrong month"),
    Code.amount_mismatch: N_("Amounts differ"),
    Code.balance_mismatch: N_("Bank balance differs"),
    Code.amount_corrected: N_("Amount corrected by the applicant"),
    Code.low_confidence: N_("Amount not read with certainty"),
    Code.unreadable_attachment: N_("Document cannot be read"),
    Code.reading_pending: N_("Document not read yet"),
    Code.co_applicant_not_signed: N_("Co-applicant has not signed"),
    Code.co_applicant_declined: N_("Co-applicant declined to sign"),
    Code.household_change_facts: N_("Household change without details"),
    Code.income_disappeared: N_("Income gone since last month"),
    Code.rent_increase: N_("Rent has gone up"),
}

# What the applicant reads under "What is still missing".
FOR_APPLICANT = {
    Code.missing_attachment: N_("We need this document: %(document)s."),
    Code.wrong_kind: N_(
        "%(file)s is not the document we need (%(document)s). Add the right document."
    ),
    Code.wrong_period: N_(
        "%(file)s is for %(period)s. We need the one for %(expected)s (%(document)s)."
    ),
    Code.amount_mismatch: N_(
        "You wrote %(declared)s, but the document shows %(documented)s (%(document)s). Check "
        "the amount, or add the right document."
    ),
    Code.balance_mismatch: N_(
        "The balance on %(file)s (%(documented)s) is not the balance you wrote for any of your "
        "accounts. Check it, or add a newer statement."
    ),
    Code.low_confidence: N_(
        "We could not read the amount on %(file)s with certainty. Add a sharper photo, or "
        "write the amount to us."
    ),
    Code.unreadable_attachment: N_(
        "We could not open or read %(file)s. Take a new photo or choose another file."
    ),
    Code.co_applicant_not_signed: N_("%(name)s has not signed the application yet."),
    Code.co_applicant_declined: N_(
        "%(name)s did not sign the application. The social services will contact you."
    ),
    Code.household_change_facts: N_(
        "You told us that your household has changed. Write who moved in or out, or which "
        "child started or left school, and from which date."
    ),
}

# Said at once on the screen where a document was uploaded, beside what was read: why it cannot
# be used as it is. Keys: a reader's error code (``encrypted``, ``blurred``) or a finding code.
ON_UPLOAD = {
    "encrypted": N_(
        "%(file)s is protected with a password, so we cannot open it. Save the document again "
        "without a password, or take a photo of the paper, and add it here."
    ),
    "blurred": N_(
        "The photo %(file)s is too blurred to read. Take a new photo in good light: hold the "
        "phone still above the page, with the whole page in the picture."
    ),
    Code.wrong_kind.value: N_(
        "%(file)s looks like another document (%(kind)s). Here we need: %(document)s. Add the "
        "right document."
    ),
    Code.wrong_period.value: N_(
        "%(file)s is for %(period)s. Here we need the document for %(expected)s. Add the "
        "right one if you have it."
    ),
}


def on_upload(reason: str, params: Mapping[str, Any], names: Names) -> str:
    message = ON_UPLOAD.get(reason)
    return _(message, **variables(reason, params, names)) if message else ""


# What staff read in the queue and the application view.
FOR_STAFF = {
    Code.missing_attachment: N_("No %(document)s for %(answer)s"),
    Code.wrong_kind: N_("%(file)s was given as %(document)s but reads as %(kind)s"),
    Code.unrecognised_document: N_(
        "%(file)s (given as %(document)s): the kind of document was not recognised"
    ),
    Code.wrong_period: N_("%(file)s is for %(period)s; expected %(expected)s"),
    Code.amount_mismatch: N_("%(answer)s: declared %(declared)s, documented %(documented)s"),
    Code.balance_mismatch: N_("Balance on %(file)s (%(documented)s) matches no declared account"),
    Code.amount_corrected: N_("%(file)s: read %(read)s, the applicant confirmed %(confirmed)s"),
    Code.low_confidence: N_("%(file)s: amount read with low confidence and not confirmed"),
    Code.unreadable_attachment: N_("%(file)s could not be read"),
    Code.reading_pending: N_("%(file)s has not been read yet"),
    Code.co_applicant_not_signed: N_("%(name)s (co-applicant) has not signed"),
    Code.co_applicant_declined: N_("%(name)s (co-applicant) declined to sign"),
    Code.household_change_facts: N_("Household change (%(changes)s) without who and when"),
    Code.income_disappeared: N_("%(answer)s: %(previous)s last month, nothing this month"),
    Code.rent_increase: N_("Rent %(previous)s last month, %(current)s now (+%(percent)s %%)"),
}

# Wordings the informatör chooses from, per finding, for a completion request. They are shown to
# the applicant in the applicant's language.
TEMPLATES: dict[str, str] = {
    "add_document": N_("Please add this document: %(document)s."),
    "add_or_explain": N_(
        "Please add this document: %(document)s. If you cannot get it, write to us why."
    ),
    "replace_document": N_("Please add a new, readable copy of this document: %(document)s."),
    "right_month": N_("Please add the document for %(expected)s: %(document)s."),
    "check_amount": N_(
        "Please check the amount. Add the right document, or write to us what the right amount is."
    ),
    "explain_difference": N_("Please write to us why the amounts are different."),
    "co_applicant_sign": N_(
        "Your co-applicant must also sign the application. Ask them to sign in and sign."
    ),
    "household_details": N_(
        "Please write to us who moved in or out of your home, and from which date."
    ),
    "income_explain": N_(
        "Please tell us why you no longer have this income: %(answer)s. Add the decision or "
        "the last payment notice if you have one."
    ),
    "new_rent": N_(
        "Your rent has gone up. Please add the new rent notice or the letter about the new rent."
    ),
    "contact_us": N_("Please contact us about this. You can write to us here."),
}

TEMPLATES_FOR: dict[Code, tuple[str, ...]] = {
    Code.missing_attachment: ("add_document", "add_or_explain"),
    Code.wrong_kind: ("add_document", "add_or_explain"),
    Code.unrecognised_document: ("add_document", "replace_document"),
    Code.wrong_period: ("right_month", "add_or_explain"),
    Code.amount_mismatch: ("check_amount", "explain_difference"),
    Code.balance_mismatch: ("check_amount", "add_document"),
    Code.amount_corrected: ("check_amount",),
    Code.low_confidence: ("replace_document", "check_amount"),
    Code.unreadable_attachment: ("replace_document", "add_or_explain"),
    Code.reading_pending: ("replace_document",),
    Code.co_applicant_not_signed: ("co_applicant_sign",),
    Code.co_applicant_declined: ("contact_us",),
    Code.household_change_facts: ("household_details",),
    Code.income_disappeared: ("income_explain", "add_or_explain"),
    Code.rent_increase: ("new_rent",),
}
GENERAL_TEMPLATE = "contact_us"

# Findings whose fix is a document: the applicant gets an upload form for them.
FIXED_BY_DOCUMENT = frozenset(
    {
        Code.missing_attachment,
        Code.wrong_kind,
        Code.unrecognised_document,
        Code.wrong_period,
        Code.amount_mismatch,
        Code.balance_mismatch,
        Code.low_confidence,
        Code.unreadable_attachment,
        Code.income_disappeared,
        Code.rent_increase,
    }
)

NOTE_KINDS = {
    "phone": N_("Phone call"),
    "visit": N_("Visit"),
    "other": N_("Other contact"),
}

SEVERITIES = {
    "blocking": N_("Must be fixed"),
    "review": N_("Check"),
    "info": N_("For information"),
}

STATUSES = {
    "open": N_("Open"),
    "accepted": N_("Accepted"),
    "resolved": N_("Resolved"),
}


def templates_for(code: str) -> tuple[str, ...]:
    try:
        return TEMPLATES_FOR[Code(code)] + (GENERAL_TEMPLATE,)
    except ValueError:
        return (GENERAL_TEMPLATE,)


@dataclass(frozen=True)
class Names:
    """What the words need beside the finding: file names and people."""

    files: Mapping[int, str]  # attachment id -> file name
    people: Mapping[int, str]  # person id -> given name
    co_applicant: str = ""


def _document(params: Mapping[str, Any]) -> str:
    label = text(DOCUMENTS, str(params.get("document") or ""))
    item = str(params.get("item") or "")
    if item and item in OPTIONS and params.get("document") != "bank_statement":
        label = f"{label}: {text(OPTIONS, item)}"
    return label or _("a document")


def _answer(params: Mapping[str, Any], names: Names) -> str:
    """An answer in a few words: "Salary (Anna)", "Rent"."""
    item = str(params.get("item") or "")
    key = str(params.get("answer_key") or "")
    base = key.split(":")[0]
    label = text(OPTIONS, item) if item in OPTIONS else text(ANSWERS, base) or base
    person = params.get("person")
    if isinstance(person, int) and person in names.people:
        return f"{label} ({names.people[person]})"
    return label


ANSWERS = {
    "rent": N_("Rent"),
    "household_electricity": N_("Household electricity"),
    "home_insurance": N_("Home insurance"),
    "bank_accounts": N_("Bank accounts"),
    "incomes": N_("Income"),
    "costs": N_("Costs for work"),
    "livsforing": N_("Other costs"),
    "activity": N_("Activities"),
    "household_change": N_("Household change"),
}


def _months(earliest: str, latest: str) -> str:
    if earliest == latest:
        return format_month(earliest)
    return f"{format_month(earliest)} – {format_month(latest)}"


def variables(code: str, params: Mapping[str, Any], names: Names) -> dict[str, object]:
    attachment = params.get("attachment")
    period = params.get("period")
    earliest, latest = params.get("earliest"), params.get("latest")
    changes = params.get("changes") or []
    return {
        "document": _document(params),
        "answer": _answer(params, names),
        "file": names.files.get(attachment, _("a file")) if isinstance(attachment, int) else "",
        "kind": text(DOCUMENTS, str(params.get("kind") or "")) or _("something else"),
        "period": format_month(period) if isinstance(period, str) and period else "",
        "expected": _months(earliest, latest)
        if isinstance(earliest, str) and isinstance(latest, str)
        else "",
        "declared": format_ore(params.get("declared_ore")),
        "documented": format_ore(params.get("documented_ore")),
        "read": format_ore(params.get("read_ore")),
        "confirmed": format_ore(params.get("confirmed_ore")),
        "previous": format_ore(params.get("previous_ore")),
        "current": format_ore(params.get("current_ore")),
        "percent": params.get("percent", ""),
        "changes": ", ".join(text(OPTIONS, str(change)) for change in changes),
        "name": names.co_applicant or _("Your co-applicant"),
    }


def _say(table: Mapping[Code, str], code: str, params: Mapping[str, Any], names: Names) -> str:
    try:
        message = table.get(Code(code))
    except ValueError:
        message = None
    if not message:
        return ""
    return _(message, **variables(code, params, names))


def title(code: str) -> str:
    try:
        return _(TITLES[Code(code)])
    except (ValueError, KeyError):
        return code


def for_applicant(code: str, params: Mapping[str, Any], names: Names) -> str:
    return _say(FOR_APPLICANT, code, params, names)


def for_staff(code: str, params: Mapping[str, Any], names: Names) -> str:
    return _say(FOR_STAFF, code, params, names)


def template_text(template: str, code: str, params: Mapping[str, Any], names: Names) -> str:
    message = TEMPLATES.get(template)
    return _(message, **variables(code, params, names)) if message else ""
