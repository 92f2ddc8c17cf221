"""What municipalities may set differently: pro-rata rules for children, limits on costs outside
the norm (such as a rent ceiling per household size) and the jobbstimulans parameters.

Defaults follow the project's domain brief (DOMAIN.md); every field is configuration, never a
hard-coded truth. ``NormConfig.from_mapping`` reads the same fields from a TOML/JSON mapping::

    days_divisor = 30
    child_common_min_days = 1
    visiting_children_in_common = false
    visiting_child_percent = 100
    age_at = "month_start"
    prorata_rounding_ore = 1

    [rent_ceiling]      # kronor per month by household size (persons); larger sizes use the largest
    1 = 7000
    2 = 8500

    [cost_ceiling]      # kronor per month for other kinds of cost outside the norm
    home_insurance = 300

    [jobbstimulans]
    qualifying_months = 6
    window_months = 24
    percent = 25
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

COST_KINDS = (
    "rent",
    "household_electricity",
    "home_insurance",
    "work_travel",
    "union_fee",
    "unemployment_fund_fee",
)
LIVSFORING_KINDS = ("dental_care", "glasses", "medicine", "infant_equipment", "moving", "other")
AGE_AT = ("month_start", "month_end")


@dataclass(frozen=True)
class JobbstimulansRules:
    qualifying_months: int = 6  # months on försörjningsstöd in a row before it starts
    window_months: int = 24  # how long it lasts, counted in calendar months from its first month
    percent: int = 25  # share of net employment income left out


@dataclass(frozen=True)
class NormConfig:
    # Pro rata for children who live part of the month in the home: amount × days / days_divisor.
    days_divisor: int = 30
    # A child living in the home part-time counts as a person of the household (for the
    # household-common costs and the rent ceiling) from this many days a month. With 1, a child
    # living alternately with both parents counts in both homes.
    child_common_min_days: int = 1
    # Visiting children (umgängesbarn): whether they count as persons for the common costs, and
    # what share of the personal amount (pro rata by visiting days) is given.
    visiting_children_in_common: bool = False
    visiting_child_percent: int = 100
    # The age group follows the age on the first ("month_start") or last day of the month.
    age_at: str = "month_start"
    # Pro-rata amounts are rounded (half up) to a multiple of this many öre: 1 = öre, 100 = krona.
    prorata_rounding_ore: int = 1
    # Limits on costs outside the norm, in öre per month.
    rent_ceiling_ore: Mapping[int, int] = field(default_factory=dict)  # household size → ceiling
    cost_ceiling_ore: Mapping[str, int] = field(default_factory=dict)  # cost kind → ceiling
    jobbstimulans: JobbstimulansRules = field(default_factory=JobbstimulansRules)

    def rent_ceiling(self, persons: int) -> int | None:
        """The rent ceiling for a household of ``persons``: the ceiling of the largest configured
        size not above it (so larger households use the largest), else the smallest size's."""
        if not self.rent_ceiling_ore:
            return None
        sizes = sorted(self.rent_ceiling_ore)
        fitting = [size for size in sizes if size <= persons]
        return self.rent_ceiling_ore[fitting[-1] if fitting else sizes[0]]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> NormConfig:
        """Read a configuration; ``NormConfigError`` names every bad key."""
        issues: list[tuple[str, str]] = []

        def integer(
            source: Mapping[str, Any], key: str, default: int, low: int, high: int, path: str = ""
        ) -> int:
            value = source.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                issues.append((f"{path}{key}", "integer_out_of_range"))
                return default
            return value

        known = {
            "days_divisor",
            "child_common_min_days",
            "visiting_children_in_common",
            "visiting_child_percent",
            "age_at",
            "prorata_rounding_ore",
            "rent_ceiling",
            "cost_ceiling",
            "jobbstimulans",
        }
        issues += [(key, "unknown_key") for key in data if key not in known]
        base = cls()
        visiting_in_common = data.get("visiting_children_in_common", False)
        if not isinstance(visiting_in_common, bool):
            issues.append(("visiting_children_in_common", "not_boolean"))
            visiting_in_common = False
        age_at = data.get("age_at", base.age_at)
        if age_at not in AGE_AT:
            issues.append(("age_at", "unknown_value"))
            age_at = base.age_at
        rent: dict[int, int] = {}
        for size, kronor in dict(data.get("rent_ceiling", {})).items():
            if not str(size).isdigit() or int(size) < 1:
                issues.append((f"rent_ceiling.{size}", "not_a_household_size"))
            elif isinstance(kronor, bool) or not isinstance(kronor, int) or kronor <= 0:
                issues.append((f"rent_ceiling.{size}", "not_whole_kronor"))
            else:
                rent[int(size)] = kronor * 100
        ceilings: dict[str, int] = {}
        for kind, kronor in dict(data.get("cost_ceiling", {})).items():
            if kind not in COST_KINDS or kind == "rent":
                issues.append((f"cost_ceiling.{kind}", "unknown_cost_kind"))
            elif isinstance(kronor, bool) or not isinstance(kronor, int) or kronor <= 0:
                issues.append((f"cost_ceiling.{kind}", "not_whole_kronor"))
            else:
                ceilings[kind] = kronor * 100
        job = dict(data.get("jobbstimulans", {}))
        issues += [
            (f"jobbstimulans.{key}", "unknown_key")
            for key in job
            if key not in {"qualifying_months", "window_months", "percent"}
        ]
        config = cls(
            days_divisor=integer(data, "days_divisor", base.days_divisor, 28, 31),
            child_common_min_days=integer(data, "child_common_min_days", 1, 1, 31),
            visiting_children_in_common=visiting_in_common,
            visiting_child_percent=integer(data, "visiting_child_percent", 100, 0, 100),
            age_at=age_at,
            prorata_rounding_ore=integer(data, "prorata_rounding_ore", 1, 1, 100),
            rent_ceiling_ore=rent,
            cost_ceiling_ore=ceilings,
            jobbstimulans=JobbstimulansRules(
                qualifying_months=integer(job, "qualifying_months", 6, 1, 36, "jobbstimulans."),
                window_months=integer(job, "window_months", 24, 1, 120, "jobbstimulans."),
                percent=integer(job, "percent", 25, 0, 100, "jobbstimulans."),
            ),
        )
        if issues:
            raise NormConfigError(issues)
        return config


class NormConfigError(ValueError):
    def __init__(self, issues: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{key}: {code}" for key, code in issues))
        self.issues = issues  # (key, code)
