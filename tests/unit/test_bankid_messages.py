"""Every BankID status, hint code and error code has a message, in the meaning of RFA1–RFA23."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from portal.bankid import (
    ERROR_CODES,
    FAILED_HINTS,
    MESSAGES,
    PENDING_HINTS,
    TRANSPORT_ERROR,
    BankIdError,
    BankIdSettings,
    error_message_code,
    message_code,
)

PENDING_EXPECTED = {
    # hint: (QR code on another device, app on this device), for an identification
    "outstandingTransaction": ("rfa1", "rfa13"),
    "noClient": ("rfa1", "rfa1"),
    "started": ("rfa14", "rfa14"),
    "userMobileSign": ("rfa9_auth", "rfa9_auth"),
    "userSign": ("rfa9_auth", "rfa9_auth"),
    "userMrtd": ("rfa23", "rfa23"),
    "userCallConfirm": ("rfa21_auth", "rfa21_auth"),
}
FAILED_EXPECTED = {
    "expiredTransaction": ("rfa8", "rfa8"),
    "certificateErr": ("rfa16", "rfa16"),
    "userCancel": ("rfa6", "rfa6"),
    "cancelled": ("rfa3", "rfa3"),
    "startFailed": ("rfa17_qr", "rfa17_app"),
    "userDeclinedCall": ("call_declined", "call_declined"),
    "notSupportedByUserApp": ("update_app", "update_app"),
    "transactionRiskBlocked": ("risk_blocked", "risk_blocked"),
}
ERRORS_EXPECTED = {
    "alreadyInProgress": "rfa4",
    "invalidParameters": "rfa22",
    "unauthorized": "rfa5",
    "notFound": "rfa5",
    "methodNotAllowed": "rfa5",
    "requestTimeout": "rfa5",
    "unsupportedMediaType": "rfa5",
    "maintenance": "rfa5",
    "internalError": "rfa5",
    TRANSPORT_ERROR: "rfa5",
}


def test_the_tables_cover_every_documented_code() -> None:
    assert set(PENDING_EXPECTED) == PENDING_HINTS
    assert set(FAILED_EXPECTED) == FAILED_HINTS
    assert set(ERRORS_EXPECTED) == ERROR_CODES | {TRANSPORT_ERROR}


@pytest.mark.parametrize("hint", sorted(PENDING_EXPECTED))
def test_pending(hint: str) -> None:
    qr, app = PENDING_EXPECTED[hint]
    assert message_code("pending", hint, kind="auth", qr=True) == qr
    assert message_code("pending", hint, kind="auth", qr=False) == app


@pytest.mark.parametrize("hint", sorted(FAILED_EXPECTED))
def test_failed(hint: str) -> None:
    qr, app = FAILED_EXPECTED[hint]
    assert message_code("failed", hint, kind="auth", qr=True) == qr
    assert message_code("failed", hint, kind="sign", qr=False) == app


@pytest.mark.parametrize("error", sorted(ERRORS_EXPECTED))
def test_errors(error: str) -> None:
    assert error_message_code(error) == ERRORS_EXPECTED[error]
    assert BankIdError(error).message_code == ERRORS_EXPECTED[error]


def test_signing_says_sign_and_identification_says_identify() -> None:
    assert "select Sign." in MESSAGES[message_code("pending", "userSign", kind="sign", qr=True)]
    assert "Identify" in MESSAGES[message_code("pending", "userSign", kind="auth", qr=True)]
    assert message_code("pending", "somethingNew", kind="sign", qr=True) == "rfa21_sign"


def test_unknown_codes_fall_back_to_rfa21_and_rfa22() -> None:
    assert message_code("pending", None, kind="auth", qr=True) == "rfa21_auth"
    assert message_code("pending", "brandNewHint", kind="auth", qr=False) == "rfa21_auth"
    assert message_code("failed", "brandNewHint", kind="auth", qr=True) == "rfa22"
    assert message_code("failed", None, kind="auth", qr=True) == "rfa22"
    assert error_message_code("brandNewError") == "rfa22"
    assert message_code("complete", None, kind="auth", qr=True) is None


def test_every_message_is_used_and_every_code_has_a_message() -> None:
    used = {"rfa21_sign", "rfa9_sign"}
    for hint in PENDING_HINTS | FAILED_HINTS | {"unknown"}:
        for status in ("pending", "failed"):
            for qr in (True, False):
                used.add(str(message_code(status, hint, kind="auth", qr=qr)))
    used |= {error_message_code(code) for code in ERRORS_EXPECTED}
    assert used == set(MESSAGES)
    assert all(text.strip() and "%" not in text for text in MESSAGES.values())


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("ENDPOINT", "CERT", "KEY", "CA", "TIMEOUT", "KEY_PASSWORD"):
        monkeypatch.delenv(f"PORTAL_BANKID_{name}", raising=False)
    assert BankIdSettings().configured is False
    monkeypatch.setenv("PORTAL_BANKID_ENDPOINT", "https://appapi2.test.bankid.com/rp/v6.0/")
    with pytest.raises(ValidationError, match="PORTAL_BANKID_CERT, PORTAL_BANKID_KEY"):
        BankIdSettings()
    for name in ("cert", "key", "ca"):
        monkeypatch.setenv(f"PORTAL_BANKID_{name.upper()}", str(tmp_path / f"{name}.pem"))
    monkeypatch.setenv("PORTAL_BANKID_TIMEOUT", "4.5")
    settings = BankIdSettings()
    assert settings.configured
    assert settings.endpoint == "https://appapi2.test.bankid.com/rp/v6.0"
    assert settings.cert == tmp_path / "cert.pem" and settings.timeout == 4.5
    monkeypatch.setenv("PORTAL_BANKID_ENDPOINT", "http://appapi2.test.bankid.com/rp/v6.0")
    with pytest.raises(ValidationError, match="https"):
        BankIdSettings()
