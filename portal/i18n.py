"""Translations and locale formatting. The active locale lives in a ContextVar set per request.

Catalogs are read from the committed ``.po`` files at start-up and compiled in memory, so a
stale or missing ``.mo`` can never show the wrong text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

from intake.languages import DEFAULT, SUPPORTED, best_match, direction

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"

_locale: ContextVar[str] = ContextVar("portal_locale", default=DEFAULT)


def get_locale() -> str:
    return _locale.get()


@contextmanager
def use_locale(code: str) -> Iterator[None]:
    token = _locale.set(code if code in SUPPORTED else DEFAULT)
    try:
        yield
    finally:
        _locale.reset(token)


def set_locale(code: str) -> None:
    _locale.set(code if code in SUPPORTED else DEFAULT)


@cache
def translations(code: str) -> NullTranslations:
    """The catalog for ``code``. English is the msgid language."""
    po_path = I18N_DIR / code / "LC_MESSAGES" / "messages.po"
    if code == "en" and not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(message: str, **variables: object) -> str:
    text = translations(get_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(get_locale()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


def N_(message: str) -> str:  # noqa: N802 - the customary name for a deferred msgid
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return message


def choose_language(explicit: str | None, accept_language: str | None, default: str) -> str:
    """The user's explicit choice, then ``Accept-Language``, then the municipality default."""
    if explicit in SUPPORTED:
        return explicit
    return best_match(accept_language) or default


def text_direction(code: str | None = None) -> str:
    return direction(code or get_locale())


def _babel_locale() -> Locale:
    return Locale.parse(get_locale())


# CLDR glues the code to the number in English ("SEK12,345.67"); keep a space there.
_CURRENCY_PATTERNS = {"en": "\u00a4\u00a0#,##0.00"}


def format_money(amount: Decimal | int | float, currency: str = "SEK") -> str:
    """``12 345,67 kr`` in Swedish; each locale's own form elsewhere."""
    code = get_locale()
    return format_currency(
        amount, currency, format=_CURRENCY_PATTERNS.get(code), locale=_babel_locale()
    )


def format_ore(ore: int | None) -> str:
    return "" if ore is None else format_money(Decimal(ore) / 100)


def format_number(value: Decimal | int | float) -> str:
    return format_decimal(value, locale=_babel_locale())


def format_date(value: dt.date | dt.datetime, form: str = "long") -> str:
    return _format_date(value, format=form, locale=_babel_locale())


def format_datetime(value: dt.datetime, form: str = "medium") -> str:
    return _format_datetime(
        value, format=form, locale=_babel_locale(), tzinfo=get_timezone("Europe/Stockholm")
    )


def format_month(month: str) -> str:
    """``2026-12`` → ``december 2026`` in the active locale."""
    year, number = (int(part) for part in month.split("-"))
    return _format_date(dt.date(year, number, 1), format="LLLL y", locale=_babel_locale())
