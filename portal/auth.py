"""Who is signed in, and what each route needs.

Every route declares its access with exactly one of ``public``, ``require_applicant`` or
``require_role(...)`` among its dependencies; a test walks all routes to hold us to that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from sqlmodel import Session, col, select
from starlette.responses import Response

from intake.models import (
    Household,
    HouseholdMember,
    MemberRole,
    Person,
    Role,
    StaffRole,
    StaffUser,
    WebSession,
    utcnow,
)
from portal.db import SessionDep

SESSION_COOKIE = "portal_session"
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this keeps the time of a login with an unknown username like a known one.
_DUMMY_HASH = _hasher.hash("not-a-password-" + secrets.token_hex(8))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass
class Principal:
    kind: str  # "staff" or "applicant"
    session_id: int
    staff: StaffUser | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    person: Person | None = None
    household: Household | None = None

    @property
    def display_name(self) -> str:
        if self.staff is not None:
            return self.staff.display_name
        assert self.person is not None
        return f"{self.person.given_name} {self.person.family_name}"

    @property
    def subject_id(self) -> int | None:
        subject = self.staff or self.person
        return subject.id if subject else None

    def home_path(self) -> str:
        return home_for(self.kind, self.roles)


def home_for(kind: str, roles: frozenset[str]) -> str:
    """Where a user lands after signing in: the applicant's page, or the first role's home."""
    if kind == "applicant":
        return "/applicant"
    for role in Role:
        if role.value in roles:
            return f"/{role.value}"
    return "/"


class NotAuthenticated(Exception):
    pass


class Forbidden(Exception):
    pass


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    db: Session,
    request: Request,
    response: Response,
    *,
    staff: StaffUser | None = None,
    person: Person | None = None,
) -> None:
    """Sign in: always a new session id, and the old one (if any) is ended."""
    end_session(db, request, response)
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=_token_hash(token),
        kind="staff" if staff is not None else "applicant",
        staff_user_id=staff.id if staff else None,
        person_id=person.id if person else None,
    )
    db.add(row)
    db.commit()
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        secure=not settings.development,
        samesite="lax",
        path="/",
    )


def end_session(db: Session, request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        row = db.exec(select(WebSession).where(WebSession.token_hash == _token_hash(token))).first()
        if row is not None:
            db.delete(row)
            db.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")


def load_principal(request: Request, db: Session) -> Principal | None:
    """The signed-in user for this request, or None. Idle sessions end here."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    principal = _load(request, db)
    request.state.principal = principal
    return principal


def _load(request: Request, db: Session) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    row = db.exec(select(WebSession).where(WebSession.token_hash == _token_hash(token))).first()
    if row is None or row.id is None:
        return None
    settings = request.app.state.settings
    now = utcnow()
    last_seen = row.last_seen_at
    if last_seen.tzinfo is None:
        last_seen = last_seen.replace(tzinfo=dt.UTC)
    if now - last_seen > dt.timedelta(minutes=settings.session_idle_minutes):
        db.delete(row)
        db.commit()
        return None
    if now - last_seen > dt.timedelta(seconds=60):
        row.last_seen_at = now
        db.add(row)
        db.commit()
    if row.kind == "staff" and row.staff_user_id is not None:
        user = db.get(StaffUser, row.staff_user_id)
        if user is None or not user.is_active:
            return None
        roles = frozenset(db.exec(select(StaffRole.role).where(StaffRole.user_id == user.id)).all())
        return Principal(kind="staff", session_id=row.id, staff=user, roles=roles)
    if row.kind == "applicant" and row.person_id is not None:
        person = db.get(Person, row.person_id)
        if person is None:
            return None
        return Principal(
            kind="applicant",
            session_id=row.id,
            person=person,
            household=household_of(db, person),
        )
    return None


def household_of(db: Session, person: Person) -> Household | None:
    """The household in which the person is applicant or co-applicant."""
    return db.exec(
        select(Household)
        .join(HouseholdMember, col(HouseholdMember.household_id) == Household.id)
        .where(HouseholdMember.person_id == person.id)
        .where(col(HouseholdMember.role).in_([MemberRole.applicant, MemberRole.co_applicant]))
    ).first()


# --- route access declarations -------------------------------------------------------------


def public(request: Request, db: SessionDep) -> Principal | None:
    """Open to everyone; the user is loaded when signed in, for the page header."""
    return load_principal(request, db)


public.access = "public"  # type: ignore[attr-defined]


def anyone() -> None:
    """Open to everyone without looking at the session (health checks)."""


anyone.access = "public"  # type: ignore[attr-defined]


def require_applicant(request: Request, db: SessionDep) -> Principal:
    principal = load_principal(request, db)
    if principal is None:
        raise NotAuthenticated()
    if principal.kind != "applicant":
        raise Forbidden()
    return principal


require_applicant.access = "applicant"  # type: ignore[attr-defined]

_role_checks: dict[Role, Any] = {}


def require_role(role: Role) -> Any:
    """A dependency that lets through staff holding ``role``."""
    if role in _role_checks:
        return _role_checks[role]

    def check(request: Request, db: SessionDep) -> Principal:
        principal = load_principal(request, db)
        if principal is None:
            raise NotAuthenticated()
        if principal.kind != "staff" or role.value not in principal.roles:
            raise Forbidden()
        return principal

    check.access = role.value  # type: ignore[attr-defined]
    check.__name__ = f"require_{role.value}"
    _role_checks[role] = check
    return check


def require_staff(request: Request, db: SessionDep) -> Principal:
    """Any signed-in staff member (their own profile and start page)."""
    principal = load_principal(request, db)
    if principal is None:
        raise NotAuthenticated()
    if principal.kind != "staff":
        raise Forbidden()
    return principal


require_staff.access = "staff"  # type: ignore[attr-defined]

PublicUser = Annotated[Principal | None, Depends(public)]
Applicant = Annotated[Principal, Depends(require_applicant)]
Staff = Annotated[Principal, Depends(require_staff)]
