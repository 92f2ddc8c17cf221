"""An optional virus scan of every upload with ClamAV's daemon (clamd), before it is stored.

clamd's ``INSTREAM`` command over TCP (``tcp://host:3310``) or a Unix socket
(``unix:///run/clamav/clamd.ctl``): the file is sent in chunks, each with its length as four
bytes in network order, then a zero length; clamd answers ``stream: OK``,
``stream: <signature> FOUND`` or ``... ERROR``. With ``PORTAL_CLAMAV_FAIL_CLOSED`` (the default)
an upload that cannot be scanned (clamd down, a timeout, an error) is refused; without it, it is
stored and the failure is logged.
"""

from __future__ import annotations

import logging
import socket
import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger("portal.virusscan")

CHUNK = 64 * 1024


@dataclass(frozen=True)
class ScanResult:
    status: str  # clean / infected / error
    signature: str = ""
    detail: str = ""

    @property
    def clean(self) -> bool:
        return self.status == "clean"


class Infected(Exception):
    def __init__(self, signature: str) -> None:
        super().__init__(signature)
        self.signature = signature


class ScanUnavailable(Exception):
    """The file could not be scanned and the scanner fails closed."""


class ClamdScanner:
    def __init__(self, address: str, timeout: float = 30.0, fail_closed: bool = True) -> None:
        parts = urlsplit(address)
        if parts.scheme not in ("tcp", "unix"):
            raise ValueError("PORTAL_CLAMAV_ADDRESS must be tcp://host:port or unix:///path")
        if parts.scheme == "tcp" and not parts.hostname:
            raise ValueError("PORTAL_CLAMAV_ADDRESS needs a host: tcp://host:3310")
        self.address = address
        self.scheme = parts.scheme
        self.host = parts.hostname or ""
        self.port = parts.port or 3310
        self.path = parts.path
        self.timeout = timeout
        self.fail_closed = fail_closed

    def _connect(self) -> socket.socket:
        if self.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(self.path)
            return sock
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def scan(self, path: Path) -> ScanResult:
        """Send the file with INSTREAM and read clamd's verdict; errors become ``error``."""
        try:
            with self._connect() as sock, path.open("rb") as source:
                sock.sendall(b"zINSTREAM\0")
                while chunk := source.read(CHUNK):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = _read_reply(sock)
        except OSError as exc:
            return ScanResult("error", detail=f"{type(exc).__name__}: {exc}")
        return parse_reply(reply)

    def check(self, path: Path, filename: str = "") -> None:
        """Raise ``Infected`` for a virus, ``ScanUnavailable`` when the scan failed and the
        scanner fails closed; return when the file may be stored."""
        result = self.scan(path)
        if result.status == "infected":
            log.warning("upload refused: %s found in %r", result.signature, filename)
            raise Infected(result.signature)
        if result.status == "error":
            if self.fail_closed:
                log.error("upload refused, virus scan failed: %s", result.detail)
                raise ScanUnavailable(result.detail)
            log.error("upload stored unscanned (fail open): %s", result.detail)


def _read_reply(sock: socket.socket) -> bytes:
    reply = b""
    while not reply.endswith(b"\0"):
        data = sock.recv(4096)
        if not data:
            break
        reply += data
        if len(reply) > 65536:
            break
    return reply


def parse_reply(reply: bytes) -> ScanResult:
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith(": OK"):
        return ScanResult("clean")
    if text.endswith(" FOUND"):
        signature = text.removesuffix(" FOUND").split(": ", 1)[-1]
        return ScanResult("infected", signature=signature)
    return ScanResult("error", detail=text or "no answer from clamd")


def from_settings(address: str, timeout: float, fail_closed: bool) -> ClamdScanner | None:
    return ClamdScanner(address, timeout, fail_closed) if address else None
