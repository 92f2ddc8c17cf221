"""Ramp benchmark (issue 13, F1): how the portal behaves from 10 to 2 000 concurrent requests.

Starts ``portal serve --workers 2`` on SQLite and on PostgreSQL (a schema of its own in the
database given, dropped afterwards), adds the demo data and a few signed-in applicants with an
application begun, and ramps the number of concurrent clients (10, 50, 100, 200, 300, 500,
1 000, 2 000 by default) for:

- ``anonymous /``: ``GET /`` with ``Cookie: portal_session=junk`` (the probe of issue 13);
- ``question page``: a signed-in applicant's question page (signed in with the test e-ID);
- ``minimal``: the smallest FastAPI endpoint (bench/minimal_app.py) served the same way, once
  per run, as the baseline.

Each client sends one request after another for a few seconds per step, each with a budget of
2 s (connect, queue, answer). Per step it prints the count of 2xx, deliberate 503 (with
Retry-After), other 5xx, time-outs and connection errors, p50/p95 in ms, requests per second,
and per scenario the concurrency at the first error (a 5xx other than a 503 with Retry-After,
a time-out or a dropped connection). Never asserts. Targets (2 cores, --workers 2): no error
at any step up to 2 000; no 503 up to 300 concurrent question pages.

Run: make ramp   or   .venv/bin/python bench/ramp.py [--backends sqlite,postgresql]
     [--steps 10,50,...] [--seconds 3] [--workers 2]
     [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.apply_flow import add_single_adults, free_port  # noqa: E402
from bench.load.run import start, stop  # noqa: E402

BIN = Path(sys.executable).parent
BUDGET = 2.0  # seconds a request may take, everything included
STEPS = "10,50,100,200,300,500,1000,2000"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SIGNED_IN = 20  # applicants whose sessions the question-page clients share


@dataclass
class Step:
    concurrency: int
    seconds: float = 0.0
    ok: int = 0
    shed: int = 0  # 503 with Retry-After: a deliberate, quick answer
    bare_503: int = 0  # 503 without Retry-After (e.g. uvicorn's own limit)
    server_error: int = 0
    other: int = 0  # 3xx/4xx: the scenario is wrong, not the server
    timeouts: int = 0
    dropped: int = 0  # connection refused or reset
    times: list[float] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.bare_503 + self.server_error + self.timeouts + self.dropped

    @property
    def total(self) -> int:
        return self.ok + self.shed + self.bare_503 + self.server_error + self.other + self.errors

    def row(self) -> str:
        times = sorted(self.times)
        p50 = statistics.median(times) * 1000 if times else 0.0
        p95 = times[int(0.95 * (len(times) - 1))] * 1000 if times else 0.0
        rate = self.total / self.seconds if self.seconds else 0.0
        return (
            f"{self.concurrency:>6} {self.total:>7} {rate:>7.0f} {self.ok:>7} {self.shed:>6} "
            f"{self.bare_503 + self.server_error:>6} {self.timeouts:>6} {self.dropped:>6} "
            f"{self.other:>6} {p50:>7.0f} {p95:>7.0f}"
        )


HEADER = (
    f"{'conc':>6} {'reqs':>7} {'req/s':>7} {'2xx':>7} {'503RA':>6} {'5xx':>6} {'t/o':>6} "
    f"{'drop':>6} {'other':>6} {'p50ms':>7} {'p95ms':>7}"
)


def raise_open_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, wanted), hard) if hard != resource.RLIM_INFINITY else max(soft, wanted)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


async def one(client: aiohttp.ClientSession, url: str, cookie: str, step: Step) -> None:
    started = time.perf_counter()
    try:
        async with client.get(url, headers={"Cookie": cookie}, allow_redirects=False) as response:
            await response.read()
            status = response.status
            retry_after = response.headers.get("Retry-After")
    except TimeoutError:
        step.timeouts += 1
        return
    except aiohttp.ClientError:
        step.dropped += 1
        await asyncio.sleep(0.05)
        return
    step.times.append(time.perf_counter() - started)
    if 200 <= status < 300:
        step.ok += 1
    elif status == 503 and retry_after:
        step.shed += 1
    elif status == 503:
        step.bare_503 += 1
    elif status >= 500:
        step.server_error += 1
    else:
        step.other += 1


async def run_step(
    base: str, path: str, cookies: list[str], concurrency: int, seconds: float
) -> Step:
    step = Step(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=BUDGET)
    async with aiohttp.ClientSession(
        base, connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def user(index: int) -> None:
            cookie = cookies[index % len(cookies)]
            while time.perf_counter() < deadline:
                await one(client, path, cookie, step)

        await asyncio.gather(*(user(i) for i in range(concurrency)))
        step.seconds = time.perf_counter() - started
    return step


def ramp(base: str, path: str, cookies: list[str], steps: list[int], seconds: float) -> list[Step]:
    results = []
    for concurrency in steps:
        results.append(asyncio.run(run_step(base, path, cookies, concurrency, seconds)))
        time.sleep(1.0)  # let the server drain the last step's connections
    return results


def sign_in(base: str, numbers: list[str]) -> tuple[list[str], str]:
    """Sessions of applicants who have begun their application; the first question's path."""
    cookies = []
    path = ""
    for pnr in numbers:
        with httpx.Client(base_url=base, timeout=10) as client:
            page = client.get("/login/test-eid").text
            token = CSRF.search(page)
            assert token, "no CSRF token on the sign-in page"
            client.post("/login/test-eid", data={"pnr": pnr, "csrf_token": token.group(1)})
            page = client.get("/applicant/apply").text
            token = CSRF.search(page)
            assert token, "no CSRF token on the apply page"
            answer = client.post("/applicant/apply", data={"csrf_token": token.group(1)})
            path = answer.headers["location"]
            assert "/step/" in path, f"no question after starting: {path}"
            assert client.get(path).status_code == 200
            cookies.append("; ".join(f"{k}={v}" for k, v in client.cookies.items()))
    return cookies, path


def print_table(title: str, results: list[Step]) -> None:
    print(f"\n{title}")
    print(HEADER)
    for step in results:
        print(step.row())
    first_error = next((s.concurrency for s in results if s.errors), None)
    first_shed = next((s.concurrency for s in results if s.shed), None)
    print(
        f"  first error at: {first_error or 'none'}; first 503 with Retry-After at: "
        f"{first_shed or 'none'}"
    )


def portal_env(folder: Path, url: str, workers: int) -> dict[str, str]:
    return {
        **os.environ,
        "PORTAL_MODE": "development",
        "PORTAL_VAR_DIR": str(folder / "var"),
        "PORTAL_DATABASE_URL": url,
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(32),
        "PORTAL_WORKERS": str(workers),
        "PYTHONPATH": str(ROOT),
        "RAMP_LOG": str(folder / "server.log"),
    }


def bench_portal(
    name: str, url: str, folder: Path, args: argparse.Namespace, steps: list[int]
) -> None:
    numbers = add_single_adults(url, SIGNED_IN, "Rampkommun", "Ramp")
    env = portal_env(folder, url, args.workers)
    port = free_port()
    process = start(
        [str(BIN / "portal"), "serve", "--port", str(port), "--workers", str(args.workers)],
        env,
        port,
        log=env.get("RAMP_LOG", os.devnull),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        cookies, question = sign_in(base, numbers)
        # Warm-up (not counted): every worker compiles its templates and opens connections.
        ramp(base, "/", ["portal_session=junk"], [20], 1.0)
        ramp(base, question, cookies, [20], 1.0)
        load_before = os.getloadavg()[0]
        anonymous = ramp(base, "/", ["portal_session=junk"], steps, args.seconds)
        pages = ramp(base, question, cookies, steps, args.seconds)
        load_after = os.getloadavg()[0]
        # /readyz under the heaviest load of the run: how long it takes.
        ready = asyncio.run(readyz_under_load(base, question, cookies, max(steps)))
    finally:
        stop(process)
    print(f"\n=== {name}: portal serve --workers {args.workers} ===")
    print(
        f"load average (1 min) before / after: {load_before:.1f} / {load_after:.1f} "
        f"on {os.cpu_count()} cores shared with the load generator and the database"
    )
    print_table("anonymous GET / with Cookie: portal_session=junk", anonymous)
    print_table(f"signed-in question page ({question.rsplit('/', 1)[-1]})", pages)
    print(f"  /readyz during {max(steps)} concurrent question pages: {ready}")
    log = Path(env["RAMP_LOG"])
    if log.exists():
        tracebacks = log.read_text(errors="replace").count("Traceback")
        print(f"  tracebacks in the server log: {tracebacks}")


async def readyz_under_load(base: str, path: str, cookies: list[str], concurrency: int) -> str:
    """/readyz asked by another process (curl) in the middle of a step, so that the load
    generator's own event loop does not add to the time measured."""
    if shutil.which("curl") is None:
        return "not measured (no curl)"
    task = asyncio.create_task(run_step(base, path, cookies, concurrency, 3.0))
    await asyncio.sleep(1.5)
    probe = await asyncio.create_subprocess_exec(
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "--max-time",
        "5",
        "-w",
        "%{http_code} %{time_total}",
        f"{base}/readyz",
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await probe.communicate()
    await task
    code, _, seconds = output.decode().partition(" ")
    return f"{code} in {float(seconds or 0) * 1000:.0f} ms"


def bench_minimal(args: argparse.Namespace, steps: list[int], folder: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.minimal_app:create",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--backlog",
            "4096",
        ],
        env,
        port,
        log=env.get("RAMP_LOG", os.devnull),
    )
    try:
        results = ramp(f"http://127.0.0.1:{port}", "/", ["x=1"], steps, args.seconds)
    finally:
        stop(process)
    print_table(
        f"=== baseline: minimal FastAPI endpoint, uvicorn --workers {args.workers} ===", results
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--steps", default=STEPS)
    parser.add_argument("--seconds", type=float, default=3.0, help="per step")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RAMP_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    steps = [int(part) for part in args.steps.split(",")]
    raise_open_files(max(steps) * 3 + 1000)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    print(
        f"Ramp: {','.join(map(str, steps))} concurrent clients, {args.seconds:g} s per step, "
        f"{BUDGET:g} s budget per request; {os.cpu_count()} cores; load average now "
        f"{os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.no_baseline:
            bench_minimal(args, steps, folder)
        for backend in args.backends.split(","):
            sub = folder / backend
            sub.mkdir()
            if backend == "sqlite":
                bench_portal("SQLite", f"sqlite:///{sub / 'portal.db'}", sub, args, steps)
                continue
            schema = f"ramp_{secrets.token_hex(4)}"
            admin = create_engine(
                args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
            )
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            base = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
            url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
            try:
                bench_portal("PostgreSQL", url, sub, args, steps)
            finally:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
