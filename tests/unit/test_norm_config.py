"""Municipal configuration of the calculation, read from TOML like the table files."""

from __future__ import annotations

import tomllib

import pytest

from intake.norm import NormConfig
from intake.norm.config import NormConfigError

EXAMPLE = """
days_divisor = 30
child_common_min_days = 15
visiting_children_in_common = true
visiting_child_percent = 50
age_at = "month_end"
prorata_rounding_ore = 100

[rent_ceiling]
1 = 7000
2 = 8500
4 = 10500

[cost_ceiling]
home_insurance = 300

[jobbstimulans]
qualifying_months = 6
window_months = 24
percent = 25
"""


def test_a_municipal_configuration_is_read_in_ore() -> None:
    config = NormConfig.from_mapping(tomllib.loads(EXAMPLE))
    assert config.child_common_min_days == 15
    assert config.visiting_children_in_common is True
    assert config.age_at == "month_end"
    assert config.rent_ceiling_ore == {1: 700_000, 2: 850_000, 4: 1_050_000}
    assert [config.rent_ceiling(n) for n in (1, 2, 3, 4, 9)] == [
        700_000,
        850_000,
        850_000,  # no ceiling for 3: the one for 2 persons
        1_050_000,
        1_050_000,  # larger households: the largest size's
    ]
    assert config.cost_ceiling_ore == {"home_insurance": 30_000}
    assert NormConfig.from_mapping({}) == NormConfig()
    assert NormConfig().rent_ceiling(3) is None


def test_every_bad_key_is_named() -> None:
    with pytest.raises(NormConfigError) as caught:
        NormConfig.from_mapping(
            {
                "days_divisor": 10,
                "age_at": "birthday",
                "rent_ceilling": {},
                "rent_ceiling": {"0": 5000, "2": 7000.5},
                "cost_ceiling": {"rent": 5000, "home_insurance": -1},
                "jobbstimulans": {"percent": 125, "months": 6},
            }
        )
    assert sorted(caught.value.issues) == sorted(
        [
            ("rent_ceilling", "unknown_key"),
            ("age_at", "unknown_value"),
            ("rent_ceiling.0", "not_a_household_size"),
            ("rent_ceiling.2", "not_whole_kronor"),
            ("cost_ceiling.rent", "unknown_cost_kind"),
            ("cost_ceiling.home_insurance", "not_whole_kronor"),
            ("jobbstimulans.months", "unknown_key"),
            ("days_divisor", "integer_out_of_range"),
            ("jobbstimulans.percent", "integer_out_of_range"),
        ]
    )
