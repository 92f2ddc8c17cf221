"""``portal restore``: put a backup made by ``portal backup`` back, checked file by file."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing database and upload folder.")
@click.option("--verify-only", is_flag=True, help="Check the backup's checksums; restore nothing.")
def command(source: Path, force: bool, verify_only: bool) -> None:
    """Restore SOURCE into PORTAL_DATABASE_URL and PORTAL_UPLOAD_DIR. Every file's checksum is
    checked against the manifest first (a damaged backup restores nothing); afterwards every
    attachment's file is checked against the checksum in its row. Stop the portal first."""
    from portal.backup import BackupError, restore, verify
    from portal.settings import get_settings

    try:
        if verify_only:
            problems = verify(source)
            if problems:
                raise click.ClickException("Damaged: " + "; ".join(problems))
            click.echo(f"{source}: every file matches its checksum.")
            return
        result = restore(get_settings(), source, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Restored {result.applications} application(s); {result.files} of "
        f"{result.attachments} attachment file(s) match their checksums."
    )
    if result.problems:
        raise click.ClickException("After restoring: " + "; ".join(result.problems))
