"""Settings from environment variables with the prefix ``PORTAL_``."""

from __future__ import annotations

import secrets
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

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if self.default_language not in SUPPORTED:
            raise ValueError(f"PORTAL_DEFAULT_LANGUAGE must be one of {', '.join(SUPPORTED)}")
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'portal.db'}"
        if self.upload_dir is None:
            self.upload_dir = self.var_dir / "uploads"
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
