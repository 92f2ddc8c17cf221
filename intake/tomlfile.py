"""Reading a municipality's TOML settings files so that every problem names its line: where each
key stands, and the line and message of a syntax error. Used by the norm tables
(``intake/norm/table.py``) and the completeness rules (``intake/completeness/config.py``)."""

from __future__ import annotations

import re
import tomllib

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_\-]+)\s*\]\s*(#.*)?$")
_KEY = re.compile(r'^\s*("([^"]+)"|[A-Za-z0-9_\-]+)\s*=')
_AT = re.compile(r"\s*\(at line (\d+), column \d+\)")


def key_lines(text: str) -> dict[str, int]:
    """Where each key of a file of flat tables is: ``{"personal.child_0": 12, "personal": 10}``."""
    lines: dict[str, int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            section = header.group(1)
            lines.setdefault(section, number)
            continue
        key = _KEY.match(line)
        if key:
            name = key.group(2) if key.group(2) is not None else key.group(1)
            lines.setdefault(f"{section}.{name}" if section else name, number)
    return lines


def syntax_error(exc: tomllib.TOMLDecodeError) -> tuple[int | None, str]:
    """The line of a TOML syntax error (None if not given) and its message without it."""
    match = _AT.search(str(exc))
    return (int(match.group(1)) if match else None), _AT.sub("", str(exc))
