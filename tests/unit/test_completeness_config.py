"""The rule table and thresholds per municipality: defaults, overrides and errors that name the
line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.completeness import DEFAULT, DEFAULT_FILE, Code, ConfigError, Severity, load, parse_text


def test_the_shipped_default_sets_every_rule() -> None:
    assert set(DEFAULT.severities) == set(Code)
    assert DEFAULT.severity(Code.amount_mismatch) is Severity.blocking
    assert DEFAULT.severity(Code.income_disappeared) is Severity.review
    assert DEFAULT.tolerance_ore == 10000
    assert DEFAULT.periods["rent_notice"].relative_to == "application"
    assert DEFAULT.source == str(DEFAULT_FILE)


def test_an_empty_file_is_the_default() -> None:
    config = parse_text("", "empty.toml")
    assert config.severities == DEFAULT.severities
    assert config.periods == DEFAULT.periods
    assert config.source == "empty.toml"


def test_a_municipality_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        "format = 1\n"
        "[rules]\n"
        'income_disappeared = "off"\n'
        'rent_increase = "blocking"\n'
        "[amounts]\n"
        "tolerance_kronor = 0\n"
        "[changes]\n"
        "rent_increase_share = 0.25\n"
        'household_change_needs_text_for = ["family"]\n'
        "[periods]\n"
        'rent_notice = { relative_to = "application", earliest = -1, latest = 0 }\n'
    )
    config = load(path)
    assert config.severity(Code.income_disappeared) is None
    assert config.severity(Code.rent_increase) is Severity.blocking
    assert config.severity(Code.missing_attachment) is Severity.blocking
    assert config.tolerance_ore == 0
    assert config.tolerance_share == DEFAULT.tolerance_share
    assert config.rent_increase_share == 0.25
    assert config.household_change_needs_text_for == {"family"}
    assert config.periods["rent_notice"].earliest == -1
    assert config.periods["payslip"] == DEFAULT.periods["payslip"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[rules]\nmissing_attachment = "blocker"\n',
            "rules.toml:2: rules.missing_attachment: must be one of blocking, review, info, off, "
            "got 'blocker'",
        ),
        (
            "[rules]\nmissing_attachmnet = 'blocking'\n",
            "rules.toml:2: rules.missing_attachmnet: unknown key",
        ),
        (
            "[amount]\ntolerance = 1\n",
            "rules.toml:1: amount: unknown key "
            "(expected one of: format, amounts, changes, periods, rules)",
        ),
        (
            "[amounts]\n\n\ntolerance_share = 1.5\n",
            "rules.toml:4: amounts.tolerance_share: must be from 0 to 1, got 1.5",
        ),
        (
            "[amounts]\ntolerance_kronor = '100'\n",
            "rules.toml:2: amounts.tolerance_kronor: must be a whole number, got '100'",
        ),
        (
            "[amounts]\nmin_confidence = true\n",
            "amounts.min_confidence: must be a number, got True",
        ),
        (
            "[changes]\nhousehold_change_needs_text_for = ['pets']\n",
            "rules.toml:2: changes.household_change_needs_text_for: must be a list of",
        ),
        (
            "[periods]\npayslip = { relative_to = 'payday', earliest = 0, latest = 0 }\n",
            "rules.toml:2: periods.payslip: relative_to must be",
        ),
        (
            "[periods]\npayslip = { relative_to = 'sent', earliest = 1, latest = 0 }\n",
            "periods.payslip: earliest (1) is after latest (0)",
        ),
        (
            "[periods]\npayslip = { relative_to = 'sent', earliest = 1 }\n",
            "rules.toml:2: periods.payslip.latest: must be a whole number, got None",
        ),
        (
            "[periods]\nreceipt = { relative_to = 'sent', earliest = 0, latest = 0 }\n",
            "rules.toml:2: periods.receipt: unknown key",
        ),
        ("format = 2\n", "rules.toml:1: format: format 2 is not supported"),
        ("rules = 3\n", "rules.toml:1: rules: must be a [rules] section"),
        ("[rules\n", "rules.toml:1: not valid TOML"),
    ],
)
def test_bad_files_name_the_line_and_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_text(text, "rules.toml")
    assert message in str(error.value)


def test_every_problem_is_reported_at_once() -> None:
    text = '[rules]\nwrong_kind = "x"\nwrong_period = "y"\n[amounts]\ntolerance_share = -1\n'
    with pytest.raises(ConfigError) as error:
        parse_text(text, "rules.toml")
    assert [issue.line for issue in error.value.issues] == [2, 3, 5]


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nowhere.toml: cannot be read"):
        load(tmp_path / "nowhere.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes("# år\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="is not UTF-8"):
        load(latin)
