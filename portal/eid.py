"""Electronic identification of applicants.

A provider turns a sign-in attempt into a verified personnummer. The development provider
("Test-legitimering") trusts what is typed and exists only in development mode; BankID (RP API
v6) plugs in behind the same interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from intake import personnummer


@dataclass(frozen=True)
class Identified:
    personnummer: str  # twelve digits
    provider: str


class EidProvider(Protocol):
    name: str

    def available(self, development: bool) -> bool: ...


class TestEidProvider:
    """Enter a test personnummer; it is Luhn-checked and accepted as is. Development only."""

    name = "test"

    def available(self, development: bool) -> bool:
        return development

    def identify(self, typed: str) -> Identified:
        number = personnummer.parse(typed)  # raises InvalidPersonnummer with a code
        return Identified(personnummer=number.value, provider=self.name)
