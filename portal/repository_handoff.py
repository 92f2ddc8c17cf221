"""Queries for the hand-off to the case system: API tokens (stored hashed), the applications the
API lists, and the receipts the case system posts."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from intake.models import (
    ApiToken,
    Application,
    ApplicationStatus,
    Decision,
    HandoffReceipt,
    Household,
    utcnow,
)
from portal import protection
from portal.repository import application_with_household

# Ekonomiskt bistånd portal: recognisable in logs and by secret scanners; not a secret.
TOKEN_PREFIX = "ebp_"  # noqa: S105
# The statuses the API hands over: sent applications (drafts are the applicant's alone).
API_STATUSES = (
    ApplicationStatus.submitted.value,
    ApplicationStatus.needs_completion.value,
    ApplicationStatus.complete.value,
    ApplicationStatus.decided.value,
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(db: Session, name: str, created_by: str) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and only its hash is stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name[:100],
        prefix=secret[: len(TOKEN_PREFIX) + 8],
        token_hash=hash_token(secret),
        created_by=created_by[:100],
    )
    db.add(row)
    db.commit()
    db.refresh(row)
    return row, secret


def tokens(db: Session) -> list[ApiToken]:
    return list(db.exec(select(ApiToken).order_by(col(ApiToken.id))).all())


def find_token(db: Session, key: str) -> ApiToken | None:
    """A token by id or by its shown prefix."""
    if key.isdigit():
        return db.get(ApiToken, int(key))
    return db.exec(select(ApiToken).where(ApiToken.prefix == key)).first()


def revoke(db: Session, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.add(token)
        db.commit()


def authenticate(db: Session, secret: str) -> ApiToken | None:
    """The active token with this secret, or None. Its last use is noted (once a minute)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    row = db.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).first()
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    last = row.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    if last is None or now - last > dt.timedelta(minutes=1):
        row.last_used_at = now
        db.add(row)
        db.commit()
    return row


@dataclass(frozen=True)
class Listed:
    application: Application
    unit_id: int
    decided_at: dt.datetime | None
    received_at: dt.datetime | None


def list_applications(
    db: Session,
    statuses: Sequence[str],
    *,
    received: bool | None,
    after_id: int,
    limit: int,
) -> list[Listed]:
    """Sent applications by id, for households without protected identity (fail closed: their
    data never leaves through automation)."""
    query = (
        select(Application, Household.unit_id, Decision.decided_at, HandoffReceipt.received_at)
        .join(Household, col(Household.id) == Application.household_id)
        .join(Decision, col(Decision.application_id) == Application.id, isouter=True)
        .join(HandoffReceipt, col(HandoffReceipt.application_id) == Application.id, isouter=True)
        .where(col(Application.status).in_(list(statuses)))
        .where(protection.household_unprotected())
        .where(col(Application.id) > after_id)
    )
    if received is True:
        query = query.where(col(HandoffReceipt.id).is_not(None))
    elif received is False:
        query = query.where(col(HandoffReceipt.id).is_(None))
    rows = db.exec(query.order_by(col(Application.id)).limit(limit)).all()
    return [Listed(app, unit, decided, got) for app, unit, decided, got in rows]


def handed_over(db: Session, application_id: int) -> tuple[Application, Household] | None:
    """An application the API may hand over (sent, no protected identity)."""
    row = application_with_household(db, application_id)
    if row is None:
        return None
    application, household = row
    if application.status not in API_STATUSES or protection.is_protected(db, household.id):
        return None
    return application, household


def mark_received(
    db: Session,
    application: Application,
    token: ApiToken,
    *,
    case_system: str | None,
    case_reference: str | None,
    document_version: str,
) -> tuple[HandoffReceipt, bool]:
    """Record the receipt once; a repeated call returns the first (filling in a reference that
    was missing). The flag says whether it was new."""
    existing = db.exec(
        select(HandoffReceipt).where(HandoffReceipt.application_id == application.id)
    ).first()
    if existing is not None:
        changed = False
        if case_reference and not existing.case_reference:
            existing.case_reference = case_reference
            changed = True
        if case_system and not existing.case_system:
            existing.case_system = case_system
            changed = True
        if changed:
            db.add(existing)
            db.commit()
            db.refresh(existing)
        return existing, False
    receipt = HandoffReceipt(
        application_id=application.id or 0,
        token_id=token.id or 0,
        case_system=case_system,
        case_reference=case_reference,
        document_version=document_version,
    )
    db.add(receipt)
    try:
        db.commit()
    except IntegrityError:  # another request recorded it first
        db.rollback()
        return mark_received(
            db,
            application,
            token,
            case_system=case_system,
            case_reference=case_reference,
            document_version=document_version,
        )
    db.refresh(receipt)
    return receipt, True
