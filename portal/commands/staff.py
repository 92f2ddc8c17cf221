"""``portal staff``: staff accounts; resetting a lost second factor (the recovery path)."""

from __future__ import annotations

import click
from sqlalchemy.engine import Engine
from sqlmodel import Session, select


def _engine() -> Engine:
    from portal.db import make_engine
    from portal.settings import get_settings

    return make_engine(get_settings().database_url)


@click.group("staff")
def command() -> None:
    """Staff accounts: reset a staff member's second sign-in step; mark break-glass accounts."""


@command.command("reset-two-factor")
@click.argument("username")
def reset_two_factor(username: str) -> None:
    """Forget USERNAME's second factor (a lost or replaced phone) and end their sessions. They
    sign in with their password next time and, when PORTAL_STAFF_TOTP=required, set up a new
    one before any staff page. Check who is asking before you run this."""
    from intake.models import StaffUser
    from portal import repository
    from portal.auth import has_second_factor, reset_second_factor

    with Session(_engine()) as db:
        user = db.exec(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None or user.id is None:
            raise click.ClickException(f"No user named {username!r}.")
        had = has_second_factor(user)
        ended = reset_second_factor(db, user)
        repository.audit(
            db,
            "system",
            None,
            "two_factor_reset",
            object_type="staff_user",
            object_id=user.id,
            detail={"sessions_ended": ended, "had_second_factor": had},
        )
    if had:
        click.echo(f"Second factor of {username} reset; {ended} session(s) ended.")
    else:
        click.echo(f"{username} had no second factor; {ended} session(s) ended.")


@command.command("break-glass")
@click.argument("username")
@click.option("--remove", is_flag=True, help="Take the mark away: password sign-in off again.")
def break_glass(username: str, remove: bool) -> None:
    """Mark USERNAME as a break-glass account: with OpenID Connect configured
    (PORTAL_OIDC_ISSUER) in production, only such accounts may still sign in with their password,
    and always with a TOTP code as well (set up at the first sign-in). Keep them few, for when
    the identity provider is down. --remove takes the mark away and ends their sessions."""
    from intake.models import StaffUser, WebSession
    from portal import repository

    with Session(_engine()) as db:
        user = db.exec(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None or user.id is None:
            raise click.ClickException(f"No user named {username!r}.")
        if user.break_glass == (not remove):
            click.echo(f"{username} is {'not ' if remove else ''}a break-glass account already.")
            return
        user.break_glass = not remove
        db.add(user)
        ended = 0
        if remove:
            for row in db.exec(select(WebSession).where(WebSession.staff_user_id == user.id)):
                db.delete(row)
                ended += 1
        repository.audit(
            db,
            "system",
            None,
            "break_glass_removed" if remove else "break_glass_marked",
            object_type="staff_user",
            object_id=user.id,
            detail={"sessions_ended": ended},
            commit=False,
        )
        db.commit()
    if remove:
        click.echo(f"{username} is no longer a break-glass account; {ended} session(s) ended.")
    else:
        click.echo(
            f"{username} is a break-glass account: password and TOTP code work in production."
        )
