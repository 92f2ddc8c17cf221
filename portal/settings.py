"""Settings from environment variables with the prefix ``PORTAL_``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.languages import SUPPORTED

ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    pass


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    mode: Literal["development", "production"] = "development"
    var_dir: Path = ROOT / "var"
    database_url: str = ""  # default: sqlite file under var_dir
    upload_dir: Path | None = None  # default: var_dir / "uploads"
    secret_key: str = ""  # generated into var_dir in development; required in production
    base_url: str = "http://127.0.0.1:8000"
    municipality_name: str = "Exempelkommun"
    default_language: str = "sv"
    session_idle_minutes: int = 30
    # Sign in again after this long, however active the session (ASVS 3.3.2), applicants and
    # staff alike.
    session_absolute_hours: float = Field(default=12, gt=0, le=24 * 7)
    # The application for next month opens on this day of the current month.
    apply_from_day: int = Field(default=1, ge=1, le=28)
    upload_max_file_mb: int = Field(default=20, ge=1, le=200)
    upload_max_files: int = Field(default=30, ge=1, le=500)
    # Which answers need which documents (TOML, see intake/proof_rules.py); defaults if unset.
    proof_rules_file: Path | None = None
    # Outgoing mail: without an SMTP host, messages are written to the log (development).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "no-reply@example.org"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    # SMS: "log" writes to the log; "http" posts JSON {"to", "message"} to sms_gateway_url.
    sms_gateway: Literal["log", "http"] = "log"
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = None
    # --- abuse, virus scan, retention (gallring); see docs/security.md ---------------------------
    # Rate limits on sign-in, uploads and the survey: on in production, off in development
    # unless PORTAL_RATE_LIMITS=true. Counters live in the database, or in Redis when
    # PORTAL_RATE_LIMIT_URL=redis://... is set, so that every web process shares them.
    rate_limits: bool | None = None
    rate_limit_url: str = ""
    rate_limit_sign_in: str = Field(default="30/300", pattern=r"^\d+/\d+$")  # per address
    rate_limit_upload: str = Field(default="120/600", pattern=r"^\d+/\d+$")  # per session
    rate_limit_survey: str = Field(default="30/600", pattern=r"^\d+/\d+$")  # per address
    # Failed staff sign-ins: this many are free, then the wait doubles from 2 s up to the maximum.
    staff_login_free_attempts: int = Field(default=5, ge=1, le=100)
    staff_login_backoff_max_seconds: int = Field(default=900, ge=1, le=86400)
    # Staff's second factor (TOTP): "optional" lets staff sign in with the password alone until
    # they set one up; "required" sends a staff member without one to set it up before any staff
    # page. Unset: required in production, optional in development.
    staff_totp: Literal["optional", "required"] | None = None
    # Staff sign-in with the municipality's OpenID Connect provider (portal/oidc.py,
    # docs/deploy.md): the issuer URL (discovery at ISSUER/.well-known/openid-configuration),
    # this portal's client id and secret at the provider, the scopes asked for, the TOML file
    # mapping claims and groups to roles and units (docs/oidc-mapping.example.toml) and, when
    # set, the acr values of which the ID token must carry one (comma-separated, e.g. a SITHS
    # card or multi-factor level). Empty issuer: staff sign in with username and password only.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid profile email"
    oidc_mapping_file: Path | None = None
    oidc_required_acr: str = ""
    oidc_timeout: float = Field(default=10.0, gt=0)
    # ClamAV: clamd's address (tcp://host:3310 or unix:///run/clamav/clamd.ctl); empty: no scan.
    # Fail closed: an upload that cannot be scanned is refused.
    clamav_address: str = ""
    clamav_fail_closed: bool = True
    clamav_timeout: float = Field(default=30.0, gt=0)
    # Retention in days (0: keep for ever): drafts untouched this long; applications after the
    # case system has received them; uploaded files after hand-off. Survey links: days kept
    # after they expire (0: deleted at expiry).
    retention_draft_days: int = Field(default=60, ge=0)
    retention_handed_off_days: int = Field(default=90, ge=0)
    retention_upload_days: int = Field(default=30, ge=0)
    retention_survey_token_days: int = Field(default=0, ge=0)
    # --- capacity and load shedding (one place; see docs/deploy.md "Capacity") -----------------
    # Per web process: at most ``max_in_flight`` requests are worked on at once; the next ones
    # wait up to ``queue_wait_seconds`` (at most ``max_queued`` of them), and beyond that are
    # answered at once with 503, Retry-After and a page in the user's language. The worker
    # threads, the connection pool and uvicorn's own limit are derived from it (``capacity``),
    # so that an admitted request never waits for a thread or a connection.
    workers: int = Field(default=1, ge=1, le=64)  # `portal serve` processes
    max_in_flight: int = Field(default=8, ge=1, le=1000)
    max_queued: int = Field(default=1000, ge=0, le=100_000)
    queue_wait_seconds: float = Field(default=1.0, ge=0, le=30)
    retry_after_seconds: int = Field(default=5, ge=1, le=3600)
    db_pool_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    db_pool_extra: int = Field(default=8, ge=0, le=1000)  # connections beyond max_in_flight

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if self.default_language not in SUPPORTED:
            raise ValueError(f"PORTAL_DEFAULT_LANGUAGE must be one of {', '.join(SUPPORTED)}")
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'portal.db'}"
        if self.upload_dir is None:
            self.upload_dir = self.var_dir / "uploads"
        if self.oidc_issuer:
            self.oidc_issuer = self.oidc_issuer.rstrip("/")
            if not self.oidc_client_id or self.oidc_mapping_file is None:
                raise ValueError(
                    "PORTAL_OIDC_ISSUER needs PORTAL_OIDC_CLIENT_ID and PORTAL_OIDC_MAPPING_FILE"
                )
            if "openid" not in self.oidc_scopes.split():
                raise ValueError("PORTAL_OIDC_SCOPES must include openid")
            loopback = self.oidc_issuer.startswith(("http://127.0.0.1:", "http://localhost:"))
            if self.mode == "production" and not (
                self.oidc_issuer.startswith("https://") or loopback
            ):
                raise ValueError("PORTAL_OIDC_ISSUER must be an https:// URL in production")
        if not self.secret_key:
            if self.mode == "production":
                raise ValueError("PORTAL_SECRET_KEY is required when PORTAL_MODE=production")
            self.secret_key = _development_secret(self.var_dir)
        return self

    @property
    def development(self) -> bool:
        return self.mode == "development"

    @property
    def uploads(self) -> Path:
        assert self.upload_dir is not None
        return self.upload_dir

    @property
    def staff_totp_mode(self) -> Literal["optional", "required"]:
        """The staff's second factor: as set, else required in production only."""
        if self.staff_totp is not None:
            return self.staff_totp
        return "optional" if self.development else "required"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @property
    def oidc_acr_values(self) -> list[str]:
        return [value.strip() for value in self.oidc_required_acr.split(",") if value.strip()]

    @property
    def staff_password_restricted(self) -> bool:
        """Password sign-in is for break-glass accounts only: OpenID Connect in production."""
        return self.oidc_enabled and not self.development

    @property
    def capacity(self) -> Capacity:
        """Every capacity limit of one web process, derived from ``max_in_flight``."""
        return Capacity(
            workers=self.workers,
            max_in_flight=self.max_in_flight,
            max_queued=self.max_queued,
            queue_wait_seconds=self.queue_wait_seconds,
            retry_after_seconds=self.retry_after_seconds,
            # One thread per admitted request (a request uses one at a time) and a few for the
            # exempt health checks and rate-limit counters.
            threads=self.max_in_flight + self.db_pool_extra,
            # One connection per admitted request, and the extra for the rate-limit counters
            # and the odd second connection; /readyz has a pool of its own.
            pool_size=self.max_in_flight,
            pool_overflow=self.db_pool_extra,
            pool_timeout_seconds=self.db_pool_timeout_seconds,
            # uvicorn's own limit is only a backstop (its 503 is a bare text): our queue
            # answers first.
            limit_concurrency=2 * (self.max_in_flight + self.max_queued) + 100,
        )

    @property
    def rate_limits_on(self) -> bool:
        """Rate limits apply: as set, else in production only."""
        return (not self.development) if self.rate_limits is None else self.rate_limits


@dataclass(frozen=True)
class Capacity:
    workers: int
    max_in_flight: int
    max_queued: int
    queue_wait_seconds: float
    retry_after_seconds: int
    threads: int
    pool_size: int
    pool_overflow: int
    pool_timeout_seconds: float
    limit_concurrency: int

    def describe(self) -> str:
        return (
            f"{self.workers} worker(s), each: {self.max_in_flight} requests at once, "
            f"{self.max_queued} waiting up to {self.queue_wait_seconds:g} s, "
            f"{self.threads} threads, pool {self.pool_size}+{self.pool_overflow} "
            f"(timeout {self.pool_timeout_seconds:g} s)"
        )


def _development_secret(var_dir: Path) -> str:
    """A secret kept in ``var/secret_key`` so sessions survive restarts in development."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
