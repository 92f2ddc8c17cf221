"""The survey's settings, from environment variables with the prefix ``PORTAL_SURVEY_``.

Kept apart from ``portal.settings`` so the survey can be tuned on its own:

- ``PORTAL_SURVEY_ENABLED`` (``true``): invite after decisions at all
- ``PORTAL_SURVEY_QUESTION_SET`` (the current set): the question-set version of new invitations
- ``PORTAL_SURVEY_SAMPLING_RATE`` (``1.0``): share of decisions that lead to an invitation
- ``PORTAL_SURVEY_MONTHS_BETWEEN`` (``6``): at most one invitation per household in N months
- ``PORTAL_SURVEY_REMINDER_DAYS`` (``7``): one reminder this many days after the invitation
- ``PORTAL_SURVEY_EXPIRY_DAYS`` (``28``): the link stops working after this many days
- ``PORTAL_SURVEY_CHANNELS`` (``email,sms``): channels by preference; the first usable is used
- ``PORTAL_SURVEY_TARGET`` (``0.85``): the target share positive on the dashboard
- ``PORTAL_SURVEY_MIN_GROUP`` (``5``): the smallest group shown (never below 5)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from intake.survey.invitations import InvitationRules
from intake.survey.questions import CURRENT_VERSION, QUESTION_SETS
from intake.survey.suppression import MIN_GROUP

CHANNELS = ("email", "sms")


class SurveySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_SURVEY_", extra="ignore")

    enabled: bool = True
    question_set: str = CURRENT_VERSION
    sampling_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    months_between: int = Field(default=6, ge=0, le=60)
    reminder_days: int = Field(default=7, ge=1, le=90)
    expiry_days: int = Field(default=28, ge=1, le=180)
    channels: Annotated[tuple[str, ...], NoDecode] = CHANNELS
    target: float = Field(default=0.85, gt=0.0, le=1.0)
    min_group: int = Field(default=MIN_GROUP, ge=MIN_GROUP)

    @field_validator("question_set")
    @classmethod
    def _known_set(cls, value: str) -> str:
        if value not in QUESTION_SETS:
            raise ValueError(f"unknown question set; known: {', '.join(QUESTION_SETS)}")
        return value

    @field_validator("channels", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        unknown = set(value) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channels {sorted(unknown)}; use {', '.join(CHANNELS)}")
        return tuple(value)

    @property
    def rules(self) -> InvitationRules:
        return InvitationRules(
            sampling_rate=self.sampling_rate,
            months_between=self.months_between,
            reminder_days=self.reminder_days,
            expiry_days=self.expiry_days,
        )


@lru_cache
def get_survey_settings() -> SurveySettings:
    return SurveySettings()


def survey_settings_of(state: Any) -> SurveySettings:
    """The app's survey settings: ``app.state.survey_settings`` when set (tests), else the
    environment's."""
    found = getattr(state, "survey_settings", None)
    return found if isinstance(found, SurveySettings) else get_survey_settings()
