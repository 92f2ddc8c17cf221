"""Helpers for the household register's tests: fresh personnummer and request bodies."""

from __future__ import annotations

import random
import uuid
from typing import Any

from intake.personnummer import make

_random = random.Random()
_used: set[str] = set()


def fresh_pnr(adult: bool = True) -> str:
    """A valid personnummer no other test uses (serials 900-999 are not in the demo data)."""
    while True:
        year = _random.randint(1950, 1999) if adult else _random.randint(2010, 2020)
        birth = f"{year}{_random.randint(1, 12):02d}{_random.randint(1, 28):02d}"
        number = make(birth, str(_random.randint(900, 999)))
        if number not in _used:
            _used.add(number)
            return f"{number[:8]}-{number[8:]}"


def bad_checksum(number: str) -> str:
    last = int(number[-1])
    return number[:-1] + str((last + 1) % 10)


def external_id() -> str:
    return f"T-{uuid.uuid4().hex[:12]}"


def household_body(unit: str = "Försörjningsstöd Nord", **changes: Any) -> dict[str, Any]:
    applicant = fresh_pnr()
    body: dict[str, Any] = {
        "unit": unit,
        "language": "so",
        "interpreter_needed": True,
        "protected_identity": False,
        "members": [
            {
                "personnummer": applicant,
                "given_name": "Hodan",
                "family_name": "Warsame",
                "role": "applicant",
                "email": "hodan@example.org",
                "phone": "070-123 45 67",
            },
            {
                "personnummer": fresh_pnr(adult=False),
                "given_name": "Ayaan",
                "family_name": "Warsame",
                "role": "child",
                "days_at_home": 30,
            },
        ],
    }
    body.update(changes)
    return body
