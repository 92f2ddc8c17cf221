"""``portal api-token``: tokens for the case system's hand-off API (``/api/v1``)."""

from __future__ import annotations

import getpass

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


@click.group("api-token")
def command() -> None:
    """Tokens for the hand-off API (/api/v1) that the municipality's case system uses.

    A token is shown once, when it is made; the portal keeps only its SHA-256. The case system
    sends it as "Authorization: Bearer TOKEN".
    """


@command.command("create")
@click.argument("name")
@click.option("--by", "created_by", default=None, help="Who makes it (default: the OS user).")
def create(name: str, created_by: str | None) -> None:
    """Make a token named NAME (e.g. the case system: "Lifecare prod") and print it once."""
    from portal.repository_handoff import create_token

    if not name.strip() or len(name) > 100:
        raise click.BadParameter("give a name of 1 to 100 characters", param_hint="NAME")
    with Session(_engine()) as db:
        row, secret = create_token(db, name.strip(), created_by or _user())
    click.echo(
        f"Token {row.id} ({row.prefix}…) for {row.name}. Copy it now; it is not shown again:"
    )
    click.echo(secret)


@command.command("list")
def list_() -> None:
    """List the tokens: id, prefix, name, who made it and when, last use, revoked."""
    from portal.repository_handoff import tokens

    with Session(_engine()) as db:
        rows = tokens(db)
    if not rows:
        click.echo("No API tokens.")
        return
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
        used = f"last used {row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
        click.echo(
            f"{row.id:>4}  {row.prefix}…  {row.name}  (by {row.created_by}, "
            f"{row.created_at:%Y-%m-%d})  {used}  {state}"
        )


@command.command("revoke")
@click.argument("token")
def revoke(token: str) -> None:
    """Revoke TOKEN (its id or its shown prefix): it stops working at once."""
    from portal.repository_handoff import find_token
    from portal.repository_handoff import revoke as revoke_token

    with Session(_engine()) as db:
        row = find_token(db, token)
        if row is None:
            raise click.ClickException(f"No API token {token!r}.")
        revoke_token(db, row)
        click.echo(f"Token {row.id} ({row.prefix}…, {row.name}) is revoked.")
