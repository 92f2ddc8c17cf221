"""Small documents for the extraction tests: a PDF with text where you put it, and its photo."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

FONTS = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
]
FONT = next((f for f in FONTS if f.exists()), None)

# A row is a string at the left margin, or cells: (x in mm, text) left-aligned there, or
# (x, text, "r") ending there.
Cell = tuple[float, str] | tuple[float, str, str]
Row = str | Sequence[Cell]


def pdf(*rows: Row, size: float = 10, step: float = 6.0, top: float = 20) -> bytes:
    """An A4 PDF with one row of text per row given, ``step`` millimetres apart."""
    assert FONT is not None, "no TrueType font (fonts-noto-core) installed"
    document = FPDF(unit="mm", format="A4")
    document.add_page()
    document.add_font("body", "", str(FONT))
    document.set_font("body", size=size)
    y = top
    for row in rows:
        cells: Sequence[Cell] = [(20, row)] if isinstance(row, str) else row
        for cell in cells:
            x, text = cell[0], cell[1]
            if len(cell) == 3:
                x -= document.get_string_width(text)
            document.text(x, y, text)
        y += step
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bytes(document.output())


def pages(*page_rows: Sequence[Row], size: float = 10) -> bytes:
    """A PDF with several pages, each given as its rows."""
    assert FONT is not None
    document = FPDF(unit="mm", format="A4")
    document.add_font("body", "", str(FONT))
    for rows in page_rows:
        document.add_page()
        document.set_font("body", size=size)
        y = 20.0
        for row in rows:
            cells: Sequence[Cell] = [(20, row)] if isinstance(row, str) else row
            for cell in cells:
                x = cell[0] - (document.get_string_width(cell[1]) if len(cell) == 3 else 0)
                document.text(x, y, cell[1])
            y += 6
    return bytes(document.output())


def picture(
    lines: Sequence[Row], size: tuple[int, int] = (1240, 1754), font_px: int = 30
) -> Image.Image:
    """A white page image (A4 at 150 dpi) with the rows drawn in black: what a scan looks like."""
    assert FONT is not None
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), font_px)
    mm = size[0] / 210
    y = 20 * mm
    for row in lines:
        cells: Sequence[Cell] = [(20, row)] if isinstance(row, str) else row
        for cell in cells:
            x = cell[0] * mm
            if len(cell) == 3:
                x -= draw.textlength(cell[1], font=font)
            draw.text((x, y), cell[1], fill=0, font=font)
        y += font_px * 1.6
    return image


def on_table(sheet: Image.Image, margin: int = 120, shade: int = 70) -> Image.Image:
    """The sheet lying on a dark table, as a phone sees it."""
    canvas = Image.new("L", (sheet.width + 2 * margin, sheet.height + 2 * margin), shade)
    canvas.paste(sheet, (margin, margin))
    return canvas


def jpeg(image: Image.Image, exif_orientation: int | None = None, quality: int = 85) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if exif_orientation:
        exif[0x0112] = exif_orientation
    image.convert("RGB").save(out, format="JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()
