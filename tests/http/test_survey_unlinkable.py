"""Issue 13, F8: can anyone with the logs and the database link a survey answer to a person?

Several applicants sign in, are invited, start the survey from the banner on their page and
answer it with different answers, through a real uvicorn server whose access log is written to
a file. Then the test plays the attacker with everything the portal stores and logs: every
table (ids, order, times, PostgreSQL's ``xmin`` and ``ctid``, SQLite's storage order), the
access log and the application's log, the SQLite database and write-ahead-log files byte by
byte, and the response headers. It knows what the attacker knows from the access log (who
answered when, in which order) and checks that nothing stored says which answer was whose.

Runs on SQLite and on PostgreSQL (PORTAL_TEST_BACKEND=postgresql).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from alembic import command
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select
from uvicorn.logging import AccessFormatter

from intake.models import (
    Household,
    SurveyAnswer,
    SurveyCount,
    SurveyInvitation,
    SurveyInvitationToken,
    WebSession,
)
from intake.survey.questions import question_set
from portal import access_log
from portal import repository_survey as repo
from portal.db import alembic_config, make_engine
from portal.settings import Settings
from portal.survey_settings import SurveySettings
from tests.conftest import BACKEND, applicant_pnr, login_pnr
from tests.survey_support import (
    clear_invitations,
    household_of,
    invite,
    link_in,
    mail_settings,
    smtp_server,
)

MONTH = "2038-05"
VERSION = SurveySettings().question_set
# The people, in the order they sign in; each answers differently.
PEOPLE = [
    "single adult",
    "couple with co-applicant",
    "single parent",
    "Arabic-speaking family",
    "Tigrinya-speaking adult",
    "Ukrainian-speaking adult",
]
ANSWERS = [
    {"overall": "1", "contact": "1"},
    {"overall": "2", "contact": "1"},
    {"overall": "3", "views_asked": "yes"},
    {"overall": "4", "views_asked": "no"},
    {"overall": "1", "change": "dk"},
    {"overall": "2", "contact": "4"},
]
# They answer in another order than they signed in and were invited.
ANSWER_ORDER = [3, 0, 5, 1, 4, 2]
# What may change while an anonymous answer is stored: nothing else records it.
MAY_CHANGE = {"survey_answer", "survey_count", "survey_invitation", "survey_invitation_token"}
MAY_CHANGE |= {"rate_limit"}  # counters per address and window (rate limits off in tests)


@contextmanager
def _server(app: FastAPI, access_file: Path) -> Iterator[str]:
    """uvicorn on a free port with its access log written to ``access_file``."""
    handler = logging.FileHandler(access_file)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        access.removeHandler(handler)
        access.setLevel(level)
        handler.close()


def _snapshot(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table."""
    with engine.connect() as connection:
        return {
            table.name: {
                tuple(str(value) for value in row)
                for row in connection.execute(table.select()).all()
            }
            for table in SQLModel.metadata.sorted_tables
        }


def _stored(engine: Engine, column: str, table: str, row_id: int) -> str:
    """A value as the database holds it (SQLite: the text written to the file)."""
    with engine.connect() as connection:
        return str(
            connection.execute(
                text(f"SELECT {column} FROM {table} WHERE id = :id"),  # noqa: S608 - test names
                {"id": row_id},
            ).scalar_one()
        )


def _sqlite_bytes(settings: Settings) -> bytes:
    path = Path(settings.database_url.removeprefix("sqlite:///"))
    parts = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    return b"".join(part.read_bytes() for part in parts if part.exists())


def _token_in(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "the survey form carries its one-time token"
    return found.group(1)


def _csrf_in(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.fixture
def one_unit(db: Session) -> Iterator[int]:
    """All the people in one unit for the test, so that the unit tells them apart neither."""
    households = [household_of(db, label) for label in PEOPLE]
    saved = {h.id: h.unit_id for h in households}
    unit = households[0].unit_id
    for household in households:
        household.unit_id = unit
        db.add(household)
    db.commit()
    clear_invitations(db)
    yield unit
    clear_invitations(db)
    for household_id, unit_id in saved.items():
        row = db.get(Household, household_id)
        assert row is not None
        row.unit_id = unit_id
        db.add(row)
    db.commit()


def test_answers_cannot_be_linked_to_the_people_who_gave_them(
    app: FastAPI,
    engine: Engine,
    db: Session,
    settings: Settings,
    one_unit: int,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    access_file = tmp_path / "access.log"
    app_log = tmp_path / "app.log"
    root_handler = logging.FileHandler(app_log)
    root_handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(root_handler)
    secrets_seen: list[str] = []  # raw tokens and their hashes: none may be left anywhere
    invitation_traces: list[str] = []  # invitation rows as stored: gone after the answer
    responses: list[httpx.Response] = []
    people: dict[int, httpx.Client] = {}
    session_of: dict[int, str] = {}
    try:
        with smtp_server() as sink, _server(app, access_file) as address:
            mail = mail_settings(settings, sink, base_url=address)
            sent = 0
            for number, label in enumerate(PEOPLE):
                client = httpx.Client(base_url=address, follow_redirects=False)
                login_pnr(client, applicant_pnr(label))
                session_of[number] = hashlib.sha256(
                    client.cookies["portal_session"].encode()
                ).hexdigest()
                people[number] = client
                when = dt.datetime(2038, 5, 3 + number, 8 + number, 17, 42, tzinfo=dt.UTC)
                invitation = invite(db, mail, label, when)
                assert invitation.id is not None and invitation.month == MONTH
                assert invitation.unit_id == one_unit
                for column in ("created_at", "expires_at"):
                    invitation_traces.append(
                        _stored(engine, column, "survey_invitation", invitation.id)
                    )
                sent = len(sink.messages)
                for message in sink.messages[:sent]:
                    token = link_in(message).rsplit("/", 1)[1]
                    secrets_seen += [token, repo.token_hash(token)]

            # Each starts from the banner on their page (signed in), in the answer order.
            for number in ANSWER_ORDER:
                client = people[number]
                home = client.get("/applicant")
                assert 'action="/survey/start"' in home.text
                form = client.post("/survey/start", data={"csrf_token": _csrf_in(home.text)})
                responses.append(form)
                assert form.status_code == 200 and "location" not in form.headers
                token = _token_in(form.text)
                secrets_seen += [token, repo.token_hash(token)]
                if BACKEND == "sqlite":
                    # The search below finds a link's hash while its row exists.
                    assert repo.token_hash(token).encode() in _sqlite_bytes(settings)

                # The moment of answering: the signed-in session must not learn of it.
                with Session(engine) as other:
                    row = other.exec(
                        select(WebSession).where(WebSession.token_hash == session_of[number])
                    ).one()
                    row.last_seen_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
                    other.add(row)
                    other.commit()
                    seen = _stored(engine, "last_seen_at", "web_session", row.id or 0)
                before = _snapshot(engine)
                answer = client.post(
                    "/survey/answer", data={"token": token, "lang": "sv", **ANSWERS[number]}
                )
                responses.append(answer)
                assert answer.status_code == 303, answer.text
                responses.append(client.get(answer.headers["location"]))
                after = _snapshot(engine)
                changed = {name for name in after if after[name] != before[name]}
                assert changed <= MAY_CHANGE, f"answering also changed {changed - MAY_CHANGE}"
                assert _stored(engine, "last_seen_at", "web_session", row.id or 0) == seen

            # One more comes from the e-mailed link (GET /survey/t/<token>) on another day.
            emailed = link_in(sink.messages[0]).rsplit("/", 1)[1]
            for response in responses:
                assert response.status_code < 400
            # (the first person's e-mailed link died with their answer)
            dead = people[0].get(f"/survey/t/{emailed}")
            responses.append(dead)
            assert dead.status_code == 404
            for client in people.values():
                client.close()
    finally:
        logging.getLogger().removeHandler(root_handler)
        root_handler.close()

    db.expire_all()
    questions = question_set(VERSION)

    # --- the rows ---------------------------------------------------------------------------
    answers = db.exec(select(SurveyAnswer).where(SurveyAnswer.month == MONTH)).all()
    stored = sorted(json.dumps(a.answers, sort_keys=True) for a in answers)
    given = sorted(json.dumps(ANSWERS[n], sort_keys=True) for n in range(len(PEOPLE)))
    assert stored == given, "every answer stored"
    assert {(a.unit_id, a.language, a.channel) for a in answers} == {(one_unit, "sv", "portal")}
    # No column that could hold a time or a person; the month is the invitation's month.
    assert set(SurveyAnswer.__table__.columns.keys()) == {  # type: ignore[attr-defined]
        "id",
        "question_set_version",
        "month",
        "unit_id",
        "language",
        "channel",
        "answers",
        "free_text",
    }
    assert set(SurveyCount.__table__.columns.keys()) == {  # type: ignore[attr-defined]
        "id",
        "question_set_version",
        "month",
        "unit_id",
        "language",
        "item",
        "value",
        "count",
    }
    # Ids are random: UUID4, so their order is not the order of answering.
    for answer_row in answers:
        assert uuid.UUID(answer_row.id).version == 4
    ids = sorted(a.id for a in answers)
    with engine.connect() as connection:
        if BACKEND == "postgresql":
            physical = connection.execute(
                text(
                    "SELECT id, xmin::text, ctid::text FROM survey_answer "
                    "WHERE month = :m ORDER BY ctid"
                ),
                {"m": MONTH},
            ).all()
            # One transaction wrote them all, last: xmin says nothing about who came when.
            assert len({row[1] for row in physical}) == 1
        else:
            # No rowid that counts up: the table is stored in the order of its random ids.
            schema = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'survey_answer'")
            ).scalar_one()
            assert "WITHOUT ROWID" in schema.upper()
            physical = [
                row
                for row in connection.execute(
                    text("SELECT id, month FROM survey_answer NOT INDEXED")
                ).all()
                if row[1] == MONTH
            ]
        # Stored in the order of their random ids, not in the order they came.
        assert [row[0] for row in physical] == ids

        # The counters: made all at once in a fixed order, touched all at once.
        counters = connection.execute(
            text(
                "SELECT language, item, value, count FROM survey_count "
                "WHERE question_set_version = :v AND month = :m AND unit_id = :u ORDER BY id"
            ),
            {"v": VERSION, "m": MONTH, "u": one_unit},
        ).all()
        keys = [(row[0], row[1], row[2]) for row in counters]
        assert keys == repo.group_keys(questions), "counter ids follow the fixed order only"
        totals = {(row[0], row[1], row[2]): row[3] for row in counters}
        assert totals[("sv", "_answered", "")] == len(PEOPLE)
        assert totals[("", "_invited", "")] == len(PEOPLE)
        if BACKEND == "postgresql":
            xmins = connection.execute(
                text(
                    "SELECT DISTINCT xmin::text FROM survey_count "
                    "WHERE question_set_version = :v AND month = :m AND unit_id = :u"
                ),
                {"v": VERSION, "m": MONTH, "u": one_unit},
            ).all()
            assert len(xmins) == 1, "the last respondent's values do not stand out by xmin"

    # The invitations and all their links are gone.
    households = [household_of(db, label).id for label in PEOPLE]
    assert (
        db.exec(
            select(SurveyInvitation).where(col(SurveyInvitation.household_id).in_(households))
        ).all()
        == []
    )
    assert (
        db.exec(
            select(SurveyInvitationToken).where(
                col(SurveyInvitationToken.token_hash).in_(secrets_seen)
            )
        ).all()
        == []
    )

    # --- every stored value, the logs, the files ----------------------------------------------
    everything = "\n".join(
        " ".join(row) for rows in _snapshot(engine).values() for row in sorted(rows)
    )
    access = access_file.read_text()
    logged = app_log.read_text() + "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /survey/answer" in access and "/survey/t/[token]" in access
    assert "/survey/thanks " in access, "the language chosen is not in the access log"
    for secret in secrets_seen:
        assert secret not in everything, "no token or token hash in any table"
        assert secret not in access, "no token in the access log"
        assert secret not in logged, "no token in the application's log"
    if BACKEND == "sqlite":
        files = _sqlite_bytes(settings)
        for secret in secrets_seen:
            assert secret.encode() not in files, "no token or hash left in the database files"
        for trace in invitation_traces:
            assert trace.encode() not in files, "no deleted invitation left in the files"
        wal = Path(settings.database_url.removeprefix("sqlite:///") + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0, "the write-ahead log was emptied"

    # --- the responses ------------------------------------------------------------------------
    for response in responses:
        assert "set-cookie" not in response.headers, response.url
        assert response.headers["referrer-policy"] == "no-referrer", response.url
        assert response.headers["cache-control"] == "no-store", response.url
        assert "etag" not in response.headers


def test_the_survey_routes_never_read_the_session(
    app: FastAPI, db: Session, settings: Settings, tmp_path: Path
) -> None:
    """The anonymous routes answer the same with a session cookie as without, touch no session
    row and set no cookie: not even a CSRF cookie for a new browser."""
    label = "Persian-speaking couple"
    clear_invitations(db, household_of(db, label))
    with smtp_server() as sink, _server(app, tmp_path / "access.log") as address:
        invite(
            db,
            mail_settings(settings, sink, base_url=address),
            label,
            dt.datetime(2038, 7, 2, tzinfo=dt.UTC),
        )
        link = link_in(sink.wait_for(1)[0])
        path = "/survey/t/" + link.rsplit("/survey/t/", 1)[1]
        with httpx.Client(base_url=address, follow_redirects=False) as signed_in:
            login_pnr(signed_in, applicant_pnr(label))
            session_hash = hashlib.sha256(signed_in.cookies["portal_session"].encode()).hexdigest()
            with Session(db.get_bind()) as other:
                row = other.exec(
                    select(WebSession).where(WebSession.token_hash == session_hash)
                ).one()
                row.last_seen_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
                other.add(row)
                other.commit()
                before = _stored(db.get_bind(), "last_seen_at", "web_session", row.id or 0)
            with_session = signed_in.get(path)
            # A browser that never visited: no cookie of any kind is handed out.
            with httpx.Client(base_url=address, follow_redirects=False) as fresh:
                without = fresh.get(path)
                assert "set-cookie" not in without.headers and not fresh.cookies
                language = fresh.post(
                    "/survey/language", data={"token": _token_in(without.text), "lang": "fi"}
                )
                assert language.status_code == 200 and 'lang="fi"' in language.text
                assert "set-cookie" not in language.headers
            # The page does not show who is signed in: the session was not read.
            assert "Sign out" not in with_session.text and "Logga ut" not in with_session.text
            assert with_session.text.split("<main", 1)[1] == without.text.split("<main", 1)[1]
            answered = signed_in.post(
                "/survey/answer", data={"token": _token_in(with_session.text), "overall": "2"}
            )
            assert answered.status_code == 303
            thanks = signed_in.get(answered.headers["location"])
            for response in (with_session, answered, thanks):
                assert "set-cookie" not in response.headers
            assert _stored(db.get_bind(), "last_seen_at", "web_session", row.id or 0) == before


def test_no_log_line_keeps_a_survey_token(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whichever logger writes it (the portal's error pages log the path, httpx logs URLs)."""
    access_log.install()
    # A uvicorn started by an earlier test configures its access logger not to propagate.
    access = logging.getLogger("uvicorn.access")
    monkeypatch.setattr(access, "propagate", True)
    monkeypatch.setattr(access, "disabled", False)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="uvicorn.access")
    token = "Qm9uam91ciB0b3V0IGxlIG1vbmRlIGV0IHRvdXMgbGVz"
    logging.getLogger("portal").warning("unhandled error on %s %s", "GET", f"/survey/t/{token}")
    logging.getLogger("httpx").info("HTTP Request: GET http://x/survey/t/%s?lang=ar", token)
    logging.getLogger("portal.anything").error(f"failed at /survey/t/{token}/")
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "10.0.0.1:5", "GET", "/survey/thanks?lang=ar", "1.1", 200
    )
    text_logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in text_logged and "lang=ar" not in text_logged
    assert text_logged.count("/survey/t/[token]") == 3 and "/survey/thanks" in text_logged


def test_the_migration_gives_existing_answers_random_ids_in_random_order(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    config = alembic_config(empty_database_url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0010")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO municipality (name, code, default_language)"
                    " VALUES ('M', '9999', 'sv')"
                )
            )
            municipality = connection.execute(text("SELECT id FROM municipality")).scalar_one()
            connection.execute(
                text("INSERT INTO unit (municipality_id, name) VALUES (:m, 'U')"),
                {"m": municipality},
            )
            unit = connection.execute(text("SELECT id FROM unit")).scalar_one()
            for number in range(40):
                connection.execute(
                    text(
                        "INSERT INTO survey_answer (question_set_version, month, unit_id, language,"
                        " channel, answers, free_text) VALUES ('skr-eb-2016', '2030-01', :u, 'sv',"
                        " 'email', :a, :t)"
                    ),
                    {
                        "u": unit,
                        "a": f'{{"overall": "{number % 4 + 1}"}}',
                        "t": f"comment {number:02d}",
                    },
                )
            # Counters created in the order values first came (what their ids told).
            for item, value in (("overall", "3"), ("_answered", ""), ("overall", "1")):
                connection.execute(
                    text(
                        "INSERT INTO survey_count (question_set_version, month, unit_id, language,"
                        " item, value, count)"
                        " VALUES ('skr-eb-2016', '2030-01', :u, 'sv', :i, :v, 2)"
                    ),
                    {"u": unit, "i": item, "v": value},
                )
            old_order = [
                row[0]
                for row in connection.execute(
                    text("SELECT free_text FROM survey_answer ORDER BY id")
                ).all()
            ]
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, answers, free_text FROM survey_answer")
            ).all()
            scan = "ORDER BY ctid" if engine.dialect.name == "postgresql" else "NOT INDEXED"
            physical = connection.execute(
                text(f"SELECT id, free_text FROM survey_answer {scan}")  # noqa: S608
            ).all()
            counters = connection.execute(
                text("SELECT item, value, count FROM survey_count ORDER BY id")
            ).all()
        assert len(rows) == 40 and {row[2] for row in rows} == set(old_order)
        assert all(uuid.UUID(str(row[0])).version == 4 for row in rows)
        assert [row[0] for row in physical] == sorted(row[0] for row in rows)
        assert [row[1] for row in physical] != old_order, "no longer in the order they came"
        assert [tuple(row) for row in counters] == [
            ("_answered", "", 2),
            ("overall", "1", 2),
            ("overall", "3", 2),
        ]
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0010")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM survey_answer")).scalar_one() == 40
    finally:
        engine.dispose()
