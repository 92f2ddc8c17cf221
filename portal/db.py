"""Engine, sessions and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from alembic import command
from alembic.config import Config
from fastapi import Depends, Request
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from portal.settings import Capacity

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str, capacity: Capacity | None = None) -> Engine:
    """The engine of a web process sized by ``capacity`` (settings.capacity: one connection per
    admitted request and a few more, a short wait for one), or of a command."""
    pool: dict[str, Any] = {"pool_size": 40, "max_overflow": 40}
    if capacity is not None:
        pool = {
            "pool_size": capacity.pool_size,
            "max_overflow": capacity.pool_overflow,
            # An admitted request never waits long for a connection; if it does, something is
            # wrong, and the answer is a quick 503 with Retry-After (app.py), not a hang.
            "pool_timeout": capacity.pool_timeout_seconds,
        }
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **pool
        )
        _sqlite_pragmas(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, **pool)


def _sqlite_pragmas(engine: Engine, busy_timeout_ms: int = 30000) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        # Deleted rows are overwritten with zeros, not left in free space (survey links).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


READY_TIMEOUT_SECONDS = 1.0


def make_readiness_engine(engine: Engine) -> Engine:
    """The engine /readyz pings with: the same database as ``engine`` over a connection of its
    own (never the request pool, which may be exhausted under load) with short time-outs, so
    that the check answers within a second."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return engine  # an in-memory database exists only in the app's own pool
        return create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 0.5}, poolclass=NullPool
        )
    connect: dict[str, Any] = {"connect_timeout": 1}
    if "options" not in url.query:
        connect["options"] = "-c statement_timeout=800"
    if "connect_timeout" in url.query:
        url = url.difference_update_query(["connect_timeout"])
    return create_engine(
        url, pool_size=1, max_overflow=1, pool_timeout=0.5, pool_pre_ping=True, connect_args=connect
    )


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the database to the newest migration."""
    with engine.begin() as connection:
        config = alembic_config(str(engine.url.render_as_string(hide_password=False)))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def ping(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False
    return True


def get_session(request: Request) -> Iterator[Session]:
    """The request's session. It takes a connection from the pool only when it first runs a
    query and gives it back at the end of each transaction (commit, rollback, ``release``), so
    a request holds a connection only while it uses it, not while it waits for a thread."""
    with Session(request.app.state.engine) as session:
        yield session


def release(session: Session) -> None:
    """End the session's read transaction so that its connection goes back to the pool, keeping
    what it loaded (no expiry): for dependencies (the signed-in user, the API token) that run
    in a thread of their own before the route waits for the next one. Pending changes are
    left alone: a unit of work with writes ends with its own commit."""
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


SessionDep = Annotated[Session, Depends(get_session)]
