"""``portal completeness``: check a municipality's rules file, evaluate applications again, and
add demo applications to the informatör's queue."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select


def _engine() -> Engine:
    from portal.db import make_engine
    from portal.settings import get_settings

    return make_engine(get_settings().database_url)


@click.group("completeness")
def command() -> None:
    """Completeness rules, findings and the informatör's queue."""


@command.command("check")
@click.argument("file", required=False, type=click.Path(path_type=Path))
def check(file: Path | None) -> None:
    """Check a completeness rules FILE (TOML; default: PORTAL_COMPLETENESS_RULES_FILE, else the
    shipped defaults) and print the rule table it gives. Exits 1 naming each bad line and key."""
    from intake import completeness
    from portal.completeness import CompletenessSettings

    path = file or CompletenessSettings().completeness_rules_file
    try:
        config = completeness.load(path) if path else completeness.DEFAULT
    except completeness.ConfigError as error:
        for issue in error.issues:
            click.echo(issue.describe(error.where), err=True)
        raise SystemExit(1) from error
    click.echo(f"{config.source}: OK")
    for code, severity in config.severities.items():
        click.echo(f"  {code.value:<26} {severity.value if severity else 'off'}")
    click.echo(
        f"  amounts: tolerance {config.tolerance_ore // 100} kr or "
        f"{config.tolerance_share:.0%}, compared from confidence {config.min_confidence:g}"
    )
    for kind, window in config.periods.items():
        click.echo(
            f"  {kind:<26} months {window.earliest:+d}..{window.latest:+d} "
            f"from the month {'applied for' if window.relative_to == 'application' else 'sent'}"
        )


@command.command("evaluate")
@click.option("--all-open", is_flag=True, help="Every application waiting for the informatör.")
@click.argument("application_ids", nargs=-1, type=int)
def evaluate(all_open: bool, application_ids: tuple[int, ...]) -> None:
    """Evaluate APPLICATION_IDS again (e.g. after changing the rules) and print their findings.
    Findings no longer found are resolved; accepted ones stay accepted."""
    from intake.models import Application, ApplicationStatus
    from portal import completeness, protection

    with Session(_engine()) as db:
        ids = list(application_ids)
        if all_open:
            ids += [
                a.id
                for a in db.exec(
                    select(Application).where(
                        col(Application.status).in_(
                            [ApplicationStatus.submitted, ApplicationStatus.needs_completion]
                        ),
                        protection.application_unprotected(),
                    )
                ).all()
                if a.id is not None
            ]
        if not ids:
            raise click.UsageError("name applications, or use --all-open")
        for application_id in ids:
            application = db.get(Application, application_id)
            if application is None:
                click.echo(f"{application_id}: no such application", err=True)
                continue
            if protection.is_protected(db, application.household_id):
                click.echo(f"{application_id}: handled outside the portal", err=True)
                continue
            findings = completeness.refresh(db, application)
            open_ = [f for f in findings if f.status == "open"]
            click.echo(f"{application.reference or application.id}: {len(open_)} open finding(s)")
            for finding in open_:
                click.echo(f"  {finding.severity:<8} {finding.code:<26} {finding.subject}")


@command.command("seed-demo")
def seed_demo() -> None:
    """Add demo households whose applications wait in the informatör's queue with planted
    problems (wrong month, missing payslip, amounts that differ, a co-applicant who declined),
    one already waiting for the applicant, and one complete when sent. Idempotent; run after
    `portal seed-demo`."""
    from portal.completeness_demo import seed
    from portal.settings import get_settings

    settings = get_settings()
    if settings.mode == "production":
        raise click.ClickException("Refusing to add demo data in production mode.")
    with Session(_engine()) as db:
        added = seed(db, settings.uploads)
    click.echo(f"Completeness demo: {added} application(s) added.")
