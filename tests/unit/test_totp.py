"""The second factor's codes: RFC 6238's test vectors, the window either side, replays."""

from __future__ import annotations

import base64
import re

import pytest

from portal import totp

# RFC 6238, appendix B: the seeds are ASCII digits repeated to the hash's block size.
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), VECTORS)
def test_rfc_6238_vectors_with_eight_digits(at: int, sha1: str, sha256: str, sha512: str) -> None:
    for digest, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        assert totp.totp(SEEDS[digest], at, digits=8, digest=digest) == expected


@pytest.mark.parametrize(("at", "sha1", "_sha256", "_sha512"), VECTORS)
def test_our_six_digit_codes_are_the_last_six_of_the_vectors(
    at: int, sha1: str, _sha256: str, _sha512: str
) -> None:
    secret = base64.b32encode(SEEDS["sha1"]).decode()
    assert totp.code_for(secret, at) == sha1[-6:]
    assert totp.totp(SEEDS["sha1"], at) == sha1[-6:]


def test_rfc_4226_hotp_vectors() -> None:
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922"]
    assert [totp.hotp(SEEDS["sha1"], counter) for counter in range(7)] == expected


SECRET = base64.b32encode(SEEDS["sha1"]).decode()  # GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
NOW = 1111111111.0  # time step 37037037


def test_the_current_step_and_one_either_side_are_accepted() -> None:
    step = totp.time_step(NOW)
    assert step == 37037037
    for offset in (-1, 0, 1):
        code = totp.code_for(SECRET, NOW + offset * totp.PERIOD)
        assert totp.verify(SECRET, code, at=NOW) == step + offset
    for offset in (-2, 2, 10):
        code = totp.code_for(SECRET, NOW + offset * totp.PERIOD)
        assert totp.verify(SECRET, code, at=NOW) is None


def test_a_used_step_is_refused_and_later_ones_still_work() -> None:
    code = totp.code_for(SECRET, NOW)
    step = totp.verify(SECRET, code, at=NOW)
    assert step is not None
    assert totp.verify(SECRET, code, at=NOW, last_step=step) is None  # replayed
    earlier = totp.code_for(SECRET, NOW - totp.PERIOD)
    assert totp.verify(SECRET, earlier, at=NOW, last_step=step) is None  # older than the last
    later = totp.code_for(SECRET, NOW + totp.PERIOD)
    assert totp.verify(SECRET, later, at=NOW, last_step=step) == step + 1


def test_codes_may_carry_spaces_but_nothing_else() -> None:
    code = totp.code_for(SECRET, NOW)
    assert totp.verify(SECRET, f"{code[:3]} {code[3:]}", at=NOW) is not None
    assert totp.verify(SECRET, f" {code} ", at=NOW) is not None
    assert totp.clean_code("123 456") == "123456"
    for wrong in ("", "12345", "1234567", "12a456", "１２３４５６", "000000x"):
        assert totp.clean_code(wrong) is None
        assert totp.verify(SECRET, wrong, at=NOW) is None


def test_a_wrong_code_is_refused() -> None:
    code = totp.code_for(SECRET, NOW)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert totp.verify(SECRET, wrong, at=NOW) is None


def test_new_secrets_are_160_random_bits_in_base32() -> None:
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second
    assert re.fullmatch(r"[A-Z2-7]{32}", first)
    assert totp.is_secret(first)
    assert len(totp.secret_bytes(first)) == 20
    assert totp.secret_bytes(first.lower()) == totp.secret_bytes(totp.grouped(first))
    assert totp.grouped("ABCDEFGHIJKL") == "ABCD EFGH IJKL"
    assert not totp.is_secret("not a secret!")


def test_the_provisioning_address() -> None:
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "admin", "Övre Kommun")
    assert uri.startswith("otpauth://totp/%C3%96vre%20Kommun:admin?")
    assert "secret=JBSWY3DPEHPK3PXP" in uri
    assert "issuer=%C3%96vre%20Kommun" in uri
    assert "digits=6" in uri and "period=30" in uri and "algorithm=SHA1" in uri
