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
from sqlalchemy import or_, update
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
from portal import totp
from portal.db import SessionDep, release

SESSION_COOKIE = "portal_session"
# A staff member past the password whose sign-in is not finished: the session row has one of
# these kinds (never "staff"), so no staff page lets them in, and it lasts a few minutes only.
PENDING_CODE = "staff_code"  # the one-time code is awaited
PENDING_ENROL = "staff_enrol"  # a second factor must be set up first (PORTAL_STAFF_TOTP=required)
PENDING_LIFETIME = dt.timedelta(minutes=5)
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
    # Read once while the session is open: the page header (error pages too, drawn after the
    # request's database session has closed) never reads a row again.
    name: str = field(default="", init=False)

    def __post_init__(self) -> None:
        if self.staff is not None:
            self.name = self.staff.display_name
        elif self.person is not None:
            self.name = f"{self.person.given_name} {self.person.family_name}"

    @property
    def display_name(self) -> str:
        return self.name

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
    pending: str | None = None,
) -> None:
    """Sign in: always a new session id, and the old one (if any) is ended. With ``pending``
    (``PENDING_CODE`` or ``PENDING_ENROL``) the staff member is not signed in yet: the session
    only remembers that the password was right."""
    end_session(db, request, response)
    token = secrets.token_urlsafe(32)
    assert pending is None or (staff is not None and pending in (PENDING_CODE, PENDING_ENROL))
    row = WebSession(
        token_hash=_token_hash(token),
        kind=pending or ("staff" if staff is not None else "applicant"),
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
    """Sign out (and the first half of every sign-in): the session row goes, and the CSRF
    token changes, so that no token known before the sign-in works after it."""
    from portal.security import rotate_csrf

    rotate_csrf(request, response)
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
    # This runs in a thread of its own (a dependency); the route runs in the next one, which
    # may take a while to come under load. The connection goes back to the pool meanwhile.
    release(db)
    return principal


def _is_token(value: str) -> bool:
    """The shape of a session token we hand out (``secrets.token_urlsafe(32)``): a cookie of
    any other shape is junk and needs no database lookup."""
    return len(value) == 43 and value.isascii() and _TOKEN_CHARS.issuperset(value)


_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _load(request: Request, db: Session) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or not _is_token(token):
        return None
    row = db.exec(select(WebSession).where(WebSession.token_hash == _token_hash(token))).first()
    if row is None or row.id is None:
        return None
    settings = request.app.state.settings
    now = utcnow()
    last_seen = row.last_seen_at
    if last_seen.tzinfo is None:
        last_seen = last_seen.replace(tzinfo=dt.UTC)
    created = row.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    idle = now - last_seen > dt.timedelta(minutes=settings.session_idle_minutes)
    # The absolute lifetime (ASVS 3.3.2): activity does not keep a session alive for ever.
    too_old = now - created > dt.timedelta(hours=settings.session_absolute_hours)
    if idle or too_old:
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
        if needs_second_factor(settings, user) and not has_second_factor(user):
            return None  # e.g. a session from before the setting changed, or after a reset
        if settings.staff_password_restricted and not may_use_portal(user):
            return None  # a password session from before OpenID Connect was turned on
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


def live_session_kind(db: Session, token: str, settings: Any) -> str | None:
    """The kind of the live session with this token (``applicant``, ``staff`` or a pending
    staff kind), or None: unknown, idle too long or past its absolute lifetime. Reads only."""
    row = db.exec(select(WebSession).where(WebSession.token_hash == _token_hash(token))).first()
    if row is None:
        return None
    now = utcnow()
    last_seen, created = row.last_seen_at, row.created_at
    if last_seen.tzinfo is None:
        last_seen = last_seen.replace(tzinfo=dt.UTC)
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    if now - last_seen > dt.timedelta(minutes=settings.session_idle_minutes):
        return None
    if now - created > dt.timedelta(hours=settings.session_absolute_hours):
        return None
    return row.kind


def session_key(token: str) -> str:
    """What a session is known by outside the database (rate-limit counters): its hash."""
    return _token_hash(token)


def pending_staff(request: Request, db: Session, kind: str) -> StaffUser | None:
    """The staff member whose sign-in waits for a code (or for enrolment), or None: no such
    session, another kind, or older than ``PENDING_LIFETIME`` (then it is ended)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    row = db.exec(select(WebSession).where(WebSession.token_hash == _token_hash(token))).first()
    if row is None or row.kind != kind or row.staff_user_id is None:
        return None
    created = row.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    if utcnow() - created > PENDING_LIFETIME:
        db.delete(row)
        db.commit()
        return None
    user = db.get(StaffUser, row.staff_user_id)
    if user is None or not user.is_active:
        return None
    return user


def may_use_portal(user: StaffUser) -> bool:
    """With OpenID Connect in production: an account of the provider, or a break-glass one."""
    return user.oidc_subject is not None or user.break_glass


def password_allowed(settings: Any, user: StaffUser) -> bool:
    """May this staff member sign in with a password? Always, unless OpenID Connect is
    configured in production: then only break-glass accounts."""
    return not settings.staff_password_restricted or user.break_glass


def needs_second_factor(settings: Any, user: StaffUser) -> bool:
    """A password sign-in needs TOTP: when required by the setting, and always for a
    break-glass account while OpenID Connect is on in production. (A provider sign-in brings
    its own factors, see PORTAL_OIDC_REQUIRED_ACR.)"""
    if user.oidc_subject is not None and not user.break_glass:
        return False
    if settings.staff_password_restricted and user.break_glass:
        return True
    return bool(settings.staff_totp_mode == "required")


# --- the second factor ---------------------------------------------------------------------


def has_second_factor(user: StaffUser) -> bool:
    return user.totp_secret is not None and user.totp_confirmed_at is not None


def use_code(db: Session, user: StaffUser, code: str) -> bool:
    """True if ``code`` is valid now for the user's confirmed secret and its time step has not
    been used: the step is then recorded, in one conditional update, so that two requests with
    the same code never both pass."""
    if not has_second_factor(user) or user.id is None:
        return False
    assert user.totp_secret is not None
    step = totp.verify(user.totp_secret, code, last_step=user.totp_last_step)
    if step is None:
        return False
    result = db.exec(
        update(StaffUser)
        .where(col(StaffUser.id) == user.id)
        .where(or_(col(StaffUser.totp_last_step).is_(None), col(StaffUser.totp_last_step) < step))
        .values(totp_last_step=step)
    )
    db.commit()
    db.refresh(user)
    return bool(result.rowcount == 1)


def set_second_factor(db: Session, user: StaffUser, secret: str, step: int) -> None:
    """Store a secret the user has just confirmed with the code of time ``step``."""
    user.totp_secret = secret
    user.totp_confirmed_at = utcnow()
    user.totp_last_step = step
    db.add(user)
    db.commit()


def reset_second_factor(db: Session, user: StaffUser) -> int:
    """Forget the user's second factor and end every session of theirs; how many ended."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    db.add(user)
    sessions = db.exec(select(WebSession).where(WebSession.staff_user_id == user.id)).all()
    for row in sessions:
        db.delete(row)
    db.commit()
    return len(sessions)


def household_of(db: Session, person: Person) -> Household | None:
    """The open household in which the person is applicant or co-applicant (a closed case
    takes no new applications)."""
    return db.exec(
        select(Household)
        .join(HouseholdMember, col(HouseholdMember.household_id) == Household.id)
        .where(HouseholdMember.person_id == person.id)
        .where(col(Household.closed_at).is_(None))
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
