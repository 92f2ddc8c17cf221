"""Made-up survey answers for the demo and the benchmark (``portal survey seed``).

Answers are drawn with a per-respondent mood, a quality level per unit and a slow trend, so that
the dashboard shows realistic differences, a few small groups (which it must hide) and comments
in several languages, some with phone numbers or e-mail addresses that screening masks.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

from sqlmodel import Session, col, func, select

from intake.languages import SUPPORTED
from intake.models import SurveyAnswer, Unit, utcnow
from intake.survey.invitations import add_months, months_between
from intake.survey.questions import DONT_KNOW, QuestionSet, question_set
from intake.survey.screening import screen
from portal import repository_survey as repo
from portal.survey_invitations import this_month
from portal.survey_settings import get_survey_settings

LANGUAGE_WEIGHTS = {"sv": 45, "ar": 15, "so": 8, "fa": 8, "ti": 6, "uk": 7, "fi": 4, "en": 7}
CHANNEL_WEIGHTS = {"email": 50, "sms": 30, "portal": 20}
BASE_POSITIVE = {
    "contact": 0.70,
    "information": 0.80,
    "views_asked": 0.66,
    "understanding": 0.86,
    "influence": 0.64,
    "change": 0.55,
    "overall": 0.84,
}
COMMENTS = {
    "sv": (
        "Min handläggare lyssnade på mig och förklarade beslutet tydligt.",
        "Det är svårt att komma fram på telefon. Ring mig gärna på 070-123 45 67.",
        "Jag förstår inte alltid breven. Kan ni skriva enklare?",
        "Bra bemötande, tack!",
        "Det tog för lång tid innan jag fick mitt beslut.",
        "Svara gärna på min mejl: kalle.exempel@example.org",
        "Jag fick byta handläggare tre gånger i år, det var jobbigt.",
    ),
    "en": ("The online form was easy to use on my phone.", "Nobody called me back."),
    "ar": ("الموظفة كانت لطيفة وساعدتني كثيراً.", "أتمنى أن تكون الرسائل باللغة العربية."),
    "so": ("Waan ku faraxsanahay caawimaadda.", "Warqadaha way adag yihiin in la fahmo."),
    "fa": ("لطفا نامه‌ها را به زبان فارسی هم بفرستید.", "از برخورد خوب شما ممنونم."),
    "ti": ("ብጣዕሚ የቐንየልና።",),
    "uk": ("Дякую за допомогу, все було зрозуміло.", "Довго чекала на рішення."),
    "fi": ("Sain apua nopeasti.", "Puhelimeen vastattiin hitaasti."),
}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _answer_one(rng: random.Random, questions: QuestionSet, level: float) -> dict[str, str]:
    mood = rng.gauss(0.0, 0.12)
    answers: dict[str, str] = {}
    for question in questions.questions:
        if rng.random() < 0.02:
            continue  # skipped
        if rng.random() < 0.06:
            answers[question.code] = DONT_KNOW
            continue
        p = min(0.98, max(0.05, BASE_POSITIVE.get(question.code, 0.75) + level + mood))
        steps = question.scale.steps
        positive = [s for s in steps if s in question.scale.positive]
        negative = [s for s in steps if s not in question.scale.positive]
        if rng.random() < p:
            answers[question.code] = positive[0] if rng.random() < 0.45 else positive[-1]
        else:
            answers[question.code] = negative[0] if rng.random() < 0.65 else negative[-1]
    return answers


def seed(
    db: Session,
    questions: QuestionSet,
    *,
    answers: int,
    last_month: str,
    months: int,
    units: Sequence[int],
    seed: int = 7,
    comment_share: float = 0.08,
) -> dict[str, int]:
    """Add ``answers`` answers spread over ``months`` months up to ``last_month`` and the
    invitations behind them (a response rate around 60 %). Returns what was added."""
    if not units:
        raise ValueError("no units: run `portal seed-demo` or add units first")
    rng = random.Random(seed)
    period = months_between(add_months(last_month, 1 - months), last_month)
    unit_level = {unit: rng.uniform(-0.08, 0.06) for unit in units}
    # With three units or more the first is small, so that some of its groups get hidden.
    unit_weights = (
        [1.0 if index else 0.15 for index, _ in enumerate(units)]
        if len(units) > 2
        else [1.0] * len(units)
    )
    batch: list[SurveyAnswer] = []
    per_cell: Counter[tuple[str, int]] = Counter()
    comments = 0
    for _ in range(answers):
        month_index = min(len(period) - 1, int(rng.triangular(0, len(period), len(period))))
        month = period[month_index]
        unit = rng.choices(list(units), weights=unit_weights)[0]
        language = _pick(rng, LANGUAGE_WEIGHTS)
        trend = 0.06 * (month_index / max(1, len(period) - 1)) - 0.03  # slowly better
        text = None
        if questions.free_text and rng.random() < comment_share:
            text = screen(rng.choice(COMMENTS.get(language) or COMMENTS["sv"]))
            comments += 1
        batch.append(
            SurveyAnswer(
                question_set_version=questions.version,
                month=month,
                unit_id=unit,
                language=language if language in SUPPORTED else "sv",
                channel=_pick(rng, CHANNEL_WEIGHTS),
                answers=_answer_one(rng, questions, unit_level[unit] + trend),
                free_text=text,
            )
        )
        per_cell[(month, unit)] += 1
        if len(batch) >= 5000:
            repo.add_answers(db, questions, batch)
            batch = []
    repo.add_answers(db, questions, batch)
    repo.add_invitation_counts(
        db,
        [
            (questions.version, month, unit, max(count, round(count / rng.uniform(0.5, 0.7))))
            for (month, unit), count in sorted(per_cell.items())
        ],
    )
    db.commit()
    return {"answers": answers, "comments": comments, "invitations": sum(per_cell.values())}


def seed_demo_answers(db: Session, answers: int = 400, months: int = 24) -> int:
    """Made-up answers for ``portal seed-demo``: added only when the configured question set
    has none yet (idempotent). Returns how many were added."""
    questions = question_set(get_survey_settings().question_set)
    existing = db.exec(
        select(func.count())
        .select_from(SurveyAnswer)
        .where(SurveyAnswer.question_set_version == questions.version)
    ).one()
    units = [unit for unit in db.exec(select(Unit.id).order_by(col(Unit.id))).all() if unit]
    if existing or not units:
        return 0
    seed(
        db,
        questions,
        answers=answers,
        last_month=this_month(utcnow()),
        months=months,
        units=units,
    )
    return answers
