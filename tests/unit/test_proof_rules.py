from pathlib import Path

import pytest

from intake import flow
from intake.proof_rules import ProofRulesError, load, parse


def test_defaults_apply_to_sections_left_out() -> None:
    rules = parse({"incomes": {"salary": "payslip"}})
    assert rules.incomes == {"salary": "payslip"}
    assert rules.amounts == flow.DEFAULT_PROOF_RULES.amounts
    assert rules.bank_statement is True


def test_a_municipality_that_asks_for_nothing_at_renewal(tmp_path: Path) -> None:
    path = tmp_path / "proof.toml"
    path.write_text("bank_statement = false\n[amounts]\n[incomes]\n[activities]\n")
    rules = load(path)
    step = flow.find_step("rent", flow.Context("2026-12", ()))
    assert step is not None
    assert flow.proof_needed(step, 785000, rules) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"colour": "blue"}, "unknown key 'colour'"),
        ({"incomes": {"lottery": "payslip"}}, "incomes.lottery: not a known question"),
        ({"amounts": {"rent": "hyresavi"}}, "amounts.rent = 'hyresavi': not a known document"),
        ({"bank_statement": "yes"}, "bank_statement must be true or false"),
        ({"costs": "photo"}, "costs = 'photo'"),
    ],
)
def test_bad_rules_name_the_key(data: dict, message: str) -> None:
    with pytest.raises(ProofRulesError, match=message):
        parse(data, "proof.toml")


def test_a_broken_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "proof.toml"
    path.write_text("[amounts]\nrent = \n")
    with pytest.raises(ProofRulesError, match=r"proof.toml: .*line 2"):
        load(path)
