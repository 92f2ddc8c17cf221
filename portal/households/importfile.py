"""Reading a ``portal households import`` file: CSV with the documented header (one line per
member, docs/households-import.md) or JSON lines (one household per line, the API's body with
``external_id``). Only parsing here; the service checks and stores."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from intake.money import AmountError, parse_amount
from portal.households.schemas import HouseholdIn

COLUMNS = (
    "external_id",
    "unit",
    "language",
    "interpreter",
    "protected_identity",
    "personnummer",
    "given_name",
    "family_name",
    "role",
    "birth_date",
    "days_at_home",
    "email",
    "phone",
    "basis_month",
    "rent",
    "costs",
    "incomes",
)
REQUIRED = ("external_id", "unit", "personnummer", "given_name", "family_name", "role")
ROLES = ("applicant", "co_applicant", "child", "visiting_child")
YES = {"yes", "ja", "true", "1", "x"}
NO = {"no", "nej", "false", "0", ""}


@dataclass(frozen=True)
class LineProblem:
    line: int
    code: str
    detail: str


@dataclass
class Parsed:
    """One household of the file: its lines (one per member, in order), and either the body to
    store or what is wrong with it."""

    external_id: str
    lines: list[int]
    data: HouseholdIn | None = None
    problems: list[LineProblem] = field(default_factory=list)

    def line_of(self, loc: tuple[Any, ...]) -> int:
        """The file line a problem's location points to (a member's line, else the first)."""
        if (
            len(loc) >= 2
            and loc[0] == "members"
            and isinstance(loc[1], int)
            and loc[1] < len(self.lines)
        ):
            return self.lines[loc[1]]
        return self.lines[0]


class ImportFileError(Exception):
    """The file as a whole cannot be read (no header, a missing column, not UTF-8)."""


def read(path: Path) -> list[Parsed]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError("the file is not UTF-8 text") from exc
    if path.suffix.lower() in (".jsonl", ".ndjson") or text.lstrip().startswith("{"):
        return read_json_lines(text)
    return read_csv(text)


def read_json_lines(text: str) -> list[Parsed]:
    found: list[Parsed] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError:
            found.append(Parsed("", [number], problems=[LineProblem(number, "bad_json", "")]))
            continue
        if not isinstance(raw, dict):
            found.append(Parsed("", [number], problems=[LineProblem(number, "bad_json", "")]))
            continue
        key = str(raw.pop("external_id", "") or "").strip()
        parsed = Parsed(key, [number])
        if not key:
            parsed.problems.append(LineProblem(number, "missing_external_id", ""))
        try:
            parsed.data = HouseholdIn.model_validate(raw)
        except ValidationError as exc:
            parsed.problems += [
                LineProblem(number, _code(error), _where(error["loc"]) + str(error["msg"]))
                for error in exc.errors()
            ]
        if parsed.problems:
            parsed.data = None
        found.append(parsed)
    return found


def _code(error: Any) -> str:
    loc = [str(part) for part in error.get("loc", ())]
    if "role" in loc:
        return "bad_role"
    if "birth_date" in loc:
        return "bad_date"
    return f"invalid_{loc[-1]}" if loc else "invalid"


def _where(loc: Any) -> str:
    return ".".join(str(part) for part in loc) + ": " if loc else ""


def _flag(value: str) -> bool | None:
    text = value.strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def _amounts(text: str) -> dict[str, int]:
    """``kind=kronor;kind=kronor`` (e.g. ``child_allowance=1250``) as öre by kind."""
    found: dict[str, int] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        kind, separator, amount = part.partition("=")
        if not separator or not kind.strip():
            raise AmountError("format")
        found[kind.strip()] = parse_amount(amount)
    return found


def read_csv(text: str) -> list[Parsed]:
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(f"line 1: missing columns: {', '.join(missing)}")
    reader.fieldnames = header
    households: dict[str, Parsed] = {}
    rows: dict[str, list[tuple[int, dict[str, str]]]] = {}
    orphans: list[Parsed] = []
    for row in reader:
        number = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k}
        key = values.get("external_id", "")
        if not key:
            orphans.append(
                Parsed("", [number], problems=[LineProblem(number, "missing_external_id", "")])
            )
            continue
        households.setdefault(key, Parsed(key, []))
        rows.setdefault(key, []).append((number, values))
    for key, parsed in households.items():
        _household_from_rows(parsed, rows[key])
    return [*households.values(), *orphans]


def _delimiter(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    return ";" if first.count(";") > first.count(",") else ","


def _household_from_rows(parsed: Parsed, rows: list[tuple[int, dict[str, str]]]) -> None:
    problems = parsed.problems
    first_line, first = rows[0]
    members: list[dict[str, Any]] = []
    incomes: dict[str, dict[str, int]] = {}
    for number, values in rows:
        parsed.lines.append(number)
        member: dict[str, Any] = {
            "personnummer": values.get("personnummer", ""),
            "given_name": values.get("given_name", ""),
            "family_name": values.get("family_name", ""),
            "role": values.get("role", ""),
        }
        if member["role"] not in ROLES:
            problems.append(LineProblem(number, "bad_role", f"role {member['role']!r}"))
        if not member["given_name"] or not member["family_name"]:
            problems.append(LineProblem(number, "name_required", "given_name, family_name"))
        if values.get("birth_date"):
            member["birth_date"] = values["birth_date"]
            try:
                dt.date.fromisoformat(values["birth_date"])
            except ValueError:
                problems.append(LineProblem(number, "bad_date", values["birth_date"]))
                del member["birth_date"]
        days = values.get("days_at_home", "")
        if days:
            if days.isdigit() and int(days) <= 31:
                member["days_at_home"] = int(days)
            else:
                problems.append(LineProblem(number, "bad_days", days))
        for name in ("email", "phone"):
            if values.get(name):
                member[name] = values[name]
        if values.get("incomes"):
            try:
                incomes[member["personnummer"]] = _amounts(values["incomes"])
            except AmountError as exc:
                problems.append(LineProblem(number, "bad_amount", f"incomes ({exc.code})"))
        members.append(member)
    body: dict[str, Any] = {"unit": first.get("unit", ""), "members": members}
    if first.get("language"):
        body["language"] = first["language"]
    for name, target in (
        ("interpreter", "interpreter_needed"),
        ("protected_identity", "protected_identity"),
    ):
        flag = _flag(first.get(name, ""))
        if flag is None:
            problems.append(LineProblem(first_line, "bad_flag", f"{name} {first.get(name)!r}"))
        else:
            body[target] = flag
    if first.get("basis_month"):
        basis: dict[str, Any] = {"month": first["basis_month"], "incomes": incomes}
        try:
            if first.get("rent"):
                basis["rent_ore"] = parse_amount(first["rent"])
            basis["costs"] = _amounts(first.get("costs", ""))
        except AmountError as exc:
            problems.append(LineProblem(first_line, "bad_amount", f"rent or costs ({exc.code})"))
        body["basis"] = basis
    elif incomes or first.get("rent") or first.get("costs"):
        problems.append(LineProblem(first_line, "basis_month_required", "rent, costs, incomes"))
    if problems:
        return
    try:
        parsed.data = HouseholdIn.model_validate(body)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error.get("loc", ()))
            problems.append(
                LineProblem(parsed.line_of(loc), _code(error), _where(loc) + str(error["msg"]))
            )
