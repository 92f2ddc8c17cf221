"""Fixtures shared by every layer: settings, a migrated database with demo data, clients.

The database is SQLite in a temporary folder, or PostgreSQL when PORTAL_TEST_BACKEND=postgresql
(with PORTAL_TEST_DATABASE_URL): then every run works in a schema of its own, dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal import demo
from portal.app import create_app
from portal.db import make_engine, migrate
from portal.settings import Settings

BACKEND = os.environ.get("PORTAL_TEST_BACKEND", "sqlite")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.path)
        if "/tests/http/" in path:
            item.add_marker(pytest.mark.db)
        if "/tests/browser/" in path:
            item.add_marker(pytest.mark.browser)


def _postgres_url(schema: str) -> str:
    base = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not base:
        pytest.skip("PORTAL_TEST_DATABASE_URL is not set")
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def _database(folder: Path, name: str) -> Iterator[str]:
    """A new empty database: a SQLite file in ``folder``, or a PostgreSQL schema of its own."""
    if BACKEND != "postgresql":
        yield f"sqlite:///{folder / (name + '.db')}"
        return
    schema = f"{name}_{uuid.uuid4().hex[:12]}"
    url = _postgres_url(schema)
    admin = sa_create_engine(url.split("?")[0])
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _database(tmp_path_factory.mktemp("db"), "test")


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A second, empty database for tests that migrate from nothing."""
    yield from _database(tmp_path, "fresh")


@pytest.fixture
def command_database(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """A fresh migrated database that ``portal`` commands use through PORTAL_DATABASE_URL."""
    from portal.settings import get_settings

    engine = make_engine(empty_database_url)
    migrate(engine)
    monkeypatch.setenv("PORTAL_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PORTAL_MODE", "development")
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()
    engine.dispose()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Settings:
    var = tmp_path_factory.mktemp("var")
    return Settings(
        mode="development",
        var_dir=var,
        database_url=database_url,
        secret_key=secrets.token_urlsafe(32),
        municipality_name="Testkommun",
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    migrate(engine)
    with Session(engine) as db:
        demo.seed(db, settings.municipality_name)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture(scope="session")
def app(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    return create_app(settings, engine)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


# --- helpers -----------------------------------------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: TestClient, path: str = "/") -> str:
    match = CSRF_FIELD.search(client.get(path).text)
    if not match:
        match = re.search(r'X-CSRF-Token": "([^"]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client: TestClient, path: str, data: dict[str, str], *, page: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf_of(client, page or path)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def login_staff(client: TestClient, username: str) -> None:
    staff = next(s for s in demo.STAFF if s.username == username)
    response = post_form(client, "/login/staff", {"username": username, "password": staff.password})
    assert response.status_code == 303, response.text


def applicant_pnr(label: str) -> str:
    household = next(h for h in demo.HOUSEHOLDS if h.label == label)
    return household.members[0].personnummer


def login_applicant(client: TestClient, label: str) -> None:
    login_pnr(client, applicant_pnr(label))


def login_pnr(client: TestClient, pnr: str) -> None:
    response = post_form(client, "/login/test-eid", {"pnr": pnr})
    assert response.status_code == 303, response.text


_serials = iter(range(100, 999))


def add_staff(db: Session, prefix: str, name: str, role: str):  # type: ignore[no-untyped-def]
    """A staff member of one test only, with one role: ``(user, password)``."""
    from intake.models import StaffRole, StaffUser
    from portal.auth import hash_password

    password = secrets.token_urlsafe(16)
    user = StaffUser(
        username=f"{prefix}-{secrets.token_hex(4)}",
        display_name=name,
        password_hash=hash_password(password),
    )
    db.add(user)
    db.commit()
    assert user.id is not None
    db.add(StaffRole(user_id=user.id, role=role))
    db.commit()
    return user, password


@pytest.fixture
def new_household(db: Session):  # type: ignore[no-untyped-def]
    """A fresh household with three earlier months, so that tests never share an application.

    Returns a factory: ``new_household(language="so", co_applicant=True, children=1)`` gives the
    DemoHousehold (its members carry valid personnummer) after storing it."""
    from sqlmodel import select

    from intake.models import MemberRole, Unit

    def make(
        language: str = "sv",
        *,
        co_applicant: bool = False,
        children: int = 0,
        incomes: tuple[tuple[str, str, int], ...] = (("Test", "salary", 1200000),),
        protected: bool = False,
    ) -> demo.DemoHousehold:
        def person(given: str, birth: str, role: MemberRole, days: int | None = None):  # type: ignore[no-untyped-def]
            return demo.DemoPerson(given, "Testsson", birth, f"{next(_serials):03d}", role, days)

        members = [person("Test", "19800101", MemberRole.applicant)]
        if co_applicant:
            members.append(person("Partner", "19820202", MemberRole.co_applicant))
        for index in range(children):
            members.append(person(f"Barn{index + 1}", "20150303", MemberRole.child, 30))
        household = demo.DemoHousehold(
            "test",
            language,
            0,
            tuple(members),
            rent_ore=785000,
            incomes=incomes,
            protected_identity=protected,
        )
        unit = db.exec(select(Unit)).first()
        assert unit is not None
        today = dt.date.today()
        demo.add_household(db, household, unit.id or 0, f"{today.year:04d}-{today.month:02d}")
        db.commit()
        return household

    return make


class PageChecker(HTMLParser):
    """Checks every page like notifications-admin's test client: a title, one h1, forms with an
    action and a method, no duplicate ids, no inline script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.problems: list[str] = []
        self.h1 = 0
        self.title = ""
        self._in_title = False
        self.html_attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_attrs = attributes
        if "id" in attributes and attributes["id"]:
            self.ids.append(attributes["id"])
        if tag == "h1":
            self.h1 += 1
        if tag == "title":
            self._in_title = True
        if tag == "form" and (not attributes.get("action") or not attributes.get("method")):
            self.problems.append(f"form without action/method: {attributes}")
        if tag == "script" and not attributes.get("src"):
            self.problems.append("inline script")
        if tag == "style" or "style" in attributes:
            self.problems.append(f"inline style on <{tag}>")
        if any(name.startswith("on") for name in attributes):
            self.problems.append(f"inline event handler on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def check_page(html: str) -> PageChecker:
    checker = PageChecker()
    checker.feed(html)
    duplicates = {i for i in checker.ids if checker.ids.count(i) > 1}
    assert not duplicates, f"duplicate ids: {duplicates}"
    assert not checker.problems, checker.problems
    assert checker.title.strip(), "page has no title"
    assert checker.h1 == 1, f"page has {checker.h1} h1 elements"
    assert checker.html_attrs.get("lang") and checker.html_attrs.get("dir")
    return checker
