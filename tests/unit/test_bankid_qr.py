"""The animated QR code, the autostart link and userVisibleData, against hand-made values."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from portal.bankid import autostart_url, encode_text, qr_data, qr_svg
from tests.fake_bankid import read_qr_svg


def hand_hmac_sha256(key: bytes, message: bytes) -> str:
    """HMAC as RFC 2104 writes it: H((K ^ opad) || H((K ^ ipad) || m)), with SHA-256 only."""
    block = 64
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(k ^ 0x36 for k in key) + message).digest()
    return hashlib.sha256(bytes(k ^ 0x5C for k in key) + inner).hexdigest()


# BankID's published example of a QR code at second 0.
EXAMPLE_TOKEN = "67df3917-fa0d-44e5-b327-edcc928297f8"
EXAMPLE_SECRET = "d28db9a7-4cde-429e-a983-359be676944c"
EXAMPLE_CODE_0 = "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"


def test_the_published_example() -> None:
    assert qr_data(EXAMPLE_TOKEN, EXAMPLE_SECRET, 0) == f"bankid.{EXAMPLE_TOKEN}.0.{EXAMPLE_CODE_0}"
    assert hand_hmac_sha256(EXAMPLE_SECRET.encode(), b"0") == EXAMPLE_CODE_0


@pytest.mark.parametrize("seconds", [0, 1, 2, 9, 10, 29, 30, 179, 1000])
def test_each_second_gives_its_own_code(seconds: int) -> None:
    data = qr_data(EXAMPLE_TOKEN, EXAMPLE_SECRET, seconds)
    prefix, token, time, code = data.split(".")
    assert (prefix, token, time) == ("bankid", EXAMPLE_TOKEN, str(seconds))
    assert code == hand_hmac_sha256(EXAMPLE_SECRET.encode(), str(seconds).encode())
    assert re.fullmatch(r"[0-9a-f]{64}", code)


def test_codes_differ_between_seconds_and_secrets() -> None:
    codes = {qr_data(EXAMPLE_TOKEN, EXAMPLE_SECRET, s) for s in range(60)}
    assert len(codes) == 60
    other = qr_data(EXAMPLE_TOKEN, "another-secret", 0)
    assert other != qr_data(EXAMPLE_TOKEN, EXAMPLE_SECRET, 0)


def test_the_svg_reads_back_as_the_code_and_is_accessible() -> None:
    data = qr_data(EXAMPLE_TOKEN, EXAMPLE_SECRET, 7)
    svg = str(qr_svg(data, 'QR code "to scan" <here>'))
    assert read_qr_svg(svg) == data
    assert svg.startswith('<svg role="img" aria-label="QR code &#34;to scan&#34; &lt;here&gt;" ')
    assert "style" not in svg and "<script" not in svg
    assert 'class="bankid-qr__code"' in svg and "viewBox" in svg


def test_autostart_link() -> None:
    assert (
        autostart_url("46f6aa68-e46c-4a1b-9c29-5a8b0b5e1d34")
        == "https://app.bankid.com/?autostarttoken=46f6aa68-e46c-4a1b-9c29-5a8b0b5e1d34"
        "&redirect=null"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Ansökan om ekonomiskt bistånd för juli 2026.\nHushåll: Anna Lindqvist.",
        "طلب المساعدة المالية لشهر يوليو",
        "Codsi gargaar dhaqaale: luulyo 2026",
    ],
)
def test_user_visible_data_is_base64_of_utf8(text: str) -> None:
    encoded = encode_text(text)
    assert base64.b64decode(encoded, validate=True).decode("utf-8") == text
