"""Rate-limit counters and the staff sign-in back-off, on the database (SQLite, and PostgreSQL
in that run) and on Redis when one answers on 127.0.0.1:6379."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from intake.models import RateLimit
from portal.ratelimit import DatabaseStore, Limit, Limiter, RedisStore, Store, rule_for

pytestmark = pytest.mark.db

REDIS_URL = "redis://127.0.0.1:6379/15"
LIMITS = {"sign_in": Limit(3, 60), "upload": Limit(5, 60), "survey": Limit(2, 60)}


def _redis_store() -> RedisStore:
    store = RedisStore(REDIS_URL, prefix=f"test:{secrets.token_hex(4)}:")
    try:
        store.redis.ping()
    except Exception:  # noqa: BLE001 - no Redis here
        pytest.skip("no Redis on 127.0.0.1:6379")
    return store


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Store]:
    if request.param == "database":
        yield DatabaseStore(engine)
    else:
        redis_store = _redis_store()
        yield redis_store
        for key in redis_store.redis.scan_iter(redis_store.prefix + "*"):
            redis_store.redis.delete(key)


def limiter(store: Store, free: int = 3, cap: int = 60) -> Limiter:
    return Limiter(store, secrets.token_hex(16), LIMITS, free, cap)


def test_limit_text() -> None:
    assert Limit.parse("30/300") == Limit(30, 300)


def test_requests_are_counted_per_window_and_subject(store: Store) -> None:
    limits = limiter(store)
    now = 1_800_000_000.0  # at the start of a 60-second window
    verdicts = [limits.check("sign_in", "address:10.0.0.1", now + i) for i in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert verdicts[-1].count == 4 and verdicts[-1].retry_after == 57
    assert limits.check("sign_in", "address:10.0.0.2", now + 4).allowed  # someone else
    assert limits.check("survey", "address:10.0.0.1", now + 4).allowed  # another rule
    assert limits.check("sign_in", "address:10.0.0.1", now + 60).count == 1  # a new window


def test_counting_is_atomic_across_threads(store: Store) -> None:
    limits = limiter(store)
    now = 1_800_000_120.0
    counts: list[int] = []

    def hit() -> None:
        for _ in range(10):
            counts.append(limits.check("upload", "session:x", now).count)

    threads = [threading.Thread(target=hit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 51))  # every request its own number


def test_backoff_grows_and_is_capped() -> None:
    limits = Limiter(DatabaseStore.__new__(DatabaseStore), "s", LIMITS, 3, 60)
    assert [limits.backoff_delay(n) for n in range(9)] == [0, 0, 0, 2, 4, 8, 16, 32, 60]


def test_failed_sign_ins_hold_the_username_back_until_a_success(store: Store) -> None:
    limits = limiter(store, free=2, cap=900)
    now = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    name = f"user{secrets.token_hex(3)}"
    limits.sign_in_failed(name, now)
    assert limits.backoff_remaining(name, now) == 0
    limits.sign_in_failed(name, now)
    assert limits.backoff_remaining(name, now) == 2
    assert limits.backoff_remaining(f"  {name.upper()} ", now) == 2  # same person typed
    assert limits.backoff_remaining(name, now + dt.timedelta(seconds=2)) == 0
    limits.sign_in_failed(name, now + dt.timedelta(seconds=3))
    assert limits.backoff_remaining(name, now + dt.timedelta(seconds=3)) == 4
    limits.sign_in_succeeded(name)
    assert limits.backoff_remaining(name, now + dt.timedelta(seconds=3)) == 0


def test_failures_are_forgotten_after_a_quiet_day(engine: Engine) -> None:
    limits = limiter(DatabaseStore(engine), free=1)
    now = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    for _ in range(5):
        limits.sign_in_failed("quiet", now)
    later = now + dt.timedelta(days=1, seconds=1)
    assert limits.backoff_remaining("quiet", later) == 0
    assert limits.sign_in_failed("quiet", later) == 1


def test_no_address_or_username_is_stored(engine: Engine) -> None:
    limits = limiter(DatabaseStore(engine))
    limits.check("sign_in", "address:192.0.2.77", 1_800_000_300.0)
    limits.sign_in_failed("kerstin.karlsson")
    with Session(engine) as db:
        keys = [row.key for row in db.exec(select(RateLimit)).all()]
    assert keys
    assert not [key for key in keys if "192.0.2.77" in key or "kerstin" in key]


@pytest.mark.parametrize(
    ("method", "path", "content_type", "rule"),
    [
        ("POST", "/login/staff", "application/x-www-form-urlencoded", "sign_in"),
        ("POST", "/login/test-eid", "application/x-www-form-urlencoded", "sign_in"),
        ("POST", "/login/bankid", "application/x-www-form-urlencoded", "sign_in"),
        ("GET", "/login/staff", "", None),
        ("POST", "/applicant/apply/2026-12/step/rent", "multipart/form-data; boundary=x", "upload"),
        ("POST", "/applicant/apply/2026-12/step/rent", "application/x-www-form-urlencoded", None),
        ("GET", "/survey/t/abc", "", "survey"),
        ("POST", "/survey/t/abc", "application/x-www-form-urlencoded", "survey"),
        ("GET", "/survey/thanks", "", None),
    ],
)
def test_which_requests_count(method: str, path: str, content_type: str, rule: str | None) -> None:
    headers = [(b"content-type", content_type.encode())] if content_type else []
    scope = {"type": "http", "method": method, "path": path, "headers": headers}
    assert rule_for(scope) == rule
