"""Queries for egenkontroll: samples of decided applications, reviewers and checklists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from intake.models import (
    Application,
    ApplicationStatus,
    Decision,
    Household,
    ReviewItem,
    ReviewSample,
    Unit,
    utcnow,
)
from intake.officer import sample as sampling
from portal import protection


def population(db: Session, unit_id: int, month: str) -> list[int]:
    """The decided applications of the unit for ``month`` (the month applied for)."""
    return [
        application_id or 0
        for application_id in db.exec(
            select(col(Application.id))
            .join(Household, col(Household.id) == Application.household_id)
            .where(Household.unit_id == unit_id)
            .where(Application.month == month)
            .where(col(Application.status) == ApplicationStatus.decided)
            .where(protection.household_unprotected())
            .order_by(col(Application.id))
        ).all()
    ]


def draw_sample(
    db: Session, unit_id: int, month: str, size: int, seed: str, staff_id: int
) -> ReviewSample:
    ids = population(db, unit_id, month)
    chosen = sampling.draw(ids, size, seed)
    sample = ReviewSample(
        unit_id=unit_id,
        month=month,
        seed=seed,
        size=size,
        population=len(ids),
        drawn_by=staff_id,
    )
    db.add(sample)
    db.flush()
    for application_id in chosen:
        db.add(ReviewItem(sample_id=sample.id or 0, application_id=application_id))
    db.commit()
    db.refresh(sample)
    return sample


@dataclass
class SampleRow:
    sample: ReviewSample
    unit_name: str
    items: int
    reviewed: int


def samples_in(db: Session, unit_ids: Sequence[int]) -> list[SampleRow]:
    if not unit_ids:
        return []
    samples = db.exec(
        select(ReviewSample, Unit.name)
        .join(Unit, col(Unit.id) == ReviewSample.unit_id)
        .where(col(ReviewSample.unit_id).in_(unit_ids))
        .order_by(col(ReviewSample.month).desc(), col(ReviewSample.id).desc())
    ).all()
    counts: dict[int, tuple[int, int]] = {}
    ids = [sample.id for sample, _name in samples]
    if ids:
        for sample_id, total, reviewed in db.exec(
            select(
                ReviewItem.sample_id,
                func.count(),
                func.count(col(ReviewItem.reviewed_at)),
            )
            .where(col(ReviewItem.sample_id).in_(ids))
            .where(col(ReviewItem.application_id).notin_(protected_applications()))
            .group_by(col(ReviewItem.sample_id))
        ).all():
            counts[sample_id] = (int(total), int(reviewed))
    return [
        SampleRow(sample, name, *counts.get(sample.id or 0, (0, 0))) for sample, name in samples
    ]


@dataclass
class ItemRow:
    item: ReviewItem
    application: Application
    decided_by: int | None


def items_of(db: Session, sample_id: int) -> list[ItemRow]:
    rows = db.exec(
        select(ReviewItem, Application, Decision.decided_by)
        .join(Application, col(Application.id) == ReviewItem.application_id)
        .join(Decision, col(Decision.application_id) == Application.id, isouter=True)
        .where(ReviewItem.sample_id == sample_id)
        .where(protection.application_unprotected())
        .order_by(col(ReviewItem.id))
    ).all()
    return [ItemRow(item, application, decided_by) for item, application, decided_by in rows]


def item_with_sample(db: Session, item_id: int) -> tuple[ReviewItem, ReviewSample] | None:
    """The review item with its sample; the caller checks the staff member's scope first, then
    :func:`portal.protection.check_application`."""
    row = db.exec(
        select(ReviewItem, ReviewSample)
        .join(ReviewSample, col(ReviewSample.id) == ReviewItem.sample_id)
        .where(ReviewItem.id == item_id)
    ).first()
    return (row[0], row[1]) if row else None


def protected_applications() -> Any:
    """A subquery: applications of households with protected identity."""
    return select(Application.id).where(protection.application_protected())


def assign_reviewers(db: Session, sample_id: int, reviewers: Mapping[int, int | None]) -> None:
    for row in db.exec(select(ReviewItem).where(ReviewItem.sample_id == sample_id)).all():
        if row.id in reviewers:
            row.reviewer_id = reviewers[row.id or 0]
            db.add(row)
    db.commit()


def items_for_reviewer(db: Session, staff_id: int) -> list[ItemRow]:
    rows = db.exec(
        select(ReviewItem, Application, Decision.decided_by)
        .join(Application, col(Application.id) == ReviewItem.application_id)
        .join(Decision, col(Decision.application_id) == Application.id, isouter=True)
        .where(ReviewItem.reviewer_id == staff_id)
        .where(protection.application_unprotected())
        .order_by(col(ReviewItem.reviewed_at).is_not(None), col(ReviewItem.id))
    ).all()
    return [ItemRow(item, application, decided_by) for item, application, decided_by in rows]


def save_review(db: Session, item: ReviewItem, answers: Mapping[str, str], comment: str) -> None:
    for name in sampling.CHECKLIST:
        setattr(item, name, answers[name])
    item.comment = comment or None
    item.reviewed_at = utcnow()
    db.add(item)
    db.commit()


@dataclass
class MonthSummary:
    unit_name: str
    month: str
    summary: sampling.Summary


def monthly_summaries(db: Session, unit_ids: Sequence[int]) -> list[MonthSummary]:
    """Per unit and month: how many were sampled and reviewed, and the checklist's answers."""
    if not unit_ids:
        return []
    rows = db.exec(
        select(ReviewSample.unit_id, Unit.name, ReviewSample.month, ReviewItem)
        .join(ReviewItem, col(ReviewItem.sample_id) == ReviewSample.id)
        .join(Unit, col(Unit.id) == ReviewSample.unit_id)
        .join(Application, col(Application.id) == ReviewItem.application_id)
        .where(col(ReviewSample.unit_id).in_(unit_ids))
        .where(protection.application_unprotected())
    ).all()
    grouped: dict[tuple[str, str], list[dict[str, str | None]]] = {}
    for _unit_id, name, month, item in rows:
        grouped.setdefault((month, name), []).append(
            {key: getattr(item, key) for key in sampling.CHECKLIST}
        )
    return [
        MonthSummary(name, month, sampling.summarise(items))
        for (month, name), items in sorted(grouped.items(), reverse=True)
    ]
