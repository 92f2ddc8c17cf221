"""Keeping the catalogs in step with the code: ``python -m portal.i18n_tools update|check``.

``update`` extracts messages into ``i18n/messages.pot``, merges them into every catalog and fills
the English catalog (English is the msgid language). ``check`` reports stale, missing, empty or
fuzzy entries and placeholders that differ from the msgid; the test suite runs the same check.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from intake.languages import SUPPORTED

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "i18n"
POT = I18N / "messages.pot"
JINJA_OPTIONS = {
    "extensions": "jinja2.ext.i18n",
    "trimmed": "true",
    "newstyle_gettext": "true",
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def po_path(code: str) -> Path:
    return I18N / code / "LC_MESSAGES" / "messages.po"


def extract(target: Path) -> None:
    """Extract every msgid of the code and templates into ``target`` (a .pot file)."""
    template = Catalog(project="ekonomiskt-bistand-portal", fuzzy=False)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    sources = [
        ("portal", [("**.py", "python")], {}),
        ("intake", [("**.py", "python")], {}),
        ("templates", [("**.html", "jinja2")], {"**.html": JINJA_OPTIONS}),
    ]
    for folder, method_map, options_map in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT / folder), method_map, options_map, keywords=keywords
        ):
            template.add(
                message,
                None,
                [(f"{folder}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    with target.open("wb") as handle:
        write_po(handle, template, no_location=True, sort_output=True, width=100)


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def update() -> None:
    extract(POT)
    for code in SUPPORTED:
        path = po_path(code)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = _read(path, code) if path.exists() else Catalog(locale=code)
        # A fresh template each time: update() adopts the template's message objects, and the
        # English catalog fills them in below, which must not leak into the next language.
        catalog.update(_read(POT), no_fuzzy_matching=True)
        if code == "en":
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        with path.open("wb") as handle:
            write_po(handle, catalog, omit_header=False, sort_output=True, width=100)


def _ids(message_id: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(message_id) if isinstance(message_id, tuple | list) else (message_id,)


def _looks_untranslated(message_id: str, text: str) -> bool:
    """A sentence left in English: several real words, copied as they are. Names and codes
    ("BankID", "YYYY-MM", "%(kind)s, %(name)s") may rightly stay the same."""
    if text != message_id or "§" in message_id:  # law references stay as they are
        return False
    words = re.findall(r"\b[A-Za-z]{3,}\b", PLACEHOLDER.sub("", message_id))
    return len(words) >= 2


def problems() -> list[str]:
    """Everything wrong with the catalogs, one line each; empty when all is well."""
    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.pot"
        extract(fresh)
        wanted = {_ids(m.id) for m in _read(fresh) if m.id}
    committed = {_ids(m.id) for m in _read(POT) if m.id}
    for missing in sorted(wanted - committed):
        found.append(f"messages.pot: stale, lacks {missing[0]!r} (run make i18n)")
    for extra in sorted(committed - wanted):
        found.append(f"messages.pot: stale, still has {extra[0]!r} (run make i18n)")
    for code in SUPPORTED:
        path = po_path(code)
        if not path.exists():
            found.append(f"{code}: no catalog")
            continue
        catalog = _read(path, code)
        have = {_ids(m.id) for m in catalog if m.id}
        for missing in sorted(wanted - have):
            found.append(f"{code}: missing {missing[0]!r}")
        for message in catalog:
            if not message.id:
                continue
            ids = _ids(message.id)
            strings = _ids(message.string or "")
            if message.fuzzy:
                found.append(f"{code}: fuzzy {ids[0]!r}")
            if any(not text for text in strings):
                found.append(f"{code}: empty {ids[0]!r}")
            if isinstance(message.string, tuple | list) and len(strings) != catalog.num_plurals:
                found.append(f"{code}: {len(strings)} plural forms, wants {catalog.num_plurals}")
            if code != "en" and _looks_untranslated(ids[0], strings[0]):
                found.append(f"{code}: same as English {ids[0]!r}")
            expected = set(PLACEHOLDER.findall(" ".join(ids)))
            for text in strings:
                if text and set(PLACEHOLDER.findall(text)) != expected:
                    found.append(f"{code}: placeholders differ in {ids[0]!r}")
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["check"]:
        issues = problems()
        print("\n".join(issues) or "Catalogs complete.")
        return 1 if issues else 0
    print("usage: python -m portal.i18n_tools update|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
