"""Helpers for the security, reliability and retention tests: an app with changed settings, a
fake clamd on 127.0.0.1 speaking INSTREAM, the first steps of an application."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
import socket
import struct
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from portal.app import create_app
from portal.settings import Settings
from tests.conftest import csrf_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# The EICAR test string: every virus scanner reports it, it harms nothing.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

_addresses = itertools.count(1)


def new_address() -> tuple[str, int]:
    """A client address of its own, so that counters of one test never meet another's."""
    number = next(_addresses)
    return (f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}", 40000)


def app_with(settings: Settings, engine: Engine, **changes: Any) -> FastAPI:
    return create_app(settings.model_copy(update=changes), engine)


def client_for(app: FastAPI, address: tuple[str, int] | None = None) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1", client=address or new_address())


def start_application(client: TestClient) -> str:
    """Press "Apply" and answer "nothing changed": the URL of the rent question (which asks
    for the rent notice)."""
    response = client.post(
        "/applicant/apply",
        data={"csrf_token": csrf_of(client, "/applicant")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    response = client.post(
        url, data={"value": "no", "csrf_token": csrf_of(client, url)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def upload(client: TestClient, url: str, name: str, content: bytes):  # type: ignore[no-untyped-def]
    kind = "application/pdf" if content.startswith(b"%PDF") else "image/jpeg"
    return client.post(
        url,
        data={"upload_only": "1", "csrf_token": csrf_of(client, url)},
        files=[("documents__rent_notice__", (name, content, kind))],
        follow_redirects=False,
    )


def error_summary(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@dataclass
class FakeClamd:
    """clamd's INSTREAM on 127.0.0.1: ``stream: OK``, or ``FOUND`` for the EICAR string;
    ``broken`` answers an error instead. Records what each scan received."""

    port: int = 0
    broken: bool = False
    received: list[bytes] = field(default_factory=list)
    commands: list[bytes] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"


def _serve(server: socket.socket, fake: FakeClamd, stop: threading.Event) -> None:
    server.settimeout(0.1)
    while not stop.is_set():
        try:
            connection, _ = server.accept()
        except TimeoutError:
            continue
        with connection:
            connection.settimeout(5)
            reader = connection.makefile("rb")
            command = b""
            while not command.endswith(b"\0"):
                byte = reader.read(1)
                if not byte:
                    break
                command += byte
            fake.commands.append(command)
            data = b""
            while True:
                (length,) = struct.unpack("!L", reader.read(4))
                if length == 0:
                    break
                data += reader.read(length)
            fake.received.append(data)
            if fake.broken:
                reply = b"INSTREAM size limit exceeded. ERROR\0"
            elif EICAR in data:
                reply = b"stream: Eicar-Test-Signature FOUND\0"
            else:
                reply = b"stream: OK\0"
            connection.sendall(reply)


@contextmanager
def fake_clamd(broken: bool = False) -> Iterator[FakeClamd]:
    fake = FakeClamd(broken=broken)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    fake.port = server.getsockname()[1]
    stop = threading.Event()
    thread = threading.Thread(target=_serve, args=(server, fake, stop), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        stop.set()
        thread.join(5)
        server.close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- a small world of its own: for retention and backup tests ------------------------------------


def own_settings(tmp: Path, database_url: str) -> Settings:
    return Settings(
        mode="development",
        var_dir=tmp / "var",
        database_url=database_url,
        secret_key="k" * 48,
        upload_dir=tmp / "uploads",
    )


@dataclass
class World:
    engine: Engine
    uploads: Path
    household_id: int
    person_id: int
    unit_id: int
    token_id: int
    staff_id: int


def make_world(engine: Engine, uploads: Path) -> World:
    """A migrated database with one municipality, unit, officer, household and API token."""
    from sqlmodel import Session

    from intake.models import (
        ApiToken,
        Household,
        HouseholdMember,
        MemberRole,
        Municipality,
        Person,
        StaffUser,
        Unit,
    )
    from portal.db import migrate

    migrate(engine)
    with Session(engine) as db:
        municipality = Municipality(name="Testkommun", code="9999")
        db.add(municipality)
        db.flush()
        unit = Unit(municipality_id=municipality.id or 0, name="Enhet")
        db.add(unit)
        db.flush()
        household = Household(unit_id=unit.id or 0)
        person = Person(personnummer="198001011234", given_name="Test", family_name="Testsson")
        staff = StaffUser(username="officer", display_name="Officer", password_hash="x")
        token = ApiToken(name="case system", prefix="abc", token_hash="0" * 64, created_by="t")
        db.add_all([household, person, staff, token])
        db.flush()
        db.add(
            HouseholdMember(
                household_id=household.id or 0,
                person_id=person.id or 0,
                role=MemberRole.applicant,
            )
        )
        db.commit()
        return World(
            engine,
            uploads,
            household.id or 0,
            person.id or 0,
            unit.id or 0,
            token.id or 0,
            staff.id or 0,
        )


def add_application(
    world: World,
    month: str,
    status: str,
    updated_at: dt.datetime,
    *,
    handed_off_at: dt.datetime | None = None,
    files: tuple[bytes, ...] = (),
    received_at: dt.datetime | None = None,
    prefilled_from: int | None = None,
) -> int:
    """An application with an answer, a signature, a finding, a message, a decision and (if
    given) a hand-off receipt and uploaded files that really are on disk."""
    from sqlmodel import Session

    from intake.models import (
        Answer,
        Application,
        Attachment,
        Decision,
        DecisionObstacle,
        Finding,
        HandoffReceipt,
        Message,
        Signature,
    )

    with Session(world.engine) as db:
        application = Application(
            household_id=world.household_id,
            month=month,
            status=status,
            created_at=updated_at,
            updated_at=updated_at,
            prefilled_from=prefilled_from,
        )
        db.add(application)
        db.flush()
        app_id = application.id or 0
        db.add(Answer(application_id=app_id, key="rent", value=785000, updated_at=updated_at))
        db.add(Finding(application_id=app_id, code="missing_proof", severity="blocking"))
        db.add(
            Message(
                household_id=world.household_id,
                application_id=app_id,
                direction="to_applicant",
                body="Hej",
            )
        )
        if status != "draft":
            db.add(
                Signature(
                    application_id=app_id,
                    person_id=world.person_id,
                    role="applicant",
                    outcome="signed",
                    method="test",
                )
            )
        if handed_off_at is not None:
            decision = Decision(
                application_id=app_id, outcome="granted", amount_ore=100, decided_by=world.staff_id
            )
            db.add(decision)
            db.flush()
            db.add(
                DecisionObstacle(
                    decision_id=decision.id or 0, person_id=world.person_id, code="unemployed"
                )
            )
            db.add(
                HandoffReceipt(
                    application_id=app_id,
                    token_id=world.token_id,
                    received_at=handed_off_at,
                    document_version="1",
                )
            )
        for index, content in enumerate(files):
            relative = f"{app_id}/{uuid.uuid4().hex}.pdf"
            path = world.uploads / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            db.add(
                Attachment(
                    application_id=app_id,
                    answer_key="rent",
                    filename=f"document{index}.pdf",
                    content_type="application/pdf",
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    storage_path=relative,
                    received_at=received_at or updated_at,
                )
            )
        db.commit()
        return app_id
