"""Uploads: the virus scan hook in the real flow (fake clamd on 127.0.0.1), type by magic
bytes whatever the name says, and nothing stored of a refused file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from intake.models import Application, Attachment, Person
from portal.auth import household_of
from portal.settings import Settings
from tests.conftest import csrf_of, login_pnr
from tests.security_support import (
    EICAR,
    PDF,
    app_with,
    client_for,
    closed_port,
    error_summary,
    fake_clamd,
    start_application,
    upload,
)


def _attachments(db: Session, household) -> list[Attachment]:  # type: ignore[no-untyped-def]
    db.expire_all()
    person = db.exec(
        select(Person).where(Person.personnummer == household.members[0].personnummer)
    ).one()
    home = household_of(db, person)
    assert home is not None
    ids = select(Application.id).where(Application.household_id == home.id)
    return list(db.exec(select(Attachment).where(col(Attachment.application_id).in_(ids))).all())


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_clean_upload_is_scanned_then_stored(
    settings: Settings, engine: Engine, new_household, db: Session
) -> None:  # type: ignore[no-untyped-def]
    household = new_household("en")
    with fake_clamd() as clamd:
        app = app_with(settings, engine, clamav_address=clamd.address)
        with client_for(app) as client:
            login_pnr(client, household.members[0].personnummer)
            url = start_application(client)
            response = upload(client, url, "hyresavi.pdf", PDF)
    assert response.status_code == 303
    assert clamd.received == [PDF]
    assert [a.filename for a in _attachments(db, household)] == ["hyresavi.pdf"]


def test_an_infected_upload_is_refused_and_nothing_is_kept(
    settings: Settings, engine: Engine, new_household, db: Session
) -> None:  # type: ignore[no-untyped-def]
    household = new_household("en")
    before = set(_files(settings.uploads))
    with fake_clamd() as clamd:
        app = app_with(settings, engine, clamav_address=clamd.address)
        with client_for(app) as client:
            login_pnr(client, household.members[0].personnummer)
            url = start_application(client)
            response = upload(client, url, "virus.pdf", b"%PDF-1.4\n" + EICAR)
    assert response.status_code == 422
    assert (
        "virus.pdf was not accepted: the virus check found something harmful in it."
        in error_summary(response.text)
    )
    assert _attachments(db, household) == []
    assert set(_files(settings.uploads)) == before  # not even a .part file


@pytest.mark.parametrize("fail_closed", [True, False])
def test_when_clamd_is_down_the_setting_decides(
    settings: Settings, engine: Engine, new_household, db: Session, fail_closed: bool
) -> None:  # type: ignore[no-untyped-def]
    household = new_household("en")
    app = app_with(
        settings,
        engine,
        clamav_address=f"tcp://127.0.0.1:{closed_port()}",
        clamav_timeout=2,
        clamav_fail_closed=fail_closed,
    )
    with client_for(app) as client:
        login_pnr(client, household.members[0].personnummer)
        url = start_application(client)
        response = upload(client, url, "hyresavi.pdf", PDF)
    if fail_closed:
        assert response.status_code == 422
        assert "could not be checked for viruses just now, so it was not saved" in (
            error_summary(response.text)
        )
        assert _attachments(db, household) == []
    else:
        assert response.status_code == 303
        assert len(_attachments(db, household)) == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("hyresavi.pdf", b"<html><script>alert(1)</script></html>"),
        ("photo.jpg", b"GIF89a" + b"\0" * 64),
        ("lonespec.pdf", b"MZ\x90\x00" + b"\0" * 64),  # a Windows program, named as a PDF
    ],
)
def test_the_type_comes_from_the_bytes_not_the_name(
    settings: Settings, engine: Engine, new_household, db: Session, name: str, content: bytes
) -> None:  # type: ignore[no-untyped-def]
    household = new_household("en")
    app = app_with(settings, engine)
    with client_for(app) as client:
        login_pnr(client, household.members[0].personnummer)
        url = start_application(client)
        response = client.post(
            url,
            data={"upload_only": "1", "csrf_token": csrf_of(client, url)},
            files=[("documents__rent_notice__", (name, content, "application/pdf"))],
            follow_redirects=False,
        )
    assert response.status_code == 422
    assert f"{name} is not a photo or a PDF" in error_summary(response.text)
    assert _attachments(db, household) == []
