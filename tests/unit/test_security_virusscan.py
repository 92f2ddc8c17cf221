"""The ClamAV hook against a fake clamd on 127.0.0.1 that speaks INSTREAM."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.virusscan import ClamdScanner, Infected, ScanUnavailable, parse_reply
from tests.security_support import EICAR, closed_port, fake_clamd


def test_a_clean_file_is_sent_whole_in_length_prefixed_chunks(tmp_path: Path) -> None:
    content = bytes(range(256)) * 1000  # 256 000 bytes: four chunks of 64 KiB
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    with fake_clamd() as clamd:
        result = ClamdScanner(clamd.address).scan(path)
    assert result.clean
    assert clamd.commands == [b"zINSTREAM\0"]
    assert clamd.received == [content]


def test_a_virus_is_named_and_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff" + EICAR)
    with fake_clamd() as clamd:
        scanner = ClamdScanner(clamd.address)
        result = scanner.scan(path)
        assert (result.status, result.signature) == ("infected", "Eicar-Test-Signature")
        with pytest.raises(Infected) as caught:
            scanner.check(path, "photo.jpg")
    assert caught.value.signature == "Eicar-Test-Signature"


def test_without_clamd_the_scan_fails_closed_by_default(tmp_path: Path) -> None:
    path = tmp_path / "document.pdf"
    path.write_bytes(b"%PDF-1.4")
    scanner = ClamdScanner(f"tcp://127.0.0.1:{closed_port()}", timeout=2)
    result = scanner.scan(path)
    assert result.status == "error" and "ConnectionRefusedError" in result.detail
    with pytest.raises(ScanUnavailable):
        scanner.check(path)


def test_fail_open_lets_an_unscanned_file_through(tmp_path: Path) -> None:
    path = tmp_path / "document.pdf"
    path.write_bytes(b"%PDF-1.4")
    scanner = ClamdScanner(f"tcp://127.0.0.1:{closed_port()}", timeout=2, fail_closed=False)
    scanner.check(path)  # no exception: stored, and the failure is logged


def test_an_error_from_clamd_counts_as_not_scanned(tmp_path: Path) -> None:
    path = tmp_path / "document.pdf"
    path.write_bytes(b"%PDF-1.4")
    with fake_clamd(broken=True) as clamd, pytest.raises(ScanUnavailable):
        ClamdScanner(clamd.address).check(path)


@pytest.mark.parametrize(
    ("reply", "status", "signature"),
    [
        (b"stream: OK\0", "clean", ""),
        (b"stream: Win.Test.EICAR_HDB-1 FOUND\0", "infected", "Win.Test.EICAR_HDB-1"),
        (b"INSTREAM size limit exceeded. ERROR\0", "error", ""),
        (b"", "error", ""),
    ],
)
def test_replies(reply: bytes, status: str, signature: str) -> None:
    result = parse_reply(reply)
    assert (result.status, result.signature) == (status, signature)


@pytest.mark.parametrize("address", ["http://clamd:3310", "tcp://:3310", "clamd"])
def test_bad_addresses_are_refused_at_start(address: str) -> None:
    with pytest.raises(ValueError, match="PORTAL_CLAMAV_ADDRESS"):
        ClamdScanner(address)


def test_a_unix_socket_address_is_understood() -> None:
    scanner = ClamdScanner("unix:///run/clamav/clamd.ctl")
    assert (scanner.scheme, scanner.path) == ("unix", "/run/clamav/clamd.ctl")
