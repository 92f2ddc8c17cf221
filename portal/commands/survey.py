"""``portal survey``: reminders, expiry, made-up answers for the demo and benchmark, recount."""

from __future__ import annotations

import click
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from intake.models import SurveyAnswer, Unit, utcnow
from intake.survey.questions import QUESTION_SETS, question_set


def _engine() -> Engine:
    from portal.db import make_engine
    from portal.settings import get_settings

    return make_engine(get_settings().database_url)


@click.group("survey")
def command() -> None:
    """The bemötande survey: invitations, reminders and answers."""


@command.command("send-reminders")
def send_reminders() -> None:
    """Send the one reminder to invitations that have waited PORTAL_SURVEY_REMINDER_DAYS days.
    Run daily (e.g. from cron)."""
    from portal.settings import get_settings
    from portal.survey_invitations import send_reminders as run

    with Session(_engine()) as db:
        sent = run(db, get_settings())
    click.echo(f"{sent} reminder(s) queued.")


@command.command("expire")
def expire() -> None:
    """Delete expired invitations with their links, and households' pauses that are over.
    Run daily (e.g. from cron)."""
    from portal.survey_invitations import expire as run

    with Session(_engine()) as db:
        invitations, pauses = run(db)
    click.echo(f"{invitations} expired invitation(s) and {pauses} ended pause(s) deleted.")


@command.command("seed")
@click.option(
    "--answers",
    "count",
    default=400,
    show_default=True,
    type=click.IntRange(1, 10**7),
    help="How many made-up answers to add.",
)
@click.option(
    "--months",
    default=24,
    show_default=True,
    type=click.IntRange(1, 120),
    help="Spread them over this many months, up to this month.",
)
@click.option(
    "--version",
    "version",
    default=None,
    type=click.Choice(sorted(QUESTION_SETS)),
    help="Question-set version (default: PORTAL_SURVEY_QUESTION_SET).",
)
@click.option(
    "--seed",
    "random_seed",
    default=7,
    show_default=True,
    type=int,
    help="Random seed, for repeatable data.",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Add nothing when the version already has answers (for seed-demo).",
)
@click.option("--force", is_flag=True, help="Allow made-up answers in production mode.")
def seed(
    count: int, months: int, version: str | None, random_seed: int, if_empty: bool, force: bool
) -> None:
    """Add made-up survey answers and invitations for the demo and the benchmark. Needs the
    units of `portal seed-demo` (or real ones)."""
    from portal import survey_seed
    from portal.settings import get_settings
    from portal.survey_invitations import this_month
    from portal.survey_settings import get_survey_settings

    settings = get_settings()
    if settings.mode == "production" and not force:
        raise click.ClickException(
            "Refusing to add made-up answers in production mode (use --force)."
        )
    questions = question_set(version or get_survey_settings().question_set)
    with Session(_engine()) as db:
        if if_empty:
            existing = db.exec(
                select(func.count())
                .select_from(SurveyAnswer)
                .where(SurveyAnswer.question_set_version == questions.version)
            ).one()
            if existing:
                click.echo(f"Survey answers exist already ({existing}); nothing added.")
                return
        units = [unit for unit in db.exec(select(Unit.id).order_by(col(Unit.id))).all() if unit]
        if not units:
            raise click.ClickException("No units: run `portal seed-demo` first.")
        added = survey_seed.seed(
            db,
            questions,
            answers=count,
            last_month=this_month(utcnow()),
            months=months,
            units=units,
            seed=random_seed,
        )
    click.echo(
        f"Added {added['answers']} survey answers ({added['comments']} with a comment) "
        f"for {questions.version} over {months} months."
    )


@command.command("recount")
@click.option(
    "--version",
    "version",
    default=None,
    type=click.Choice(sorted(QUESTION_SETS)),
    help="Question-set version (default: all).",
)
def recount(version: str | None) -> None:
    """Rebuild the dashboard's counts from the stored answers (after a restore, say)."""
    from portal.repository_survey import recount as run

    versions = [version] if version else sorted(QUESTION_SETS)
    with Session(_engine()) as db:
        for name in versions:
            seen = run(db, question_set(name))
            db.commit()
            click.echo(f"{name}: counts rebuilt from {seen} answers.")
