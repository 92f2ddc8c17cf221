"""Browser tests: the app served by uvicorn on 127.0.0.1 in a thread, driven by Playwright in
Debian's chromium (no browser download)."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.engine import Engine

from portal.app import create_app
from portal.bankid import configure
from portal.settings import Settings
from tests.fake_bankid import FakeBankId

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("PORTAL_TEST_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@contextmanager
def serve_in_thread(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve ``app`` with uvicorn on a free port of 127.0.0.1 in a thread; yield its address."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve_in_thread(app) as address:
        yield address


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run `make test` as root to install it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (it runs npm ci)")
    return AXE.read_text()


def new_context(
    browser,
    base_url: str,
    *,
    viewport: str = "phone",
    language: str | None = None,  # type: ignore[no-untyped-def]
    javascript: bool = True,
    axe: str | None = None,
):
    context = browser.new_context(
        base_url=base_url,
        viewport=VIEWPORTS[viewport],
        java_script_enabled=javascript,
        locale="sv-SE",
    )
    if language:
        context.add_cookies([{"name": "portal_lang", "value": language, "url": base_url}])
    if axe:
        context.add_init_script(script=axe)
    return context


AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
  }));
}"""


def axe_violations(page) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    return page.evaluate(AXE_RUN)  # type: ignore[no-any-return]


def overflows_horizontally(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
    )


# --- BankID: the fake RP server over mutual TLS, and the portal pointed at it -----------------


@pytest.fixture(scope="session")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeBankId]:
    with FakeBankId(tmp_path_factory.mktemp("bankid")) as server:
        yield server


@pytest.fixture(scope="session")
def bankid_server(settings: Settings, engine: Engine, fake: FakeBankId) -> Iterator[str]:
    """The portal with BankID pointing at the fake, served by uvicorn in a thread."""
    app = create_app(settings, engine)
    configure(app, fake.settings())
    with serve_in_thread(app) as address:
        yield address
    configure(app, None)
