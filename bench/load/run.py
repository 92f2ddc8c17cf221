"""The month-end rush, measured: simulated applicants doing the whole monthly application with
uploads (locust, bench/load/locustfile.py) against ``portal serve --workers 4`` on PostgreSQL
and Redis, then the same number of users against a minimal FastAPI endpoint served the same
way on the same machine, in the same run. Prints throughput, p50/p95/p99 and the error rate for
each kind of request; never asserts. Target: no errors at 50 concurrent applicants, p95 <= 200
ms for question pages.

PostgreSQL gets a schema of its own in the database given (dropped afterwards); Redis holds the
rate-limit counters (on, as in production) and the extraction queue.

Run: .venv/bin/python bench/load/run.py [--users 50] [--seconds 60] [--workers 4] [--think 0.3,1]
     [--database-url postgresql://postgres@127.0.0.1:5432/test] [--redis redis://127.0.0.1:6379]
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.apply_flow import add_single_adults, free_port  # noqa: E402

BIN = Path(sys.executable).parent
FAILURES: list[str] = []


def schema_url(base: str, schema: str) -> str:
    url = base.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def prepare(url: str, households: int) -> list[str]:
    """Migrate, add the demo data and ``households`` single adults with three earlier months."""
    return add_single_adults(url, households, "Lastkommun", "Last")


def start(
    command: list[str], env: dict[str, str], port: int, log: str | None = None
) -> subprocess.Popen[bytes]:
    """Start the server in its own process group; return once /healthz answers. Its errors go
    to the file ``log`` when given (appended), else to this process's."""
    process = subprocess.Popen(  # noqa: S603
        command,
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "ab") if log else None,  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"{command} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def locust(
    user_class: str, port: int, users: int, seconds: int, out: Path, env: dict[str, str]
) -> list[dict[str, str]]:
    subprocess.run(  # noqa: S603
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "load" / "locustfile.py"),
            user_class,
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(out),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "120",  # at the end every applicant finishes the application it is in
        ],
        env=env,
        cwd=ROOT,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # locust's own summary; the figures come from its CSV
    )
    with open(f"{out}_failures.csv", newline="") as handle:
        for failure in csv.DictReader(handle):
            FAILURES.append(
                f"{failure['Occurrences']} x {failure['Method']} {failure['Name']}: "
                f"{failure['Error'][:160]}"
            )
    with open(f"{out}_stats.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def row(stats: dict[str, str]) -> str:
    count = int(stats["Request Count"])
    failures = int(stats["Failure Count"])
    rate = 100 * failures / count if count else 0.0
    return (
        f"{stats['Name'][:24]:<24} {count:>7} {float(stats['Requests/s']):>8.1f} "
        f"{stats['50%']:>7} {stats['95%']:>7} {stats['99%']:>7} {failures:>6} {rate:>6.2f}%"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--households", type=int, default=0, help="default: 13 per user")
    parser.add_argument(
        "--think",
        default="0.3,1.0",
        help="seconds between two taps of one applicant, min,max (default: the rush at its "
        "worst; 2,6 is people reading each question)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--redis", default=os.environ.get("LOAD_REDIS", "redis://127.0.0.1:6379"))
    args = parser.parse_args()
    # Stopped from outside: still stop the servers and drop the schema (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    schema = f"load_{secrets.token_hex(4)}"
    admin = create_engine(args.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(args.database_url, schema)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            started = time.perf_counter()
            numbers = prepare(url, args.households or args.users * 13)
            prepared = time.perf_counter() - started
            # The warm-up's applicants are not the measured run's: each household applies once.
            (folder / "warmup.txt").write_text("\n".join(numbers[: args.users]))
            (folder / "personnummer.txt").write_text("\n".join(numbers[args.users :]))
            port = free_port()
            env = {
                **os.environ,
                "PORTAL_VAR_DIR": str(folder / "var"),
                "PORTAL_DATABASE_URL": url,
                "PORTAL_SECRET_KEY": secrets.token_urlsafe(32),
                "PORTAL_RATE_LIMITS": "true",
                # Everyone comes from 127.0.0.1 here: the limits are counted (their cost is
                # measured) but set high enough for one address to be the whole town.
                "PORTAL_RATE_LIMIT_SIGN_IN": "1000000/300",
                "PORTAL_RATE_LIMIT_UPLOAD": "1000000/600",
                "PORTAL_RATE_LIMIT_URL": f"{args.redis}/2",
                "PORTAL_QUEUE_URL": f"{args.redis}/3",
                "LOAD_PERSONNUMMER": str(folder / "personnummer.txt"),
                "LOAD_THINK": args.think,
                "PYTHONPATH": str(ROOT),
            }
            portal = start(
                [
                    str(BIN / "portal"),
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                ],
                env,
                port,
            )
            try:
                # Warm-up, not counted: every worker compiles its templates and fills its pool.
                warmup_env = {**env, "LOAD_PERSONNUMMER": str(folder / "warmup.txt")}
                locust("ApplicantUser", port, 8, 10, folder / "warmup", warmup_env)
                FAILURES.clear()  # the warm-up's own do not count
                load_before = os.getloadavg()[0]
                portal_stats = locust(
                    "ApplicantUser", port, args.users, args.seconds, folder / "portal", env
                )
                load_after = os.getloadavg()[0]
            finally:
                stop(portal)
            minimal_port = free_port()
            minimal = start(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bench.minimal_app:create",
                    "--factory",
                    "--port",
                    str(minimal_port),
                    "--workers",
                    str(args.workers),
                    "--log-level",
                    "warning",
                ],
                env,
                minimal_port,
            )
            try:
                locust("MinimalUser", minimal_port, 8, 5, folder / "warmup-minimal", env)
                minimal_stats = locust(
                    "MinimalUser", minimal_port, args.users, args.seconds, folder / "minimal", env
                )
            finally:
                stop(minimal)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    print(
        f"Month-end rush: {args.users} concurrent applicants for {args.seconds} s, "
        f"{args.think.replace(',', '-')} s between taps, "
        f"portal serve --workers {args.workers}, PostgreSQL + Redis, {os.cpu_count()} CPU cores "
        f"shared with the load generator and the database; {len(numbers)} households prepared "
        f"in {prepared:.0f} s. Times in ms (locust rounds above 100 ms to 10 ms)."
    )
    print(
        f"Load average of the machine (1 min) before / after the portal run: "
        f"{load_before:.1f} / {load_after:.1f} (above {os.cpu_count()} means other work "
        "competed for the cores)."
    )
    header = ("request", "count", "req/s", "p50", "p95", "p99", "errors", "rate")
    print(f"{header[0]:<24} " + " ".join(f"{name:>7}" for name in header[1:]))
    for stats in portal_stats:
        print(row(stats))
    print("baseline, same machine, same run:")
    for stats in minimal_stats:
        if stats["Name"] == "Aggregated":
            continue
        print(row(stats))
    for failure in FAILURES:
        print("  error:", failure)
    question = next((s for s in portal_stats if s["Name"] == "question page"), None)
    total = next(s for s in portal_stats if s["Name"] == "Aggregated")
    base = next(s for s in minimal_stats if s["Name"] == "minimal endpoint")
    finished = next((s for s in portal_stats if s["Name"] == "receipt page"), None)
    print(
        f"applications sent: {finished['Request Count'] if finished else 0}; "
        f"errors: {total['Failure Count']} of {total['Request Count']} requests"
    )
    if question:
        ratio = float(question["50%"]) / max(1.0, float(base["50%"]))
        print(
            f"question pages p95 {question['95%']} ms (target <= 200); minimal endpoint p95 "
            f"{base['95%']} ms; p50 ratio x{ratio:.1f}"
        )


if __name__ == "__main__":
    main()
