"""Figures for the monthly application (issue 3), printed, never asserted.

1. A "nothing changed" re-application (single adult, rent and one income) from signed in to
   signed, in a real browser: screens and taps, and whether anything was typed.
2. Bytes per question page: HTML + CSS + JS (no user images), raw and as sent (gzip).
3. Server time per question page with 20 concurrent simulated applicants on SQLite, beside a
   minimal FastAPI endpoint served the same way in the same run.

Run: .venv/bin/python bench/apply_flow.py [--applicants 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session, select  # noqa: E402

from intake.models import MemberRole, Unit  # noqa: E402
from portal import demo  # noqa: E402
from portal.db import make_engine, migrate  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def add_single_adults(url: str, count: int, municipality: str, given: str) -> list[str]:
    """Migrate the database at ``url``, add the demo data and ``count`` single adults (rent and
    one salary) with three earlier months; their personnummer."""
    engine = make_engine(url)
    migrate(engine)
    numbers = []
    with Session(engine) as db:
        demo.seed(db, municipality)
        unit = db.exec(select(Unit)).first()
        assert unit is not None
        today = dt.date.today()
        for index in range(count):
            serial = f"{index % 1000:03d}"
            birth = f"19{60 + index // 1000 % 40:02d}0{1 + index // 40000 % 9}01"
            person = demo.DemoPerson(given, f"Nr{index}", birth, serial, MemberRole.applicant)
            household = demo.DemoHousehold(
                given.lower(),
                "sv",
                0,
                (person,),
                rent_ore=785000,
                incomes=((given, "salary", 1500000),),
            )
            demo.add_household(db, household, unit.id or 0, f"{today.year}-{today.month:02d}")
            numbers.append(person.personnummer)
            if index % 200 == 199:
                db.commit()
        db.commit()
    engine.dispose()
    return numbers


def prepare(var: Path, applicants: int) -> list[str]:
    """A migrated SQLite database with demo data and ``applicants`` single adults."""
    return add_single_adults(f"sqlite:///{var / 'portal.db'}", applicants, "Benchkommun", "Bench")


def serve(
    var: Path, port: int, app: str = "portal.app:create_app", database_url: str | None = None
) -> subprocess.Popen[bytes]:
    """``app`` under uvicorn in a subprocess on 127.0.0.1, once it answers /healthz."""
    env = {**os.environ, "PORTAL_VAR_DIR": str(var), "PORTAL_SECRET_KEY": secrets.token_hex(32)}
    if database_url:
        env["PORTAL_DATABASE_URL"] = database_url
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


# --- 1. screens and taps ----------------------------------------------------------------------


def screens_and_taps(base: str, pnr: str) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    screens: list[str] = []
    taps = 0
    typed = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu"],
        )
        page = browser.new_context(base_url=base, viewport={"width": 360, "height": 740}).new_page()
        page.goto("/login/test-eid")
        page.fill("#pnr", pnr)
        page.click("main button[type=submit]")
        page.wait_for_url("**/applicant")
        screens.append("home")

        def tap(selector: str) -> None:
            nonlocal taps
            taps += 1
            page.click(selector)

        def go(selector: str) -> None:
            before = page.url
            tap(selector)
            page.wait_for_function("url => location.href !== url", arg=before)
            if "/step/" in page.url:
                page.wait_for_selector("#flow .question", state="attached")
            else:
                page.wait_for_load_state()
            screens.append(page.url.split("/")[-1])

        go("main a.button--primary")
        go("main form button[type=submit]")
        tap("label[for=value-no]")
        go("#flow .actions button")
        while "/review" not in page.url:
            tap("label[for=confirm-yes]")
            go("#flow .actions button")
        tap("label[for=field-declaration]")
        go("main form[action$='/sign'] button")
        browser.close()
    return {"screens": len(screens), "taps": taps, "typed_fields": typed, "path": screens}


# --- 2. bytes ----------------------------------------------------------------------------------


def page_bytes(base: str, pnr: str) -> dict[str, int]:
    client = httpx.Client(base_url=base, follow_redirects=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login/test-eid").text)
    assert token
    client.post("/login/test-eid", data={"pnr": pnr, "csrf_token": token.group(1)})
    page = client.get("/applicant/apply")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    step = client.post("/applicant/apply", data={"csrf_token": token.group(1)})
    assets = [m for m in re.findall(r'(?:href|src)="(/static/[^"]+)"', step.text)]
    raw = len(step.content)
    sent = step.num_bytes_downloaded  # as it came over the wire (httpx asks for gzip)
    for asset in assets:
        response = client.get(asset)
        raw += len(response.content)
        sent += response.num_bytes_downloaded
    fragment = client.get(str(step.url), headers={"HX-Request": "true"})
    return {
        "first_question_raw": raw,
        "first_question_gzip": sent,
        "next_question_fragment_raw": len(fragment.content),
        "next_question_fragment_gzip": fragment.num_bytes_downloaded,
        "assets": len(assets),
    }


# --- 3. server time ----------------------------------------------------------------------------


def timed_flow(base: str, pnr: str, timings: list[float], errors: list[str]) -> None:
    client = httpx.Client(base_url=base, timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login/test-eid").text)
    assert token
    csrf = token.group(1)
    client.post("/login/test-eid", data={"pnr": pnr, "csrf_token": csrf})
    response = client.post("/applicant/apply", data={"csrf_token": csrf})
    url = response.headers.get("location", "")
    while "/step/" in url:
        started = time.perf_counter()
        page = client.get(url)
        timings.append(time.perf_counter() - started)
        if page.status_code != 200:
            errors.append(f"GET {url} {page.status_code}")
            return
        data = {"csrf_token": csrf}
        if 'name="confirm"' in page.text:
            data["confirm"] = "yes"
        else:
            data["value"] = "no"
        started = time.perf_counter()
        answer = client.post(url, data=data)
        timings.append(time.perf_counter() - started)
        if answer.status_code != 303:
            errors.append(f"POST {url} {answer.status_code}")
            return
        url = answer.headers["location"]


def timed_minimal(base: str, count: int, timings: list[float]) -> None:
    client = httpx.Client(base_url=base, timeout=30)
    for _ in range(count):
        started = time.perf_counter()
        client.get("/")
        timings.append(time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        numbers = prepare(var, args.applicants + 2)
        port = free_port()
        server = serve(var, port)
        base = f"http://127.0.0.1:{port}"
        try:
            taps = screens_and_taps(base, numbers[-1])
            sizes = page_bytes(base, numbers[-2])
            timings: list[float] = []
            errors: list[str] = []
            threads = [
                threading.Thread(target=timed_flow, args=(base, pnr, timings, errors))
                for pnr in numbers[: args.applicants]
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait()
        minimal_port = free_port()
        minimal = serve(var, minimal_port, "bench.minimal_app:create")
        try:
            baseline: list[float] = []
            per_thread = max(1, len(timings) // args.applicants)
            threads = [
                threading.Thread(
                    target=timed_minimal,
                    args=(f"http://127.0.0.1:{minimal_port}", per_thread, baseline),
                )
                for _ in range(args.applicants)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            minimal.terminate()
            minimal.wait()

    print("1. Nothing-changed re-application (single adult, rent + one income), real browser")
    print(f"   screens from signed in to signed: {taps['screens']} (goal <= 12)")
    print(f"   taps: {taps['taps']} (goal <= 25), fields typed: {taps['typed_fields']}")
    print(f"   path: {' > '.join(str(p) for p in taps['path'])}")  # type: ignore[union-attr]
    print("2. Bytes per question page (HTML + CSS + JS, no user images)")
    print(
        f"   first question, full page with assets: {sizes['first_question_raw'] / 1024:.1f} KB"
        f" uncompressed, {sizes['first_question_gzip'] / 1024:.1f} KB transferred "
        "(static files gzip, pages not) (goal <= 60 KB)"
    )
    print(
        f"   next question (htmx fragment, assets cached): "
        f"{sizes['next_question_fragment_raw'] / 1024:.1f} KB, "
        f"{sizes['next_question_fragment_gzip'] / 1024:.1f} KB transferred"
    )
    print(
        f"3. Server time per question request, {args.applicants} concurrent applicants, SQLite,"
        " one uvicorn worker"
    )
    print(f"   requests: {len(timings)} in {elapsed:.1f} s, errors: {len(errors)} {errors[:3]}")
    p50, p95 = statistics.median(timings) * 1000, percentile(timings, 0.95) * 1000
    b50, b95 = statistics.median(baseline) * 1000, percentile(baseline, 0.95) * 1000
    print(f"   portal question pages: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"   minimal FastAPI endpoint: p50 {b50:.1f} ms, p95 {b95:.1f} ms")
    print(f"   ratio portal/minimal: p50 x{p50 / b50:.1f}, p95 x{p95 / b95:.1f}")


if __name__ == "__main__":
    main()
