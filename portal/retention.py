"""Retention (gallring): what the portal deletes, when, and the record that it did.

The rules (``PORTAL_RETENTION_*``, days; 0 keeps for ever):

- **drafts** never sent and untouched (no answer, no upload) for ``draft_days``: the application
  with everything that belongs to it and its files;
- **applications the case system has received** (a hand-off receipt), ``handed_off_days`` after
  the receipt: the portal's copy, with everything that belongs to it and its files;
- **uploaded files** of handed-off applications, ``upload_days`` after the receipt: the files and
  what was rendered from them (the rows stay, with name, size and SHA-256, until the application
  goes);
- **survey links** (invitations and their tokens) ``survey_token_days`` after they expired;
- always: files in the upload folder that no row names (an upload cut off by a crash) once a
  day old, expired sessions, finished e-ID orders older than a day, run-out rate-limit counters.

Every application and every batch of files deleted gets an ``audit_event`` (actor ``system``),
and each run one ``purge_run`` event with its counts (with ``--dry-run`` nothing is deleted and
only that event is written, saying ``dry_run``). Rows that point to an application are found
from the schema itself, so a table added later is deleted with its application too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from intake.models import (
    Application,
    ApplicationStatus,
    Attachment,
    AuditEvent,
    EidOrder,
    HandoffReceipt,
    RateLimit,
    SurveyInvitation,
    WebSession,
    utcnow,
)
from portal.repository_survey import scrub_deleted
from portal.settings import Settings

log = logging.getLogger("portal.retention")

DERIVED = ("previews", "reencoded")  # folders of pictures rendered from uploads, by SHA-256
ORPHAN_AGE = dt.timedelta(days=1)
EID_ORDER_AGE = dt.timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    draft_days: int
    handed_off_days: int
    upload_days: int
    survey_token_days: int
    session_idle_minutes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            settings.retention_draft_days,
            settings.retention_handed_off_days,
            settings.retention_upload_days,
            settings.retention_survey_token_days,
            settings.session_idle_minutes,
        )


@dataclass
class Report:
    drafts: list[int] = field(default_factory=list)
    handed_off: list[int] = field(default_factory=list)
    files: int = 0  # uploaded files deleted (with drafts, handed-off applications or by age)
    orphans: int = 0
    survey_invitations: int = 0
    sessions: int = 0
    eid_orders: int = 0
    rate_limits: int = 0
    dry_run: bool = False

    def counts(self) -> dict[str, Any]:
        data = asdict(self)
        data["drafts"] = len(self.drafts)
        data["handed_off"] = len(self.handed_off)
        return data


def purge(
    db: Session,
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    policy: Policy | None = None,
    dry_run: bool = False,
) -> Report:
    """Apply every rule once; what was (or, with ``dry_run``, would be) deleted."""
    now = now or utcnow()
    policy = policy or Policy.from_settings(settings)
    uploads = settings.uploads
    report = Report(dry_run=dry_run)

    if policy.draft_days:
        report.drafts = stale_drafts(db, now - dt.timedelta(days=policy.draft_days))
        report.files += _delete_applications(db, uploads, report.drafts, "draft", dry_run)
    if policy.handed_off_days:
        report.handed_off = handed_off_before(db, now - dt.timedelta(days=policy.handed_off_days))
        report.files += _delete_applications(db, uploads, report.handed_off, "handed_off", dry_run)
    if policy.upload_days:
        gone = set(report.drafts) | set(report.handed_off)  # counted above (dry run)
        report.files += _delete_handed_off_files(
            db, uploads, now - dt.timedelta(days=policy.upload_days), dry_run, gone
        )
    report.survey_invitations = _purge_survey_links(
        db, now - dt.timedelta(days=policy.survey_token_days), dry_run
    )
    report.sessions = _delete_where(
        db,
        WebSession,
        col(WebSession.last_seen_at) < now - dt.timedelta(minutes=policy.session_idle_minutes),
        dry_run,
    )
    report.eid_orders = _delete_where(
        db, EidOrder, col(EidOrder.started_at) < now - EID_ORDER_AGE, dry_run
    )
    report.rate_limits = _delete_where(db, RateLimit, col(RateLimit.expires_at) <= now, dry_run)
    db.commit()
    report.orphans = _delete_orphans(db, uploads, now, dry_run)
    _audit(db, "purge_run", None, None, {**report.counts(), "policy": asdict(policy)})
    db.commit()
    if report.survey_invitations and not dry_run:
        scrub_deleted(db)  # SQLite: no copy of the deleted links left in the write-ahead log
    log.info("purge%s: %s", " (dry run)" if dry_run else "", report.counts())
    return report


# --- which applications ----------------------------------------------------------------------


def stale_drafts(db: Session, cutoff: dt.datetime) -> list[int]:
    """Drafts with no change (answer or upload) since ``cutoff``."""
    latest_upload = (
        select(Attachment.application_id, func.max(Attachment.received_at).label("at"))
        .group_by(col(Attachment.application_id))
        .subquery()
    )
    rows = db.exec(
        select(Application.id)
        .join(latest_upload, latest_upload.c.application_id == Application.id, isouter=True)
        .where(Application.status == ApplicationStatus.draft)
        .where(col(Application.updated_at) < cutoff)
        .where((latest_upload.c.at.is_(None)) | (latest_upload.c.at < cutoff))
        .order_by(col(Application.id))
    ).all()
    return [row for row in rows if row is not None]


def handed_off_before(db: Session, cutoff: dt.datetime) -> list[int]:
    rows = db.exec(
        select(HandoffReceipt.application_id)
        .where(col(HandoffReceipt.received_at) < cutoff)
        .order_by(col(HandoffReceipt.application_id))
    ).all()
    return list(rows)


# --- deleting --------------------------------------------------------------------------------


def _delete_applications(
    db: Session, uploads: Path, ids: list[int], rule: str, dry_run: bool
) -> int:
    """Delete each application with every row that points to it, then its files."""
    files = 0
    for application_id in ids:
        attachments = db.exec(
            select(Attachment).where(Attachment.application_id == application_id)
        ).all()
        paths = [a.storage_path for a in attachments if a.removed_at is None]
        sums = {a.sha256 for a in attachments}
        if dry_run:
            files += sum(1 for path in paths if (uploads / path).is_file())
            continue
        delete_rows(db, _table(Application), col(Application.id) == application_id)
        detail = {"rule": rule, "attachments": len(attachments)}
        _audit(db, "purge_application", "application", application_id, detail)
        db.commit()  # the rows go first: a file left by a crash here is an orphan, swept later
        files += _unlink_all(uploads, paths)
        _drop_derived(db, uploads, sums)
    return files


def delete_rows(db: Session, table: Table, condition: ColumnElement[bool]) -> int:
    """Delete the rows of ``table`` matching ``condition`` and, first, every row of any table
    whose foreign key points to them (a row of the same table only loses its pointer)."""
    for child in SQLModel.metadata.sorted_tables:
        for key in child.foreign_keys:
            if key.column.table is not table:
                continue
            targets = sa_select(key.column).where(condition)
            if child is table:
                db.execute(update(child).where(key.parent.in_(targets)).values({key.parent: None}))
            else:
                delete_rows(db, child, key.parent.in_(targets))
    result = db.execute(delete(table).where(condition))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _delete_handed_off_files(
    db: Session, uploads: Path, cutoff: dt.datetime, dry_run: bool, gone: set[int]
) -> int:
    rows = db.exec(
        select(Attachment)
        .join(HandoffReceipt, col(HandoffReceipt.application_id) == Attachment.application_id)
        .where(col(HandoffReceipt.received_at) < cutoff)
        .where(col(Attachment.removed_at).is_(None))
        .order_by(col(Attachment.application_id), col(Attachment.id))
    ).all()
    present: dict[int, list[Attachment]] = {}
    for attachment in rows:
        if attachment.application_id in gone:
            continue
        if (uploads / attachment.storage_path).is_file():
            present.setdefault(attachment.application_id, []).append(attachment)
    deleted = 0
    for application_id, attachments in present.items():
        if dry_run:
            deleted += len(attachments)
            continue
        detail = {"rule": "uploads", "attachments": [a.id for a in attachments]}
        _audit(db, "purge_files", "application", application_id, detail)
        db.commit()
        deleted += _unlink_all(uploads, [a.storage_path for a in attachments])
        _drop_derived(db, uploads, {a.sha256 for a in attachments})
    return deleted


def _purge_survey_links(db: Session, cutoff: dt.datetime, dry_run: bool) -> int:
    expired = select(SurveyInvitation.id).where(col(SurveyInvitation.expires_at) <= cutoff)
    if dry_run:
        return len(db.exec(expired).all())
    count = delete_rows(db, _table(SurveyInvitation), col(SurveyInvitation.expires_at) <= cutoff)
    if count:
        _audit(db, "purge_survey_links", None, None, {"invitations": count})
    return count


def _delete_where(
    db: Session, model: type[SQLModel], condition: ColumnElement[bool], dry_run: bool
) -> int:
    table = _table(model)
    if dry_run:
        counted = db.execute(sa_select(func.count()).select_from(table).where(condition))
        return int(counted.scalar() or 0)
    return delete_rows(db, table, condition)


def _delete_orphans(db: Session, uploads: Path, now: dt.datetime, dry_run: bool) -> int:
    """Files no attachment row names, older than a day: an upload cut off between the file
    and its row, or a half-written ``.part``."""
    if not uploads.is_dir():
        return 0
    known = set(db.exec(select(Attachment.storage_path)).all())
    old = now.timestamp() - ORPHAN_AGE.total_seconds()
    removed = 0
    names: list[str] = []
    for path in sorted(uploads.rglob("*")):
        relative = path.relative_to(uploads)
        if not path.is_file() or relative.parts[0] in DERIVED:
            continue
        if str(relative) in known or path.stat().st_mtime > old:
            continue
        names.append(str(relative))
        if not dry_run:
            path.unlink(missing_ok=True)
        removed += 1
    if removed and not dry_run:
        _audit(db, "purge_orphan_files", None, None, {"files": removed})
        db.commit()
        log.info("orphan files%s: %s", " (dry run)" if dry_run else "", names)
    return removed


def _unlink_all(uploads: Path, paths: list[str]) -> int:
    removed = 0
    for relative in paths:
        path = uploads / relative
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed += 1
    return removed


def _drop_derived(db: Session, uploads: Path, sums: set[str]) -> None:
    """Rendered pictures of files no longer kept (unless another attachment has the same
    content and still has its file)."""
    for sha256 in sums:
        still = db.exec(
            select(Attachment.storage_path)
            .where(Attachment.sha256 == sha256)
            .where(col(Attachment.removed_at).is_(None))
        ).all()
        if any((uploads / path).is_file() for path in still):
            continue
        for folder in DERIVED:
            for path in (uploads / folder).glob(f"{sha256}*"):
                path.unlink(missing_ok=True)


def _audit(
    db: Session,
    action: str,
    object_type: str | None,
    object_id: int | None,
    detail: dict[str, Any],
) -> None:
    db.add(
        AuditEvent(
            actor_kind="system",
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
    )


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined]
