"""``portal purge``: apply the retention rules (gallring) once; run it daily."""

from __future__ import annotations

import json

import click


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def command(dry_run: bool, as_json: bool) -> None:
    """Delete what the retention rules (PORTAL_RETENTION_*) say has been kept long enough:
    stale drafts, applications the case system received long enough ago, their files, expired
    survey links, old sessions and e-ID orders. Every deletion is written to the audit log.
    Run daily, e.g. from cron or a systemd timer (see docs/deploy.md)."""
    from sqlmodel import Session

    from portal.db import make_engine
    from portal.retention import purge
    from portal.settings import get_settings

    settings = get_settings()
    engine = make_engine(settings.database_url)
    with Session(engine) as db:
        report = purge(db, settings, dry_run=dry_run)
    engine.dispose()
    counts = report.counts()
    if as_json:
        click.echo(json.dumps(counts, sort_keys=True))
        return
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(
        f"{verb}: {counts['drafts']} stale draft(s), {counts['handed_off']} handed-off "
        f"application(s), {counts['files']} uploaded file(s), {counts['orphans']} orphan "
        f"file(s), {counts['survey_invitations']} expired survey invitation(s), "
        f"{counts['sessions']} session(s), {counts['eid_orders']} e-ID order(s), "
        f"{counts['rate_limits']} rate-limit counter(s)."
    )
