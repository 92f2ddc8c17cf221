"""Searching the audit log (administrators). The log is append-only: the database refuses to
change or delete an event (migration 0007)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from intake.models import ApiToken, AuditEvent, StaffUser

ACTOR_KINDS = ("staff", "applicant", "api", "system")


@dataclass(frozen=True)
class AuditFilter:
    actor_kind: str = ""
    username: str = ""
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive
    page: int = 1


@dataclass
class AuditRow:
    event: AuditEvent
    actor: str
    role: str


def search(db: Session, chosen: AuditFilter, page_size: int = 100) -> tuple[list[AuditRow], int]:
    """Events matching the filter, newest first, and how many there are."""
    query = select(AuditEvent)
    counting = select(func.count()).select_from(AuditEvent)
    conditions = []
    if chosen.actor_kind in ACTOR_KINDS:
        conditions.append(col(AuditEvent.actor_kind) == chosen.actor_kind)
    if chosen.username:
        user = db.exec(select(StaffUser).where(StaffUser.username == chosen.username)).first()
        conditions.append(col(AuditEvent.actor_kind) == "staff")
        conditions.append(col(AuditEvent.actor_id) == (user.id if user else -1))
    if chosen.action:
        conditions.append(col(AuditEvent.action).startswith(chosen.action, autoescape=True))
    if chosen.object_type:
        conditions.append(col(AuditEvent.object_type) == chosen.object_type)
    if chosen.object_id is not None:
        conditions.append(col(AuditEvent.object_id) == chosen.object_id)
    if chosen.since:
        start = dt.datetime.combine(chosen.since, dt.time(), dt.UTC)
        conditions.append(col(AuditEvent.at) >= start)
    if chosen.until:
        end = dt.datetime.combine(chosen.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        conditions.append(col(AuditEvent.at) < end)
    total = int(db.exec(counting.where(*conditions)).one())
    events = db.exec(
        query.where(*conditions)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .offset((max(chosen.page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    staff_ids = {e.actor_id for e in events if e.actor_kind == "staff" and e.actor_id}
    token_ids = {e.actor_id for e in events if e.actor_kind == "api" and e.actor_id}
    staff = {
        u.id: f"{u.display_name} ({u.username})"
        for u in db.exec(select(StaffUser).where(col(StaffUser.id).in_(staff_ids))).all()
    }
    tokens = {
        t.id: f"{t.name} ({t.prefix}…)"
        for t in db.exec(select(ApiToken).where(col(ApiToken.id).in_(token_ids))).all()
    }
    rows = []
    for event in events:
        if event.actor_kind == "staff":
            actor = staff.get(event.actor_id, f"#{event.actor_id}")
        elif event.actor_kind == "api":
            actor = tokens.get(event.actor_id, f"#{event.actor_id}")
        else:
            actor = f"#{event.actor_id}" if event.actor_id else ""
        role = str((event.detail or {}).get("role", "")) if isinstance(event.detail, dict) else ""
        rows.append(AuditRow(event, actor, role))
    return rows, total
