"""The household register's API models (``PUT /api/v1/households/{external_id}``), also the
form of one JSON line of ``portal households import``. Money is in öre (integers), as stored."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from intake.flow import COST_TYPES, HOUSING_TYPES, INCOME_TYPES
from intake.languages import SUPPORTED

MemberRoleName = Literal["applicant", "co_applicant", "child", "visiting_child"]
MAX_ORE = 100_000_000  # one million kronor: a sanity ceiling for a month's amount


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    personnummer: str = Field(
        min_length=10, max_length=13, description="YYYYMMDD-NNNN (Luhn-checked); stored once"
    )
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    role: MemberRoleName
    birth_date: dt.date | None = Field(
        default=None, description="When given, must agree with the personnummer"
    )
    days_at_home: int | None = Field(
        default=None, ge=0, le=31, description="Children and visiting children: days a month"
    )
    email: str | None = Field(default=None, max_length=254, description="Contact channel")
    phone: str | None = Field(default=None, max_length=30, description="Contact channel (SMS)")


class BasisIn(BaseModel):
    """Last month's basis, so that the first återansökan in the portal is prefilled."""

    model_config = ConfigDict(extra="forbid")

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    housing_type: Literal[HOUSING_TYPES] = "rental"  # type: ignore[valid-type]
    rent_ore: int | None = Field(default=None, ge=0, le=MAX_ORE)
    incomes: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="Per adult's personnummer: income type → öre. Types: "
        + ", ".join(INCOME_TYPES),
    )
    costs: dict[str, int] = Field(
        default_factory=dict, description=f"Cost type → öre. Types: {', '.join(COST_TYPES)}"
    )


class HouseholdIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "unit": "Försörjningsstöd Centrum",
                    "language": "so",
                    "interpreter_needed": True,
                    "protected_identity": False,
                    "members": [
                        {
                            "personnummer": "19850312-2395",
                            "given_name": "Hodan",
                            "family_name": "Warsame",
                            "role": "applicant",
                            "email": "hodan@example.org",
                            "phone": "070-123 45 67",
                        },
                        {
                            "personnummer": "20150601-2382",
                            "given_name": "Ayaan",
                            "family_name": "Warsame",
                            "role": "child",
                            "days_at_home": 30,
                        },
                    ],
                    "basis": {
                        "month": "2026-11",
                        "rent_ore": 785000,
                        "incomes": {"19850312-2395": {"child_allowance": 125000}},
                        "costs": {},
                    },
                }
            ]
        },
    )

    unit: str = Field(min_length=1, max_length=200, description="The unit's id or exact name")
    language: str = Field(default="sv", description=f"One of {', '.join(SUPPORTED)}")
    interpreter_needed: bool = False
    protected_identity: bool = Field(
        default=False, description="Skyddad identitet: takes effect at once, everywhere"
    )
    members: list[MemberIn] = Field(min_length=1, max_length=20)
    basis: BasisIn | None = None


class CloseIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Moved to another municipality"}]},
    )

    reason: str = Field(min_length=1, max_length=500)


class MemberOut(BaseModel):
    personnummer: str | None = Field(description="Null for a household with protected identity")
    given_name: str | None
    family_name: str | None
    role: str
    days_at_home: int | None


class HouseholdOut(BaseModel):
    external_id: str
    id: int
    unit_id: int
    language: str
    interpreter_needed: bool
    protected_identity: bool
    closed_at: str | None
    close_reason: str | None
    members: list[MemberOut]
    basis_month: str | None = Field(description="The month the basis was stored for, if any")


class ProblemItem(BaseModel):
    code: str = Field(description="e.g. personnummer_checksum, person_in_other_household")
    loc: list[str | int] = Field(
        description="Where in the request, e.g. [members, 0, personnummer]"
    )
    detail: str


class Problem(BaseModel):
    """RFC 9457 problem details (application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    problems: list[ProblemItem] = Field(default_factory=list)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    words = {
        401: "No valid API token",
        404: "No such household",
        409: "A person belongs to another household, or the household is closed",
        422: "The request is not valid: every problem listed",
    }
    return {
        status: {
            "model": Problem,
            "description": words[status],
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }
