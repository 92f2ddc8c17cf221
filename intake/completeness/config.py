"""The rule table and thresholds, per municipality: a TOML file checked at start-up.

Every key is optional; what is left out keeps the shipped default (``default.toml`` beside this
module). A wrong file stops the portal with a message naming the file, the line and the key, so
that a typo never silently turns a rule off.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake.completeness.facts import READABLE_KINDS
from intake.completeness.findings import Code, Severity
from intake.flow import CHANGE_KINDS
from intake.tomlfile import key_lines, syntax_error

DEFAULT_FILE = Path(__file__).with_name("default.toml")
FORMAT = 1
RELATIVE_TO = ("application", "sent")
OFF = "off"


@dataclass(frozen=True)
class PeriodWindow:
    """The months a document may be for, as offsets from a base month."""

    relative_to: str  # "application" or "sent"
    earliest: int
    latest: int


@dataclass(frozen=True)
class Config:
    severities: Mapping[Code, Severity | None]  # None: the rule is off
    tolerance_ore: int
    tolerance_share: float
    min_confidence: float
    periods: Mapping[str, PeriodWindow]
    rent_increase_share: float
    income_disappeared_min_ore: int
    household_change_needs_text_for: frozenset[str]
    household_change_min_length: int
    source: str = "default"

    def severity(self, code: Code) -> Severity | None:
        return self.severities.get(code)

    def tolerance_for(self, declared_ore: int) -> int:
        return max(self.tolerance_ore, round(abs(declared_ore) * self.tolerance_share))

    def differs(self, declared_ore: int, documented_ore: int) -> bool:
        return abs(declared_ore - documented_ore) > self.tolerance_for(declared_ore)


@dataclass(frozen=True)
class ConfigIssue:
    key: str
    line: int | None
    problem: str  # a short technical text for the administrator (the command line is English)

    def describe(self, where: str) -> str:
        place = f"{where}:{self.line}" if self.line else where
        return f"{place}: {self.key}: {self.problem}" if self.key else f"{place}: {self.problem}"


class ConfigError(ValueError):
    """Every problem found in a rules file, each naming its line and key."""

    def __init__(self, issues: list[ConfigIssue], where: str) -> None:
        self.issues = issues
        self.where = where
        super().__init__("\n".join(issue.describe(where) for issue in issues))


# --- reading -----------------------------------------------------------------------------------


def load(path: Path) -> Config:
    """The rules in ``path`` over the defaults, or ``ConfigError``."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            [ConfigIssue("", None, f"cannot be read ({exc.strerror})")], where
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigIssue("", None, "is not UTF-8 text")], where) from exc
    return parse_text(text, where)


def parse_text(text: str, where: str = "completeness rules") -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, detail = syntax_error(exc)
        raise ConfigError([ConfigIssue("", line, f"not valid TOML: {detail}")], where) from exc
    return parse(data, where, key_lines(text))


def _defaults() -> dict[str, Any]:
    return tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8"))


def parse(
    data: Mapping[str, Any],
    where: str = "completeness rules",
    lines: Mapping[str, int] | None = None,
    *,
    base: Mapping[str, Any] | None = None,
) -> Config:
    """Check ``data`` (a parsed TOML file) and lay it over ``base`` (the defaults)."""
    reader = _Reader(lines or {})
    merged = _merge(base if base is not None else _defaults(), data, reader)
    config = reader.build(merged, where)
    if reader.issues:
        raise ConfigError(reader.issues, where)
    assert config is not None
    return config


SECTIONS: dict[str, frozenset[str]] = {
    "rules": frozenset(code.value for code in Code),
    "amounts": frozenset({"tolerance_kronor", "tolerance_share", "min_confidence"}),
    "periods": READABLE_KINDS,
    "changes": frozenset(
        {
            "rent_increase_share",
            "income_disappeared_min_kronor",
            "household_change_needs_text_for",
            "household_change_min_length",
        }
    ),
}


def _merge(base: Mapping[str, Any], data: Mapping[str, Any], reader: _Reader) -> dict[str, Any]:
    merged: dict[str, Any] = {section: dict(base.get(section, {})) for section in SECTIONS}
    for key, value in data.items():
        if key == "format":
            if value != FORMAT:
                reader.issue(
                    "format", f"format {value!r} is not supported (this portal reads {FORMAT})"
                )
            continue
        if key not in SECTIONS:
            allowed = ", ".join(["format", *sorted(SECTIONS)])
            reader.issue(key, f"unknown key (expected one of: {allowed})")
            continue
        if not isinstance(value, dict):
            reader.issue(key, f"must be a [{key}] section")
            continue
        for name, item in value.items():
            if name not in SECTIONS[key]:
                allowed = ", ".join(sorted(SECTIONS[key]))
                reader.issue(f"{key}.{name}", f"unknown key (expected one of: {allowed})")
                continue
            merged[key][name] = item
    return merged


class _Reader:
    def __init__(self, lines: Mapping[str, int]) -> None:
        self.lines = lines
        self.issues: list[ConfigIssue] = []

    def issue(self, key: str, problem: str) -> None:
        line = self.lines.get(key)
        if line is None and "." in key:
            line = self.lines.get(key.rsplit(".", 1)[0])
        self.issues.append(ConfigIssue(key, line, problem))

    def number(
        self, section: Mapping[str, Any], prefix: str, name: str, low: float, high: float
    ) -> float:
        value = section.get(name)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.issue(f"{prefix}.{name}", f"must be a number, got {value!r}")
            return low
        if not low <= value <= high:
            self.issue(f"{prefix}.{name}", f"must be from {low:g} to {high:g}, got {value!r}")
            return low
        return float(value)

    def integer(
        self, section: Mapping[str, Any], prefix: str, name: str, low: int, high: int
    ) -> int:
        value = section.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            self.issue(f"{prefix}.{name}", f"must be a whole number, got {value!r}")
            return low
        if not low <= value <= high:
            self.issue(f"{prefix}.{name}", f"must be from {low} to {high}, got {value!r}")
            return low
        return value

    def build(self, data: Mapping[str, Any], where: str) -> Config | None:
        severities: dict[Code, Severity | None] = {}
        allowed = ", ".join([*(s.value for s in Severity), OFF])
        for code in Code:
            value = data["rules"].get(code.value)
            if value == OFF:
                severities[code] = None
            elif value in {s.value for s in Severity}:
                severities[code] = Severity(value)
            else:
                self.issue(f"rules.{code.value}", f"must be one of {allowed}, got {value!r}")
        amounts = data["amounts"]
        tolerance_kronor = self.integer(amounts, "amounts", "tolerance_kronor", 0, 100_000)
        tolerance_share = self.number(amounts, "amounts", "tolerance_share", 0, 1)
        min_confidence = self.number(amounts, "amounts", "min_confidence", 0, 1)
        periods: dict[str, PeriodWindow] = {}
        for kind, window in data["periods"].items():
            key = f"periods.{kind}"
            if not isinstance(window, dict):
                self.issue(key, "must be { relative_to = ..., earliest = ..., latest = ... }")
                continue
            unknown = set(window) - {"relative_to", "earliest", "latest"}
            if unknown:
                self.issue(
                    key,
                    f"unknown key {sorted(unknown)[0]!r} (expected relative_to, earliest, latest)",
                )
                continue
            relative_to = window.get("relative_to", "sent")
            if relative_to not in RELATIVE_TO:
                self.issue(key, f'relative_to must be "application" or "sent", got {relative_to!r}')
                continue
            earliest = self.integer(window, key, "earliest", -24, 24)
            latest = self.integer(window, key, "latest", -24, 24)
            if earliest > latest:
                self.issue(key, f"earliest ({earliest}) is after latest ({latest})")
                continue
            periods[kind] = PeriodWindow(relative_to, earliest, latest)
        changes = data["changes"]
        share = self.number(changes, "changes", "rent_increase_share", 0, 10)
        minimum = self.integer(changes, "changes", "income_disappeared_min_kronor", 0, 1_000_000)
        length = self.integer(changes, "changes", "household_change_min_length", 0, 2000)
        kinds = changes.get("household_change_needs_text_for")
        if not isinstance(kinds, list) or any(kind not in CHANGE_KINDS for kind in kinds):
            self.issue(
                "changes.household_change_needs_text_for",
                f"must be a list of: {', '.join(CHANGE_KINDS)}, got {kinds!r}",
            )
            kinds = []
        if self.issues:
            return None
        return Config(
            severities=severities,
            tolerance_ore=tolerance_kronor * 100,
            tolerance_share=tolerance_share,
            min_confidence=min_confidence,
            periods=periods,
            rent_increase_share=share,
            income_disappeared_min_ore=minimum * 100,
            household_change_needs_text_for=frozenset(kinds),
            household_change_min_length=length,
            source=where,
        )


def default() -> Config:
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    return parse(tomllib.loads(text), str(DEFAULT_FILE), key_lines(text), base={})


DEFAULT = default()
