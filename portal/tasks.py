"""The task queue: every uploaded document is read by a worker, not by the web request.

huey on SQLite in ``var/queue.db`` by default (no other server needed); on Redis when
``PORTAL_QUEUE_URL=redis://host:6379/0`` is set. ``portal worker`` consumes the queue. A job
written to the queue survives a restart of either side; a job lost in a crash (huey removes a
job when a worker takes it) is found again by the sweep, which queues every attachment still
``pending`` when a worker starts and every five minutes. Reading the same attachment twice
only overwrites its row. The worker also runs the retention rules (``portal purge``) once a
day at ``PORTAL_PURGE_AT`` (UTC).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from intake.extract import ErrorCode, Extraction, Kind, Limits, extract_file
from intake.models import Application, Attachment, utcnow
from portal import protection
from portal.settings import Settings, get_settings

log = logging.getLogger("portal.tasks")

# Bumped when the reader changes what it stores, so old readings can be told apart.
READER_VERSION = 1
# An attachment still pending this long after upload is queued again by the sweep.
STALE_AFTER = dt.timedelta(minutes=10)


class QueueSettings(BaseSettings):
    """The queue's own settings (``PORTAL_`` prefix, like the portal's)."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    queue_url: str = ""  # redis://host:port/db; empty: SQLite in var_dir/queue.db
    queue_name: str = "portal"
    queue_immediate: bool = False  # run tasks at once in the caller (tests, debugging)
    extract_seconds: float = 60.0  # per document
    extract_max_pages: int = 50
    extract_memory_mb: int = 1024
    # When the worker runs `portal purge` each day, HH:MM in UTC; empty: not at all (then run
    # `portal purge` from cron). Purging twice is harmless, so several workers may all run it.
    purge_at: str = Field(default="02:15", pattern=r"^$|^([01]\d|2[0-3]):[0-5]\d$")

    @field_validator("queue_url")
    @classmethod
    def _redis_only(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("PORTAL_QUEUE_URL must be a redis://, rediss:// or unix:// URL")
        return value

    @property
    def limits(self) -> Limits:
        return Limits(
            pages=self.extract_max_pages,
            memory_bytes=self.extract_memory_mb * 1024 * 1024,
            seconds=self.extract_seconds,
        )


def make_huey(settings: Settings, config: QueueSettings) -> Huey:
    if config.queue_url:
        return RedisHuey(
            config.queue_name, url=config.queue_url, results=False, immediate=config.queue_immediate
        )
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        config.queue_name,
        filename=str(settings.var_dir / "queue.db"),
        results=False,
        immediate=config.queue_immediate,
    )


class PortalQueue:
    """A huey instance with the portal's tasks, bound to one database and upload folder."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        config: QueueSettings | None = None,
        huey: Huey | None = None,
    ) -> None:
        self.settings = settings
        self.config = config or QueueSettings()
        self.huey = huey or make_huey(settings, self.config)
        self._engine = engine
        self.extract = self.huey.task(name="extract_attachment", retries=2, retry_delay=10)(
            self._extract
        )
        self.sweep = self.huey.periodic_task(crontab(minute="*/5"), name="requeue_pending")(
            self._sweep
        )
        if self.config.purge_at:
            hour, minute = (str(int(part)) for part in self.config.purge_at.split(":"))
            self.purge = self.huey.periodic_task(crontab(minute=minute, hour=hour), name="purge")(
                self._purge
            )

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from portal.db import make_engine

            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def enqueue_extraction(self, attachment_id: int) -> None:
        self.extract(attachment_id)

    def _extract(self, attachment_id: int, force: bool = False) -> str:
        return extract_attachment(
            attachment_id, self.settings, self.engine, self.config.limits, force=force
        )

    def _sweep(self) -> int:
        return self.requeue_pending(older_than=STALE_AFTER)

    def _purge(self) -> dict[str, Any]:
        """The retention rules (gallring), as `portal purge` runs them; logged to the audit log."""
        from portal.retention import purge

        with Session(self.engine) as db:
            return purge(db, self.settings).counts()

    def requeue_pending(self, older_than: dt.timedelta = dt.timedelta(0)) -> int:
        """Queue again every attachment still waiting to be read (for instance after a crash)."""
        cutoff = utcnow() - older_than
        with Session(self.engine) as db:
            ids = db.exec(
                select(Attachment.id)
                .where(Attachment.extraction_status == "pending")
                .where(col(Attachment.removed_at).is_(None))
                .where(Attachment.received_at <= cutoff)
                .where(
                    col(Attachment.application_id).notin_(
                        select(Application.id).where(protection.application_protected())
                    )
                )
                .order_by(col(Attachment.id))
            ).all()
        for attachment_id in ids:
            if attachment_id is not None:
                self.extract(attachment_id)
        return len(ids)

    def drain(self) -> int:
        """Run every queued job now, in this thread; the number run."""
        count = 0
        while (task := self.huey.dequeue()) is not None:
            self.huey.execute(task)
            count += 1
        return count


def extract_attachment(
    attachment_id: int,
    settings: Settings,
    engine: Engine,
    limits: Limits | None = None,
    force: bool = False,
) -> str:
    """Read an attachment's stored file and write what it says on its row. Runs again safely:
    a reading already stored is kept (unless ``force``), otherwise the same row is overwritten."""
    with Session(engine) as db:
        attachment = db.get(Attachment, attachment_id)
        if attachment is None:
            return "missing"
        if attachment.removed_at is not None:
            return "removed"
        if attachment.extraction_status != "pending" and not force:
            return "already read"
        if protection.application_is_protected(db, attachment.application_id):
            return "protected"  # skyddad identitet: nothing is processed (portal/protection.py)
        path = stored_file(settings, attachment.storage_path)
    if path is None:
        result = Extraction.unreadable(ErrorCode.not_found, "the stored file is missing")
    else:
        result = extract_file(path, limits)
    if path is not None:
        _prepare_views(settings, path, attachment.sha256, attachment.content_type)
    with Session(engine) as db:
        attachment = db.get(Attachment, attachment_id)
        if attachment is None or attachment.removed_at is not None:
            return "removed"
        apply_reading(attachment, result)
        db.add(attachment)
        db.commit()
        status = attachment.extraction_status
        # What was read may settle (or raise) findings of an application already sent.
        from portal import completeness

        completeness.after_extraction(db, attachment_id)
    log.info("attachment %s read: %s %s (%s)", attachment_id, result.kind, result.period, status)
    return status


def _prepare_views(settings: Settings, path: Path, sha256: str, content_type: str) -> None:
    """The pictures staff open, made here once (in child processes with limits), not per view
    in the web process. A failure is logged; the view then says the file cannot be shown."""
    from portal import media

    try:
        media.prepare_views(settings.uploads, path, sha256, content_type)
    except Exception:  # noqa: BLE001 - the reading is stored whatever happens here
        log.exception("views of %s not prepared", sha256[:12])


def stored_file(settings: Settings, storage_path: str) -> Path | None:
    """The stored file, if it exists inside the upload folder."""
    root = settings.uploads.resolve()
    path = (root / storage_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def apply_reading(attachment: Attachment, result: Extraction) -> None:
    unreadable = result.kind is Kind.unreadable
    attachment.kind = result.kind.value
    attachment.period = result.period
    attachment.amount_ore = result.amount_ore
    attachment.confidence = round(result.confidence, 3)
    attachment.extraction = {
        **result.stored(),
        "read_at": utcnow().isoformat(),
        "reader_version": READER_VERSION,
    }
    attachment.extraction_status = "failed" if unreadable else "done"


@lru_cache
def get_queue() -> PortalQueue:
    """The process's queue, from the environment's settings."""
    return PortalQueue(get_settings())


def enqueue_extraction(attachment_id: int, queue: PortalQueue | None = None) -> None:
    """Queue the reading of an uploaded attachment (call after the row is committed)."""
    (queue or get_queue()).enqueue_extraction(attachment_id)
