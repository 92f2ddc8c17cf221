import pytest

from intake.languages import NATIVE_NAMES, RTL, SUPPORTED, best_match, direction


def test_eight_languages_each_named_in_itself() -> None:
    assert SUPPORTED == ("sv", "en", "ar", "fa", "so", "ti", "uk", "fi")
    assert set(NATIVE_NAMES) == set(SUPPORTED)
    assert NATIVE_NAMES["ar"] == "العربية"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ar-SE,ar;q=0.9,sv;q=0.8", "ar"),
        ("de-DE,de;q=0.9,fi;q=0.5,en;q=0.7", "en"),
        ("prs-AF", "fa"),
        ("so", "so"),
        ("uk-UA, ru;q=0.5", "uk"),
        ("de, fr", None),
        ("", None),
        (None, None),
        ("en;q=0, sv", "sv"),
        ("ti-ER;q=0.8, xx;q=notanumber", "ti"),
    ],
)
def test_accept_language(header: str | None, expected: str | None) -> None:
    assert best_match(header) == expected


@pytest.mark.parametrize("code", SUPPORTED)
def test_direction(code: str) -> None:
    assert direction(code) == ("rtl" if code in {"ar", "fa"} else "ltr")
    assert {"ar", "fa"} == RTL
