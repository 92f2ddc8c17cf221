"""``portal households``: the household register from the command line (first load of a unit's
households from the case system's export)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from sqlalchemy.engine import Engine
from sqlmodel import Session


def _engine() -> Engine:
    from portal.db import make_engine
    from portal.settings import get_settings

    return make_engine(get_settings().database_url)


def _user() -> str:
    try:
        return getpass.getuser()
    except OSError:  # pragma: no cover - no user name in some containers
        return "unknown"


@click.group("households")
def command() -> None:
    """The household register: households the case system knows (see
    docs/households-import.md; the API is PUT /api/v1/households/{external_id})."""


@command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every line and report; store nothing.")
@click.option("--by", "by", default=None, help="Who imports (audit log; default: the OS user).")
def import_file(file: Path, dry_run: bool, by: str | None) -> None:
    """Load households from FILE: CSV with the documented header (one line per member) or
    JSON lines (one household per line, the API's body with "external_id").

    All or nothing: if any line is rejected, nothing is stored, and every rejected line is
    listed with its line number and reason (exit status 1). A household already in the register
    (same external_id) is updated. Fix the file and run again."""
    from portal.households import importfile, service

    try:
        parsed = importfile.read(file)
    except importfile.ImportFileError as exc:
        click.echo(f"{file}: {exc}", err=True)
        sys.exit(2)
    actor = service.Actor("system", None, "import", f"portal households import ({by or _user()})")
    with Session(_engine()) as db:
        report = service.import_households(db, parsed, actor, dry_run=dry_run)
    for row in report.rejected:
        where = f" ({row.external_id})" if row.external_id else ""
        detail = f": {row.detail}" if row.detail else ""
        click.echo(f"line {row.line}{where}: {row.code}{detail}")
    total = report.households
    if report.rejected:
        lines = len({row.line for row in report.rejected})
        click.echo(
            f"{len(report.rejected)} problems on {lines} lines; nothing was stored "
            f"({total} households in the file).",
            err=True,
        )
        sys.exit(1)
    summary = (
        f"{total} households: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )
    if dry_run:
        click.echo(f"Dry run, nothing stored. {summary}.")
    else:
        click.echo(f"Imported. {summary}.")
