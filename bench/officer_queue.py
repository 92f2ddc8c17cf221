"""Figures for the case officer's queue (issue 6), printed, never asserted.

10 000 open (complete) applications from ``portal officer seed --households 10000`` on top of the
demo data; an officer of one unit (about half of them) lists the queue through HTTP against
uvicorn, one request at a time: the default list (waited longest first), later pages, and each
filter. Beside it, in the same run and served the same way, a minimal FastAPI endpoint and the
portal's own /healthz. Target: the queue list answers in p95 <= 150 ms on this machine.

Run: .venv/bin/python bench/officer_queue.py [--households 10000] [--requests 200]
     [--database-url postgresql://postgres@127.0.0.1:5432/bench]  (an empty database)
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from bench.apply_flow import free_port, serve  # noqa: E402
from portal import demo  # noqa: E402
from portal.db import make_engine, migrate  # noqa: E402
from portal.officer_seed import seed  # noqa: E402

VARIANTS = {
    "queue, default (waited longest first)": "/officer",
    "queue, page 40": "/officer?page=40",
    "queue, newest first": "/officer?sort=newest",
    "assigned to me": "/officer?assigned=me",
    "unassigned, 14 days or more": "/officer?assigned=unassigned&min_days=14",
    "changed since last month": "/officer?flag=changed",
    "open findings + action plan due": "/officer?flag=findings&flag=plan",
    "single parents, Arabic": "/officer?household_type=single_parent&language=ar",
    "changed + plan, by month": "/officer?flag=changed&flag=plan&sort=month",
}


def prepare(url: str, households: int) -> float:
    engine = make_engine(url)
    migrate(engine)
    started = time.perf_counter()
    with Session(engine) as db:
        demo.seed(db, "Benchkommun")
        seed(db, households, rng=random.Random(6))
    engine.dispose()
    return time.perf_counter() - started


def signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(
        base_url=base, timeout=30, headers={"Accept-Language": "en"}, follow_redirects=True
    )
    page = client.get("/login/staff").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    response = client.post(
        "/login/staff",
        data={"username": username, "password": f"demo-{username}", "csrf_token": token.group(1)},
    )
    assert response.status_code == 200 and "/officer" in str(response.url), response.status_code
    return client


def timed(client: httpx.Client, path: str, count: int) -> list[float]:
    for _ in range(5):  # warm-up
        client.get(path)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(values: list[float]) -> tuple[float, float]:
    return statistics.median(values) * 1000, percentile(values, 0.95) * 1000


def concurrent(base: str, path: str, officers: int, each: int) -> list[float]:
    timings: list[float] = []
    clients = [signed_in(base, "handlaggare") for _ in range(officers)]

    def run(client: httpx.Client) -> None:
        timings.extend(timed(client, path, each))

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="", help="an empty database (default SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        url = args.database_url or f"sqlite:///{var / 'portal.db'}"
        seconds = prepare(url, args.households)
        port, minimal_port = free_port(), free_port()
        server = serve(var, port, "portal.app:create_app", database_url=url)
        minimal = serve(var, minimal_port, "bench.minimal_app:create", database_url=url)
        base = f"http://127.0.0.1:{port}"
        results: dict[str, list[float]] = {}
        try:
            client = signed_in(base, "handlaggare")
            queue = client.get("/officer").text
            shown = re.search(r"([\d\s,\u00a0]+) applications", queue)
            for name, path in VARIANTS.items():
                results[name] = timed(client, path, args.requests)
            results["/healthz (portal)"] = timed(client, "/healthz", args.requests)
            baseline = timed(
                httpx.Client(base_url=f"http://127.0.0.1:{minimal_port}"), "/", args.requests
            )
            busy = concurrent(base, "/officer", 4, max(args.requests // 4, 10))
        finally:
            server.terminate()
            minimal.terminate()
            server.wait()
            minimal.wait()

    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"Officer queue: {args.households} households seeded in {seconds:.1f} s ({backend}),")
    print(
        f"  {args.households} open applications; the officer's unit shows "
        f"{shown.group(1).strip() if shown else '?'}; {args.requests} requests each, one at a time"
    )
    b50, b95 = figures(baseline)
    print(f"  {'request':<42} {'p50 ms':>8} {'p95 ms':>8} {'p95 / minimal':>14}")
    for name, values in results.items():
        p50, p95 = figures(values)
        print(f"  {name:<42} {p50:8.1f} {p95:8.1f} {p95 / b95:13.1f}x")
    print(f"  {'minimal FastAPI endpoint (same run)':<42} {b50:8.1f} {b95:8.1f} {1:13.1f}x")
    c50, c95 = figures(busy)
    print(f"  {'queue, default, 4 officers at once':<42} {c50:8.1f} {c95:8.1f} {c95 / b95:13.1f}x")
    queue_names = [name for name in results if not name.startswith("/")]
    default = figures(results[queue_names[0]])[1]
    worst = max(queue_names, key=lambda name: figures(results[name])[1])
    print(
        f"  target p95 <= 150 ms for the queue list: default {default:.1f} ms; "
        f"slowest variant ({worst}) {figures(results[worst])[1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
