import datetime as dt
from decimal import Decimal

import pytest

from intake.languages import SUPPORTED
from portal import i18n
from portal.i18n_tools import problems


def test_catalogs_are_complete_current_and_consistent() -> None:
    assert problems() == []


@pytest.mark.parametrize("code", SUPPORTED)
def test_every_language_translates_the_start_page_heading(code: str) -> None:
    with i18n.use_locale(code):
        text = i18n.gettext("Apply for financial assistance")
    assert text
    if code != "en":
        assert text != "Apply for financial assistance"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("sv", "12\xa0345,67\xa0kr"),
        ("fi", "12\xa0345,67\xa0SEK"),
        ("en", "SEK\xa012,345.67"),
        ("uk", "12\xa0345,67\xa0SEK"),
    ],
)
def test_money_is_formatted_per_locale(code: str, expected: str) -> None:
    with i18n.use_locale(code):
        assert i18n.format_money(Decimal("12345.67")) == expected


def test_money_in_arabic_uses_the_locales_own_digits_and_order() -> None:
    with i18n.use_locale("ar"):
        text = i18n.format_money(Decimal("12345.67"))
    assert "SEK" in text or "كر" in text
    assert text != "12 345,67 kr"


def test_ore_and_months_and_dates() -> None:
    with i18n.use_locale("sv"):
        assert i18n.format_ore(785000) == "7\xa0850,00\xa0kr"
        assert i18n.format_ore(None) == ""
        assert i18n.format_month("2026-12") == "december 2026"
        assert i18n.format_date(dt.date(2026, 11, 24)) == "24 november 2026"
    with i18n.use_locale("fi"):
        assert i18n.format_month("2026-12") == "joulukuu 2026"


def test_plural_forms_follow_the_language() -> None:
    with i18n.use_locale("en"):
        one = i18n.ngettext("%(num)s survey answer so far.", "%(num)s survey answers so far.", 1)
        many = i18n.ngettext("%(num)s survey answer so far.", "%(num)s survey answers so far.", 7)
    assert one == "1 survey answer so far."
    assert many == "7 survey answers so far."


def test_choose_language_order() -> None:
    assert i18n.choose_language("fa", "ar", "sv") == "fa"
    assert i18n.choose_language(None, "ar,en;q=0.5", "sv") == "ar"
    assert i18n.choose_language("xx", "de", "fi") == "fi"
