"""The task queue: uploads are read by a worker; a queued job survives a restart; a re-run only
overwrites the row; Redis works as the production backend."""

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from intake.models import Application, Attachment, utcnow
from portal.settings import Settings
from portal.tasks import (
    PortalQueue,
    QueueSettings,
    enqueue_extraction,
    extract_attachment,
    get_queue,
)
from tests.extract_support import pdf

pytestmark = pytest.mark.db

RENT = pdf(
    "Hyresavi",
    "Avser: november 2026",
    "Hyra 6 850,00",
    "Parkering 1 000,00",
    "Att betala 7 850,00 kr",
)


@pytest.fixture
def local(settings: Settings, tmp_path: Path) -> Settings:
    """The test settings with a queue and an upload folder of this test's own."""
    return settings.model_copy(
        update={"var_dir": tmp_path / "var", "upload_dir": tmp_path / "uploads"}
    )


@pytest.fixture
def attachments(engine: Engine, local: Settings) -> Iterator[list[int]]:
    """Attachments made by a test (ids appended), deleted afterwards."""
    made: list[int] = []
    yield made
    with Session(engine) as db:
        for attachment_id in made:
            row = db.get(Attachment, attachment_id)
            if row is not None:
                db.delete(row)
        db.commit()


def upload(
    engine: Engine,
    local: Settings,
    made: list[int],
    data: bytes,
    name: str = "avi.pdf",
    **extra: object,
) -> int:
    folder = local.uploads / "test-extract"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"test-extract/{uuid.uuid4().hex}-{name}"
    (local.uploads / stored).write_bytes(data)
    with Session(engine) as db:
        application = db.exec(select(Application).order_by(col(Application.id))).first()
        assert application is not None
        attachment = Attachment(
            application_id=application.id or 0,
            answer_key="housing",
            filename=name,
            content_type="application/pdf",
            size=len(data),
            sha256="0" * 64,
            storage_path=stored,
            **extra,  # type: ignore[arg-type]
        )
        db.add(attachment)
        db.commit()
        assert attachment.id is not None
        made.append(attachment.id)
        return attachment.id


def row(engine: Engine, attachment_id: int) -> Attachment:
    with Session(engine) as db:
        attachment = db.get(Attachment, attachment_id)
        assert attachment is not None
        return attachment


def test_a_queued_job_survives_a_restart(
    engine: Engine, local: Settings, attachments: list[int]
) -> None:
    attachment_id = upload(engine, local, attachments, RENT)
    before = PortalQueue(local, engine, QueueSettings(queue_url=""))
    enqueue_extraction(attachment_id, before)
    before.huey.storage.close()
    del before  # the web process stops; a worker starts later with a queue of its own

    after = PortalQueue(local, engine, QueueSettings(queue_url=""))
    assert after.huey.pending_count() == 1
    assert row(engine, attachment_id).extraction_status == "pending"
    assert after.drain() == 1
    read = row(engine, attachment_id)
    assert (read.extraction_status, read.kind, read.period, read.amount_ore) == (
        "done",
        "rent_notice",
        "2026-11",
        785000,
    )
    assert read.confidence is not None and read.confidence >= 0.9
    assert read.extraction is not None
    assert read.extraction["error"] is None and read.extraction["checks"]["rows_sum"] is True
    assert read.extraction["source"] == "text" and read.extraction["reader_version"] == 1
    assert after.huey.pending_count() == 0


def test_reading_again_overwrites_the_same_row(
    engine: Engine, local: Settings, attachments: list[int]
) -> None:
    attachment_id = upload(engine, local, attachments, RENT, confirmed_amount_ore=785000)
    assert extract_attachment(attachment_id, local, engine) == "done"
    first = row(engine, attachment_id)
    assert extract_attachment(attachment_id, local, engine) == "already read"
    assert extract_attachment(attachment_id, local, engine, force=True) == "done"
    again = row(engine, attachment_id)
    assert (again.id, again.kind, again.amount_ore, again.period) == (
        first.id,
        "rent_notice",
        785000,
        "2026-11",
    )
    assert again.confirmed_amount_ore == 785000  # what the applicant confirmed stays
    with Session(engine) as db:
        same = db.exec(
            select(Attachment).where(Attachment.storage_path == first.storage_path)
        ).all()
    assert len(same) == 1


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "empty"), (b"<html>not a pdf</html>", "unsupported_type"), (RENT[:300], "truncated")],
    ids=["empty", "html", "truncated"],
)
def test_an_unreadable_file_fails_with_its_reason(
    engine: Engine, local: Settings, attachments: list[int], data: bytes, code: str
) -> None:
    attachment_id = upload(engine, local, attachments, data)
    assert extract_attachment(attachment_id, local, engine) == "failed"
    read = row(engine, attachment_id)
    assert (read.extraction_status, read.kind, read.amount_ore, read.period) == (
        "failed",
        "unreadable",
        None,
        None,
    )
    assert read.extraction is not None
    assert read.extraction["error_code"] == code and read.extraction["error"]


def test_a_stored_path_outside_the_upload_folder_is_not_read(
    engine: Engine, local: Settings, attachments: list[int], tmp_path: Path
) -> None:
    (tmp_path / "secret.pdf").write_bytes(RENT)
    attachment_id = upload(engine, local, attachments, RENT)
    with Session(engine) as db:
        attachment = db.get(Attachment, attachment_id)
        assert attachment is not None
        attachment.storage_path = "../secret.pdf"
        db.add(attachment)
        db.commit()
    assert extract_attachment(attachment_id, local, engine) == "failed"
    read = row(engine, attachment_id)
    assert read.extraction is not None and read.extraction["error_code"] == "not_found"


def test_a_removed_attachment_is_left_alone(
    engine: Engine, local: Settings, attachments: list[int]
) -> None:
    attachment_id = upload(engine, local, attachments, RENT, removed_at=utcnow())
    assert extract_attachment(attachment_id, local, engine) == "removed"
    assert row(engine, attachment_id).extraction_status == "pending"
    assert extract_attachment(10**9, local, engine) == "missing"


def test_a_job_lost_in_a_crash_is_queued_again(
    engine: Engine, local: Settings, attachments: list[int]
) -> None:
    old = upload(engine, local, attachments, RENT, received_at=utcnow() - dt.timedelta(hours=1))
    fresh = upload(engine, local, attachments, RENT)
    queue = PortalQueue(local, engine, QueueSettings(queue_url=""))
    assert queue.huey.pending_count() == 0  # the worker took the jobs, then died
    assert queue.requeue_pending(older_than=dt.timedelta(minutes=10)) >= 1
    queue.drain()
    assert row(engine, old).extraction_status == "done"
    assert row(engine, fresh).extraction_status == "pending"  # not stale yet: its job may be queued
    assert queue.requeue_pending() >= 1
    queue.drain()
    assert row(engine, fresh).extraction_status == "done"


def test_immediate_mode_reads_at_once(
    engine: Engine, local: Settings, attachments: list[int]
) -> None:
    attachment_id = upload(engine, local, attachments, RENT)
    queue = PortalQueue(local, engine, QueueSettings(queue_url="", queue_immediate=True))
    queue.enqueue_extraction(attachment_id)
    assert row(engine, attachment_id).amount_ore == 785000


def test_queue_url_must_be_redis() -> None:
    with pytest.raises(ValueError, match="redis://"):
        QueueSettings(queue_url="postgresql://localhost/queue")


def test_the_worker_command_drains_the_queue(
    engine: Engine, local: Settings, attachments: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.commands.worker import command
    from portal.settings import get_settings

    attachment_id = upload(engine, local, attachments, RENT)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(local.var_dir))
    monkeypatch.setenv("PORTAL_UPLOAD_DIR", str(local.uploads))
    monkeypatch.setenv("PORTAL_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "test-secret-key-for-the-worker")
    monkeypatch.delenv("PORTAL_QUEUE_URL", raising=False)
    get_settings.cache_clear()
    get_queue.cache_clear()
    try:
        result = CliRunner().invoke(command, ["--drain"])
    finally:
        get_settings.cache_clear()
        get_queue.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Ran " in result.output
    assert row(engine, attachment_id).extraction_status == "done"


# --- Redis, the production backend ----------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_config() -> Iterator[QueueSettings]:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    name = f"portal-test-{uuid.uuid4().hex[:8]}"
    yield QueueSettings(queue_url=REDIS_URL, queue_name=name)
    for key in client.scan_iter(f"huey.*{name.replace('-', '')}*"):
        client.delete(key)
    client.close()


def test_redis_queue_survives_a_restart(
    engine: Engine, local: Settings, attachments: list[int], redis_config: QueueSettings
) -> None:
    attachment_id = upload(engine, local, attachments, RENT)
    enqueue_extraction(attachment_id, PortalQueue(local, engine, redis_config))
    worker = PortalQueue(local, engine, redis_config)
    assert worker.huey.pending_count() == 1
    assert worker.drain() == 1
    assert row(engine, attachment_id).amount_ore == 785000
    assert worker.huey.pending_count() == 0
