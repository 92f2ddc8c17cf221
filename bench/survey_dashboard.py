"""The quality dashboard with 50 000 seeded survey answers: how long a request takes, printed
(never asserted). Target: p95 <= 300 ms for the dashboard.

The app is served by uvicorn on 127.0.0.1 in a thread, on a fresh database (SQLite by default,
or --database-url postgresql://...), with the demo data and `portal survey seed --answers N`.
Measured in the same run, alternating request by request: the dashboard (last 12 months, and
24 months), the CSV export, and as baselines a minimal endpoint (/healthz) and a minimal rendered
page (/accessibility).

Run: .venv/bin/python bench/survey_dashboard.py [--answers 50000] [--requests 100]
"""

from __future__ import annotations

import argparse
import http.client
import re
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from intake.models import Unit, utcnow  # noqa: E402
from intake.survey.invitations import add_months  # noqa: E402
from intake.survey.questions import CURRENT_VERSION, question_set  # noqa: E402
from portal import demo, survey_seed  # noqa: E402
from portal.app import create_app  # noqa: E402
from portal.db import make_engine, migrate  # noqa: E402
from portal.settings import Settings  # noqa: E402
from portal.survey_invitations import this_month  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browser:
    """One keep-alive connection with a cookie jar, like one quality manager's browser."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, elapsed

    def sign_in(self, username: str, password: str) -> None:
        _, page, _ = self.request("GET", "/login/staff")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, "no CSRF token on the sign-in page"
        status, _, _ = self.request(
            "POST",
            "/login/staff",
            f"username={username}&password={password}&csrf_token={token.group(1)}",
        )
        assert status == 303, f"sign-in failed ({status})"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=50_000, help="seeded answers")
    parser.add_argument("--requests", type=int, default=100, help="requests per endpoint")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        settings = Settings(
            var_dir=Path(folder), database_url=url, secret_key=secrets.token_urlsafe(32)
        )
        engine = make_engine(url)
        migrate(engine)
        with Session(engine) as db:
            demo.seed(db, settings.municipality_name)
            units = [u for u in db.exec(select(Unit.id).order_by(col(Unit.id))).all() if u]
            started = time.perf_counter()
            survey_seed.seed(
                db,
                question_set(CURRENT_VERSION),
                answers=args.answers,
                last_month=this_month(utcnow()),
                months=24,
                units=units,
            )
            seeding = time.perf_counter() - started

        app = create_app(settings, engine)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)

        browser = Browser(port)
        browser.sign_in("kvalitet", "demo-kvalitet")
        current = this_month(utcnow())
        endpoints = {
            "dashboard, 12 months": "/quality",
            "dashboard, 24 months": f"/quality?from={add_months(current, -23)}&to={current}",
            "CSV export, 12 months": "/quality/export.csv",
            "minimal page /accessibility": "/accessibility",
            "minimal endpoint /healthz": "/healthz",
        }
        for path in endpoints.values():  # warm-up: templates compiled, caches filled
            for _ in range(3):
                status, body, _ = browser.request("GET", path)
                assert status == 200, (path, status)
        assert 'id="questions-title"' in browser.request("GET", "/quality")[1], "no results shown"
        timings: dict[str, list[float]] = {name: [] for name in endpoints}
        for _ in range(args.requests):
            for name, path in endpoints.items():
                timings[name].append(browser.request("GET", path)[2] * 1000)
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()

    baseline = statistics.median(timings["minimal endpoint /healthz"])
    print(f"Seeded {args.answers} answers over 24 months in {seeding:.1f} s ({url.split(':')[0]}).")
    print(f"{args.requests} requests each, alternating, one keep-alive connection:\n")
    print(f"{'':30} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'median / healthz':>17}")
    for name, values in timings.items():
        print(
            f"{name:30} {statistics.median(values):10.1f} {percentile(values, 0.95):8.1f} "
            f"{max(values):8.1f} {statistics.median(values) / baseline:17.1f}"
        )
    p95 = percentile(timings["dashboard, 12 months"], 0.95)
    print(f"\nDashboard p95 {p95:.1f} ms (target <= 300 ms): {'met' if p95 <= 300 else 'NOT met'}.")


if __name__ == "__main__":
    main()
