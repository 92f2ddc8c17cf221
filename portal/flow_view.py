"""What the flow's templates show: a step with its words, values and errors; the transcript of
answered questions; the summary grouped by section with the documents still missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from intake import flow
from intake.models import Application, Attachment, Household
from intake.money import ore_to_input
from portal import repository_flow
from portal.flow_text import (
    CONFIRMS,
    DOCUMENTS,
    ERRORS,
    HINTS,
    OPTIONS,
    QUESTIONS,
    SECTIONS,
    text,
)
from portal.i18n import format_month, format_ore
from portal.i18n import gettext as _


@dataclass
class ProofView:
    document: str
    item: str
    label: str
    attachments: list[Attachment]


@dataclass
class StepView:
    step: flow.Step
    question: str
    hint: str
    confirming: bool
    previous_summary: list[str]
    value: Any
    options: list[tuple[str, str]]
    errors: dict[str, str]
    error_list: list[tuple[str, str]]
    proofs: list[ProofView] = field(default_factory=list)
    children: list[flow.Member] = field(default_factory=list)
    form: dict[str, Any] = field(default_factory=dict)
    upload_max_mb: int = 20

    @property
    def key(self) -> str:
        return self.step.key

    @property
    def kind(self) -> str:
        return self.step.kind


def _person(context: flow.Context, person_id: int | None) -> str:
    for member in context.members:
        if member.id == person_id:
            return member.given_name
    return ""


def question_for(
    step: flow.Step, context: flow.Context, confirming: bool = False, value: Any = None
) -> str:
    variables = {"name": _person(context, step.person), "month": format_month(context.month)}
    if confirming and step.base in CONFIRMS:
        if step.kind == "amount":
            variables["amount"] = format_ore(value or 0)
        return text(CONFIRMS, step.base, **variables)
    return text(QUESTIONS, step.base, **variables)


def step_view(
    step: flow.Step,
    answers: Any,
    context: flow.Context,
    *,
    attachments: list[Attachment],
    edit: bool,
    errors: dict[str, str],
    form: Any,
    upload_max_mb: int,
    rules: flow.ProofRules = flow.DEFAULT_PROOF_RULES,
) -> StepView:
    confirming = flow.confirming(step, answers, context) and not edit and step.key not in answers
    value = flow.prefill(step, answers, context)
    messages = {
        name: (ERRORS.get(code) and _(ERRORS[code])) or code for name, code in errors.items()
    }
    field_ids = {name: f"field-{name}" for name in messages}
    view = StepView(
        step=step,
        question=question_for(step, context, confirming, value),
        hint=text(HINTS, step.base, name=_person(context, step.person)),
        confirming=confirming,
        previous_summary=summarise(step, context.previous.get(step.key), context)
        if confirming
        else [],
        value=value,
        options=[(option, text(OPTIONS, option)) for option in step.options],
        errors=messages,
        error_list=[(field_ids[name], message) for name, message in messages.items()],
        children=list(context.children),
        form=_form_values(step, value, form),
        upload_max_mb=upload_max_mb,
    )
    for need in _expected_proofs(step, value, rules):
        view.proofs.append(
            ProofView(
                document=need.document,
                item=need.item,
                label=_proof_label(need),
                attachments=[
                    a
                    for a in attachments
                    if a.expected_kind == need.document and (a.item or "") == need.item
                ],
            )
        )
    return view


def _expected_proofs(step: flow.Step, value: Any, rules: flow.ProofRules) -> list[flow.ProofNeed]:
    """Proof the current (or last month's) answer needs; a step with possible proof but no value
    yet offers its general document."""
    needs = flow.proof_needed(step, value, rules)
    if needs:
        return needs
    if step.kind == "amount" and step.key in rules.amounts:
        return [flow.ProofNeed(step.key, rules.amounts[step.key])]
    return []


def _proof_label(need: flow.ProofNeed) -> str:
    label = text(DOCUMENTS, need.document)
    if need.item and need.item in OPTIONS:
        return f"{label}: {text(OPTIONS, need.item)}"
    return label


def _form_values(step: flow.Step, value: Any, form: Any) -> dict[str, Any]:
    """Values for the inputs: what was just posted (after an error), else the answer."""
    if form is not None:
        values: dict[str, Any] = {}
        for name in form:
            items = form.getlist(name)
            strings = [item for item in items if isinstance(item, str)]
            values[name] = (
                strings
                if len(strings) > 1
                or name in ("value", "methods", "abroad")
                and step.kind in ("multi", "contact", "amounts")
                else (strings[0] if strings else "")
            )
        return values
    kind = step.kind
    if kind == "amount":
        return {"value": ore_to_input(value) if value else ""}
    if kind == "amounts" and isinstance(value, dict):
        values = {f"amount_{k}": ore_to_input(v) for k, v in value.get("amounts", {}).items()}
        values["abroad"] = value.get("abroad", [])
        values["none"] = "yes" if value.get("none") else ""
        values["other_description"] = value.get("description", "")
        return values
    if kind == "accounts" and isinstance(value, list):
        values = {}
        for index, account in enumerate(value):
            values[f"bank_{index}"] = account.get("bank", "")
            values[f"balance_{index}"] = ore_to_input(account.get("balance"))
        return values
    if kind == "days" and isinstance(value, dict):
        return {f"days_{k}": str(v) for k, v in value.items()}
    if kind == "contact" and isinstance(value, dict):
        return {**value, "interpreter": "yes" if value.get("interpreter") else ""}
    if kind == "multi":
        return {"value": value or []}
    if kind == "yes_no" and value is not None:
        return {"value": "yes" if value else "no"}
    return {"value": value if value is not None else ""}


def summarise(step: flow.Step, value: Any, context: flow.Context) -> list[str]:
    """An answer in a few short lines, in the applicant's language."""
    if value is None:
        return []
    kind = step.kind
    if kind == "yes_no":
        return [_("Yes") if value else _("No")]
    if kind == "choice":
        return [text(OPTIONS, value)]
    if kind == "multi":
        return [text(OPTIONS, option) for option in value] or [_("Nothing chosen")]
    if kind == "amount":
        return [format_ore(value)] if value else [_("None")]
    if kind == "amounts":
        lines = [
            f"{text(OPTIONS, k)}: {format_ore(v)}" for k, v in value.get("amounts", {}).items()
        ]
        if value.get("none"):
            return [_("No income")]
        if value.get("description"):
            lines.append(value["description"])
        return lines or [_("None")]
    if kind == "accounts":
        return [f"{a['bank']}: {format_ore(a['balance'])}" for a in value] or [_("No accounts")]
    if kind == "days":
        return [
            _("%(name)s: %(days)s days", name=child.given_name, days=value.get(str(child.id), 0))
            for child in context.children
        ]
    if kind == "text":
        return [value] if value else [_("Nothing")]
    if kind == "contact":
        lines = []
        if "sms" in value.get("methods", []):
            lines.append(_("Text message to %(phone)s", phone=value.get("phone", "")))
        if "email" in value.get("methods", []):
            lines.append(_("E-mail to %(email)s", email=value.get("email", "")))
        if not lines:
            lines.append(_("Only in this service"))
        if value.get("interpreter"):
            lines.append(_("Interpreter needed"))
        return lines
    return [str(value)]


@dataclass
class TranscriptLine:
    key: str
    question: str
    answer: list[str]
    url: str


def transcript(answers: Any, context: flow.Context, until: str) -> list[TranscriptLine]:
    """The questions answered before ``until``, each with its change link."""
    lines = []
    for step in flow.active_steps(answers, context):
        if step.key == until:
            break
        if step.key not in answers:
            continue
        lines.append(
            TranscriptLine(
                key=step.key,
                question=question_for(step, context),
                answer=summarise(step, answers[step.key], context),
                url=f"/applicant/apply/{context.month}/step/{step.key}?edit=1",
            )
        )
    return lines


@dataclass
class SummarySection:
    key: str
    title: str
    lines: list[TranscriptLine]


@dataclass
class MissingDocument:
    label: str
    url: str
    key: str = ""  # "<document>|<item>|<step key>": what an upload for it is filed as


def summary_sections(
    answers: Any,
    context: flow.Context,
    attachments: list[Attachment],
    month: str,
    *,
    editable: bool,
    rules: flow.ProofRules = flow.DEFAULT_PROOF_RULES,
) -> tuple[list[SummarySection], list[MissingDocument]]:
    sections: dict[str, SummarySection] = {}
    missing: list[MissingDocument] = []
    for step in flow.active_steps(answers, context):
        if step.key not in answers:
            continue
        url = f"/applicant/apply/{month}/step/{step.key}?edit=1&back=review" if editable else ""
        section = sections.setdefault(
            step.section, SummarySection(step.section, text(SECTIONS, step.section), [])
        )
        section.lines.append(
            TranscriptLine(
                step.key,
                question_for(step, context),
                summarise(step, answers[step.key], context),
                url,
            )
        )
        for need in flow.proof_needed(step, answers[step.key], rules):
            if not any(
                a.answer_key == step.key
                and a.expected_kind == need.document
                and (a.item or "") == need.item
                for a in attachments
            ):
                missing.append(
                    MissingDocument(
                        _proof_label(need),
                        f"/applicant/apply/{month}/step/{step.key}?edit=1&back=review"
                        if editable
                        else "",
                        f"{need.document}|{need.item}|{step.key}",
                    )
                )
    return list(sections.values()), missing


def document_label(kind: str | None) -> str:
    """A document kind (as read or as asked for) in words."""
    return text(DOCUMENTS, kind or "") or _("document")


@dataclass
class ApplicationSummary:
    """An application's answers with what they are read against, and "Check your answers"."""

    answers: dict[str, Any]
    context: flow.Context
    attachments: list[Attachment]
    sections: list[SummarySection]
    missing: list[MissingDocument]


def summary_of(
    db: Session,
    household: Household,
    application: Application,
    rules: flow.ProofRules,
    *,
    editable: bool,
) -> ApplicationSummary:
    """Load an application and summarise it by section, with the documents still missing."""
    answers = repository_flow.answers_of(db, application.id)
    context = repository_flow.context_for(db, household, application)
    attachments = repository_flow.attachments_of(db, application)
    sections, missing = summary_sections(
        answers, context, attachments, application.month, editable=editable, rules=rules
    )
    return ApplicationSummary(answers, context, attachments, sections, missing)
