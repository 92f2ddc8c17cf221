"""``portal backup``: the SQLite database and the upload folder, with a checksum manifest."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("backup")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--files-only",
    is_flag=True,
    help="Only the upload folder (with PostgreSQL, whose database pg_dump backs up).",
)
def command(destination: Path, files_only: bool) -> None:
    """Back up into DESTINATION (a new or empty folder): the database with SQLite's online
    backup (safe while the portal runs), every uploaded file, and manifest.json with the
    SHA-256 of each. Restore with `portal restore DESTINATION`."""
    from portal.backup import BackupError, backup
    from portal.settings import get_settings

    try:
        manifest = backup(get_settings(), destination, files_only=files_only)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    files = len(manifest["files"])
    click.echo(
        f"Backed up {manifest['applications'] or 0} application(s), "
        f"{manifest['attachments'] or 0} attachment(s); {files} file(s) in {destination}."
    )
