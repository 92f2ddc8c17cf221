"""``portal norm``: load and list the yearly norm tables (riksnorm) the calculation uses."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import Engine
from sqlmodel import Session

from intake.norm import NormTable, NormTableError, TableIssue, builtin_table_files, read_table_file
from intake.norm.table import MAX_KRONOR

# Administrator-facing text for the issue codes of intake.norm.table (the command line is in
# English, like the rest of ``portal``).
ISSUE_TEXT = {
    "syntax": "not valid TOML: {detail}",
    "not_utf8": "the file is not UTF-8 text",
    "missing_key": "missing",
    "unknown_key": "unknown key (expected one of: {allowed})",
    "not_integer": "must be a whole number, got {value}",
    "not_whole_kronor": "must be whole kronor a month (a whole number), got {value}",
    "amount_out_of_range": "{value} is out of range (1 to {maximum} kronor)",
    "not_text": "must be a non-empty text in quotes",
    "not_boolean": "must be true or false, got {value}",
    "not_a_table": "must be a [section]",
    "unsupported_format": "format {value} is not supported (this portal reads format {supported})",
    "year_out_of_range": "year {value} is out of range (2000 to 2100)",
    "not_a_decimal": 'must be a decimal number in quotes, e.g. "8.7", got {value}',
    "unknown_rounding": "unknown rounding {value} (expected one of: {allowed})",
    "note_for_unknown_key": "a note for a key the table does not have",
}


def describe(issue: TableIssue, filename: str) -> str:
    params: dict[str, Any] = dict(issue.params)
    if "allowed" in params:
        params["allowed"] = ", ".join(params["allowed"])
    params.setdefault("maximum", MAX_KRONOR - 1)
    text = ISSUE_TEXT.get(issue.code, issue.code).format(**params)
    if issue.code == "missing_key" and "." in issue.key:
        # The key is not in the file: point at its section instead.
        section = issue.key.split(".")[0]
        at = f", which starts at line {issue.line}" if issue.line else ""
        return f"{filename}: {issue.key}: missing from [{section}]{at}"
    where = f"{filename}:{issue.line}" if issue.line else filename
    return f"{where}: {issue.key}: {text}" if issue.key else f"{where}: {text}"


def _engine() -> Engine:
    from portal.db import make_engine
    from portal.settings import get_settings

    return make_engine(get_settings().database_url)


def _label(demo: bool, derived: bool = False) -> str:
    if demo:
        return "DEMO (example values)"
    return "derived" if derived else "published"


@click.group("norm")
def command() -> None:
    """Yearly norm tables (riksnorm) for the preliminary calculation.

    A table is a TOML file that names its source (format: intake/norm/tables/README.md). The
    calculation refuses a month whose year has no imported table.
    """


@command.command("import")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--builtin", is_flag=True, help="Also import every table shipped in intake/norm/tables."
)
@click.option(
    "--by",
    "imported_by",
    default=None,
    help="Who imports, recorded with the table (default: the operating-system user).",
)
@click.option("--dry-run", is_flag=True, help="Check the files and show them; store nothing.")
@click.option(
    "--allow-demo-over-real",
    is_flag=True,
    help="Let a demo table (example values) replace a published table of the same year.",
)
def import_(
    files: tuple[Path, ...],
    builtin: bool,
    imported_by: str | None,
    dry_run: bool,
    allow_demo_over_real: bool,
) -> None:
    """Check and import norm table FILES; a table replaces the one of the same year.

    Nothing is stored unless every file is valid.
    """
    from portal.repository_norm import NormImportRefused, import_tables

    paths = list(files) + (builtin_table_files() if builtin else [])
    if not paths:
        raise click.UsageError("Give at least one table file, or --builtin.")
    tables: list[tuple[Path, NormTable]] = []
    problems: list[str] = []
    for path in paths:
        try:
            tables.append((path, read_table_file(path)))
        except NormTableError as exc:
            problems += [describe(issue, str(path)) for issue in exc.issues]
    years: dict[int, Path] = {}
    for path, table in tables:
        if table.year in years:
            problems.append(f"{path}: year {table.year} is also in {years[table.year]}")
        years[table.year] = path
    if problems:
        raise click.ClickException(
            "Nothing was imported:\n" + "\n".join(f"  {line}" for line in problems)
        )
    for path, table in tables:
        label = _label(table.demo, table.derived is not None)
        if table.derived:
            label += f" from {table.derived.from_year} + {table.derived.percent} %"
        click.echo(f"{table.year}  {label}  {table.source.name}  ({path})")
    if dry_run:
        click.echo("Dry run: nothing stored.")
        return
    who = imported_by or _user()
    engine = _engine()
    try:
        with Session(engine) as db:
            results = import_tables(
                db, [table for _, table in tables], who, allow_demo_over_real=allow_demo_over_real
            )
    except NormImportRefused as exc:
        raise click.ClickException(
            f"Nothing was imported: the table for {exc.year} in the database is a published "
            "one and would be replaced by a demo table (example values). Use "
            "--allow-demo-over-real if that is what you want."
        ) from exc
    finally:
        engine.dispose()
    for result in results:
        verb = "Replaced" if result.replaced else "Imported"
        label = "DEMO, example values" if result.is_demo else "not a demo table"
        click.echo(f"{verb} the norm table for {result.year} ({label}).")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "cli"


@command.command("list")
def list_() -> None:
    """List the imported norm tables: year, demo or published, source, when and by whom."""
    from portal.repository_norm import table_rows

    engine = _engine()
    try:
        with Session(engine) as db:
            rows = table_rows(db)
    finally:
        engine.dispose()
    if not rows:
        click.echo("No norm tables imported: the calculation refuses every month.")
        return
    for row in rows:
        imported = row.imported_at.strftime("%Y-%m-%d %H:%M")
        click.echo(
            f"{row.year}  {_label(row.is_demo, 'derived' in row.data):<21}  {row.source}  "
            f"(imported {imported} UTC by {row.imported_by})"
        )
