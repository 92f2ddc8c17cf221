"""Retention (gallring): each rule deletes what it should and nothing else, every deletion is in
the audit log, a dry run deletes nothing; on a database of its own (SQLite, and PostgreSQL in
that run)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from intake.models import (
    Answer,
    Application,
    Attachment,
    AuditEvent,
    Decision,
    DecisionObstacle,
    Finding,
    HandoffReceipt,
    Message,
    Signature,
    SurveyInvitation,
    SurveyInvitationToken,
)
from portal.db import make_engine
from portal.retention import Policy, purge
from portal.settings import Settings
from tests.security_support import World, add_application, make_world, own_settings

pytestmark = pytest.mark.db

NOW = dt.datetime(2030, 6, 15, 3, 0, tzinfo=dt.UTC)
POLICY = Policy(
    draft_days=60,
    handed_off_days=90,
    upload_days=30,
    survey_token_days=0,
    session_idle_minutes=30,
)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.fixture
def world(empty_database_url: str, tmp_path: Path) -> Iterator[tuple[World, Settings]]:
    settings = own_settings(tmp_path, empty_database_url)
    engine = make_engine(empty_database_url)
    yield make_world(engine, settings.uploads), settings
    engine.dispose()


def _ids(engine: Engine, model: type, application_id: int) -> int:
    with Session(engine) as db:
        return len(db.exec(select(model).where(model.application_id == application_id)).all())


def _exists(engine: Engine, application_id: int) -> bool:
    with Session(engine) as db:
        return db.get(Application, application_id) is not None


def _files(uploads: Path) -> set[str]:
    return {str(p.relative_to(uploads)) for p in uploads.rglob("*") if p.is_file()}


def _invitation(engine: Engine, world: World, expires: dt.datetime) -> int:
    with Session(engine) as db:
        invitation = SurveyInvitation(
            household_id=world.household_id,
            question_set_version="skr-eb-2016",
            month="2030-05",
            unit_id=world.unit_id,
            language="sv",
            expires_at=expires,
        )
        db.add(invitation)
        db.flush()
        db.add(
            SurveyInvitationToken(
                invitation_id=invitation.id or 0, token_hash=os.urandom(32).hex(), channel="sms"
            )
        )
        db.commit()
        return invitation.id or 0


def test_each_rule_deletes_what_it_says_and_logs_it(world: tuple[World, Settings]) -> None:
    w, settings = world
    engine = w.engine
    stale = add_application(w, "2030-01", "draft", days_ago(61), files=(b"%PDF stale",))
    busy = add_application(  # old answers, but a document uploaded yesterday
        w, "2030-02", "draft", days_ago(61), files=(b"%PDF busy",), received_at=days_ago(1)
    )
    old = add_application(
        w, "2029-12", "decided", days_ago(200), handed_off_at=days_ago(91), files=(b"%PDF old",)
    )
    later = add_application(  # prefilled from the old one: loses only the pointer
        w,
        "2030-03",
        "decided",
        days_ago(80),
        handed_off_at=days_ago(40),
        prefilled_from=old,
        files=(b"%PDF later 1", b"%PDF later 2"),
    )
    recent = add_application(
        w, "2030-05", "decided", days_ago(12), handed_off_at=days_ago(10), files=(b"%PDF new",)
    )
    waiting = add_application(w, "2030-04", "submitted", days_ago(120), files=(b"%PDF wait",))
    expired = _invitation(engine, w, days_ago(1))
    open_link = _invitation(engine, w, days_ago(-5))
    orphan = w.uploads / "99" / "left-by-a-crash.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF orphan")
    part = w.uploads / "99" / ".abc.part"
    part.write_bytes(b"%PDF half")
    fresh_orphan = w.uploads / "99" / "being-written.pdf"
    fresh_orphan.write_bytes(b"%PDF now")
    for path in (orphan, part):
        os.utime(path, (days_ago(2).timestamp(), days_ago(2).timestamp()))
    os.utime(fresh_orphan, (NOW.timestamp(), NOW.timestamp()))
    with Session(engine) as db:
        old_sha = db.exec(select(Attachment.sha256).where(Attachment.application_id == old)).one()
    preview = w.uploads / "previews" / f"{old_sha}-1.jpg"
    preview.parent.mkdir(parents=True)
    preview.write_bytes(b"jpeg")
    files_before = _files(w.uploads)

    with Session(engine) as db:
        planned = purge(db, settings, now=NOW, policy=POLICY, dry_run=True)
    assert (planned.drafts, planned.handed_off) == ([stale], [old])
    assert (planned.files, planned.orphans, planned.survey_invitations) == (4, 2, 1)
    assert _files(w.uploads) == files_before  # a dry run deletes nothing
    assert all(_exists(engine, i) for i in (stale, busy, old, later, recent, waiting))

    with Session(engine) as db:
        report = purge(db, settings, now=NOW, policy=POLICY)
    assert (report.drafts, report.handed_off) == ([stale], [old])
    assert (report.files, report.orphans, report.survey_invitations) == (4, 2, 1)

    # Gone, with every row that pointed to them.
    for application_id in (stale, old):
        assert not _exists(engine, application_id)
        for model in (Answer, Attachment, Finding, Message, Signature, HandoffReceipt, Decision):
            assert _ids(engine, model, application_id) == 0, model
    with Session(engine) as db:
        assert db.exec(select(DecisionObstacle)).all() != []  # the other decisions' remain
        assert len(db.exec(select(DecisionObstacle)).all()) == 2
        assert db.get(Application, later).prefilled_from is None  # type: ignore[union-attr]
        assert db.get(SurveyInvitation, expired) is None
        assert db.get(SurveyInvitation, open_link) is not None
        assert (
            db.exec(
                select(SurveyInvitationToken).where(SurveyInvitationToken.invitation_id == expired)
            ).all()
            == []
        )
        later_rows = db.exec(select(Attachment).where(Attachment.application_id == later)).all()
    # Kept: the busy draft, the waiting application, the recent hand-off with its files; the
    # later hand-off keeps its rows (name, size, checksum) but not its files.
    for application_id in (busy, later, recent, waiting):
        assert _exists(engine, application_id)
    assert len(later_rows) == 2
    assert not any((w.uploads / row.storage_path).exists() for row in later_rows)
    left = _files(w.uploads)
    assert "99/being-written.pdf" in left and "99/left-by-a-crash.pdf" not in left
    assert "99/.abc.part" not in left and not preview.exists()
    with Session(engine) as db:
        for application_id in (busy, recent, waiting):
            for row in db.exec(
                select(Attachment).where(Attachment.application_id == application_id)
            ).all():
                assert (w.uploads / row.storage_path).is_file()

    with Session(engine) as db:
        events = db.exec(
            select(AuditEvent).where(AuditEvent.actor_kind == "system").order_by(col(AuditEvent.id))
        ).all()
    logged = [(e.action, e.object_id, (e.detail or {}).get("rule")) for e in events]
    assert ("purge_application", stale, "draft") in logged
    assert ("purge_application", old, "handed_off") in logged
    assert ("purge_files", later, "uploads") in logged
    assert ("purge_survey_links", None, None) in logged
    assert ("purge_orphan_files", None, None) in logged
    runs = [e.detail for e in events if e.action == "purge_run"]
    assert [r["dry_run"] for r in runs if r] == [True, False]  # type: ignore[index]
    assert runs[-1]["drafts"] == 1 and runs[-1]["policy"]["draft_days"] == 60  # type: ignore[index]

    with Session(engine) as db:  # run again: nothing more to do, and it says so
        again = purge(db, settings, now=NOW, policy=POLICY)
    assert again.counts() | {"dry_run": False} == {
        "drafts": 0,
        "handed_off": 0,
        "files": 0,
        "orphans": 0,
        "survey_invitations": 0,
        "sessions": 0,
        "eid_orders": 0,
        "rate_limits": 0,
        "dry_run": False,
    }


def test_zero_days_keeps_for_ever(world: tuple[World, Settings]) -> None:
    w, settings = world
    draft = add_application(w, "2020-01", "draft", days_ago(3000), files=(b"%PDF x",))
    handed = add_application(
        w, "2020-02", "decided", days_ago(3000), handed_off_at=days_ago(2900), files=(b"%PDF y",)
    )
    keep = Policy(0, 0, 0, 0, 30)
    with Session(w.engine) as db:
        report = purge(db, settings, now=NOW, policy=keep)
    assert (report.drafts, report.handed_off, report.files) == ([], [], 0)
    assert _exists(w.engine, draft) and _exists(w.engine, handed)


def test_portal_purge_command(
    world: tuple[World, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.cli import main
    from portal.settings import get_settings

    w, settings = world
    stale = add_application(w, "2001-01", "draft", dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("PORTAL_UPLOAD_DIR", str(settings.uploads))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "k" * 48)
    get_settings.cache_clear()
    try:
        dry = CliRunner().invoke(main, ["purge", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert dry.output.startswith("Would delete: 1 stale draft(s), 0 handed-off")
        assert _exists(w.engine, stale)
        done = CliRunner().invoke(main, ["purge", "--json"])
        assert done.exit_code == 0, done.output
        assert '"drafts": 1' in done.output
        assert not _exists(w.engine, stale)
    finally:
        get_settings.cache_clear()


def test_the_worker_runs_the_purge_every_day(world: tuple[World, Settings]) -> None:
    """`portal worker` schedules the retention rules once a day (PORTAL_PURGE_AT, UTC)."""
    from portal.tasks import PortalQueue, QueueSettings

    w, settings = world
    stale = add_application(w, "2001-02", "draft", dt.datetime(2001, 2, 1, tzinfo=dt.UTC))
    queue = PortalQueue(settings, w.engine, QueueSettings(queue_url="", purge_at="03:40"))
    scheduled = {task.name: task for task in queue.huey._registry.periodic_tasks}
    purge_task = scheduled["purge"]
    at = dt.datetime(2030, 6, 15, 3, 40)
    assert purge_task.validate_datetime(at)
    assert not purge_task.validate_datetime(at.replace(minute=41))
    assert not purge_task.validate_datetime(at.replace(hour=4))
    # What the worker runs at that minute: the real purge, logged like the command's.
    counts = queue.purge.call_local()
    assert counts["drafts"] == 1 and not _exists(w.engine, stale)
    with Session(w.engine) as db:
        runs = db.exec(select(AuditEvent).where(AuditEvent.action == "purge_run")).all()
    assert runs and runs[-1].detail and runs[-1].detail["drafts"] == 1
    off = PortalQueue(settings, w.engine, QueueSettings(queue_url="", purge_at=""))
    assert "purge" not in {task.name for task in off.huey._registry.periodic_tasks}
    with pytest.raises(ValueError):
        QueueSettings(purge_at="25:00")
