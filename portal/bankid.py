"""BankID RP API v6: a client for ``/auth``, ``/sign``, ``/collect`` and ``/cancel``.

Mutual TLS: the portal presents its RP certificate (``cert`` + ``key``) and trusts only the CA
that signs BankID's server certificate (``ca``). Settings come from environment variables with
the prefix ``PORTAL_BANKID_``; without ``PORTAL_BANKID_ENDPOINT`` BankID is not configured.

The app holds one client (``app.state.bankid_client``). ``configure(app, settings)`` sets it,
which is also how tests point an app at the fake RP server in ``tests/fake_bankid.py``.

Statuses, hint codes and error codes are turned into message codes (``message_code``,
``error_message_code``); ``MESSAGES`` gives each code its English msgid, in the meaning of
BankID's recommended user messages (RFA1–RFA23). The web side translates them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
import segno
from fastapi import Depends, FastAPI, Request
from markupsafe import Markup
from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from portal.i18n import N_

log = logging.getLogger("portal.bankid")

# Statuses of an order, and the hint codes BankID documents for each.
PENDING, FAILED, COMPLETE = "pending", "failed", "complete"
PENDING_HINTS = frozenset(
    {"outstandingTransaction", "noClient", "started", "userMobileSign", "userSign", "userMrtd",
     "userCallConfirm"}
)  # fmt: skip
FAILED_HINTS = frozenset(
    {"expiredTransaction", "certificateErr", "userCancel", "cancelled", "startFailed",
     "userDeclinedCall", "notSupportedByUserApp", "transactionRiskBlocked"}
)  # fmt: skip
# Error responses (HTTP 4xx/5xx with ``errorCode``), plus our own code for a network failure.
ERROR_CODES = frozenset(
    {"alreadyInProgress", "invalidParameters", "unauthorized", "notFound", "methodNotAllowed",
     "requestTimeout", "unsupportedMediaType", "internalError", "maintenance"}
)  # fmt: skip
TRANSPORT_ERROR = "transportError"

# Message codes, named after the RFA message they follow.
MESSAGES: dict[str, str] = {
    "rfa1": N_("Start your BankID app."),
    "rfa3": N_("Action cancelled. Please try again."),
    "rfa4": N_(
        "An identification or signing for this personal identity number is already started. "
        "Please try again."
    ),
    "rfa5": N_("Internal error. Please try again."),
    "rfa6": N_("Action cancelled."),
    "rfa8": N_(
        "The BankID app is not responding. Please check that it is started and that you have "
        "internet access. If you don't have a valid BankID you can get one from your bank. "
        "Try again."
    ),
    "rfa9_auth": N_("Enter your security code in the BankID app and select Identify."),
    "rfa9_sign": N_("Enter your security code in the BankID app and select Sign."),
    "rfa13": N_("Trying to start your BankID app."),
    "rfa14": N_(
        "Searching for BankID, it may take a little while… If a few seconds have passed and "
        "still no BankID has been found, you probably don't have a BankID that can be used "
        "here. If you don't have a BankID you can get one from your bank."
    ),
    "rfa16": N_(
        "The BankID you are trying to use is blocked or too old. Please use another BankID or "
        "get a new one from your bank."
    ),
    "rfa17_app": N_(
        "The BankID app couldn't be found on your computer or mobile device. Please install it "
        "and get a BankID from your bank. Install the app from your app store or "
        "install.bankid.com."
    ),
    "rfa17_qr": N_(
        "Failed to scan the QR code. Start the BankID app and scan the QR code. Check that the "
        "BankID app is up to date. If you don't have the BankID app, you need to install it and "
        "get a BankID from your bank. Install the app from your app store or install.bankid.com."
    ),
    "rfa21_auth": N_("Identification in progress."),
    "rfa21_sign": N_("Signing in progress."),
    "rfa22": N_("Unknown error. Please try again."),
    "rfa23": N_("Process your machine-readable travel document using the BankID app."),
    "call_declined": N_(
        "Action cancelled, because you answered in the BankID app that you are not in a call "
        "with us."
    ),
    "update_app": N_(
        "Your BankID app needs to be updated. Update it from your app store and try again."
    ),
    "risk_blocked": N_(
        "BankID stopped this action for your safety. Please try again later, or contact the "
        "social services."
    ),
}


def message_code(status: str, hint_code: str | None, *, kind: str, qr: bool) -> str | None:
    """The message to show for a collected order. ``qr``: the user scans a QR code (Mobile
    BankID on another device) rather than starting the app on this device. None when complete.
    """
    if status == COMPLETE:
        return None
    if status == FAILED:
        return {
            "expiredTransaction": "rfa8",
            "certificateErr": "rfa16",
            "userCancel": "rfa6",
            "cancelled": "rfa3",
            "startFailed": "rfa17_qr" if qr else "rfa17_app",
            "userDeclinedCall": "call_declined",
            "notSupportedByUserApp": "update_app",
            "transactionRiskBlocked": "risk_blocked",
        }.get(hint_code or "", "rfa22")
    if hint_code in ("outstandingTransaction", "noClient"):
        return "rfa1" if qr or hint_code == "noClient" else "rfa13"
    if hint_code == "started":
        return "rfa14"
    if hint_code in ("userSign", "userMobileSign"):
        return "rfa9_sign" if kind == "sign" else "rfa9_auth"
    if hint_code == "userMrtd":
        return "rfa23"
    return "rfa21_sign" if kind == "sign" else "rfa21_auth"  # unknown or new pending hint


def error_message_code(error_code: str) -> str:
    """The message for an error response (or a network failure) from BankID."""
    if error_code == "alreadyInProgress":
        return "rfa4"
    if error_code in (
        "requestTimeout",
        "maintenance",
        "internalError",
        "unauthorized",
        "notFound",
        "methodNotAllowed",
        "unsupportedMediaType",
        TRANSPORT_ERROR,
    ):
        return "rfa5"
    return "rfa22"  # invalidParameters and anything unknown


# --- settings ----------------------------------------------------------------------------------


class BankIdSettings(BaseSettings):
    """``PORTAL_BANKID_ENDPOINT`` (e.g. ``https://appapi2.test.bankid.com/rp/v6.0``),
    ``PORTAL_BANKID_CERT`` / ``PORTAL_BANKID_KEY`` (the RP certificate and its key, PEM),
    ``PORTAL_BANKID_KEY_PASSWORD`` (if the key is encrypted), ``PORTAL_BANKID_CA`` (PEM of the
    CA that signs the server certificate) and ``PORTAL_BANKID_TIMEOUT`` (seconds)."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_BANKID_", extra="ignore")

    endpoint: str | None = None
    cert: Path | None = None
    key: Path | None = None
    key_password: SecretStr | None = None
    ca: Path | None = None
    timeout: float = 10.0

    @model_validator(mode="after")
    def _complete(self) -> BankIdSettings:
        if not self.endpoint:
            self.endpoint = None
            return self
        if not self.endpoint.startswith("https://"):
            raise ValueError("PORTAL_BANKID_ENDPOINT must be an https:// URL")
        missing = [name for name in ("cert", "key", "ca") if getattr(self, name) is None]
        if missing:
            names = ", ".join("PORTAL_BANKID_" + name.upper() for name in missing)
            raise ValueError(f"PORTAL_BANKID_ENDPOINT is set, so {names} must be set too")
        if self.timeout <= 0:
            raise ValueError("PORTAL_BANKID_TIMEOUT must be positive")
        self.endpoint = self.endpoint.rstrip("/")
        return self

    @property
    def configured(self) -> bool:
        return self.endpoint is not None


# --- the client --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    """What ``/auth`` and ``/sign`` answer."""

    order_ref: str
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str


@dataclass(frozen=True)
class User:
    personal_number: str  # twelve digits
    name: str
    given_name: str
    surname: str


@dataclass(frozen=True)
class Collected:
    """What ``/collect`` answers. ``user``, ``signature`` and ``ocsp_response`` only when
    complete; ``signature`` is BankID's base64 XML signature, kept as evidence by the caller."""

    order_ref: str
    status: str
    hint_code: str | None = None
    user: User | None = None
    signature: str | None = None
    ocsp_response: str | None = None
    bankid_issue_date: str | None = None


class BankIdError(Exception):
    """An error response from BankID, or no response at all (``transportError``)."""

    def __init__(self, error_code: str, details: str = "", http_status: int | None = None):
        super().__init__(f"{error_code}: {details}" if details else error_code)
        self.error_code = error_code
        self.details = details
        self.http_status = http_status

    @property
    def message_code(self) -> str:
        return error_message_code(self.error_code)


def encode_text(text: str) -> str:
    """``userVisibleData`` and ``userNonVisibleData``: UTF-8, then base64."""
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class BankIdClient:
    """Synchronous and thread-safe: one per app, shared by the worker threads."""

    def __init__(self, settings: BankIdSettings, *, transport: httpx.BaseTransport | None = None):
        if not settings.configured:
            raise ValueError("BankID is not configured")
        self.settings = settings
        self._http = httpx.Client(
            base_url=str(settings.endpoint) + "/",
            verify=_tls_context(settings),
            timeout=settings.timeout,
            transport=transport,
            headers={"Content-Type": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    def auth(
        self,
        end_user_ip: str,
        *,
        user_visible_data: str | None = None,
        requirement: dict[str, Any] | None = None,
    ) -> Order:
        """Start an identification. ``user_visible_data`` is plain text, encoded here."""
        body: dict[str, Any] = {"endUserIp": end_user_ip}
        if user_visible_data:
            body["userVisibleData"] = _visible(user_visible_data)
        if requirement:
            body["requirement"] = requirement
        return _order(self._post("auth", body))

    def sign(
        self,
        end_user_ip: str,
        user_visible_data: str,
        *,
        user_non_visible_data: str | None = None,
        requirement: dict[str, Any] | None = None,
    ) -> Order:
        """Start a signature of ``user_visible_data`` (plain text, shown in the BankID app)."""
        body: dict[str, Any] = {
            "endUserIp": end_user_ip,
            "userVisibleData": _visible(user_visible_data),
        }
        if user_non_visible_data:
            body["userNonVisibleData"] = encode_text(user_non_visible_data)
        if requirement:
            body["requirement"] = requirement
        return _order(self._post("sign", body))

    def collect(self, order_ref: str) -> Collected:
        data = self._post("collect", {"orderRef": order_ref})
        status = data.get("status")
        if status not in (PENDING, FAILED, COMPLETE):
            raise BankIdError("invalidResponse", f"unknown status {status!r}")
        completion = data.get("completionData") or {}
        user = completion.get("user")
        if status == COMPLETE and not (user and user.get("personalNumber")):
            raise BankIdError("invalidResponse", "complete without completionData.user")
        return Collected(
            order_ref=str(data.get("orderRef", order_ref)),
            status=status,
            hint_code=data.get("hintCode"),
            user=User(
                personal_number=str(user["personalNumber"]),
                name=str(user.get("name", "")),
                given_name=str(user.get("givenName", "")),
                surname=str(user.get("surname", "")),
            )
            if user
            else None,
            signature=completion.get("signature"),
            ocsp_response=completion.get("ocspResponse"),
            bankid_issue_date=completion.get("bankIdIssueDate"),
        )

    def cancel(self, order_ref: str) -> None:
        self._post("cancel", {"orderRef": order_ref})

    def _post(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.post(method, json=body)
        except httpx.HTTPError as exc:
            log.warning("BankID %s: no answer: %s", method, exc)
            raise BankIdError(TRANSPORT_ERROR, str(exc)) from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if response.status_code != 200:
            code = str(data.get("errorCode") or _STATUS_ERRORS.get(response.status_code, ""))
            details = str(data.get("details", ""))
            level = logging.INFO if code == "alreadyInProgress" else logging.ERROR
            log.log(level, "BankID %s: %s %s %s", method, response.status_code, code, details)
            raise BankIdError(code or "unknownError", details, response.status_code)
        return data


_STATUS_ERRORS = {
    400: "invalidParameters",
    401: "unauthorized",
    403: "unauthorized",
    404: "notFound",
    405: "methodNotAllowed",
    408: "requestTimeout",
    415: "unsupportedMediaType",
    500: "internalError",
    503: "maintenance",
}
MAX_VISIBLE_DATA = 1500  # characters after base64 encoding


def _visible(text: str) -> str:
    encoded = encode_text(text)
    if not text.strip() or len(encoded) > MAX_VISIBLE_DATA:
        raise ValueError("userVisibleData must be 1 to 1500 characters after base64 encoding")
    return encoded


def _order(data: dict[str, Any]) -> Order:
    try:
        return Order(
            order_ref=str(data["orderRef"]),
            auto_start_token=str(data["autoStartToken"]),
            qr_start_token=str(data["qrStartToken"]),
            qr_start_secret=str(data["qrStartSecret"]),
        )
    except KeyError as exc:
        raise BankIdError("invalidResponse", f"missing {exc}") from exc


def _tls_context(settings: BankIdSettings) -> ssl.SSLContext:
    """Trust only the configured CA, and present the RP certificate."""
    assert settings.ca and settings.cert and settings.key
    context = ssl.create_default_context(cafile=str(settings.ca))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    password = settings.key_password.get_secret_value() if settings.key_password else None
    context.load_cert_chain(str(settings.cert), str(settings.key), password=password)
    return context


# --- QR codes and the autostart link -----------------------------------------------------------


def qr_data(qr_start_token: str, qr_start_secret: str, seconds: int) -> str:
    """The animated QR code's content ``seconds`` after the order was started."""
    auth_code = hmac.new(
        qr_start_secret.encode("ascii"), str(seconds).encode("ascii"), hashlib.sha256
    ).hexdigest()
    return f"bankid.{qr_start_token}.{seconds}.{auth_code}"


def qr_svg(data: str, label: str) -> Markup:
    """The QR code as inline SVG (no style attributes, so the CSP allows it), scaled by CSS."""
    code = segno.make(data, error="l", micro=False)
    svg = code.svg_inline(
        scale=1,
        border=4,
        omitsize=True,
        svgclass="bankid-qr__code",
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    label = str(Markup.escape(label))
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704


def autostart_url(auto_start_token: str) -> str:
    """Starts the BankID app on this device; ``redirect=null``: the user comes back by
    themselves (the page keeps collecting)."""
    return f"https://app.bankid.com/?autostarttoken={auto_start_token}&redirect=null"


# --- the app's client --------------------------------------------------------------------------

_lock = threading.Lock()


def configure(app: FastAPI, settings: BankIdSettings | None) -> None:
    """Use ``settings`` for BankID in this app (None: BankID is not configured)."""
    with _lock:
        old = getattr(app.state, "bankid_client", None)
        client = BankIdClient(settings) if settings is not None and settings.configured else None
        app.state.bankid_client = client
        if old is not None:
            old.close()


def client_of(app: FastAPI) -> BankIdClient | None:
    """The app's BankID client; on first use it is built from the environment."""
    if not hasattr(app.state, "bankid_client"):
        with _lock:
            if not hasattr(app.state, "bankid_client"):
                settings = BankIdSettings()
                app.state.bankid_client = BankIdClient(settings) if settings.configured else None
    client: BankIdClient | None = app.state.bankid_client
    return client


def get_bankid(request: Request) -> BankIdClient | None:
    return client_of(request.app)


BankIdDep = Annotated[BankIdClient | None, Depends(get_bankid)]
