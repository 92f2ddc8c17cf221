"""The languages the portal speaks. Swedish is the default user-interface language."""

from __future__ import annotations

SUPPORTED: tuple[str, ...] = ("sv", "en", "ar", "fa", "so", "ti", "uk", "fi")
DEFAULT = "sv"
RTL: frozenset[str] = frozenset({"ar", "fa"})

# Each language named in itself, for the language switcher.
NATIVE_NAMES: dict[str, str] = {
    "sv": "Svenska",
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی",
    "so": "Soomaali",
    "ti": "ትግርኛ",
    "uk": "Українська",
    "fi": "Suomi",
}


def direction(code: str) -> str:
    return "rtl" if code in RTL else "ltr"


def best_match(accept_language: str | None) -> str | None:
    """The best supported language for an ``Accept-Language`` header, or None."""
    if not accept_language:
        return None
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag))
    for _, _, tag in sorted(weighted):
        primary = tag.split("-")[0]
        if primary == "prs":  # Dari is written like Persian
            primary = "fa"
        if primary in SUPPORTED:
            return primary
    return None
