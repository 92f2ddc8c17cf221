"""``portal officer``: data for the case officer's queue and who leads which unit."""

from __future__ import annotations

import time

import click
from sqlalchemy.engine import Engine
from sqlmodel import Session, select


def _engine() -> Engine:
    from portal.db import make_engine
    from portal.settings import get_settings

    return make_engine(get_settings().database_url)


@click.group("officer")
def command() -> None:
    """The case officer's side: made-up queue data, and team leads of units."""


@command.command("seed")
@click.option(
    "--households",
    type=click.IntRange(1, 50_000),
    required=True,
    help="How many made-up households to add, each with one open (complete) application.",
)
@click.option("--random-seed", default=6, show_default=True, help="Seed for the made-up data.")
@click.option("--force", is_flag=True, help="Allow made-up data in production mode.")
def seed(households: int, random_seed: int, force: bool) -> None:
    """Add made-up households to the demo units (run `portal seed-demo` first): a queue of open
    applications for the benchmark (bench/officer_queue.py) and for trying the filters."""
    import random

    from portal.officer_seed import seed as seed_households
    from portal.settings import get_settings

    if get_settings().mode == "production" and not force:
        raise click.ClickException("Refusing to add made-up data in production mode (use --force).")
    started = time.perf_counter()
    with Session(_engine()) as db:
        try:
            added = seed_households(db, households, rng=random.Random(random_seed))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    seconds = time.perf_counter() - started
    click.echo(
        f"Added {added['households']} households, {added['applications']} applications "
        f"({added['open_applications']} open), {added['answers']} answers, "
        f"{added['decisions']} decisions and {added['plans']} action plans in {seconds:.1f} s."
    )


@command.command("team-lead")
@click.argument("username")
@click.option("--unit", "unit_name", help="The unit led (default: the user's own unit).")
@click.option("--remove", is_flag=True, help="No longer lead the unit.")
def team_lead(username: str, unit_name: str | None, remove: bool) -> None:
    """Make USERNAME (an officer) team lead of a unit: sees the unit's queue, draws egenkontroll
    samples and assigns reviewers."""
    from intake.models import StaffRole, StaffUser, TeamLead, Unit

    with Session(_engine()) as db:
        user = db.exec(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None or user.id is None:
            raise click.ClickException(f"No user named {username!r}.")
        roles = db.exec(select(StaffRole.role).where(StaffRole.user_id == user.id)).all()
        if "officer" not in roles:
            raise click.ClickException(f"{username} does not have the officer role.")
        if unit_name:
            unit = db.exec(select(Unit).where(Unit.name == unit_name)).first()
        else:
            unit = db.get(Unit, user.unit_id) if user.unit_id else None
        if unit is None or unit.id is None:
            raise click.ClickException("No such unit (give --unit NAME).")
        row = db.get(TeamLead, (user.id, unit.id))
        if remove:
            if row is not None:
                db.delete(row)
                db.commit()
            click.echo(f"{username} no longer leads {unit.name}.")
            return
        if row is None:
            db.add(TeamLead(staff_user_id=user.id, unit_id=unit.id))
            db.commit()
        click.echo(f"{username} leads {unit.name}.")
