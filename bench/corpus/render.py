"""A thin layer over fpdf2: text placed in millimetres, right-aligned columns, rules and boxes."""

from __future__ import annotations

import datetime as dt
import warnings
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

FONTS = {
    "DejaVuSans": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    "DejaVuSerif": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    ),
    "DejaVuCondensed": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    ),
    "LiberationSans": (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    "LiberationSerif": (
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
    ),
    "NotoSans": (
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    ),
    "NotoSerif": (
        "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf",
    ),
}


def available_fonts() -> list[str]:
    return [name for name, (regular, _) in FONTS.items() if Path(regular).exists()]


@cache
def _cmap(path: str) -> frozenset[int]:
    return frozenset(TTFont(path).getBestCmap())


def covers(family: str, characters: str) -> bool:
    cmap = _cmap(FONTS[family][0])
    return all(ord(c) in cmap for c in characters)


class Sheet:
    """An A4 document being drawn. ``y`` is the text baseline, in millimetres from the top."""

    WIDTH = 210.0
    HEIGHT = 297.0

    def __init__(self, family: str, size: float = 9.5, landscape: bool = False) -> None:
        self.pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
        if landscape:
            self.WIDTH, self.HEIGHT = 297.0, 210.0
        self.pdf.set_auto_page_break(False)
        self.pdf.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        self.pdf.set_creator("corpus generator")
        regular, bold = FONTS[family]
        self.pdf.add_font(family, "", regular)
        self.pdf.add_font(family, "B", bold)
        self.family = family
        self.size = size
        self.pdf.add_page()

    @property
    def page_count(self) -> int:
        return self.pdf.page

    def new_page(self) -> None:
        self.pdf.add_page()

    def _font(self, size: float | None, bold: bool) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size or self.size)

    def text(
        self, x: float, y: float, text: str, size: float | None = None, bold: bool = False
    ) -> None:
        self._font(size, bold)
        self.pdf.text(x, y, text)

    def right(
        self, x: float, y: float, text: str, size: float | None = None, bold: bool = False
    ) -> None:
        """Text ending at ``x``."""
        self._font(size, bold)
        self.pdf.text(x - self.pdf.get_string_width(text), y, text)

    def centre(
        self, x: float, y: float, text: str, size: float | None = None, bold: bool = False
    ) -> None:
        self._font(size, bold)
        self.pdf.text(x - self.pdf.get_string_width(text) / 2, y, text)

    def width(self, text: str, size: float | None = None, bold: bool = False) -> float:
        self._font(size, bold)
        return float(self.pdf.get_string_width(text))

    def rule(self, x0: float, y: float, x1: float, width: float = 0.2) -> None:
        self.pdf.set_line_width(width)
        self.pdf.line(x0, y, x1, y)

    def box(self, x: float, y: float, w: float, h: float, shade: int | None = None) -> None:
        self.pdf.set_line_width(0.25)
        if shade is not None:
            self.pdf.set_fill_color(shade, shade, shade)
            self.pdf.rect(x, y, w, h, style="DF")
        else:
            self.pdf.rect(x, y, w, h)

    def lines(self, x: float, y: float, texts: list[str], step: float = 4.6, **kw: object) -> float:
        """Stacked lines from ``y`` down; gives the baseline after the last."""
        for text in texts:
            self.text(x, y, text, **kw)  # type: ignore[arg-type]
            y += step
        return y

    def bytes(self) -> bytes:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return bytes(self.pdf.output())
