"""``portal backup`` and ``portal restore`` for the embedded default (SQLite and the upload
folder): after a total loss every application and every attachment comes back, checked by
checksum; a damaged backup restores nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session, select

from intake.models import Answer, Application, Attachment
from portal.db import make_engine
from portal.settings import Settings, get_settings
from tests.security_support import World, add_application, make_world, own_settings

NOW = dt.datetime(2030, 6, 15, tzinfo=dt.UTC)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[World, Settings]]:
    settings = own_settings(tmp_path, f"sqlite:///{tmp_path / 'var' / 'portal.db'}")
    engine = make_engine(settings.database_url)
    w = make_world(engine, settings.uploads)
    for name, value in {
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_VAR_DIR": str(settings.var_dir),
        "PORTAL_UPLOAD_DIR": str(settings.uploads),
        "PORTAL_SECRET_KEY": settings.secret_key,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield w, settings
    get_settings.cache_clear()
    engine.dispose()


def portal(*args: str) -> Result:
    from portal.cli import main

    return CliRunner().invoke(main, list(args))


def _snapshot(engine) -> tuple[dict[int, tuple[str, str]], dict[int, tuple[str, str]]]:  # type: ignore[no-untyped-def]
    with Session(engine) as db:
        applications = {a.id or 0: (a.month, a.status) for a in db.exec(select(Application)).all()}
        attachments = {
            a.id or 0: (a.storage_path, a.sha256) for a in db.exec(select(Attachment)).all()
        }
    return applications, attachments


def _fill(w: World) -> None:
    for month, status, files in [
        ("2030-01", "decided", (os.urandom(3000), b"%PDF-1.4 one")),
        ("2030-02", "submitted", (os.urandom(70000),)),
        ("2030-03", "draft", (b"\xff\xd8\xff" + os.urandom(500), b"%PDF two", b"%PDF three")),
        ("2030-04", "complete", ()),
    ]:
        add_application(w, month, status, NOW, files=files)


def test_backup_then_total_loss_then_restore_brings_back_everything(
    world: tuple[World, Settings], tmp_path: Path
) -> None:
    w, settings = world
    _fill(w)
    (settings.uploads / "previews").mkdir()
    (settings.uploads / "previews" / "abc-1.jpg").write_bytes(b"made again on demand")
    applications, attachments = _snapshot(w.engine)
    assert len(applications) == 4 and len(attachments) == 6

    # Someone keeps writing while the backup runs: the copy is still one consistent moment.
    stop = threading.Event()

    def keep_writing() -> None:
        application_id = next(iter(applications))
        number = 0
        while not stop.is_set():
            number += 1
            with Session(w.engine) as db:
                db.add(Answer(application_id=application_id, key=f"busy{number}", value=number))
                db.commit()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        made = portal("backup", str(tmp_path / "backup"))
    finally:
        stop.set()
        writer.join()
    assert made.exit_code == 0, made.output
    assert "Backed up 4 application(s), 6 attachment(s); 7 file(s)" in made.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    for path, sha256 in attachments.values():
        entry = manifest["files"][f"uploads/{path}"]
        assert entry["sha256"] == sha256
    assert not [name for name in manifest["files"] if "previews" in name]
    copy = sqlite3.connect(tmp_path / "backup" / "portal.db")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()

    # Total loss: the database and every upload.
    w.engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.var_dir / 'portal.db'}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(settings.uploads)

    restored = portal("restore", str(tmp_path / "backup"))
    assert restored.exit_code == 0, restored.output
    assert "Restored 4 application(s); 6 of 6 attachment file(s) match their checksums." in (
        restored.output
    )
    engine = make_engine(settings.database_url)
    after_applications, after_attachments = _snapshot(engine)
    engine.dispose()
    assert after_applications == applications
    assert after_attachments == attachments
    for path, sha256 in attachments.values():  # every file, byte for byte
        assert hashlib.sha256((settings.uploads / path).read_bytes()).hexdigest() == sha256


def test_a_damaged_backup_restores_nothing(world: tuple[World, Settings], tmp_path: Path) -> None:
    w, settings = world
    _fill(w)
    assert portal("backup", str(tmp_path / "backup")).exit_code == 0
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    victim = next(name for name in manifest["files"] if name.startswith("uploads/"))
    damaged = bytearray((tmp_path / "backup" / victim).read_bytes())
    damaged[-1] ^= 0xFF
    (tmp_path / "backup" / victim).write_bytes(bytes(damaged))
    before = {p: p.read_bytes() for p in settings.uploads.rglob("*") if p.is_file()}

    checked = portal("restore", "--verify-only", str(tmp_path / "backup"))
    assert checked.exit_code == 1 and f"{victim}: checksum differs" in checked.output
    result = portal("restore", "--force", str(tmp_path / "backup"))
    assert result.exit_code == 1
    assert "The backup is damaged, nothing was restored" in result.output
    assert {p: p.read_bytes() for p in settings.uploads.rglob("*") if p.is_file()} == before


def test_restore_does_not_overwrite_without_force(
    world: tuple[World, Settings], tmp_path: Path
) -> None:
    w, _settings = world
    _fill(w)
    assert portal("backup", str(tmp_path / "backup")).exit_code == 0
    refused = portal("restore", str(tmp_path / "backup"))
    assert refused.exit_code == 1 and "use --force to replace it" in refused.output
    assert portal("restore", "--force", str(tmp_path / "backup")).exit_code == 0
    again = portal("backup", str(tmp_path / "backup"))
    assert again.exit_code == 1 and "is not empty" in again.output


def test_files_already_deleted_by_retention_are_expected_missing(
    world: tuple[World, Settings], tmp_path: Path
) -> None:
    w, settings = world
    _fill(w)
    with Session(w.engine) as db:
        purged = db.exec(select(Attachment)).first()
        assert purged is not None
        (settings.uploads / purged.storage_path).unlink()
    assert portal("backup", str(tmp_path / "backup")).exit_code == 0
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["attachments_without_file"] == [purged.id]
    restored = portal("restore", "--force", str(tmp_path / "backup"))
    assert restored.exit_code == 0, restored.output
    assert "5 of 6 attachment file(s) match" in restored.output


def test_postgresql_is_sent_to_pg_dump(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql://portal@db.example/portal")
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        result = portal("backup", str(tmp_path / "backup"))
        files = portal("backup", "--files-only", str(tmp_path / "files"))
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "pg_dump" in result.output
    assert files.exit_code == 0, files.output
    assert json.loads((tmp_path / "files" / "manifest.json").read_text())["database"] is None
