"""Yearly norm tables (riksnormen) as data files that name their source.

A table file is TOML (format described in ``tables/README.md``). Amounts in the file are whole
kronor per month, as the norm is published; in memory they are öre (integers). Parsing and
validation return structured issues (code, key, line, params), never sentences: the command line
and the web side turn them into words.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from intake.tomlfile import key_lines, syntax_error

FORMAT_VERSION = 1

CHILD_KEYS = (
    "child_0",
    "child_1_2",
    "child_3",
    "child_4_6",
    "child_7_10",
    "child_11_14",
    "child_15_18",
    "child_19_20",
)
ADULT_KEYS = ("adult_alone", "adult_couple")
PERSONAL_KEYS = CHILD_KEYS + ADULT_KEYS
COMMON_SIZES = tuple(range(1, 8))  # household-common costs are published for 1–7 persons
MAX_KRONOR = 100_000  # no norm item is near 100 000 kr a month; larger means a typo
ROUNDING_RULES = {"nearest_10_kr_half_up": 10, "nearest_kr_half_up": 1}

_TOP_KEYS = (
    "format",
    "year",
    "title",
    "demo",
    "source",
    "derived",
    "personal",
    "personal_without_lunch",
    "common",
    "notes",
)
_SOURCE_KEYS = ("name", "url", "published", "valid_from", "note")
_DERIVED_KEYS = ("from_year", "percent", "rounding", "source")


@dataclass(frozen=True)
class TableIssue:
    """One problem in a table file. ``key`` is the dotted key (``personal.child_0``) or ``""``
    for the file as a whole; ``line`` is 1-based when the key could be found in the text."""

    code: str
    key: str = ""
    line: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


class NormTableError(ValueError):
    """A table file that cannot be used; ``issues`` says every reason found."""

    def __init__(self, issues: list[TableIssue]) -> None:
        super().__init__("; ".join(f"{i.code}:{i.key}" for i in issues))
        self.issues = issues


@dataclass(frozen=True)
class Source:
    name: str
    url: str | None = None
    published: str | None = None
    valid_from: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Derivation:
    """How a table was derived from another year's table (e.g. 2024 = 2023 + 8.7 %)."""

    from_year: int
    percent: Decimal
    rounding: str  # a key of ROUNDING_RULES
    source: str


@dataclass(frozen=True)
class NormTable:
    year: int
    title: str
    source: Source
    demo: bool
    derived: Derivation | None
    personal_ore: Mapping[str, int]  # PERSONAL_KEYS → öre per month
    without_lunch_ore: Mapping[str, int]  # child keys → öre, for children without lunch 5 d/w
    common_ore: tuple[int, ...]  # index 0 = 1 person … index 6 = 7 persons
    notes: Mapping[str, str] = field(default_factory=dict)  # "common.2" → note from the file

    def personal(self, key: str) -> int:
        return self.personal_ore[key]

    def common(self, persons: int) -> int:
        """Household-common costs for ``persons``; beyond 7, add the 6→7 difference per person."""
        if persons < 1:
            return 0
        if persons <= 7:
            return self.common_ore[persons - 1]
        step = self.common_ore[6] - self.common_ore[5]
        return self.common_ore[6] + (persons - 7) * step

    def to_data(self) -> dict[str, Any]:
        """The table as the plain data of its file (kronor), e.g. to store it as JSON."""
        data: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "year": self.year,
            "title": self.title,
            "demo": self.demo,
            "source": {k: v for k, v in vars(self.source).items() if v is not None},
            "personal": {k: v // 100 for k, v in self.personal_ore.items()},
            "common": {
                str(n): v // 100 for n, v in zip(COMMON_SIZES, self.common_ore, strict=True)
            },
        }
        if self.without_lunch_ore:
            data["personal_without_lunch"] = {
                k: v // 100 for k, v in self.without_lunch_ore.items()
            }
        if self.derived is not None:
            data["derived"] = {
                "from_year": self.derived.from_year,
                "percent": str(self.derived.percent),
                "rounding": self.derived.rounding,
                "source": self.derived.source,
            }
        if self.notes:
            data["notes"] = dict(self.notes)
        return data


# --- reading ---------------------------------------------------------------------------------


def parse_table_text(text: str) -> NormTable:
    """A table from the text of a TOML file, or ``NormTableError`` with every issue found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, detail = syntax_error(exc)
        raise NormTableError([TableIssue("syntax", "", line, {"detail": detail})]) from exc
    return parse_table_data(data, lines=key_lines(text))


def read_table_file(path: Path) -> NormTable:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise NormTableError([TableIssue("not_utf8")]) from exc
    return parse_table_text(text)


def parse_table_data(data: Mapping[str, Any], lines: Mapping[str, int] | None = None) -> NormTable:
    """A table from parsed data (a TOML file, or the JSON stored in the database)."""
    reader = _Reader(lines or {})
    table = reader.read(data)
    if reader.issues or table is None:
        raise NormTableError(reader.issues)
    return table


class _Reader:
    def __init__(self, lines: Mapping[str, int]) -> None:
        self.lines = lines
        self.issues: list[TableIssue] = []

    def issue(self, code: str, key: str, **params: Any) -> None:
        line = self.lines.get(key)
        if line is None and "." in key:
            line = self.lines.get(key.rsplit(".", 1)[0])
        self.issues.append(TableIssue(code, key, line, params))

    def unknown(self, section: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
        for name in section:
            if name not in allowed:
                self.issue("unknown_key", f"{prefix}{name}", allowed=list(allowed))

    def text(
        self, section: Mapping[str, Any], name: str, prefix: str, *, required: bool
    ) -> str | None:
        value = section.get(name)
        if value is None:
            if required:
                self.issue("missing_key", f"{prefix}{name}")
            return None
        if not isinstance(value, str) or not value.strip():
            self.issue("not_text", f"{prefix}{name}")
            return None
        return value.strip()

    def integer(self, section: Mapping[str, Any], name: str, prefix: str) -> int | None:
        value = section.get(name)
        if value is None:
            self.issue("missing_key", f"{prefix}{name}")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.issue("not_integer", f"{prefix}{name}", value=repr(value))
            return None
        return value

    def kronor(self, section: Mapping[str, Any], name: str, prefix: str) -> int | None:
        """An amount in whole kronor, returned in öre."""
        value = section.get(name)
        key = f"{prefix}{name}"
        if value is None:
            self.issue("missing_key", key)
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.issue("not_whole_kronor", key, value=repr(value))
            return None
        if not 0 < value < MAX_KRONOR:
            self.issue("amount_out_of_range", key, value=value, maximum=MAX_KRONOR)
            return None
        return value * 100

    def section(self, data: Mapping[str, Any], name: str, *, required: bool) -> Mapping[str, Any]:
        value = data.get(name)
        if value is None:
            if required:
                self.issue("missing_key", name)
            return {}
        if not isinstance(value, Mapping):
            self.issue("not_a_table", name)
            return {}
        return value

    def read(self, data: Mapping[str, Any]) -> NormTable | None:
        self.unknown(data, _TOP_KEYS, "")
        version = self.integer(data, "format", "")
        if version is not None and version != FORMAT_VERSION:
            self.issue("unsupported_format", "format", value=version, supported=FORMAT_VERSION)
        year = self.integer(data, "year", "")
        if year is not None and not 2000 <= year <= 2100:
            self.issue("year_out_of_range", "year", value=year)
        title = self.text(data, "title", "", required=False)
        demo = data.get("demo", False)
        if not isinstance(demo, bool):
            self.issue("not_boolean", "demo", value=repr(demo))
            demo = False

        source_data = self.section(data, "source", required=True)
        self.unknown(source_data, _SOURCE_KEYS, "source.")
        source = Source(
            name=self.text(source_data, "name", "source.", required=True) or "",
            url=self.text(source_data, "url", "source.", required=False),
            published=self.text(source_data, "published", "source.", required=False),
            valid_from=self.text(source_data, "valid_from", "source.", required=False),
            note=self.text(source_data, "note", "source.", required=False),
        )

        derived = None
        if "derived" in data:
            derived = self.derivation(self.section(data, "derived", required=True))

        personal_data = self.section(data, "personal", required=True)
        self.unknown(personal_data, PERSONAL_KEYS, "personal.")
        personal = {key: self.kronor(personal_data, key, "personal.") for key in PERSONAL_KEYS}

        lunch_data = self.section(data, "personal_without_lunch", required=False)
        self.unknown(lunch_data, CHILD_KEYS, "personal_without_lunch.")
        lunch = {
            key: self.kronor(lunch_data, key, "personal_without_lunch.")
            for key in CHILD_KEYS
            if key in lunch_data
        }

        common_data = self.section(data, "common", required=True)
        self.unknown(common_data, tuple(str(n) for n in COMMON_SIZES), "common.")
        common = [self.kronor(common_data, str(n), "common.") for n in COMMON_SIZES]

        notes_data = self.section(data, "notes", required=False)
        notes: dict[str, str] = {}
        known = {f"personal.{k}" for k in PERSONAL_KEYS} | {f"common.{n}" for n in COMMON_SIZES}
        known |= {f"personal_without_lunch.{k}" for k in CHILD_KEYS}
        for name, note in notes_data.items():
            if name not in known:
                self.issue("note_for_unknown_key", f"notes.{name}")
            elif not isinstance(note, str) or not note.strip():
                self.issue("not_text", f"notes.{name}")
            else:
                notes[name] = note.strip()

        if self.issues or year is None:
            return None
        return NormTable(
            year=year,
            title=title or f"Riksnorm {year}",
            source=source,
            demo=demo,
            derived=derived,
            personal_ore={k: v for k, v in personal.items() if v is not None},
            without_lunch_ore={k: v for k, v in lunch.items() if v is not None},
            common_ore=tuple(v for v in common if v is not None),
            notes=notes,
        )

    def derivation(self, section: Mapping[str, Any]) -> Derivation | None:
        self.unknown(section, _DERIVED_KEYS, "derived.")
        from_year = self.integer(section, "from_year", "derived.")
        percent_text = self.text(section, "percent", "derived.", required=True)
        rounding = self.text(section, "rounding", "derived.", required=True)
        source = self.text(section, "source", "derived.", required=True)
        percent = None
        if percent_text is not None:
            try:
                percent = Decimal(percent_text)
            except InvalidOperation:
                self.issue("not_a_decimal", "derived.percent", value=percent_text)
        if rounding is not None and rounding not in ROUNDING_RULES:
            self.issue(
                "unknown_rounding", "derived.rounding", value=rounding, allowed=list(ROUNDING_RULES)
            )
        if None in (from_year, percent, rounding, source) or rounding not in ROUNDING_RULES:
            return None
        assert from_year is not None and percent is not None
        assert rounding is not None and source is not None
        return Derivation(from_year, percent, rounding, source)


# --- deriving --------------------------------------------------------------------------------


def raise_kronor(kronor: int, percent: Decimal, rounding: str) -> int:
    """``kronor`` raised by ``percent`` and rounded by the named rule (half up)."""
    step = ROUNDING_RULES[rounding]
    raised = Decimal(kronor) * (1 + percent / 100) / step
    return int(raised.quantize(Decimal(1), rounding=ROUND_HALF_UP)) * step


def derive_table(
    base: NormTable,
    year: int,
    percent: Decimal,
    rounding: str,
    source: str,
    *,
    title: str | None = None,
    source_name: str | None = None,
) -> NormTable:
    """A new year's table: every item of ``base`` raised by ``percent`` (2024 = 2023 + 8.7 %)."""

    def up(ore: int) -> int:
        return raise_kronor(ore // 100, percent, rounding) * 100

    return NormTable(
        year=year,
        title=title or f"Riksnorm {year}",
        source=Source(name=source_name or source),
        demo=base.demo,
        derived=Derivation(base.year, percent, rounding, source),
        personal_ore={k: up(v) for k, v in base.personal_ore.items()},
        without_lunch_ore={k: up(v) for k, v in base.without_lunch_ore.items()},
        common_ore=tuple(up(v) for v in base.common_ore),
    )


TABLES_DIR = Path(__file__).resolve().parent / "tables"


def builtin_table_files() -> list[Path]:
    """The table files shipped with the portal (``intake/norm/tables/*.toml``), by name."""
    return sorted(TABLES_DIR.glob("*.toml"))
