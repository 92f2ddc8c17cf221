"""A worker killed in the middle of reading a document: the job runs again when a worker
starts, the document is read once and nothing is doubled. Drives the real ``portal worker``
(the huey consumer of portal/tasks.py) as a process and kills it with SIGKILL while its
reader is at work."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlmodel import Session, select

from intake.models import Attachment
from portal.db import make_engine
from portal.settings import ROOT, Settings
from portal.tasks import PortalQueue, QueueSettings
from tests.security_support import World, add_application, make_world, own_settings

FONT = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"


def _rent_notice_photo(path: Path) -> bytes:
    """A phone photo of a rent notice: read by OCR, which takes the reader a second or two."""
    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 36) if Path(FONT).exists() else ImageFont.load_default()
    lines = ["Hyresavi", "Avser: december 2030", "Att betala: 7 850,00 kr", "Bostadsbolaget AB"]
    for index, line in enumerate(lines * 6):
        draw.text((100, 100 + index * 50), line, fill="black", font=font)
    image.save(path, "JPEG", quality=85)
    return path.read_bytes()


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "PORTAL_VAR_DIR": str(settings.var_dir),
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_UPLOAD_DIR": str(settings.uploads),
        "PORTAL_SECRET_KEY": settings.secret_key,
        "PYTHONPATH": str(ROOT),
    }


def _worker(settings: Settings, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "portal.cli", "worker", *args],
        env=_env(settings),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the reader dies with it
    )


@pytest.fixture
def world(empty_database_url: str, tmp_path: Path) -> Iterator[tuple[World, Settings]]:
    settings = own_settings(tmp_path, empty_database_url)
    engine = make_engine(empty_database_url)
    yield make_world(engine, settings.uploads), settings
    engine.dispose()


def _reading(settings: Settings, attachment_id: int) -> tuple[str, object]:
    engine = make_engine(settings.database_url)
    with Session(engine) as db:
        row = db.get(Attachment, attachment_id)
        assert row is not None
        result = (row.extraction_status, (row.extraction or {}).get("read_at"))
    engine.dispose()
    return result


def test_a_killed_worker_reads_the_document_again_once(
    world: tuple[World, Settings], tmp_path: Path
) -> None:
    w, settings = world
    photo = _rent_notice_photo(tmp_path / "hyresavi.jpg")
    application_id = add_application(w, "2030-12", "submitted", w_now(), files=(photo,))
    with Session(w.engine) as db:
        attachment = db.exec(
            select(Attachment).where(Attachment.application_id == application_id)
        ).one()
    attachment_id = attachment.id or 0
    # The web process queues the reading after the upload, as on_upload does.
    PortalQueue(settings, w.engine, QueueSettings()).enqueue_extraction(attachment_id)

    worker = _worker(settings)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the reader's own child is at work
            if len(_descendants(worker.pid)) >= 2 or worker.poll() is not None:
                break
            time.sleep(0.05)
        assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
        assert len(_descendants(worker.pid)) >= 2, "the reader never started"
        assert _reading(settings, attachment_id)[0] == "pending"
        os.killpg(worker.pid, signal.SIGKILL)  # mid-extraction
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
    assert worker.returncode == -signal.SIGKILL
    assert _reading(settings, attachment_id)[0] == "pending"  # nothing half-written

    # A worker starts again (here: runs what is queued and stops).
    again = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "portal.cli", "worker", "--drain", "--verbose"],
        env=_env(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # The job the killed worker had taken is lost from the queue; the start-up sweep queued the
    # pending document again (twice here: once by each start). It is read once; the other
    # job finds it read.
    # (A third may be the five-minute sweep, when the clock passed such a minute meanwhile.)
    ran = re.search(r"Ran (\d+) queued job", again.stdout)
    assert ran and int(ran.group(1)) >= 2, again.stdout
    assert again.stderr.count(f"attachment {attachment_id} read:") == 1, again.stderr
    status, read_at = _reading(settings, attachment_id)
    assert status in ("done", "failed"), again.stderr  # read to the end, one way or the other
    with Session(w.engine) as db:
        rows = db.exec(select(Attachment).where(Attachment.application_id == application_id))
        (row,) = rows.all()  # still one attachment
    if status == "done":  # on a machine so busy that OCR runs out of time, "failed" is honest
        assert (row.kind, row.amount_ore, row.period) == ("rent_notice", 785000, "2030-12")

    # Later starts find nothing to do, and the reading is not done again.
    third = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "portal.cli", "worker", "--drain"],
        env=_env(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "Ran 0 queued jobs." in third.stdout
    assert _reading(settings, attachment_id) == (status, read_at)


def w_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
