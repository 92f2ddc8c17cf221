"""Time-based one-time codes (TOTP, RFC 6238 on HOTP, RFC 4226) for the staff's second factor,
with the standard library only.

A secret is 20 random bytes (160 bits, the size RFC 4226 recommends for HMAC-SHA1), given to the
authenticator app in base32 without padding. A code is valid for its 30-second time step and one
step either side (clocks drift); the caller stores the last step used, and a step at or before it
is refused, so that every code works once.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
import struct
import time
from urllib.parse import quote, urlencode

DIGITS = 6
PERIOD = 30  # seconds in a time step
WINDOW = 1  # steps accepted either side of the current one
SECRET_BYTES = 20
_SECRET = re.compile(r"^[A-Z2-7]{16,128}$")
_SPACES = re.compile(r"[\s\-]+")


def new_secret() -> str:
    """A new random secret in base32 (32 characters, no padding)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def is_secret(text: str) -> bool:
    return bool(_SECRET.match(text))


def secret_bytes(secret: str) -> bytes:
    """The key of a base32 secret (spaces and lower case allowed, padding optional)."""
    text = _SPACES.sub("", secret).upper().rstrip("=")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226: the code for ``counter``, with dynamic truncation."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def time_step(at: float | None = None, period: int = PERIOD) -> int:
    return int((time.time() if at is None else at) // period)


def totp(
    key: bytes,
    at: float | None = None,
    *,
    digits: int = DIGITS,
    period: int = PERIOD,
    digest: str = "sha1",
) -> str:
    """RFC 6238: the code at Unix time ``at`` (now when None)."""
    return hotp(key, time_step(at, period), digits, digest)


def code_for(secret: str, at: float | None = None) -> str:
    """The six-digit code of a base32 secret at ``at`` (now when None)."""
    return totp(secret_bytes(secret), at)


def clean_code(text: str, digits: int = DIGITS) -> str | None:
    """The code as typed, without spaces ("123 456"); None unless it is ``digits`` digits."""
    code = _SPACES.sub("", text or "")
    if len(code) != digits or not code.isascii() or not code.isdigit():
        return None
    return code


def verify(
    secret: str,
    code: str,
    *,
    last_step: int | None = None,
    at: float | None = None,
    window: int = WINDOW,
) -> int | None:
    """The time step ``code`` belongs to when it is valid now (± ``window`` steps) and later than
    ``last_step`` (each step is used once); otherwise None."""
    cleaned = clean_code(code)
    if cleaned is None:
        return None
    key = secret_bytes(secret)
    now = time_step(at)
    found: int | None = None
    for step in range(now - window, now + window + 1):
        if last_step is not None and step <= last_step:
            continue
        # Every candidate is compared, in constant time, whatever matched before.
        if hmac.compare_digest(hotp(key, step), cleaned) and found is None:
            found = step
    return found


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    label = quote(f"{issuer}:{username}", safe=":@")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": PERIOD,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
