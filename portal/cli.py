"""The ``portal`` command."""

from __future__ import annotations

import getpass
import os
import sys

import click
from sqlalchemy.engine import Engine
from sqlmodel import Session

from intake.models import Role, StaffRole, StaffUser, Unit
from portal.settings import get_settings


def _engine() -> Engine:
    from portal.db import make_engine

    return make_engine(get_settings().database_url)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """The ekonomiskt bistånd portal. Settings come from PORTAL_* environment variables
    (see README.md)."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=lambda: int(os.environ.get("PORT", "8000")),
    show_default="8000, or $PORT",
    type=int,
    help="Port to listen on.",
)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Worker processes (default: PORTAL_WORKERS, 1).",
)
def serve(host: str, port: int, workers: int | None) -> None:
    """Serve the portal with uvicorn. Capacity (requests at once, queue, threads, connection
    pool) comes from PORTAL_MAX_IN_FLIGHT and friends: see docs/deploy.md, "Capacity"."""
    import uvicorn

    if workers is not None:
        os.environ["PORTAL_WORKERS"] = str(workers)  # the workers read their settings anew
        get_settings.cache_clear()
    settings = get_settings()
    capacity = settings.capacity
    click.echo(f"Serving {settings.municipality_name} on http://{host}:{port} ({settings.mode})")
    click.echo(f"Capacity: {capacity.describe()}")
    uvicorn.run(
        "portal.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=capacity.workers,
        # A backstop only: the load shedding in the app answers first, with a proper page.
        limit_concurrency=capacity.limit_concurrency,
        backlog=4096,
        # A busy worker (a shared or overloaded machine) is not taken for a hung one.
        timeout_worker_healthcheck=30,
        proxy_headers=True,
        server_header=False,
    )


@main.command()
def migrate() -> None:
    """Bring the database schema to the newest migration."""
    from portal.db import migrate as run_migrations

    run_migrations(_engine())
    click.echo("Database is up to date.")


@main.command("seed-demo")
@click.option("--force", is_flag=True, help="Allow demo data in production mode.")
@click.option("--quiet", is_flag=True, help="Do not print the demo logins.")
@click.option(
    "--households",
    type=click.IntRange(0, 50_000),
    default=0,
    show_default=True,
    help="Also add N made-up households, each with an open application in the officers' "
    "queue (for bench/officer_queue.py and trying the filters; not idempotent).",
)
def seed_demo(force: bool, quiet: bool, households: int) -> None:
    """Add the demo municipality, staff and households (idempotent) and print the logins."""
    from portal import demo

    settings = get_settings()
    if settings.mode == "production" and not force:
        raise click.ClickException("Refusing to add demo data in production mode (use --force).")
    from portal.completeness_demo import seed as seed_completeness
    from portal.survey_seed import seed_demo_answers

    with Session(_engine()) as db:
        added = demo.seed(db, settings.municipality_name)
        survey_answers = seed_demo_answers(db)
        to_check = seed_completeness(db, settings.uploads)
        if households:
            import random

            from portal.officer_seed import seed as seed_households

            made = seed_households(db, households, rng=random.Random(6))
            click.echo(
                f"Made-up queue data: {made['households']} households, "
                f"{made['open_applications']} open applications."
            )
    click.echo(
        f"Demo data: {added['staff']} staff, {added['households']} households, "
        f"{added['applications']} applications, {added.get('norm_tables', 0)} norm tables, "
        f"{survey_answers} survey answers and {to_check} applications for the informatör "
        "added."
    )
    if not quiet:
        click.echo(demo_logins())


def demo_logins() -> str:
    from portal import demo

    lines = ["", "Demo logins (development only)", "", "Staff: /login/staff"]
    for staff in demo.STAFF:
        roles = ", ".join(staff.roles) + (", team lead" if staff.leads_unit else "")
        lines.append(f"  {staff.username:<13} {staff.password:<19} {roles}")
    lines += ["", "Applicants: /login/test-eid (test identification)"]
    for household in demo.HOUSEHOLDS:
        person = household.members[0]
        number = person.personnummer
        lines.append(
            f"  {number[:8]}-{number[8:]}  {person.given} {person.family:<10} "
            f"{household.label} ({household.language})"
        )
    return "\n".join(lines) + "\n"


@main.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The name shown in the portal.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="A role; repeat for several.",
)
@click.option("--unit", "unit_name", help="The unit the user works in.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input, not a prompt."
)
def create_user(
    username: str,
    display_name: str,
    roles: tuple[str, ...],
    unit_name: str | None,
    password_stdin: bool,
) -> None:
    """Create a staff user with one or more roles."""
    from sqlmodel import select

    from portal.auth import hash_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat password: "):
            raise click.ClickException("The passwords differ.")
    if len(password) < 12:
        raise click.ClickException("The password must have at least 12 characters.")
    with Session(_engine()) as db:
        if db.exec(select(StaffUser).where(StaffUser.username == username)).first():
            raise click.ClickException(f"A user named {username!r} exists already.")
        unit_id = None
        if unit_name:
            unit = db.exec(select(Unit).where(Unit.name == unit_name)).first()
            if unit is None:
                raise click.ClickException(f"No unit named {unit_name!r}.")
            unit_id = unit.id
        user = StaffUser(
            username=username,
            display_name=display_name,
            password_hash=hash_password(password),
            unit_id=unit_id,
        )
        db.add(user)
        db.flush()
        for role in roles:
            db.add(StaffRole(user_id=user.id or 0, role=role))
        db.commit()
    click.echo(f"Created {username} with roles {', '.join(roles)}.")


def _add_plugin_commands() -> None:
    """Add the ``command`` of every module in ``portal/commands``."""
    import importlib
    import pkgutil

    from portal import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"portal.commands.{info.name}")
        main.add_command(module.command)


_add_plugin_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
