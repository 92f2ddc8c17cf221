"""The month-end rush for locust: simulated applicants doing the whole monthly application, with
uploads, as a phone would without JavaScript (plain forms, 303 redirects followed by hand), and
a baseline user of the minimal FastAPI endpoint.

Every applicant signs in with a personnummer of its own (one household per finished
application, from the file in ``LOAD_PERSONNUMMER``), presses "Apply", answers "nothing has
changed", confirms each amount, adds a document where the question asks for one (a photo-sized
JPEG for the rent notice, PDFs for the rest), checks the answers, signs and opens the receipt;
then signs out and starts again as the next household. Requests are named by kind, so that
question pages get their own percentiles. Run by bench/load/run.py.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

from locust import HttpUser, between, task
from locust.exception import StopUser

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FILE_INPUT = re.compile(r'<input[^>]+type="file"[^>]+name="(documents__[^"]*)"')
FILE_INPUT_REVERSED = re.compile(r'<input[^>]+name="(documents__[^"]*)"[^>]+type="file"')
UPLOAD_KB = int(os.environ.get("LOAD_UPLOAD_KB", "400"))
# Seconds between two taps ("min,max"): 0.3-1 s is the rush at its worst; people reading a
# question on a phone take a few seconds.
THINK = tuple(float(part) for part in os.environ.get("LOAD_THINK", "0.3,1.0").split(","))
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(UPLOAD_KB * 1024)
PDF = b"%PDF-1.4\n" + os.urandom(UPLOAD_KB * 1024 // 4) + b"\n%%EOF\n"

_lock = threading.Lock()


def _numbers() -> Iterator[str]:
    path = Path(os.environ.get("LOAD_PERSONNUMMER", "personnummer.txt"))
    yield from path.read_text().split()


_pool = _numbers() if os.environ.get("LOAD_PERSONNUMMER") else iter(())


def next_personnummer() -> str | None:
    with _lock:
        return next(_pool, None)


class ApplicantUser(HttpUser):
    """One applicant after another, each doing the whole monthly application."""

    wait_time = between(THINK[0], THINK[1])

    @task
    def apply(self) -> None:
        pnr = next_personnummer()
        if pnr is None:
            raise StopUser()
        client = self.client
        client.cookies.clear()
        page = self._get("/login/test-eid", "sign-in page")
        self._post("/login/test-eid", "sign-in", {"pnr": pnr}, page, expect=303)
        page = self._get("/applicant/apply", "start page")
        response = self._post("/applicant/apply", "start application", {}, page, expect=303)
        url = response.headers["location"]
        while "/step/" in url:
            page = self._get(url, "question page")
            data = {"confirm": "yes"} if 'name="confirm"' in page else {"value": "no"}
            found = FILE_INPUT.search(page) or FILE_INPUT_REVERSED.search(page)
            if found:
                name = found.group(1)
                content = PHOTO if "rent" in name else PDF
                filename = "hyresavi.jpg" if "rent" in name else "dokument.pdf"
                kind = "image/jpeg" if "rent" in name else "application/pdf"
                response = self._post(
                    url,
                    "answer with upload",
                    data,
                    page,
                    expect=303,
                    files={name: (filename, content, kind)},
                )
            else:
                response = self._post(url, "answer", data, page, expect=303)
            self.wait()
            url = response.headers["location"]
        page = self._get(url, "check your answers")
        sign = url.replace("/review", "/sign")
        response = self._post(sign, "sign and send", {"declaration": "yes"}, page, expect=303)
        self._get(response.headers["location"], "receipt page")
        self._post("/logout", "sign out", {}, page, expect=303)

    def _get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} for {url}")
                raise StopUser()
            return r.text

    def _post(
        self,
        url: str,
        name: str,
        data: dict[str, str],
        page: str,
        *,
        expect: int,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ):  # type: ignore[no-untyped-def]
        token = CSRF.search(page)
        payload = {**data, "csrf_token": token.group(1) if token else ""}
        with self.client.post(
            url, data=payload, files=files, name=name, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} for {url}: {response.text[:200]!r}")
                raise StopUser()
            return response


class MinimalUser(HttpUser):
    """The baseline: the smallest FastAPI endpoint, asked as often as the portal's pages."""

    wait_time = between(THINK[0], THINK[1])

    @task
    def index(self) -> None:
        self.client.get("/", name="minimal endpoint")
