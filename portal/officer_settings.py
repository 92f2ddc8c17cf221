"""The case officer's settings, from environment variables with the prefix ``PORTAL_OFFICER_``.

- ``PORTAL_OFFICER_NORM_CONFIG_FILE`` (unset): a TOML file with what the municipality sets for the
  preliminary calculation (``intake.norm.config``: rent ceiling per household size, limits on
  other costs, pro-rata rules, jobbstimulans); the defaults of ``NormConfig`` when unset
- ``PORTAL_OFFICER_WAITING_MARK_DAYS`` (``14``): days waiting that the queue marks (seed 000)
- ``PORTAL_OFFICER_PLAN_INTERVAL_MONTHS`` (``3``): handlingsplan follow-up interval (seed 004)
- ``PORTAL_OFFICER_PLAN_NEEDED_FROM_APPLICATION`` (``2``): a plan is expected from this application
- ``PORTAL_OFFICER_PAGE_SIZE`` (``50``): rows per queue page
- ``PORTAL_OFFICER_SAMPLE_SIZE`` (``10``): the default size of an egenkontroll sample
"""

from __future__ import annotations

import tomllib
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.norm import NormConfig


class OfficerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_OFFICER_", extra="ignore")

    norm_config_file: Path | None = None
    waiting_mark_days: int = Field(default=14, ge=1, le=365)
    plan_interval_months: int = Field(default=3, ge=1, le=24)
    plan_needed_from_application: int = Field(default=2, ge=1, le=24)
    page_size: int = Field(default=50, ge=5, le=500)
    sample_size: int = Field(default=10, ge=1, le=200)

    @cached_property
    def norm_config(self) -> NormConfig:
        """The municipality's calculation settings; a bad file fails with the keys named."""
        if self.norm_config_file is None:
            return NormConfig()
        data: dict[str, Any] = tomllib.loads(self.norm_config_file.read_text(encoding="utf-8"))
        return NormConfig.from_mapping(data)


@lru_cache
def get_officer_settings() -> OfficerSettings:
    return OfficerSettings()


def officer_settings_of(state: Any) -> OfficerSettings:
    """The app's officer settings: ``app.state.officer_settings`` when set (tests), else the
    environment's."""
    found = getattr(state, "officer_settings", None)
    return found if isinstance(found, OfficerSettings) else get_officer_settings()
