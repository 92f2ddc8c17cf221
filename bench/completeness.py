"""Simulation benchmark of the completeness rules (issue 5).

    .venv/bin/python bench/completeness.py                 # 5 000 households, seed 5
    .venv/bin/python bench/completeness.py --households 20000 --seed 11 --mistake-rate 0.5

Generates households with realistic answers (household, housing, incomes per adult, bank
accounts, activities, costs, changes since last month) and the documents each answer needs, as
the extraction worker would leave them: the reader is imperfect (kinds left unknown or misread,
periods not found, amounts read with low confidence or from the wrong column) and the applicant
confirms or corrects what was read some of the time, as the portal asks them to. Then it injects
known mistakes into a share of the applications (a rent notice for the wrong month, an old
payslip, a missing rent notice or payslip, declared and documented amounts that differ, an
unsigned co-applicant, a document of the wrong kind, an unreadable file, a household change
without its facts), runs every application through the rules and prints:

- recall of injected blocking problems (target >= 99 %), overall and per kind of mistake;
- precision of blocking findings (how many point at an injected problem);
- the share of clean applications with a blocking finding (target <= 2 %), and the share that
  would still go to the informatör (blocking or review findings);
- the time per application, median and p95, beside walking the flow's steps (the baseline).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from intake import flow  # noqa: E402
from intake.completeness import (  # noqa: E402
    DEFAULT,
    READABLE_KINDS,
    CoApplicant,
    Code,
    Document,
    Facts,
    Severity,
    attachment_subject,
    evaluate,
    needs_of,
)
from intake.norm.months import month_index, month_text  # noqa: E402

MONTH = "2026-11"  # applied for
SENT = "2026-10"  # sent in October
LAST = month_text(month_index(SENT) - 1)

MISTAKES = (
    "rent_wrong_month",
    "payslip_too_old",
    "missing_rent_notice",
    "missing_payslip",
    "amount_mismatch",
    "co_applicant_unsigned",
    "wrong_kind",
    "unreadable",
    "household_change_without_facts",
)


@dataclass
class Reader:
    """How the simulated extraction worker and applicant behave on a good document."""

    kind_unknown: float = 0.006  # the reader cannot tell what it is
    kind_wrong: float = 0.004  # the reader says another kind (half of them unsure)
    period_missing: float = 0.01
    amount_unsure: float = 0.03  # found with low confidence, or not at all
    amount_misread: float = 0.01  # a wrong amount with high confidence (e.g. year-to-date)
    confirms_unsure: float = 0.7  # the applicant confirms the amount when asked
    corrects_misread: float = 0.8  # the applicant notices and corrects a wrong reading


@dataclass
class Injected:
    mistake: str
    code: Code
    subject: str
    need: str = ""  # the answer's proof it concerns: one mistake per need


@dataclass
class Case:
    facts: Facts
    injected: list[Injected] = field(default_factory=list)


def _kronor(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high) * 100


def household(rng: random.Random, index: int) -> tuple[flow.Context, dict[str, Any], bool]:
    couple = rng.random() < 0.35
    members = [flow.Member(index * 10 + 1, "applicant", "A", rng.randint(19, 64))]
    if couple:
        members.append(flow.Member(index * 10 + 2, "co_applicant", "B", rng.randint(19, 64)))
    for child in range(rng.choices([0, 1, 2, 3], [0.5, 0.2, 0.2, 0.1])[0]):
        members.append(flow.Member(index * 10 + 3 + child, "child", "C", rng.randint(0, 17), 30))
    context = flow.Context(MONTH, tuple(members), {})
    answers: dict[str, Any] = {}
    answers["housing_type"] = rng.choices(
        ["rental", "sublet", "lodger", "owned", "homeless"], [0.8, 0.08, 0.04, 0.05, 0.03]
    )[0]
    if answers["housing_type"] != "homeless":
        answers["rent"] = _kronor(rng, 3800, 14500)
        answers["household_electricity"] = _kronor(rng, 250, 1400) if rng.random() < 0.45 else 0
    answers["home_insurance"] = _kronor(rng, 90, 260) if rng.random() < 0.6 else 0
    children = len(members) - (2 if couple else 1)
    for member in context.adults:
        amounts: dict[str, int] = {}
        for income, share, low, high in (
            ("salary", 0.3, 1500, 22000),
            ("unemployment_fund", 0.15, 4000, 18000),
            ("establishment_benefit", 0.08, 2000, 9000),
            ("sickness_benefit", 0.1, 3000, 16000),
            ("parental_benefit", 0.05, 3000, 15000),
            ("student_aid", 0.03, 3000, 12000),
            ("pension", 0.03, 4000, 14000),
        ):
            if rng.random() < share:
                amounts[income] = _kronor(rng, low, high)
        if member.role == "applicant":
            if rng.random() < 0.2:
                amounts["housing_allowance"] = _kronor(rng, 500, 4500)
            if children:
                amounts["child_allowance"] = 125000 * children
                if rng.random() < 0.3:
                    amounts["maintenance_support"] = _kronor(rng, 1000, 2000) * children
        answers[f"incomes:{member.id}"] = {"amounts": amounts, "abroad": [], "none": not amounts}
        answers[f"activity:{member.id}"] = rng.choices(
            [["job_seeking"], ["plan_activity"], ["sick_leave"], ["working"],
             ["job_seeking", "working"]],
            [0.45, 0.2, 0.15, 0.1, 0.1],
        )[0]  # fmt: skip
    answers["bank_accounts"] = [
        {"bank": "Bank", "balance": _kronor(rng, 0, 6000)}
        for _ in range(rng.choices([1, 2], [0.8, 0.2])[0])
    ]
    answers["costs"] = (
        {"amounts": {"work_travel": _kronor(rng, 300, 900)}}
        if rng.random() < 0.1
        else {"amounts": {}}
    )
    answers["livsforing"] = (
        {"amounts": {"glasses": _kronor(rng, 800, 2500)}}
        if rng.random() < 0.05
        else {"amounts": {}}
    )
    answers["contact"] = {"methods": [], "phone": "", "email": "", "interpreter": False}
    answers["anything_changed"] = rng.random() < 0.25
    if answers["anything_changed"]:
        answers["changes"] = rng.sample(list(flow.CHANGE_KINDS), rng.randint(1, 2))
        answers["household_change"] = "Min sambo flyttade in den 1 oktober och betalar halva hyran."
    previous = dict(answers)
    if "rent" in answers and rng.random() < 0.1:
        previous["rent"] = round(answers["rent"] / rng.uniform(1.0, 1.08))  # a small rise
    return replace(context, previous=previous), answers, couple


def period_for(document: str, rng: random.Random) -> str:
    if document == "rent_notice":
        return MONTH
    if document == "electricity_bill":
        return rng.choice([LAST, SENT, month_text(month_index(SENT) - 2)])
    if document in ("benefit_payment", "student_aid", "pension"):
        return rng.choice([LAST, SENT, MONTH])
    return rng.choice([LAST, LAST, SENT])


def documents_for(
    context: flow.Context, answers: dict[str, Any], rng: random.Random, reader: Reader
) -> list[Document]:
    facts = Facts(MONTH, SENT, answers, context)
    documents: list[Document] = []
    for need in needs_of(facts):
        declared = _declared(answers, need.step_key, need.item, need.document)
        parts = 2 if need.document == "payslip" and rng.random() < 0.05 else 1
        for _part in range(parts):
            true_amount = None if declared is None else declared // parts
            if true_amount is not None and rng.random() < 0.6:
                # What the applicant typed was rounded: the document has öre and odd kronor.
                true_amount += rng.randint(-4000, 4000)
            documents.append(
                read(
                    Document(
                        id=len(documents) + 1,
                        answer_key=need.step_key,
                        expected_kind=need.document,
                        item=need.item or None,
                    ),
                    need.document,
                    period_for(need.document, rng),
                    true_amount,
                    rng,
                    reader,
                )
            )
    return documents


def _declared(answers: dict[str, Any], key: str, item: str, document: str) -> int | None:
    value = answers.get(key)
    if document == "bank_statement":
        return value[0]["balance"] if value else None
    if isinstance(value, int):
        return value
    if isinstance(value, dict):
        return value.get("amounts", {}).get(item)
    return None


def read(
    document: Document,
    kind: str,
    period: str | None,
    amount: int | None,
    rng: random.Random,
    reader: Reader,
) -> Document:
    """The document as the worker leaves it, and the applicant's confirmation."""
    if kind not in READABLE_KINDS:
        return replace(document, kind="unknown", status="done", confidence=0.1)
    read_kind, confidence = kind, rng.uniform(0.8, 0.99)
    draw = rng.random()
    if draw < reader.kind_unknown:
        read_kind, confidence = "unknown", rng.uniform(0.1, 0.4)
    elif draw < reader.kind_unknown + reader.kind_wrong:
        read_kind = rng.choice(sorted(READABLE_KINDS - {kind}))
        confidence = rng.choice([rng.uniform(0.3, 0.59), rng.uniform(0.6, 0.8)])
    read_period = None if rng.random() < reader.period_missing else period
    read_amount, confirmed = amount, None
    draw = rng.random()
    if amount is not None and draw < reader.amount_unsure:
        read_amount = amount if rng.random() < 0.5 else None
        confidence = min(confidence, rng.uniform(0.2, 0.55))
        if rng.random() < reader.confirms_unsure:
            confirmed = amount
    elif amount is not None and draw < reader.amount_unsure + reader.amount_misread:
        read_amount = amount * rng.randint(3, 11)  # the year-to-date column
        if rng.random() < reader.corrects_misread:
            confirmed = amount
    return replace(
        document,
        kind=read_kind,
        period=read_period,
        amount_ore=read_amount,
        confidence=confidence,
        status="done",
        confirmed_amount_ore=confirmed,
    )


def inject(case: Case, mistake: str, rng: random.Random, couple: bool, reader: Reader) -> bool:
    """Put one known mistake into the application; False when it does not apply to it."""
    facts = case.facts
    documents = list(facts.documents)
    answers = dict(facts.answers)

    def first(kind: str) -> int | None:
        return next((i for i, d in enumerate(documents) if d.expected_kind == kind), None)

    def reread(index: int, *, kind: str | None = None, period: str | None = None,
               amount: int | None = None) -> Document:  # fmt: skip
        """The applicant uploaded a different (wrong) document: the reader reads it, with the
        same imperfections as every other document, and the applicant may confirm."""
        d = documents[index]
        true_kind = kind or str(d.expected_kind)
        if amount is None:
            amount = _declared(answers, str(d.answer_key), d.item or "", str(d.expected_kind))
        base = Document(d.id, d.answer_key, d.expected_kind, d.item)
        return read(base, true_kind, period or period_for(true_kind, rng), amount, rng, reader)

    def need(d: Document) -> str:
        return f"{d.answer_key}/{d.item}" if d.item else str(d.answer_key)

    injected: Injected | None = None
    touched = {i.need for i in case.injected}
    if mistake == "rent_wrong_month" and (i := first("rent_notice")) is not None:
        documents[i] = reread(i, period=rng.choice([SENT, month_text(month_index(MONTH) + 1)]))
        injected = Injected(
            mistake, Code.wrong_period, attachment_subject(documents[i].id), need(documents[i])
        )
    elif mistake == "payslip_too_old" and (i := first("payslip")) is not None:
        if sum(1 for d in documents if need(d) == need(documents[i])) > 1:
            return False
        documents[i] = reread(i, period=month_text(month_index(SENT) - rng.randint(2, 6)))
        injected = Injected(
            mistake, Code.wrong_period, attachment_subject(documents[i].id), need(documents[i])
        )
    elif mistake in ("missing_rent_notice", "missing_payslip"):
        kind = "rent_notice" if mistake == "missing_rent_notice" else "payslip"
        if (i := first(kind)) is None:
            return False
        subject = need(documents[i])
        documents = [d for d in documents if need(d) != subject]
        injected = Injected(mistake, Code.missing_attachment, subject, subject)
    elif mistake == "amount_mismatch":
        wanted = ("rent_notice", "payslip", "unemployment_payment")
        candidates = [i for i, d in enumerate(documents) if d.expected_kind in wanted]
        if not candidates:
            return False
        i = rng.choice(candidates)
        if sum(1 for d in documents if need(d) == need(documents[i])) > 1:
            return False
        d = documents[i]
        declared = _declared(answers, str(d.answer_key), d.item or "", str(d.expected_kind))
        assert declared is not None
        shown = round(declared * rng.choice([rng.uniform(0.4, 0.85), rng.uniform(1.15, 1.8)]))
        documents[i] = reread(i, amount=shown)
        injected = Injected(mistake, Code.amount_mismatch, need(d), need(d))
    elif mistake == "co_applicant_unsigned":
        if not couple:
            return False
        if "co_applicant" in touched:
            return False
        case.facts = replace(facts, co_applicant=CoApplicant.pending)
        case.injected.append(
            Injected(mistake, Code.co_applicant_not_signed, "co_applicant", "co_applicant")
        )
        return True
    elif mistake == "wrong_kind":
        i = rng.choice(
            [i for i, d in enumerate(documents) if d.expected_kind in READABLE_KINDS] or [-1]
        )
        if i < 0 or sum(1 for d in documents if need(d) == need(documents[i])) > 1:
            return False
        other = rng.choice(sorted(READABLE_KINDS - {str(documents[i].expected_kind)}))
        documents[i] = reread(i, kind=other)
        injected = Injected(
            mistake, Code.wrong_kind, attachment_subject(documents[i].id), need(documents[i])
        )
    elif mistake == "unreadable":
        if not documents:
            return False
        i = rng.randrange(len(documents))
        if sum(1 for d in documents if need(d) == need(documents[i])) > 1:
            return False
        documents[i] = replace(
            documents[i], kind="unreadable", status="failed", period=None, amount_ore=None,
            confidence=0.0, confirmed_amount_ore=None,
        )  # fmt: skip
        injected = Injected(
            mistake,
            Code.unreadable_attachment,
            attachment_subject(documents[i].id),
            need(documents[i]),
        )
    elif mistake == "household_change_without_facts":
        if "household_change" in touched:
            return False
        answers.update(
            anything_changed=True, changes=["family"], household_change=rng.choice(["", "Ja", "ny"])
        )
        case.facts = replace(facts, answers=answers)
        case.injected.append(
            Injected(mistake, Code.household_change_facts, "household_change", "household_change")
        )
        return True
    if injected is None or injected.need in touched:
        return False
    case.facts = replace(facts, documents=tuple(documents), answers=answers)
    case.injected.append(injected)
    return True


def generate(count: int, seed: int, mistake_rate: float, reader: Reader) -> list[Case]:
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        context, answers, couple = household(rng, index)
        documents = documents_for(context, answers, rng, reader)
        facts = Facts(
            MONTH, SENT, answers, context, tuple(documents),
            co_applicant=CoApplicant.signed if couple else None,
        )  # fmt: skip
        case = Case(facts)
        if rng.random() < mistake_rate:
            wanted = rng.choices([1, 2, 3], [0.6, 0.3, 0.1])[0]
            tries = 0
            while len(case.injected) < wanted and tries < 20:
                tries += 1
                inject(case, rng.choice(MISTAKES), rng, couple, reader)
        cases.append(case)
    return cases


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:6.2f} %" if whole else "     – "


def finding_need(finding: Any) -> str:
    key = finding.params.get("answer_key")
    item = finding.params.get("item")
    if not key:
        return finding.subject
    return f"{key}/{item}" if item else str(key)


def run(label: str, reader: Reader, args: argparse.Namespace) -> tuple[float, float]:
    """One scenario: generate, evaluate, print; returns (recall, clean share blocked)."""
    cases = generate(args.households, args.seed, args.mistake_rate, reader)
    times, baseline = [], []
    found_per_case = []
    for case in cases:
        started = time.perf_counter()
        found = evaluate(case.facts, DEFAULT)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        flow.active_steps(case.facts.answers, case.facts.context)
        baseline.append(time.perf_counter() - started)
        found_per_case.append(found)

    hit: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    total: Counter[str] = Counter()
    blocking_all = blocking_true = 0
    clean = clean_blocked = clean_routed = 0
    false_codes: Counter[str] = Counter()
    routed_codes: Counter[str] = Counter()
    for case, found in zip(cases, found_per_case, strict=True):
        blocking = {(f.code, f.subject) for f in found if f.severity is Severity.blocking}
        routed = [f for f in found if f.routes_to_informator]
        expected = {(i.code, i.subject) for i in case.injected}
        for injected in case.injected:
            total[injected.mistake] += 1
            if (injected.code, injected.subject) in blocking:
                hit[injected.mistake] += 1
            if any(
                f.subject == injected.subject or finding_need(f) == injected.need for f in routed
            ):
                caught[injected.mistake] += 1
        blocking_all += len(blocking)
        blocking_true += len(blocking & expected)
        for code, _subject in blocking - expected:
            false_codes[code.value] += 1
        if not case.injected:
            clean += 1
            clean_blocked += bool(blocking)
            clean_routed += bool(routed)
            for f in routed:
                routed_codes[f"{f.code.value} ({f.severity.value})"] += 1

    injected_total = sum(total.values())
    recall = sum(hit.values()) / injected_total if injected_total else 0.0
    print(f"== {label}: {len(cases)} households, seed {args.seed}, "
          f"{args.mistake_rate:.0%} with 1-3 injected mistakes")  # fmt: skip
    print(f"   reader: kind unknown {reader.kind_unknown:.1%}, kind wrong {reader.kind_wrong:.1%}, "
          f"period missing {reader.period_missing:.1%}, amount unsure "
          f"{reader.amount_unsure:.1%} (applicant confirms {reader.confirms_unsure:.0%}), amount "
          f"misread {reader.amount_misread:.1%} (applicant corrects "
          f"{reader.corrects_misread:.0%})")  # fmt: skip
    print()
    print(f"{'injected mistake':<34}{'injected':>9}{'found':>8}{'recall':>11}{'caught':>11}")
    for mistake in MISTAKES:
        share = percent(hit[mistake], total[mistake])
        print(f"{mistake:<34}{total[mistake]:>9}{hit[mistake]:>8}{share:>11}"
              f"{percent(caught[mistake], total[mistake]):>11}")  # fmt: skip
    print(f"{'all injected blocking problems':<34}{injected_total:>9}{sum(hit.values()):>8}"
          f"{percent(sum(hit.values()), injected_total):>11}"
          f"{percent(sum(caught.values()), injected_total):>11}   target >= 99 %")  # fmt: skip
    print("   recall: found as a blocking finding with the injected code on the injected subject;")
    print("   caught: any blocking or review finding on the same document or answer (it goes to")
    print("   the informatör, who sees it).")
    print()
    print(f"precision of blocking findings: {blocking_true} of {blocking_all} point at an "
          f"injected problem = {percent(blocking_true, blocking_all).strip()}")  # fmt: skip
    if false_codes:
        print("   blocking findings without an injected problem: "
              + ", ".join(f"{code} {n}" for code, n in false_codes.most_common()))  # fmt: skip
    blocked_share = clean_blocked / clean if clean else 0.0
    print(f"clean applications with a blocking finding: {clean_blocked} of {clean} = "
          f"{percent(clean_blocked, clean).strip()}   target <= 2 %")  # fmt: skip
    print(f"clean applications routed to the informatör (blocking or review): {clean_routed} of "
          f"{clean} = {percent(clean_routed, clean).strip()}")  # fmt: skip
    if routed_codes:
        print("   why: " + ", ".join(f"{code} {n}" for code, n in routed_codes.most_common()))
    median, p95 = statistics.median(times), sorted(times)[int(0.95 * len(times))]
    base_median = statistics.median(baseline)
    print(f"time per application: median {median * 1e3:.3f} ms, p95 {p95 * 1e3:.3f} ms; "
          f"walking the flow's steps (baseline) {base_median * 1e3:.3f} ms; "
          f"ratio {median / base_median:.1f}x")  # fmt: skip
    met = recall >= 0.99 and blocked_share <= 0.02
    print("targets met" if met else "TARGETS NOT MET")
    print()
    return recall, blocked_share


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--mistake-rate", type=float, default=0.4,
                        help="share of applications that get 1-3 injected mistakes")  # fmt: skip
    args = parser.parse_args()
    exact = Reader(0, 0, 0, 0, 0, 1, 1)
    run("The rules on exact readings (what the rules themselves can do)", exact, args)
    run("With an imperfect reader and applicants who confirm some readings", Reader(), args)


if __name__ == "__main__":
    main()
