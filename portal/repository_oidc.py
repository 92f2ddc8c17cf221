"""The staff record behind a sign-in with the identity provider: created or brought up to date
from the ID token's claims (name, e-mail, roles, unit, team lead), and turned off when the
provider no longer grants any role. Every change is audited in the same transaction; the caller
commits (with the new session, see portal/routes/oidc.py)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from intake.models import StaffRole, StaffUser, TeamLead, Unit, WebSession
from portal import repository
from portal.oidc import Identity
from portal.oidc_mapping import ClaimMapping, Grant

# No password can match this (argon2 rejects it as a hash): the account signs in only through
# the provider.
NO_PASSWORD = "!oidc"  # noqa: S105 (not a password: matches none)


@dataclass
class Outcome:
    staff: StaffUser | None  # None: refused, and there was no account to turn off
    refused: str | None = None  # "unmapped" or "unknown_unit"


def _text(claims: dict[str, Any], name: str, limit: int) -> str | None:
    value = claims.get(name)
    return value.strip()[:limit] if isinstance(value, str) and value.strip() else None


def _username(db: Session, mapping: ClaimMapping, identity: Identity) -> str:
    """A unique username from the first claim present; a name taken by another account gets
    a suffix from the subject (never is an existing account taken over by name)."""
    base = next(
        (u for u in (_text(identity.claims, c, 80) for c in mapping.username_claims) if u),
        None,
    )
    suffix = hashlib.sha256(f"{identity.issuer}\0{identity.subject}".encode()).hexdigest()[:8]
    base = base or f"oidc-{suffix}"
    candidate = base
    if repository.staff_by_username(db, candidate) is not None:
        candidate = f"{base}-{suffix}"
    return candidate


def find(db: Session, identity: Identity) -> StaffUser | None:
    return db.exec(
        select(StaffUser)
        .where(StaffUser.oidc_issuer == identity.issuer)
        .where(StaffUser.oidc_subject == identity.subject)
    ).first()


def _units_led(db: Session, user: StaffUser) -> set[int]:
    return set(db.exec(select(TeamLead.unit_id).where(TeamLead.staff_user_id == user.id)).all())


def _unit_ids(db: Session, names: set[str]) -> dict[str, int] | None:
    rows = db.exec(select(Unit).where(col(Unit.name).in_(names))).all() if names else []
    found = {unit.name: unit.id for unit in rows if unit.id is not None}
    return found if set(found) == names else None


def _turn_off(db: Session, user: StaffUser, reason: str) -> None:
    """No role any more: the account is turned off, its roles, team lead and sessions gone."""
    assert user.id is not None
    before = sorted(repository.roles_of(db, user))
    for row in db.exec(select(StaffRole).where(StaffRole.user_id == user.id)).all():
        db.delete(row)
    for lead in db.exec(select(TeamLead).where(TeamLead.staff_user_id == user.id)).all():
        db.delete(lead)
    for session in db.exec(select(WebSession).where(WebSession.staff_user_id == user.id)).all():
        db.delete(session)
    was_active = user.is_active
    user.is_active = False
    db.add(user)
    if before or was_active:
        repository.audit(
            db,
            "system",
            None,
            "staff_disabled",
            object_type="staff_user",
            object_id=user.id,
            detail={"reason": reason, "roles_before": before, "source": "oidc"},
            commit=False,
        )


def sync(db: Session, mapping: ClaimMapping, identity: Identity) -> Outcome:
    """Bring the staff record in line with the provider's claims (not committed)."""
    grant: Grant = mapping.grant(identity.claims)
    user = find(db, identity)
    names = {n for n in [grant.unit, *grant.team_lead_units] if n}
    units = _unit_ids(db, names)
    refused = "unmapped" if not grant.roles else ("unknown_unit" if units is None else None)
    if refused:
        if user is not None:
            _turn_off(db, user, refused)
        return Outcome(staff=user, refused=refused)
    assert units is not None
    display_name = _text(identity.claims, mapping.name_claim, 200) or (
        _text(identity.claims, "email", 200) or identity.subject[:200]
    )
    email = _text(identity.claims, "email", 254)
    created = user is None
    if user is None:
        user = StaffUser(
            username=_username(db, mapping, identity),
            display_name=display_name,
            password_hash=NO_PASSWORD,
            oidc_issuer=identity.issuer,
            oidc_subject=identity.subject,
        )
        db.add(user)
        db.flush()
    assert user.id is not None
    before_roles = set() if created else set(repository.roles_of(db, user))
    before_led = set() if created else _units_led(db, user)
    before = {
        "display_name": None if created else user.display_name,
        "email": None if created else user.email,
        "unit_id": None if created else user.unit_id,
        "is_active": None if created else user.is_active,
    }
    user.display_name = display_name
    user.email = email
    user.unit_id = units.get(grant.unit) if grant.unit else None
    user.is_active = True
    db.add(user)
    for role in grant.roles - before_roles:
        db.add(StaffRole(user_id=user.id, role=role))
    for row in db.exec(select(StaffRole).where(StaffRole.user_id == user.id)).all():
        if row.role not in grant.roles:
            db.delete(row)
    led = {units[name] for name in grant.team_lead_units}
    for unit_id in led - before_led:
        db.add(TeamLead(staff_user_id=user.id, unit_id=unit_id))
    for lead in db.exec(select(TeamLead).where(TeamLead.staff_user_id == user.id)).all():
        if lead.unit_id not in led:
            db.delete(lead)
    if created:
        repository.audit(
            db,
            "system",
            None,
            "staff_created",
            object_type="staff_user",
            object_id=user.id,
            detail={
                "source": "oidc",
                "roles": sorted(grant.roles),
                "unit_id": user.unit_id,
                "team_lead_units": sorted(led),
            },
            commit=False,
        )
        return Outcome(staff=user)
    if before_roles != set(grant.roles) or before_led != led:
        repository.audit(
            db,
            "system",
            None,
            "staff_roles_changed",
            object_type="staff_user",
            object_id=user.id,
            detail={
                "source": "oidc",
                "roles_before": sorted(before_roles),
                "roles_after": sorted(grant.roles),
                "team_lead_units_before": sorted(before_led),
                "team_lead_units_after": sorted(led),
            },
            commit=False,
        )
    after = {
        "display_name": user.display_name,
        "email": user.email,
        "unit_id": user.unit_id,
        "is_active": user.is_active,
    }
    changed = sorted(k for k in after if after[k] != before[k])
    if changed:
        repository.audit(
            db,
            "system",
            None,
            "staff_updated",
            object_type="staff_user",
            object_id=user.id,
            detail={"source": "oidc", "fields": changed},
            commit=False,
        )
    return Outcome(staff=user)
