"""The survey's words. The domain (``intake.survey``) names questions, scales and answers by
code; these are their English msgids, translated where they are shown."""

from __future__ import annotations

from portal.i18n import N_
from portal.i18n import gettext as _

QUESTIONS = {
    "contact": N_(
        "How easy or hard is it to get in contact with your social worker "
        "(by phone, text message or e-mail)?"
    ),
    "information": N_("How easy or hard is it to understand the information you get?"),
    "views_asked": N_(
        "Does your social worker ask for your views on how your situation could change?"
    ),
    "understanding": N_("How much understanding does your social worker show for your situation?"),
    "influence": N_("How much have you been able to influence what kind of help you get?"),
    "change": N_("How has your situation changed since you came into contact with us?"),
    "overall": N_("Overall, how satisfied are you with the support you get?"),
}

# Short names for charts and narrow tables.
SHORT = {
    "contact": N_("Contact"),
    "information": N_("Information"),
    "views_asked": N_("Views asked for"),
    "understanding": N_("Understanding"),
    "influence": N_("Influence"),
    "change": N_("Change in situation"),
    "overall": N_("Overall satisfaction"),
}

# Scale steps by scale code, most positive first; "dk" is shared.
STEPS = {
    "ease": {
        "1": N_("Very easy"),
        "2": N_("Fairly easy"),
        "3": N_("Fairly hard"),
        "4": N_("Very hard"),
    },
    "extent": {
        "1": N_("Very much"),
        "2": N_("Fairly much"),
        "3": N_("Fairly little"),
        "4": N_("Very little or not at all"),
    },
    "change": {
        "1": N_("Much better"),
        "2": N_("Somewhat better"),
        "3": N_("No change"),
        "4": N_("Worse"),
    },
    "satisfaction": {
        "1": N_("Very satisfied"),
        "2": N_("Fairly satisfied"),
        "3": N_("Fairly dissatisfied"),
        "4": N_("Very dissatisfied"),
    },
    "yes_no": {"yes": N_("Yes"), "no": N_("No")},
}
DONT_KNOW = N_("Don't know / no opinion")

MASKS = {
    "[pnr]": N_("(personal identity number removed)"),
    "[phone]": N_("(phone number removed)"),
    "[email]": N_("(e-mail address removed)"),
}

AGAINST_TARGET = {
    "above": N_("Above target"),
    "below": N_("Below target"),
    "uncertain": N_("Cannot tell"),
}


def question(code: str) -> str:
    return _(QUESTIONS[code]) if code in QUESTIONS else code


def short(code: str) -> str:
    return _(SHORT[code]) if code in SHORT else code


def step(scale: str, value: str) -> str:
    if value == "dk":
        return _(DONT_KNOW)
    label = STEPS.get(scale, {}).get(value)
    return _(label) if label else value
