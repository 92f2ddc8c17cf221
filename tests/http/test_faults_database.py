"""The database goes away: a clear 503 page, and no half-written rows. The fault is raised
where the portal meets the database driver (the DB-API's own OperationalError, as a dropped
connection gives), at the statement named."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from intake.models import Application, Attachment, Person, Signature
from portal.app import create_app
from portal.auth import household_of
from portal.db import make_engine
from portal.settings import Settings
from tests.conftest import check_page, csrf_of, login_pnr
from tests.security_support import PDF, start_application, upload

EN = {"Accept-Language": "en"}


@contextmanager
def database_lost_at(engine: Engine, statement_start: str) -> Iterator[list[str]]:
    """Every statement that starts with ``statement_start`` fails as if the server was gone."""
    failed: list[str] = []

    def fail(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(statement_start):
            failed.append(statement)
            raise engine.dialect.loaded_dbapi.OperationalError(
                "server closed the connection unexpectedly"
            )

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield failed
    finally:
        event.remove(engine, "before_cursor_execute", fail)


def _application(db: Session, household) -> Application:  # type: ignore[no-untyped-def]
    db.expire_all()
    person = db.exec(
        select(Person).where(Person.personnummer == household.members[0].personnummer)
    ).one()
    home = household_of(db, person)
    assert home is not None
    return db.exec(
        select(Application)
        .where(Application.household_id == home.id)
        .order_by(col(Application.id).desc())
    ).first()  # type: ignore[return-value]


def _to_review(client: TestClient) -> str:
    url = start_application(client)
    while "/review" not in url:
        response = client.post(
            url, data={"confirm": "yes", "csrf_token": csrf_of(client, url)}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
        url = response.headers["location"]
    return url


def test_losing_the_database_while_signing_leaves_the_draft_whole(
    app, engine: Engine, new_household, db: Session
) -> None:  # type: ignore[no-untyped-def]
    household = new_household("en")
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        login_pnr(client, household.members[0].personnummer)
        review = _to_review(client)
        sign = review.replace("/review", "/sign")
        token = csrf_of(client, review)
        with database_lost_at(engine, "INSERT INTO SIGNATURE") as failed:
            lost = client.post(
                sign,
                data={"declaration": "yes", "csrf_token": token},
                headers=EN,
                follow_redirects=False,
            )
        assert failed
        assert lost.status_code == 503
        check_page(lost.text)
        assert "The service is temporarily unavailable" in lost.text
        assert "Nothing you had saved is lost" in lost.text
        # Nothing half-written: still a draft, no signature, no reference.
        draft = _application(db, household)
        assert (draft.status, draft.reference, draft.submitted_at) == ("draft", None, None)
        assert db.exec(select(Signature).where(Signature.application_id == draft.id)).all() == []
        # When the database is back, the same button sends it, once.
        sent = client.post(
            sign, data={"declaration": "yes", "csrf_token": token}, follow_redirects=False
        )
    assert sent.status_code == 303
    done = _application(db, household)
    assert done.id == draft.id and done.status in ("submitted", "complete")
    assert done.reference == f"EB-{done.month.replace('-', '')}-{done.id:06d}"
    assert len(db.exec(select(Signature).where(Signature.application_id == done.id)).all()) == 1


def test_losing_the_database_while_storing_an_upload_keeps_no_file(
    app, engine: Engine, new_household, db: Session, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    household = new_household("en")
    before = {p for p in settings.uploads.rglob("*") if p.is_file()}
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        login_pnr(client, household.members[0].personnummer)
        url = start_application(client)
        with database_lost_at(engine, "INSERT INTO ATTACHMENT") as failed:
            lost = upload(client, url, "hyresavi.pdf", PDF)
        assert failed and lost.status_code == 503
        assert "The service is temporarily unavailable" in lost.text or "tillfälligt" in lost.text
        application = _application(db, household)
        rows = db.exec(select(Attachment).where(Attachment.application_id == application.id))
        assert rows.all() == []
        assert {p for p in settings.uploads.rglob("*") if p.is_file()} == before
        assert upload(client, url, "hyresavi.pdf", PDF).status_code == 303  # back again


def test_a_database_that_does_not_answer_gives_503_for_forms_too(settings: Settings) -> None:
    broken = make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1")
    app = create_app(settings, broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        token = csrf_of(client, "/login/staff")
        response = client.post(
            "/login/staff",
            data={"username": "admin", "password": "demo-admin", "csrf_token": token},
            headers=EN,
        )
    assert response.status_code == 503
    check_page(response.text)
    assert "The service is temporarily unavailable" in response.text
    assert "Traceback" not in response.text
