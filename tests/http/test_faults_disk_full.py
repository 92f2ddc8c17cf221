"""Disk full while an upload is written: the applicant is told so, and nothing of the file is
kept: no row, no file, no half-written ``.part``. The fault is injected where the portal meets
the operating system (``os.write`` / ``os.fsync`` on the upload's file descriptor)."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from intake.models import Application, Attachment, Person
from portal.auth import household_of
from portal.settings import Settings
from tests.conftest import login_pnr
from tests.security_support import error_summary, start_application, upload

BIG_PDF = b"%PDF-1.4\n" + os.urandom(700 * 1024)  # three chunks of 256 KiB


def _into(folder: Path, descriptor: int) -> bool:
    try:
        return os.readlink(f"/proc/self/fd/{descriptor}").startswith(str(folder.resolve()))
    except OSError:
        return False


def _full_after(folder: Path, limit: int, code: int) -> Callable[[int, bytes], int]:
    """``os.write`` on a disk with ``limit`` bytes free in ``folder``; elsewhere untouched."""
    real = os.write
    written = 0

    def write(descriptor: int, data: bytes) -> int:
        nonlocal written
        if not _into(folder, descriptor):
            return real(descriptor, data)
        room = limit - written
        if room <= 0:
            raise OSError(code, os.strerror(code))
        count = real(descriptor, bytes(data[:room]))  # a short write, as a full disk gives
        written += count
        return count

    return write


def _nothing_kept(db: Session, household, uploads: Path, before: set[Path]) -> None:  # type: ignore[no-untyped-def]
    db.expire_all()
    person = db.exec(
        select(Person).where(Person.personnummer == household.members[0].personnummer)
    ).one()
    home = household_of(db, person)
    assert home is not None
    ids = select(Application.id).where(Application.household_id == home.id)
    assert db.exec(select(Attachment).where(col(Attachment.application_id).in_(ids))).all() == []
    after = {p for p in uploads.rglob("*") if p.is_file()}
    assert after == before, after - before


@pytest.mark.parametrize(
    ("free", "code"),
    [(0, errno.ENOSPC), (300 * 1024, errno.ENOSPC), (300 * 1024, errno.EDQUOT)],
    ids=["full-at-once", "full-halfway", "quota-halfway"],
)
def test_disk_full_while_writing(
    client: TestClient,
    new_household,
    db: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    free: int,
    code: int,
) -> None:  # type: ignore[no-untyped-def]
    household = new_household("en")
    login_pnr(client, household.members[0].personnummer)
    url = start_application(client)
    before = {p for p in settings.uploads.rglob("*") if p.is_file()}
    monkeypatch.setattr(os, "write", _full_after(settings.uploads, free, code))
    response = upload(client, url, "hyresavi.pdf", BIG_PDF)
    monkeypatch.undo()
    assert response.status_code == 422
    assert (
        "hyresavi.pdf could not be saved because our storage is full. Nothing of it was kept."
        in error_summary(response.text)
    )
    _nothing_kept(db, household, settings.uploads, before)
    # Once there is room again the same file goes in whole.
    again = upload(client, url, "hyresavi.pdf", BIG_PDF)
    assert again.status_code == 303
    stored = {p for p in settings.uploads.rglob("*") if p.is_file()} - before
    assert [p.read_bytes() == BIG_PDF for p in stored] == [True]


@pytest.mark.parametrize("what", ["file", "folder"])
def test_disk_full_when_flushing_to_disk(
    client: TestClient,
    new_household,
    db: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    what: str,
) -> None:  # type: ignore[no-untyped-def]
    """Some filesystems (NFS, thin volumes) report a full disk only at fsync: of the file's
    bytes, or of the folder that holds its new name."""
    household = new_household("en")
    login_pnr(client, household.members[0].personnummer)
    url = start_application(client)
    before = {p for p in settings.uploads.rglob("*") if p.is_file()}
    real = os.fsync

    def fsync(descriptor: int) -> None:
        is_folder = os.path.isdir(f"/proc/self/fd/{descriptor}")
        if _into(settings.uploads, descriptor) and is_folder == (what == "folder"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    response = upload(client, url, "hyresavi.pdf", BIG_PDF)
    monkeypatch.undo()
    assert response.status_code == 422
    assert "could not be saved because our storage is full" in error_summary(response.text)
    _nothing_kept(db, household, settings.uploads, before)
