"""The monthly re-application (återansökan) as data: an ordered list of steps.

Each step has a question type, a condition on earlier answers and the household, a validation
(by type), a prefill source (last month's answer under the same key) and the proof it needs.
The web side turns step keys and error codes into words; nothing here is a sentence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from intake.money import AmountError, parse_amount

Answers = Mapping[str, Any]

SECTIONS = ("changes", "household", "housing", "income", "assets", "costs", "activity", "other")

INCOME_TYPES = (
    "salary",
    "unemployment_fund",
    "activity_support",
    "establishment_benefit",
    "sickness_benefit",
    "sickness_compensation",
    "parental_benefit",
    "student_aid",
    "pension",
    "housing_allowance",
    "child_allowance",
    "maintenance_support",
    "care_allowance",
    "tax_refund",
    "swish_other",
)
INCOME_PROOF = {
    "salary": "payslip",
    "unemployment_fund": "unemployment_payment",
    "activity_support": "benefit_payment",
    "establishment_benefit": "benefit_payment",
    "sickness_benefit": "benefit_payment",
    "sickness_compensation": "benefit_payment",
    "parental_benefit": "benefit_payment",
    "student_aid": "student_aid",
    "pension": "pension",
    "housing_allowance": "benefit_payment",
    "maintenance_support": "benefit_payment",
    "care_allowance": "benefit_payment",
    "swish_other": "bank_statement",
}
CHANGE_KINDS = ("work", "family", "housing", "school", "other")
HOUSING_TYPES = ("rental", "sublet", "owned", "lodger", "homeless")
COST_TYPES = ("work_travel", "union_fee", "unemployment_fund_fee")
LIVSFORING_TYPES = ("dental_care", "glasses", "medicine", "infant_equipment", "moving", "other")
ACTIVITIES = (
    "job_seeking",
    "plan_activity",
    "sick_leave",
    "working",
    "parental_leave",
    "studying",
    "other",
)
ACTIVITY_PROOF = {"job_seeking": "activity_report", "sick_leave": "medical_certificate"}
CONTACT_LANGUAGES = ("sv", "en", "ar", "fa", "so", "ti", "uk", "fi", "other")
MAX_TEXT = 2000
MAX_ACCOUNTS = 6


@dataclass(frozen=True)
class Member:
    id: int
    role: str  # applicant / co_applicant / child / visiting_child
    given_name: str
    age: int
    days_at_home: int | None = None

    @property
    def adult(self) -> bool:
        return self.role in ("applicant", "co_applicant")


@dataclass(frozen=True)
class Context:
    """What the flow knows besides the answers: the household and last month's answers."""

    month: str
    members: tuple[Member, ...]
    previous: Mapping[str, Any] = field(default_factory=dict)

    @property
    def adults(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.adult)

    @property
    def children(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if not m.adult)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous)


@dataclass(frozen=True)
class Step:
    key: str
    section: str
    kind: str  # yes_no, choice, multi, amount, amounts, accounts, days, text, contact
    options: tuple[str, ...] = ()
    when: Callable[[Answers, Context], bool] = lambda answers, context: True
    optional: bool = False
    person: int | None = None  # for steps asked once per adult
    maximum: int | None = None  # amounts: a sanity ceiling in öre

    @property
    def base(self) -> str:
        return self.key.split(":")[0]


def _has_children(answers: Answers, context: Context) -> bool:
    return bool(context.children)


def _rents(answers: Answers, context: Context) -> bool:
    return answers.get("housing_type") in ("rental", "sublet", "lodger", "owned")


def _said_yes(key: str) -> Callable[[Answers, Context], bool]:
    def predicate(answers: Answers, context: Context) -> bool:
        return answers.get(key) is True

    return predicate


def steps_for(context: Context) -> list[Step]:
    """Every step of the flow for this household, in order (conditions not yet applied)."""
    steps: list[Step] = [
        Step("anything_changed", "changes", "yes_no", when=lambda a, c: c.has_previous),
        Step("changes", "changes", "multi", CHANGE_KINDS, when=_said_yes("anything_changed")),
        Step(
            "household_change",
            "household",
            "text",
            when=_said_yes("anything_changed"),
            optional=True,
        ),
        Step("children_days", "household", "days", when=_has_children),
        Step("housing_type", "housing", "choice", HOUSING_TYPES),
        Step("rent", "housing", "amount", when=_rents, maximum=5_000_000),
        Step(
            "household_electricity",
            "housing",
            "amount",
            when=_rents,
            optional=True,
            maximum=2_000_000,
        ),
        Step("home_insurance", "housing", "amount", optional=True, maximum=500_000),
    ]
    for adult in context.adults:
        steps.append(
            Step(
                f"incomes:{adult.id}",
                "income",
                "amounts",
                INCOME_TYPES,
                person=adult.id,
                optional=True,
            )
        )
    steps += [
        Step("pending_benefits", "income", "text", optional=True),
        Step("bank_accounts", "assets", "accounts", optional=True),
        Step("other_assets", "assets", "text", optional=True),
        Step("costs", "costs", "amounts", COST_TYPES, optional=True),
        Step("livsforing", "costs", "amounts", LIVSFORING_TYPES, optional=True),
    ]
    for adult in context.adults:
        steps.append(Step(f"activity:{adult.id}", "activity", "multi", ACTIVITIES, person=adult.id))
    steps += [
        Step("other_info", "other", "text", optional=True),
        Step("contact", "other", "contact"),
    ]
    return steps


def active_steps(answers: Answers, context: Context) -> list[Step]:
    return [step for step in steps_for(context) if step.when(answers, context)]


def confirming(step: Step, answers: Answers, context: Context) -> bool:
    """Nothing changed and last month has this answer: ask "Is this still right?" instead."""
    return (
        context.has_previous
        and answers.get("anything_changed") is False
        and step.key in context.previous
    )


# Facts that "nothing has changed" already confirms: confirming them again adds taps, not truth.
CARRIED_WHEN_UNCHANGED = frozenset({"housing_type", "contact"})
CARRIED = "_carried"  # the answer that lists what was carried over from last month


def is_empty(value: Any) -> bool:
    if value in (None, "", 0, [], {}):
        return True
    if isinstance(value, dict) and set(value) <= {"amounts", "abroad", "none", "description"}:
        return not value.get("amounts")
    return False


def carried_over(answers: Answers, context: Context) -> dict[str, Any]:
    """When nothing has changed, last month's empty answers (no costs, nothing else to tell)
    and facts that cannot change without a change (housing type, contact) are taken over as
    they were. Amounts, incomes, balances and activities are still confirmed one by one, since
    they need this month's proof."""
    if answers.get("anything_changed") is not False:
        return {}
    carried: dict[str, Any] = {}
    while True:  # a carried answer (housing type) can make further steps active
        known = {**answers, **carried}
        found = {
            step.key: context.previous[step.key]
            for step in active_steps(known, context)
            if step.key not in known
            and step.key in context.previous
            and (step.base in CARRIED_WHEN_UNCHANGED or is_empty(context.previous[step.key]))
        }
        if not found:
            return carried
        carried.update(found)


def next_step(answers: Answers, context: Context) -> Step | None:
    """The first active step without an answer."""
    for step in active_steps(answers, context):
        if step.key not in answers:
            return step
    return None


def step_after(key: str, answers: Answers, context: Context) -> Step | None:
    """The step after ``key`` that still needs an answer, or the first unanswered one."""
    steps = active_steps(answers, context)
    keys = [step.key for step in steps]
    if key in keys:
        for step in steps[keys.index(key) + 1 :]:
            if step.key not in answers:
                return step
    return next_step(answers, context)


def remaining(answers: Answers, context: Context) -> int:
    return sum(1 for step in active_steps(answers, context) if step.key not in answers)


def find_step(key: str, context: Context) -> Step | None:
    return next((step for step in steps_for(context) if step.key == key), None)


def prefill(step: Step, answers: Answers, context: Context) -> Any:
    """The value to show: this month's answer, else last month's."""
    if step.key in answers:
        return answers[step.key]
    return context.previous.get(step.key)


# --- validation -------------------------------------------------------------------------------


@dataclass
class Parsed:
    value: Any = None
    errors: dict[str, str] = field(default_factory=dict)  # field name -> error code

    @property
    def ok(self) -> bool:
        return not self.errors


def parse(step: Step, form: Mapping[str, Any], context: Context) -> Parsed:
    """Turn the posted form into the answer's value, or error codes per field."""
    result = Parsed()
    kind = step.kind
    if kind == "yes_no":
        raw = _text(form, "value")
        if raw not in ("yes", "no"):
            result.errors["value"] = "choose_one"
        else:
            result.value = raw == "yes"
    elif kind == "choice":
        raw = _text(form, "value")
        if raw not in step.options:
            result.errors["value"] = "choose_one"
        else:
            result.value = raw
    elif kind == "multi":
        chosen = [value for value in _getlist(form, "value") if value in step.options]
        if not chosen and not step.optional:
            result.errors["value"] = "choose_at_least_one"
        result.value = [option for option in step.options if option in chosen]
    elif kind == "amount":
        _parse_amount_field(form, "value", step, result, required=not step.optional)
    elif kind == "amounts":
        amounts: dict[str, int] = {}
        for option in step.options:
            ore = _parse_amount_field(form, f"amount_{option}", step, result, required=False)
            if ore:
                amounts[option] = ore
        if step.base == "incomes":
            abroad = [o for o in _getlist(form, "abroad") if o in amounts]
            none = _text(form, "none") == "yes"
            if none and amounts:
                result.errors["none"] = "none_and_amounts"
            if not none and not amounts and not result.errors:
                result.errors["amount_salary"] = "income_or_none"
            result.value = {"amounts": amounts, "abroad": abroad, "none": none and not amounts}
        elif step.base == "livsforing":
            description = _text(form, "other_description").strip()[:500]
            if "other" in amounts and not description:
                result.errors["other_description"] = "describe_other"
            result.value = {"amounts": amounts, "description": description}
        else:
            result.value = {"amounts": amounts}
    elif kind == "accounts":
        accounts = []
        for index in range(MAX_ACCOUNTS):
            bank = _text(form, f"bank_{index}").strip()[:100]
            balance_raw = _text(form, f"balance_{index}").strip()
            if not bank and not balance_raw:
                continue
            if not bank:
                result.errors[f"bank_{index}"] = "bank_required"
            try:
                balance = parse_amount(balance_raw, allow_negative=True)
            except AmountError as exc:
                result.errors[f"balance_{index}"] = f"amount_{exc.code}"
                continue
            accounts.append({"bank": bank, "balance": balance})
        result.value = accounts
    elif kind == "days":
        days: dict[str, int] = {}
        for child in context.children:
            raw = _text(form, f"days_{child.id}").strip()
            # ASCII digits only: "²" is a digit to str.isdigit() but no number to int().
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 2) or not 0 <= int(raw) <= 31:
                result.errors[f"days_{child.id}"] = "days_range"
            else:
                days[str(child.id)] = int(raw)
        result.value = days
    elif kind == "text":
        text = _text(form, "value").strip()
        if len(text) > MAX_TEXT:
            result.errors["value"] = "text_too_long"
        if not text and not step.optional:
            result.errors["value"] = "required"
        result.value = text
    elif kind == "contact":
        methods = [m for m in _getlist(form, "methods") if m in ("sms", "email")]
        phone = _text(form, "phone").strip()[:30]
        email = _text(form, "email").strip()[:254]
        interpreter = _text(form, "interpreter") == "yes"
        language = _text(form, "interpreter_language")
        if "sms" in methods and not _plausible_phone(phone):
            result.errors["phone"] = "phone_format"
        if "email" in methods and ("@" not in email or "." not in email.split("@")[-1]):
            result.errors["email"] = "email_format"
        if interpreter and language not in CONTACT_LANGUAGES:
            result.errors["interpreter_language"] = "choose_one"
        result.value = {
            "methods": methods,
            "phone": phone,
            "email": email,
            "interpreter": interpreter,
            "interpreter_language": language if interpreter else "",
        }
    else:  # pragma: no cover - a step kind without a parser is a programming error
        raise ValueError(f"unknown step kind {kind}")
    return result


def _parse_amount_field(
    form: Mapping[str, Any], name: str, step: Step, result: Parsed, *, required: bool
) -> int | None:
    raw = _text(form, name).strip()
    if not raw:
        if required:
            result.errors[name] = "amount_empty"
        elif step.kind == "amount":
            result.value = 0
        return None
    try:
        ore = parse_amount(raw, maximum=step.maximum or 100_000_000)
    except AmountError as exc:
        result.errors[name] = f"amount_{exc.code}"
        return None
    if step.kind == "amount":
        result.value = ore
    return ore


def _plausible_phone(phone: str) -> bool:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return 8 <= len(digits) <= 15 and all(ch.isdigit() or ch in " +-()" for ch in phone)


def _text(form: Mapping[str, Any], name: str) -> str:
    """A posted field as text; a file (or anything else) where text belongs counts as empty."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _getlist(form: Mapping[str, Any], name: str) -> list[str]:
    """Every text value posted under ``name`` (files and other objects are left out)."""
    getter = getattr(form, "getlist", None)
    if getter is not None:
        return [v for v in getter(name) if isinstance(v, str)]
    value = form.get(name)
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [v for v in items if isinstance(v, str)]


# --- proof ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProofNeed:
    """A document the answer needs: which kind, for which answer, and about whom."""

    step_key: str
    document: str  # payslip, rent_notice, ...
    item: str = ""  # the income type / cost type it proves, when there are several


def proof_needed(step: Step, value: Any, rules: ProofRules | None = None) -> list[ProofNeed]:
    rules = rules or DEFAULT_PROOF_RULES
    needs: list[ProofNeed] = []
    if step.kind == "amount" and value and step.key in rules.amounts:
        needs.append(ProofNeed(step.key, rules.amounts[step.key]))
    elif step.base == "incomes" and isinstance(value, dict):
        for income in value.get("amounts", {}):
            document = rules.incomes.get(income)
            if document:
                needs.append(ProofNeed(step.key, document, income))
    elif step.base in ("costs", "livsforing") and isinstance(value, dict):
        for cost in value.get("amounts", {}):
            needs.append(ProofNeed(step.key, rules.costs, cost))
    elif step.base == "bank_accounts" and value and rules.bank_statement:
        needs.append(ProofNeed(step.key, "bank_statement"))
    elif step.base == "activity" and isinstance(value, list):
        for activity in value:
            document = rules.activities.get(activity)
            if document:
                needs.append(ProofNeed(step.key, document, activity))
    return needs


@dataclass(frozen=True)
class ProofRules:
    """Which answers need which documents. Municipalities differ: this is configuration."""

    amounts: Mapping[str, str]
    incomes: Mapping[str, str]
    activities: Mapping[str, str]
    costs: str = "receipt"
    bank_statement: bool = True


DEFAULT_PROOF_RULES = ProofRules(
    amounts={"rent": "rent_notice", "household_electricity": "electricity_bill"},
    incomes=INCOME_PROOF,
    activities=ACTIVITY_PROOF,
)


# --- months and changes -------------------------------------------------------------------------


def month_to_apply_for(today: dt.date) -> str:
    """Households apply for the coming month."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{year:04d}-{month:02d}"


def differs(value: Any, previous: Any) -> bool:
    """Whether this month's answer is a change against last month's."""
    return previous is not None and value != previous
