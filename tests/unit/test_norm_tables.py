"""The norm table files: the shipped tables hold exactly the numbers of DOMAIN.md, the 2024 table
is exactly its documented derivation, demo tables say so, and bad files give clear issues."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from intake.norm import (
    NormTable,
    NormTableError,
    builtin_table_files,
    derive_table,
    parse_table_data,
    parse_table_text,
    read_table_file,
)
from intake.norm.table import PERSONAL_KEYS, TABLES_DIR, raise_kronor


def tables() -> dict[int, NormTable]:
    return {table.year: table for table in map(read_table_file, builtin_table_files())}


def kronor(table: NormTable, keys: tuple[str, ...] = PERSONAL_KEYS) -> list[int]:
    return [table.personal_ore[key] // 100 for key in keys]


# DOMAIN.md, "Riksnormen" table: child 0, 1–2, 3, 4–6, 7–10, 11–14, 15–18, 19–20, alone, couple.
DOMAIN_2019 = [2130, 2380, 2120, 2380, 2990, 3440, 3880, 3910, 3090, 5570]
DOMAIN_2019_NO_LUNCH = [2000, 2190, 1940, 2120]
DOMAIN_2019_COMMON = [990, 1100, 1380, 1570, 1810, 2050, 2220]
DOMAIN_2023 = [2420, 2700, 2410, 2700, 3380, 3890, 4390, 4430, 3490, 6300]
DOMAIN_2023_COMMON = [1130, 1150, 1580, 1790, 2060, 2330, 2510]


def test_the_shipped_files_are_the_years_the_brief_asks_for() -> None:
    loaded = tables()
    assert sorted(loaded) == [2019, 2023, 2024, 2025, 2026]
    assert {year for year, table in loaded.items() if table.demo} == {2025, 2026}


def test_2019_is_socialstyrelsen_as_given() -> None:
    table = tables()[2019]
    assert kronor(table) == DOMAIN_2019
    assert [table.without_lunch_ore[k] // 100 for k in PERSONAL_KEYS[:4]] == DOMAIN_2019_NO_LUNCH
    assert [v // 100 for v in table.common_ore] == DOMAIN_2019_COMMON
    assert "Socialstyrelsen" in table.source.name
    assert not table.demo and table.derived is None


def test_2023_keeps_the_published_1150_with_a_note() -> None:
    table = tables()[2023]
    assert kronor(table) == DOMAIN_2023
    assert [v // 100 for v in table.common_ore] == DOMAIN_2023_COMMON
    assert table.common(2) == 115_000  # not silently 1 250
    assert "1 250" in table.notes["common.2"]
    assert "Ängelholm" in table.source.name
    assert table.without_lunch_ore == {}


def test_2024_is_exactly_2023_plus_8_7_percent_rounded_to_tens() -> None:
    loaded = tables()
    shipped = loaded[2024]
    derived = derive_table(
        loaded[2023],
        2024,
        Decimal("8.7"),
        "nearest_10_kr_half_up",
        "regeringen.se: riksnormen 2024 raised by 8.7 %",
    )
    assert shipped.personal_ore == derived.personal_ore
    assert shipped.common_ore == derived.common_ore
    assert shipped.derived.from_year == 2023
    assert shipped.derived.percent == Decimal("8.7")
    assert shipped.derived.rounding == "nearest_10_kr_half_up"
    assert "regeringen.se" in shipped.derived.source
    # By hand: 3 490 × 1.087 = 3 793.63 → 3 790; 6 300 × 1.087 = 6 848.10 → 6 850;
    # 1 150 × 1.087 = 1 250.05 → 1 250 (from the published 2023 value).
    assert shipped.personal("adult_alone") == 379_000
    assert shipped.personal("adult_couple") == 685_000
    assert shipped.common(2) == 125_000


@pytest.mark.parametrize(
    ("kronor_in", "rounding", "expected"),
    [
        (2420, "nearest_10_kr_half_up", 2630),  # 2 630.54
        (2410, "nearest_10_kr_half_up", 2620),  # 2 619.67
        (4430, "nearest_10_kr_half_up", 4820),  # 4 815.41: half up at 5
        (1150, "nearest_kr_half_up", 1250),  # 1 250.05
        (3490, "nearest_kr_half_up", 3794),  # 3 793.63
    ],
)
def test_raising_rounds_half_up(kronor_in: int, rounding: str, expected: int) -> None:
    assert raise_kronor(kronor_in, Decimal("8.7"), rounding) == expected


def test_demo_tables_are_flagged_and_say_example_values() -> None:
    for year in (2025, 2026):
        table = tables()[year]
        assert table.demo is True
        assert "example values" in table.title.lower()
        assert "example values" in table.source.name.lower()
        text = (TABLES_DIR / f"demo-{year}.toml").read_text()
        assert "DEMO TABLE, EXAMPLE VALUES" in text


def test_common_costs_beyond_seven_add_the_six_to_seven_step() -> None:
    table = tables()[2023]
    # 2 510 + (2 510 − 2 330) × (n − 7)
    assert [table.common(n) // 100 for n in (7, 8, 9, 10)] == [2510, 2690, 2870, 3050]


def test_a_table_survives_the_round_trip_through_the_database_json() -> None:
    for table in tables().values():
        assert parse_table_data(table.to_data()) == table


GOOD = (TABLES_DIR / "riksnorm-2023.toml").read_text()


def issues_of(text: str) -> list[tuple[str, str, int | None]]:
    with pytest.raises(NormTableError) as caught:
        parse_table_text(text)
    return [(issue.code, issue.key, issue.line) for issue in caught.value.issues]


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def test_a_decimal_amount_is_refused_with_its_key_and_line() -> None:
    bad = GOOD.replace("child_3 = 2410", "child_3 = 2410.5")
    assert issues_of(bad) == [("not_whole_kronor", "personal.child_3", line_of(bad, "child_3"))]


def test_a_misspelt_key_is_unknown_and_the_real_one_missing() -> None:
    bad = GOOD.replace("adult_couple = 6300", "adult_cuople = 6300")
    assert issues_of(bad) == [
        ("unknown_key", "personal.adult_cuople", line_of(bad, "adult_cuople")),
        ("missing_key", "personal.adult_couple", line_of(bad, "[personal]")),
    ]


def test_a_missing_common_size_and_a_zero_amount() -> None:
    bad = GOOD.replace("7 = 2510\n", "").replace("1 = 1130", "1 = 0")
    assert issues_of(bad) == [
        ("amount_out_of_range", "common.1", line_of(bad, "1 = 0")),
        ("missing_key", "common.7", line_of(bad, "[common]")),
    ]


def test_syntax_errors_give_the_line() -> None:
    bad = GOOD.replace("child_0 = 2420", "child_0 = ")
    [(code, key, line)] = issues_of(bad)
    assert (code, key, line) == ("syntax", "", line_of(bad, "child_0"))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("format = 1", "format = 2"), ("unsupported_format", "format")),
        (("year = 2023", 'year = "2023"'), ("not_integer", "year")),
        (("year = 2023", "year = 1999"), ("year_out_of_range", "year")),
        (("demo = false", 'demo = "no"'), ("not_boolean", "demo")),
        (('"common.2"', '"common.9"'), ("note_for_unknown_key", "notes.common.9")),
        (("[source]\nname", "[source]\nnamn"), ("unknown_key", "source.namn")),
    ],
)
def test_every_kind_of_mistake_names_its_key(
    change: tuple[str, str], expected: tuple[str, str]
) -> None:
    bad = GOOD.replace(*change)
    assert bad != GOOD
    assert expected in [(code, key) for code, key, _ in issues_of(bad)]


def test_a_table_without_source_is_refused() -> None:
    bad = GOOD.replace('[source]\nname = "Ängelholms', '[source]\nnote2 = "Ängelholms')
    found = [(code, key) for code, key, _ in issues_of(bad)]
    assert ("missing_key", "source.name") in found


def test_a_derived_table_must_say_how(tmp_path: Path) -> None:
    text = (TABLES_DIR / "riksnorm-2024-derived.toml").read_text()
    bad = text.replace('percent = "8.7"', 'percent = "8,7"').replace(
        "nearest_10_kr_half_up", "nearest_100"
    )
    found = [(code, key) for code, key, _ in issues_of(bad)]
    assert ("not_a_decimal", "derived.percent") in found
    assert ("unknown_rounding", "derived.rounding") in found
    path = tmp_path / "latin1.toml"
    path.write_bytes("name = 'Ängelholm'".encode("latin-1"))
    with pytest.raises(NormTableError) as caught:
        read_table_file(path)
    assert caught.value.issues[0].code == "not_utf8"
