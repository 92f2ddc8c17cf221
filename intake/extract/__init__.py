"""Reading kinds, periods and amounts from uploaded PDFs and phone photos.

``extract_file(path)`` reads a file in a child process with limits and answers an ``Extraction``;
``read_bytes(data)`` does the same in this process (for trusted input and tests).
"""

from intake.extract.amounts import format_amount, normalise, parse_amount
from intake.extract.limits import Limits
from intake.extract.result import ErrorCode, Extraction, Kind
from intake.extract.sandbox import extract_file

__all__ = [
    "ErrorCode",
    "Extraction",
    "Kind",
    "Limits",
    "extract_file",
    "format_amount",
    "normalise",
    "parse_amount",
]
