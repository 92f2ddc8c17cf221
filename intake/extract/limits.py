"""How much one document may cost to read."""

from __future__ import annotations

from dataclasses import dataclass

from intake.extract.result import ErrorCode


@dataclass(frozen=True)
class Limits:
    pages: int = 50
    # An image's width × height as its header states it, checked before it is decoded.
    pixels: int = 100_000_000
    # A PDF page is rendered for OCR at no more than this many pixels.
    render_pixels: int = 12_000_000
    memory_bytes: int = 1024**3
    seconds: float = 60.0


class LimitExceeded(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
