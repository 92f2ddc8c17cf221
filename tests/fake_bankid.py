"""A fake BankID RP API v6 server for tests (test support, never shipped).

It follows the published API: ``POST /rp/v6.0/auth``, ``/sign``, ``/collect`` and ``/cancel``
with JSON bodies; errors as ``{"errorCode", "details"}`` with BankID's HTTP statuses; every
``hintCode``; ``alreadyInProgress`` when an order with the same ``requirement.personalNumber``
is open (both are stopped, as BankID does); an order is gone once a final status has been
collected or it was cancelled (then ``invalidParameters``).

It runs in a thread on 127.0.0.1 with real TLS and demands a client certificate from its own
CA (mutual TLS), both made fresh with ``trustme``. Tests play the user's side:

* ``scan(qr_text, personnummer)`` is the BankID app reading the animated QR code: the code is
  accepted only if its HMAC is right and its time is current, and then the order completes
  as that person;
* ``open_autostart(token, personnummer)`` is the app started on the same device;
* ``script(order_ref, "started", "userSign", complete(pnr))`` drives an order through any
  sequence of hint codes to complete or failed, one step per collect;
* ``fail_next(method, error_code)`` makes the next call of a method answer with an error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import re
import ssl
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import trustme
import zxingcpp
from PIL import Image, ImageDraw

from portal.bankid import FAILED_HINTS, BankIdSettings

PREFIX = "/rp/v6.0/"
STATUS_OF_ERROR = {
    "alreadyInProgress": 400,
    "invalidParameters": 400,
    "unauthorized": 401,
    "notFound": 404,
    "methodNotAllowed": 405,
    "requestTimeout": 408,
    "unsupportedMediaType": 415,
    "internalError": 500,
    "maintenance": 503,
}
QR_PATTERN = re.compile(r"^bankid\.([0-9a-f-]+)\.(\d+)\.([0-9a-f]{64})$")


class InvalidQrCode(Exception):
    """The "scanned" QR code is not one this server issued, or it is stale or forged."""


class NoUsableBankId(Exception):
    """The order demands another person's BankID: the app would not offer one."""


@dataclass(frozen=True)
class Complete:
    personnummer: str
    given_name: str = "Test"
    surname: str = "Testsson"


def complete(personnummer: str, given_name: str = "Test", surname: str = "Testsson") -> Complete:
    """A script step: the user finishes in the app."""
    return Complete(personnummer, given_name, surname)


@dataclass
class FakeOrder:
    order_ref: str
    kind: str  # auth / sign
    end_user_ip: str
    user_visible_data: str | None
    user_non_visible_data: str | None
    required_personnummer: str | None
    auto_start_token: str = field(default_factory=lambda: str(uuid.uuid4()))
    qr_start_token: str = field(default_factory=lambda: str(uuid.uuid4()))
    qr_start_secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: float = field(default_factory=time.monotonic)
    status: str = "pending"
    hint_code: str | None = "outstandingTransaction"
    user: Complete | None = None
    steps: deque[str | Complete] = field(default_factory=deque)
    gone: bool = False  # final status collected, or cancelled
    collects: int = 0

    @property
    def age(self) -> float:
        return time.monotonic() - self.created


class FakeBankId:
    """Start with ``with FakeBankId(folder) as fake:``; ``fake.settings()`` points the
    portal's client at it."""

    def __init__(self, folder: Path, *, order_ttl: float = 180.0, qr_max_age: float = 5.0):
        self.folder = folder
        self.order_ttl = order_ttl
        self.qr_max_age = qr_max_age
        self.orders: dict[str, FakeOrder] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.tls_failures: list[BaseException] = []
        self._forced: dict[str, deque[str]] = {}
        self._lock = threading.Lock()
        self.server_ca = trustme.CA()
        self.client_ca = trustme.CA()
        server_cert = self.server_ca.issue_cert("127.0.0.1", "localhost")
        client_cert = self.client_ca.issue_cert("portal-rp.example.org")
        folder.mkdir(parents=True, exist_ok=True)
        self.ca_path = folder / "bankid-server-ca.pem"
        self.cert_path = folder / "rp-cert.pem"
        self.key_path = folder / "rp-key.pem"
        self.server_ca.cert_pem.write_to_path(str(self.ca_path))
        client_cert.cert_chain_pems[0].write_to_path(str(self.cert_path))
        client_cert.private_key_pem.write_to_path(str(self.key_path))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_cert.configure_cert(context)
        self.client_ca.configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._server.context = context
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> FakeBankId:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}/rp/v6.0"

    def settings(self, **overrides: Any) -> BankIdSettings:
        values: dict[str, Any] = {
            "endpoint": self.url,
            "cert": self.cert_path,
            "key": self.key_path,
            "ca": self.ca_path,
            "timeout": 5.0,
        }
        values.update(overrides)
        return BankIdSettings(**values)

    def wait_for_tls_failures(self, count: int, timeout: float = 5.0) -> list[BaseException]:
        """The refused handshakes, once there are ``count`` (the server thread records them
        just after the client has seen the refusal)."""
        deadline = time.monotonic() + timeout
        while len(self.tls_failures) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.tls_failures)

    def stranger_certificate(self) -> tuple[Path, Path]:
        """A client certificate and key from a CA this server does not trust."""
        cert = trustme.CA().issue_cert("intruder.example.org")
        cert_path, key_path = self.folder / "stranger-cert.pem", self.folder / "stranger-key.pem"
        cert.cert_chain_pems[0].write_to_path(str(cert_path))
        cert.private_key_pem.write_to_path(str(key_path))
        return cert_path, key_path

    # --- the user's side ---------------------------------------------------------------------

    def order(self, order_ref: str) -> FakeOrder:
        return self.orders[order_ref]

    def latest(self, kind: str | None = None) -> FakeOrder:
        with self._lock:
            found = [o for o in self.orders.values() if kind is None or o.kind == kind]
        assert found, "no order has been started"
        return found[-1]

    def script(self, order_ref: str, *steps: str | Complete) -> None:
        """The next collects answer these steps in turn: a pending hint code, a failed hint
        code (the order fails) or ``complete(personnummer)``."""
        with self._lock:
            self.orders[order_ref].steps.extend(steps)

    def set_pending(self, order_ref: str, hint_code: str) -> None:
        with self._lock:
            order = self.orders[order_ref]
            order.status, order.hint_code = "pending", hint_code

    def fail(self, order_ref: str, hint_code: str) -> None:
        with self._lock:
            order = self.orders[order_ref]
            order.status, order.hint_code = "failed", hint_code

    def complete(self, order_ref: str, personnummer: str, **names: str) -> None:
        with self._lock:
            self._complete(self.orders[order_ref], Complete(personnummer, **names))

    def scan(self, qr_text: str, personnummer: str, *, finish: bool = True) -> FakeOrder:
        """The BankID app scans ``qr_text``. The order completes as ``personnummer`` at once, or
        with ``finish=False`` the user is first entering the security code: ``userSign`` at the
        next collect, complete at the one after."""
        match = QR_PATTERN.match(qr_text)
        if not match:
            raise InvalidQrCode(f"not a BankID QR code: {qr_text!r}")
        token, seconds_text, auth_code = match.groups()
        with self._lock:
            order = next((o for o in self.orders.values() if o.qr_start_token == token), None)
            if order is None or order.gone or order.status != "pending":
                raise InvalidQrCode("no open order has this qrStartToken")
            seconds = int(seconds_text)
            expected = hmac.new(
                order.qr_start_secret.encode(), seconds_text.encode(), hashlib.sha256
            ).hexdigest()
            if not hmac.compare_digest(expected, auth_code):
                raise InvalidQrCode("the QR code's HMAC is wrong")
            if seconds > order.age + 1 or order.age - seconds > self.qr_max_age:
                raise InvalidQrCode(f"the QR code is for second {seconds}, now {order.age:.1f}")
            self._user_picks(order, personnummer, finish)
            return order

    def open_autostart(self, token_or_url: str, personnummer: str, *, finish: bool = True) -> None:
        """The BankID app started on this device with the autostart token."""
        token = token_or_url.split("autostarttoken=")[-1].split("&")[0]
        with self._lock:
            order = next(o for o in self.orders.values() if o.auto_start_token == token)
            if order.gone or order.status != "pending":
                raise InvalidQrCode("no open order has this autoStartToken")
            self._user_picks(order, personnummer, finish)

    def fail_next(self, method: str, error_code: str) -> None:
        """The next call of ``method`` (auth, sign, collect, cancel) answers ``error_code``."""
        with self._lock:
            self._forced.setdefault(method, deque()).append(error_code)

    # --- the API -------------------------------------------------------------------------------

    def handle(self, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.calls.append((method, body))
            forced = self._forced.get(method)
            if forced:
                return _error(forced.popleft(), "forced by the test")
            if method in ("auth", "sign"):
                return self._start(method, body)
            order = self.orders.get(str(body.get("orderRef", "")))
            if order is None or order.gone:
                return _error("invalidParameters", "No such order")
            if method == "cancel":
                order.gone, order.status, order.hint_code = True, "failed", "cancelled"
                return 200, {}
            return self._collect(order)

    def _start(self, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            ipaddress.ip_address(str(body.get("endUserIp", "")))
        except ValueError:
            return _error("invalidParameters", "Incorrect endUserIp")
        visible = body.get("userVisibleData")
        if method == "sign" and not visible:
            return _error("invalidParameters", "userVisibleData is required")
        texts: dict[str, str | None] = {}
        for key, limit in (("userVisibleData", 1500), ("userNonVisibleData", 200_000)):
            value = body.get(key)
            if value is None:
                texts[key] = None
                continue
            try:
                texts[key] = base64.b64decode(str(value), validate=True).decode("utf-8")
            except ValueError:
                return _error("invalidParameters", f"Invalid {key}")
            if not 1 <= len(str(value)) <= limit:
                return _error("invalidParameters", f"Invalid {key}")
        requirement = body.get("requirement") or {}
        if not isinstance(requirement, dict):
            return _error("invalidParameters", "Invalid requirement")
        personnummer = requirement.get("personalNumber")
        if personnummer is not None and not re.fullmatch(r"\d{12}", str(personnummer)):
            return _error("invalidParameters", "Invalid personalNumber")
        if personnummer:
            for other in self.orders.values():
                same = other.required_personnummer == personnummer
                if same and not other.gone and other.status == "pending":
                    other.status, other.hint_code = "failed", "cancelled"
                    return _error("alreadyInProgress", "Order already in progress for pno")
        order = FakeOrder(
            order_ref=str(uuid.uuid4()),
            kind=method,
            end_user_ip=str(body["endUserIp"]),
            user_visible_data=texts["userVisibleData"],
            user_non_visible_data=texts["userNonVisibleData"],
            required_personnummer=personnummer,
        )
        self.orders[order.order_ref] = order
        return 200, {
            "orderRef": order.order_ref,
            "autoStartToken": order.auto_start_token,
            "qrStartToken": order.qr_start_token,
            "qrStartSecret": order.qr_start_secret,
        }

    def _collect(self, order: FakeOrder) -> tuple[int, dict[str, Any]]:
        order.collects += 1
        if order.steps and order.status == "pending":
            step = order.steps.popleft()
            if isinstance(step, Complete):
                self._complete(order, step)
            elif step in FAILED_HINTS:
                order.status, order.hint_code = "failed", step
            else:
                order.hint_code = step
        if order.status == "pending" and order.age > self.order_ttl:
            order.status, order.hint_code = "failed", "expiredTransaction"
        answer: dict[str, Any] = {"orderRef": order.order_ref, "status": order.status}
        if order.status == "pending" or order.status == "failed":
            answer["hintCode"] = order.hint_code
        if order.status == "complete":
            answer["completionData"] = self._completion_data(order)
        if order.status != "pending":
            order.gone = True
        return 200, answer

    def _user_picks(self, order: FakeOrder, personnummer: str, finish: bool) -> None:
        if order.required_personnummer and order.required_personnummer != personnummer:
            raise NoUsableBankId("the order is for another personal number")
        if finish:
            self._complete(order, Complete(personnummer))
        else:
            order.steps.extendleft([Complete(personnummer), "userSign"])

    @staticmethod
    def _complete(order: FakeOrder, user: Complete) -> None:
        order.status, order.hint_code, order.user = "complete", None, user

    def _completion_data(self, order: FakeOrder) -> dict[str, Any]:
        assert order.user is not None
        user = order.user
        visible = base64.b64encode((order.user_visible_data or "").encode()).decode()
        xml = f"<Signature><usrVisibleData>{visible}</usrVisibleData></Signature>"
        return {
            "user": {
                "personalNumber": user.personnummer,
                "name": f"{user.given_name} {user.surname}",
                "givenName": user.given_name,
                "surname": user.surname,
            },
            "device": {"ipAddress": order.end_user_ip, "uhi": "fake-device"},
            "bankIdIssueDate": "2024-01-15",
            "signature": base64.b64encode(xml.encode()).decode(),
            "ocspResponse": base64.b64encode(b"fake-ocsp").decode(),
        }


def _error(code: str, details: str) -> tuple[int, dict[str, Any]]:
    return STATUS_OF_ERROR.get(code, 400), {"errorCode": code, "details": details}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeBankId
    context: ssl.SSLContext

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake (and the client certificate check) happens in the worker thread.
        tls = self.context.wrap_socket(request, server_side=True)
        tls.settimeout(10)
        super().finish_request(tls, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ssl.SSLError):  # a refused handshake; anything else is noise
            self.fake.tls_failures.append(error)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    def do_POST(self) -> None:  # noqa: N802 - the base's naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        method = self.path.removeprefix(PREFIX) if self.path.startswith(PREFIX) else ""
        if method not in ("auth", "sign", "collect", "cancel"):
            self._send(*_error("notFound", "No such resource"))
            return
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            self._send(*_error("unsupportedMediaType", "Content-Type must be application/json"))
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._send(*_error("invalidParameters", "Invalid JSON"))
            return
        self._send(*self.server.fake.handle(method, body))

    def do_GET(self) -> None:  # noqa: N802
        self._send(*_error("methodNotAllowed", "Use POST"))

    do_PUT = do_DELETE = do_GET

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# --- reading the QR code on a page ----------------------------------------------------------------

SVG_PATTERN = re.compile(r"<svg[^>]*bankid-qr__code.*?</svg>", re.S)
STROKE_PATH = re.compile(r'<path[^>]*stroke="[^"]+"[^>]*\sd="([^"]+)"')


def read_qr_image(image: Image.Image) -> str:
    """Decode a QR code from a picture (a screenshot, or a drawing of an SVG)."""
    found = zxingcpp.read_barcodes(image.convert("L"))
    assert found, "no QR code found in the image"
    return str(found[0].text)


def read_qr_png(png: bytes) -> str:
    return read_qr_image(Image.open(BytesIO(png)))


def read_qr_svg(html: str) -> str:
    """Decode the QR code in a page's inline SVG: draw its modules, then read the drawing as
    a phone camera would."""
    svg = SVG_PATTERN.search(html)
    assert svg, "no BankID QR code on the page"
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg.group(0)).group(1))  # type: ignore[union-attr]
    path = STROKE_PATH.search(svg.group(0))
    assert path
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, numbers in _path_commands(path.group(1)):
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            row = int(y)
            draw.rectangle(
                [x * scale, row * scale, (x + numbers[0]) * scale - 1, (row + 1) * scale - 1],
                fill=0,
            )
            x += numbers[0]
    return read_qr_image(image)


def _path_commands(d: str) -> Iterator[tuple[str, list[float]]]:
    for command, args in re.findall(r"([MmHhVv])([^MmHhVvZz]*)", d):
        yield command, [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
