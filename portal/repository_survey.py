"""The survey's queries: invitations and their tokens, the household pause, answers and the
counts behind the dashboard.

Nothing here joins an answer to an invitation, a household or a person: answers are written
with the invitation's month, unit and version only, and the invitation is deleted in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import case, delete, func, text, tuple_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from intake.languages import SUPPORTED
from intake.models import (
    HouseholdMember,
    MemberRole,
    Notification,
    Person,
    SurveyAnswer,
    SurveyCount,
    SurveyInvitation,
    SurveyInvitationToken,
    SurveyPause,
    Unit,
)
from intake.survey.questions import QuestionSet, question_set
from intake.survey.results import ANSWERED, FREE_TEXT, INVITED, Count

log = logging.getLogger("portal.survey")
_COUNT_KEY = ("question_set_version", "month", "unit_id", "language", "item", "value")


# --- tokens and keys ---------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def household_key(secret: str, household_id: int) -> str:
    """A keyed hash of the household id: the pause table never holds the id itself."""
    message = f"survey-pause:{household_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


# --- the pause between invitations -------------------------------------------------------------


def paused_until(db: Session, key: str) -> str | None:
    return db.exec(select(SurveyPause.until_month).where(SurveyPause.household_key == key)).first()


def set_pause(db: Session, key: str, until_month: str) -> None:
    row = db.exec(select(SurveyPause).where(SurveyPause.household_key == key)).first()
    if row is None:
        row = SurveyPause(household_key=key, until_month=until_month)
    else:
        row.until_month = until_month
    db.add(row)


def delete_ended_pauses(db: Session, this_month: str) -> int:
    result = db.exec(delete(SurveyPause).where(col(SurveyPause.until_month) <= this_month))
    return int(result.rowcount or 0)


# --- invitations -------------------------------------------------------------------------------


def open_invitation(db: Session, household_id: int, now: dt.datetime) -> SurveyInvitation | None:
    return db.exec(
        select(SurveyInvitation)
        .where(SurveyInvitation.household_id == household_id)
        .where(col(SurveyInvitation.expires_at) > now)
        .order_by(col(SurveyInvitation.created_at).desc())
    ).first()


def add_token(db: Session, invitation: SurveyInvitation, channel: str, *, replace: bool) -> str:
    """A new one-time link for ``invitation``; with ``replace`` the channel's older links stop
    working (the portal makes a fresh one each time the applicant starts)."""
    assert invitation.id is not None
    if replace:
        db.exec(
            delete(SurveyInvitationToken)
            .where(col(SurveyInvitationToken.invitation_id) == invitation.id)
            .where(col(SurveyInvitationToken.channel) == channel)
        )
    token = new_token()
    db.add(
        SurveyInvitationToken(
            invitation_id=invitation.id, token_hash=token_hash(token), channel=channel
        )
    )
    db.flush()
    return token


def invitation_by_token(
    db: Session, token: str, now: dt.datetime
) -> tuple[SurveyInvitation, SurveyInvitationToken] | None:
    """The open invitation behind a link, or None (unknown, used or expired: the caller cannot
    and need not tell these apart)."""
    if not token or len(token) > 100:
        return None
    row = db.exec(
        select(SurveyInvitation, SurveyInvitationToken)
        .join(
            SurveyInvitationToken,
            col(SurveyInvitationToken.invitation_id) == SurveyInvitation.id,
        )
        .where(SurveyInvitationToken.token_hash == token_hash(token))
        .where(col(SurveyInvitation.expires_at) > now)
    ).first()
    return (row[0], row[1]) if row else None


def delete_invitation(db: Session, invitation_id: int) -> bool:
    """Delete an invitation and all its links; False when another request got there first."""
    db.exec(
        delete(SurveyInvitationToken).where(
            col(SurveyInvitationToken.invitation_id) == invitation_id
        )
    )
    result = db.exec(delete(SurveyInvitation).where(col(SurveyInvitation.id) == invitation_id))
    return int(result.rowcount or 0) == 1


def scrub_deleted(db: Session) -> bool:
    """After invitations or links were deleted and committed: on SQLite, copy the write-ahead
    log into the database file and empty it (``PRAGMA wal_checkpoint(TRUNCATE)``), so that the
    deleted rows' old pages are not left in the ``-wal`` file (the database file itself holds
    zeros in their place: ``PRAGMA secure_delete``, portal/db.py). False when readers kept the
    log from being emptied (the next delete, or ``portal survey expire``, tries again).

    PostgreSQL needs no step here: what links an answer to a person is in neither its rows nor
    its logs; the deleted rows wait for autovacuum as dead tuples (see docs/security.md)."""
    engine = db.get_bind()
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:  # type: ignore[union-attr]
        before = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        # Wait a moment for readers, not the 30 s a writer waits: this is tidying up.
        connection.exec_driver_sql("PRAGMA busy_timeout=2000")
        try:
            busy, _log, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(before or 30000)}")
    if busy:
        log.info("survey: the write-ahead log was busy; it is emptied at the next checkpoint")
    return not busy


def delete_expired(db: Session, now: dt.datetime) -> int:
    expired = select(SurveyInvitation.id).where(col(SurveyInvitation.expires_at) <= now)
    db.exec(
        delete(SurveyInvitationToken).where(col(SurveyInvitationToken.invitation_id).in_(expired))
    )
    result = db.exec(delete(SurveyInvitation).where(col(SurveyInvitation.expires_at) <= now))
    return int(result.rowcount or 0)


def due_for_reminder(
    db: Session, sent_before: dt.datetime, now: dt.datetime
) -> list[SurveyInvitation]:
    return list(
        db.exec(
            select(SurveyInvitation)
            .where(col(SurveyInvitation.reminded_at).is_(None))
            .where(col(SurveyInvitation.created_at) <= sent_before)
            .where(col(SurveyInvitation.expires_at) > now)
            .order_by(col(SurveyInvitation.id))
        ).all()
    )


def mark_reminded(db: Session, invitation: SurveyInvitation, now: dt.datetime) -> None:
    db.exec(
        update(SurveyInvitation)
        .where(col(SurveyInvitation.id) == invitation.id)
        .values(reminded_at=now)
    )


SURVEY_PURPOSES = ("survey_invitation", "survey_reminder")
_LINK = re.compile(r"/survey/t/[A-Za-z0-9_\-]+")


def redact_links(db: Session, *, sent: bool, created_before: dt.datetime | None = None) -> int:
    """Take the one-time links out of stored survey messages, so that the outbox does not keep
    a usable token: those that were sent, or (``created_before``) all old enough to be dead."""
    query = (
        select(Notification)
        .where(col(Notification.purpose).in_(SURVEY_PURPOSES))
        .where(col(Notification.body).contains("/survey/t/"))
    )
    if sent:
        query = query.where(col(Notification.sent_at).is_not(None))
    if created_before is not None:
        query = query.where(col(Notification.created_at) <= created_before)
    redacted = 0
    for notification in db.exec(query).all():
        notification.body = _LINK.sub("/survey/t/[sent]", notification.body)
        db.add(notification)
        redacted += 1
    return redacted


def applicant_of(db: Session, household_id: int) -> Person | None:
    """The household's applicant: the person the invitation is sent to."""
    return db.exec(
        select(Person)
        .join(HouseholdMember, col(HouseholdMember.person_id) == Person.id)
        .where(HouseholdMember.household_id == household_id)
        .where(HouseholdMember.role == MemberRole.applicant)
    ).first()


# --- answers and counts ------------------------------------------------------------------------


def _upsert_counts(db: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add ``count`` to each row's counter, creating it when missing (one statement, atomic on
    SQLite and PostgreSQL alike)."""
    if not rows:
        return
    table = SurveyCount.__table__  # type: ignore[attr-defined]
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = insert.on_conflict_do_update(
        index_elements=list(_COUNT_KEY),
        set_={"count": table.c["count"] + insert.excluded["count"]},
    )
    db.connection().execute(statement, list(rows))


def count_rows(questions: QuestionSet, answer: SurveyAnswer) -> list[dict[str, Any]]:
    """The counters one answer adds to."""
    base = {
        "question_set_version": answer.question_set_version,
        "month": answer.month,
        "unit_id": answer.unit_id,
        "language": answer.language,
    }
    rows = [{**base, "item": ANSWERED, "value": "", "count": 1}]
    if answer.free_text:
        rows.append({**base, "item": FREE_TEXT, "value": "", "count": 1})
    for code in questions.codes:
        value = answer.answers.get(code)
        if value:
            rows.append({**base, "item": code, "value": value, "count": 1})
    return rows


def group_keys(questions: QuestionSet, languages: Iterable[str] = ()) -> list[tuple[str, str, str]]:
    """Every (language, item, value) counter of a month and unit, in a fixed order: created all
    at once, so that neither their ids nor their order says which values were chosen first."""
    keys: list[tuple[str, str, str]] = [("", INVITED, "")]
    for language in sorted(set(SUPPORTED) | set(languages)):
        keys.append((language, ANSWERED, ""))
        keys.append((language, FREE_TEXT, ""))
        for question in questions.questions:
            keys.extend((language, question.code, value) for value in question.scale.values)
    return keys


def _ensure_group(
    db: Session, questions: QuestionSet, month: str, unit_id: int, languages: Iterable[str] = ()
) -> None:
    """Create the counters of a month and unit that are missing, with 0, in the fixed order."""
    table = SurveyCount.__table__  # type: ignore[attr-defined]
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    rows = [
        {
            "question_set_version": questions.version,
            "month": month,
            "unit_id": unit_id,
            "language": language,
            "item": item,
            "value": value,
            "count": 0,
        }
        for language, item, value in group_keys(questions, languages)
    ]
    db.connection().execute(insert.on_conflict_do_nothing(index_elements=list(_COUNT_KEY)), rows)


def _add_to_group(
    db: Session, version: str, month: str, unit_id: int, keys: Sequence[tuple[str, str, str]]
) -> None:
    """Add 1 to the counters ``keys`` of a month and unit in one UPDATE that rewrites every
    counter of the group: on PostgreSQL they then all carry the same transaction id (``xmin``),
    which would otherwise point at the values the latest respondent chose."""
    table = SurveyCount.__table__  # type: ignore[attr-defined]
    chosen = tuple_(table.c.language, table.c.item, table.c.value).in_(list(keys))
    db.connection().execute(
        update(table)
        .where(table.c.question_set_version == version)
        .where(table.c.month == month)
        .where(table.c.unit_id == unit_id)
        .values(count=table.c["count"] + case((chosen, 1), else_=0))
    )


def _lock_group(db: Session, version: str, month: str, unit_id: int | None) -> None:
    """PostgreSQL: one answer of a month and unit at a time (SQLite has one writer anyway)."""
    if db.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"survey-group:{version}:{month}:{unit_id}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    db.connection().execute(sa_select(func.pg_advisory_xact_lock(key)))


def _redeal(db: Session, version: str, month: str, unit_id: int | None) -> None:
    """PostgreSQL: store the answers of a month and unit again, in the order of their ids.

    A heap keeps rows in the order they were written (``ctid``) with the writing transaction
    (``xmin``): the order in which people answered, which the access log also shows. Written
    again in one statement, the group's physical order is that of its random ids and every row
    carries the same transaction. (SQLite's table has no rowid: it is kept in id order.)"""
    if db.get_bind().dialect.name != "postgresql":
        return
    db.connection().execute(
        text(
            "WITH moved AS (DELETE FROM survey_answer WHERE question_set_version = :version"
            " AND month = :month AND unit_id IS NOT DISTINCT FROM :unit RETURNING *)"
            " INSERT INTO survey_answer SELECT * FROM moved ORDER BY id"
        ),
        {"version": version, "month": month, "unit": unit_id},
    )


def _group_exists(db: Session, version: str, month: str, unit_id: int, language: str) -> bool:
    return (
        db.exec(
            select(SurveyCount.id)
            .where(SurveyCount.question_set_version == version)
            .where(SurveyCount.month == month)
            .where(SurveyCount.unit_id == unit_id)
            .where(SurveyCount.language == language)
            .where(SurveyCount.item == ANSWERED)
        ).first()
        is not None
    )


def add_answer(db: Session, questions: QuestionSet, answer: SurveyAnswer) -> None:
    """Store one answer and add it to its counters, leaving nothing that tells it apart from
    the month and unit's other answers by order, id or time (call it inside the transaction
    that deletes the invitation)."""
    _lock_group(db, answer.question_set_version, answer.month, answer.unit_id)
    db.add(answer)
    db.flush()
    db.expunge(answer)  # the row is written again by _redeal
    _redeal(db, answer.question_set_version, answer.month, answer.unit_id)
    if answer.unit_id is None:
        return
    version, month, unit = answer.question_set_version, answer.month, answer.unit_id
    if not _group_exists(db, version, month, unit, answer.language):
        _ensure_group(db, questions, month, unit, [answer.language])
    keys = [(row["language"], row["item"], row["value"]) for row in count_rows(questions, answer)]
    _add_to_group(db, version, month, unit, keys)


def add_answers(db: Session, questions: QuestionSet, answers: Sequence[SurveyAnswer]) -> None:
    """Many answers at once (seeding): one insert in the order of their random ids, and the
    counters added up first."""
    if not answers:
        return
    db.connection().execute(
        SurveyAnswer.__table__.insert(),  # type: ignore[attr-defined]
        [
            {
                "id": a.id,
                "question_set_version": a.question_set_version,
                "month": a.month,
                "unit_id": a.unit_id,
                "language": a.language,
                "channel": a.channel,
                "answers": a.answers,
                "free_text": a.free_text,
            }
            for a in sorted(answers, key=lambda a: a.id)
        ],
    )
    _add_counts(db, questions, answers)


def _add_counts(db: Session, questions: QuestionSet, answers: Iterable[SurveyAnswer]) -> int:
    totals: Counter[tuple[Any, ...]] = Counter()
    groups: dict[tuple[str, int], set[str]] = {}
    seen = 0
    for answer in answers:
        seen += 1
        if answer.unit_id is not None:
            groups.setdefault((answer.month, answer.unit_id), set()).add(answer.language)
        for row in count_rows(questions, answer):
            totals[tuple(row[key] for key in _COUNT_KEY)] += 1
    for (month, unit_id), languages in sorted(groups.items()):
        _ensure_group(db, questions, month, unit_id, languages)
    _upsert_counts(
        db, [{**dict(zip(_COUNT_KEY, key, strict=True)), "count": n} for key, n in totals.items()]
    )
    return seen


def count_invitation(db: Session, invitation: SurveyInvitation, number: int = 1) -> None:
    _ensure_group(
        db, question_set(invitation.question_set_version), invitation.month, invitation.unit_id
    )
    _upsert_counts(
        db,
        [
            {
                "question_set_version": invitation.question_set_version,
                "month": invitation.month,
                "unit_id": invitation.unit_id,
                "language": "",
                "item": INVITED,
                "value": "",
                "count": number,
            }
        ],
    )


def add_invitation_counts(db: Session, rows: Iterable[tuple[str, str, int, int]]) -> None:
    """Invitations counted without invitations (seeding): (version, month, unit id, number)."""
    _upsert_counts(
        db,
        [
            {
                "question_set_version": version,
                "month": month,
                "unit_id": unit_id,
                "language": "",
                "item": INVITED,
                "value": "",
                "count": number,
            }
            for version, month, unit_id, number in rows
        ],
    )


def recount(db: Session, questions: QuestionSet) -> int:
    """Rebuild the answer counters of one question-set version from ``survey_answer`` (the
    invitation counters cannot be rebuilt: invitations are deleted). Returns the answers seen."""
    version = questions.version
    db.exec(
        delete(SurveyCount)
        .where(col(SurveyCount.question_set_version) == version)
        .where(col(SurveyCount.item) != INVITED)
    )
    query = (
        select(SurveyAnswer)
        .where(SurveyAnswer.question_set_version == version)
        .execution_options(yield_per=2000)
    )
    return _add_counts(db, questions, db.exec(query))


def counts(db: Session, version: str, first: str, last: str) -> list[Count]:
    table = SurveyCount.__table__  # type: ignore[attr-defined]
    query = (
        sa_select(
            table.c.month,
            table.c.unit_id,
            table.c.language,
            table.c.item,
            table.c.value,
            table.c["count"],
        )
        .where(table.c.question_set_version == version)
        .where(table.c.month >= first)
        .where(table.c.month <= last)
        .where(table.c["count"] > 0)  # the counters made in advance, still at 0
    )
    return [Count(*row) for row in db.connection().execute(query)]


def versions_with_data(db: Session) -> list[str]:
    return list(db.exec(select(SurveyCount.question_set_version).distinct()).all())


def months_with_data(db: Session, version: str) -> list[str]:
    return sorted(
        db.exec(
            select(SurveyCount.month).where(SurveyCount.question_set_version == version).distinct()
        ).all()
    )


def free_texts(db: Session, version: str, first: str, last: str, limit: int) -> list[str]:
    """The (already masked) comments of a period, newest months first, at most ``limit``.
    Within a month they are sorted by their text, never by id (the order of answering)."""
    rows = db.exec(
        select(SurveyAnswer.month, SurveyAnswer.free_text)
        .where(SurveyAnswer.question_set_version == version)
        .where(col(SurveyAnswer.month) >= first)
        .where(col(SurveyAnswer.month) <= last)
        .where(col(SurveyAnswer.free_text).is_not(None))
        .order_by(col(SurveyAnswer.month).desc())
        .limit(limit)
    ).all()
    ordered = sorted(rows, key=lambda row: (-_month_number(row[0]), row[1] or ""))
    return [text for _month, text in ordered if text]


def _month_number(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number)


def unit_names(db: Session) -> dict[int, str]:
    return {
        unit.id: unit.name
        for unit in db.exec(select(Unit).order_by(col(Unit.name))).all()
        if unit.id
    }
